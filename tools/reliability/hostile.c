/*
 * mypci-fuzz, hostile part (fuzz.h): what QEMU's generic-fuzz, driving the
 * model from outside, cannot do, because it takes a real guest kernel
 * between the driver and the device:
 *  - BAR2 unmapped from the IOMMU (VFIO_IOMMU_UNMAP_DMA) while a transfer
 *    into or out of it is pending, then mapped back at the same IOVA;
 *  - Command.Memory cleared while such a transfer is pending (QEMU takes
 *    the BARs out of the address space, vfio-pci revokes our mmaps);
 *  - VFIO_DEVICE_RESET (FLR) while a transfer is pending, then every
 *    register, device memory and the vendor capability at reset (ABI §7);
 *  - MSI-X disabled (or switched to MSI) through VFIO_DEVICE_SET_IRQS, or a
 *    vector detached through VFIO, masked in the MSI-X table, or masked
 *    with VFIO_IRQ_SET_ACTION_MASK where the kernel has it, while an
 *    interrupt is raised or a transfer completes.
 * With --busy-device (a mypci with x-dma-delay-us) the transfers are still
 * pending when the race starts; the *_busy counters say how often it was
 * seen. Every random choice is drawn before anything timing-dependent, so
 * a seed replays the same operations.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "abi_regs.h"
#include "fuzz.h"

#define VEC_CTRL(v) (MYPCI_MSIX_TABLE_OFFSET + 16u * (v) + 12u)

/*
 * Where a bus-master access that no BAR decodes ends. q35: a decode error,
 * which the device reports as DMA error 1 (ABI §4). arm64's virt: its PCIe
 * host bridge (gpex, allow-unmapped-accesses=on) gives the MMIO window a
 * background that reads all-ones and drops writes, so the transfer
 * succeeds and moves nothing (docs/mypci.md, "x86-64 and arm64").
 */
#if defined(__aarch64__)
#define UNDECODED_DMA_SUCCEEDS 1
#else
#define UNDECODED_DMA_SUCCEEDS 0
#endif
#define OLD_TAG(tag) ((tag) ^ 0x5a5a5a5au) /* what a destination held */

/* How long a race holds its disturbance: none up to 3x the 1 ms delay. */
static useconds_t pick_hold(struct fuzz *f)
{
    static const useconds_t us[] = {0, 300, 1500, 3000};

    return us[rel_below(&f->rng, 4)];
}

static bool dma_busy(const struct fdev *d)
{
    return mypci_read32(d->t.m, MYPCI_REG_DMA_STATUS) & MYPCI_DMA_STATUS_BUSY;
}

/* ---- DMA into BAR2 under an unmap or a Command.Memory toggle ---------- */

/*
 * A transfer whose destination is device memory (checked through BAR2's
 * mmap) and whose host side is BAR2 itself through the IOMMU: read from
 * the first half (direction 0), written into the second (directions 1,
 * 2). Without a BAR2 mapping (iommufd) the host side is a plain buffer.
 */
struct bar2_xfer {
    uint64_t src, dst, bar_side; /* bar_side: the IOVA in BAR2, or 0 */
    uint32_t len, dir, dst_off, tag;
};

static void bar2_pick(struct fuzz *f, const struct fdev *d, struct bar2_xfer *x)
{
    uint64_t half = d->t.m->mem_size / 2;
    uint32_t s_off;

    x->len = 1 + (uint32_t)rel_below(&f->rng, CHK_SIZE);
    s_off = (uint32_t)rel_below(&f->rng, half - x->len + 1);
    x->dst_off = (uint32_t)(half + rel_below(&f->rng, half - x->len + 1));
    x->dir = (uint32_t)rel_below(&f->rng, 3);
    x->tag = (uint32_t)rel_rand(&f->rng);
    if (!d->bar2_iova) {
        x->dir = MYPCI_DMA_DIR_HOST_TO_DEV;
    }
    x->bar_side = 0;
    if (x->dir == MYPCI_DMA_DIR_HOST_TO_DEV) {
        x->src = d->bar2_iova ? d->bar2_iova + s_off : d->chk_src.iova;
        x->bar_side = d->bar2_iova ? x->src : 0;
        x->dst = x->dst_off;
    } else {
        x->src = x->dir == MYPCI_DMA_DIR_DEV_TO_HOST ? s_off : d->chk_src.iova;
        x->dst = d->bar2_iova + x->dst_off;
        x->bar_side = x->dst;
    }
    /* The pattern goes where the source is; the destination holds another. */
    if (x->src == d->chk_src.iova) {
        pattern_fill(d->chk_src.vaddr, x->len, x->tag);
    } else {
        pattern_fill(d->t.m->mem + s_off, x->len, x->tag);
    }
    pattern_fill(d->t.m->mem + x->dst_off, x->len, OLD_TAG(x->tag));
}

/*
 * ABI §4: a successful transfer moved the pattern, a failed one moved
 * nothing; a failure is error 1 at the first byte of the BAR2 side (the
 * whole BAR was gone), and only where the BAR2 side could be gone.
 */
/* True if len bytes at p are all 0xff (what an undecoded read returns). */
static bool all_ones(const volatile uint8_t *p, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        if (p[i] != 0xff) {
            return false;
        }
    }
    return true;
}

/*
 * A transfer that succeeded while BAR2 may have been out of the address
 * space (Command.Memory off) on a machine where that is no error: its BAR2
 * side was the background, so the destination holds what it held (BAR2
 * written) or all-ones (BAR2 read).
 */
static bool bar2_went_to_background(const struct bar2_xfer *x,
                                    const volatile uint8_t *p)
{
    if (!UNDECODED_DMA_SUCCEEDS || !x->bar_side) {
        return false;
    }
    if (x->bar_side == x->src) {
        return all_ones(p, x->len);
    }
    return pattern_check(p, x->len, OLD_TAG(x->tag)) < 0;
}

static int bar2_check(struct fuzz *f, const struct fdev *d,
                      const struct bar2_xfer *x, uint32_t status,
                      bool bar2_may_be_off)
{
    const volatile uint8_t *p = d->t.m->mem + x->dst_off;
    unsigned err = mypci_dma_error(status);
    uint64_t fault = mypci_read64(d->t.m, MYPCI_REG_DMA_FAULT_ADDR);

    if (err == 0 && bar2_may_be_off && bar2_went_to_background(x, p)) {
        f->mem_toggles_background++;
        return 0;
    }

    EXPECT(err == 0 || (err == 1 && x->bar_side),
           "op %" PRIu64 ": transfer dir %u src %#" PRIx64 " dst %#" PRIx64
           " len %u ended with error %u",
           f->ops, x->dir, x->src, x->dst, x->len, err);
    long bad = err ? -1 : pattern_check(p, x->len, x->tag);

    EXPECT(bad < 0,
           "op %" PRIu64 ": transfer dir %u src %#" PRIx64 " dst %#" PRIx64
           " into device memory %#x len %u succeeded but the data differs "
           "from byte %ld on",
           f->ops, x->dir, x->src, x->dst, x->dst_off, x->len, bad);
    EXPECT(err == 0 || pattern_check(p, x->len, OLD_TAG(x->tag)) < 0,
           "op %" PRIu64 ": failed transfer (error %u) changed device memory "
           "at %#x len %u (ABI §4: it moves nothing)",
           f->ops, err, x->dst_off, x->len);
    EXPECT(err != 1 || fault == x->bar_side,
           "op %" PRIu64 ": DMA_FAULT_ADDR %#" PRIx64 ", the unmapped range "
           "starts at %#" PRIx64 " (ABI §4)",
           f->ops, fault, x->bar_side);
    return 0;
}

/* BAR2's IOMMU mapping goes away under a pending transfer, then returns. */
static int op_bar2_remap(struct fuzz *f, struct fdev *d)
{
    struct vfio_iommu *iommu = d->t.dev->iommu;
    uint64_t size = d->t.m->mem_size;
    useconds_t hold = pick_hold(f);
    struct vfio_error e = {0};
    struct bar2_xfer x;
    uint32_t status = 0;
    bool busy, ran_unmapped;

    bar2_pick(f, d, &x);
    mypci_dma_start(d->t.m, x.src, x.dst, x.len, x.dir);
    if (vfio_iommu_unmap(iommu, d->bar2_iova, size, &e) < 0) {
        rel_report(&d->t, "unmapping BAR2 from the IOMMU", &e);
        return -1;
    }
    /* Unmapped (IOTLB flushed: VFIO domains are strict) and not run yet. */
    busy = dma_busy(d);
    f->bar2_remaps++;
    f->bar2_remaps_busy += busy;
    usleep(hold);
    /* Pending after the unmap, done before the remap: it ran unmapped. */
    ran_unmapped = busy && !dma_busy(d);
    if (vfio_iommu_map(iommu, (void *)d->t.m->mem, d->bar2_iova, size,
                       VFIO_DMA_PROT_RW, &e) < 0) {
        rel_report(&d->t, "mapping BAR2 into the IOMMU again", &e);
        return -1;
    }
    if (fuzz_dma_finish(f, d, &status) < 0) {
        return -1;
    }
    f->bar2_remaps_faulted += ran_unmapped;
    EXPECT(!ran_unmapped || mypci_dma_error(status) == 1,
           "op %" PRIu64 ": a transfer that ran while BAR2 was unmapped ended "
           "with error %u, not 1 (ABI §3)",
           f->ops, mypci_dma_error(status));
    return bar2_check(f, d, &x, status, false);
}

/*
 * Command.Memory off under a pending transfer: QEMU removes the BARs from
 * the address space, vfio-pci zaps our mmaps (so no BAR access until it is
 * back on: it would be SIGBUS). The engine's own device memory stays.
 */
static int op_mem_toggle(struct fuzz *f, struct fdev *d)
{
    useconds_t hold = pick_hold(f);
    struct vfio_error e = {0};
    struct bar2_xfer x;
    uint32_t status = 0;

    bar2_pick(f, d, &x);
    mypci_dma_start(d->t.m, x.src, x.dst, x.len, x.dir);
    f->mem_toggles_busy += dma_busy(d);
    if (vfio_pci_command_update(d->t.dev, 0, PCI_COMMAND_MEMORY, &e) < 0) {
        rel_report(&d->t, "clearing Command.Memory", &e);
        return -1;
    }
    usleep(hold);
    if (vfio_pci_command_update(d->t.dev, PCI_COMMAND_MEMORY, 0, &e) < 0) {
        rel_report(&d->t, "setting Command.Memory again", &e);
        return -1;
    }
    f->mem_toggles++;
    if (fuzz_dma_finish(f, d, &status) < 0) {
        return -1;
    }
    f->mem_toggles_faulted += mypci_dma_error(status) == 1;
    return bar2_check(f, d, &x, status, true);
}

/* ---- FLR in the middle of a transfer ----------------------------------- */

/* Index of the first non-zero byte, or -1. */
static long first_nonzero(const volatile uint8_t *p, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        if (p[i]) {
            return (long)i;
        }
    }
    return -1;
}

/* ABI §3 reset column for every register a read returns (§7: FLR). */
static int check_reset_regs(struct fuzz *f, const struct fdev *d)
{
    uint32_t offs[ABI_MAX_DWORDS], want, got;
    size_t n = abi_dwords(ABI_DW_STATE, offs);

    for (size_t i = 0; i < n; i++) {
        got = mypci_read32(d->t.m, offs[i]);
        if (offs[i] == MYPCI_REG_FEATURES) {
            want = d->t.m->features;
        } else if (!abi_dword_reset(offs[i], d->scratch_reset, &want)) {
            continue;
        }
        EXPECT(got == want,
               "op %" PRIu64 ": after FLR mid-transfer %s (+%#x) reads %#x, "
               "reset value %#x (ABI §3, §7)",
               f->ops, abi_reg_name(offs[i]), offs[i], got, want);
    }
    return 0;
}

/* §7: FLR also resets the vendor capability's MAILBOX and EVENTS. */
static int check_reset_vcap(struct fuzz *f, const struct fdev *d)
{
    uint32_t mailbox = ~0u, events = ~0u;

    if (!d->t.m->vcap) {
        return 0;
    }
    mypci_vcap_read(d->t.m, MYPCI_VCAP_MAILBOX, 4, &mailbox, NULL);
    mypci_vcap_read(d->t.m, MYPCI_VCAP_EVENTS, 4, &events, NULL);
    EXPECT(mailbox == 0 && events == 0,
           "op %" PRIu64 ": after FLR vendor cap MAILBOX %#x EVENTS %#x, "
           "want 0 and 0 (ABI §7)",
           f->ops, mailbox, events);
    return 0;
}

/*
 * A transfer into device memory, state in every register and MAILBOX,
 * then FLR. The FLR's own wait (100 ms in pcie_flr) is far past the 1 ms
 * delay, so a transfer the reset failed to abandon has run by the time it
 * returns, and would show in DMA_STATUS, DMA_COUNT or device memory.
 */
static int op_flr_mid_dma(struct fuzz *f, struct fdev *d)
{
    const struct mypci *m = d->t.m;
    uint32_t len = 1 + (uint32_t)rel_below(&f->rng, CHK_SIZE);
    uint32_t off = (uint32_t)rel_below(&f->rng, m->mem_size - len + 1);
    uint32_t tag = (uint32_t)rel_rand(&f->rng);
    struct vfio_error e = {0};
    long bad;

    pattern_fill(d->chk_src.vaddr, len, tag);
    mypci_write32(m, MYPCI_REG_SCRATCH, tag);
    mypci_write32(m, MYPCI_REG_IRQ_ENABLE, tag & MYPCI_IRQ_ALL);
    mypci_vcap_write(m, MYPCI_VCAP_MAILBOX, 4, tag | 1, NULL);
    mypci_dma_start(m, d->chk_src.iova, off, len, MYPCI_DMA_DIR_HOST_TO_DEV);
    f->flr_mid_dma_busy += dma_busy(d);
    if (vfio_pci_device_reset(d->t.dev, &e) < 0) {
        rel_report(&d->t, "VFIO_DEVICE_RESET mid-transfer", &e);
        return -1;
    }
    f->flr_mid_dma++;
    if (check_reset_regs(f, d) < 0 || check_reset_vcap(f, d) < 0) {
        return -1;
    }
    bad = first_nonzero(m->mem + off, len);
    EXPECT(bad < 0,
           "op %" PRIu64 ": after FLR device memory %#" PRIx64 " is not zero "
           "(ABI §7: zeroed, the transfer abandoned)",
           f->ops, (uint64_t)off + (uint64_t)(bad < 0 ? 0 : bad));
    return 0;
}

/* ---- interrupts racing MSI-X toggles and vector masks ----------------- */

enum race {
    RACE_TOGGLE, /* MSI-X off (or to MSI) and on again: SET_IRQS */
    RACE_DETACH, /* the vector's eventfd detached (-1) and re-attached */
    RACE_TABLE,  /* Vector Control's mask bit through the table's mmap */
    RACE_ACTION, /* VFIO_IRQ_SET_ACTION_MASK/UNMASK */
};

struct irq_race {
    enum race kind;
    bool dma, mask_first, to_msi;
    useconds_t hold;
    uint32_t cause;
    unsigned vec;
    uint32_t vec_ctrl; /* RACE_TABLE: Vector Control before the mask */
};

/* The kind: masking the way this kernel allows (a constant per run). */
static void race_pick(struct fuzz *f, const struct fdev *d, struct irq_race *r)
{
    r->kind = (enum race)rel_below(&f->rng, 4);
    r->dma = rel_below(&f->rng, 2);
    r->mask_first = rel_below(&f->rng, 2);
    r->to_msi = rel_below(&f->rng, 2);
    r->hold = pick_hold(f);
    r->cause = r->dma ? MYPCI_IRQ_DMA_DONE : MYPCI_IRQ_SOFT;
    r->vec = mypci_cause_vector(r->cause);
    if (r->kind == RACE_ACTION && f->caps.action_mask_err < 0) {
        r->kind = RACE_TABLE;
    }
    if (r->kind == RACE_TABLE && !d->msix_mmap) {
        r->kind = RACE_DETACH;
    }
}

/* No cause pending or enabled, every eventfd drained. */
static void irq_quiet(const struct fdev *d)
{
    mypci_write32(d->t.m, MYPCI_REG_IRQ_ENABLE, 0);
    mypci_write32(d->t.m, MYPCI_REG_IRQ_ACK, MYPCI_IRQ_ALL);
    for (unsigned v = 0; v < MYPCI_MSIX_VECTORS; v++) {
        vfio_irq_drain(vfio_irq_fd(d->t.dev, v));
    }
}

static int race_begin(struct fuzz *f, struct fdev *d, struct irq_race *r)
{
    struct vfio_error e = {0};
    volatile uint32_t *ctrl;
    int err = 0;

    switch (r->kind) {
    case RACE_TOGGLE:
        f->msix_toggles++;
        err = r->to_msi ? mypci_irq_setup(d->t.m, VFIO_IRQ_MSI, &e)
                        : vfio_irq_disable(d->t.dev, &e);
        break;
    case RACE_DETACH:
        f->vec_detaches++;
        err = vfio_irq_set_vector_fd(d->t.dev, r->vec, -1, &e);
        break;
    case RACE_TABLE:
        f->vec_table_masks++;
        ctrl = (volatile uint32_t *)(d->t.m->regs + VEC_CTRL(r->vec));
        r->vec_ctrl = *ctrl;
        *ctrl = r->vec_ctrl | PCI_MSIX_ENTRY_CTRL_MASKBIT;
        break;
    case RACE_ACTION:
        f->vec_action_masks++;
        err = vfio_irq_set_vector_masked(d->t.dev, r->vec, true, &e);
        break;
    }
    if (err < 0) {
        rel_report(&d->t, "starting an interrupt race", &e);
    }
    return err;
}

static int race_end(struct fdev *d, const struct irq_race *r)
{
    struct vfio_error e = {0};
    int fd = vfio_irq_fd(d->t.dev, r->vec), err = 0;

    switch (r->kind) {
    case RACE_TOGGLE:
        err = mypci_irq_setup(d->t.m, VFIO_IRQ_MSIX, &e);
        break;
    case RACE_DETACH:
        err = vfio_irq_set_vector_fd(d->t.dev, r->vec, fd, &e);
        break;
    case RACE_TABLE:
        *(volatile uint32_t *)(d->t.m->regs + VEC_CTRL(r->vec)) = r->vec_ctrl;
        break;
    case RACE_ACTION:
        err = vfio_irq_set_vector_masked(d->t.dev, r->vec, false, &e);
        break;
    }
    if (err < 0) {
        rel_report(&d->t, "ending an interrupt race", &e);
    }
    return err;
}

/* The cause: IRQ_RAISE, or a valid transfer whose DONE interrupts. */
static void race_trigger(const struct fdev *d, const struct irq_race *r)
{
    if (r->dma) {
        mypci_dma_start(d->t.m, 0, d->chk_dst.iova, CHK_SIZE,
                        MYPCI_DMA_DIR_DEV_TO_HOST);
    } else {
        mypci_write32(d->t.m, MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    }
}

/*
 * ABI §6 while a vector is masked (the kernel left it unmasked, raised
 * before it was masked otherwise): its PBA bit holds the cause and no
 * message arrives.
 */
static int race_check_masked(struct fuzz *f, const struct fdev *d,
                             const struct irq_race *r)
{
    uint32_t pba = 0;

    if (r->kind == RACE_TOGGLE || r->dma || !r->mask_first ||
        (r->kind == RACE_TABLE &&
         (r->vec_ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT))) {
        return 0;
    }
    vfio_pci_bar_pread(d->t.dev, MYPCI_BAR_REGS, MYPCI_MSIX_PBA_OFFSET, &pba, 4,
                       NULL);
    EXPECT(pba & (1u << r->vec),
           "op %" PRIu64 ": vector %u masked (race %d), cause raised: PBA "
           "%#x lacks its bit (ABI §6)",
           f->ops, r->vec, (int)r->kind, pba);
    EXPECT(vfio_irq_drain(vfio_irq_fd(d->t.dev, r->vec)) == 0,
           "op %" PRIu64 ": vector %u signalled while masked (race %d)", f->ops,
           r->vec, (int)r->kind);
    f->masked_pending++;
    return 0;
}

/*
 * After the race the cause must have been delivered (a masked vector fires
 * once unmasked, ABI §6). A toggled MSI-X promises nothing for a message
 * sent while it was off (INTx or MSI then); a fresh IRQ_RAISE must arrive.
 */
static int race_check_after(struct fuzz *f, const struct fdev *d,
                            const struct irq_race *r)
{
    int fd = vfio_irq_fd(d->t.dev, r->vec);
    uint32_t status = 0;

    if (r->dma && fuzz_dma_finish(f, d, &status) < 0) {
        return -1;
    }
    EXPECT(!r->dma || mypci_dma_error(status) == 0,
           "op %" PRIu64 ": a valid transfer ended with error %u", f->ops,
           mypci_dma_error(status));
    if (r->kind == RACE_TOGGLE) {
        irq_quiet(d);
        mypci_write32(d->t.m, MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_SOFT);
        mypci_write32(d->t.m, MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
        fd = vfio_irq_fd(d->t.dev, mypci_cause_vector(MYPCI_IRQ_SOFT));
    }
    EXPECT(vfio_irq_wait(fd, MYPCI_TIMEOUT_MS) > 0,
           "op %" PRIu64 ": race %d (%s, %s first): vector %u not delivered "
           "within %d ms",
           f->ops, (int)r->kind, r->dma ? "DMA_DONE" : "SOFT",
           r->mask_first ? "mask" : "cause", r->vec, MYPCI_TIMEOUT_MS);
    return 0;
}

static int op_irq_race(struct fuzz *f, struct fdev *d)
{
    struct irq_race r;
    int err;

    race_pick(f, d, &r);
    if (d->irq_mode != VFIO_IRQ_MSIX) {
        return 0;
    }
    irq_quiet(d);
    mypci_write32(d->t.m, MYPCI_REG_IRQ_ENABLE, r.cause);
    if (r.mask_first && race_begin(f, d, &r) < 0) {
        return -1;
    }
    race_trigger(d, &r);
    if (!r.mask_first && race_begin(f, d, &r) < 0) {
        return -1;
    }
    usleep(r.hold);
    err = race_check_masked(f, d, &r);
    if (race_end(d, &r) < 0) {
        return -1;
    }
    if (err == 0) {
        err = race_check_after(f, d, &r);
    }
    irq_quiet(d);
    return err;
}

/* ---- entry points ------------------------------------------------------ */

/*
 * Does VFIO_IRQ_SET_ACTION_MASK work for MSI-X here? vfio-pci has it for
 * INTx only ("Need masking support exported"); the answer is printed.
 */
void hostile_setup(struct fuzz *f)
{
    struct fdev *d = racer(f);
    struct vfio_error e = {0};

    f->caps.action_mask_err = -ENODEV;
    if (d->irq_mode == VFIO_IRQ_MSIX) {
        f->caps.action_mask_err =
            vfio_irq_set_vector_masked(d->t.dev, 0, true, &e);
        if (f->caps.action_mask_err == 0) {
            vfio_irq_set_vector_masked(d->t.dev, 0, false, &e);
        }
    }
    printf("mypci-fuzz: races on %s; MSI-X vector masking: "
           "VFIO_IRQ_SET_ACTION_MASK %s, MSI-X table mmap %s\n",
           d->t.dev->bdf,
           f->caps.action_mask_err == 0 ? "works"
                                        : strerror(-f->caps.action_mask_err),
           d->msix_mmap ? "yes (masking through Vector Control)" : "no");
}

uint64_t hostile_msix_addr(struct fuzz *f, bool pba)
{
    uint32_t base = pba ? MYPCI_MSIX_PBA_OFFSET : MYPCI_MSIX_TABLE_OFFSET;
    uint32_t span = pba ? 8 : 16 * MYPCI_MSIX_VECTORS;
    uint64_t off = base + rel_below(&f->rng, span);

    /* Page 1 not in the IOMMU: its bus address, an unmapped IOVA. */
    return f->d.msix_mmap && f->d.bar0_iova ? f->d.bar0_iova + off
                                            : f->d.bar0_bus + off;
}

int hostile_op(struct fuzz *f)
{
    struct fdev *d = racer(f);
    uint64_t r = rel_below(&f->rng, 32);
    struct vfio_error e = {0};

    /* The fuzzed device may have BusMaster off: these races need it on. */
    if (vfio_pci_command_update(
            d->t.dev, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 0, &e) < 0) {
        rel_report(&d->t, "restoring the Command register", &e);
        return -1;
    }
    if (r < 2) {
        return op_flr_mid_dma(f, d); /* ~100 ms each: rare */
    }
    if (r < 12) {
        return d->bar2_iova ? op_bar2_remap(f, d) : op_mem_toggle(f, d);
    }
    if (r < 21) {
        return op_mem_toggle(f, d);
    }
    return op_irq_race(f, d);
}

void hostile_summary(const struct fuzz *f)
{
    printf(" dma_table_rd=%" PRIu64 " dma_table_wr=%" PRIu64
           " dma_pba_rd=%" PRIu64 " dma_pba_wr=%" PRIu64 " bar2_remaps=%" PRIu64
           " bar2_remaps_busy=%" PRIu64 " bar2_remaps_faulted=%" PRIu64
           " mem_toggles=%" PRIu64 " mem_toggles_busy=%" PRIu64
           " mem_toggles_faulted=%" PRIu64 " mem_toggles_background=%" PRIu64
           " flr_mid_dma=%" PRIu64 " flr_mid_dma_busy=%" PRIu64
           " msix_toggles=%" PRIu64 " vec_detaches=%" PRIu64
           " vec_table_masks=%" PRIu64 " vec_action_masks=%" PRIu64
           " masked_pending=%" PRIu64,
           f->dma_table_rd, f->dma_table_wr, f->dma_pba_rd, f->dma_pba_wr,
           f->bar2_remaps, f->bar2_remaps_busy, f->bar2_remaps_faulted,
           f->mem_toggles, f->mem_toggles_busy, f->mem_toggles_faulted,
           f->mem_toggles_background, f->flr_mid_dma, f->flr_mid_dma_busy,
           f->msix_toggles, f->vec_detaches, f->vec_table_masks,
           f->vec_action_masks, f->masked_pending);
}
