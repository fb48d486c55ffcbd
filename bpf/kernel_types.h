/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The few kernel structures the core's telemetry reads, declared for CO-RE: only the fields we
 * use, each relocated by libbpf against the running kernel's BTF (/sys/kernel/btf/vmlinux), so
 * no vmlinux.h is needed and kernel layout changes do not matter.
 */
#ifndef KMESH_KERNEL_TYPES_H
#define KMESH_KERNEL_TYPES_H

#include <linux/types.h>

#define KM_CO_RE __attribute__((preserve_access_index))

/* include/net/tcp_states.h: stable since the beginning (they are on the wire in inet_diag). */
#define KM_TCP_ESTABLISHED 1
#define KM_TCP_FIN_WAIT1 4
#define KM_TCP_FIN_WAIT2 5
#define KM_TCP_TIME_WAIT 6
#define KM_TCP_CLOSE 7
#define KM_TCP_CLOSE_WAIT 8
#define KM_TCP_LAST_ACK 9
#define KM_TCP_CLOSING 11

/* enum sock_flags: SOCK_DEAD, SOCK_DONE, ... (SOCK_DONE: the peer's FIN was taken in order). */
#define KM_SOCK_DONE 1

struct sock_common {
	unsigned char skc_state;
	unsigned long skc_flags; /* sock's sk_flags is this field (a #define in include/net/sock.h) */
} KM_CO_RE;

struct sock {
	struct sock_common __sk_common;
} KM_CO_RE;

struct inet_sock {
	struct sock sk;
} KM_CO_RE;

struct inet_connection_sock {
	struct inet_sock icsk_inet;
} KM_CO_RE;

struct tcp_sock {
	struct inet_connection_sock inet_conn;
	__u32 snd_una;
	__u32 write_seq;
	__u64 bytes_received;
	__u64 bytes_acked;
	__u64 tcp_mstamp; /* us, the clock of bpf_ktime_get_ns (tcp_clock_ns): refreshed per segment processed */
} KM_CO_RE;

#endif
