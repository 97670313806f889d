/*
 * The edu driver (see edu_driver.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>

#include "edu_driver.h"

static int edu_probe(struct vfio_pci_device *dev)
{
    return refdev_probe_ids(dev, EDU_VENDOR_ID, EDU_DEVICE_ID);
}

static int edu_init(struct vfio_pci_device *dev, struct vfio_error *e)
{
    int err = refdev_init(dev, e);
    struct refdev *r;
    uint32_t id;

    if (err < 0) {
        return err;
    }
    r = refdev_of(dev);
    id = refdev_read32(r, EDU_REG_ID);
    refdev_write32(r, EDU_REG_LIVENESS, 0x12345678);
    if ((id & 0xffff) != EDU_ID_MAGIC ||
        refdev_read32(r, EDU_REG_LIVENESS) != ~0x12345678u) {
        refdev_remove(dev);
        return vfio_error_set(e, VFIO_CAUSE_UNSUPPORTED, ENODEV,
                              "%s: ID %#x or the liveness check does not "
                              "answer as QEMU's edu does",
                              dev->bdf, id);
    }
    refdev_write32(r, EDU_REG_IRQ_ACK, ~0u);
    return 0;
}

/* Raises bit 0 of the interrupt status after acknowledging it. */
static void edu_send_msi(struct vfio_pci_device *dev)
{
    struct refdev *r = refdev_of(dev);

    refdev_write32(r, EDU_REG_IRQ_ACK, 1);
    refdev_write32(r, EDU_REG_IRQ_RAISE, 1);
}

int edu_irq_setup(struct refdev *r, enum vfio_irq_mode mode,
                  struct vfio_error *e)
{
    int err = vfio_irq_enable(r->dev, mode, 1, e);

    r->irq_mode = err == 0 ? mode : VFIO_IRQ_NONE;
    return err;
}

const struct vfio_pci_driver_ops edu_driver_ops = {
    .name = "edu",
    .probe = edu_probe,
    .init = edu_init,
    .remove = refdev_remove,
    .send_msi = edu_send_msi,
};
