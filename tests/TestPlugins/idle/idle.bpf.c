// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Fixture for chain ABI 1.4: refuses every routed connect it sees with EACCES, an errno
 * nothing else in the chain uses. Its translator declares work for service 'web' only, so a
 * connect to any other service that is not refused this way shows that the chain passed over
 * this slot (km_ctx.skip_slots), and one to 'web' that is shows that a slot with work runs. */
#include <kmesh/chain.h>

KMESH_OBJECT();

#define IDLE_EACCES 13

SEC("cgroup/connect4")
int idle_connect4(struct bpf_sock_addr *ctx)
{
	struct km_ctx *c = km_ctx_get(ctx);

	if (c && c->service_id && c->verdict == KM_VERDICT_PASS)
		km_deny(c, KM_REASON_POLICY, IDLE_EACCES);
	return km_next_connect4(ctx);
}
