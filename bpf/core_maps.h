/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Maps only the core's own programs use (the chain ABI's shared maps are in kmesh/chain.h). */
#ifndef KMESH_CORE_MAPS_H
#define KMESH_CORE_MAPS_H

#include <kmesh/chain.h>

/* Reverse NAT lives in the chain ABI's km_conn record on the socket (kmesh/chain.h): what
 * the application dialed, next to what the chain decided, dying with the socket. */

/* Decisions counted by reason; per CPU so counting never contends. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct km_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} km_stats SEC(".maps");

static __always_inline void km_count(__u32 reason)
{
	__u32 zero = 0;
	struct km_stats *s = bpf_map_lookup_elem(&km_stats, &zero);

	if (s && reason < KM_REASON__COUNT)
		s->count[reason]++;
}

#endif
