// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Routing: a connect to a service VIP:port finds its route and picks the cluster, by
 * weight when the route splits traffic (gray release). A service whose routes need the
 * request goes to the node's L7 waypoint instead (kmesh run --waypoint), at the port the
 * application dialed: decided here, straight to commit. Anything else is not a service:
 * the chain is cut short straight to commit, which leaves the connect alone.
 */
#include "routing.h"

KMESH_OBJECT();

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	/* Read on every connect, written only by the core: not preallocated, so its elements come
	 * from the slab allocator (linearly mapped memory) instead of one vmalloc area of 4 KiB
	 * pages: no slower per connect at 10 000 services (a few hundred ns faster in most paired
	 * rounds, within noise: bench/results/2026-12-06-chain17.md), and unused capacity holds no
	 * memory (lb_schedule preallocated 262144 elements). */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, struct rt_key);
	__type(value, struct rt_route);
} rt_routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct km_addr);
} rt_waypoint SEC(".maps");

enum rt_outcome {
	RT_NOT_A_SERVICE = 0,
	RT_ROUTED = 1,     /* service and cluster set: the rest of the chain decides */
	RT_TO_WAYPOINT = 2 /* rewritten to the waypoint: nothing left to decide */
};

static __always_inline __u32 rt_pick_cluster(const struct rt_route *r)
{
	__u32 roll;

	if (r->count <= 1 || r->total_weight == 0)
		return r->clusters[0].cluster_id;
	roll = bpf_get_prandom_u32() % r->total_weight;
#pragma unroll
	for (int i = 0; i < RT_MAX_CLUSTERS; i++) {
		if (i >= r->count)
			break;
		if (roll < r->clusters[i].upper)
			return r->clusters[i].cluster_id;
	}
	return r->clusters[0].cluster_id;
}

static __always_inline int rt_v4_mapped(const struct km_addr *a)
{
	return a->family == AF_INET6 && a->addr[0] == 0 && a->addr[1] == 0 && a->addr[2] == bpf_htonl(0xffff);
}

/* A waypoint route: the waypoint's address for this hook's family, with the dialed port. */
static __always_inline int rt_to_waypoint(struct km_ctx *c, __u32 hook)
{
	struct km_addr *waypoint = bpf_map_lookup_elem(&rt_waypoint, &hook);

	/* No address for this family (an IPv6-only waypoint, an IPv4 hook): leave the connect
	 * undecided, as a route to nowhere; the core's fail-closed setting applies. */
	if (!waypoint || waypoint->family == 0)
		return RT_ROUTED;
	c->dest = *waypoint;
	c->dest.port = c->orig.port;
	c->verdict = KM_VERDICT_REWRITE;
	c->reason = KM_REASON_ROUTED;
	return RT_TO_WAYPOINT;
}

static __always_inline int rt_route_connect(struct bpf_sock_addr *ctx, struct km_ctx *c, __u32 hook)
{
	struct rt_key key = {};
	struct rt_route *r;

	key.addr[0] = c->orig.addr[0];
	key.addr[1] = c->orig.addr[1];
	key.addr[2] = c->orig.addr[2];
	key.addr[3] = c->orig.addr[3];
	key.port = c->orig.port;
	key.family = (__u8)c->orig.family;
	key.protocol = (__u8)c->protocol;
	if (rt_v4_mapped(&c->orig)) {
		/* A dual-stack IPv6 socket dialing an IPv4 VIP (::ffff:a.b.c.d), as .NET and Java
		 * clients do by default: the IPv4 service. connect6's load balancing then picks
		 * from the IPv6 schedule, which holds IPv4 endpoints mapped the same way. */
		key.family = AF_INET;
		key.addr[0] = c->orig.addr[3];
		key.addr[2] = 0;
		key.addr[3] = 0;
	}
	r = bpf_map_lookup_elem(&rt_routes, &key);
	if (!r)
		return RT_NOT_A_SERVICE;
	c->service_id = r->service_id;
	if (r->flags & RT_F_WAYPOINT)
		return rt_to_waypoint(c, hook);
	c->cluster_id = rt_pick_cluster(r);
	/* Plugins after us with nothing for this service are not even tail-called. */
	c->skip_slots = r->skip_slots[hook & 1];
	return RT_ROUTED;
}

SEC("cgroup/connect4")
int routing_connect4(struct bpf_sock_addr *ctx)
{
	struct km_ctx *c = km_ctx_get(ctx);

	if (c && rt_route_connect(ctx, c, RT_HOOK_V4) != RT_ROUTED)
		return km_finish_connect4(ctx);
	return km_next_connect4(ctx);
}

SEC("cgroup/connect6")
int routing_connect6(struct bpf_sock_addr *ctx)
{
	struct km_ctx *c = km_ctx_get(ctx);

	if (c && rt_route_connect(ctx, c, RT_HOOK_V6) != RT_ROUTED)
		return km_finish_connect6(ctx);
	return km_next_connect6(ctx);
}
