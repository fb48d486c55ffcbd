/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Map layouts of the load-balancing plugin; mirrored in LoadBalanceMaps.cs. */
#ifndef KMESH_LOADBALANCE_H
#define KMESH_LOADBALANCE_H

#include <kmesh/chain.h>

enum lb_policy {
	LB_ROUND_ROBIN = 0,
	LB_RANDOM = 1,
};

/* Endpoints are laid out as a schedule per cluster and address family: an endpoint of
 * weight w holds w slots (scaled down to at most LB_MAX_SCHEDULE), interleaved so that
 * round robin over the slots is a smooth weighted round robin and a uniform random slot
 * is a weighted random choice. The kernel does one hash lookup per connect. */
#define LB_MAX_SCHEDULE 1024

enum lb_family {
	LB_FAMILY_V4 = 0,
	LB_FAMILY_V6 = 1,
};

struct lb_cluster {
	__u32 policy;          /* enum lb_policy */
	__u32 length[2];       /* schedule length per lb_family; 0 = no endpoint */
	__u32 flags;
};

struct lb_slot_key {
	__u32 cluster_id;
	__u32 family;          /* enum lb_family */
	__u32 slot;
};

struct lb_endpoint {
	struct km_addr addr;
	__u32 endpoint_id;
};

#endif
