// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Fixture: claims chain ABI 2.0 in its object, so the core must refuse it by name. */
#include <kmesh/chain.h>

char _license[] SEC("license") = "Dual BSD/GPL";
const volatile __u32 km_abi_version = (2 << 16) | 0;

SEC("cgroup/connect4")
int futureabi_connect4(struct bpf_sock_addr *ctx)
{
	return km_next_connect4(ctx);
}
