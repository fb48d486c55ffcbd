// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Fixture: built with KMESH_ABI_MINOR=0 (the project's KmeshPluginAbi), so it sees chain.h as
 * ABI 1.0 saw it. It refuses every connect to port 8081 with EPERM, an errno nothing else in
 * the chain uses, so a test can tell that this 1.0 program really ran in a newer core's chain. */
#include <kmesh/chain.h>

#if KMESH_ABI_MINOR != 0
#error "this fixture must be built for chain ABI 1.0"
#endif

KMESH_OBJECT();

#define OLDERMINOR_EPERM 1

SEC("cgroup/connect4")
int olderminor_connect4(struct bpf_sock_addr *ctx)
{
	struct km_ctx *c = km_ctx_get(ctx);

	if (c && c->verdict == KM_VERDICT_PASS && c->orig.port == bpf_htons(8081))
		km_deny(c, KM_REASON_POLICY, OLDERMINOR_EPERM);
	return km_next_connect4(ctx);
}
