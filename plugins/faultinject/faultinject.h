/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Map layouts of the fault-injection plugin; mirrored in FaultEntry.cs (checked against BTF). */
#ifndef KMESH_FAULTINJECT_H
#define KMESH_FAULTINJECT_H

#include <kmesh/chain.h>

/* Shares are in parts per million: every FractionalPercent denominator (HUNDRED,
 * TEN_THOUSAND, MILLION) converts to it exactly. */
#define FI_MILLION 1000000u

/* The fault of one service (key: km_ctx.service_id, i.e. the listener routing matched,
 * so every address of the listener shares it, as in Envoy). */
struct fi_fault {
	__u32 abort_per_million; /* share of new connects refused with KM_ERRNO_FAULT */
	__u32 flags;             /* reserved */
};

#endif
