// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Version 2 of the gate fixture: the same program, gate_open's value with the extra field. */
#define GATE_V2 1
#include "../gate/gate.bpf.c"
