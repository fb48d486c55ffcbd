// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Load balancing: the cluster routing chose becomes one endpoint, by the cluster's policy
 * (weighted round robin, random, least request, or a consistent hash of the client). A
 * cluster with no endpoint of the connect's family refuses the connect with EHOSTUNREACH.
 * Endpoints that outlier detection ejected (km_ejected) are skipped while ejected.
 *
 * The sockops program counts each endpoint's open connections for LEAST_REQUEST.
 */
#include "loadbalance.h"

KMESH_OBJECT();

/* How many following slots to try when the chosen endpoint is ejected. When all of them
 * are ejected too, the first one is used anyway: like Envoy's panic mode, a connect that
 * may fail beats one that surely fails. */
#define LB_EJECT_PROBES 8

/* Most samples LEAST_REQUEST takes per connect (choice_count is clamped to it). */
#define LB_MAX_CHOICES 16

#define LB_TCP_CLOSE 7 /* TCP_CLOSE in the kernel's socket states */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	/* Config maps read on every connect are not preallocated: see rt_routes (routing.bpf.c). */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct lb_cluster);
} lb_clusters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
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

/* Open connections per endpoint of a LEAST_REQUEST cluster. Runtime state, counted by the
 * sockops program: up when a connection's SYN leaves, down when it closes. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct km_endpoint_key);
	__type(value, __u64);
} lb_active SEC(".maps");

/* The mark of a socket counted in lb_active: only a marked socket counts down, once, so a
 * counter never goes negative whatever order connections close in (and sockets opened
 * before a restart, unmarked in the new map, are never counted at all). */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct km_endpoint_key);
} lb_counted SEC(".maps");

/* Round robin's draw for a column: the pass over the table times the golden ratio (a Weyl
 * sequence, the most evenly spread there is, so each column's keep/alias split tracks its cut
 * within a few connects at any pass) plus the column times sqrt(2)-1 (so that columns of one
 * pass do not all keep or all switch together). 64-bit fractions; the top 32 bits are the draw. */
#define LB_GOLDEN 0x9E3779B97F4A7C15ULL
#define LB_SQRT2_FRACTION 0x6A09E667F3BCC908ULL

/* A column of the cluster's table: in its own record when the table fits there (no lookup), else in lb_schedule. */
static __always_inline struct lb_endpoint *lb_slot(struct lb_cluster *cl, __u32 cluster_id, __u32 family, __u32 slot)
{
	struct lb_slot_key key;
	__u32 i;

	if (cl->inline_families & (1u << family)) {
		i = cl->inline_base[family & 1] + slot;
		if (i >= LB_INLINE_SLOTS)
			return NULL;
		return &cl->slots[i];
	}
	key.cluster_id = cluster_id;
	key.family = family;
	key.slot = slot;
	return bpf_map_lookup_elem(&lb_schedule, &key);
}

/* The endpoint a column gives for a 32-bit draw: its own, or its alias's (alias tables only;
 * schedules and consistent-hash tables have no alias, and cost one lookup). */
static __always_inline struct lb_endpoint *lb_column(struct lb_cluster *cl, __u32 cluster_id, __u32 family, __u32 column, __u32 draw)
{
	struct lb_endpoint *ep = lb_slot(cl, cluster_id, family, column), *alias;

	if (!ep || !ep->alias_cut || draw < ep->alias_cut)
		return ep;
	alias = lb_slot(cl, cluster_id, family, ep->alias_slot);
	return alias ? alias : ep;
}

/* The endpoint of column (for draw); when outlier detection ejected it, the first live one of
 * the following columns. */
static __always_inline struct lb_endpoint *lb_live_from(struct lb_cluster *cl, __u32 cluster_id,
							 __u32 family, __u32 column, __u32 draw, __u32 length)
{
	struct lb_endpoint *first = NULL, *ep;
	__u64 now;
	int i;

	if (!(cl->flags & LB_FLAG_OUTLIER_DETECTION))
		return lb_column(cl, cluster_id, family, column, draw);
	now = bpf_ktime_get_ns();
	for (i = 0; i < LB_EJECT_PROBES; i++) {
		ep = lb_column(cl, cluster_id, family, (column + i) % length, draw);
		if (!ep)
			break;
		if (!km_endpoint_ejected(cluster_id, ep->endpoint_id, now))
			return ep;
		if (!first)
			first = ep;
	}
	return first;
}

static __always_inline __u64 lb_active_of(__u32 cluster_id, __u32 endpoint_id)
{
	struct km_endpoint_key key = { .cluster_id = cluster_id, .endpoint_id = endpoint_id };
	__u64 *active = bpf_map_lookup_elem(&lb_active, &key);

	return active ? *active : 0;
}

/* Envoy's power-of-N choices: N weighted samples, the one with the fewest open connections. */
static __always_inline struct lb_endpoint *lb_least_request(struct lb_cluster *cl, __u32 cluster_id,
							     __u32 family, __u32 length)
{
	struct lb_endpoint *best = NULL, *ep;
	__u64 best_active = 0, active;
	int i;

	for (i = 0; i < LB_MAX_CHOICES; i++) {
		if (i >= cl->choice_count && i > 0)
			break;
		ep = lb_live_from(cl, cluster_id, family, bpf_get_prandom_u32() % length, bpf_get_prandom_u32(), length);
		if (!ep)
			continue;
		active = lb_active_of(cluster_id, ep->endpoint_id);
		if (!best || active < best_active) {
			best = ep;
			best_active = active;
		}
	}
	return best;
}

/* Who the client is, for consistent hashing: its network namespace (one per pod, so on a
 * node it names the client as its pod IP would) and, when the socket was bound, its source
 * address (clients sharing a namespace, e.g. host-network ones, then differ). */
static __always_inline __u32 lb_client_hash(struct bpf_sock_addr *ctx, __u32 family)
{
	__u64 h = bpf_get_netns_cookie(ctx);
	struct bpf_sock *sk = ctx->sk;

	if (sk) {
		if (family == LB_FAMILY_V4) {
			h ^= (__u64)sk->src_ip4 << 17;
		} else {
			h ^= (__u64)sk->src_ip6[0] << 17;
			h ^= (__u64)sk->src_ip6[1] << 9;
			h ^= (__u64)sk->src_ip6[2] << 3;
			h ^= (__u64)sk->src_ip6[3] << 29;
		}
	}
	/* splitmix64's finalizer: every input bit moves the whole table index. */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return (__u32)h;
}

/* ROUND_ROBIN and RANDOM: the endpoint of a column and a draw, from the cluster's cursor or at random. */
static __always_inline struct lb_endpoint *lb_pick(struct lb_cluster *cl, __u32 cluster_id, __u32 family, __u32 length)
{
	__u32 idx, column, draw;
	__u64 *cursor, turn;

	idx = lb_rr_slots ? cluster_id % lb_rr_slots : 0;
	cursor = cl->policy == LB_RANDOM ? NULL : bpf_map_lookup_elem(&lb_rr, &idx);
	if (!cursor)
		return lb_live_from(cl, cluster_id, family, bpf_get_prandom_u32() % length, bpf_get_prandom_u32(), length);
	turn = __sync_fetch_and_add(cursor, 1);
	column = (__u32)(turn % length);
	draw = (__u32)(((turn / length) * LB_GOLDEN + column * LB_SQRT2_FRACTION) >> 32);
	return lb_live_from(cl, cluster_id, family, column, draw, length);
}

static __always_inline void lb_choose(struct bpf_sock_addr *ctx, struct km_ctx *c, __u32 family)
{
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
	if (cl->policy == LB_LEAST_REQUEST)
		ep = lb_least_request(cl, c->cluster_id, family, length);
	else if (cl->policy == LB_CONSISTENT_HASH)
		ep = lb_live_from(cl, c->cluster_id, family, lb_client_hash(ctx, family) % length, 0, length);
	else
		ep = lb_pick(cl, c->cluster_id, family, length);
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
		lb_choose(ctx, c, LB_FAMILY_V4);
	return km_next_connect4(ctx);
}

SEC("cgroup/connect6")
int loadbalance_connect6(struct bpf_sock_addr *ctx)
{
	struct km_ctx *c = km_ctx_get(ctx);

	if (c)
		lb_choose(ctx, c, LB_FAMILY_V6);
	return km_next_connect6(ctx);
}

/* A routed connection of a LEAST_REQUEST cluster is sending its SYN: count it open. */
static __always_inline void lb_count_open(struct bpf_sock_ops *ctx)
{
	struct km_endpoint_key key = {};
	struct km_endpoint_key *mark;
	struct lb_cluster *cl;
	struct km_conn *conn;
	struct bpf_sock *sk;
	__u64 one = 1, *active;

	conn = km_conn_of(ctx);
	sk = ctx->sk;
	if (!conn || !sk || !conn->endpoint_id)
		return;
	cl = bpf_map_lookup_elem(&lb_clusters, &conn->cluster_id);
	if (!cl || cl->policy != LB_LEAST_REQUEST)
		return;
	mark = bpf_sk_storage_get(&lb_counted, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!mark)
		return;
	key.cluster_id = conn->cluster_id;
	key.endpoint_id = conn->endpoint_id;
	*mark = key;
	active = bpf_map_lookup_elem(&lb_active, &key);
	if (active) {
		__sync_fetch_and_add(active, 1);
	} else if (bpf_map_update_elem(&lb_active, &key, &one, BPF_NOEXIST)) {
		/* Another CPU created it first, or the map is full. */
		active = bpf_map_lookup_elem(&lb_active, &key);
		if (active)
			__sync_fetch_and_add(active, 1);
		else
			bpf_sk_storage_delete(&lb_counted, sk);
	}
}

/* A counted connection closed: count it down, exactly once. */
static __always_inline void lb_count_closed(struct bpf_sock_ops *ctx)
{
	struct km_endpoint_key *mark;
	struct bpf_sock *sk = ctx->sk;
	__u64 *active;

	if (!sk)
		return;
	mark = bpf_sk_storage_get(&lb_counted, sk, 0, 0);
	if (!mark)
		return;
	active = bpf_map_lookup_elem(&lb_active, mark);
	if (active && *active > 0)
		__sync_fetch_and_add(active, -1);
	bpf_sk_storage_delete(&lb_counted, sk);
}

SEC("sockops")
int loadbalance_sockops(struct bpf_sock_ops *ctx)
{
	if (ctx->op == BPF_SOCK_OPS_TCP_CONNECT_CB)
		lb_count_open(ctx);
	else if (ctx->op == BPF_SOCK_OPS_STATE_CB && ctx->args[1] == LB_TCP_CLOSE)
		lb_count_closed(ctx);
	return km_next_sockops(ctx);
}
