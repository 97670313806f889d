/*
 * ABI §7: CONTROL.RESET (registers, DMA, device memory; finished when the
 * write returns; configuration space untouched) and FLR through
 * VFIO_DEVICE_RESET (the same, plus the vendor capability's state).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <linux/pci_regs.h>
#include <stdio.h>
#include <time.h>

#include "conformance.h"

static uint32_t cfg(uint32_t offset, unsigned size)
{
    struct vfio_error e = {0};
    uint32_t value = 0;

    CT_OK(vfio_pci_config_read(ct_dev, offset, size, &value, &e), &e);
    return value;
}

/* Non-reset state in every register, device memory and the vendor cap. */
static void make_state(struct vfio_dma_buf *buf)
{
    struct vfio_error e = {0};

    ct_dma_buf(buf, 4096, VFIO_DMA_PROT_RW);
    mypci_write32(ct_m, MYPCI_REG_SCRATCH, 0xfeedf00d);
    ck_assert(ct_dma(buf->iova, 0, 64, MYPCI_DMA_DIR_HOST_TO_DEV) ==
              MYPCI_DMA_STATUS_DONE);
    ck_assert(
        ct_dma(ct_unmapped_iova(4096), 0, 64, MYPCI_DMA_DIR_HOST_TO_DEV) ==
        (MYPCI_DMA_STATUS_DONE | 1u << 8));
    mypci_write64(ct_m, MYPCI_REG_DMA_SRC, 0x1234);
    mypci_write64(ct_m, MYPCI_REG_DMA_DST, 0x5678);
    mypci_write32(ct_m, MYPCI_REG_DMA_LEN, 99);
    mypci_write32(ct_m, MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_SOFT);
    mypci_write32(ct_m, MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    pattern_fill(ct_m->mem, ct_m->mem_size, 3);
    CT_OK(mypci_vcap_write(ct_m, MYPCI_VCAP_MAILBOX, 4, 0xcafe, &e), &e);
}

static void expect_registers_reset(const char *clause)
{
    long nonzero = -1;

    ct_expect_registers_reset(clause);
    for (uint64_t i = 0; i < ct_m->mem_size && nonzero < 0; i++) {
        if (ct_m->mem[i] != 0) {
            nonzero = (long)i;
        }
    }
    ABI_TRUE(clause, nonzero < 0, "device memory not zeroed: byte %ld = %#x",
             nonzero, nonzero < 0 ? 0 : ct_m->mem[nonzero]);
}

START_TEST(reset_control)
{
    struct vfio_dma_buf buf;
    uint32_t command;

    ct_irq_mode(VFIO_IRQ_MSIX);
    make_state(&buf);
    command = cfg(PCI_COMMAND, 2);
    mypci_control_reset(ct_m);
    /* No wait: the reset has finished when the write returns. */
    expect_registers_reset("§7 CONTROL.RESET (checked right after the write)");
    ABI_EQ("§3 CONTROL.RESET reads 0", 0,
           mypci_read32(ct_m, MYPCI_REG_CONTROL));
    ABI_EQ("§7 CONTROL.RESET leaves config space: MAILBOX", 0xcafe,
           cfg(ct_m->vcap + MYPCI_VCAP_MAILBOX, 4));
    ABI_EQ("§7 CONTROL.RESET leaves config space: EVENTS", 1,
           cfg(ct_m->vcap + MYPCI_VCAP_EVENTS, 4));
    ABI_EQ("§7 CONTROL.RESET leaves config space: Command", command,
           cfg(PCI_COMMAND, 2));
    ABI_TRUE("§7 CONTROL.RESET leaves config space: MSI-X stays enabled",
             cfg(ct_m->msix_cap + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_ENABLE,
             "MSI-X control %#x", cfg(ct_m->msix_cap + PCI_MSIX_FLAGS, 2));
    mypci_write32(ct_m, MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_SOFT);
    ct_count_irqs(vfio_irq_fd(ct_dev, 2), CT_QUIET_MS);
    mypci_write32(ct_m, MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    ABI_EQ("§7 interrupts still delivered after CONTROL.RESET", 1,
           ct_wait_irqs(vfio_irq_fd(ct_dev, 2), 1, 1000, CT_QUIET_MS));
    ct_dma_free(&buf);
}
END_TEST

/*
 * A transfer started just before CONTROL.RESET is abandoned. On a device
 * with a busy window (x-dma-delay-us: --busy-device, or MYPCI_BUSY_WINDOW=1)
 * the transfer is still pending when the reset arrives, so the abandon path
 * must be taken; on a default device the engine usually finishes first and
 * an attempt then shows only the other legal outcome. Under MSI-X with every
 * cause enabled, a DMA_DONE message tells which: the device sends it within
 * the MMIO write that finishes the transfer, so by the time the reset's
 * write returns it is on the eventfd. Either way nothing of the transfer may
 * be left afterwards, checked after it would have finished had it gone on.
 */
#define ABANDON_ATTEMPTS_BUSY 20 /* one is enough unless the host stalls */
#define ABANDON_ATTEMPTS 20      /* a default device rarely loses the race */

/* Milliseconds one full-size transfer takes on this device, rounded up. */
static int transfer_ms(const struct vfio_dma_buf *src)
{
    struct timespec t0, t1;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    ABI_EQ("§4 a full-size transfer succeeds", MYPCI_DMA_STATUS_DONE,
           ct_dma(src->iova, 0, (uint32_t)ct_m->mem_size,
                  MYPCI_DMA_DIR_HOST_TO_DEV));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (int)((t1.tv_sec - t0.tv_sec) * 1000 +
                 (t1.tv_nsec - t0.tv_nsec) / 1000000) +
           1;
}

static bool abandon_attempt(const struct vfio_dma_buf *src, int attempt,
                            int window_ms)
{
    int64_t done_msgs;

    ct_count_irqs(vfio_irq_fd(ct_dev, 0), 0);
    mypci_write32(ct_m, MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_ALL);
    mypci_dma_start(ct_m, src->iova, 0, (uint32_t)ct_m->mem_size,
                    MYPCI_DMA_DIR_HOST_TO_DEV);
    mypci_control_reset(ct_m);
    ABI_EQ_CTX("§7 CONTROL.RESET abandons a running transfer: DMA_STATUS", 0,
               mypci_read32(ct_m, MYPCI_REG_DMA_STATUS), "attempt %d", attempt);
    done_msgs = ct_count_irqs(vfio_irq_fd(ct_dev, 0), CT_QUIET_MS);
    /* Watched long enough for the transfer to end, had it gone on. */
    ABI_EQ_CTX("§7 no DMA_ERROR from an abandoned transfer", 0,
               ct_count_irqs(vfio_irq_fd(ct_dev, 1), window_ms), "attempt %d",
               attempt);
    ABI_EQ_CTX("§7 the abandoned transfer never completes: DMA_STATUS", 0,
               mypci_read32(ct_m, MYPCI_REG_DMA_STATUS), "attempt %d", attempt);
    expect_registers_reset("§7 CONTROL.RESET during a transfer");
    return done_msgs == 0;
}

START_TEST(reset_control_abandons_transfer)
{
    bool busy = ct_use_busy_device();
    int attempts = busy ? ABANDON_ATTEMPTS_BUSY : ABANDON_ATTEMPTS;
    struct vfio_dma_buf src;
    int attempt, window_ms;

    ct_irq_mode(VFIO_IRQ_MSIX);
    ct_dma_buf(&src, ct_m->mem_size, VFIO_DMA_PROT_RW);
    pattern_fill(src.vaddr, ct_m->mem_size, 8);
    window_ms = 2 * transfer_ms(&src) + CT_QUIET_MS;
    mypci_control_reset(ct_m);
    for (attempt = 1; attempt <= attempts; attempt++) {
        if (abandon_attempt(&src, attempt, window_ms)) {
            break;
        }
    }
    ck_assert_msg(attempt <= attempts || !busy,
                  "ABI §7 CONTROL.RESET during a transfer: the transfer always "
                  "finished before the reset although the engine is slowed "
                  "down (%d attempts)",
                  attempts);
    if (attempt > attempts) {
        printf("# reset_control_abandons_transfer: the transfer had always "
               "finished before the reset (%d attempts)\n",
               attempts);
    } else {
        printf("# reset_control_abandons_transfer: transfer pending at the "
               "reset on attempt %d%s\n",
               attempt, busy ? " (busy window)" : "");
    }
    ct_dma_free(&src);
}
END_TEST

START_TEST(reset_flr)
{
    struct vfio_dma_buf buf;

    make_state(&buf);
    ct_function_reset();
    expect_registers_reset("§7 FLR (VFIO_DEVICE_RESET)");
    ABI_EQ("§7 FLR resets the vendor capability: MAILBOX", 0,
           cfg(ct_m->vcap + MYPCI_VCAP_MAILBOX, 4));
    ABI_EQ("§7 FLR resets the vendor capability: RESULT", 0xffffffffu,
           cfg(ct_m->vcap + MYPCI_VCAP_RESULT, 4));
    ABI_EQ("§7 FLR resets the vendor capability: EVENTS", 0,
           cfg(ct_m->vcap + MYPCI_VCAP_EVENTS, 4));
    ct_dma_free(&buf);
}
END_TEST

void ct_register_reset(struct ct_registry *r)
{
    ct_add(r, "reset", reset_control, CT_NEEDS_MSIX);
    ct_add(r, "reset", reset_control_abandons_transfer, CT_NEEDS_MSIX);
    ct_add(r, "reset", reset_flr, 0);
}
