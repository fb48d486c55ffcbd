// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * getpeername() on a socket whose connect the chain rewrote returns the VIP:port the
 * application dialed, not the endpoint: applications (and their logs, TLS SNI checks,
 * allow-lists) keep seeing the service they asked for.
 */
#include "core_maps.h"

KMESH_OBJECT();

static __always_inline struct km_addr *km_dialed(struct bpf_sock_addr *ctx, __u16 family)
{
	struct bpf_sock *sk = ctx->sk;
	struct km_conn *conn;

	if (!sk)
		return NULL;
	conn = bpf_sk_storage_get(&km_conn, sk, 0, 0);
	return conn && conn->orig.family == family ? &conn->orig : NULL;
}

SEC("cgroup/getpeername4")
int km_peer4(struct bpf_sock_addr *ctx)
{
	struct km_addr *vip = km_dialed(ctx, AF_INET);

	if (vip) {
		ctx->user_ip4 = vip->addr[0];
		ctx->user_port = vip->port;
	}
	return 1;
}

SEC("cgroup/getpeername6")
int km_peer6(struct bpf_sock_addr *ctx)
{
	struct km_addr *vip = km_dialed(ctx, AF_INET6);

	if (vip) {
		ctx->user_ip6[0] = vip->addr[0];
		ctx->user_ip6[1] = vip->addr[1];
		ctx->user_ip6[2] = vip->addr[2];
		ctx->user_ip6[3] = vip->addr[3];
		ctx->user_port = vip->port;
	}
	return 1;
}
