// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Test object b of two that share shared_counters through LIBBPF_PIN_BY_NAME. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shared_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} private_b SEC(".maps");

char _license[] SEC("license") = "Dual BSD/GPL";
