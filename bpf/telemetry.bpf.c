// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Live bytes of open connections: a tcp iterator the core runs when it reads the traffic
 * counters. It walks the TCP sockets of one network namespace, keeps those the connect chain
 * routed (they carry a km_conn record) that are established and not yet counted as closed,
 * and writes one km_live record (the connection's payload so far) per such connection into
 * the iterator's output: each record is also one open connection, counted as opened by the
 * reader (the sockops entry counts opened only at close, with closed). Closed connections are
 * in km_cluster_traffic and km_traffic already; together they are the exact totals.
 *
 * A tcp iterator sees the namespace of the thread that creates it, so the core creates one per
 * network namespace of the governed cgroup's processes (Kmesh.Bpf.BpfIterator.Read(netns)).
 * The map iterator over km_conn (iter/bpf_sk_storage_map) would see every namespace at once,
 * but this kernel refuses to load one (EPERM even for an empty program).
 *
 * Needs kernel BTF (CO-RE relocations), iter/tcp and bpf_sk_storage_get from an iterator
 * (Linux 5.11 or later). The core loads it apart from the data path: if it fails, only the
 * live part of the bytes is missing.
 */
#include "telemetry.h"

KMESH_OBJECT();

struct seq_file;

struct bpf_iter_meta {
	struct seq_file *seq;
} KM_CO_RE;

struct bpf_iter__tcp {
	struct bpf_iter_meta *meta;
	struct sock_common *sk_common;
} KM_CO_RE;

/* One open connection's payload so far; 24 bytes (Kmesh.Core.Telemetry.LiveConnectionEntry). */
struct km_live {
	__u32 service_id;
	__u32 cluster_id;
	__u64 request_bytes;
	__u64 response_bytes;
};

/* Never read: they put the layouts of the records C# decodes into this object's BTF (a type used
 * only through casts and locals is not emitted), where TelemetryLayoutTests check the mirrors. */
const volatile struct km_live *km_live_layout = 0;
const volatile struct km_log_entry *km_log_entry_layout = 0;

SEC("iter/tcp")
int km_live_tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct km_live live;
	struct tcp_sock *tp;
	struct km_conn *conn;

	if (!skc)
		return 0;
	/* Listeners are tcp_socks too; time-wait and request sockets are not: those give NULL. */
	tp = bpf_skc_to_tcp_sock(skc);
	if (!tp)
		return 0;
	conn = bpf_sk_storage_get(&km_conn, tp, 0, 0);
	if (!conn || (conn->telemetry & (KM_CONN_T_OPENED | KM_CONN_T_CLOSED)) != KM_CONN_T_OPENED)
		return 0;
	live.service_id = conn->service_id;
	live.cluster_id = conn->cluster_id;
	km_payload(tp, conn->telemetry, tp->inet_conn.icsk_inet.sk.__sk_common.skc_state, &live.request_bytes, &live.response_bytes);
	bpf_seq_write(ctx->meta->seq, &live, sizeof(live));
	return 0;
}
