/*
 * The common part of the edu and pci-testdev drivers (see refdev.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdlib.h>

#include <linux/pci_regs.h>

#include "refdev.h"

int refdev_probe_ids(struct vfio_pci_device *dev, uint16_t vendor,
                     uint16_t device)
{
    uint32_t ids;

    if (vfio_pci_config_read(dev, PCI_VENDOR_ID, 4, &ids, NULL) < 0) {
        return -EINVAL;
    }
    return ids == (vendor | (uint32_t)device << 16) ? 0 : -EINVAL;
}

int refdev_init(struct vfio_pci_device *dev, struct vfio_error *e)
{
    struct refdev *r = calloc(1, sizeof(*r));
    void *bar0, *bar2;
    int err;

    if (!r) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, ENOMEM, "driver state");
    }
    r->dev = dev;
    r->irq_mode = VFIO_IRQ_NONE;
    err = vfio_pci_bar_map(dev, 0, &bar0, e);
    if (err == 0 && dev->regions[2].valid && dev->regions[2].size > 0) {
        err = vfio_pci_bar_map(dev, 2, &bar2, e);
        if (err == 0) {
            r->bar2 = bar2;
            r->bar2_size = dev->regions[2].size;
        }
    }
    if (err == 0) {
        err = vfio_pci_command_update(
            dev, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 0, e);
    }
    if (err < 0) {
        free(r);
        return err;
    }
    r->bar0 = bar0;
    dev->driver.priv = r;
    dev->driver.msi = 0;
    return 0;
}

void refdev_remove(struct vfio_pci_device *dev)
{
    vfio_irq_disable(dev, NULL);
    free(dev->driver.priv);
    dev->driver.priv = NULL;
}
