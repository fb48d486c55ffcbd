// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Circuit breaking: Envoy's cluster circuit_breakers (max_connections, max_pending_requests)
 * over the node's connections to a cluster, and outlier_detection's consecutive connect
 * failures ejecting endpoints.
 *
 * connect4/6: a connect to a cluster at one of its limits fails at once with EBUSY
 *             (KM_ERRNO_CIRCUIT_OPEN). Acts only on TCP connects routing matched and nobody
 *             decided yet.
 * sockops:    follows every connection the chain routed: counts it pending when its SYN
 *             leaves, active once established, not at all once closed; a connect that closes
 *             before it is established, or whose SYN times out, is a failure of its endpoint,
 *             one that is established a success.
 */
#include "cb_limits.h"
#include "cb_outlier.h"

KMESH_OBJECT();

SEC("cgroup/connect4")
int circuitbreaker_connect4(struct bpf_sock_addr *ctx)
{
	struct km_ctx *c = km_ctx_get(ctx);

	if (c)
		cb_decide(c);
	return km_next_connect4(ctx);
}

SEC("cgroup/connect6")
int circuitbreaker_connect6(struct bpf_sock_addr *ctx)
{
	struct km_ctx *c = km_ctx_get(ctx);

	if (c)
		cb_decide(c);
	return km_next_connect6(ctx);
}

static __always_inline void cb_on_established(struct bpf_sock_ops *ctx)
{
	struct cb_mark *mark = cb_mark_of(ctx);
	struct cb_conns *n;

	if (!mark || mark->state != CB_PENDING)
		return;
	n = bpf_map_lookup_elem(&cb_conns, &mark->cluster_id);
	if (n) {
		cb_count_down(&n->pending);
		__sync_fetch_and_add(&n->active, 1);
	}
	mark->state = CB_ACTIVE;
	cb_outlier_success(mark->cluster_id, mark->endpoint_id);
}

/* The SYN went unanswered for a retransmission timeout: Envoy would call that a connect
 * timeout. Counted once per connection; its close then counts nothing more. */
static __always_inline void cb_on_syn_timeout(struct bpf_sock_ops *ctx)
{
	struct cb_mark *mark;

	if (ctx->state != BPF_TCP_SYN_SENT)
		return;
	mark = cb_mark_of(ctx);
	if (!mark || mark->state != CB_PENDING || mark->failed)
		return;
	mark->failed = 1;
	cb_outlier_failure(mark->cluster_id, mark->endpoint_id);
}

static __always_inline void cb_on_close(struct bpf_sock_ops *ctx)
{
	struct cb_mark *mark = cb_mark_of(ctx);
	struct bpf_sock *sk = ctx->sk;
	struct cb_conns *n;
	__u32 cluster_id, endpoint_id, state, failed;

	if (!mark || !sk)
		return;
	cluster_id = mark->cluster_id;
	endpoint_id = mark->endpoint_id;
	state = mark->state;
	failed = mark->failed;
	/* Unmarked at once: whatever comes next for this socket counts nothing down again. */
	bpf_sk_storage_delete(&cb_marks, sk);
	n = bpf_map_lookup_elem(&cb_conns, &cluster_id);
	if (state == CB_PENDING) {
		if (n)
			cb_count_down(&n->pending);
		if (!failed)
			cb_outlier_failure(cluster_id, endpoint_id);
	} else if (state == CB_ACTIVE && n) {
		cb_count_down(&n->active);
	}
}

SEC("sockops")
int circuitbreaker_sockops(struct bpf_sock_ops *ctx)
{
	switch (ctx->op) {
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		cb_count_connect(ctx);
		break;
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		cb_on_established(ctx);
		break;
	case BPF_SOCK_OPS_RTO_CB:
		cb_on_syn_timeout(ctx);
		break;
	case BPF_SOCK_OPS_STATE_CB:
		if (ctx->args[1] == BPF_TCP_CLOSE)
			cb_on_close(ctx);
		break;
	}
	return km_next_sockops(ctx);
}
