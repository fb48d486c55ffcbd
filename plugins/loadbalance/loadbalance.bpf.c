// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Load balancing: the cluster routing chose becomes one endpoint, by the cluster's
 * policy (round robin or random, both weighted through the schedule). A cluster with no
 * endpoint of the connect's family refuses the connect with EHOSTUNREACH at once.
 */
#include "loadbalance.h"

KMESH_OBJECT();

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct lb_cluster);
} lb_clusters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 262144);
	__type(key, struct lb_slot_key);
	__type(value, struct lb_endpoint);
} lb_schedule SEC(".maps");

/* Round-robin cursors, indexed by cluster id modulo the map size. Runtime state: the
 * core never writes it, and a cursor that wraps or is shared is harmless. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} lb_rr SEC(".maps");

const volatile __u32 lb_rr_slots = 16384;

static __always_inline __u32 lb_pick_slot(const struct lb_cluster *cl, __u32 cluster_id,
					  __u32 length)
{
	__u32 idx;
	__u64 *cursor;

	if (cl->policy == LB_RANDOM)
		return bpf_get_prandom_u32() % length;
	idx = lb_rr_slots ? cluster_id % lb_rr_slots : 0;
	cursor = bpf_map_lookup_elem(&lb_rr, &idx);
	if (!cursor)
		return bpf_get_prandom_u32() % length;
	return (__u32)(__sync_fetch_and_add(cursor, 1) % length);
}

static __always_inline void lb_choose(struct km_ctx *c, __u32 family)
{
	struct lb_slot_key key = {};
	struct lb_cluster *cl;
	struct lb_endpoint *ep;
	__u32 length;

	if (!c->cluster_id || c->verdict != KM_VERDICT_PASS)
		return;
	cl = bpf_map_lookup_elem(&lb_clusters, &c->cluster_id);
	length = cl ? cl->length[family & 1] : 0;
	if (!cl || length == 0) {
		km_deny(c, KM_REASON_NO_ENDPOINT, KM_ERRNO_NO_ENDPOINT);
		return;
	}
	key.cluster_id = c->cluster_id;
	key.family = family;
	key.slot = lb_pick_slot(cl, c->cluster_id, length);
	ep = bpf_map_lookup_elem(&lb_schedule, &key);
	if (!ep) {
		km_deny(c, KM_REASON_NO_ENDPOINT, KM_ERRNO_NO_ENDPOINT);
		return;
	}
	c->dest = ep->addr;
	c->endpoint_id = ep->endpoint_id;
	c->verdict = KM_VERDICT_REWRITE;
	c->reason = KM_REASON_ROUTED;
}

SEC("cgroup/connect4")
int loadbalance_connect4(struct bpf_sock_addr *ctx)
{
	struct km_ctx *c = km_ctx_get(ctx);

	if (c)
		lb_choose(c, LB_FAMILY_V4);
	return km_next_connect4(ctx);
}

SEC("cgroup/connect6")
int loadbalance_connect6(struct bpf_sock_addr *ctx)
{
	struct km_ctx *c = km_ctx_get(ctx);

	if (c)
		lb_choose(c, LB_FAMILY_V6);
	return km_next_connect6(ctx);
}
