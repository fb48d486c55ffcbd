// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Fixture for upgrades across versions (issue 13): a connect routing matched to a service
 * goes on only when gate_open lists the service as open; otherwise it is refused with
 * ECONNREFUSED. So a chain whose gate_open is still empty refuses every service connect:
 * a daemon that switched to it before filling it would break traffic, visibly.
 * Version 2 (built with GATE_V2, ../gate2) adds a field to the value and also wants it set,
 * so its map cannot be taken over from version 1: it must be built anew and filled.
 */
#include <kmesh/chain.h>

KMESH_OBJECT();

struct gate_entry {
	__u32 open;
#ifdef GATE_V2
	__u32 version; /* 2: written by the version 2 translator */
#endif
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct gate_entry);
} gate_open SEC(".maps");

static __always_inline void gate_decide(struct km_ctx *c)
{
	struct gate_entry *e;

	if (!c->service_id || c->verdict == KM_VERDICT_DENY)
		return;
	e = bpf_map_lookup_elem(&gate_open, &c->service_id);
#ifdef GATE_V2
	if (e && e->open && e->version == 2)
		return;
#else
	if (e && e->open)
		return;
#endif
	km_deny(c, KM_REASON_POLICY, 111 /* ECONNREFUSED */);
}

SEC("cgroup/connect4")
int gate_connect4(struct bpf_sock_addr *ctx)
{
	struct km_ctx *c = km_ctx_get(ctx);

	if (c)
		gate_decide(c);
	return km_next_connect4(ctx);
}

SEC("cgroup/connect6")
int gate_connect6(struct bpf_sock_addr *ctx)
{
	struct km_ctx *c = km_ctx_get(ctx);

	if (c)
		gate_decide(c);
	return km_next_connect6(ctx);
}
