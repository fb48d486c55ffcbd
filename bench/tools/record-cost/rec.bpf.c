// Issue 17 item 3: what a per-connect connection record costs, by where it is kept (socket-local
// storage as km_conn is today, or a hash keyed by socket cookie that sockops deletes at close).
// Not part of the chain: a stand-alone measurement, run by run.c (see bench/results/2026-12-07-record-cost.md).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rec { __u32 a[18]; };   /* 72 bytes, as km_conn */

struct { __uint(type, BPF_MAP_TYPE_SK_STORAGE); __uint(map_flags, BPF_F_NO_PREALLOC); __type(key, int); __type(value, struct rec); } st SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 65536); __type(key, __u64); __type(value, struct rec); } h SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(map_flags, BPF_F_NO_PREALLOC); __uint(max_entries, 65536); __type(key, __u64); __type(value, struct rec); } hn SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 65536); __type(key, __u64); __type(value, struct rec); } lru SEC(".maps");

static __always_inline void fill(struct rec *r, struct bpf_sock_addr *ctx) {
	r->a[0] = ctx->user_ip4; r->a[4] = ctx->user_port; r->a[5] = 2; r->a[12] = 1; r->a[13] = 2; r->a[14] = 3;
}

/* Every variant reads the cookie, as the chain's entry does anyway (the first read of a socket's cookie generates it). */
volatile __u64 sink;
SEC("cgroup/connect4") int c_none(struct bpf_sock_addr *ctx) { sink = bpf_get_socket_cookie(ctx); return 1; }
SEC("cgroup/connect4") int c_st(struct bpf_sock_addr *ctx) {
	struct bpf_sock *sk = ctx->sk; struct rec *r;
	sink = bpf_get_socket_cookie(ctx);
	if (!sk) return 1;
	r = bpf_sk_storage_get(&st, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (r) fill(r, ctx);
	return 1;
}
SEC("cgroup/connect4") int c_h(struct bpf_sock_addr *ctx) {
	__u64 k = bpf_get_socket_cookie(ctx); struct rec r = {};
	fill(&r, ctx); bpf_map_update_elem(&h, &k, &r, BPF_ANY); return 1;
}
SEC("cgroup/connect4") int c_hn(struct bpf_sock_addr *ctx) {
	__u64 k = bpf_get_socket_cookie(ctx); struct rec r = {};
	fill(&r, ctx); bpf_map_update_elem(&hn, &k, &r, BPF_ANY); return 1;
}
SEC("cgroup/connect4") int c_lru(struct bpf_sock_addr *ctx) {
	__u64 k = bpf_get_socket_cookie(ctx); struct rec r = {};
	fill(&r, ctx); bpf_map_update_elem(&lru, &k, &r, BPF_ANY); return 1;
}
/* The hash variants delete at close: what that costs is part of the record's price. */
static __always_inline int ops(struct bpf_sock_ops *ctx, void *map) {
	if (ctx->op == BPF_SOCK_OPS_TCP_CONNECT_CB) { bpf_sock_ops_cb_flags_set(ctx, BPF_SOCK_OPS_STATE_CB_FLAG); return 1; }
	if (ctx->op == BPF_SOCK_OPS_STATE_CB && ctx->args[1] == 7) { __u64 k = bpf_get_socket_cookie(ctx); bpf_map_delete_elem(map, &k); }
	return 1;
}
SEC("sockops") int o_h(struct bpf_sock_ops *ctx) { return ops(ctx, &h); }
SEC("sockops") int o_hn(struct bpf_sock_ops *ctx) { return ops(ctx, &hn); }
SEC("sockops") int o_lru(struct bpf_sock_ops *ctx) { return ops(ctx, &lru); }
SEC("sockops") int o_none(struct bpf_sock_ops *ctx) { if (ctx->op == BPF_SOCK_OPS_TCP_CONNECT_CB) bpf_sock_ops_cb_flags_set(ctx, BPF_SOCK_OPS_STATE_CB_FLAG); return 1; }
char _license[] SEC("license") = "GPL";
