/*
 * ABI §3/§4 DMA that fails: every error code provoked through the IOMMU and
 * the registers, each shown to move nothing, with DMA_FAULT_ADDR at 4 KiB
 * precision, the checks' precedence (4, 2, 3, 1, source before
 * destination) and a command written while BUSY.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <linux/pci_regs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

#define PAGE 4096u

/* Host and device memory as they were before a transfer that must fail. */
struct world {
    struct vfio_dma_buf a, b; /* two mapped host buffers */
    uint8_t *a_copy, *b_copy, *mem_copy;
};

static void world_init(struct world *w, size_t size)
{
    ct_dma_buf(&w->a, size, VFIO_DMA_PROT_RW);
    ct_dma_buf(&w->b, size, VFIO_DMA_PROT_RW);
    w->a_copy = malloc(w->a.size);
    w->b_copy = malloc(w->b.size);
    w->mem_copy = malloc(ct_m->mem_size);
    ck_assert(w->a_copy && w->b_copy && w->mem_copy);
}

static void world_fini(struct world *w)
{
    ct_dma_free(&w->a);
    ct_dma_free(&w->b);
    free(w->a_copy);
    free(w->b_copy);
    free(w->mem_copy);
}

/* Fresh patterns everywhere, remembered for the "moved nothing" check. */
static void world_fill(struct world *w, uint32_t seed)
{
    pattern_fill(w->a.vaddr, w->a.size, seed);
    pattern_fill(w->b.vaddr, w->b.size, seed + 1);
    pattern_fill(ct_m->mem, ct_m->mem_size, seed + 2);
    memcpy(w->a_copy, w->a.vaddr, w->a.size);
    memcpy(w->b_copy, w->b.vaddr, w->b.size);
    vfio_pci_bar_copy_from(w->mem_copy, ct_m->mem, ct_m->mem_size);
}

static void world_unchanged(const struct world *w, const char *what)
{
    long da = ct_memdiff(w->a.vaddr, w->a_copy, w->a.size);
    long db = ct_memdiff(w->b.vaddr, w->b_copy, w->b.size);
    long dm = ct_memdiff(ct_m->mem, w->mem_copy, ct_m->mem_size);

    ABI_TRUE("§4 a failed transfer moves nothing", da < 0 && db < 0 && dm < 0,
             "%s: host buffer A byte %ld, B byte %ld, device memory byte %ld "
             "changed (-1 = unchanged)",
             what, da, db, dm);
}

struct expect {
    const char *clause;
    const char *what;
    unsigned code;
    uint64_t fault; /* for code 1 */
};

/*
 * Runs a transfer that must fail with x->code: DONE, the code, IRQ_STATUS
 * DMA_ERROR (not DMA_DONE), DMA_COUNT unchanged, DMA_FAULT_ADDR set for
 * code 1 and unchanged otherwise, and nothing moved.
 */
static void expect_fail(struct world *w, const struct expect *x, uint64_t src,
                        uint64_t dst, uint32_t len, uint32_t cmd)
{
    uint32_t count = mypci_read32(ct_m, MYPCI_REG_DMA_COUNT);
    uint64_t fault = mypci_read64(ct_m, MYPCI_REG_DMA_FAULT_ADDR);
    uint32_t status;

    mypci_write32(ct_m, MYPCI_REG_IRQ_ACK, MYPCI_IRQ_ALL);
    status = ct_dma(src, dst, len, cmd);
    ABI_EQ_CTX(x->clause, MYPCI_DMA_STATUS_DONE | x->code << 8, status,
               "DMA_STATUS after %s", x->what);
    ABI_EQ_CTX("§3 DMA_COUNT counts only transfers without error", count,
               mypci_read32(ct_m, MYPCI_REG_DMA_COUNT), "%s", x->what);
    ABI_EQ_CTX("§4 failure sets IRQ_STATUS.DMA_ERROR (not DMA_DONE)",
               MYPCI_IRQ_DMA_ERROR, mypci_read32(ct_m, MYPCI_REG_IRQ_STATUS),
               "%s", x->what);
    ABI_EQ_CTX(x->code == 1 ? "§4 DMA_FAULT_ADDR: first faulting address at "
                              "4 KiB precision"
                            : "§3 DMA_FAULT_ADDR changes only on error 1",
               x->code == 1 ? x->fault : fault,
               mypci_read64(ct_m, MYPCI_REG_DMA_FAULT_ADDR), "%s", x->what);
    world_unchanged(w, x->what);
}

/* A world of 4 pages, filled from seed, and an unmapped range as large. */
static uint64_t world_with_hole(struct world *w, uint32_t seed)
{
    uint64_t hole = ct_unmapped_iova(4 * PAGE);

    world_init(w, 4 * PAGE);
    world_fill(w, seed);
    return hole;
}

START_TEST(dma_err_unmapped)
{
    struct world w;
    uint64_t hole = world_with_hole(&w, 1);

    expect_fail(&w,
                &(struct expect){"§3 error 1: unmapped source",
                                 "dir 0 from an "
                                 "unmapped IOVA",
                                 MYPCI_DMA_ERR_FAULT, hole + 0x123},
                hole + 0x123, 0x40, 0x100, MYPCI_DMA_DIR_HOST_TO_DEV);
    expect_fail(&w,
                &(struct expect){"§3 error 1: unmapped destination",
                                 "dir 1 to an unmapped IOVA",
                                 MYPCI_DMA_ERR_FAULT, hole + 0x10},
                0x40, hole + 0x10, 0x100, MYPCI_DMA_DIR_DEV_TO_HOST);
    expect_fail(&w,
                &(struct expect){
                    "§3 error 1: source checked before destination",
                    "dir 2, both unmapped", MYPCI_DMA_ERR_FAULT, hole + PAGE},
                hole + PAGE, hole + 2 * PAGE, 64, MYPCI_DMA_DIR_HOST_TO_HOST);
    expect_fail(&w,
                &(struct expect){"§3 error 1: unmapped destination (dir 2)",
                                 "dir 2 to an unmapped IOVA",
                                 MYPCI_DMA_ERR_FAULT, hole + 8},
                w.a.iova, hole + 8, 64, MYPCI_DMA_DIR_HOST_TO_HOST);
    world_fini(&w);
}
END_TEST

/* A range whose first page is mapped and whose second is not. */
START_TEST(dma_err_half_mapped)
{
    struct world w;
    struct vfio_error e = {0};
    uint64_t iova = ct_unmapped_iova(2 * PAGE);
    struct vfio_dma_buf page;
    uint8_t page_copy[PAGE];

    world_init(&w, 4 * PAGE);
    CT_OK(vfio_dma_alloc(&page, PAGE, 0, &e), &e);
    CT_OK(vfio_dma_map_part(ct_dev, &page, 0, PAGE, iova, VFIO_DMA_PROT_RW, &e),
          &e);
    pattern_fill(page.vaddr, PAGE, 5);
    memcpy(page_copy, page.vaddr, PAGE);
    world_fill(&w, 2);
    expect_fail(&w,
                &(struct expect){"§4 error 1: half-mapped source faults at the "
                                 "first unmapped page",
                                 "dir 0 across the end of a mapping",
                                 MYPCI_DMA_ERR_FAULT, iova + PAGE},
                iova + 0x800, 0, PAGE, MYPCI_DMA_DIR_HOST_TO_DEV);
    expect_fail(&w,
                &(struct expect){"§4 error 1: half-mapped destination faults "
                                 "at the first unmapped page",
                                 "dir 1 across the end of a mapping",
                                 MYPCI_DMA_ERR_FAULT, iova + PAGE},
                0, iova + PAGE - 0x10, 0x20, MYPCI_DMA_DIR_DEV_TO_HOST);
    ABI_TRUE("§4 a failed transfer moves nothing",
             ct_memdiff(page.vaddr, page_copy, PAGE) < 0,
             "the mapped first page of the destination changed%s", "");
    CT_OK(vfio_iommu_unmap(ct_dev->iommu, iova, PAGE, &e), &e);
    ct_dma_free(&page);
    world_fini(&w);
}
END_TEST

START_TEST(dma_err_readonly_destination)
{
    struct world w;
    struct vfio_dma_buf ro;
    uint8_t copy[PAGE];

    world_init(&w, 4 * PAGE);
    ct_dma_buf(&ro, 2 * PAGE, VFIO_DMA_PROT_READ);
    pattern_fill(ro.vaddr, 2 * PAGE, 77);
    memcpy(copy, (uint8_t *)ro.vaddr + PAGE, PAGE);
    world_fill(&w, 3);
    expect_fail(&w,
                &(struct expect){"§3 error 1: read-only mapping as destination",
                                 "dir 1 into a read-only mapping",
                                 MYPCI_DMA_ERR_FAULT, ro.iova + PAGE + 0x44},
                0, ro.iova + PAGE + 0x44, 0x100, MYPCI_DMA_DIR_DEV_TO_HOST);
    expect_fail(&w,
                &(struct expect){"§3 error 1: read-only mapping as destination",
                                 "dir 2 into a read-only mapping",
                                 MYPCI_DMA_ERR_FAULT, ro.iova + PAGE},
                w.a.iova, ro.iova + PAGE, 0x100, MYPCI_DMA_DIR_HOST_TO_HOST);
    ABI_TRUE("§4 a failed transfer moves nothing",
             ct_memdiff((uint8_t *)ro.vaddr + PAGE, copy, PAGE) < 0,
             "the read-only buffer changed%s", "");
    ct_dma_free(&ro);
    world_fini(&w);
}
END_TEST

START_TEST(dma_err_bad_command)
{
    static const struct {
        uint32_t len, cmd;
        const char *what;
    } bad[] = {
        {0, MYPCI_DMA_DIR_HOST_TO_DEV, "length 0"},
        {0, MYPCI_DMA_DIR_HOST_TO_HOST, "length 0 (dir 2)"},
        {0xffffffffu, MYPCI_DMA_DIR_HOST_TO_DEV, "length 0xffffffff"},
        {64, 3, "direction 3"},
        {64, MYPCI_DMA_DIR_HOST_TO_DEV | 1u << 2, "reserved bit 2"},
        {64, MYPCI_DMA_DIR_DEV_TO_HOST | 1u << 31, "reserved bit 31"},
        {64, MYPCI_DMA_DIR_HOST_TO_HOST | 0x100, "reserved bit 8"},
    };
    struct world w;

    world_init(&w, 4 * PAGE);
    world_fill(&w, 4);
    expect_fail(
        &w,
        &(struct expect){"§3 error 2: length over mem-size",
                         "length mem-size + 1", MYPCI_DMA_ERR_BAD_CMD, 0},
        w.a.iova, 0, (uint32_t)ct_m->mem_size + 1, MYPCI_DMA_DIR_HOST_TO_DEV);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        expect_fail(&w,
                    &(struct expect){"§3 error 2: bad command or length",
                                     bad[i].what, MYPCI_DMA_ERR_BAD_CMD, 0},
                    w.a.iova, w.b.iova, bad[i].len, bad[i].cmd);
    }
    world_fini(&w);
}
END_TEST

START_TEST(dma_err_device_range)
{
    uint64_t size = ct_m->mem_size;
    const struct {
        uint64_t off, len;
        uint32_t dir;
        const char *what;
    } bad[] = {
        {size - 4, 8, MYPCI_DMA_DIR_HOST_TO_DEV, "offset + length = size + 4"},
        {size, 1, MYPCI_DMA_DIR_HOST_TO_DEV, "offset = mem-size"},
        {UINT64_MAX - 3, 8, MYPCI_DMA_DIR_HOST_TO_DEV, "64-bit overflow"},
        {1ull << 63, 1, MYPCI_DMA_DIR_HOST_TO_DEV, "offset 2^63"},
        {size - 1, 2, MYPCI_DMA_DIR_DEV_TO_HOST, "source offset + 2 > size"},
        {UINT64_MAX, 1, MYPCI_DMA_DIR_DEV_TO_HOST, "source 64-bit overflow"},
    };
    struct world w;

    world_init(&w, 4 * PAGE);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        bool to_dev = bad[i].dir == MYPCI_DMA_DIR_HOST_TO_DEV;

        world_fill(&w, 5 + (uint32_t)i);
        expect_fail(&w,
                    &(struct expect){"§3 error 3: device-memory range out of "
                                     "bounds",
                                     bad[i].what, MYPCI_DMA_ERR_RANGE, 0},
                    to_dev ? w.a.iova : bad[i].off,
                    to_dev ? bad[i].off : w.a.iova, (uint32_t)bad[i].len,
                    bad[i].dir);
    }
    ABI_EQ("§3 the last bytes of device memory are in range",
           MYPCI_DMA_STATUS_DONE,
           ct_dma(w.a.iova, size - 8, 8, MYPCI_DMA_DIR_HOST_TO_DEV));
    world_fini(&w);
}
END_TEST

static void set_bus_master(bool on)
{
    struct vfio_error e = {0};

    CT_OK(vfio_pci_command_update(ct_dev, on ? PCI_COMMAND_MASTER : 0,
                                  on ? 0 : PCI_COMMAND_MASTER, &e),
          &e);
}

START_TEST(dma_err_bus_master_off)
{
    static const uint32_t dirs[] = {MYPCI_DMA_DIR_HOST_TO_DEV,
                                    MYPCI_DMA_DIR_DEV_TO_HOST,
                                    MYPCI_DMA_DIR_HOST_TO_HOST};
    struct world w;

    world_init(&w, 4 * PAGE);
    world_fill(&w, 20);
    set_bus_master(false);
    for (size_t i = 0; i < 3; i++) {
        uint64_t src = dirs[i] == MYPCI_DMA_DIR_DEV_TO_HOST ? 0 : w.a.iova;
        uint64_t dst = dirs[i] == MYPCI_DMA_DIR_HOST_TO_DEV ? 0 : w.b.iova;

        expect_fail(&w,
                    &(struct expect){"§8 error 4: DMA with Command.BusMaster 0",
                                     "bus master off", MYPCI_DMA_ERR_NO_MASTER,
                                     0},
                    src, dst, 256, dirs[i]);
    }
    set_bus_master(true);
    ABI_EQ("§8 DMA works again with bus mastering back on",
           MYPCI_DMA_STATUS_DONE,
           ct_dma(w.a.iova, 0, 256, MYPCI_DMA_DIR_HOST_TO_DEV));
    world_fini(&w);
}
END_TEST

/* §3: checks run in the order 4, 2, 3, 1. */
START_TEST(dma_err_precedence)
{
    struct world w;
    uint64_t hole = ct_unmapped_iova(PAGE);
    uint64_t size = ct_m->mem_size;

    world_init(&w, 4 * PAGE);
    world_fill(&w, 30);
    expect_fail(&w,
                &(struct expect){"§3 precedence: 2 before 3 and 1",
                                 "length 0, range out of bounds, unmapped",
                                 MYPCI_DMA_ERR_BAD_CMD, 0},
                hole, size + 1, 0, MYPCI_DMA_DIR_HOST_TO_DEV);
    expect_fail(&w,
                &(struct expect){"§3 precedence: 2 (direction 3) before 1",
                                 "direction 3 with unmapped addresses",
                                 MYPCI_DMA_ERR_BAD_CMD, 0},
                hole, hole, 64, 3);
    expect_fail(&w,
                &(struct expect){"§3 precedence: 3 before 1",
                                 "range out of bounds and unmapped source",
                                 MYPCI_DMA_ERR_RANGE, 0},
                hole, size, 64, MYPCI_DMA_DIR_HOST_TO_DEV);
    set_bus_master(false);
    expect_fail(&w,
                &(struct expect){"§3 precedence: 4 before 2",
                                 "bus master off and length 0",
                                 MYPCI_DMA_ERR_NO_MASTER, 0},
                hole, size, 0, MYPCI_DMA_DIR_HOST_TO_DEV);
    set_bus_master(true);
    world_fini(&w);
}
END_TEST

/* §3: DMA_FAULT_ADDR changes only on error 1, and then every time. */
START_TEST(dma_err_fault_addr_sticky)
{
    struct world w;
    uint64_t hole = world_with_hole(&w, 40);

    expect_fail(&w,
                &(struct expect){"§3 error 1", "unmapped source",
                                 MYPCI_DMA_ERR_FAULT, hole + 0x777},
                hole + 0x777, 0, 16, MYPCI_DMA_DIR_HOST_TO_DEV);
    expect_fail(
        &w,
        &(struct expect){"§3 error 2", "length 0", MYPCI_DMA_ERR_BAD_CMD, 0},
        w.a.iova, 0, 0, MYPCI_DMA_DIR_HOST_TO_DEV);
    expect_fail(
        &w,
        &(struct expect){"§3 error 3", "offset = size", MYPCI_DMA_ERR_RANGE, 0},
        w.a.iova, ct_m->mem_size, 1, MYPCI_DMA_DIR_HOST_TO_DEV);
    ABI_EQ("§4 success after failures", MYPCI_DMA_STATUS_DONE,
           ct_dma(w.a.iova, 0, 16, MYPCI_DMA_DIR_HOST_TO_DEV));
    ABI_EQ("§3 DMA_FAULT_ADDR unchanged by success and errors 2, 3",
           hole + 0x777, mypci_read64(ct_m, MYPCI_REG_DMA_FAULT_ADDR));
    world_fill(&w, 41);
    expect_fail(&w,
                &(struct expect){"§3 error 1 again updates DMA_FAULT_ADDR",
                                 "unmapped destination", MYPCI_DMA_ERR_FAULT,
                                 hole + 3 * PAGE},
                0, hole + 3 * PAGE, 16, MYPCI_DMA_DIR_DEV_TO_HOST);
    world_fini(&w);
}
END_TEST

/* A range that runs past 2^64: never accessible, faults at its start. */
START_TEST(dma_err_host_range_wraps)
{
    struct world w;

    world_init(&w, 4 * PAGE);
    world_fill(&w, 50);
    expect_fail(&w,
                &(struct expect){"§4 error 1: host range past 2^64",
                                 "source wrapping the 64-bit space",
                                 MYPCI_DMA_ERR_FAULT, UINT64_MAX - 0xff},
                UINT64_MAX - 0xff, 0, 0x200, MYPCI_DMA_DIR_HOST_TO_DEV);
    world_fini(&w);
}
END_TEST

/* Under MSI-X a failure signals vector 1 (DMA_ERROR), not vector 0. */
START_TEST(dma_err_interrupt_vector)
{
    uint64_t hole = ct_unmapped_iova(PAGE);
    uint32_t status;

    ct_irq_mode(VFIO_IRQ_MSIX);
    mypci_write32(ct_m, MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_ALL);
    status = ct_dma(hole, 0, 16, MYPCI_DMA_DIR_HOST_TO_DEV);
    ABI_EQ("§3 error 1",
           MYPCI_DMA_STATUS_DONE | MYPCI_DMA_ERR_FAULT
                                       << MYPCI_DMA_STATUS_ERR_SHIFT,
           status);
    ABI_EQ("§6 MSI-X vector 1 on DMA_ERROR", 1,
           ct_wait_irqs(vfio_irq_fd(ct_dev, 1), 1, 1000, CT_QUIET_MS));
    ABI_EQ("§6 MSI-X vector 0 silent on a failed transfer", 0,
           ct_count_irqs(vfio_irq_fd(ct_dev, 0), CT_QUIET_MS));
    ABI_EQ("§3 IRQ_COUNT: one message for one failed transfer", 1,
           mypci_read32(ct_m, MYPCI_REG_IRQ_COUNT));
}
END_TEST

/*
 * §3 DROPPED: a DMA_CMD written while BUSY is dropped. Whether the second
 * write lands while the first transfer (all of device memory through the
 * vIOMMU) still runs depends on timing, so each attempt proves from
 * DMA_STATUS, DMA_COUNT and IRQ_STATUS which of the two legal outcomes it
 * saw; anything else fails. The second command is invalid (direction 3), so
 * had it been accepted it would have ended with error 2 and DMA_ERROR.
 */
enum drop_outcome { DROPPED, ACCEPTED_AFTER };

/*
 * Tries per run. With a busy window (x-dma-delay-us: --busy-device, or
 * MYPCI_BUSY_WINDOW=1) the first should be dropped, unless the host stalls
 * the guest for longer than the window; on a default device the race is won
 * in a few percent of tries under TCG, and a try costs one transfer.
 */
#define DROP_ATTEMPTS_BUSY 20
#define DROP_ATTEMPTS 300

static enum drop_outcome drop_attempt(const struct vfio_dma_buf *src,
                                      int attempt)
{
    uint32_t count = mypci_read32(ct_m, MYPCI_REG_DMA_COUNT);
    uint32_t status, irq;

    mypci_write32(ct_m, MYPCI_REG_IRQ_ACK, MYPCI_IRQ_ALL);
    mypci_dma_start(ct_m, src->iova, 0, (uint32_t)ct_m->mem_size,
                    MYPCI_DMA_DIR_HOST_TO_DEV);
    mypci_write32(ct_m, MYPCI_REG_DMA_CMD, 3);
    ck_assert(mypci_dma_wait_poll(ct_m, MYPCI_TIMEOUT_MS, &status) == 0);
    irq = mypci_read32(ct_m, MYPCI_REG_IRQ_STATUS);
    ABI_EQ_CTX("§3 DMA_COUNT: the first transfer completes either way",
               count + 1, mypci_read32(ct_m, MYPCI_REG_DMA_COUNT), "attempt %d",
               attempt);
    if (status & MYPCI_DMA_STATUS_DROPPED) {
        ABI_EQ_CTX("§3 dropped command: the running transfer goes on "
                   "(DONE|DROPPED, error 0)",
                   MYPCI_DMA_STATUS_DONE | MYPCI_DMA_STATUS_DROPPED, status,
                   "attempt %d", attempt);
        ABI_EQ_CTX("§3 a dropped command raises no interrupt",
                   MYPCI_IRQ_DMA_DONE, irq, "IRQ_STATUS, attempt %d", attempt);
        return DROPPED;
    }
    ABI_EQ_CTX("§3 second command accepted after the first finished: "
               "DONE, error 2",
               MYPCI_DMA_STATUS_DONE | 2u << 8, status, "attempt %d", attempt);
    ABI_EQ_CTX("§4 both transfers ended: DMA_DONE then DMA_ERROR",
               MYPCI_IRQ_DMA_DONE | MYPCI_IRQ_DMA_ERROR, irq,
               "IRQ_STATUS, attempt %d", attempt);
    return ACCEPTED_AFTER;
}

START_TEST(dma_dropped_while_busy)
{
    bool busy = ct_use_busy_device();
    int attempts = busy ? DROP_ATTEMPTS_BUSY : DROP_ATTEMPTS;
    struct vfio_dma_buf src;
    int attempt;
    long diff;

    ct_dma_buf(&src, ct_m->mem_size, VFIO_DMA_PROT_RW);
    pattern_fill(src.vaddr, ct_m->mem_size, 60);
    for (attempt = 1; attempt <= attempts; attempt++) {
        if (drop_attempt(&src, attempt) == DROPPED) {
            break;
        }
    }
    diff = ct_memdiff(ct_m->mem, src.vaddr, ct_m->mem_size);
    ABI_TRUE("§3 the running transfer goes on", diff < 0,
             "device memory byte %ld differs", diff);
    /* With the device's x-dma-delay-us the busy window is wide: must be hit. */
    ck_assert_msg(attempt <= attempts || !busy,
                  "ABI §3 DMA_CMD while BUSY: no second command was dropped in "
                  "%d attempts although the engine is slowed down",
                  attempts);
    if (attempt > attempts) {
        /* Every attempt was proven to be the other legal outcome. */
        printf("# dma_dropped_while_busy: the engine finished before the "
               "second DMA_CMD in all %d attempts; DROPPED not exercised\n",
               attempts);
        ct_dma_free(&src);
        return;
    }
    printf("# dma_dropped_while_busy: DROPPED on attempt %d%s\n", attempt,
           busy ? " (busy window)" : "");
    ABI_EQ("§3 DROPPED clears when a command is next accepted",
           MYPCI_DMA_STATUS_DONE,
           ct_dma(src.iova, 0, 16, MYPCI_DMA_DIR_HOST_TO_DEV));
    ct_dma_free(&src);
}
END_TEST

void ct_register_dma_errors(struct ct_registry *r)
{
    ct_add(r, "dma_errors", dma_err_unmapped, 0);
    ct_add(r, "dma_errors", dma_err_half_mapped, 0);
    ct_add(r, "dma_errors", dma_err_readonly_destination, 0);
    ct_add(r, "dma_errors", dma_err_bad_command, 0);
    ct_add(r, "dma_errors", dma_err_device_range, 0);
    ct_add(r, "dma_errors", dma_err_bus_master_off, 0);
    ct_add(r, "dma_errors", dma_err_precedence, 0);
    ct_add(r, "dma_errors", dma_err_fault_addr_sticky, 0);
    ct_add(r, "dma_errors", dma_err_host_range_wraps, 0);
    ct_add(r, "dma_errors", dma_err_interrupt_vector, CT_NEEDS_MSIX);
    ct_add(r, "dma_errors", dma_dropped_while_busy, 0);
}
