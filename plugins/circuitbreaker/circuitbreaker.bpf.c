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
 *             one that is established a success. What it counted is marked in the
 *             connection's km_conn record (chain ABI 1.5), not in socket storage of its own.
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

/* This plugin's state of a connection it follows: CB_PENDING or CB_ACTIVE, maybe with CB_FAILED
 * and CB_OUTLIER; CB_UNCOUNTED for one it did not count (or whose mark another plugin owns). */
static __always_inline __u32 cb_state_of(const struct km_conn *conn)
{
	int state = km_conn_mark_get(conn);

	return state > 0 ? (__u32)state : CB_UNCOUNTED;
}

static __always_inline void cb_on_established(struct km_conn *conn)
{
	__u32 state = cb_state_of(conn);
	struct cb_conns *n;

	if ((state & CB_COUNT_MASK) != CB_PENDING)
		return;
	n = bpf_map_lookup_elem(&cb_conns, &conn->cluster_id);
	if (n) {
		cb_count_down(&n->pending);
		__sync_fetch_and_add(&n->active, 1);
	}
	km_conn_mark_set(conn, CB_ACTIVE);
	if (state & CB_OUTLIER)
		cb_outlier_success(conn->cluster_id, conn->endpoint_id);
}

/* The SYN went unanswered for a retransmission timeout: Envoy would call that a connect
 * timeout. Counted once per connection; its close then counts nothing more. */
static __always_inline void cb_on_syn_timeout(struct bpf_sock_ops *ctx, struct km_conn *conn)
{
	__u32 state = cb_state_of(conn);

	if (ctx->state != BPF_TCP_SYN_SENT || (state & (CB_COUNT_MASK | CB_FAILED)) != CB_PENDING)
		return;
	km_conn_mark_set(conn, state | CB_FAILED);
	cb_outlier_failure(conn->cluster_id, conn->endpoint_id);
}

static __always_inline void cb_on_close(struct km_conn *conn)
{
	__u32 state = cb_state_of(conn);
	__u32 cluster_id = conn->cluster_id;
	struct cb_conns *n;

	if (state == CB_UNCOUNTED)
		return;
	/* Unmarked at once: whatever comes next for this socket counts nothing down again. */
	km_conn_mark_set(conn, CB_UNCOUNTED);
	n = bpf_map_lookup_elem(&cb_conns, &cluster_id);
	if ((state & CB_COUNT_MASK) == CB_PENDING) {
		if (n)
			cb_count_down(&n->pending);
		if ((state & (CB_FAILED | CB_OUTLIER)) == CB_OUTLIER)
			cb_outlier_failure(cluster_id, conn->endpoint_id);
	} else if ((state & CB_COUNT_MASK) == CB_ACTIVE && n) {
		cb_count_down(&n->active);
	}
}

/* Only routed connections (they carry a km_conn record) are followed, and only four events
 * matter: the record is looked up after the op is known to be one of them. */
static __always_inline void cb_follow(struct bpf_sock_ops *ctx)
{
	__u32 op = ctx->op;
	struct km_conn *conn;

	if (op == BPF_SOCK_OPS_STATE_CB) {
		if (ctx->args[1] != BPF_TCP_CLOSE)
			return;
	} else if (op != BPF_SOCK_OPS_TCP_CONNECT_CB && op != BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB &&
		   op != BPF_SOCK_OPS_RTO_CB) {
		return;
	}
	conn = km_conn_of(ctx);
	if (!conn)
		return;
	if (op == BPF_SOCK_OPS_TCP_CONNECT_CB)
		cb_count_connect(ctx, conn);
	else if (op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB)
		cb_on_established(conn);
	else if (op == BPF_SOCK_OPS_RTO_CB)
		cb_on_syn_timeout(ctx, conn);
	else
		cb_on_close(conn);
}

SEC("sockops")
int circuitbreaker_sockops(struct bpf_sock_ops *ctx)
{
	cb_follow(ctx);
	return km_next_sockops(ctx);
}
