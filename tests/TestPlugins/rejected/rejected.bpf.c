// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Fixture: compiles, but the verifier must refuse it (a map value used without the NULL
 * check), so tests can see the plugin left out with the verifier's words. */
#include <kmesh/chain.h>

KMESH_OBJECT();

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} rejected_counts SEC(".maps");

SEC("cgroup/connect4")
int rejected_connect4(struct bpf_sock_addr *ctx)
{
	__u32 key = 0;
	__u64 *count = bpf_map_lookup_elem(&rejected_counts, &key);

	*count += 1; /* no NULL check: "R0 invalid mem access 'map_value_or_null'" */
	return km_next_connect4(ctx);
}
