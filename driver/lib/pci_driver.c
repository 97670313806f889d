/*
 * Driver ops dispatch (see vfio/pci_driver.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>

#include "vfio/pci_device.h"
#include "vfio/pci_driver.h"

int vfio_pci_driver_probe(struct vfio_pci_device *dev,
                          const struct vfio_pci_driver_ops *const *drivers,
                          struct vfio_error *e)
{
    for (; *drivers; drivers++) {
        if ((*drivers)->probe(dev) == 0) {
            dev->driver.ops = *drivers;
            return 0;
        }
    }
    return vfio_error_set(e, VFIO_CAUSE_UNSUPPORTED, ENODEV, "no driver for %s",
                          dev->bdf);
}

int vfio_pci_driver_init(struct vfio_pci_device *dev, struct vfio_error *e)
{
    int err;

    if (!dev->driver.ops) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, EINVAL,
                              "no driver probed for %s", dev->bdf);
    }
    err = dev->driver.ops->init(dev, e);
    dev->driver.initialized = err == 0;
    return err;
}

void vfio_pci_driver_remove(struct vfio_pci_device *dev)
{
    if (dev->driver.initialized) {
        dev->driver.ops->remove(dev);
        dev->driver.initialized = false;
    }
}

int vfio_pci_driver_memcpy(struct vfio_pci_device *dev, uint64_t src,
                           uint64_t dst, uint64_t size)
{
    int err = dev->driver.ops->memcpy_start(dev, src, dst, size, 1);

    if (err < 0) {
        return err;
    }
    return dev->driver.ops->memcpy_wait(dev);
}

void vfio_pci_driver_send_msi(struct vfio_pci_device *dev)
{
    dev->driver.ops->send_msi(dev);
}
