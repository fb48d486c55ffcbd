/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Map layouts of the circuit-breaker plugin; the desired ones are mirrored in C# (checked
 * against BTF), the runtime ones belong to the kernel alone. */
#ifndef KMESH_CIRCUITBREAKER_H
#define KMESH_CIRCUITBREAKER_H

#include <kmesh/chain.h>

#ifndef IPPROTO_TCP
#define IPPROTO_TCP 6
#endif

/* Most endpoints of one cluster that can be ejected at the same time. Bounded so that the
 * check against max_ejection_percent is one scan under one lock; a cluster that would need
 * more simply ejects no further endpoint until a slot's time has passed. */
#define CB_MAX_EJECTED 32

/* cb_outlier.flags */
#define CB_ALWAYS_EJECT_ONE 1 /* Envoy's always_eject_one_host */

/* The connection limits of one cluster (key: cluster id), Envoy's default-priority
 * circuit_breakers.thresholds. Written by the core; a cluster without an entry is unlimited. */
struct cb_limits {
	__u32 max_connections;   /* pending + established connections of the node to the cluster */
	__u32 max_pending;       /* of those, still in handshake (max_pending_requests) */
};

/* The outlier detection of one cluster (key: cluster id), from Envoy's outlier_detection.
 * Written by the core; a cluster without an entry never ejects anything. */
struct cb_outlier {
	__u32 consecutive;          /* connect failures in a row that make an endpoint an outlier */
	__u32 enforcing;            /* percent of due ejections that happen */
	__u32 max_ejection_percent; /* of endpoints, ejected at once */
	__u32 endpoints;            /* endpoints of the cluster, what the percentage is of */
	__u64 base_ejection_ns;     /* ejection time = base × the endpoint's ejections ... */
	__u64 max_ejection_ns;      /* ... up to this (already at least base) */
	__u64 interval_ns;          /* an endpoint's ejection count decays by one per interval un-ejected */
	__u64 jitter_ns;            /* up to this much is added to an ejection at random */
	__u32 flags;                /* CB_ALWAYS_EJECT_ONE */
	__u32 reserved;
};

/* Runtime: connections of the node to one cluster (key: cluster id), pinned as cb_conns. */
struct cb_conns {
	__u64 pending;           /* SYN sent, not established yet */
	__u64 active;            /* established, not closed yet */
	/* Connects refused at one of the limits (Envoy's upstream_cx_overflow). New in 1.4.0 with
	 * the marks on km_conn: the changed layout also makes an upgrade or a rollback across that
	 * version build cb_conns anew, so no version counts down what another one counted up. */
	__u64 refused;
};

/* A counted connection's state, kept in its km_conn mark (chain ABI 1.5; not in socket storage
 * of its own, whose allocation cost more than the rest of the sockops chain). Only a marked
 * socket counts down, once, so no close order makes a counter negative or leaks it. */
enum cb_state {
	CB_UNCOUNTED = 0,
	CB_PENDING = 1,
	CB_ACTIVE = 2,
	CB_COUNT_MASK = 3,       /* which of the above; the rest are flags */
	CB_FAILED = 4,           /* flag: the connect's failure was already counted (at an RTO) */
	CB_OUTLIER = 8,          /* flag: its cluster had outlier detection at connect: outcomes are judged */
};

/* Runtime: outlier state of one endpoint of a cluster (key: struct km_endpoint_key).
 * Changed only under the cluster's cb_ejections lock. */
struct cb_endpoint {
	__u32 failures;          /* consecutive connect failures */
	__u32 ejections;         /* Envoy's ejection multiplier */
	__u64 ejected_until;     /* end of the last ejection (the multiplier decays from there) */
	__u32 published;         /* km_ejected holds that ejection still */
	__u32 reserved;
};

/* Runtime: the endpoints of one cluster ejected now or lately (key: cluster id); a slot is
 * free once its time has passed. The scan_* fields are the scratch of one scan
 * under the lock: volatile, so that they live in memory rather than in registers; the
 * verifier then sees values it does not know, instead of following every count a 32-slot
 * scan can reach (which it cannot, within its budget). */
struct cb_ejections {
	struct bpf_spin_lock lock;
	volatile __u32 scan_ejected; /* slots still ejected */
	volatile __u32 scan_free;    /* the first free slot, CB_MAX_EJECTED for none */
	volatile __u32 scan_already; /* the endpoint holds a slot already */
	__u32 endpoint_id[CB_MAX_EJECTED];
	__u64 until[CB_MAX_EJECTED];
};

/* A new cluster's cb_ejections starts as these zero bytes: the struct is too big for the
 * stack, and a helper may copy a value out of a map only when its type holds no lock. */
struct cb_ejections_blank {
	__u64 words[sizeof(struct cb_ejections) / sizeof(__u64)];
};

_Static_assert(sizeof(struct cb_ejections_blank) == sizeof(struct cb_ejections), "cb_ejections is a whole number of words");

#endif
