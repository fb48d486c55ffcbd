// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Fault injection: an Envoy HTTPFault abort refuses its share of new connects to the
 * service at connect time, with ECONNREFUSED (KM_ERRNO_FAULT). Acts only on connects
 * routing matched and nobody decided yet; delays and header-conditioned faults need the
 * request and are left to L7 (the translator says so).
 */
#include "faultinject.h"

KMESH_OBJECT();

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct fi_fault);
} fi_faults SEC(".maps");

static __always_inline void fi_decide(struct km_ctx *c)
{
	struct fi_fault *f;
	__u32 share;

	if (!c->service_id || c->verdict != KM_VERDICT_PASS)
		return;
	f = bpf_map_lookup_elem(&fi_faults, &c->service_id);
	if (!f)
		return;
	share = f->abort_per_million;
	if (share == 0)
		return;
	/* The modulo bias of a 32-bit roll over 10^6 is below 0.03% of the share. */
	if (share >= FI_MILLION || bpf_get_prandom_u32() % FI_MILLION < share)
		km_deny(c, KM_REASON_FAULT, KM_ERRNO_FAULT);
}

SEC("cgroup/connect4")
int faultinject_connect4(struct bpf_sock_addr *ctx)
{
	struct km_ctx *c = km_ctx_get(ctx);

	if (c)
		fi_decide(c);
	return km_next_connect4(ctx);
}

SEC("cgroup/connect6")
int faultinject_connect6(struct bpf_sock_addr *ctx)
{
	struct km_ctx *c = km_ctx_get(ctx);

	if (c)
		fi_decide(c);
	return km_next_connect6(ctx);
}
