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

struct rt_route {
	__u32 service_id;
	__u32 count;         /* used entries of clusters[] */
	__u32 total_weight;  /* clusters[count - 1].upper */
	__u32 flags;
	struct rt_cluster clusters[RT_MAX_CLUSTERS];
};

#endif
