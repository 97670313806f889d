/*
 * ABI §7: CONTROL.RESET (registers, DMA, device memory; finished when the
 * write returns; configuration space untouched) and FLR through
 * VFIO_DEVICE_RESET (the same, plus the vendor capability's state).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <linux/pci_regs.h>
#include <stdio.h>

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
    ct_count_irqs(vfio_irq_fd(ct_dev, 2), CT_SETTLE_MS);
    mypci_write32(ct_m, MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    ABI_EQ("§7 interrupts still delivered after CONTROL.RESET", 1,
           ct_wait_irqs(vfio_irq_fd(ct_dev, 2), 1, 1000, CT_SETTLE_MS));
    vfio_dma_free(ct_dev, &buf);
}
END_TEST

/*
 * A transfer started just before CONTROL.RESET is abandoned. Whether the
 * engine had already finished when the reset arrived depends on timing;
 * with every cause enabled under MSI-X, a DMA_DONE message tells: none means
 * the transfer was still pending at the reset. Either way nothing of it may
 * be left afterwards; attempts repeat until the abandon path was exercised.
 */
#define ABANDON_ATTEMPTS 100

static bool abandon_attempt(const struct vfio_dma_buf *src, int attempt)
{
    int64_t done_msgs;

    ct_count_irqs(vfio_irq_fd(ct_dev, 0), 1);
    mypci_write32(ct_m, MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_ALL);
    mypci_dma_start(ct_m, src->iova, 0, (uint32_t)ct_m->mem_size,
                    MYPCI_DMA_DIR_HOST_TO_DEV);
    mypci_control_reset(ct_m);
    ABI_EQ_CTX("§7 CONTROL.RESET abandons a running transfer: DMA_STATUS", 0,
               mypci_read32(ct_m, MYPCI_REG_DMA_STATUS), "attempt %d", attempt);
    done_msgs = ct_count_irqs(vfio_irq_fd(ct_dev, 0), 50);
    ABI_EQ_CTX("§7 no DMA_ERROR from an abandoned transfer", 0,
               ct_count_irqs(vfio_irq_fd(ct_dev, 1), 1), "attempt %d", attempt);
    ABI_EQ_CTX("§7 the abandoned transfer never completes: DMA_STATUS", 0,
               mypci_read32(ct_m, MYPCI_REG_DMA_STATUS), "attempt %d", attempt);
    expect_registers_reset("§7 CONTROL.RESET during a transfer");
    return done_msgs == 0;
}

START_TEST(reset_control_abandons_transfer)
{
    struct vfio_dma_buf src;
    int attempt;

    ct_irq_mode(VFIO_IRQ_MSIX);
    ct_dma_buf(&src, ct_m->mem_size, VFIO_DMA_PROT_RW);
    pattern_fill(src.vaddr, ct_m->mem_size, 8);
    for (attempt = 1; attempt <= ABANDON_ATTEMPTS; attempt++) {
        if (abandon_attempt(&src, attempt)) {
            break;
        }
    }
    ck_assert_msg(attempt <= ABANDON_ATTEMPTS || !ct_busy_window_expected(),
                  "ABI §7 CONTROL.RESET during a transfer: the transfer always "
                  "finished before the reset although the engine is slowed "
                  "down (%d attempts)",
                  ABANDON_ATTEMPTS);
    if (attempt > ABANDON_ATTEMPTS) {
        printf("# reset_control_abandons_transfer: the transfer had always "
               "finished before the reset (%d attempts)\n",
               ABANDON_ATTEMPTS);
    } else {
        printf("# reset_control_abandons_transfer: transfer pending at the "
               "reset on attempt %d\n",
               attempt);
    }
    vfio_dma_free(ct_dev, &src);
}
END_TEST

START_TEST(reset_flr)
{
    struct vfio_dma_buf buf;
    struct vfio_error e = {0};

    make_state(&buf);
    ABI_TRUE("§7 VFIO offers a function reset",
             ct_dev->info.flags & VFIO_DEVICE_FLAGS_RESET,
             "VFIO_DEVICE_GET_INFO flags %#x", ct_dev->info.flags);
    CT_OK(vfio_pci_device_reset(ct_dev, &e), &e);
    expect_registers_reset("§7 FLR (VFIO_DEVICE_RESET)");
    ABI_EQ("§7 FLR resets the vendor capability: MAILBOX", 0,
           cfg(ct_m->vcap + MYPCI_VCAP_MAILBOX, 4));
    ABI_EQ("§7 FLR resets the vendor capability: RESULT", 0xffffffffu,
           cfg(ct_m->vcap + MYPCI_VCAP_RESULT, 4));
    ABI_EQ("§7 FLR resets the vendor capability: EVENTS", 0,
           cfg(ct_m->vcap + MYPCI_VCAP_EVENTS, 4));
    vfio_dma_free(ct_dev, &buf);
}
END_TEST

void ct_register_reset(struct ct_registry *r)
{
    ct_add(r, "reset", reset_control, CT_NEEDS_MSIX);
    ct_add(r, "reset", reset_control_abandons_transfer, CT_NEEDS_MSIX);
    ct_add(r, "reset", reset_flr, 0);
}
