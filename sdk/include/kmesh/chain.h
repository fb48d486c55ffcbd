/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Kmesh chain ABI: the contract between the core's entry/commit programs and every
 * plugin program that runs in a hook's tail-call chain.
 *
 * One source of truth: the C# mirror (Kmesh.Sdk.Abi) is checked against the BTF of the
 * compiled objects in a test, so a layout drift fails the build, not production.
 *
 * Rules for a chain program:
 *  - it is one SEC("cgroup/connect4"), SEC("cgroup/connect6") or SEC("sockops") program
 *    per hook it serves (a prog array only takes programs of its first user's attach type);
 *  - a connect program reads and writes the connection being decided through km_ctx_get();
 *    a sockops program sees every TCP event of the cgroup's sockets and finds what the
 *    connect chain decided for a socket through km_conn_of() (ABI 1.1);
 *  - it ends with `return km_next_connect4(ctx);` (or _connect6, _sockops), which
 *    tail-calls the next slot; the core writes km_slot_* before the object is loaded.
 *
 * Versions: 1.0 = the connect chains; 1.1 adds the sockops chain, the connection record
 * km_conn and the shared outlier ejections km_ejected; 1.2 adds the sk_msg chain on the
 * core's sockhash km_socks (same-node acceleration); 1.3 names the core's accounting fields of
 * km_conn (start_ns, telemetry), which were reserved space before. 1.4 adds km_ctx.skip_slots:
 * the slots that have nothing to do for this connect, which km_next_connect4/6 pass over (routing
 * writes it from its route entry; see docs/plugins.md). 1.5 adds km_conn.mark: a word of
 * per-connection state one plugin may own (the km_conn_mark_* helpers), so that a sockops plugin
 * need not allocate socket storage of its own per connection. A plugin that must also run on an
 * older core builds with -DKMESH_ABI_MINOR=<n> (the SDK's KmeshPluginAbi property does it)
 * and then sees only what minor n offers.
 */
#ifndef KMESH_CHAIN_H
#define KMESH_CHAIN_H

#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* A major bump breaks plugins; a minor bump only adds (fields in reserved space, maps,
 * hooks). KMESH_ABI_LATEST_MINOR is what this header describes; KMESH_ABI_MINOR is what
 * the object being built targets (and records in km_abi_version). */
#define KMESH_ABI_MAJOR 1
#define KMESH_ABI_LATEST_MINOR 5
#ifndef KMESH_ABI_MINOR
#define KMESH_ABI_MINOR KMESH_ABI_LATEST_MINOR
#endif
#if KMESH_ABI_MINOR > KMESH_ABI_LATEST_MINOR
#error "KMESH_ABI_MINOR is newer than this kmesh/chain.h: update the Kmesh SDK"
#endif

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

/* Slots of one hook's chain. Plugins take 0..KM_SLOT_COMMIT-1 in chain order. */
#define KM_CHAIN_SIZE 32
#define KM_SLOT_COMMIT (KM_CHAIN_SIZE - 1)
#define KM_SLOT_UNSET 0xffffffffu

/* What the commit program does with the connection. */
enum km_verdict {
	KM_VERDICT_PASS = 0,    /* leave the destination untouched */
	KM_VERDICT_REWRITE = 1, /* connect to km_ctx.dest instead, remember the VIP */
	KM_VERDICT_DENY = 2,    /* connect() fails at once with -km_ctx.deny_errno */
};

/* Why a decision was taken; counted per reason in km_stats. */
enum km_reason {
	KM_REASON_NONE = 0,
	KM_REASON_NO_SERVICE = 1,      /* destination is not a service VIP: passed through */
	KM_REASON_ROUTED = 2,          /* rewritten to an endpoint */
	KM_REASON_NO_ENDPOINT = 3,     /* service known, no usable endpoint */
	KM_REASON_UNFINISHED = 4,      /* chain ended with a service but no decision */
	KM_REASON_FAULT = 5,           /* fault injection abort */
	KM_REASON_RATE_LIMITED = 6,    /* connection rate limit */
	KM_REASON_CIRCUIT_OPEN = 7,    /* circuit breaker */
	KM_REASON_POLICY = 8,          /* any other plugin's denial */
	KM_REASON_STALE_CONTEXT = 9,   /* scratch context did not belong to this socket */
	KM_REASON__COUNT = 16,
};

/* The errno connect() fails with, one per denying reason, so that an application (and an
 * operator reading the reason counters) can tell them apart. Linux numbering (x86-64,
 * arm64 and every asm-generic architecture). Why each: docs/architecture.md, "Errnos".
 *  - NO_ENDPOINT  EHOSTUNREACH: the service exists but nothing can be reached behind it;
 *  - FAIL_CLOSED  ECONNREFUSED: --fail-closed and the chain chose no endpoint;
 *  - FAULT        ECONNREFUSED: an injected abort looks exactly like an upstream refusing,
 *                 which is what the application's resilience is being tested against;
 *  - RATE_LIMITED ENOBUFS: "no resources for now"; not EAGAIN, which non-blocking clients
 *                 (CPython's asyncio) take for "in progress" and then think connected;
 *  - CIRCUIT_OPEN EBUSY: the cluster is at its connection limit (the circuitbreaker
 *                 plugin); it is none of the errnos retry policies usually retry on, so
 *                 clients fail fast. */
#define KM_ERRNO_NO_ENDPOINT 113  /* EHOSTUNREACH */
#define KM_ERRNO_FAIL_CLOSED 111  /* ECONNREFUSED */
#define KM_ERRNO_FAULT 111        /* ECONNREFUSED */
#define KM_ERRNO_RATE_LIMITED 105 /* ENOBUFS */
#define KM_ERRNO_CIRCUIT_OPEN 16  /* EBUSY */

/* An L4 address. IPv4 lives in addr[0]; ports are in network byte order. */
struct km_addr {
	__u32 addr[4];
	__u16 port;
	__u16 family; /* AF_INET or AF_INET6; 0 = unset */
};

/* The connection being decided. Lives in the per-CPU km_scratch map for the time of
 * one chain run; the entry program fills the first block, plugins the second. */
struct km_ctx {
	__u64 cookie;         /* socket cookie: guards against a stale scratch entry */
	__u64 cgroup_id;      /* cgroup v2 id of the connecting task */
	struct km_addr orig;  /* what the application dialed */
	__u32 protocol;       /* IPPROTO_TCP / IPPROTO_UDP */
	__u32 abi;            /* (KMESH_ABI_MAJOR << 16) | KMESH_ABI_MINOR of the core */

	__u32 service_id;     /* set by routing: the listener that matched; 0 = none */
	__u32 cluster_id;     /* set by routing: the cluster chosen for this connect */
	__u32 endpoint_id;    /* set by load balancing: the endpoint chosen */
	__u32 verdict;        /* enum km_verdict */
	__u32 reason;         /* enum km_reason */
	__s32 deny_errno;     /* positive errno for KM_VERDICT_DENY */
	struct km_addr dest;  /* the endpoint, for KM_VERDICT_REWRITE */
#if KMESH_ABI_MINOR >= 4
	/* ABI 1.4: bit n set = slot n of this hook's chain has nothing configured for this connect's
	 * service and is passed over by km_next_connect4/6 (0 from the entry: every slot runs).
	 * Written by routing from its route entry, where the core folded in which later plugins
	 * declared work for the service; a plugin that never declares work never gets a bit. */
	__u32 skip_slots;
	__u32 reserved[7];    /* room for minor versions */
#else
	__u32 reserved[8];    /* room for minor versions */
#endif
};

/* Counters by reason, per CPU; the core sums them. */
struct km_stats {
	__u64 count[KM_REASON__COUNT];
};

/* Shared maps: pinned by name under the daemon's bpffs folder, so the core's object and
 * every plugin object see the same map. Declaring one you do not use costs nothing. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct km_ctx);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} km_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, KM_CHAIN_SIZE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} km_chain_c4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, KM_CHAIN_SIZE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} km_chain_c6 SEC(".maps");

/* This object's slot in each chain, written by the core between open and load. */
const volatile __u32 km_slot_connect4 = KM_SLOT_UNSET;
const volatile __u32 km_slot_connect6 = KM_SLOT_UNSET;

/* The context of the connect being decided, or NULL when the scratch entry belongs to
 * another socket (then the program must leave the connect alone: return km_next). */
static __always_inline struct km_ctx *km_ctx_get(struct bpf_sock_addr *ctx)
{
	__u32 zero = 0;
	struct km_ctx *c = bpf_map_lookup_elem(&km_scratch, &zero);

	if (!c || c->cookie != bpf_get_socket_cookie(ctx))
		return NULL;
	return c;
}

/* Deny the connect with a reason and an errno the application sees from connect(): use
 * the KM_ERRNO_* of the reason. Only deny a connect routing matched (service_id != 0) and
 * that no earlier plugin decided (verdict still PASS): the first denial wins. */
static __always_inline void km_deny(struct km_ctx *c, __u32 reason, __s32 err)
{
	c->verdict = KM_VERDICT_DENY;
	c->reason = reason;
	c->deny_errno = err;
}

#if KMESH_ABI_MINOR >= 4
/* The lowest set bit's index of x (x != 0). clang 14's BPF backend cannot lower
 * __builtin_ctz, hence the halving steps. */
static __always_inline __u32 km_lowest_bit(__u32 x)
{
	__u32 n = 0;

	if (!(x & 0xffff)) { n += 16; x >>= 16; }
	if (!(x & 0xff)) { n += 8; x >>= 8; }
	if (!(x & 0xf)) { n += 4; x >>= 4; }
	if (!(x & 0x3)) { n += 2; x >>= 2; }
	if (!(x & 0x1)) n += 1;
	return n;
}

/* The slot after `slot` that is not in km_ctx.skip_slots (commit when none is). Without the
 * context (a stale scratch entry) nothing is skipped: a skip must never be guessed. */
static __always_inline __u32 km_next_slot(__u32 slot, const struct km_ctx *c)
{
	__u32 later;

	if (!c || !c->skip_slots || slot >= KM_SLOT_COMMIT)
		return slot + 1;
	later = ~c->skip_slots & ~((2u << slot) - 1);
	return later ? km_lowest_bit(later) : KM_SLOT_COMMIT;
}
#define KM_NEXT_SLOT(ctx, slot) km_next_slot((slot), km_ctx_get(ctx))
#else
#define KM_NEXT_SLOT(ctx, slot) ((slot) + 1)
#endif

/* Hand over to the next program of the chain (from 1.4 on, the next one with work for this
 * connect); when there is none, to commit. Returns only when even commit is missing: then
 * the connect proceeds untouched (fail-open). */
static __always_inline int km_next_connect4(struct bpf_sock_addr *ctx)
{
	bpf_tail_call(ctx, &km_chain_c4, KM_NEXT_SLOT(ctx, km_slot_connect4));
	bpf_tail_call(ctx, &km_chain_c4, KM_SLOT_COMMIT);
	return 1;
}

static __always_inline int km_next_connect6(struct bpf_sock_addr *ctx)
{
	bpf_tail_call(ctx, &km_chain_c6, KM_NEXT_SLOT(ctx, km_slot_connect6));
	bpf_tail_call(ctx, &km_chain_c6, KM_SLOT_COMMIT);
	return 1;
}

/* Skip the rest of the chain and go straight to commit, e.g. when the destination is
 * not a service: later plugins only act on services, so they need not run at all. */
static __always_inline int km_finish_connect4(struct bpf_sock_addr *ctx)
{
	bpf_tail_call(ctx, &km_chain_c4, KM_SLOT_COMMIT);
	return 1;
}

static __always_inline int km_finish_connect6(struct bpf_sock_addr *ctx)
{
	bpf_tail_call(ctx, &km_chain_c6, KM_SLOT_COMMIT);
	return 1;
}

#if KMESH_ABI_MINOR >= 1
/* ---- ABI 1.1: the sockops chain, the connection record, outlier ejections ---- */

/* What the connect chain decided for a socket it rewrote, kept on the socket itself
 * (socket-local storage: it dies with the socket, nothing to sweep). Written by the core's
 * commit; read-only for plugins. Sockets the chain did not rewrite have none. */
struct km_conn {
	struct km_addr orig;  /* what the application dialed (the service VIP) */
	struct km_addr dest;  /* the endpoint the connect went to */
	__u32 service_id;
	__u32 cluster_id;
	__u32 endpoint_id;
	__u32 flags;          /* none defined yet */
#if KMESH_ABI_MINOR >= 3
	/* ABI 1.3: the core's traffic accounting (same bytes as 1.1's reserved[2]; plugins only
	 * read them). Written by the core's sockops entry, never by the connect chain. */
	__u64 start_ns;       /* when the connection was established, on bpf_ktime_get_ns()'s clock, to the us; 0 before */
	__u32 telemetry;      /* KM_CONN_T_* bits: what the core has counted for this connection */
#if KMESH_ABI_MINOR >= 5
	/* ABI 1.5 (1.3's reserved): a plugin's state for this connection, (owner tag << 8) | state;
	 * 0 = nobody's. Commit zeroes it at every connect. Use the km_conn_mark_* helpers. */
	__u32 mark;
#else
	__u32 reserved;
#endif
#else
	__u64 reserved[2];
#endif
};

#if KMESH_ABI_MINOR >= 3
#define KM_CONN_T_OPENED 0x1       /* established and counted as opened */
#define KM_CONN_T_CLOSED 0x2       /* closed and counted (bytes folded into the totals) */
#define KM_CONN_T_SYN_ACKED 0x4    /* the SYN was in bytes_acked at establishment: subtract it */
#define KM_CONN_T_SYN_RECEIVED 0x8 /* the SYN-ACK was in bytes_received at establishment */
#endif

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct km_conn);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} km_conn SEC(".maps");

/* The sockops chain. The core's entry runs it for every sock_ops event of the cgroup's
 * sockets and turns on state-change callbacks (BPF_SOCK_OPS_STATE_CB) for every socket the
 * connect chain rewrote, so plugins see those connections established and closed. There
 * is no commit: a sockops chain only observes and keeps state. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, KM_CHAIN_SIZE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} km_chain_sops SEC(".maps");

const volatile __u32 km_slot_sockops = KM_SLOT_UNSET;

/* The connection record of the socket a sockops program runs for, or NULL. */
static __always_inline struct km_conn *km_conn_of(struct bpf_sock_ops *ctx)
{
	struct bpf_sock *sk = ctx->sk;

	if (!sk)
		return NULL;
	return bpf_sk_storage_get(&km_conn, sk, 0, 0);
}

#if KMESH_ABI_MINOR >= 5
/* ---- ABI 1.5: a plugin's mark on the connection record ----
 * Allocating socket storage for a connection costs a sockops program more than everything else
 * it does (~1 us a connection, measured), so km_conn carries one word a plugin may own: the
 * first plugin of the sockops chain to set it owns it until it sets it back to 0 (or the socket
 * connects again). The owner is named by km_conn_mark_tag, which the core writes before load:
 * a number derived from the plugin's name, so it is the same across restarts, upgrades and
 * chain orders (a plugin that moved slots still finds its marks). A plugin that finds the word
 * taken must keep its state elsewhere (its own BPF_MAP_TYPE_SK_STORAGE) or go without. */
#define KM_CONN_MARK_STATE 0xffu
const volatile __u32 km_conn_mark_tag = 0;

/* This plugin's state on the connection: > 0 its own, 0 when the word is free, -1 when another
 * plugin owns it. */
static __always_inline int km_conn_mark_get(const struct km_conn *conn)
{
	__u32 mark = conn->mark;

	if (!mark)
		return 0;
	if (!km_conn_mark_tag || (mark >> 8) != km_conn_mark_tag)
		return -1;
	return mark & KM_CONN_MARK_STATE;
}

/* Sets this plugin's state (1..255; 0 gives the word up). Returns 0, or -1 when another plugin
 * owns the word (nothing written). Sockops events of one socket run one at a time (under the
 * socket's lock), so a plain store is enough. */
static __always_inline int km_conn_mark_set(struct km_conn *conn, __u32 state)
{
	if (km_conn_mark_get(conn) < 0 || !km_conn_mark_tag)
		return -1;
	conn->mark = state ? (km_conn_mark_tag << 8) | (state & KM_CONN_MARK_STATE) : 0;
	return 0;
}
#endif

static __always_inline int km_next_sockops(struct bpf_sock_ops *ctx)
{
	bpf_tail_call(ctx, &km_chain_sops, km_slot_sockops + 1);
	return 1;
}

/* Outlier ejections: an endpoint of a cluster that must not get new connects until the
 * time stored (bpf_ktime_get_ns). Written by whoever detects outliers (the circuitbreaker
 * plugin), honoured by whoever picks endpoints (loadbalance); an entry whose time has
 * passed means "back in". */
struct km_endpoint_key {
	__u32 cluster_id;
	__u32 endpoint_id;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct km_endpoint_key);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} km_ejected SEC(".maps");

static __always_inline int km_endpoint_ejected(__u32 cluster_id, __u32 endpoint_id, __u64 now)
{
	struct km_endpoint_key key = { .cluster_id = cluster_id, .endpoint_id = endpoint_id };
	__u64 *until = bpf_map_lookup_elem(&km_ejected, &key);

	return until && *until > now;
}
#endif /* KMESH_ABI_MINOR >= 1 */

#if KMESH_ABI_MINOR >= 2
/* ---- ABI 1.2: the sk_msg chain on the core's sockhash ---- */

#ifndef SK_PASS
#define SK_DROP 0
#define SK_PASS 1
#endif

/* A socket's place in km_socks: its own 4-tuple as that socket sees it (ports in host
 * order; a dual-stack socket's IPv4-mapped addresses as IPv4). Loopback addresses exist once per network namespace, so for them the namespace
 * cookie is part of the key; for any other address it is 0 (addresses are unique on a
 * node, and the peer of a pod's socket lives in another namespace). */
struct km_sock_key {
	__u32 local_ip[4];
	__u32 remote_ip[4];
	__u32 local_port;
	__u32 remote_port;
	__u64 netns;
	__u32 family;
	__u32 pad;
};

/* Sockets a plugin put in (bpf_sock_hash_update from its sockops program). The core attaches
 * its sk_msg entry to this map, so every send on a socket in it runs the sk_msg chain. A
 * socket leaves the map by itself when it closes. */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 65536);
	__type(key, struct km_sock_key);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} km_socks SEC(".maps");

/* The sk_msg chain: each program returns km_next_sk_msg(msg). A program that redirects
 * (bpf_msg_redirect_hash) still ends with km_next_sk_msg: the redirect is recorded in the
 * message, and the chain ends in SK_PASS, which carries it out. Never return SK_DROP for a
 * failed redirect: the message then simply takes the normal path. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, KM_CHAIN_SIZE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} km_chain_msg SEC(".maps");

const volatile __u32 km_slot_sk_msg = KM_SLOT_UNSET;

static __always_inline int km_next_sk_msg(struct sk_msg_md *msg)
{
	bpf_tail_call(msg, &km_chain_msg, km_slot_sk_msg + 1);
	return SK_PASS;
}

static __always_inline int km_is_loopback(__u32 family, const __u32 ip[4])
{
	if (family == AF_INET)
		return (bpf_ntohl(ip[0]) >> 24) == 127;
	return ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] == bpf_htonl(1);
}

static __always_inline int km_is_v4_mapped(const __u32 ip[4])
{
	return ip[0] == 0 && ip[1] == 0 && ip[2] == bpf_htonl(0xffff);
}

/* A dual-stack IPv6 socket talking to an IPv4 peer (::ffff:a.b.c.d on both ends; .NET and
 * Java clients open these by default) gets the key of the IPv4 socket it really is, so that
 * it finds its IPv4 peer and the peer finds it. */
static __always_inline void km_sock_key_unmap(struct km_sock_key *key)
{
	if (key->family != AF_INET6 || !km_is_v4_mapped(key->local_ip) || !km_is_v4_mapped(key->remote_ip))
		return;
	key->family = AF_INET;
	key->local_ip[0] = key->local_ip[3];
	key->remote_ip[0] = key->remote_ip[3];
	key->local_ip[2] = key->local_ip[3] = 0;
	key->remote_ip[2] = key->remote_ip[3] = 0;
}

/* The key of the socket a sockops program runs for. */
static __always_inline void km_sock_key_of_ops(struct bpf_sock_ops *ctx, struct km_sock_key *key)
{
	__builtin_memset(key, 0, sizeof(*key));
	key->family = ctx->family;
	if (ctx->family == AF_INET) {
		key->local_ip[0] = ctx->local_ip4;
		key->remote_ip[0] = ctx->remote_ip4;
	} else {
		key->local_ip[0] = ctx->local_ip6[0];
		key->local_ip[1] = ctx->local_ip6[1];
		key->local_ip[2] = ctx->local_ip6[2];
		key->local_ip[3] = ctx->local_ip6[3];
		key->remote_ip[0] = ctx->remote_ip6[0];
		key->remote_ip[1] = ctx->remote_ip6[1];
		key->remote_ip[2] = ctx->remote_ip6[2];
		key->remote_ip[3] = ctx->remote_ip6[3];
	}
	key->local_port = ctx->local_port;
	key->remote_port = bpf_ntohl(ctx->remote_port);
	km_sock_key_unmap(key);
	if (km_is_loopback(key->family, key->remote_ip))
		key->netns = bpf_get_netns_cookie(ctx);
}

/* The key of the peer of the socket an sk_msg program runs for: the same 4-tuple, mirrored. */
static __always_inline void km_peer_key_of_msg(struct sk_msg_md *msg, struct km_sock_key *key)
{
	__builtin_memset(key, 0, sizeof(*key));
	key->family = msg->family;
	if (msg->family == AF_INET) {
		key->local_ip[0] = msg->remote_ip4;
		key->remote_ip[0] = msg->local_ip4;
	} else {
		key->local_ip[0] = msg->remote_ip6[0];
		key->local_ip[1] = msg->remote_ip6[1];
		key->local_ip[2] = msg->remote_ip6[2];
		key->local_ip[3] = msg->remote_ip6[3];
		key->remote_ip[0] = msg->local_ip6[0];
		key->remote_ip[1] = msg->local_ip6[1];
		key->remote_ip[2] = msg->local_ip6[2];
		key->remote_ip[3] = msg->local_ip6[3];
	}
	key->local_port = bpf_ntohl(msg->remote_port);
	key->remote_port = msg->local_port;
	km_sock_key_unmap(key);
	if (km_is_loopback(key->family, key->local_ip))
		key->netns = bpf_get_netns_cookie(msg);
}
#endif /* KMESH_ABI_MINOR >= 2 */

/* Every chain object says which ABI it was built for; the core reads this before load
 * and refuses another major. Put `KMESH_OBJECT();` once in each object. */
#define KMESH_OBJECT()                                                                \
	char _license[] SEC("license") = "Dual BSD/GPL";                              \
	const volatile __u32 km_abi_version = (KMESH_ABI_MAJOR << 16) | KMESH_ABI_MINOR

#endif /* KMESH_CHAIN_H */
