// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Same-node acceleration: a connection between two local workloads skips the TCP/IP stack.
 * Both of its sockets go into the core's sockhash km_socks, and each send is redirected
 * straight into the peer socket's receive queue (bpf_msg_redirect_hash, BPF_F_INGRESS).
 *
 * Which connections (sockops):
 *  - a listener of a governed cgroup registers itself at listen() (acc_listeners), so that
 *    the mesh knows which destinations are local; one that listened before the daemon
 *    started is learnt from the first SYN it receives (acc_seen_servers);
 *  - the client end goes in when its connection is established to a registered local
 *    listener: one the mesh routed (it carries km_conn; unless its service or cluster opted
 *    out) and one dialing a local workload's own address alike (a pod IP, as clients of
 *    headless services and StatefulSets do, or loopback), since both ends are workloads of
 *    this node either way;
 *  - the server end goes in when the connection is established and its peer, the client
 *    end, went in before it (acc_clients). So a connection with a remote end is never
 *    redirected: a redirect needs the peer in km_socks, and only local sockets ever are.
 * Sockets leave km_socks by themselves when they close; listeners leave acc_listeners when
 * they close.
 */
#include "accelerate.h"

KMESH_OBJECT();

#define ACC_TCP_CLOSE 7
#define ACC_TCP_LISTEN 10

/* Opted-out services and clusters (metadata kmesh.accelerate = false): written by the translator. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} acc_optout_services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} acc_optout_clusters SEC(".maps");

/* Opted-out workload cgroups (kmesh run --plugin-arg accelerate.exclude-cgroup=DIR), by cgroup
 * id: a process in one of them or below it is never accelerated, as a client or a server. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} acc_optout_cgroups SEC(".maps");

/* Client sockets whose process was in an opted-out cgroup at connect(): the decision is taken
 * in the connect() call, where the current task is the client; established comes later, in
 * whatever context the SYN-ACK arrives in. */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u8);
} acc_opted_out SEC(".maps");

#define ACC_MAX_CGROUP_DEPTH 16

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct acc_settings);
} acc_settings SEC(".maps");

/* Server addresses of this node seen receiving a SYN (a listener of a governed cgroup that
 * was already listening when the daemon started has no acc_listeners entry). LRU: a server
 * that went away is forgotten in time; until then a client of its address is put into
 * km_socks for nothing, which costs a little and breaks nothing (no peer, no redirect). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct acc_listen_key);
	__type(value, __u8);
} acc_seen_servers SEC(".maps");

/* Local listeners, counted: a node-wide wildcard key is shared by every namespace that listens
 * on the port. Runtime state. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct acc_listen_key);
	__type(value, __u32);
} acc_listeners SEC(".maps");

/* Client ends put into km_socks whose server end has not come yet, by the client's key. The
 * server end looks for its peer here (a sockops program may not hold a socket reference,
 * so it cannot look into km_socks itself). LRU: a client whose server never arrives (it
 * went away between listen and accept) is forgotten in time. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct km_sock_key);
	__type(value, __u8);
} acc_clients SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ACC__COUNT);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} acc_counters SEC(".maps");

static __always_inline void acc_count(__u32 counter, __u64 amount)
{
	__u64 *value = bpf_map_lookup_elem(&acc_counters, &counter);

	if (value)
		*value += amount;
}

static __always_inline int acc_is_zero(const __u32 ip[4])
{
	return (ip[0] | ip[1] | ip[2] | ip[3]) == 0;
}

/* Is the current task in an opted-out cgroup, or below one? Only valid in process context
 * (listen(), connect()). */
static __always_inline int acc_task_opted_out(void)
{
	int level;

	for (level = 0; level < ACC_MAX_CGROUP_DEPTH; level++) {
		__u64 id = bpf_get_current_ancestor_cgroup_id(level);

		if (!id)
			return 0;
		if (bpf_map_lookup_elem(&acc_optout_cgroups, &id))
			return 1;
	}
	return 0;
}

/* ---- listeners ---- */

static __always_inline void acc_listen_key_of(struct bpf_sock_ops *ctx, struct acc_listen_key *key)
{
	struct km_sock_key sock;

	km_sock_key_of_ops(ctx, &sock);
	__builtin_memset(key, 0, sizeof(*key));
	__builtin_memcpy(key->ip, sock.local_ip, sizeof(key->ip));
	key->port = sock.local_port;
	key->family = sock.family;
	if (km_is_loopback(key->family, key->ip) || acc_is_zero(key->ip))
		key->netns = bpf_get_netns_cookie(ctx);
}

static __always_inline void acc_listener_add(struct acc_listen_key *key)
{
	__u32 one = 1, *count = bpf_map_lookup_elem(&acc_listeners, key);

	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(&acc_listeners, key, &one, BPF_NOEXIST);
}

static __always_inline void acc_listener_remove(struct acc_listen_key *key)
{
	__u32 *count = bpf_map_lookup_elem(&acc_listeners, key);

	if (!count)
		return;
	if (__sync_fetch_and_add(count, -1) <= 1)
		bpf_map_delete_elem(&acc_listeners, key);
}

/* A wildcard listener answers in its own namespace (netns key) and, for pod addresses,
 * node-wide (netns 0); a specific address only under its own key. */
static __always_inline void acc_listener_changed(struct bpf_sock_ops *ctx, int listening)
{
	struct acc_listen_key key;

	acc_listen_key_of(ctx, &key);
	if (listening)
		acc_listener_add(&key);
	else
		acc_listener_remove(&key);
	if (!acc_is_zero(key.ip))
		return;
	key.netns = 0;
	if (listening)
		acc_listener_add(&key);
	else
		acc_listener_remove(&key);
}

/* Is the client socket's destination a listener of a governed cgroup on this node? The
 * socket key carries the client's namespace for a loopback destination (a loopback listener
 * is only reachable from its own namespace) and 0 otherwise, as listener keys do.
 *
 * A node-wide wildcard key (0.0.0.0:port, netns 0) says only that some namespace listens on
 * the port, not at which address; any address dialed on that port matches it. For a
 * connection the mesh routed, the address is an endpoint of the service, so that guess costs
 * little. A client dialing an address of its own choosing (exact_only) may be going anywhere:
 * to an external host on port 443, say, where in km_socks each of its sends would run the
 * sk_msg chain for nothing; or to an opted-out server that shares its port with a governed
 * wildcard listener elsewhere, whose accepted socket would then find its client in acc_clients.
 * So for those only exact addresses count: a listener registered on that address, or the
 * address a local listener was seen receiving the SYN on (acc_server_seen, which ran before
 * the client is established). */
static __always_inline int acc_destination_is_local(struct km_sock_key *sock, int exact_only)
{
	struct acc_listen_key key = {};

	__builtin_memcpy(key.ip, sock->remote_ip, sizeof(key.ip));
	key.port = sock->remote_port;
	key.family = sock->family;
	key.netns = sock->netns;
	if (bpf_map_lookup_elem(&acc_listeners, &key))
		return 1;
	if (bpf_map_lookup_elem(&acc_seen_servers, &key))
		return 1;
	/* A loopback key carries the client's namespace, so a wildcard key of that namespace is
	 * exact enough: the listener is there, on every address, loopback included. */
	if (exact_only && !key.netns)
		return 0;
	__builtin_memset(key.ip, 0, sizeof(key.ip));
	if (bpf_map_lookup_elem(&acc_listeners, &key))
		return 1;
	/* A dual-stack [::] listener takes IPv4 connects too. */
	key.family = AF_INET6;
	return bpf_map_lookup_elem(&acc_listeners, &key) != NULL;
}

/* A SYN reached a listener of a governed cgroup (the op runs for the request socket, in the
 * listener's cgroup, before the SYN-ACK leaves, hence before the client is established):
 * remember its address as a local server. Skipped when workload cgroups opted out, because
 * here, in softirq, the listener's cgroup cannot be told (a listener known from listen() was
 * judged there). */
static __always_inline void acc_server_seen(struct bpf_sock_ops *ctx)
{
	struct acc_listen_key key = {};
	struct acc_settings *settings;
	struct km_sock_key sock;
	__u32 zero = 0;
	__u8 one = 1;

	settings = bpf_map_lookup_elem(&acc_settings, &zero);
	if (ctx->is_fullsock || (settings && settings->excluded_cgroups))
		return;
	km_sock_key_of_ops(ctx, &sock);
	__builtin_memcpy(key.ip, sock.local_ip, sizeof(key.ip));
	key.port = sock.local_port;
	key.family = sock.family;
	key.netns = sock.netns;
	bpf_map_update_elem(&acc_seen_servers, &key, &one, BPF_ANY);
}

/* ---- connections ---- */

static __always_inline void acc_mark_if_opted_out(struct bpf_sock_ops *ctx)
{
	struct bpf_sock *sk = ctx->sk;

	if (sk && acc_task_opted_out())
		bpf_sk_storage_get(&acc_opted_out, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
}

static __always_inline void acc_client_established(struct bpf_sock_ops *ctx)
{
	struct km_conn *conn;
	struct bpf_sock *sk = ctx->sk;
	struct km_sock_key key;

	if (!sk)
		return;
	if (bpf_sk_storage_get(&acc_opted_out, sk, 0, 0))
		return;
	/* No km_conn: the client dialed an address of its own choosing, no service was involved,
	 * so only the workload opt-out (above) applies. */
	conn = km_conn_of(ctx);
	if (conn && (bpf_map_lookup_elem(&acc_optout_services, &conn->service_id) ||
		     bpf_map_lookup_elem(&acc_optout_clusters, &conn->cluster_id)))
		return;
	__u8 one = 1;

	km_sock_key_of_ops(ctx, &key);
	if (!acc_destination_is_local(&key, !conn))
		return;
	if (bpf_sock_hash_update(ctx, &km_socks, &key, BPF_NOEXIST) == 0)
		bpf_map_update_elem(&acc_clients, &key, &one, BPF_ANY);
}

static __always_inline void acc_server_established(struct bpf_sock_ops *ctx)
{
	struct km_sock_key key, peer;

	km_sock_key_of_ops(ctx, &key);
	__builtin_memcpy(&peer, &key, sizeof(peer));
	__builtin_memcpy(peer.local_ip, key.remote_ip, sizeof(peer.local_ip));
	__builtin_memcpy(peer.remote_ip, key.local_ip, sizeof(peer.remote_ip));
	peer.local_port = key.remote_port;
	peer.remote_port = key.local_port;
	if (!bpf_map_lookup_elem(&acc_clients, &peer))
		return; /* the client is remote, outside the governed cgroup, not local-bound, or opted out */
	bpf_map_delete_elem(&acc_clients, &peer);
	if (bpf_sock_hash_update(ctx, &km_socks, &key, BPF_NOEXIST) == 0)
		acc_count(ACC_CONNECTIONS, 1);
}

SEC("sockops")
int accelerate_sockops(struct bpf_sock_ops *ctx)
{
	switch (ctx->op) {
	case BPF_SOCK_OPS_TCP_LISTEN_CB:
		if (acc_task_opted_out())
			break; /* unregistered: no client treats it as local */
		acc_listener_changed(ctx, 1);
		bpf_sock_ops_cb_flags_set(ctx, ctx->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_STATE_CB_FLAG);
		break;
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		acc_mark_if_opted_out(ctx);
		break;
	case BPF_SOCK_OPS_TIMEOUT_INIT:
		acc_server_seen(ctx);
		break;
	case BPF_SOCK_OPS_STATE_CB:
		if (ctx->args[0] == ACC_TCP_LISTEN && ctx->args[1] == ACC_TCP_CLOSE)
			acc_listener_changed(ctx, 0);
		break;
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		acc_client_established(ctx);
		break;
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		acc_server_established(ctx);
		break;
	}
	return km_next_sockops(ctx);
}

SEC("sk_msg")
int accelerate_sk_msg(struct sk_msg_md *msg)
{
	struct km_sock_key peer;

	km_peer_key_of_msg(msg, &peer);
	if (bpf_msg_redirect_hash(msg, &km_socks, &peer, BPF_F_INGRESS) == SK_PASS) {
		acc_count(ACC_MESSAGES, 1);
		acc_count(ACC_BYTES, msg->size);
	}
	return km_next_sk_msg(msg);
}
