/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The core's traffic accounting: per-service counters (km_traffic), the connection access log
 * (km_accesslog), and the payload arithmetic shared by the sockops entry (closed connections)
 * and the live-bytes iterator (open ones). Core-private: plugins never see these maps.
 *
 * The C# mirror is Kmesh.Core.Telemetry (TrafficValue, AccessLogEntry), checked against this
 * object's BTF by a test.
 */
#ifndef KMESH_TELEMETRY_H
#define KMESH_TELEMETRY_H

#include "core_maps.h"
#include "kernel_types.h"

/* One service as a connection reached it: the listener routing matched and the cluster it chose. */
struct km_traffic_key {
	__u32 service_id;
	__u32 cluster_id;
};

/* Where counts go when km_traffic has no room for a new key: the core inserts this key before
 * anything is attached, so a full map never loses a count, it only loses the key. */
#define KM_TRAFFIC_OVERFLOW 0xffffffffu

/*
 * Per CPU; the reader sums CPUs. Bytes are TCP payload only (no SYN, no FIN).
 *
 * There is no "opened" counter: a connection is counted only when it closes, as opened and closed
 * at once, so one counter serves both. The reader makes opened = closed + the open connections the
 * live-bytes iterator reports (telemetry.bpf.c): one atomic add per connection fewer than a counter
 * of its own, which would always equal closed.
 */
struct km_traffic {
	__u64 closed;          /* established connections (ACTIVE_ESTABLISHED_CB) that reached TCP_CLOSE (bytes below folded in then) */
	__u64 request_bytes;   /* client -> server, acknowledged by the server */
	__u64 response_bytes;  /* server -> client, received in order by the client */
	__u64 denied[KM_REASON__COUNT]; /* connects refused by commit, by km_reason */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	/* Not preallocated: per-CPU values times CPUs times entries would be reserved up front. */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, struct km_traffic_key);
	__type(value, struct km_traffic);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} km_traffic SEC(".maps");

/* The traffic counters (km_traffic): 1 = on (the default). Written by the core before load
 * (DatapathOptions.TrafficCounters, `kmesh run --traffic-counters off`); when 0 the verifier
 * prunes every counting branch, so "off" is a real baseline for what counting costs the data
 * path. km_stats (the decision counters) are not gated: they are the daemon's own health. */
const volatile __u32 km_count_traffic = 1;

/* The access log: 1 = on. Written by the core before load (DatapathOptions.AccessLog); when 0
 * the verifier prunes every access-log branch, so it costs nothing. */
const volatile __u32 km_access_log = 0;

#define KM_LOG_CLOSED 1  /* a connection the chain routed reached TCP_CLOSE */
#define KM_LOG_REFUSED 2 /* commit refused a connect */

/* One access-log record; 128 bytes, little endian, as the ring buffer hands it out. */
struct km_log_entry {
	__u64 start_ns;        /* CLOCK_MONOTONIC: established (closed) or the connect (refused) */
	__u64 duration_ns;     /* established to TCP_CLOSE; 0 for a refusal */
	__u64 bytes_sent;      /* payload the client sent (request bytes) */
	__u64 bytes_received;  /* payload the client received (response bytes) */
	struct km_addr source; /* the client socket's own address (ports network order); may be unset for a refusal */
	struct km_addr dialed; /* what the application dialed (km_conn.orig / km_ctx.orig) */
	struct km_addr upstream; /* the endpoint (km_conn.dest); unset for a refusal */
	__u32 service_id;
	__u32 cluster_id;
	__u32 endpoint_id;
	__u32 srtt_us;         /* smoothed RTT in microseconds at close */
	__u32 retransmits;     /* total retransmitted segments */
	__u32 kind;            /* KM_LOG_* */
	__u32 reason;          /* km_reason of a refusal */
	__s32 error;           /* the errno connect() failed with (positive) */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20); /* 8192 records */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} km_accesslog SEC(".maps");

/* Records the ring had no room for, per CPU: the data path never waits for the reader. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} km_accesslog_drops SEC(".maps");

/*
 * The fast path for routed connections (opened, closed, bytes): a per-CPU array indexed by the
 * cluster id km_conn carries (the daemon hands cluster ids out densely from 1), so counting an
 * established or a closed connection is an array lookup (no hashing; recent kernels inline it)
 * and adds on a CPU-local line. On a 2-CPU VM (paired runs as in bench 2b, full chain) the two
 * per-CPU hash lookups this replaces were most of counting's cost: ~+390 ns per connection
 * with them, ~+150 to +220 ns with this array, and about +100 ns (+27 to +110 in three runs;
 * this bench's noise floor is about +-50 ns) once the established path stopped reading the clock
 * and touching a counter at all (sockops.bpf.c; bench/results, the telemetry report); +14 ns
 * (against +187 ns for the code before, in the same run) with one counter for opened and closed.
 *
 * Each CPU's copy of a slot also says which service (listener) it counts for: the first
 * connection of the cluster on that CPU claims it. A connection of another service through the
 * same cluster, one without a service id, or a cluster id beyond the array is counted in
 * km_traffic by (service, cluster) instead, as before. The reader attributes each CPU's copy to
 * the service it claimed, so the totals per (service, cluster) are exactly what km_traffic alone
 * would hold. Refusals stay in km_traffic (commit counts them; they are rare and slow anyway).
 */
struct km_cluster_traffic {
	__u64 service_id;      /* the service this CPU's slot counts for; 0 = not claimed yet */
	__u64 closed;          /* as km_traffic's (opened = closed + open connections) */
	__u64 request_bytes;
	__u64 response_bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	/* Cluster ids 0..max_entries-1; preallocated: 32 bytes x CPUs per slot. The core sizes it
	 * before load (ChainDatapath.DefaultClusterTrafficSlots: 16384, fewer beyond 16 CPUs). */
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct km_cluster_traffic);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} km_cluster_traffic SEC(".maps");

/* The counters of a service, creating them on first use; the overflow entry when the map is
 * full; NULL only if even that is missing (the core failed to insert it). */
static __always_inline struct km_traffic *km_traffic_of(__u32 service_id, __u32 cluster_id)
{
	struct km_traffic_key key = { .service_id = service_id, .cluster_id = cluster_id };
	struct km_traffic *t = bpf_map_lookup_elem(&km_traffic, &key);

	if (t)
		return t;
	{
		struct km_traffic zero = {};

		/* Two CPUs may race to create it: NOEXIST makes the loser fail, and it finds the winner's. */
		bpf_map_update_elem(&km_traffic, &key, &zero, BPF_NOEXIST);
	}
	t = bpf_map_lookup_elem(&km_traffic, &key);
	if (t)
		return t;
	key.service_id = KM_TRAFFIC_OVERFLOW;
	key.cluster_id = KM_TRAFFIC_OVERFLOW;
	return bpf_map_lookup_elem(&km_traffic, &key);
}

/* This CPU's slot of the cluster when it counts for this service (claiming it if unclaimed), or
 * NULL: then count in km_traffic. The claim is a compare-and-swap because a softirq on this CPU
 * (a SYN-ACK, a reset) can run a program for another socket in the middle of this one. */
static __always_inline struct km_cluster_traffic *km_cluster_traffic_of(__u32 service_id, __u32 cluster_id)
{
	struct km_cluster_traffic *t;
	__u64 owner;

	if (!service_id)
		return NULL;
	t = bpf_map_lookup_elem(&km_cluster_traffic, &cluster_id);
	if (!t)
		return NULL;
	owner = t->service_id;
	if (owner == service_id)
		return t;
	if (owner)
		return NULL;
	owner = __sync_val_compare_and_swap(&t->service_id, 0, (__u64)service_id);
	return !owner || owner == service_id ? t : NULL;
}

/* Atomic although per CPU: a softirq (a SYN-ACK, a FIN) can interrupt a program counting in
 * process context on the same CPU, and a plain ++ would then lose one of the two. Uncontended,
 * a locked add on a CPU-local line costs a few ns. */
#define km_add(field, n) __sync_fetch_and_add(&(field), (n))

static __always_inline void km_log_drop(void)
{
	__u32 zero = 0;
	__u64 *drops = bpf_map_lookup_elem(&km_accesslog_drops, &zero);

	if (drops)
		km_add(*drops, 1);
}

/* The access log wakes its reader only when a record takes the unread part of the ring past
 * this many bytes (one record's footprint is its 128 bytes plus the ring's 8-byte header). The
 * default, a wake-up for every record the reader has not caught up with, cost each logged
 * connection an inter-processor interrupt and the reader's wake-up inside the program: ~+6 us of
 * the access log's ~+6.1 us on a 2-CPU VM (bench 2b). The reader drains the ring every 100 ms
 * anyway, so a trickle of records reaches the log at most that late. */
#define KM_LOG_WAKEUP_BYTES (64 * 1024)
#define KM_LOG_FOOTPRINT (sizeof(struct km_log_entry) + BPF_RINGBUF_HDR_SZ)

static __always_inline void km_log_submit(struct km_log_entry *e)
{
	/* Unread = produced (this record's reservation included) minus consumed. */
	__u64 unread = bpf_ringbuf_query(&km_accesslog, BPF_RB_AVAIL_DATA);

	bpf_ringbuf_submit(e, unread >= KM_LOG_WAKEUP_BYTES && unread - KM_LOG_FOOTPRINT < KM_LOG_WAKEUP_BYTES ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

/*
 * TCP payload from the RFC 4898 counters. bytes_acked advances with snd_una and
 * bytes_received with rcv_nxt, so each counts a SYN or FIN it covers as one byte:
 *  - the SYN: whatever the counters held at establishment (KM_CONN_T_SYN_*; measured: this
 *    kernel counts neither, but the flags make it exact either way);
 *  - our FIN: counted once acknowledged, i.e. once we are past sending it (FIN_WAIT1,
 *    FIN_WAIT2, CLOSING, LAST_ACK) and snd_una reached write_seq, which then includes it;
 *  - the peer's FIN: counted when it was taken in order, which is when the kernel sets
 *    SOCK_DONE on the socket (tcp_fin); a reset or an application's shutdown does not.
 * state is the socket's state at the time (the old state in a state callback).
 */
static __always_inline void km_payload(struct tcp_sock *tp, __u32 telemetry, __u32 state, __u64 *sent, __u64 *received)
{
	__u64 acked = tp->bytes_acked, got = tp->bytes_received;
	int fin_sent = state == KM_TCP_FIN_WAIT1 || state == KM_TCP_FIN_WAIT2 || state == KM_TCP_CLOSING || state == KM_TCP_LAST_ACK;

	if (telemetry & KM_CONN_T_SYN_ACKED)
		acked--;
	if (telemetry & KM_CONN_T_SYN_RECEIVED)
		got--;
	if (fin_sent && tp->snd_una == tp->write_seq && acked > 0)
		acked--;
	if ((tp->inet_conn.icsk_inet.sk.__sk_common.skc_flags & (1UL << KM_SOCK_DONE)) && got > 0)
		got--;
	*sent = acked;
	*received = got;
}

#endif
