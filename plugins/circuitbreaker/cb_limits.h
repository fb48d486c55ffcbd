/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Connection limits: count each cluster's connections from sock_ops events, refuse a connect
 * over the limit at connect time.
 *
 * A connection is counted when its SYN is about to leave (TCP_CONNECT_CB), not when the
 * connect hook lets it through: a later plugin of the chain may still deny the connect, and
 * a denied socket never closes as a TCP connection, so a count taken at the hook would leak.
 * The price: connects racing on several CPUs between the two points can overshoot the limit
 * by the connects in flight (at most one per CPU); sequential connects are exact.
 */
#ifndef KMESH_CB_LIMITS_H
#define KMESH_CB_LIMITS_H

#include "cb_maps.h"

static __always_inline struct cb_conns *cb_conns_of(__u32 cluster_id)
{
	struct cb_conns *n = bpf_map_lookup_elem(&cb_conns, &cluster_id);
	struct cb_conns zero = {};

	if (n)
		return n;
	/* Two CPUs may race here: BPF_NOEXIST lets one insert and both use that entry. */
	bpf_map_update_elem(&cb_conns, &cluster_id, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&cb_conns, &cluster_id);
}

static __always_inline void cb_count_down(__u64 *counter)
{
	__sync_fetch_and_add(counter, (__u64)-1);
}

/* At connect time: refuse with EBUSY when the cluster is at one of its limits. */
static __always_inline void cb_decide(struct km_ctx *c)
{
	struct cb_limits *limits;
	struct cb_conns *n;
	__u64 pending = 0, active = 0;

	if (!c->service_id || !c->cluster_id || c->verdict != KM_VERDICT_PASS || c->protocol != IPPROTO_TCP)
		return;
	limits = bpf_map_lookup_elem(&cb_limits, &c->cluster_id);
	if (!limits)
		return;
	n = bpf_map_lookup_elem(&cb_conns, &c->cluster_id);
	if (n) {
		pending = n->pending;
		active = n->active;
	}
	if (pending + active < limits->max_connections && pending < limits->max_pending)
		return;
	km_deny(c, KM_REASON_CIRCUIT_OPEN, KM_ERRNO_CIRCUIT_OPEN);
	/* A limit above 0 is reached only with connections counted, so n is there. */
	if (n)
		__sync_fetch_and_add(&n->refused, 1);
}

/* TCP_CONNECT_CB of a connection the chain routed: one more pending, and the connection marked. */
static __always_inline void cb_count_connect(struct bpf_sock_ops *ctx, struct km_conn *conn)
{
	struct cb_conns *n;
	__u32 flags;

	/* Counted already, or the mark is another plugin's: then the connection stays uncounted,
	 * which can let a limit be exceeded but never refuses wrongly (docs/plugins.md). */
	if (!conn->cluster_id || km_conn_mark_get(conn) != CB_UNCOUNTED)
		return;
	n = cb_conns_of(conn->cluster_id);
	/* No room for the cluster's counter: it stays uncounted, never wrongly refused. */
	if (!n)
		return;
	__sync_fetch_and_add(&n->pending, 1);
	/* A counted socket must be seen closing: the core asks for state changes already, asking
	 * again keeps this count right whatever the core does. A SYN left unanswered for a
	 * retransmission timeout is a connect failure for outlier detection. Whether the cluster
	 * has outlier detection is looked up once, here: the outcome of a connection to a cluster
	 * without it then costs no endpoint lookup (one with it added mid-handshake goes unjudged). */
	flags = ctx->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_STATE_CB_FLAG;
	if (bpf_map_lookup_elem(&cb_outlier, &conn->cluster_id)) {
		flags |= BPF_SOCK_OPS_RTO_CB_FLAG;
		km_conn_mark_set(conn, CB_PENDING | CB_OUTLIER);
	} else {
		km_conn_mark_set(conn, CB_PENDING);
	}
	bpf_sock_ops_cb_flags_set(ctx, flags);
}

#endif
