// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Test object declaring shared_counters with another capacity: reusing the pin must fail. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shared_counters SEC(".maps");

char _license[] SEC("license") = "Dual BSD/GPL";
