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

/* Per CPU; the reader sums CPUs. Bytes are TCP payload only (no SYN, no FIN). */
struct km_traffic {
	__u64 opened;          /* connections established (BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB) */
	__u64 closed;          /* of those, reached TCP_CLOSE (bytes below folded in then) */
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
