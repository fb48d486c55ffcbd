/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The circuit breaker's maps: two the core writes from the config, four the kernel keeps. */
#ifndef KMESH_CB_MAPS_H
#define KMESH_CB_MAPS_H

#include "circuitbreaker.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	/* Read on every connect, written only by the core: not preallocated, see rt_routes (routing.bpf.c). */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct cb_limits);
} cb_limits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct cb_outlier);
} cb_outlier SEC(".maps");

/* Connections per cluster, for every cluster (with limits or not), so that a limit added
 * later starts from the truth. Pinned so that operators and tests can read it. Never
 * deleted: cluster ids are never reused, and live sockets of a removed cluster must still
 * find their counter when they close. Counted up and down only for sockets whose km_conn mark
 * says so: a version that keeps its marks elsewhere must change this layout, so that an
 * upgraded plugin never counts down on a counter what it did not count up. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct cb_conns);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cb_conns SEC(".maps");

/* Least recently used endpoints go first when it is full: they lose only their failure
 * count and ejection multiplier. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct km_endpoint_key);
	__type(value, struct cb_endpoint);
} cb_endpoints SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct cb_ejections);
} cb_ejections SEC(".maps");

/* Never written: the zero bytes a new cb_ejections entry is copied from. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cb_ejections_blank);
} cb_blank SEC(".maps");

#endif
