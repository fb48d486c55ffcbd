// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Connection rate limit: Envoy's network local_ratelimit token bucket, one per service,
 * over new connects. A connect takes a token or fails at once with ENOBUFS
 * (KM_ERRNO_RATE_LIMITED). The bucket is refilled lazily from bpf_ktime_get_ns() when a
 * connect looks at it, under a bpf_spin_lock, so connects on several CPUs never lose or
 * double-spend a token.
 */
#include "ratelimit.h"

KMESH_OBJECT();

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct rl_config);
} rl_config SEC(".maps");

/* Runtime state, never written by the core. A service that goes away leaves its bucket
 * behind until the daemon stops; service ids are never reused, so it is never misread. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct rl_bucket);
} rl_buckets SEC(".maps");

static __always_inline struct rl_bucket *rl_bucket_of(__u32 service_id)
{
	struct rl_bucket *b = bpf_map_lookup_elem(&rl_buckets, &service_id);
	struct rl_bucket fresh = {};

	if (b)
		return b;
	/* max_tokens 0 never matches a config, so the first take starts the bucket full.
	 * Two CPUs may race here: BPF_NOEXIST lets one insert and both use that entry. */
	bpf_map_update_elem(&rl_buckets, &service_id, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&rl_buckets, &service_id);
}

/* Adds the tokens of the fill ticks elapsed up to now. Called with the lock held. */
static __always_inline void rl_refill(struct rl_bucket *b, __u64 now)
{
	__u64 elapsed, fills, tokens;

	/* now was read before the lock: another CPU may have ticked past it meanwhile. */
	if (now <= b->last_fill_ns || b->fill_interval_ns == 0)
		return;
	elapsed = now - b->last_fill_ns;
	if (elapsed < b->fill_interval_ns)
		return;
	fills = elapsed / b->fill_interval_ns;
	/* Enough ticks to fill from empty: also keeps fills * tokens_per_fill from overflowing. */
	if (fills >= b->max_tokens) {
		b->tokens = b->max_tokens;
		b->last_fill_ns = now;
		return;
	}
	tokens = b->tokens + fills * b->tokens_per_fill;
	b->tokens = tokens > b->max_tokens ? b->max_tokens : (__u32)tokens;
	b->last_fill_ns += fills * b->fill_interval_ns;
}

/* 1 when the connect may go on (it took a token), 0 when the bucket is empty. */
static __always_inline int rl_take(struct rl_bucket *b, const struct rl_config *cfg, __u64 now)
{
	int allowed;

	bpf_spin_lock(&b->lock);
	if (b->max_tokens != cfg->max_tokens || b->tokens_per_fill != cfg->tokens_per_fill ||
	    b->fill_interval_ns != cfg->fill_interval_ns) {
		b->max_tokens = cfg->max_tokens;
		b->tokens_per_fill = cfg->tokens_per_fill;
		b->fill_interval_ns = cfg->fill_interval_ns;
		b->tokens = cfg->max_tokens;
		b->last_fill_ns = now;
	} else {
		rl_refill(b, now);
	}
	allowed = b->tokens > 0;
	if (allowed)
		b->tokens--;
	bpf_spin_unlock(&b->lock);
	return allowed;
}

static __always_inline void rl_decide(struct km_ctx *c)
{
	struct rl_config cfg, *found;
	struct rl_bucket *b;

	if (!c->service_id || c->verdict != KM_VERDICT_PASS)
		return;
	found = bpf_map_lookup_elem(&rl_config, &c->service_id);
	if (!found)
		return;
	/* A private copy: the core may rewrite the config while the lock is held. */
	cfg = *found;
	b = rl_bucket_of(c->service_id);
	/* No room for another bucket: let the connect go rather than refuse on our account. */
	if (!b)
		return;
	if (!rl_take(b, &cfg, bpf_ktime_get_ns()))
		km_deny(c, KM_REASON_RATE_LIMITED, KM_ERRNO_RATE_LIMITED);
}

SEC("cgroup/connect4")
int ratelimit_connect4(struct bpf_sock_addr *ctx)
{
	struct km_ctx *c = km_ctx_get(ctx);

	if (c)
		rl_decide(c);
	return km_next_connect4(ctx);
}

SEC("cgroup/connect6")
int ratelimit_connect6(struct bpf_sock_addr *ctx)
{
	struct km_ctx *c = km_ctx_get(ctx);

	if (c)
		rl_decide(c);
	return km_next_connect6(ctx);
}
