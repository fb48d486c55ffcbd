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

/* Endpoints are laid out as a table of columns per cluster and address family; a connect
 * reads one column (and at most one more, its alias):
 *  - ROUND_ROBIN, RANDOM, LEAST_REQUEST, when the weights reduced by their gcd sum to at most
 *    LB_MAX_SCHEDULE: a schedule where an endpoint of weight w holds w columns, interleaved
 *    so that round robin over them is a smooth weighted round robin and a uniform random
 *    column a weighted random choice (exact; no column has an alias);
 *  - the same policies otherwise (thousands of endpoints, uneven weights): an alias table
 *    (Vose), one column per endpoint. A column keeps its own endpoint with probability
 *    alias_cut / 2^32 and otherwise gives the connect to the endpoint of column alias_slot;
 *    a uniform column and a uniform 32-bit draw are then a weighted choice to within 2^-32
 *    per column, whatever the number of endpoints. Round robin walks the columns in order
 *    and takes the draw from a golden-ratio sequence of its pass over the table, so each
 *    column's keep/alias split follows its cut with a deviation that stays bounded (a few
 *    connects) instead of growing as chance would;
 *  - RING_HASH, MAGLEV: a consistent-hash lookup table computed by the translator (a ring
 *    sampled at the table's resolution, or Maglev's permutation table); column = client
 *    hash modulo the length; no aliases. */
#define LB_MAX_SCHEDULE 1024

/* Most endpoints of one address family a cluster balances over (columns of its alias table):
 * the default capacity of lb_schedule, so the translator says so before the map would. */
#define LB_MAX_ENDPOINTS 262144

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
	__u32 alias_cut;       /* 0: the column is its endpoint's alone; else draw >= cut takes alias_slot */
	__u32 alias_slot;      /* the column whose endpoint takes the rest of this one's share */
};

#endif
