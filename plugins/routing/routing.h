/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Map layouts of the routing plugin; mirrored in RoutingMaps.cs (checked against BTF). */
#ifndef KMESH_ROUTING_H
#define KMESH_ROUTING_H

#include <kmesh/chain.h>

/* Weighted clusters of one route: gray release splits up to this many ways. */
#define RT_MAX_CLUSTERS 16

/* A service VIP:port as the application dials it. */
struct rt_key {
	__u32 addr[4];  /* IPv4 in addr[0] */
	__u16 port;     /* network byte order */
	__u8 family;    /* AF_INET / AF_INET6 */
	__u8 protocol;  /* IPPROTO_TCP / IPPROTO_UDP */
};

struct rt_cluster {
	__u32 cluster_id;
	__u32 upper;    /* cumulative weight: picked when roll < upper */
};

/* rt_route.flags: connects go to the node's L7 waypoint (rt_waypoint), keeping the dialed port. */
#define RT_F_WAYPOINT 1

/* Per-hook indexes (rt_waypoint's, rt_route.skip_slots'): connect4's and connect6's. */
#define RT_HOOK_V4 0
#define RT_HOOK_V6 1  /* connect6: an IPv6 waypoint, or an IPv4 one as ::ffff:a.b.c.d */

struct rt_route {
	__u32 service_id;
	__u32 count;         /* used entries of clusters[] */
	__u32 total_weight;  /* clusters[count - 1].upper */
	__u32 flags;         /* RT_F_* */
	/* Per hook: the chain slots with nothing configured for this service (km_ctx.skip_slots,
	 * ABI 1.4), folded in by the core from what the later plugins declared. */
	__u32 skip_slots[2];
	struct rt_cluster clusters[RT_MAX_CLUSTERS];
};

#endif
