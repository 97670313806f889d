/*
 * The mypci user-space driver over the generic VFIO library: one ops table
 * (mypci_driver_ops) in the shape of the kernel's VFIO selftest drivers,
 * plus the register-level helpers the conformance suite and the benchmark
 * need. Register offsets and bits come from the ABI header, mypci/abi.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MYPCI_DRIVER_H
#define MYPCI_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "mypci/abi.h"
#include "vfio/irq.h"
#include "vfio/pci_device.h"

/* Default wait for a DMA transfer or an interrupt. */
#define MYPCI_TIMEOUT_MS 5000

struct mypci {
    struct vfio_pci_device *dev;
    volatile uint8_t *regs; /* BAR0 */
    volatile uint8_t *mem;  /* BAR2 */
    uint64_t mem_size;      /* from FEATURES */
    uint32_t features;
    uint8_t msi_cap; /* config offsets, 0 if absent */
    uint8_t msix_cap;
    uint8_t vcap;
    enum vfio_irq_mode irq_mode;
};

extern const struct vfio_pci_driver_ops mypci_driver_ops;

static inline struct mypci *mypci_of(struct vfio_pci_device *dev)
{
    return (struct mypci *)dev->driver.priv;
}

/* Register access of exactly the given width (MMIO must not be split). */
uint32_t mypci_read32(const struct mypci *m, uint32_t offset);
void mypci_write32(const struct mypci *m, uint32_t offset, uint32_t value);
uint64_t mypci_read64(const struct mypci *m, uint32_t offset);
void mypci_write64(const struct mypci *m, uint32_t offset, uint64_t value);
uint16_t mypci_read16(const struct mypci *m, uint32_t offset);
void mypci_write16(const struct mypci *m, uint32_t offset, uint16_t value);
uint8_t mypci_read8(const struct mypci *m, uint32_t offset);
void mypci_write8(const struct mypci *m, uint32_t offset, uint8_t value);

/* Writes DMA_SRC, DMA_DST, DMA_LEN, then DMA_CMD = cmd (direction etc.). */
void mypci_dma_start(const struct mypci *m, uint64_t src, uint64_t dst,
                     uint32_t len, uint32_t cmd);

static inline unsigned mypci_dma_error(uint32_t status)
{
    return (status & MYPCI_DMA_STATUS_ERR_MASK) >> MYPCI_DMA_STATUS_ERR_SHIFT;
}

/*
 * Polls DMA_STATUS until BUSY clears (DONE set); *status gets its last
 * value. 0 or -ETIMEDOUT.
 */
int mypci_dma_wait_poll(const struct mypci *m, int timeout_ms,
                        uint32_t *status);

/*
 * Waits for the interrupt of a finished transfer (DMA_DONE or DMA_ERROR
 * cause, which must be enabled), then reads DMA_STATUS. 0 or -ETIMEDOUT.
 */
int mypci_dma_wait_irq(const struct mypci *m, int timeout_ms, uint32_t *status);

/*
 * Sets up interrupts in mode: every vector the mode has (MSI-X 3, one per
 * cause; MSI 1; INTx 1) on its own eventfd. Leaves IRQ_ENABLE alone.
 */
int mypci_irq_setup(struct mypci *m, enum vfio_irq_mode mode,
                    struct vfio_error *e);

/* The eventfd that signals cause (an MYPCI_IRQ_* bit) in the current mode. */
int mypci_irq_fd(const struct mypci *m, uint32_t cause);

/* The MSI-X vector of a cause (ABI 6: vector n is cause bit n). */
unsigned mypci_cause_vector(uint32_t cause);

/* CONTROL.RESET: registers, DMA and device memory; config space kept. */
void mypci_control_reset(const struct mypci *m);

/* Vendor capability body access through the VFIO config region. */
int mypci_vcap_read(const struct mypci *m, unsigned offset, unsigned size,
                    uint32_t *value, struct vfio_error *e);
int mypci_vcap_write(const struct mypci *m, unsigned offset, unsigned size,
                     uint32_t value, struct vfio_error *e);

#endif
