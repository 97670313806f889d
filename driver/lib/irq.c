/*
 * Interrupts through VFIO_DEVICE_SET_IRQS (see vfio/irq.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vfio/irq.h"
#include "vfio/pci_device.h"

const char *vfio_irq_mode_name(enum vfio_irq_mode mode)
{
    switch (mode) {
    case VFIO_IRQ_INTX:
        return "INTx";
    case VFIO_IRQ_MSI:
        return "MSI";
    case VFIO_IRQ_MSIX:
        return "MSI-X";
    default:
        return "none";
    }
}

int vfio_irq_count(struct vfio_pci_device *dev, enum vfio_irq_mode mode,
                   uint32_t *count, struct vfio_error *e)
{
    struct vfio_irq_info info = {.argsz = sizeof(info),
                                 .index = (uint32_t)mode};

    if (ioctl(dev->fd, VFIO_DEVICE_GET_IRQ_INFO, &info) < 0) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, errno,
                              "VFIO_DEVICE_GET_IRQ_INFO(%s)",
                              vfio_irq_mode_name(mode));
    }
    *count = info.count;
    return 0;
}

/* One VFIO_DEVICE_SET_IRQS call with nfds eventfds (or none if fds NULL). */
static int set_irqs(struct vfio_pci_device *dev, uint32_t index, uint32_t flags,
                    uint32_t start, uint32_t count, const int *fds,
                    struct vfio_error *e)
{
    size_t data = fds ? count * sizeof(int32_t) : 0;
    struct vfio_irq_set *set = calloc(1, sizeof(*set) + data);
    int err = 0;

    if (!set) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, ENOMEM, "irq set");
    }
    set->argsz = (uint32_t)(sizeof(*set) + data);
    set->flags = flags;
    set->index = index;
    set->start = start;
    set->count = count;
    if (fds) {
        memcpy(set->data, fds, data);
    }
    if (ioctl(dev->fd, VFIO_DEVICE_SET_IRQS, set) < 0) {
        err = vfio_error_set(e, VFIO_CAUSE_SYSTEM, errno,
                             "VFIO_DEVICE_SET_IRQS(%s, flags %#x, start %u, "
                             "count %u)",
                             vfio_irq_mode_name((enum vfio_irq_mode)index),
                             flags, start, count);
    }
    free(set);
    return err;
}

static void close_fds(struct vfio_pci_device *dev)
{
    for (unsigned i = 0; i < dev->nr_irq_fds; i++) {
        if (dev->irq_fds[i] >= 0) {
            close(dev->irq_fds[i]);
        }
        dev->irq_fds[i] = -1;
    }
    dev->nr_irq_fds = 0;
}

int vfio_irq_disable(struct vfio_pci_device *dev, struct vfio_error *e)
{
    int err = 0;

    if (dev->irq_index >= 0) {
        err = set_irqs(dev, (uint32_t)dev->irq_index,
                       VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, 0,
                       0, NULL, e);
        dev->irq_index = -1;
    }
    close_fds(dev);
    return err;
}

static int make_fds(struct vfio_pci_device *dev, unsigned nvec,
                    struct vfio_error *e)
{
    for (unsigned i = 0; i < nvec; i++) {
        dev->irq_fds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        dev->nr_irq_fds = i + 1;
        if (dev->irq_fds[i] < 0) {
            return vfio_error_set(e, VFIO_CAUSE_SYSTEM, errno, "eventfd");
        }
    }
    return 0;
}

int vfio_irq_enable(struct vfio_pci_device *dev, enum vfio_irq_mode mode,
                    unsigned nvec, struct vfio_error *e)
{
    uint32_t avail;
    int err = vfio_irq_disable(dev, e);

    if (err == 0) {
        err = vfio_irq_count(dev, mode, &avail, e);
    }
    if (err < 0) {
        return err;
    }
    if (nvec == 0 || nvec > avail || nvec > VFIO_IRQ_MAX_VECTORS ||
        (mode == VFIO_IRQ_INTX && nvec != 1)) {
        return vfio_error_set(e, VFIO_CAUSE_UNSUPPORTED, EINVAL,
                              "%s with %u vectors: the device offers %u",
                              vfio_irq_mode_name(mode), nvec, avail);
    }
    err = make_fds(dev, nvec, e);
    if (err == 0) {
        err = set_irqs(dev, (uint32_t)mode,
                       VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
                       0, nvec, dev->irq_fds, e);
    }
    if (err < 0) {
        close_fds(dev);
        return err;
    }
    dev->irq_index = (int)mode;
    return 0;
}

int vfio_irq_fd(const struct vfio_pci_device *dev, unsigned vector)
{
    return vector < dev->nr_irq_fds ? dev->irq_fds[vector] : -1;
}

int vfio_irq_set_vector_fd(struct vfio_pci_device *dev, unsigned vector, int fd,
                           struct vfio_error *e)
{
    if (dev->irq_index < 0 || vector >= dev->nr_irq_fds) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, EINVAL,
                              "vector %u is not enabled", vector);
    }
    return set_irqs(dev, (uint32_t)dev->irq_index,
                    VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
                    vector, 1, &fd, e);
}

int vfio_irq_set_vector_masked(struct vfio_pci_device *dev, unsigned vector,
                               bool masked, struct vfio_error *e)
{
    uint32_t action =
        masked ? VFIO_IRQ_SET_ACTION_MASK : VFIO_IRQ_SET_ACTION_UNMASK;

    if (dev->irq_index < 0 || vector >= dev->nr_irq_fds) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, EINVAL,
                              "vector %u is not enabled", vector);
    }
    return set_irqs(dev, (uint32_t)dev->irq_index,
                    VFIO_IRQ_SET_DATA_NONE | action, vector, 1, NULL, e);
}

int vfio_irq_intx_unmask(struct vfio_pci_device *dev, struct vfio_error *e)
{
    return set_irqs(dev, VFIO_PCI_INTX_IRQ_INDEX,
                    VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK, 0, 1,
                    NULL, e);
}

int vfio_irq_intx_mask(struct vfio_pci_device *dev, struct vfio_error *e)
{
    return set_irqs(dev, VFIO_PCI_INTX_IRQ_INDEX,
                    VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK, 0, 1,
                    NULL, e);
}

int64_t vfio_irq_drain(int fd)
{
    uint64_t count;

    if (read(fd, &count, sizeof(count)) != sizeof(count)) {
        return 0;
    }
    return (int64_t)count;
}

int64_t vfio_irq_wait(int fd, int timeout_ms)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int64_t count;
    int n;

    do {
        n = poll(&pfd, 1, timeout_ms);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
        return -ETIMEDOUT;
    }
    count = vfio_irq_drain(fd);
    return count > 0 ? count : -ETIMEDOUT;
}
