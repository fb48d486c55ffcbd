// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Fixture: claims the chain ABI one minor newer than the header it is built with, as an object
 * built by a newer SDK would; a core of the older minor must refuse it ("upgrade the core"). */
#include <kmesh/chain.h>

char _license[] SEC("license") = "Dual BSD/GPL";
const volatile __u32 km_abi_version = (KMESH_ABI_MAJOR << 16) | (KMESH_ABI_MINOR + 1);

SEC("cgroup/connect4")
int newerminor_connect4(struct bpf_sock_addr *ctx)
{
	return km_next_connect4(ctx);
}
