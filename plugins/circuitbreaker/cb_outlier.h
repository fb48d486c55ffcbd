/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Outlier detection from connect outcomes, Envoy's consecutive-failure detectors: an
 * endpoint whose connects fail `consecutive` times in a row is ejected (published in the
 * chain ABI's km_ejected, which load balancing honours) for base × its ejection count, at
 * most max; never more than max_ejection_percent of the cluster at once. The ejection count
 * decays by one per interval the endpoint stays in, worked out at its next ejection.
 *
 * Everything that decides lives under the cluster's cb_ejections lock: the failure count of
 * the endpoint and the cluster's ejection slots change together, so two CPUs can neither
 * eject one endpoint twice nor together exceed the percentage.
 */
#ifndef KMESH_CB_OUTLIER_H
#define KMESH_CB_OUTLIER_H

#include "cb_maps.h"

#define CB_PERCENT 100

static __always_inline struct cb_ejections *cb_ejections_of(__u32 cluster_id)
{
	struct cb_ejections *e = bpf_map_lookup_elem(&cb_ejections, &cluster_id);
	struct cb_ejections_blank *blank;
	__u32 zero = 0;

	if (e)
		return e;
	blank = bpf_map_lookup_elem(&cb_blank, &zero);
	if (!blank)
		return NULL;
	bpf_map_update_elem(&cb_ejections, &cluster_id, blank, BPF_NOEXIST);
	return bpf_map_lookup_elem(&cb_ejections, &cluster_id);
}

static __always_inline struct cb_endpoint *cb_endpoint_of(struct km_endpoint_key *key)
{
	struct cb_endpoint *ep = bpf_map_lookup_elem(&cb_endpoints, key);
	struct cb_endpoint fresh = {};

	if (ep)
		return ep;
	bpf_map_update_elem(&cb_endpoints, key, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&cb_endpoints, key);
}

/* Whether one more ejection keeps the cluster within max_ejection_percent. */
static __always_inline int cb_may_eject(const struct cb_outlier *cfg, __u32 ejected)
{
	if ((__u64)(ejected + 1) * CB_PERCENT <= (__u64)cfg->max_ejection_percent * cfg->endpoints)
		return 1;
	return ejected == 0 && (cfg->flags & CB_ALWAYS_EJECT_ONE);
}

/* How long this ejection lasts; bumps the endpoint's ejection count. Called with the lock held. */
static __always_inline __u64 cb_ejection_time(struct cb_endpoint *ep, const struct cb_outlier *cfg, __u64 now)
{
	__u64 base = cfg->base_ejection_ns, max = cfg->max_ejection_ns, decay, t;
	__u32 n = ep->ejections;

	/* Envoy lowers the count by one at every interval an endpoint is not ejected. */
	if (n && cfg->interval_ns && now > ep->ejected_until) {
		decay = (now - ep->ejected_until) / cfg->interval_ns;
		n = decay >= n ? 0 : n - (__u32)decay;
	}
	/* Once base × count reaches the cap the count stops growing, so it also decays from there. */
	if ((__u64)n * base < max)
		n++;
	t = (__u64)n * base;
	if (t > max)
		t = max;
	ep->ejections = n;
	return t;
}

/*
 * One connect failure of an endpoint: counts it and, when that makes the endpoint an
 * outlier and the rules allow, takes an ejection slot. Returns the time the ejection ends,
 * or 0 for none. Only plain loads and stores inside: no helper may run under a spin lock.
 */
static __always_inline __u64 cb_judge(struct cb_ejections *ej, struct cb_endpoint *ep, const struct cb_outlier *cfg,
				      __u32 endpoint_id, __u64 now, __u32 roll, __u64 jitter)
{
	__u64 until = 0;
	__u32 i, free;

	bpf_spin_lock(&ej->lock);
	ej->scan_ejected = 0;
	ej->scan_free = CB_MAX_EJECTED;
	ej->scan_already = 0;
	for (i = 0; i < CB_MAX_EJECTED; i++) {
		if (ej->until[i] > now) {
			ej->scan_ejected++;
			if (ej->endpoint_id[i] == endpoint_id)
				ej->scan_already = 1;
		} else if (ej->scan_free == CB_MAX_EJECTED) {
			ej->scan_free = i;
		}
	}
	/* A connect begun before the ejection may fail after it: it says nothing new. */
	if (ej->scan_already)
		goto out;
	if (++ep->failures < cfg->consecutive)
		goto out;
	/* Due: whether or not it happens, the next ejection needs as many failures again. */
	ep->failures = 0;
	free = ej->scan_free;
	if (roll % CB_PERCENT >= cfg->enforcing || free >= CB_MAX_EJECTED || !cb_may_eject(cfg, ej->scan_ejected))
		goto out;
	until = now + cb_ejection_time(ep, cfg, now) + jitter;
	ep->ejected_until = until;
	ep->published = 1;
	free &= CB_MAX_EJECTED - 1;
	ej->endpoint_id[free] = endpoint_id;
	ej->until[free] = until;
out:
	bpf_spin_unlock(&ej->lock);
	return until;
}

/* A connect to an endpoint failed: it went from SYN_SENT to CLOSE, or its SYN timed out. */
static __always_inline void cb_outlier_failure(__u32 cluster_id, __u32 endpoint_id)
{
	struct km_endpoint_key key = { .cluster_id = cluster_id, .endpoint_id = endpoint_id };
	struct cb_outlier *cfg;
	struct cb_ejections *ej;
	struct cb_endpoint *ep;
	__u64 now, until, jitter = 0;
	__u32 roll;

	if (!endpoint_id)
		return;
	cfg = bpf_map_lookup_elem(&cb_outlier, &cluster_id);
	if (!cfg)
		return;
	ej = cb_ejections_of(cluster_id);
	ep = cb_endpoint_of(&key);
	if (!ej || !ep)
		return;
	now = bpf_ktime_get_ns();
	roll = bpf_get_prandom_u32();
	if (cfg->jitter_ns)
		jitter = (((__u64)bpf_get_prandom_u32() << 32) | bpf_get_prandom_u32()) % (cfg->jitter_ns + 1);
	until = cb_judge(ej, ep, cfg, endpoint_id, now, roll, jitter);
	/* If km_ejected is full the slot is held for nothing and frees itself in time: never
	 * worse than not ejecting. */
	if (until)
		bpf_map_update_elem(&km_ejected, &key, &until, BPF_ANY);
}

/* Takes an ended ejection out of km_ejected, so that it holds only what is current. An
 * ejection taken meanwhile on another CPU may have been published just before the delete:
 * then it is published again. */
static __always_inline void cb_unpublish(struct cb_ejections *ej, struct cb_endpoint *ep, struct km_endpoint_key *key)
{
	__u64 until = 0;

	bpf_map_delete_elem(&km_ejected, key);
	bpf_spin_lock(&ej->lock);
	if (ep->published)
		until = ep->ejected_until;
	bpf_spin_unlock(&ej->lock);
	if (until)
		bpf_map_update_elem(&km_ejected, key, &until, BPF_ANY);
}

/* A connect to an endpoint succeeded: its failures are no longer consecutive. */
static __always_inline void cb_outlier_success(__u32 cluster_id, __u32 endpoint_id)
{
	struct km_endpoint_key key = { .cluster_id = cluster_id, .endpoint_id = endpoint_id };
	struct cb_endpoint *ep = bpf_map_lookup_elem(&cb_endpoints, &key);
	struct cb_ejections *ej;
	__u64 now;
	int ended;

	if (!ep || (!ep->failures && !ep->published))
		return;
	ej = bpf_map_lookup_elem(&cb_ejections, &cluster_id);
	if (!ej)
		return;
	now = bpf_ktime_get_ns();
	bpf_spin_lock(&ej->lock);
	ep->failures = 0;
	ended = ep->published && ep->ejected_until <= now;
	if (ended)
		ep->published = 0;
	bpf_spin_unlock(&ej->lock);
	if (ended)
		cb_unpublish(ej, ep, &key);
}

#endif
