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

/* Endpoints are laid out as a table of columns per cluster and address family, held in the
 * cluster's lb_clusters record when it fits there (LB_INLINE_SLOTS) and in lb_schedule
 * otherwise; a connect reads one column (and at most one more, its alias):
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

/* Columns a cluster's record holds itself (both families together). A table that fits is read
 * from the record lb_clusters already returned, so a connect to a small cluster (the usual
 * service: a few pods) costs one hash lookup, not two: at 10 000 services the lb_schedule
 * lookup, a cold bucket of a 4 MiB bucket array and a cold element, was about half of the
 * program (bench/results/2026-12-07-chain19.md). 28 fills the 1 KiB slab object a record takes
 * (32 + 28 x 32 bytes of value, plus the hash element's header and key); larger tables stay in
 * lb_schedule. */
#define LB_INLINE_SLOTS 28

struct lb_cluster {
	__u32 policy;          /* enum lb_policy */
	__u32 length[2];       /* table length per lb_family; 0 = no endpoint */
	__u32 flags;           /* LB_FLAG_* */
	__u32 choice_count;    /* LEAST_REQUEST: samples per pick (Envoy's choice_count) */
	__u32 inline_families; /* bit (1 << lb_family): that family's table is in slots[], not lb_schedule */
	__u32 inline_base[2];  /* per lb_family: the slots[] index of its column 0, when inline */
	struct lb_endpoint slots[LB_INLINE_SLOTS];
};

#endif
