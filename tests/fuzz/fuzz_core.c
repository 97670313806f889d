/*
 * libFuzzer harness for mypci_core: a hostile guest and a hostile host drive
 * the core through every entry point, and after every step the ABI's
 * invariants (docs/abi.md, sections 3-8) are checked; a
 * violation prints what broke and abort()s, so libFuzzer keeps the input.
 *
 * The host is tests/unit/fake_host.c (a 256 KiB bus at 4 GiB, 4 KiB pages
 * unmapped, read-only or read-write) with a fixed map that has holes and
 * read-only pages; the harness wraps its MSI, INTx and schedule callbacks to
 * check interrupts as they happen. Device memory has guard bytes on both
 * sides, poisoned under ASan and checked after every step.
 *
 * Input format (little-endian; a short input reads zeros past its end):
 *
 *   header  u8 mem_sel    mem-size = 4 KiB << (mem_sel % 7), 4 KiB..256 KiB
 *           u8 flags      bit 0 msi, bit 1 msix
 *           u32 scratch   "scratch" property
 *   then up to MAX_STEPS operations, each u8 opcode % OP_COUNT + arguments:
 *
 *   0 MMIO_READ   u8 size_sel, u8 off_sel, u16 off_raw
 *   1 MMIO_WRITE  u8 size_sel, u8 off_sel, u16 off_raw, u64 value
 *                 size = 1 << (size_sel & 3); offset = a register-ish
 *                 offset from mmio_offsets[] if off_sel < 0xc0, else
 *                 off_raw % 0x2001 (any offset, unaligned too)
 *   2 VCAP_READ   u8 off (% 0x18), u8 size_sel (1, 2, 4)
 *   3 VCAP_WRITE  u8 off, u8 size_sel, u32 value
 *   4 DMA         u8 cmd_sel, u32 cmd_raw, 3 x (u8 kind, u64 raw) for SRC,
 *                 DST and LEN, u8 how: see op_dma()
 *   5 RUN         u8 mode: bit 0 set: only if a run was scheduled
 *   6 IRQ_MODE    u8 sel among the modes the config offers
 *   7 BUS_MASTER  (toggle)
 *   8 RESET       u8 kind % 3: CONTROL.RESET write, core reset CONTROL,
 *                 function reset (FLR: the host also resets Command and
 *                 the MSI/MSI-X enables)
 *   9 MAP_PAGE    u8 page, u8 perm (% 3: unmapped, read-only, read-write)
 *  10 BAR2_WRITE  u32 off, u8 len, u8 seed: the guest writes device memory
 *
 * tests/fuzz/gen_corpus.py writes seeds in this format.
 *
 * Environment: MYPCI_FUZZ_VERBOSE=1 logs every operation to stderr;
 * MYPCI_FUZZ_BREAK=N sets the core's test-only breakage bits (to prove the
 * invariants notice).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi_regs.h"
#include "fake_host.h"
#include "fuzz_core.h"
#include "mypci_core.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ASAN 1
#endif

#ifdef FUZZ_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define MAX_STEPS 1024
#define MEM_SIZE_CHOICES 7 /* 4 KiB .. 256 KiB */
#define MEM_SIZE_MAX_FUZZ (MYPCI_MEM_SIZE_MIN << (MEM_SIZE_CHOICES - 1))
#define GUARD 64
#define GUARD_BYTE 0xa5
#define PAGE FAKE_PAGE_SIZE
#define DMA_ERR_MAX MYPCI_DMA_ERR_NO_MASTER
#define DMA_STATUS_DEFINED                                                     \
    (MYPCI_DMA_STATUS_BUSY | MYPCI_DMA_STATUS_DONE |                           \
     MYPCI_DMA_STATUS_DROPPED | MYPCI_DMA_STATUS_ERR_MASK)

enum op {
    OP_MMIO_READ,
    OP_MMIO_WRITE,
    OP_VCAP_READ,
    OP_VCAP_WRITE,
    OP_DMA,
    OP_RUN,
    OP_IRQ_MODE,
    OP_BUS_MASTER,
    OP_RESET,
    OP_MAP_PAGE,
    OP_BAR2_WRITE,
    OP_COUNT,
};

/* The fake host's initial map: the rest of the 64 pages are read-write. */
static const unsigned unmapped_pages[] = {3, 16, 17, 40, 63};
static const unsigned read_only_pages[] = {8, 24, 25, 48};

/* Offsets the MMIO ops favour: every register, gaps, page 1. */
static const uint32_t mmio_offsets[] = {
    0x000, 0x004, 0x008, 0x00c, 0x010, 0x014, 0x018,  0x01c,  0x020, 0x024,
    0x028, 0x02c, 0x030, 0x034, 0x040, 0x044, 0x048,  0x04c,  0x050, 0x054,
    0x058, 0x05c, 0x060, 0x064, 0x068, 0xffc, 0x1000, 0x1800,
};

/* What the guest can observe through BAR0 and the INTx pin. */
struct regs {
    uint32_t off[ABI_MAX_DWORDS]; /* the ABI's state dwords (abi_regs.h) */
    uint32_t reg[ABI_MAX_DWORDS];
    size_t n;
    int intx;
};

/* The transfer the harness expects the core to have latched. */
struct job {
    bool valid;
    uint64_t src;
    uint64_t dst;
    uint32_t len;
    uint32_t cmd;
};

struct input {
    const uint8_t *p;
    size_t left;
};

struct harness {
    struct mypci_core core;
    struct mypci_config config;
    struct mypci_host_ops ops;
    uint8_t *block; /* mem_block */
    uint8_t *mem;
    struct job job;
    bool schedule_pending; /* schedule() called, run_deferred() not since */
    bool verbose;

    /* Sampled at the end of the previous step. */
    uint32_t pending_before;
    uint32_t armed; /* causes that may send an MSI: not pending at sample */
    uint32_t irq_count_before;
    enum mypci_irq_mode mode_before;

    /* The current step. */
    unsigned step;
    const char *op_name;
    bool reset;
    enum mypci_reset_kind reset_kind;
    uint32_t mailbox_before;
    uint32_t events_before;
    unsigned msi_sent;
    uint32_t msi_causes;
    unsigned intx_rises;
};

static struct fake_host fake;
static struct harness h;
static uint8_t snap_bus[FAKE_BUS_SIZE];
static uint8_t snap_mem[MEM_SIZE_MAX_FUZZ];
/* Constant buffers, so that whole-memory checks are memcmp()s. */
static uint8_t bus_pattern[FAKE_BUS_SIZE];
static const uint8_t zeros[MEM_SIZE_MAX_FUZZ];
static uint8_t guard_pattern[GUARD];
/*
 * Device memory sits at mem_block + GUARD; everything around it is poisoned
 * under ASan, and GUARD bytes on either side hold GUARD_BYTE, so an access
 * out of bounds is caught with or without ASan. One static block rather than
 * a malloc() per input: allocating up to 256 KiB per run halved the speed.
 */
#define MEM_BLOCK_SIZE (GUARD + MEM_SIZE_MAX_FUZZ + GUARD)
static uint8_t mem_block[MEM_BLOCK_SIZE];

/* ---- reporting ------------------------------------------------------- */

__attribute__((format(printf, 2, 3), noreturn)) static void
fail(const char *invariant, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr,
            "mypci fuzz: step %u (%s): invariant \"%s\" violated: ", h.step,
            h.op_name ? h.op_name : "init", invariant);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

__attribute__((format(printf, 1, 2))) static void note(const char *fmt, ...)
{
    va_list ap;

    if (!h.verbose) {
        return;
    }
    fprintf(stderr, "step %u: ", h.step);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ---- input decoding --------------------------------------------------- */

static uint8_t in_u8(struct input *in)
{
    if (in->left == 0) {
        return 0;
    }
    in->left--;
    return *in->p++;
}

static uint64_t in_le(struct input *in, unsigned bytes)
{
    uint64_t value = 0;

    for (unsigned i = 0; i < bytes; i++) {
        value |= (uint64_t)in_u8(in) << (i * 8);
    }
    return value;
}

static unsigned pick_mmio_size(struct input *in)
{
    return 1u << (in_u8(in) & 3);
}

static uint64_t pick_mmio_offset(struct input *in)
{
    uint8_t sel = in_u8(in);
    uint16_t raw = (uint16_t)in_le(in, 2);

    if (sel < 0xc0) {
        return mmio_offsets[sel % ARRAY_SIZE(mmio_offsets)];
    }
    return raw % (MYPCI_BAR0_SIZE + 1);
}

static unsigned pick_vcap_size(struct input *in)
{
    static const unsigned sizes[] = {1, 2, 4};

    return sizes[in_u8(in) % ARRAY_SIZE(sizes)];
}

/* The n-th page (wrapping) with permission perm, or false if none has it. */
static bool find_page(enum fake_perm perm, uint64_t n, uint64_t *addr)
{
    unsigned count = 0;

    for (unsigned i = 0; i < FAKE_PAGES; i++) {
        count += fake.perm[i] == perm;
    }
    if (count == 0) {
        return false;
    }
    n %= count;
    for (unsigned i = 0; i < FAKE_PAGES; i++) {
        if (fake.perm[i] == perm && n-- == 0) {
            *addr = FAKE_BUS_BASE + (uint64_t)i * PAGE;
            break;
        }
    }
    return true;
}

/* A bus address: in the space, at page boundaries, in holes, overflowing. */
static uint64_t pick_host_addr(uint8_t kind, uint64_t raw)
{
    uint64_t page;
    int8_t delta = (int8_t)raw;

    switch (kind % 8) {
    case 0:
        return FAKE_BUS_BASE + raw % FAKE_BUS_SIZE;
    case 1:
        page = (raw >> 8) % (FAKE_PAGES + 1);
        return FAKE_BUS_BASE + page * PAGE + (uint64_t)(int64_t)delta;
    case 2:
        if (!find_page(FAKE_UNMAPPED, raw >> 12, &page)) {
            page = FAKE_BUS_BASE - PAGE;
        }
        return page + raw % PAGE;
    case 3:
        if (!find_page(FAKE_READ_ONLY, raw >> 12, &page)) {
            page = FAKE_BUS_BASE;
        }
        return page + raw % PAGE;
    case 4:
        return UINT64_MAX - (raw & 0xffff);
    case 5:
        return FAKE_BUS_BASE + FAKE_BUS_SIZE - (raw & 0x1fff);
    case 6:
        return raw & 0xffffffffu;
    default:
        return raw;
    }
}

/* A device-memory offset: inside, at the end, past it, overflowing. */
static uint64_t pick_dev_offset(uint8_t kind, uint64_t raw)
{
    uint64_t size = h.config.mem_size;
    int8_t delta = (int8_t)raw;

    switch (kind % 6) {
    case 0:
        return raw % size;
    case 1:
        return size - (raw & 0xff);
    case 2:
        return size + (raw & 0xff);
    case 3:
        return UINT64_MAX - (raw & 0xff);
    case 4:
        return ((raw >> 8) % (size / PAGE + 1)) * PAGE +
               (uint64_t)(int64_t)delta;
    default:
        return raw;
    }
}

static uint32_t pick_len(uint8_t kind, uint64_t raw)
{
    uint32_t size = (uint32_t)h.config.mem_size;

    switch (kind % 8) {
    case 0:
        return 1 + (uint32_t)(raw % 256);
    case 1:
        return PAGE + (uint32_t)(int32_t)(int8_t)raw;
    case 2:
        return size;
    case 3:
        return size + 1;
    case 4:
        return 0;
    case 5:
        return (uint32_t)raw;
    case 6:
        return 1 + (uint32_t)(raw % size);
    default:
        return size - (uint32_t)(raw % 16);
    }
}

/* ---- guest-visible state ---------------------------------------------- */

static uint32_t rd32(uint64_t offset)
{
    return (uint32_t)mypci_core_mmio_read(&h.core, offset, 4);
}

static uint32_t vcap32(unsigned offset)
{
    return mypci_core_vcap_read(&h.core, offset, 4);
}

static void regs_get(struct regs *r)
{
    r->n = abi_dwords(ABI_DW_STATE, r->off);
    for (size_t i = 0; i < r->n; i++) {
        r->reg[i] = rd32(r->off[i]);
    }
    r->intx = fake.intx_level;
}

/* The value of register offset in a dump; 0 for offsets with no value. */
static uint32_t reg_of(const struct regs *r, uint64_t offset)
{
    for (size_t i = 0; i < r->n; i++) {
        if (r->off[i] == offset) {
            return r->reg[i];
        }
    }
    return 0;
}

static uint64_t reg64_of(const struct regs *r, uint64_t offset)
{
    return reg_of(r, offset) | (uint64_t)reg_of(r, offset + 4) << 32;
}

static uint32_t pending_of(const struct regs *r)
{
    return reg_of(r, MYPCI_REG_IRQ_STATUS) & reg_of(r, MYPCI_REG_IRQ_ENABLE);
}

static bool is_writable(uint64_t offset)
{
    return offset <= UINT32_MAX &&
           abi_dword_is(ABI_DW_WRITABLE, (uint32_t)offset);
}

/* ABI 3: only aligned 4- and 8-byte accesses in the register page act. */
static bool access_acts(uint64_t offset, unsigned size)
{
    return (size == 4 || size == 8) && offset % size == 0 &&
           offset < MYPCI_REG_PAGE_SIZE;
}

/* The dword an acting access writes to register reg, if it covers it. */
static bool access_dword(uint64_t offset, uint64_t value, unsigned size,
                         uint32_t reg, uint32_t *dword)
{
    if (!access_acts(offset, size)) {
        return false;
    }
    for (unsigned i = 0; i < size; i += 4) {
        if (offset + i == reg) {
            *dword = (uint32_t)(value >> (i * 8));
            return true;
        }
    }
    return false;
}

static bool access_writes_something(uint64_t offset, unsigned size)
{
    if (!access_acts(offset, size)) {
        return false;
    }
    for (unsigned i = 0; i < size; i += 4) {
        if (is_writable(offset + i)) {
            return true;
        }
    }
    return false;
}

static bool vcap_access_acts(unsigned offset, unsigned size)
{
    return offset >= MYPCI_VCAP_SIGNATURE && offset < MYPCI_VCAP_LEN &&
           size <= MYPCI_VCAP_LEN - offset;
}

/* ---- the host's DMA rules, as the fake host's map decides ------------- */

static bool model_page_ok(uint64_t addr, bool is_write)
{
    enum fake_perm perm;

    if (addr < FAKE_BUS_BASE || addr - FAKE_BUS_BASE >= FAKE_BUS_SIZE) {
        return false;
    }
    perm = fake.perm[(addr - FAKE_BUS_BASE) / PAGE];
    return perm == FAKE_READ_WRITE || (perm == FAKE_READ_ONLY && !is_write);
}

/*
 * ABI 4: the first faulting address is the range start if the first page
 * faults, else the start of the first faulting page. The pages above the
 * fake's space fault, so the walk stops before it could wrap.
 */
static int model_host_range(uint64_t addr, uint64_t len, bool is_write,
                            uint64_t *fault)
{
    uint64_t pos = addr;
    uint64_t left = len;

    while (left > 0) {
        uint64_t to_boundary = PAGE - (pos & (PAGE - 1));
        uint64_t n = left < to_boundary ? left : to_boundary;

        if (!model_page_ok(pos, is_write)) {
            *fault = pos;
            return MYPCI_DMA_ERR_FAULT;
        }
        pos += n;
        left -= n;
    }
    return MYPCI_DMA_OK;
}

static bool model_dev_range_bad(uint64_t offset, uint64_t len)
{
    uint64_t size = h.config.mem_size;

    return offset > size || len > size - offset;
}

/* ABI 3: checks in the order 4, 2, 3, 1 (source before destination). */
static int model_dma_error(const struct job *job, uint64_t *fault)
{
    uint32_t dir = job->cmd & MYPCI_DMA_DIR_MASK;
    int err;

    if (!fake.bus_master) {
        return MYPCI_DMA_ERR_NO_MASTER;
    }
    if ((job->cmd & ~MYPCI_DMA_DIR_MASK) != 0 ||
        dir > MYPCI_DMA_DIR_HOST_TO_HOST || job->len == 0 ||
        job->len > h.config.mem_size) {
        return MYPCI_DMA_ERR_BAD_CMD;
    }
    switch (dir) {
    case MYPCI_DMA_DIR_HOST_TO_DEV:
        if (model_dev_range_bad(job->dst, job->len)) {
            return MYPCI_DMA_ERR_RANGE;
        }
        return model_host_range(job->src, job->len, false, fault);
    case MYPCI_DMA_DIR_DEV_TO_HOST:
        if (model_dev_range_bad(job->src, job->len)) {
            return MYPCI_DMA_ERR_RANGE;
        }
        return model_host_range(job->dst, job->len, true, fault);
    default:
        err = model_host_range(job->src, job->len, false, fault);
        if (err != MYPCI_DMA_OK) {
            return err;
        }
        return model_host_range(job->dst, job->len, true, fault);
    }
}

/* ---- invariants -------------------------------------------------------- */

static void check_invert(const struct regs *r)
{
    uint32_t scratch = reg_of(r, MYPCI_REG_SCRATCH);
    uint32_t invert = reg_of(r, MYPCI_REG_INVERT);

    if (invert != ~scratch) {
        fail("INVERT == ~SCRATCH", "SCRATCH 0x%08x INVERT 0x%08x", scratch,
             invert);
    }
}

static void check_constants(const struct regs *r)
{
    uint32_t features = MYPCI_FEATURE_INTX | MYPCI_FEATURE_DMA;
    unsigned log2 = 0;

    while ((MYPCI_MEM_SIZE_MIN << log2) < h.config.mem_size) {
        log2++;
    }
    features |= (12 + log2) << MYPCI_FEATURE_MEM_LOG2_SHIFT;
    features |= h.config.msi ? MYPCI_FEATURE_MSI : 0;
    features |= h.config.msix ? MYPCI_FEATURE_MSIX : 0;
    if (reg_of(r, MYPCI_REG_ID) != MYPCI_ID_VALUE ||
        reg_of(r, MYPCI_REG_VERSION) != MYPCI_VERSION_VALUE ||
        reg_of(r, MYPCI_REG_FEATURES) != features) {
        fail("ID, VERSION, FEATURES constant",
             "ID 0x%08x VERSION 0x%08x FEATURES 0x%08x (want 0x%08x)",
             reg_of(r, MYPCI_REG_ID), reg_of(r, MYPCI_REG_VERSION),
             reg_of(r, MYPCI_REG_FEATURES), features);
    }
}

/* Device memory is never touched out of bounds (ASan reports reads). */
static void check_dev_mem_guards(void)
{
    uint8_t *after = h.mem + h.config.mem_size;

    UNPOISON(h.block, GUARD);
    UNPOISON(after, GUARD);
    if (memcmp(h.block, guard_pattern, GUARD) != 0 ||
        memcmp(after, guard_pattern, GUARD) != 0) {
        fail("device memory in bounds", "a guard byte %s memory changed",
             memcmp(h.block, guard_pattern, GUARD) ? "before" : "after");
    }
    POISON(h.block, GUARD);
    POISON(after, GUARD);
}

static void check_vcap(void)
{
    uint32_t signature = vcap32(MYPCI_VCAP_SIGNATURE);
    uint32_t mailbox = vcap32(MYPCI_VCAP_MAILBOX);
    uint32_t result = vcap32(MYPCI_VCAP_RESULT);
    uint32_t events = vcap32(MYPCI_VCAP_EVENTS);

    if (signature != MYPCI_ID_VALUE || result != ~mailbox ||
        (events & ~MYPCI_VCAP_EVENT_MAILBOX) != 0) {
        fail("vendor capability: SIGNATURE, RESULT == ~MAILBOX, EVENTS bits",
             "SIGNATURE 0x%08x MAILBOX 0x%08x RESULT 0x%08x EVENTS 0x%08x",
             signature, mailbox, result, events);
    }
}

static void check_dma_status_defined(const struct regs *r)
{
    uint32_t status = reg_of(r, MYPCI_REG_DMA_STATUS);
    uint32_t err =
        (status & MYPCI_DMA_STATUS_ERR_MASK) >> MYPCI_DMA_STATUS_ERR_SHIFT;
    bool busy = status & MYPCI_DMA_STATUS_BUSY;

    if ((status & ~DMA_STATUS_DEFINED) != 0 || err > DMA_ERR_MAX ||
        (busy && (status & MYPCI_DMA_STATUS_DONE || err != 0))) {
        fail("DMA_STATUS defined", "DMA_STATUS 0x%08x", status);
    }
}

static void check_busy_scheduled(const struct regs *r)
{
    if ((reg_of(r, MYPCI_REG_DMA_STATUS) & MYPCI_DMA_STATUS_BUSY) &&
        !(h.schedule_pending && h.job.valid)) {
        fail("BUSY implies a scheduled run", "BUSY with %s, %s",
             h.schedule_pending ? "a run scheduled" : "no run scheduled",
             h.job.valid ? "a command accepted" : "no command accepted");
    }
}

static void check_intx_level(const struct regs *r)
{
    int want = fake.irq_mode == MYPCI_IRQ_MODE_INTX && pending_of(r) != 0;

    if (r->intx != want) {
        fail("INTx level == pending in INTx mode, else 0",
             "mode %d pending 0x%x INTx %d", (int)fake.irq_mode, pending_of(r),
             r->intx);
    }
}

static void check_irq_count(const struct regs *r)
{
    uint32_t now = reg_of(r, MYPCI_REG_IRQ_COUNT);

    if (h.reset) {
        return; /* check_reset_state() wants 0 */
    }
    if (now < h.irq_count_before) {
        fail("IRQ_COUNT monotonic", "IRQ_COUNT %u after %u, no reset", now,
             h.irq_count_before);
    }
    if (now - h.irq_count_before != h.msi_sent + h.intx_rises) {
        fail("IRQ_COUNT counts every signal",
             "IRQ_COUNT %u -> %u with %u MSI messages and %u INTx rises",
             h.irq_count_before, now, h.msi_sent, h.intx_rises);
    }
}

/*
 * Called as the message is sent: in MSI-X mode vector n is cause n, in MSI
 * mode vector 0 stands for any cause; the cause must be pending now and must
 * not have been pending at the last sample or have sent a message since.
 */
static void check_msi_message(unsigned vector)
{
    enum mypci_irq_mode mode = fake.irq_mode;
    uint32_t pending = rd32(MYPCI_REG_IRQ_STATUS) & rd32(MYPCI_REG_IRQ_ENABLE);
    uint32_t candidates = pending & h.armed;
    uint32_t cause;

    if (mode == MYPCI_IRQ_MODE_INTX) {
        fail("no MSI message in INTx mode", "vector %u", vector);
    }
    if (mode == MYPCI_IRQ_MODE_MSIX) {
        cause = vector < MYPCI_MSIX_VECTORS ? 1u << vector : 0;
    } else {
        cause = vector == 0 ? candidates & -candidates : 0;
    }
    if (cause == 0 || !(candidates & cause)) {
        fail("MSI message only for a cause that became pending",
             "mode %d vector %u pending 0x%x newly pending 0x%x", (int)mode,
             vector, pending, candidates);
    }
    h.armed &= ~cause;
    h.msi_causes |= cause;
    h.msi_sent++;
}

/* In MSI modes every cause that became pending sent its message. */
static void check_msi_not_lost(const struct regs *r)
{
    uint32_t risen = pending_of(r) & ~h.pending_before;
    unsigned count = 0;

    if (h.reset || fake.irq_mode != h.mode_before ||
        fake.irq_mode == MYPCI_IRQ_MODE_INTX) {
        return;
    }
    for (uint32_t bits = risen; bits; bits &= bits - 1) {
        count++;
    }
    if ((fake.irq_mode == MYPCI_IRQ_MODE_MSIX && (risen & ~h.msi_causes)) ||
        h.msi_sent < count) {
        fail("a message for every cause that became pending",
             "mode %d pending 0x%x -> 0x%x, %u messages (causes 0x%x)",
             (int)fake.irq_mode, h.pending_before, pending_of(r), h.msi_sent,
             h.msi_causes);
    }
}

/* ABI 3: every register with a reset value reads it (abi_regs.h). */
static bool regs_at_reset(const struct regs *r)
{
    uint32_t want;

    for (size_t i = 0; i < r->n; i++) {
        if (abi_dword_reset(r->off[i], h.config.scratch_reset, &want) &&
            r->reg[i] != want) {
            return false;
        }
    }
    return true;
}

/* ABI 7: every register at its reset value, memory zeroed, nothing pending. */
static void check_reset_state(const struct regs *r)
{
    bool function = h.reset_kind == MYPCI_RESET_FUNCTION;
    uint32_t mailbox = vcap32(MYPCI_VCAP_MAILBOX);
    uint32_t events = vcap32(MYPCI_VCAP_EVENTS);

    if (!regs_at_reset(r) || r->intx != 0) {
        fail("reset restores every register", "after %s reset",
             function ? "function" : "CONTROL");
    }
    if (memcmp(h.mem, zeros, h.config.mem_size) != 0) {
        fail("reset zeroes device memory", "after %s reset",
             function ? "function" : "CONTROL");
    }
    if (function ? (mailbox != 0 || events != 0)
                 : (mailbox != h.mailbox_before || events != h.events_before)) {
        fail("vendor capability across reset",
             "%s reset: MAILBOX 0x%08x EVENTS 0x%x (before 0x%08x 0x%x)",
             function ? "function" : "CONTROL", mailbox, events,
             h.mailbox_before, h.events_before);
    }
}

/* Reads of nothing read 0; register reads compose as 4-byte reads do. */
static void check_read_value(const struct regs *before, uint64_t offset,
                             unsigned size, uint64_t value)
{
    uint64_t want = 0;

    if (access_acts(offset, size)) {
        for (unsigned i = 0; i < size; i += 4) {
            want |= (uint64_t)reg_of(before, offset + i) << (i * 8);
        }
    }
    if (value != want) {
        fail("MMIO read value",
             "offset 0x%llx size %u read 0x%llx, want "
             "0x%llx",
             (unsigned long long)offset, size, (unsigned long long)value,
             (unsigned long long)want);
    }
}

static void check_unchanged(const struct regs *before, const char *what)
{
    struct regs now;

    regs_get(&now);
    for (size_t i = 0; i < now.n; i++) {
        if (now.reg[i] != before->reg[i]) {
            fail("ignored accesses change nothing",
                 "%s changed register 0x%03x: 0x%08x -> 0x%08x", what,
                 now.off[i], before->reg[i], now.reg[i]);
        }
    }
    if (now.intx != before->intx) {
        fail("ignored accesses change nothing", "%s changed INTx", what);
    }
}

/* ABI 3/4: a command is accepted (BUSY, schedule) or dropped (DROPPED). */
static void check_dma_cmd_effect(const struct regs *before, unsigned schedules)
{
    uint32_t was = reg_of(before, MYPCI_REG_DMA_STATUS);
    uint32_t now = rd32(MYPCI_REG_DMA_STATUS);

    if (was & MYPCI_DMA_STATUS_BUSY) {
        if (now != (was | MYPCI_DMA_STATUS_DROPPED)) {
            fail("DMA_CMD while BUSY is dropped", "DMA_STATUS 0x%08x -> 0x%08x",
                 was, now);
        }
    } else if (now != MYPCI_DMA_STATUS_BUSY ||
               fake.schedule_count == schedules) {
        fail("DMA_CMD accepted: BUSY and a run scheduled",
             "DMA_STATUS 0x%08x -> 0x%08x, %u schedule calls", was, now,
             fake.schedule_count - schedules);
    }
}

static bool same_outside(const uint8_t *now, const uint8_t *was, size_t size,
                         size_t off, size_t len)
{
    return memcmp(now, was, off) == 0 &&
           memcmp(now + off + len, was + off + len, size - off - len) == 0;
}

/* ABI 4: a failed transfer leaves host and device memory unchanged. */
static void check_failed_dma_moved_nothing(void)
{
    if (memcmp(fake.bus, snap_bus, FAKE_BUS_SIZE) != 0 ||
        memcmp(h.mem, snap_mem, h.config.mem_size) != 0) {
        fail("a failed transfer moves nothing", "%s memory changed",
             memcmp(fake.bus, snap_bus, FAKE_BUS_SIZE) ? "host" : "device");
    }
}

/* A successful transfer copied exactly its range (memmove semantics). */
static void check_dma_data(const struct job *job)
{
    size_t mem_size = h.config.mem_size;
    size_t len = job->len;
    bool ok;

    switch (job->cmd) {
    case MYPCI_DMA_DIR_HOST_TO_DEV:
        ok = memcmp(h.mem + job->dst, snap_bus + (job->src - FAKE_BUS_BASE),
                    len) == 0 &&
             same_outside(h.mem, snap_mem, mem_size, job->dst, len) &&
             memcmp(fake.bus, snap_bus, FAKE_BUS_SIZE) == 0;
        break;
    case MYPCI_DMA_DIR_DEV_TO_HOST:
        ok = memcmp(fake.bus + (job->dst - FAKE_BUS_BASE), snap_mem + job->src,
                    len) == 0 &&
             same_outside(fake.bus, snap_bus, FAKE_BUS_SIZE,
                          job->dst - FAKE_BUS_BASE, len) &&
             memcmp(h.mem, snap_mem, mem_size) == 0;
        break;
    default:
        ok = memcmp(fake.bus + (job->dst - FAKE_BUS_BASE),
                    snap_bus + (job->src - FAKE_BUS_BASE), len) == 0 &&
             same_outside(fake.bus, snap_bus, FAKE_BUS_SIZE,
                          job->dst - FAKE_BUS_BASE, len) &&
             memcmp(h.mem, snap_mem, mem_size) == 0;
        break;
    }
    if (!ok) {
        fail("a transfer copies exactly its range",
             "cmd %u src 0x%llx dst 0x%llx len 0x%x", job->cmd,
             (unsigned long long)job->src, (unsigned long long)job->dst,
             job->len);
    }
}

/* ABI 3/4: status, counters, fault address and interrupt of a transfer. */
static void check_dma_outcome(const struct regs *before, const struct job *job,
                              int err, uint64_t fault)
{
    struct regs now;
    uint32_t was = reg_of(before, MYPCI_REG_DMA_STATUS);
    uint32_t want = (was & MYPCI_DMA_STATUS_DROPPED) | MYPCI_DMA_STATUS_DONE |
                    (uint32_t)err << MYPCI_DMA_STATUS_ERR_SHIFT;
    uint32_t count = reg_of(before, MYPCI_REG_DMA_COUNT) + (err == 0);
    uint64_t fault_addr = err == MYPCI_DMA_ERR_FAULT
                              ? fault
                              : reg64_of(before, MYPCI_REG_DMA_FAULT_ADDR);
    uint32_t cause = err == 0 ? MYPCI_IRQ_DMA_DONE : MYPCI_IRQ_DMA_ERROR;

    regs_get(&now);
    if (reg_of(&now, MYPCI_REG_DMA_STATUS) != want ||
        reg_of(&now, MYPCI_REG_DMA_COUNT) != count ||
        reg64_of(&now, MYPCI_REG_DMA_FAULT_ADDR) != fault_addr ||
        reg_of(&now, MYPCI_REG_IRQ_STATUS) !=
            (reg_of(before, MYPCI_REG_IRQ_STATUS) | cause)) {
        fail("transfer outcome as ABI 3/4 say",
             "cmd 0x%x src 0x%llx dst 0x%llx len 0x%x: want status 0x%x "
             "count %u fault 0x%llx, got status 0x%x count %u fault 0x%llx "
             "IRQ_STATUS 0x%x",
             job->cmd, (unsigned long long)job->src,
             (unsigned long long)job->dst, job->len, want, count,
             (unsigned long long)fault_addr, reg_of(&now, MYPCI_REG_DMA_STATUS),
             reg_of(&now, MYPCI_REG_DMA_COUNT),
             (unsigned long long)reg64_of(&now, MYPCI_REG_DMA_FAULT_ADDR),
             reg_of(&now, MYPCI_REG_IRQ_STATUS));
    }
}

/* After every step. */
static void check_step(void)
{
    struct regs r;

    regs_get(&r);
    check_dev_mem_guards();
    check_invert(&r);
    check_constants(&r);
    check_vcap();
    check_dma_status_defined(&r);
    check_busy_scheduled(&r);
    check_intx_level(&r);
    check_irq_count(&r);
    check_msi_not_lost(&r);
    if (h.reset) {
        check_reset_state(&r);
    }
    h.pending_before = pending_of(&r);
    h.armed = ~h.pending_before & MYPCI_IRQ_ALL;
    h.irq_count_before = reg_of(&r, MYPCI_REG_IRQ_COUNT);
    h.mode_before = fake.irq_mode;
}

/* ---- host callbacks: the fake host's, watched ------------------------- */

static void fuzz_send_msi(void *opaque, unsigned vector)
{
    fake_host_ops.send_msi(opaque, vector);
    check_msi_message(vector);
}

static void fuzz_set_intx(void *opaque, int level)
{
    int was = fake.intx_level;

    fake_host_ops.set_intx(opaque, level);
    if (level != 0 && level != 1) {
        fail("INTx level is 0 or 1", "level %d", level);
    }
    h.intx_rises += level && !was;
}

static void fuzz_schedule(void *opaque)
{
    fake_host_ops.schedule(opaque);
    h.schedule_pending = true;
}

/* ---- operations --------------------------------------------------------- */

static void note_reset(enum mypci_reset_kind kind)
{
    h.reset = true;
    h.reset_kind = kind;
    h.job.valid = false;
}

/* A DMA_CMD write latches SRC, DST and LEN unless a transfer is running. */
static void note_dma_cmd(const struct regs *before, uint64_t offset,
                         uint64_t value, unsigned size, uint32_t cmd)
{
    uint32_t len = reg_of(before, MYPCI_REG_DMA_LEN);

    if (reg_of(before, MYPCI_REG_DMA_STATUS) & MYPCI_DMA_STATUS_BUSY) {
        return;
    }
    /* Only an 8-byte write at DMA_LEN changes a register before DMA_CMD. */
    access_dword(offset, value, size, MYPCI_REG_DMA_LEN, &len);
    h.job = (struct job){
        .valid = true,
        .src = reg64_of(before, MYPCI_REG_DMA_SRC),
        .dst = reg64_of(before, MYPCI_REG_DMA_DST),
        .len = len,
        .cmd = cmd,
    };
}

/* Every guest MMIO write goes through here. */
static void guest_write(uint64_t offset, uint64_t value, unsigned size)
{
    struct regs before;
    unsigned schedules = fake.schedule_count;
    uint32_t control = 0;
    uint32_t cmd = 0;
    bool is_cmd = access_dword(offset, value, size, MYPCI_REG_DMA_CMD, &cmd);

    note("mmio write 0x%llx size %u value 0x%llx", (unsigned long long)offset,
         size, (unsigned long long)value);
    regs_get(&before);
    if (access_dword(offset, value, size, MYPCI_REG_CONTROL, &control) &&
        (control & MYPCI_CONTROL_RESET)) {
        note_reset(MYPCI_RESET_CONTROL);
    }
    if (is_cmd) {
        note_dma_cmd(&before, offset, value, size, cmd);
    }
    mypci_core_mmio_write(&h.core, offset, value, size);
    if (!access_writes_something(offset, size)) {
        check_unchanged(&before, "ignored MMIO write");
    }
    if (is_cmd) {
        check_dma_cmd_effect(&before, schedules);
    }
}

static void op_mmio_read(struct input *in)
{
    unsigned size = pick_mmio_size(in);
    uint64_t offset = pick_mmio_offset(in);
    struct regs before;
    uint64_t value;

    regs_get(&before);
    value = mypci_core_mmio_read(&h.core, offset, size);
    note("mmio read 0x%llx size %u -> 0x%llx", (unsigned long long)offset, size,
         (unsigned long long)value);
    check_read_value(&before, offset, size, value);
    check_unchanged(&before, "MMIO read");
}

static void op_mmio_write(struct input *in)
{
    unsigned size = pick_mmio_size(in);
    uint64_t offset = pick_mmio_offset(in);
    uint64_t value = in_le(in, 8);

    guest_write(offset, value, size);
}

/* The capability body as bytes 0..MYPCI_VCAP_LEN-1 (0..3 the host's). */
static uint8_t vcap_model_byte(unsigned offset, uint32_t mailbox,
                               uint32_t events)
{
    uint32_t dwords[] = {0, MYPCI_ID_VALUE, mailbox, ~mailbox, events};

    return (uint8_t)(dwords[offset / 4] >> (offset % 4 * 8));
}

static void op_vcap_read(struct input *in)
{
    unsigned offset = in_u8(in) % 0x18;
    unsigned size = pick_vcap_size(in);
    uint32_t mailbox = vcap32(MYPCI_VCAP_MAILBOX);
    uint32_t events = vcap32(MYPCI_VCAP_EVENTS);
    uint32_t value = mypci_core_vcap_read(&h.core, offset, size);
    uint32_t want = 0;

    note("vcap read 0x%x size %u -> 0x%x", offset, size, value);
    if (vcap_access_acts(offset, size)) {
        for (unsigned i = 0; i < size; i++) {
            want |= (uint32_t)vcap_model_byte(offset + i, mailbox, events)
                    << (i * 8);
        }
    }
    if (value != want) {
        fail("vendor capability read value",
             "offset 0x%x size %u read 0x%x, want 0x%x", offset, size, value,
             want);
    }
}

/* ABI 8: MAILBOX bytes written replace, set EVENTS.0; EVENTS.0 is RW1C. */
static void op_vcap_write(struct input *in)
{
    unsigned offset = in_u8(in) % 0x18;
    unsigned size = pick_vcap_size(in);
    uint32_t value = (uint32_t)in_le(in, 4);
    uint32_t mailbox = vcap32(MYPCI_VCAP_MAILBOX);
    uint32_t events = vcap32(MYPCI_VCAP_EVENTS);

    note("vcap write 0x%x size %u value 0x%x", offset, size, value);
    for (unsigned i = 0; i < size && vcap_access_acts(offset, size); i++) {
        unsigned at = offset + i;
        uint8_t byte = (uint8_t)(value >> (i * 8));
        unsigned shift = at % 4 * 8;

        if (at / 4 * 4 == MYPCI_VCAP_MAILBOX) {
            mailbox = (mailbox & ~(0xffu << shift)) | (uint32_t)byte << shift;
            events |= MYPCI_VCAP_EVENT_MAILBOX;
        } else if (at == MYPCI_VCAP_EVENTS &&
                   (byte & MYPCI_VCAP_EVENT_MAILBOX)) {
            events &= ~MYPCI_VCAP_EVENT_MAILBOX;
        }
    }
    mypci_core_vcap_write(&h.core, offset, value, size);
    if (vcap32(MYPCI_VCAP_MAILBOX) != mailbox ||
        vcap32(MYPCI_VCAP_EVENTS) != events) {
        fail("vendor capability write effect",
             "offset 0x%x size %u value 0x%x: MAILBOX 0x%x EVENTS 0x%x, want "
             "0x%x 0x%x",
             offset, size, value, vcap32(MYPCI_VCAP_MAILBOX),
             vcap32(MYPCI_VCAP_EVENTS), mailbox, events);
    }
}

static void write_reg64(uint64_t offset, uint64_t value, bool whole)
{
    if (whole) {
        guest_write(offset, value, 8);
    } else {
        guest_write(offset, (uint32_t)value, 4);
        guest_write(offset + 4, value >> 32, 4);
    }
}

/*
 * Programs a transfer the way a driver would, with hostile values.
 * cmd: cmd_sel < 0xf0 gives direction cmd_sel & 3, else cmd_raw (reserved
 * bits). SRC and DST are device offsets or bus addresses as the direction
 * wants; how: bit 0 SRC as one 8-byte write (else two 4-byte ones), bit 1
 * the same for DST, bit 2 LEN and DMA_CMD as one 8-byte write, bit 3 do not
 * write DMA_CMD at all.
 */
static void op_dma(struct input *in)
{
    uint8_t cmd_sel = in_u8(in);
    uint32_t cmd_raw = (uint32_t)in_le(in, 4);
    uint32_t cmd = cmd_sel < 0xf0 ? cmd_sel & MYPCI_DMA_DIR_MASK : cmd_raw;
    uint32_t dir = cmd & MYPCI_DMA_DIR_MASK;
    uint8_t src_kind = in_u8(in);
    uint64_t src_raw = in_le(in, 8);
    uint8_t dst_kind = in_u8(in);
    uint64_t dst_raw = in_le(in, 8);
    uint8_t len_kind = in_u8(in);
    uint64_t len_raw = in_le(in, 8);
    uint8_t how = in_u8(in);
    uint64_t src = dir == MYPCI_DMA_DIR_DEV_TO_HOST
                       ? pick_dev_offset(src_kind, src_raw)
                       : pick_host_addr(src_kind, src_raw);
    uint64_t dst = dir == MYPCI_DMA_DIR_HOST_TO_DEV
                       ? pick_dev_offset(dst_kind, dst_raw)
                       : pick_host_addr(dst_kind, dst_raw);
    uint32_t len = pick_len(len_kind, len_raw);

    note("dma cmd 0x%x src 0x%llx dst 0x%llx len 0x%x how 0x%x", cmd,
         (unsigned long long)src, (unsigned long long)dst, len, how);
    write_reg64(MYPCI_REG_DMA_SRC, src, how & 1);
    write_reg64(MYPCI_REG_DMA_DST, dst, how & 2);
    if (how & 8) {
        guest_write(MYPCI_REG_DMA_LEN, len, 4);
    } else if (how & 4) {
        guest_write(MYPCI_REG_DMA_LEN, len | (uint64_t)cmd << 32, 8);
    } else {
        guest_write(MYPCI_REG_DMA_LEN, len, 4);
        guest_write(MYPCI_REG_DMA_CMD, cmd, 4);
    }
}

static void op_run(struct input *in)
{
    bool only_if_scheduled = in_u8(in) & 1;
    struct regs before;
    struct job job = h.job;
    uint64_t fault = 0;
    int err = MYPCI_DMA_OK;
    bool busy;

    if (only_if_scheduled && !h.schedule_pending) {
        note("run: nothing scheduled");
        return;
    }
    regs_get(&before);
    busy = reg_of(&before, MYPCI_REG_DMA_STATUS) & MYPCI_DMA_STATUS_BUSY;
    note("run deferred (%s)", busy ? "busy" : "idle");
    if (busy) {
        memcpy(snap_bus, fake.bus, FAKE_BUS_SIZE);
        memcpy(snap_mem, h.mem, h.config.mem_size);
        err = model_dma_error(&job, &fault);
    }
    h.schedule_pending = false;
    mypci_core_run_deferred(&h.core);
    if (!busy) {
        check_unchanged(&before, "run_deferred with no transfer");
        return;
    }
    h.job.valid = false;
    note("  -> DMA_STATUS 0x%x (model: error %d)", rd32(MYPCI_REG_DMA_STATUS),
         err);
    check_dma_outcome(&before, &job, err, fault);
    if (err == MYPCI_DMA_OK) {
        check_dma_data(&job);
    } else {
        check_failed_dma_moved_nothing();
    }
}

/* Only the modes the config offers: the guest cannot enable the rest. */
static void op_irq_mode(struct input *in)
{
    enum mypci_irq_mode modes[3];
    unsigned n = 0;

    modes[n++] = MYPCI_IRQ_MODE_INTX;
    if (h.config.msi) {
        modes[n++] = MYPCI_IRQ_MODE_MSI;
    }
    if (h.config.msix) {
        modes[n++] = MYPCI_IRQ_MODE_MSIX;
    }
    fake.irq_mode = modes[in_u8(in) % n];
    note("irq mode %d", (int)fake.irq_mode);
    mypci_core_irq_mode_changed(&h.core);
}

static void op_bus_master(struct input *in)
{
    fake.bus_master = !fake.bus_master;
    note("bus master %d", fake.bus_master);
}

static void op_reset(struct input *in)
{
    switch (in_u8(in) % 3) {
    case 0:
        guest_write(MYPCI_REG_CONTROL, MYPCI_CONTROL_RESET, 4);
        break;
    case 1:
        note("core reset CONTROL");
        note_reset(MYPCI_RESET_CONTROL);
        mypci_core_reset(&h.core, MYPCI_RESET_CONTROL);
        break;
    default:
        /* FLR: the PCI core clears Command and the MSI/MSI-X enables. */
        note("function reset");
        note_reset(MYPCI_RESET_FUNCTION);
        fake.bus_master = false;
        fake.irq_mode = MYPCI_IRQ_MODE_INTX;
        mypci_core_reset(&h.core, MYPCI_RESET_FUNCTION);
        mypci_core_irq_mode_changed(&h.core);
        break;
    }
}

/* The IOMMU's mappings change, possibly between a command and its run. */
static void op_map_page(struct input *in)
{
    unsigned page = in_u8(in) % FAKE_PAGES;
    enum fake_perm perm = (enum fake_perm)(in_u8(in) % 3);

    fake.perm[page] = perm;
    note("page %u perm %d", page, (int)perm);
}

/* BAR2 is plain memory: the guest writes it without the device model. */
static void op_bar2_write(struct input *in)
{
    uint64_t offset = in_le(in, 4) % h.config.mem_size;
    uint64_t len = 1 + (uint64_t)in_u8(in);
    uint8_t seed = in_u8(in);

    if (len > h.config.mem_size - offset) {
        len = h.config.mem_size - offset;
    }
    for (uint64_t i = 0; i < len; i++) {
        h.mem[offset + i] = (uint8_t)(seed + i * 13);
    }
    note("bar2 write 0x%llx len %llu", (unsigned long long)offset,
         (unsigned long long)len);
}

static const struct {
    const char *name;
    void (*run)(struct input *in);
} ops[OP_COUNT] = {
    [OP_MMIO_READ] = {"mmio_read", op_mmio_read},
    [OP_MMIO_WRITE] = {"mmio_write", op_mmio_write},
    [OP_VCAP_READ] = {"vcap_read", op_vcap_read},
    [OP_VCAP_WRITE] = {"vcap_write", op_vcap_write},
    [OP_DMA] = {"dma", op_dma},
    [OP_RUN] = {"run_deferred", op_run},
    [OP_IRQ_MODE] = {"irq_mode", op_irq_mode},
    [OP_BUS_MASTER] = {"bus_master", op_bus_master},
    [OP_RESET] = {"reset", op_reset},
    [OP_MAP_PAGE] = {"map_page", op_map_page},
    [OP_BAR2_WRITE] = {"bar2_write", op_bar2_write},
};

/* ---- one input ---------------------------------------------------------- */

static void step_begin(const char *name)
{
    h.step++;
    h.op_name = name;
    h.reset = false;
    h.msi_sent = 0;
    h.msi_causes = 0;
    h.intx_rises = 0;
    h.mailbox_before = vcap32(MYPCI_VCAP_MAILBOX);
    h.events_before = vcap32(MYPCI_VCAP_EVENTS);
}

/* The fixed map with holes and read-only pages; a recognisable pattern. */
static void host_setup(void)
{
    fake_host_init(&fake);
    for (size_t i = 0; i < ARRAY_SIZE(unmapped_pages); i++) {
        fake.perm[unmapped_pages[i]] = FAKE_UNMAPPED;
    }
    for (size_t i = 0; i < ARRAY_SIZE(read_only_pages); i++) {
        fake.perm[read_only_pages[i]] = FAKE_READ_ONLY;
    }
    memcpy(fake.bus, bus_pattern, FAKE_BUS_SIZE);
}

static void patterns_init(void)
{
    static bool done;

    if (done) {
        return;
    }
    for (size_t i = 0; i < FAKE_BUS_SIZE; i++) {
        bus_pattern[i] = (uint8_t)(i * 31 + (i >> 12) + 7);
    }
    memset(guard_pattern, GUARD_BYTE, GUARD);
    done = true;
}

static uint32_t env_u32(const char *name)
{
    const char *value = getenv(name);

    return value ? (uint32_t)strtoul(value, NULL, 0) : 0;
}

static void session_start(struct input *in)
{
    uint8_t mem_sel = in_u8(in);
    uint8_t flags = in_u8(in);
    uint32_t scratch = (uint32_t)in_le(in, 4);
    size_t mem_size;

    patterns_init();
    memset(&h, 0, sizeof(h));
    h.verbose = env_u32("MYPCI_FUZZ_VERBOSE") != 0;
    h.config = (struct mypci_config){
        .scratch_reset = scratch,
        .mem_size = MYPCI_MEM_SIZE_MIN << (mem_sel % MEM_SIZE_CHOICES),
        .msi = flags & 1,
        .msix = flags & 2,
        .breakage = env_u32("MYPCI_FUZZ_BREAK"),
    };
    mem_size = h.config.mem_size;
    note("config mem-size %zu msi %d msix %d scratch 0x%08x", mem_size,
         h.config.msi, h.config.msix, scratch);

    h.ops = fake_host_ops;
    h.ops.send_msi = fuzz_send_msi;
    h.ops.set_intx = fuzz_set_intx;
    h.ops.schedule = fuzz_schedule;
    host_setup();

    /* Not zero: init must zero the memory it is given. */
    h.block = mem_block;
    h.mem = h.block + GUARD;
    memset(h.block, GUARD_BYTE, GUARD + mem_size + GUARD);
    POISON(h.block, GUARD);
    POISON(h.mem + mem_size, MEM_BLOCK_SIZE - GUARD - mem_size);

    /* Init is a function reset: memory zeroed, registers at reset. */
    if (mypci_core_init(&h.core, &h.ops, &fake, &h.config, h.mem) != 0) {
        fail("a valid config initialises", "mypci_core_init failed");
    }
    h.mode_before = fake.irq_mode;
    h.reset = true;
    h.reset_kind = MYPCI_RESET_FUNCTION;
    check_step();
}

static void session_end(void)
{
    UNPOISON(h.block, MEM_BLOCK_SIZE);
    h.block = NULL;
    h.mem = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {data, size};

    session_start(&in);
    for (unsigned n = 0; in.left > 0 && n < MAX_STEPS; n++) {
        unsigned op = in_u8(&in) % OP_COUNT;

        step_begin(ops[op].name);
        ops[op].run(&in);
        check_step();
    }
    session_end();
    return 0;
}
