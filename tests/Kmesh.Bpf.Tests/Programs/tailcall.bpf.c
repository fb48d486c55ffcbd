// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Test program: an entry hook that only tail-calls slot 0 of a prog array. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

const volatile __u32 vip_host = 0x7f4d0003; /* 127.77.0.3 */

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} jmp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} tc_backends SEC(".maps");

SEC("cgroup/connect4")
int entry(struct bpf_sock_addr *ctx)
{
	bpf_tail_call(ctx, &jmp, 0);
	return 1; /* empty slot: leave the connect alone */
}

SEC("cgroup/connect4")
int slot_rewrite(struct bpf_sock_addr *ctx)
{
	__u32 port, *backend;

	if (ctx->user_ip4 != bpf_htonl(vip_host))
		return 1;
	port = bpf_ntohs((__u16)ctx->user_port);
	backend = bpf_map_lookup_elem(&tc_backends, &port);
	if (!backend)
		return 1;
	ctx->user_ip4 = bpf_htonl(0x7f000001);
	ctx->user_port = bpf_htons((__u16)*backend);
	return 1;
}

/* Same program type, other expected attach type: the prog array must refuse it. */
SEC("cgroup/connect6")
int other_hook(struct bpf_sock_addr *ctx)
{
	return 1;
}

char _license[] SEC("license") = "Dual BSD/GPL";
