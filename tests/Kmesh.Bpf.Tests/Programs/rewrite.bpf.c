// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Test program: a connect4 hook that sends VIP:port to 127.0.0.1:backends[port]. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Host byte order. Tests overwrite vip_host before load to prove .rodata reaches the kernel. */
const volatile __u32 vip_host = 0x7f4d0001;    /* 127.77.0.1 */
const volatile __u32 target_host = 0x7f000001; /* 127.0.0.1 */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);   /* VIP port, host order */
	__type(value, __u32); /* backend port, host order */
} backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} rewrites SEC(".maps");

SEC("cgroup/connect4")
int rewrite_connect4(struct bpf_sock_addr *ctx)
{
	__u32 port, zero = 0, *backend;
	__u64 *count;

	if (ctx->user_ip4 != bpf_htonl(vip_host))
		return 1;
	port = bpf_ntohs((__u16)ctx->user_port);
	backend = bpf_map_lookup_elem(&backends, &port);
	if (!backend)
		return 1;
	ctx->user_ip4 = bpf_htonl(target_host);
	ctx->user_port = bpf_htons((__u16)*backend);
	count = bpf_map_lookup_elem(&rewrites, &zero);
	if (count)
		*count += 1; /* per-CPU slot: no atomics needed */
	return 1;
}

char _license[] SEC("license") = "Dual BSD/GPL";
