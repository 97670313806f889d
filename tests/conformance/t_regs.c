/*
 * ABI §3: every BAR0 register rule through the VFIO mmap of the register
 * page: RO/RW/WO, INVERT, FEATURES, undefined bits, 1/2-byte and unknown
 * offsets ignored, 8-byte accesses as two 4-byte ones (lower first).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "conformance.h"

/* A read of every dword that holds state (abi_regs.h). */
struct snap {
    uint32_t off[ABI_MAX_DWORDS];
    uint32_t val[ABI_MAX_DWORDS];
    size_t n;
};

static void snapshot(struct snap *s)
{
    s->n = abi_dwords(ABI_DW_STATE, s->off);
    for (size_t i = 0; i < s->n; i++) {
        s->val[i] = mypci_read32(ct_m, s->off[i]);
    }
}

/* Fails naming the first register that changed. */
static void expect_unchanged(const struct snap *before, const char *clause,
                             const char *after_what, uint32_t where)
{
    struct snap now;

    snapshot(&now);
    for (size_t i = 0; i < now.n; i++) {
        ABI_EQ_CTX(clause, before->val[i], now.val[i],
                   "register %#x changed after %s at %#x", now.off[i],
                   after_what, where);
    }
}

/* Puts some non-reset state in place so that "unchanged" means something. */
static void make_state(void)
{
    mypci_write32(ct_m, MYPCI_REG_SCRATCH, 0x13572468);
    mypci_write32(ct_m, MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_DMA_ERROR);
    mypci_write32(ct_m, MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    mypci_write64(ct_m, MYPCI_REG_DMA_SRC, 0x0102030405060708ull);
    mypci_write64(ct_m, MYPCI_REG_DMA_DST, 0x1112131415161718ull);
    mypci_write32(ct_m, MYPCI_REG_DMA_LEN, 0x2122);
}

START_TEST(regs_id_version)
{
    ABI_EQ("§3 ID", MYPCI_ID_VALUE, mypci_read32(ct_m, MYPCI_REG_ID));
    ABI_EQ("§3 VERSION (1.0)", 0x00010000,
           mypci_read32(ct_m, MYPCI_REG_VERSION));
}
END_TEST

/*
 * Every register at its §3 reset value, from the ABI's table; the suite runs
 * with the scratch property 0.
 */
void ct_expect_registers_reset(const char *clause)
{
    uint32_t off[ABI_MAX_DWORDS], want;
    size_t n = abi_dwords(ABI_DW_DEFINED, off);

    for (size_t i = 0; i < n; i++) {
        if (abi_dword_reset(off[i], 0, &want)) {
            ABI_EQ_CTX(clause, want, mypci_read32(ct_m, off[i]),
                       "register %s (%#x)", abi_reg_name(off[i]), off[i]);
        }
    }
}

START_TEST(regs_reset_values)
{
    /* As vfio-pci does when it opens the device (the fixture keeps it open). */
    ct_function_reset();
    ct_expect_registers_reset("§3 reset value (scratch property 0)");
}
END_TEST

START_TEST(regs_scratch_invert)
{
    static const uint32_t values[] = {0, 0xffffffffu, 0x12345678, 0xa5a5a5a5,
                                      0x80000001};

    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        mypci_write32(ct_m, MYPCI_REG_SCRATCH, values[i]);
        ABI_EQ("§3 SCRATCH RW", values[i],
               mypci_read32(ct_m, MYPCI_REG_SCRATCH));
        ABI_EQ_CTX("§3 INVERT", ~values[i],
                   mypci_read32(ct_m, MYPCI_REG_INVERT), "SCRATCH=%#x",
                   values[i]);
    }
}
END_TEST

START_TEST(regs_readonly_ignore_writes)
{
    uint32_t ro[ABI_MAX_DWORDS];
    size_t nro = abi_dwords(ABI_DW_RO, ro);
    struct snap before;

    make_state();
    snapshot(&before);
    for (size_t i = 0; i < nro; i++) {
        mypci_write32(ct_m, ro[i], 0x5a5a5a5a);
        expect_unchanged(&before, "§3 RO register ignores writes",
                         "a 4-byte write", ro[i]);
    }
}
END_TEST

START_TEST(regs_features)
{
    uint32_t f = mypci_read32(ct_m, MYPCI_REG_FEATURES);
    unsigned log2 = 0;

    while ((1ull << log2) < ct_dev->regions[2].size) {
        log2++;
    }
    ABI_TRUE("§3 FEATURES bit 0 INTx", f & MYPCI_FEATURE_INTX, "FEATURES %#x",
             f);
    ABI_TRUE("§3 FEATURES bit 3 DMA engine", f & MYPCI_FEATURE_DMA,
             "FEATURES %#x", f);
    ABI_EQ("§3 FEATURES bits 23:16 = log2(BAR2 size)", log2, (f >> 16) & 0xff);
    ABI_EQ("§3 FEATURES undefined bits read 0", 0, f & 0xff00fff0u);
    ABI_EQ("§3 FEATURES bit 1 = MSI capability present", ct_m->msi_cap != 0,
           !!(f & MYPCI_FEATURE_MSI));
    ABI_EQ("§3 FEATURES bit 2 = MSI-X capability present", ct_m->msix_cap != 0,
           !!(f & MYPCI_FEATURE_MSIX));
}
END_TEST

START_TEST(regs_write_only_read_zero)
{
    static const uint32_t wo[] = {MYPCI_REG_IRQ_RAISE, MYPCI_REG_IRQ_ACK,
                                  MYPCI_REG_DMA_CMD, MYPCI_REG_CONTROL};

    make_state();
    for (size_t i = 0; i < sizeof(wo) / sizeof(wo[0]); i++) {
        ABI_EQ_CTX("§3 write-only registers (and CONTROL.RESET) read 0", 0,
                   mypci_read32(ct_m, wo[i]), "register %#x", wo[i]);
    }
}
END_TEST

START_TEST(regs_control_other_bits)
{
    struct snap before;

    make_state();
    snapshot(&before);
    mypci_write32(ct_m, MYPCI_REG_CONTROL, ~MYPCI_CONTROL_RESET);
    expect_unchanged(&before, "§3 CONTROL: only bit 0 resets",
                     "writing CONTROL", ~MYPCI_CONTROL_RESET);
    ABI_EQ("§3 CONTROL undefined bits read 0", 0,
           mypci_read32(ct_m, MYPCI_REG_CONTROL));
}
END_TEST

START_TEST(regs_undefined_bits)
{
    mypci_write32(ct_m, MYPCI_REG_IRQ_ENABLE, 0xffffffffu);
    ABI_EQ("§3 IRQ_ENABLE defines bits 2:0 only", MYPCI_IRQ_ALL,
           mypci_read32(ct_m, MYPCI_REG_IRQ_ENABLE));
    mypci_write32(ct_m, MYPCI_REG_IRQ_ENABLE, 0);
    mypci_write32(ct_m, MYPCI_REG_IRQ_RAISE, 0xfffffff8u);
    ABI_EQ("§3 IRQ_RAISE of undefined bits sets nothing", 0,
           mypci_read32(ct_m, MYPCI_REG_IRQ_STATUS));
    mypci_write32(ct_m, MYPCI_REG_IRQ_RAISE, 0xffffffffu);
    ABI_EQ("§3 IRQ_STATUS defines bits 2:0 only", MYPCI_IRQ_ALL,
           mypci_read32(ct_m, MYPCI_REG_IRQ_STATUS));
    mypci_write32(ct_m, MYPCI_REG_IRQ_ACK, MYPCI_IRQ_SOFT);
    ABI_EQ("§3 IRQ_ACK clears only the bits written",
           MYPCI_IRQ_DMA_DONE | MYPCI_IRQ_DMA_ERROR,
           mypci_read32(ct_m, MYPCI_REG_IRQ_STATUS));
    mypci_write32(ct_m, MYPCI_REG_DMA_LEN, 0xffffffffu);
    ABI_EQ("§3 DMA_LEN is a full 32-bit RW register", 0xffffffffu,
           mypci_read32(ct_m, MYPCI_REG_DMA_LEN));
}
END_TEST

START_TEST(regs_dma_address_halves)
{
    mypci_write64(ct_m, MYPCI_REG_DMA_SRC, 0x8877665544332211ull);
    ABI_EQ("§3 DMA_SRC low half", 0x44332211,
           mypci_read32(ct_m, MYPCI_REG_DMA_SRC));
    ABI_EQ("§3 DMA_SRC high half", 0x88776655,
           mypci_read32(ct_m, MYPCI_REG_DMA_SRC + 4));
    mypci_write32(ct_m, MYPCI_REG_DMA_DST, 0xdeadbeef);
    mypci_write32(ct_m, MYPCI_REG_DMA_DST + 4, 0xfeedface);
    ABI_EQ("§3 DMA_DST written as halves, read whole", 0xfeedfacedeadbeefull,
           mypci_read64(ct_m, MYPCI_REG_DMA_DST));
    mypci_write32(ct_m, MYPCI_REG_DMA_DST + 4, 0);
    ABI_EQ("§3 a 4-byte write replaces only its half", 0xdeadbeef,
           mypci_read64(ct_m, MYPCI_REG_DMA_DST));
}
END_TEST

START_TEST(regs_narrow_access_ignored)
{
    uint32_t defined[ABI_MAX_DWORDS];
    size_t ndefined = abi_dwords(ABI_DW_DEFINED, defined);
    struct snap before;

    make_state();
    snapshot(&before);
    for (size_t i = 0; i < ndefined; i++) {
        uint32_t reg = defined[i];

        for (uint32_t b = 0; b < 4; b++) {
            ABI_EQ_CTX("§3 1-byte reads return 0", 0,
                       mypci_read8(ct_m, reg + b), "offset %#x", reg + b);
        }
        ABI_EQ_CTX("§3 2-byte reads return 0", 0, mypci_read16(ct_m, reg),
                   "offset %#x", reg);
        ABI_EQ_CTX("§3 2-byte reads return 0", 0, mypci_read16(ct_m, reg + 2),
                   "offset %#x", reg + 2);
        /* 0xff would reset, start DMA, raise or ack if not ignored. */
        for (uint32_t b = 0; b < 4; b++) {
            mypci_write8(ct_m, reg + b, 0xff);
        }
        mypci_write16(ct_m, reg, 0xffff);
        mypci_write16(ct_m, reg + 2, 0xffff);
        expect_unchanged(&before, "§3 1/2-byte writes are ignored",
                         "1- and 2-byte writes", reg);
    }
}
END_TEST

START_TEST(regs_unknown_offsets)
{
    struct snap before;

    make_state();
    snapshot(&before);
    for (uint32_t off = 0; off < MYPCI_REG_PAGE_SIZE; off += 4) {
        if (abi_dword_is(ABI_DW_DEFINED, off)) {
            continue;
        }
        ABI_EQ_CTX("§3 unknown offsets read 0", 0, mypci_read32(ct_m, off),
                   "offset %#x", off);
        mypci_write32(ct_m, off, 0xffffffffu);
    }
    expect_unchanged(&before, "§3 writes to unknown offsets are ignored",
                     "writes to every unknown offset", 0);
    for (uint32_t off = 0x68; off < MYPCI_REG_PAGE_SIZE; off += 8) {
        ABI_EQ_CTX("§3 unknown offsets read 0 (8-byte)", 0,
                   mypci_read64(ct_m, off), "offset %#x", off);
    }
}
END_TEST

START_TEST(regs_8byte_read)
{
    mypci_write32(ct_m, MYPCI_REG_SCRATCH, 0x0badf00d);
    ABI_EQ("§3 8-byte read of ID+VERSION",
           (uint64_t)MYPCI_VERSION_VALUE << 32 | MYPCI_ID_VALUE,
           mypci_read64(ct_m, MYPCI_REG_ID));
    ABI_EQ("§3 8-byte read of SCRATCH+INVERT",
           (uint64_t)~0x0badf00du << 32 | 0x0badf00d,
           mypci_read64(ct_m, MYPCI_REG_SCRATCH));
    ABI_EQ("§3 8-byte read of FEATURES+CONTROL",
           mypci_read32(ct_m, MYPCI_REG_FEATURES),
           mypci_read64(ct_m, MYPCI_REG_FEATURES));
}
END_TEST

START_TEST(regs_8byte_write)
{
    mypci_write64(ct_m, MYPCI_REG_SCRATCH, 0x11111111deadbeefull);
    ABI_EQ("§3 8-byte write: low half to SCRATCH, INVERT (RO) ignores",
           0xdeadbeef, mypci_read32(ct_m, MYPCI_REG_SCRATCH));
    mypci_write64(ct_m, MYPCI_REG_IRQ_STATUS,
                  (uint64_t)MYPCI_IRQ_SOFT << 32 | MYPCI_IRQ_ALL);
    ABI_EQ("§3 8-byte write: high half to IRQ_ENABLE", MYPCI_IRQ_SOFT,
           mypci_read32(ct_m, MYPCI_REG_IRQ_ENABLE));
    ABI_EQ("§3 8-byte write: IRQ_STATUS (RO) ignores its half", 0,
           mypci_read32(ct_m, MYPCI_REG_IRQ_STATUS));
    mypci_write32(ct_m, MYPCI_REG_IRQ_ENABLE, 0);
}
END_TEST

/* IRQ_RAISE is at 0x28 and IRQ_ACK at 0x2c: raise-then-ack leaves 0. */
START_TEST(regs_8byte_lower_first)
{
    mypci_write64(ct_m, MYPCI_REG_IRQ_RAISE,
                  (uint64_t)MYPCI_IRQ_SOFT << 32 | MYPCI_IRQ_SOFT);
    ABI_EQ("§3 8-byte write acts on the lower address first (RAISE then ACK)",
           0, mypci_read32(ct_m, MYPCI_REG_IRQ_STATUS));
    mypci_write32(ct_m, MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_DMA_DONE);
    mypci_write64(ct_m, MYPCI_REG_IRQ_RAISE,
                  (uint64_t)MYPCI_IRQ_DMA_DONE << 32 | MYPCI_IRQ_SOFT);
    ABI_EQ("§3 8-byte RAISE+ACK: SOFT raised, DMA_DONE acked", MYPCI_IRQ_SOFT,
           mypci_read32(ct_m, MYPCI_REG_IRQ_STATUS));
}
END_TEST

void ct_register_regs(struct ct_registry *r)
{
    ct_add(r, "regs", regs_id_version, 0);
    ct_add(r, "regs", regs_reset_values, 0);
    ct_add(r, "regs", regs_scratch_invert, 0);
    ct_add(r, "regs", regs_readonly_ignore_writes, 0);
    ct_add(r, "regs", regs_features, 0);
    ct_add(r, "regs", regs_write_only_read_zero, 0);
    ct_add(r, "regs", regs_control_other_bits, 0);
    ct_add(r, "regs", regs_undefined_bits, 0);
    ct_add(r, "regs", regs_dma_address_halves, 0);
    ct_add(r, "regs", regs_narrow_access_ignored, 0);
    ct_add(r, "regs", regs_unknown_offsets, 0);
    ct_add(r, "regs", regs_8byte_read, 0);
    ct_add(r, "regs", regs_8byte_write, 0);
    ct_add(r, "regs", regs_8byte_lower_first, 0);
}
