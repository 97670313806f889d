/*
 * What the drivers of QEMU's two reference devices (edu, pci-testdev: the
 * benchmark's yardsticks) share: their state, BAR0 access, and an init that
 * maps the BARs and turns on memory decoding and bus mastering.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef REFDEV_H
#define REFDEV_H

#include <stdint.h>

#include "vfio/irq.h"
#include "vfio/pci_device.h"
#include "vfio/pci_driver.h"

/* The state both reference drivers keep (dev->driver.priv). */
struct refdev {
    struct vfio_pci_device *dev;
    volatile uint8_t *bar0;
    volatile uint8_t *bar2; /* NULL if the device has no BAR2 */
    uint64_t bar2_size;
    enum vfio_irq_mode irq_mode;
};

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

/* 0 if config space holds vendor:device, else -EINVAL (a probe's answer). */
int refdev_probe_ids(struct vfio_pci_device *dev, uint16_t vendor,
                     uint16_t device);
/* Maps BAR0 (and BAR2 if there is one), turns memory and bus master on. */
int refdev_init(struct vfio_pci_device *dev, struct vfio_error *e);
void refdev_remove(struct vfio_pci_device *dev);

#endif
