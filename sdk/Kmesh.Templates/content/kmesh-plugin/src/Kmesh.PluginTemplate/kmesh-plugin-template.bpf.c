// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The kernel half of the plugin: a program in the core's tail-call chain on the connect
 * hooks. It counts every connect it sees and refuses those whose destination port is in
 * deny_ports (written by the translator) with the errno and reason its entry holds. Built by the Kmesh.Sdk package
 * with clang against kmesh/chain.h (the chain ABI: km_ctx_get, km_deny, km_next_*, km_finish_*).
 */
#include <kmesh/chain.h>

/* Every chain object says which ABI it was built for. */
KMESH_OBJECT();

/* The deny_ports map's key and value. The translator writes them through C# mirrors
 * (PortDenyKey, PortDenyRule in PortDenyMaps.cs); the test project's MapLayoutTests hold the
 * mirrors to the layout clang gave these structs (this object's BTF), so a drift fails a test.
 * A struct a map uses must be laid out the same on both sides: change it here and there. */
struct port_deny_key {
	__u16 port;	/* destination port, host byte order */
	__u16 pad;	/* zero: a hash map compares every byte of its keys */
};

struct port_deny_rule {
	__s32 err;	/* the errno the connect fails with (positive: 111 is ECONNREFUSED) */
	__u32 reason;	/* the KM_REASON_* recorded with the denial */
};

/* Settings: destination ports to refuse, and how. Filled by PortDenyTranslator. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct port_deny_key);
	__type(value, struct port_deny_rule);
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
	struct port_deny_key key = {};
	struct port_deny_rule *rule;
	__u32 zero = 0;
	__u64 *seen;

	if (!c)
		return 0; /* not ours to decide: pass it on */
	seen = bpf_map_lookup_elem(&kmesh_plugin_template_seen, &zero);
	if (seen)
		__sync_fetch_and_add(seen, 1);
	if (c->verdict != KM_VERDICT_PASS)
		return 0; /* an earlier plugin decided already */
	key.port = bpf_ntohs(c->orig.port);
	rule = bpf_map_lookup_elem(&deny_ports, &key);
	if (!rule)
		return 0;
	km_deny(c, rule->reason, rule->err);
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
