/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Map layouts of the rate-limit plugin; mirrored in RateLimitConfig.cs (checked against BTF). */
#ifndef KMESH_RATELIMIT_H
#define KMESH_RATELIMIT_H

#include <kmesh/chain.h>

/* The desired bucket of one service (key: km_ctx.service_id): Envoy's token_bucket. The
 * core writes it; it is never written by the kernel. */
struct rl_config {
	__u32 max_tokens;        /* bucket size, also its content when it starts */
	__u32 tokens_per_fill;   /* added every fill_interval_ns, up to max_tokens */
	__u64 fill_interval_ns;
};

/* The running bucket of one service: kernel state only, in a map of its own so that
 * re-applying an unchanged config never refills it. It carries the parameters it was
 * started with; when rl_config differs, the bucket starts over full (as Envoy does with
 * a new filter config). */
struct rl_bucket {
	struct bpf_spin_lock lock;
	__u32 max_tokens;
	__u32 tokens_per_fill;
	__u32 tokens;
	__u64 fill_interval_ns;
	__u64 last_fill_ns;      /* time of the last fill tick (ticks keep their phase) */
};

#endif
