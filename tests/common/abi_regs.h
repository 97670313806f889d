/*
 * The one register table of the tests: the conformance suite, the core's
 * unit tests and its fuzz harness all ask it which BAR0 dwords exist, hold
 * state, are read-only or writable, and what each reads after reset. It is
 * built only from the pinned ABI header (include/mypci/abi.h, ABI §3), never
 * from the device's state. A 64-bit register counts as two dwords.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef ABI_REGS_H
#define ABI_REGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mypci/abi.h"

enum abi_dword_class {
    ABI_DW_DEFINED,  /* every register */
    ABI_DW_STATE,    /* a read returns its value: RO and RW but CONTROL */
    ABI_DW_RO,       /* read-only */
    ABI_DW_WRITABLE, /* RW and WO */
};

/* More than the dwords of every register in §3. */
#define ABI_MAX_DWORDS 32

/* Fills out with the dword offsets of class c, lowest first; their count. */
size_t abi_dwords(enum abi_dword_class c, uint32_t out[ABI_MAX_DWORDS]);

bool abi_dword_is(enum abi_dword_class c, uint32_t offset);

/*
 * The value the dword at offset reads after any reset (§3 reset column,
 * §7), given the scratch property; false where §3 gives none (write-only
 * registers, FEATURES, offsets of no register).
 */
bool abi_dword_reset(uint32_t offset, uint32_t scratch, uint32_t *value);

/* The §3 name of the register holding offset, "?" if none. */
const char *abi_reg_name(uint32_t offset);

#endif
