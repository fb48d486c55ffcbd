// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Fixture for chain ABI 1.5: takes the km_conn mark of every routed connection when its SYN
 * leaves (state MARKER_HELD) and gives it up at the close. In mk_counts (pinned by the core at
 * plugins/marker/mk_counts, as every plugin map) it counts the
 * connections it marked ([0]) and those whose mark was no longer its own state at an event
 * ([1]): a plugin later in the chain that wrote over the word would show there. */
#include <kmesh/chain.h>

KMESH_OBJECT();

#define MARKER_HELD 0x5a

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} mk_counts SEC(".maps");

static __always_inline void mk_count(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&mk_counts, &which);

	if (n)
		__sync_fetch_and_add(n, 1);
}

SEC("sockops")
int marker_sockops(struct bpf_sock_ops *ctx)
{
	__u32 op = ctx->op;
	struct km_conn *conn;

	if (op != BPF_SOCK_OPS_TCP_CONNECT_CB && op != BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB &&
	    !(op == BPF_SOCK_OPS_STATE_CB && ctx->args[1] == BPF_TCP_CLOSE))
		return km_next_sockops(ctx);
	conn = km_conn_of(ctx);
	if (!conn)
		return km_next_sockops(ctx);
	if (op == BPF_SOCK_OPS_TCP_CONNECT_CB) {
		if (km_conn_mark_set(conn, MARKER_HELD) == 0)
			mk_count(0);
	} else if (km_conn_mark_get(conn) != MARKER_HELD) {
		mk_count(1);
	} else if (op == BPF_SOCK_OPS_STATE_CB) {
		km_conn_mark_set(conn, 0);
	}
	return km_next_sockops(ctx);
}
