// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The core's program on sock_ops: the entry of the sockops chain (chain ABI 1.1).
 *
 * Runs for every TCP event of the cgroup's sockets. For a connection the connect chain
 * rewrote (it carries a km_conn record), it turns on state-change callbacks when the SYN
 * is about to leave, so that the chain sees the connection established, failing and
 * closing. Then it hands the event to slot 0 of the chain; with no plugin there, the event
 * ends here.
 */
#include "core_maps.h"

KMESH_OBJECT();

static __always_inline void km_follow_state(struct bpf_sock_ops *ctx)
{
	if (ctx->op != BPF_SOCK_OPS_TCP_CONNECT_CB || !km_conn_of(ctx))
		return;
	bpf_sock_ops_cb_flags_set(ctx, ctx->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_STATE_CB_FLAG);
}

SEC("sockops")
int km_sockops(struct bpf_sock_ops *ctx)
{
	km_follow_state(ctx);
	bpf_tail_call(ctx, &km_chain_sops, 0);
	return 1;
}
