/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Map layouts of the load-balancing plugin; mirrored in LoadBalanceMaps.cs. */
#ifndef KMESH_LOADBALANCE_H
#define KMESH_LOADBALANCE_H

#include <kmesh/chain.h>

enum lb_policy {
	LB_ROUND_ROBIN = 0,
	LB_RANDOM = 1,
	LB_LEAST_REQUEST = 2, /* choice_count weighted samples, the one with fewest open connections */
	LB_CONSISTENT_HASH = 3, /* RING_HASH and MAGLEV: the table maps a client hash to an endpoint */
};

/* Endpoints are laid out as a table per cluster and address family, read with one hash
 * lookup per connect:
 *  - ROUND_ROBIN, RANDOM, LEAST_REQUEST: a schedule where an endpoint of weight w holds w
 *    slots (scaled down to at most LB_MAX_SCHEDULE), interleaved so that round robin over
 *    the slots is a smooth weighted round robin and a uniform random slot is a weighted
 *    random choice;
 *  - RING_HASH, MAGLEV: a consistent-hash lookup table computed by the translator (a ring
 *    sampled at the table's resolution, or Maglev's permutation table); slot = client hash
 *    modulo the length. */
#define LB_MAX_SCHEDULE 1024

/* Flags of a cluster. */
#define LB_FLAG_OUTLIER_DETECTION 1 /* skip endpoints km_ejected says are ejected */

enum lb_family {
	LB_FAMILY_V4 = 0,
	LB_FAMILY_V6 = 1,
};

struct lb_cluster {
	__u32 policy;          /* enum lb_policy */
	__u32 length[2];       /* table length per lb_family; 0 = no endpoint */
	__u32 flags;           /* LB_FLAG_* */
	__u32 choice_count;    /* LEAST_REQUEST: samples per pick (Envoy's choice_count) */
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
