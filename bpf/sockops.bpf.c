// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The core's program on sock_ops: the entry of the sockops chain (chain ABI 1.1).
 *
 * Runs for every TCP event of the cgroup's sockets. For a connection the connect chain
 * rewrote (it carries a km_conn record), it turns on state-change callbacks when the SYN
 * is about to leave, so that the chain sees the connection established, failing and
 * closing, and it counts the connection at TCP_CLOSE (closed, which is also opened, and its payload bytes;
 * unless km_count_traffic is 0; while it is open, the live-bytes iterator of telemetry.bpf.c
 * counts it as opened) in its cluster's slot of km_cluster_traffic,
 * or in km_traffic when that slot is not for its service (telemetry.h), and, when the access log
 * is on, logs it at close.
 * Then it hands the event to slot 0 of the chain; with no plugin there, the event ends here.
 */
#include "telemetry.h"

KMESH_OBJECT();

/*
 * Established: mark it opened, and remember what the counters already hold (the SYN). Nothing is
 * counted here: an open connection is counted as opened by the live-bytes iterator, which walks
 * it anyway for its bytes, and at TCP_CLOSE it goes into the counters once. So a connection
 * touches a counter line once, not twice.
 */
static __always_inline void km_opened(struct bpf_sock_ops *ctx, struct km_conn *conn)
{
	__u32 flags = KM_CONN_T_OPENED;

	/* Neither counters nor access log: nothing reads start_ns or the flags (the live-bytes
	 * iterator is not loaded either), so skip the bookkeeping too and "off" costs nothing. */
	if (!km_count_traffic && !km_access_log)
		return;
	if (conn->telemetry & KM_CONN_T_OPENED)
		return;
	/* The SYN flags from the sock_ops context's own copies of the two counters (loads the
	 * verifier inlines), not through bpf_skc_to_tcp_sock: counting alone needs no helper here. */
	if (ctx->bytes_acked)
		flags |= KM_CONN_T_SYN_ACKED;
	if (ctx->bytes_received)
		flags |= KM_CONN_T_SYN_RECEIVED;
	/* Only the access log reads the start time: the socket's own timestamp of the SYN-ACK it just
	 * processed (tcp_mstamp_refresh), in us, on bpf_ktime_get_ns's clock, so no clock read. */
	if (km_access_log && ctx->sk) {
		struct tcp_sock *tp = bpf_skc_to_tcp_sock(ctx->sk);

		if (tp)
			conn->start_ns = tp->tcp_mstamp * 1000;
	}
	conn->telemetry = flags;
}

static __always_inline void km_log_closed(struct bpf_sock_ops *ctx, struct km_conn *conn, __u64 now, __u64 sent, __u64 received)
{
	struct km_log_entry *e = bpf_ringbuf_reserve(&km_accesslog, sizeof(*e), 0);

	if (!e) {
		km_log_drop();
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->kind = KM_LOG_CLOSED;
	e->start_ns = conn->start_ns;
	e->duration_ns = now - conn->start_ns;
	e->bytes_sent = sent;
	e->bytes_received = received;
	e->source.family = ctx->family;
	if (ctx->family == AF_INET) {
		e->source.addr[0] = ctx->local_ip4;
	} else {
		e->source.addr[0] = ctx->local_ip6[0];
		e->source.addr[1] = ctx->local_ip6[1];
		e->source.addr[2] = ctx->local_ip6[2];
		e->source.addr[3] = ctx->local_ip6[3];
	}
	e->source.port = bpf_htons((__u16)ctx->local_port);
	e->dialed = conn->orig;
	e->upstream = conn->dest;
	e->service_id = conn->service_id;
	e->cluster_id = conn->cluster_id;
	e->endpoint_id = conn->endpoint_id;
	e->srtt_us = ctx->srtt_us >> 3; /* the kernel keeps it scaled by 8 */
	e->retransmits = ctx->total_retrans;
	km_log_submit(e);
}

/* TCP_CLOSE of a connection marked opened: count it (closed, which is also opened) once, with its payload. */
static __always_inline void km_closed(struct bpf_sock_ops *ctx, struct km_conn *conn)
{
	struct bpf_sock *sk = ctx->sk;
	struct km_cluster_traffic *fast;
	struct km_traffic *t;
	struct tcp_sock *tp;
	__u64 sent, received;

	if (!km_count_traffic && !km_access_log)
		return;
	if ((conn->telemetry & (KM_CONN_T_OPENED | KM_CONN_T_CLOSED)) != KM_CONN_T_OPENED || !sk)
		return;
	tp = bpf_skc_to_tcp_sock(sk);
	if (!tp)
		return;
	/* Mark first: the live-bytes iterator skips closed connections, the totals now hold them. */
	conn->telemetry |= KM_CONN_T_CLOSED;
	km_payload(tp, conn->telemetry, ctx->args[0], &sent, &received);
	/* Three atomic adds: closed stands for opened too (telemetry.h), so there is no fourth. */
	if (km_count_traffic) {
		fast = km_cluster_traffic_of(conn->service_id, conn->cluster_id);
		if (fast) {
			km_add(fast->closed, 1);
			km_add(fast->request_bytes, sent);
			km_add(fast->response_bytes, received);
		} else {
			t = km_traffic_of(conn->service_id, conn->cluster_id);
			if (t) {
				km_add(t->closed, 1);
				km_add(t->request_bytes, sent);
				km_add(t->response_bytes, received);
			}
		}
	}
	if (km_access_log)
		km_log_closed(ctx, conn, bpf_ktime_get_ns(), sent, received);
}

/*
 * Of the ~7 sock_ops runs of a connection (TIMEOUT_INIT, RWND_INIT, NEEDS_ECN, TCP_CONNECT_CB, two
 * state changes, ACTIVE_ESTABLISHED_CB), four matter here, and only three need the record: a state
 * change other than to TCP_CLOSE (SYN_SENT to ESTABLISHED, to FIN_WAIT1...) is dropped before the
 * socket-storage lookup, not after it.
 */
static __always_inline void km_follow(struct bpf_sock_ops *ctx)
{
	struct km_conn *conn;
	__u32 op = ctx->op;

	if (op == BPF_SOCK_OPS_STATE_CB) {
		if (ctx->args[1] != KM_TCP_CLOSE)
			return;
	} else if (op != BPF_SOCK_OPS_TCP_CONNECT_CB && op != BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB) {
		return;
	}
	conn = km_conn_of(ctx);
	if (!conn)
		return;
	if (op == BPF_SOCK_OPS_TCP_CONNECT_CB)
		bpf_sock_ops_cb_flags_set(ctx, ctx->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_STATE_CB_FLAG);
	else if (op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB)
		km_opened(ctx, conn);
	else
		km_closed(ctx, conn);
}

SEC("sockops")
int km_sockops(struct bpf_sock_ops *ctx)
{
	km_follow(ctx);
	bpf_tail_call(ctx, &km_chain_sops, 0);
	return 1;
}
