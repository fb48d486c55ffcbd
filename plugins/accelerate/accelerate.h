/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Map layouts of the acceleration plugin; mirrored in AccelerateMaps.cs. */
#ifndef KMESH_ACCELERATE_H
#define KMESH_ACCELERATE_H

#include <kmesh/chain.h>

/* Counters, by index into acc_counters (names in kmesh-plugin.json). */
enum acc_counter {
	ACC_CONNECTIONS = 0, /* connections whose both ends were put into km_socks */
	ACC_MESSAGES = 1,    /* sends redirected straight into the peer socket */
	ACC_BYTES = 2,       /* bytes of those sends */
	ACC__COUNT = 3,
};

/* A listening socket of a governed cgroup on this node: what a client connect to it dials.
 * ip all zero = a wildcard listener. netns: the listener's namespace cookie for loopback
 * and for the namespace-local view of a wildcard listener, 0 for the node-wide view. */
struct acc_listen_key {
	__u32 ip[4];
	__u32 port;   /* host order */
	__u32 family;
	__u64 netns;
};

/* Settings the translator writes (one entry, key 0). */
struct acc_settings {
	__u32 excluded_cgroups; /* how many workload cgroups opted out */
	__u32 reserved;
};

#endif
