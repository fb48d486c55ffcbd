// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The kernel half of the plugin: a program in the core's tail-call chain on the connect
 * hooks. It counts every connect it sees and refuses those whose destination port is in
 * deny_ports (written by the translator) with ECONNREFUSED. Built by the Kmesh.Sdk package
 * with clang against kmesh/chain.h (the chain ABI: km_ctx_get, km_deny, km_next_*, km_finish_*).
 */
#include <kmesh/chain.h>

/* errno.h is not for BPF programs; the value is the kernel's. */
#define PLUGIN_ECONNREFUSED 111

/* Every chain object says which ABI it was built for. */
KMESH_OBJECT();

/* Settings: destination ports (host byte order) to refuse. Filled by PortDenyTranslator. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} deny_ports SEC(".maps");

/* Connects seen. Pinned by name under the daemon's bpffs folder, so tests (and operators,
 * with bpftool) can read it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} kmesh_plugin_template_seen SEC(".maps");

/* Returns 1 when the connect is to be refused (the verdict is then set). Unlike a per-service
 * governance plugin, this sample looks at every connect of the governed cgroup, services or
 * not, so it sits before routing in the chain (order 50); the first denial wins. */
static __always_inline int decide(struct bpf_sock_addr *ctx)
{
	struct km_ctx *c = km_ctx_get(ctx);
	__u32 zero = 0;
	__u32 port;
	__u64 *seen;

	if (!c)
		return 0; /* not ours to decide: pass it on */
	seen = bpf_map_lookup_elem(&kmesh_plugin_template_seen, &zero);
	if (seen)
		__sync_fetch_and_add(seen, 1);
	if (c->verdict != KM_VERDICT_PASS)
		return 0; /* an earlier plugin decided already */
	port = bpf_ntohs(c->orig.port);
	if (!bpf_map_lookup_elem(&deny_ports, &port))
		return 0;
	km_deny(c, KM_REASON_POLICY, PLUGIN_ECONNREFUSED);
	return 1;
}

#if (hasConnect4)
SEC("cgroup/connect4")
int kmesh_plugin_template_connect4(struct bpf_sock_addr *ctx)
{
	if (decide(ctx))
		return km_finish_connect4(ctx); /* refused: the rest of the chain need not run */
	return km_next_connect4(ctx);
}
#endif

#if (hasConnect6)
SEC("cgroup/connect6")
int kmesh_plugin_template_connect6(struct bpf_sock_addr *ctx)
{
	if (decide(ctx))
		return km_finish_connect6(ctx);
	return km_next_connect6(ctx);
}
#endif
