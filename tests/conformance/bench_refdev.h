/*
 * QEMU's own PCI devices as references for mypci-bench: small user-space
 * drivers (struct vfio_pci_driver_ops, beside mypci's) for
 *
 * - edu (1234:11e8, hw/misc/edu.c): BAR0 registers; 0x04 is the liveness
 *   check (reads the inverse of what was written), 0x60 raises interrupt
 *   status bits, 0x64 acknowledges them; MSI (one vector) or INTx.
 * - pci-testdev (1b36:0005, hw/misc/pci-testdev.c): BAR0 (4 KiB) holds a
 *   header per I/O test; writing a test number to offset 0 selects it. In
 *   test 0 ("mmio-no-eventfd") a byte write of 0xfa at the header's offset
 *   (2048) counts in the header's count (offset 12). Its handler takes one
 *   byte per call, so a 32-bit access is four calls. With -device
 *   pci-testdev,membar=SIZE,membar-backed=on it also has a RAM-backed BAR2.
 *
 * They stay here, with the benchmark: the VFIO library is device-agnostic.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef BENCH_REFDEV_H
#define BENCH_REFDEV_H

#include <stdint.h>

#include "vfio/irq.h"
#include "vfio/pci_device.h"
#include "vfio/pci_driver.h"

#define EDU_VENDOR_ID 0x1234
#define EDU_DEVICE_ID 0x11e8
#define EDU_REG_ID 0x00 /* 0xRRrr00ed: major, minor, "ed" */
#define EDU_ID_MAGIC 0xed
#define EDU_REG_LIVENESS 0x04
#define EDU_REG_IRQ_STATUS 0x24
#define EDU_REG_IRQ_RAISE 0x60
#define EDU_REG_IRQ_ACK 0x64

#define TESTDEV_VENDOR_ID 0x1b36
#define TESTDEV_DEVICE_ID 0x0005
#define TESTDEV_REG_TEST 0x00  /* header byte 0: select a test */
#define TESTDEV_REG_COUNT 0x0c /* header: writes counted */
#define TESTDEV_MMIO_NO_EVENTFD 0
#define TESTDEV_HIT_OFFSET 2048 /* IOTEST_MEMSIZE + test 0 */
#define TESTDEV_HIT_DATA 0xfa   /* IOTEST_DATAMATCH */

/* The state both reference drivers keep (dev->driver.priv). */
struct refdev {
    struct vfio_pci_device *dev;
    volatile uint8_t *bar0;
    volatile uint8_t *bar2; /* NULL if the device has no BAR2 */
    uint64_t bar2_size;
    enum vfio_irq_mode irq_mode;
};

extern const struct vfio_pci_driver_ops edu_driver_ops;
extern const struct vfio_pci_driver_ops pci_testdev_driver_ops;

static inline struct refdev *refdev_of(struct vfio_pci_device *dev)
{
    return (struct refdev *)dev->driver.priv;
}

static inline uint32_t refdev_read32(const struct refdev *r, uint32_t offset)
{
    return *(volatile uint32_t *)(r->bar0 + offset);
}

static inline void refdev_write32(const struct refdev *r, uint32_t offset,
                                  uint32_t value)
{
    *(volatile uint32_t *)(r->bar0 + offset) = value;
}

/* edu: one vector (MSI) or INTx on an eventfd; 0 or -errno. */
int edu_irq_setup(struct refdev *r, enum vfio_irq_mode mode,
                  struct vfio_error *e);

#endif
