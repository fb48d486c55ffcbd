// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Fixture: a well-behaved chain program (it counts connects and passes them on) whose
 * translator throws, so tests can see the translator isolated while the chain works. */
#include <kmesh/chain.h>

KMESH_OBJECT();

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} throwing_seen SEC(".maps");

SEC("cgroup/connect4")
int throwing_connect4(struct bpf_sock_addr *ctx)
{
	__u32 key = 0;
	__u64 *seen = bpf_map_lookup_elem(&throwing_seen, &key);

	if (seen)
		__sync_fetch_and_add(seen, 1);
	return km_next_connect4(ctx);
}
