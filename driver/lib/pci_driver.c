/*
 * Driver ops dispatch, with the state and limit checks of the kernel
 * selftests' vfio_pci_driver.c (see vfio/pci_driver.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdbool.h>

#include "vfio/pci_device.h"
#include "vfio/pci_driver.h"

int vfio_pci_driver_probe(struct vfio_pci_device *dev,
                          const struct vfio_pci_driver_ops *const *drivers,
                          struct vfio_error *e)
{
    if (dev->driver.initialized) {
        return vfio_error_set(e, VFIO_CAUSE_BUSY, EBUSY,
                              "%s already has driver %s", dev->bdf,
                              dev->driver.ops->name);
    }
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
    if (dev->driver.initialized) {
        return vfio_error_set(e, VFIO_CAUSE_BUSY, EBUSY,
                              "driver %s already initialised on %s",
                              dev->driver.ops->name, dev->bdf);
    }
    err = dev->driver.ops->init(dev, e);
    dev->driver.initialized = err == 0;
    dev->driver.memcpy_in_progress = false;
    return err;
}

void vfio_pci_driver_remove(struct vfio_pci_device *dev)
{
    if (dev->driver.initialized) {
        dev->driver.ops->remove(dev);
        dev->driver.initialized = false;
        dev->driver.memcpy_in_progress = false;
    }
}

/* -EOPNOTSUPP without the op, -EINVAL before init, else 0. */
static int usable(const struct vfio_pci_device *dev, bool has_op)
{
    if (!has_op) {
        return -EOPNOTSUPP;
    }
    return dev->driver.initialized ? 0 : -EINVAL;
}

int vfio_pci_driver_memcpy_start(struct vfio_pci_device *dev, uint64_t src,
                                 uint64_t dst, uint64_t size, uint64_t count)
{
    struct vfio_pci_driver *d = &dev->driver;
    int err = usable(dev, d->ops && d->ops->memcpy_start);

    if (err < 0) {
        return err;
    }
    if (d->memcpy_in_progress) {
        return -EBUSY;
    }
    if (size == 0 || count == 0 || size > d->max_memcpy_size) {
        return -EINVAL;
    }
    if (count > d->max_memcpy_count) {
        return -E2BIG;
    }
    err = d->ops->memcpy_start(dev, src, dst, size, count);
    d->memcpy_in_progress = err == 0;
    return err;
}

int vfio_pci_driver_memcpy_wait(struct vfio_pci_device *dev)
{
    struct vfio_pci_driver *d = &dev->driver;
    int err = usable(dev, d->ops && d->ops->memcpy_wait);

    if (err < 0) {
        return err;
    }
    if (!d->memcpy_in_progress) {
        return -EINVAL;
    }
    err = d->ops->memcpy_wait(dev);
    d->memcpy_in_progress = false;
    return err;
}

int vfio_pci_driver_memcpy(struct vfio_pci_device *dev, uint64_t src,
                           uint64_t dst, uint64_t size)
{
    int err = vfio_pci_driver_memcpy_start(dev, src, dst, size, 1);

    return err < 0 ? err : vfio_pci_driver_memcpy_wait(dev);
}

int vfio_pci_driver_send_msi(struct vfio_pci_device *dev)
{
    struct vfio_pci_driver *d = &dev->driver;
    int err = usable(dev, d->ops && d->ops->send_msi);

    if (err < 0) {
        return err;
    }
    d->ops->send_msi(dev);
    return 0;
}
