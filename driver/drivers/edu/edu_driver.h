/*
 * A user-space driver for QEMU's edu device (1234:11e8, hw/misc/edu.c), one
 * of the benchmark's references: BAR0 registers; 0x04 is the liveness check
 * (reads the inverse of what was written), 0x60 raises interrupt status
 * bits, 0x64 acknowledges them; MSI (one vector) or INTx. Its DMA engine
 * waits 100 ms per transfer, so the driver offers no memcpy.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef EDU_DRIVER_H
#define EDU_DRIVER_H

#include "refdev.h"

#define EDU_VENDOR_ID 0x1234
#define EDU_DEVICE_ID 0x11e8
#define EDU_REG_ID 0x00 /* 0xRRrr00ed: major, minor, "ed" */
#define EDU_ID_MAGIC 0xed
#define EDU_REG_LIVENESS 0x04
#define EDU_REG_IRQ_STATUS 0x24
#define EDU_REG_IRQ_RAISE 0x60
#define EDU_REG_IRQ_ACK 0x64

extern const struct vfio_pci_driver_ops edu_driver_ops;

/* One vector (MSI) or INTx on an eventfd; 0 or -errno. */
int edu_irq_setup(struct refdev *r, enum vfio_irq_mode mode,
                  struct vfio_error *e);

#endif
