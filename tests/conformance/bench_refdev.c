/*
 * Drivers for QEMU's edu and pci-testdev, the benchmark's references (see
 * bench_refdev.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdlib.h>

#include <linux/pci_regs.h>

#include "bench_refdev.h"

static int probe_ids(struct vfio_pci_device *dev, uint16_t vendor,
                     uint16_t device)
{
    uint32_t ids;

    if (vfio_pci_config_read(dev, PCI_VENDOR_ID, 4, &ids, NULL) < 0) {
        return -EINVAL;
    }
    return ids == (vendor | (uint32_t)device << 16) ? 0 : -EINVAL;
}

static int edu_probe(struct vfio_pci_device *dev)
{
    return probe_ids(dev, EDU_VENDOR_ID, EDU_DEVICE_ID);
}

static int testdev_probe(struct vfio_pci_device *dev)
{
    return probe_ids(dev, TESTDEV_VENDOR_ID, TESTDEV_DEVICE_ID);
}

/* Maps BAR0 (and BAR2 if there is one), turns memory and bus master on. */
static int refdev_init(struct vfio_pci_device *dev, struct vfio_error *e)
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

static void refdev_remove(struct vfio_pci_device *dev)
{
    vfio_irq_disable(dev, NULL);
    free(dev->driver.priv);
    dev->driver.priv = NULL;
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

/* Neither device has a DMA engine worth driving: edu's waits 100 ms. */
const struct vfio_pci_driver_ops edu_driver_ops = {
    .name = "edu",
    .probe = edu_probe,
    .init = edu_init,
    .remove = refdev_remove,
    .send_msi = edu_send_msi,
};

const struct vfio_pci_driver_ops pci_testdev_driver_ops = {
    .name = "pci-testdev",
    .probe = testdev_probe,
    .init = testdev_init,
    .remove = refdev_remove,
};
