// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Test program the verifier must reject: a map value dereferenced without a NULL check.
 * Kept in its own object, since a rejected program fails the whole object's load. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} values SEC(".maps");

SEC("cgroup/connect4")
int fine_first(struct bpf_sock_addr *ctx)
{
	return 1;
}

SEC("cgroup/connect4")
int reject_me(struct bpf_sock_addr *ctx)
{
	__u32 key = 0;
	__u64 *value = bpf_map_lookup_elem(&values, &key);

	return (int)(*value & 1);
}

char _license[] SEC("license") = "Dual BSD/GPL";
