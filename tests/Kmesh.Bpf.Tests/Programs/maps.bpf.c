// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Test object: maps only (no program needed to create them), plus a struct for BtfLayout. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

struct kv_value {
	__u64 a;
	__u32 b;
	__u32 c;
};

enum probe_color {
	PROBE_RED = 1,
	PROBE_BLUE = 7,
};

/* Padding on purpose: flag is followed by 7 bytes of hole before wide. */
struct layout_probe {
	__u8 flag;
	__u64 wide;
	__u16 port;
	struct {
		__u32 addr[4];
	} nested;
	__u32 tail[3];
	enum probe_color color;
};

struct lpm_key {
	__u32 prefixlen;
	__u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct kv_value);
} kv SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32); /* 4 bytes: the kernel pads each CPU's slot to 8 */
} pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

/* LPM tries have no batch operations: exercises the element-wise fallback. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_key);
	__type(value, __u32);
} lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct layout_probe);
} layout SEC(".maps");

const volatile __u64 ro_wide = 0x1122334455667788ULL;
const volatile __u16 ro_small = 7;
/* A custom read-only section, as chain.h's km_abi_version (.rodata.kmesh) uses: its own map. */
const volatile __u32 ro_custom SEC(".rodata.custom") = 5;

char _license[] SEC("license") = "Dual BSD/GPL";
