/*
 * The tests' register table (abi_regs.h), expanded from the ABI header.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "abi_regs.h"

struct abi_reg {
    const char *name;
    uint32_t offset;
    unsigned dwords;
    enum mypci_access access;
    enum mypci_reset_rule rule;
    uint32_t value;
};

#define ABI_REG_ROW_(n, o, w, a, r, v)                                         \
    {#n, o, (w) / 32, MYPCI_ACC_##a, MYPCI_RV_##r, v},
static const struct abi_reg regs[] = {MYPCI_ABI_REGS(ABI_REG_ROW_)};
#undef ABI_REG_ROW_

#define NREGS (sizeof(regs) / sizeof(regs[0]))

#define ABI_REG_DWORDS_(n, o, w, a, r, v) +(w) / 32
_Static_assert(0 MYPCI_ABI_REGS(ABI_REG_DWORDS_) <= ABI_MAX_DWORDS,
               "ABI_MAX_DWORDS holds every register's dwords");
#undef ABI_REG_DWORDS_

static const struct abi_reg *reg_at(uint32_t offset)
{
    for (size_t i = 0; i < NREGS; i++) {
        if (offset >= regs[i].offset &&
            offset < regs[i].offset + 4 * regs[i].dwords) {
            return &regs[i];
        }
    }
    return NULL;
}

static bool in_class(const struct abi_reg *r, enum abi_dword_class c)
{
    switch (c) {
    case ABI_DW_DEFINED:
        return true;
    case ABI_DW_STATE:
        /* §3: CONTROL "reads 0", write-only registers read 0. */
        return r->access != MYPCI_ACC_WO && r->offset != MYPCI_REG_CONTROL;
    case ABI_DW_RO:
        return r->access == MYPCI_ACC_RO;
    case ABI_DW_WRITABLE:
        return r->access == MYPCI_ACC_RW || r->access == MYPCI_ACC_WO;
    }
    return false;
}

size_t abi_dwords(enum abi_dword_class c, uint32_t out[ABI_MAX_DWORDS])
{
    size_t n = 0;

    for (size_t i = 0; i < NREGS; i++) {
        if (!in_class(&regs[i], c)) {
            continue;
        }
        for (unsigned d = 0; d < regs[i].dwords; d++) {
            out[n++] = regs[i].offset + 4 * d;
        }
    }
    return n;
}

bool abi_dword_is(enum abi_dword_class c, uint32_t offset)
{
    const struct abi_reg *r = offset % 4 == 0 ? reg_at(offset) : NULL;

    return r && in_class(r, c);
}

bool abi_dword_reset(uint32_t offset, uint32_t scratch, uint32_t *value)
{
    const struct abi_reg *r = offset % 4 == 0 ? reg_at(offset) : NULL;

    if (!r) {
        return false;
    }
    switch (r->rule) {
    case MYPCI_RV_FIXED:
        /* A 64-bit register's reset value is 0 (§3); halves alike. */
        *value = offset == r->offset ? r->value : 0;
        return true;
    case MYPCI_RV_SCRATCH:
        *value = scratch;
        return true;
    case MYPCI_RV_NOT_SCRATCH:
        *value = ~scratch;
        return true;
    case MYPCI_RV_FEATURES:
    case MYPCI_RV_NONE:
        break;
    }
    return false;
}

const char *abi_reg_name(uint32_t offset)
{
    const struct abi_reg *r = reg_at(offset);

    return r ? r->name : "?";
}
