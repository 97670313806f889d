/*
 * Device interrupts through VFIO_DEVICE_SET_IRQS: INTx, MSI or MSI-X with N
 * vectors, each vector signalling its own eventfd.
 *
 * INTx is level-triggered: VFIO masks the line when it fires, the driver
 * quiets the device, then calls vfio_irq_intx_unmask() (ACTION_UNMASK).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef VFIO_IRQ_H
#define VFIO_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "vfio/error.h"

struct vfio_pci_device;

enum vfio_irq_mode {
    VFIO_IRQ_NONE = -1,
    VFIO_IRQ_INTX = 0, /* == VFIO_PCI_INTX_IRQ_INDEX */
    VFIO_IRQ_MSI = 1,  /* == VFIO_PCI_MSI_IRQ_INDEX */
    VFIO_IRQ_MSIX = 2, /* == VFIO_PCI_MSIX_IRQ_INDEX */
};

const char *vfio_irq_mode_name(enum vfio_irq_mode mode);

/* How many vectors the device offers in mode (VFIO_DEVICE_GET_IRQ_INFO). */
int vfio_irq_count(struct vfio_pci_device *dev, enum vfio_irq_mode mode,
                   uint32_t *count, struct vfio_error *e);

/*
 * Disables whatever is enabled, creates nvec eventfds and wires vector n to
 * the n-th. INTx takes nvec 1.
 */
int vfio_irq_enable(struct vfio_pci_device *dev, enum vfio_irq_mode mode,
                    unsigned nvec, struct vfio_error *e);

/* Tears the enabled mode down and closes its eventfds. */
int vfio_irq_disable(struct vfio_pci_device *dev, struct vfio_error *e);

/* The eventfd of vector n, or -1. */
int vfio_irq_fd(const struct vfio_pci_device *dev, unsigned vector);

/*
 * Re-wires one vector of the enabled MSI/MSI-X mode: to fd, or with fd -1
 * detaches it (the kernel frees that vector's host IRQ, which masks it).
 */
int vfio_irq_set_vector_fd(struct vfio_pci_device *dev, unsigned vector, int fd,
                           struct vfio_error *e);

/*
 * Masks (or unmasks) one vector of the enabled mode through
 * VFIO_IRQ_SET_ACTION_MASK/UNMASK. vfio-pci implements that for INTx only
 * (6.1 and 6.12 answer -ENOTTY for MSI and MSI-X); the caller finds out.
 * 0 or -errno.
 */
int vfio_irq_set_vector_masked(struct vfio_pci_device *dev, unsigned vector,
                               bool masked, struct vfio_error *e);
/* INTx: VFIO_IRQ_SET_ACTION_UNMASK. */
int vfio_irq_intx_unmask(struct vfio_pci_device *dev, struct vfio_error *e);

/* INTx: VFIO_IRQ_SET_ACTION_MASK. */
int vfio_irq_intx_mask(struct vfio_pci_device *dev, struct vfio_error *e);

/*
 * Waits up to timeout_ms for eventfd fd to be signalled; returns its count
 * (> 0, the counter is reset) or -ETIMEDOUT. No error detail: timeouts are
 * normal in tests that check that nothing fires.
 */
int64_t vfio_irq_wait(int fd, int timeout_ms);

/* The count signalled so far without waiting (0 if none); resets it. */
int64_t vfio_irq_drain(int fd);

#endif
