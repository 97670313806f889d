/*
 * The pci-testdev driver (see pci_testdev_driver.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>

#include "pci_testdev_driver.h"

static int testdev_probe(struct vfio_pci_device *dev)
{
    return refdev_probe_ids(dev, TESTDEV_VENDOR_ID, TESTDEV_DEVICE_ID);
}

/* A write to the mmio-no-eventfd test must count, as QEMU's does. */
static int testdev_init(struct vfio_pci_device *dev, struct vfio_error *e)
{
    int err = refdev_init(dev, e);
    struct refdev *r;
    uint32_t before;

    if (err < 0) {
        return err;
    }
    r = refdev_of(dev);
    refdev_write32(r, TESTDEV_REG_TEST, TESTDEV_MMIO_NO_EVENTFD);
    before = refdev_read32(r, TESTDEV_REG_COUNT);
    refdev_write32(r, TESTDEV_HIT_OFFSET, TESTDEV_HIT_DATA);
    if (refdev_read32(r, TESTDEV_REG_COUNT) != before + 1) {
        refdev_remove(dev);
        return vfio_error_set(e, VFIO_CAUSE_UNSUPPORTED, ENODEV,
                              "%s: a write to the mmio-no-eventfd test does "
                              "not count as QEMU's pci-testdev does",
                              dev->bdf);
    }
    return 0;
}

const struct vfio_pci_driver_ops pci_testdev_driver_ops = {
    .name = "pci-testdev",
    .probe = testdev_probe,
    .init = testdev_init,
    .remove = refdev_remove,
};
