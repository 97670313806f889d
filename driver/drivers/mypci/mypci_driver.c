/*
 * The mypci user-space driver (see mypci_driver.h and the device ABI,
 * docs/abi.md).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/pci_regs.h>

#include "mypci_driver.h"

uint32_t mypci_read32(const struct mypci *m, uint32_t offset)
{
    return *(volatile uint32_t *)(m->regs + offset);
}

void mypci_write32(const struct mypci *m, uint32_t offset, uint32_t value)
{
    *(volatile uint32_t *)(m->regs + offset) = value;
}

uint64_t mypci_read64(const struct mypci *m, uint32_t offset)
{
    return *(volatile uint64_t *)(m->regs + offset);
}

void mypci_write64(const struct mypci *m, uint32_t offset, uint64_t value)
{
    *(volatile uint64_t *)(m->regs + offset) = value;
}

uint16_t mypci_read16(const struct mypci *m, uint32_t offset)
{
    return *(volatile uint16_t *)(m->regs + offset);
}

void mypci_write16(const struct mypci *m, uint32_t offset, uint16_t value)
{
    *(volatile uint16_t *)(m->regs + offset) = value;
}

uint8_t mypci_read8(const struct mypci *m, uint32_t offset)
{
    return *(m->regs + offset);
}

void mypci_write8(const struct mypci *m, uint32_t offset, uint8_t value)
{
    *(m->regs + offset) = value;
}

void mypci_dma_start(const struct mypci *m, uint64_t src, uint64_t dst,
                     uint32_t len, uint32_t cmd)
{
    mypci_write64(m, MYPCI_REG_DMA_SRC, src);
    mypci_write64(m, MYPCI_REG_DMA_DST, dst);
    mypci_write32(m, MYPCI_REG_DMA_LEN, len);
    mypci_write32(m, MYPCI_REG_DMA_CMD, cmd);
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int mypci_dma_wait_poll(const struct mypci *m, int timeout_ms, uint32_t *status)
{
    int64_t deadline = now_ms() + timeout_ms;

    for (;;) {
        *status = mypci_read32(m, MYPCI_REG_DMA_STATUS);
        if (!(*status & MYPCI_DMA_STATUS_BUSY)) {
            return 0;
        }
        if (now_ms() > deadline) {
            return -ETIMEDOUT;
        }
    }
}

unsigned mypci_cause_vector(uint32_t cause)
{
    return (unsigned)__builtin_ctz(cause);
}

int mypci_irq_fd(const struct mypci *m, uint32_t cause)
{
    if (m->irq_mode == VFIO_IRQ_MSIX) {
        return vfio_irq_fd(m->dev, mypci_cause_vector(cause));
    }
    return vfio_irq_fd(m->dev, 0);
}

/* Waits on the fds of both completion causes (they differ under MSI-X). */
int mypci_dma_wait_irq(const struct mypci *m, int timeout_ms, uint32_t *status)
{
    int done_fd = mypci_irq_fd(m, MYPCI_IRQ_DMA_DONE);
    int err_fd = mypci_irq_fd(m, MYPCI_IRQ_DMA_ERROR);
    int64_t deadline = now_ms() + timeout_ms;

    for (;;) {
        int64_t left = deadline - now_ms();

        if (vfio_irq_drain(done_fd) > 0 ||
            (err_fd != done_fd && vfio_irq_drain(err_fd) > 0)) {
            break;
        }
        if (left <= 0) {
            return -ETIMEDOUT;
        }
        /* Polling both fds at once would need poll() on two; slices do. */
        if (vfio_irq_wait(done_fd, left < 10 ? (int)left : 10) > 0) {
            break;
        }
    }
    *status = mypci_read32(m, MYPCI_REG_DMA_STATUS);
    return 0;
}

int mypci_irq_setup(struct mypci *m, enum vfio_irq_mode mode,
                    struct vfio_error *e)
{
    unsigned nvec = mode == VFIO_IRQ_MSIX ? MYPCI_MSIX_VECTORS : 1;
    int err = vfio_irq_enable(m->dev, mode, nvec, e);

    m->irq_mode = err == 0 ? mode : VFIO_IRQ_NONE;
    /* send_msi raises SOFT: its own vector under MSI-X, the only one else. */
    m->dev->driver.msi =
        mode == VFIO_IRQ_MSIX ? (int)mypci_cause_vector(MYPCI_IRQ_SOFT) : 0;
    return err;
}

void mypci_control_reset(const struct mypci *m)
{
    mypci_write32(m, MYPCI_REG_CONTROL, MYPCI_CONTROL_RESET);
}

int mypci_vcap_read(const struct mypci *m, unsigned offset, unsigned size,
                    uint32_t *value, struct vfio_error *e)
{
    return vfio_pci_config_read(m->dev, m->vcap + offset, size, value, e);
}

int mypci_vcap_write(const struct mypci *m, unsigned offset, unsigned size,
                     uint32_t value, struct vfio_error *e)
{
    return vfio_pci_config_write(m->dev, m->vcap + offset, size, value, e);
}

/* ---- the ops table ------------------------------------------------------ */

static int mypci_probe(struct vfio_pci_device *dev)
{
    uint32_t ids;

    if (vfio_pci_config_read(dev, PCI_VENDOR_ID, 4, &ids, NULL) < 0) {
        return -EINVAL;
    }
    return ids == (MYPCI_VENDOR_ID | MYPCI_DEVICE_ID << 16) ? 0 : -EINVAL;
}

static int mypci_find_caps(struct mypci *m, struct vfio_error *e)
{
    int err = vfio_pci_find_capability(m->dev, PCI_CAP_ID_MSI, &m->msi_cap, e);

    if (err == 0) {
        err =
            vfio_pci_find_capability(m->dev, PCI_CAP_ID_MSIX, &m->msix_cap, e);
    }
    if (err == 0) {
        err = vfio_pci_find_capability(m->dev, PCI_CAP_ID_VNDR, &m->vcap, e);
    }
    return err;
}

static int mypci_map_bars(struct mypci *m, struct vfio_error *e)
{
    void *regs, *mem;
    int err = vfio_pci_bar_map(m->dev, MYPCI_BAR_REGS, &regs, e);

    if (err == 0) {
        err = vfio_pci_bar_map(m->dev, MYPCI_BAR_MEM, &mem, e);
    }
    if (err < 0) {
        return err;
    }
    m->regs = regs;
    m->mem = mem;
    return 0;
}

/* The device must speak ABI major 1 and describe the BAR2 it has. */
static int mypci_check_identity(struct mypci *m, struct vfio_error *e)
{
    uint32_t id = mypci_read32(m, MYPCI_REG_ID);
    uint32_t version = mypci_read32(m, MYPCI_REG_VERSION);
    unsigned log2 = (m->features >> MYPCI_FEATURE_MEM_LOG2_SHIFT) & 0xff;

    if (id != MYPCI_ID_VALUE || version >> 16 != MYPCI_ABI_MAJOR) {
        return vfio_error_set(e, VFIO_CAUSE_UNSUPPORTED, ENODEV,
                              "%s: ID %#x VERSION %#x is not mypci ABI %d.x",
                              m->dev->bdf, id, version, MYPCI_ABI_MAJOR);
    }
    if (log2 > 40) {
        return vfio_error_set(e, VFIO_CAUSE_UNSUPPORTED, ENODEV,
                              "%s: FEATURES %#x has a bad mem-size",
                              m->dev->bdf, m->features);
    }
    m->mem_size = 1ull << log2;
    return 0;
}

static int mypci_init(struct vfio_pci_device *dev, struct vfio_error *e)
{
    struct mypci *m = calloc(1, sizeof(*m));
    int err;

    if (!m) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, ENOMEM, "mypci state");
    }
    m->dev = dev;
    m->irq_mode = VFIO_IRQ_NONE;
    dev->driver.priv = m;
    err = mypci_map_bars(m, e);
    if (err == 0) {
        err = mypci_find_caps(m, e);
    }
    /* vfio-pci leaves bus mastering to the user. */
    if (err == 0) {
        err = vfio_pci_command_update(
            dev, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 0, e);
    }
    if (err == 0) {
        m->features = mypci_read32(m, MYPCI_REG_FEATURES);
        err = mypci_check_identity(m, e);
    }
    if (err < 0) {
        free(m);
        dev->driver.priv = NULL;
        return err;
    }
    mypci_write32(m, MYPCI_REG_IRQ_ENABLE, 0);
    mypci_write32(m, MYPCI_REG_IRQ_ACK, MYPCI_IRQ_ALL);
    dev->driver.max_memcpy_size = m->mem_size;
    dev->driver.max_memcpy_count = 1;
    dev->driver.msi = 0;
    return 0;
}

static void mypci_remove(struct vfio_pci_device *dev)
{
    struct mypci *m = mypci_of(dev);

    if (m) {
        mypci_write32(m, MYPCI_REG_IRQ_ENABLE, 0);
        vfio_irq_disable(dev, NULL);
        free(m);
        dev->driver.priv = NULL;
    }
}

/* One transfer per command: the engine has no descriptor ring. */
static int mypci_memcpy_start(struct vfio_pci_device *dev, uint64_t src,
                              uint64_t dst, uint64_t size, uint64_t count)
{
    struct mypci *m = mypci_of(dev);

    if (count != 1 || size == 0 || size > m->mem_size) {
        return -EINVAL;
    }
    mypci_dma_start(m, src, dst, (uint32_t)size, MYPCI_DMA_DIR_HOST_TO_HOST);
    return 0;
}

static int mypci_memcpy_wait(struct vfio_pci_device *dev)
{
    uint32_t status;
    int err = mypci_dma_wait_poll(mypci_of(dev), MYPCI_TIMEOUT_MS, &status);

    if (err < 0) {
        return err;
    }
    return mypci_dma_error(status) == MYPCI_DMA_OK ? 0 : -EIO;
}

/* SOFT must become pending to send a message (ABI 6), so ack it first. */
static void mypci_send_msi(struct vfio_pci_device *dev)
{
    struct mypci *m = mypci_of(dev);
    uint32_t enable = mypci_read32(m, MYPCI_REG_IRQ_ENABLE);

    mypci_write32(m, MYPCI_REG_IRQ_ACK, MYPCI_IRQ_SOFT);
    mypci_write32(m, MYPCI_REG_IRQ_ENABLE, enable | MYPCI_IRQ_SOFT);
    mypci_write32(m, MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
}

const struct vfio_pci_driver_ops mypci_driver_ops = {
    .name = "mypci",
    .probe = mypci_probe,
    .init = mypci_init,
    .remove = mypci_remove,
    .memcpy_start = mypci_memcpy_start,
    .memcpy_wait = mypci_memcpy_wait,
    .send_msi = mypci_send_msi,
};
