// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The core's sk_msg program: the entry of the sk_msg chain (chain ABI 1.2).
 *
 * Attached to the sockhash km_socks, it runs for every send on a socket a plugin put there
 * and hands the message to slot 0 of the chain; with no plugin there, the message takes
 * the normal path.
 */
#include "core_maps.h"

KMESH_OBJECT();

SEC("sk_msg")
int km_msg(struct sk_msg_md *msg)
{
	bpf_tail_call(msg, &km_chain_msg, 0);
	return SK_PASS;
}
