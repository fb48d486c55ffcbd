// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The core's programs on cgroup/connect4 and cgroup/connect6.
 *
 * entry:  attached to the cgroup. Fills the per-CPU km_ctx with what the application
 *         dialed and tail-calls slot 0 of the hook's chain (or commit when it is empty).
 * commit: sits in the chain's last slot. Applies the verdict the plugins reached:
 *         rewrite the destination and remember the VIP for getpeername(), deny with an
 *         errno, or leave the connect untouched. A refusal is counted per service in
 *         km_traffic (unless counting is off) and logged when the access log is on; a routed connect costs nothing
 *         more here: it is counted when established, by the sockops entry.
 */
#include "telemetry.h"

KMESH_OBJECT();

/* When the chain matched a service but nobody chose an endpoint (a plugin is missing or
 * was isolated): 0 = let the connect go to the VIP untouched (fail-open, the default),
 * 1 = refuse it with ECONNREFUSED (fail-closed). Written by the core before load. */
const volatile __u32 km_fail_closed = 0;

/* What built this pin folder, written by the daemon after load: a successor reads it before
 * it adopts the folder (kmesh run --keep-on-exit, issue 13) and refuses one it cannot take
 * over. No program reads it; it is here so that it lives and is pinned with the core. */
struct km_instance {
	__u32 abi;        /* (KMESH_ABI_MAJOR << 16) | KMESH_ABI_MINOR of the core that made the folder */
	__u32 pin_layout; /* how the folder is laid out (links/, plugins/); bumped when that changes */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct km_instance);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} km_instance SEC(".maps");

static __always_inline struct km_ctx *km_ctx_begin(struct bpf_sock_addr *ctx, __u16 family)
{
	__u32 zero = 0;
	struct km_ctx *c = bpf_map_lookup_elem(&km_scratch, &zero);

	if (!c)
		return NULL;
	__builtin_memset(c, 0, sizeof(*c));
	c->cookie = bpf_get_socket_cookie(ctx);
	c->cgroup_id = bpf_get_current_cgroup_id();
	c->protocol = ctx->protocol;
	c->abi = (KMESH_ABI_MAJOR << 16) | KMESH_ABI_MINOR;
	c->orig.family = family;
	c->orig.port = (__u16)ctx->user_port;
	return c;
}

SEC("cgroup/connect4")
int km_entry4(struct bpf_sock_addr *ctx)
{
	struct km_ctx *c = km_ctx_begin(ctx, AF_INET);

	if (!c)
		return 1;
	c->orig.addr[0] = ctx->user_ip4;
	bpf_tail_call(ctx, &km_chain_c4, 0);
	bpf_tail_call(ctx, &km_chain_c4, KM_SLOT_COMMIT);
	return 1;
}

SEC("cgroup/connect6")
int km_entry6(struct bpf_sock_addr *ctx)
{
	struct km_ctx *c = km_ctx_begin(ctx, AF_INET6);

	if (!c)
		return 1;
	c->orig.addr[0] = ctx->user_ip6[0];
	c->orig.addr[1] = ctx->user_ip6[1];
	c->orig.addr[2] = ctx->user_ip6[2];
	c->orig.addr[3] = ctx->user_ip6[3];
	bpf_tail_call(ctx, &km_chain_c6, 0);
	bpf_tail_call(ctx, &km_chain_c6, KM_SLOT_COMMIT);
	return 1;
}

static __always_inline void km_log_refused(struct bpf_sock_addr *ctx, struct km_ctx *c, __u32 reason, __s32 err)
{
	struct km_log_entry *e = bpf_ringbuf_reserve(&km_accesslog, sizeof(*e), 0);
	struct bpf_sock *sk = ctx->sk;

	if (!e) {
		km_log_drop();
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->kind = KM_LOG_REFUSED;
	e->start_ns = bpf_ktime_get_ns();
	e->dialed = c->orig;
	e->service_id = c->service_id;
	e->cluster_id = c->cluster_id;
	e->reason = reason;
	e->error = err;
	/* A socket the application bound has its source already; an unbound one has none yet. */
	if (sk && sk->src_port) {
		e->source.family = c->orig.family;
		e->source.port = bpf_htons((__u16)sk->src_port);
		if (c->orig.family == AF_INET) {
			e->source.addr[0] = sk->src_ip4;
		} else {
			e->source.addr[0] = sk->src_ip6[0];
			e->source.addr[1] = sk->src_ip6[1];
			e->source.addr[2] = sk->src_ip6[2];
			e->source.addr[3] = sk->src_ip6[3];
		}
	}
	km_log_submit(e);
}

/* A refused connect, by the service it was for and why (the errno follows from the reason). */
static __always_inline void km_count_refusal(struct bpf_sock_addr *ctx, struct km_ctx *c, __u32 reason, __s32 err)
{
	if (km_count_traffic) {
		struct km_traffic *t = km_traffic_of(c->service_id, c->cluster_id);

		if (t && reason < KM_REASON__COUNT)
			km_add(t->denied[reason], 1);
	}
	if (km_access_log)
		km_log_refused(ctx, c, reason, err);
}

/* What commit does when the chain left the verdict at PASS. */
static __always_inline int km_commit_pass(struct bpf_sock_addr *ctx, struct km_ctx *c)
{
	if (!c->service_id) {
		km_count(KM_REASON_NO_SERVICE);
		return 1;
	}
	km_count(KM_REASON_UNFINISHED);
	if (km_fail_closed) {
		km_count_refusal(ctx, c, KM_REASON_UNFINISHED, KM_ERRNO_FAIL_CLOSED);
		bpf_set_retval(-KM_ERRNO_FAIL_CLOSED);
		return 0;
	}
	return 1;
}

static __always_inline int km_commit_deny(struct bpf_sock_addr *ctx, struct km_ctx *c)
{
	__s32 err = c->deny_errno > 0 ? c->deny_errno : KM_ERRNO_FAIL_CLOSED;

	km_count(c->reason);
	km_count_refusal(ctx, c, c->reason, err);
	/* With a 0 return, connect() fails at once with exactly this errno. */
	bpf_set_retval(-err);
	return 0;
}

/* Records the decision on the socket: getpeername() answers with the VIP from it, and the
 * sockops chain knows which service, cluster and endpoint the connection belongs to. */
static __always_inline void km_remember_conn(struct bpf_sock_addr *ctx, struct km_ctx *c)
{
	struct bpf_sock *sk = ctx->sk;
	struct km_conn *conn;

	if (!sk)
		return;
	conn = bpf_sk_storage_get(&km_conn, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!conn)
		return;
	conn->orig = c->orig;
	conn->dest = c->dest;
	conn->service_id = c->service_id;
	conn->cluster_id = c->cluster_id;
	conn->endpoint_id = c->endpoint_id;
	conn->flags = 0;
	/* A socket may connect again after a failed attempt: its accounting starts over, and no
	 * plugin's mark of the earlier attempt carries over (ABI 1.5). */
	conn->start_ns = 0;
	conn->telemetry = 0;
	conn->mark = 0;
}

/* The family-independent part of commit: the return value for connect(), or
 * KM_COMMIT_REWRITE when the caller is to rewrite the destination. */
#define KM_COMMIT_REWRITE -1

static __always_inline int km_commit_decide(struct bpf_sock_addr *ctx, struct km_ctx *c, __u16 family)
{
	if (!c) {
		km_count(KM_REASON_STALE_CONTEXT);
		return 1;
	}
	if (c->verdict == KM_VERDICT_DENY)
		return km_commit_deny(ctx, c);
	if (c->verdict != KM_VERDICT_REWRITE || c->dest.family != family)
		return km_commit_pass(ctx, c);
	return KM_COMMIT_REWRITE;
}

SEC("cgroup/connect4")
int km_commit4(struct bpf_sock_addr *ctx)
{
	struct km_ctx *c = km_ctx_get(ctx);
	int ret = km_commit_decide(ctx, c, AF_INET);

	if (ret != KM_COMMIT_REWRITE || !c)
		return ret;
	ctx->user_ip4 = c->dest.addr[0];
	ctx->user_port = c->dest.port;
	km_remember_conn(ctx, c);
	km_count(KM_REASON_ROUTED);
	return 1;
}

SEC("cgroup/connect6")
int km_commit6(struct bpf_sock_addr *ctx)
{
	struct km_ctx *c = km_ctx_get(ctx);
	int ret = km_commit_decide(ctx, c, AF_INET6);

	if (ret != KM_COMMIT_REWRITE || !c)
		return ret;
	ctx->user_ip6[0] = c->dest.addr[0];
	ctx->user_ip6[1] = c->dest.addr[1];
	ctx->user_ip6[2] = c->dest.addr[2];
	ctx->user_ip6[3] = c->dest.addr[3];
	ctx->user_port = c->dest.port;
	km_remember_conn(ctx, c);
	km_count(KM_REASON_ROUTED);
	return 1;
}
