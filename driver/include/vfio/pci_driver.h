/*
 * User-space drivers for VFIO devices, in the shape of the kernel's VFIO
 * selftests (tools/testing/selftests/vfio/lib): one ops table per device
 * type, probed against an open device. A driver that can copy memory with
 * its DMA engine offers memcpy_start/memcpy_wait, and send_msi makes the
 * device signal driver.msi so generic tests can check interrupt delivery.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef VFIO_PCI_DRIVER_H
#define VFIO_PCI_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "vfio/error.h"

struct vfio_pci_device;

struct vfio_pci_driver_ops {
    const char *name;
    /* 0 if this driver handles the device, -EINVAL if not. */
    int (*probe)(struct vfio_pci_device *dev);
    /* Brings the device into a known state; may allocate driver state. */
    int (*init)(struct vfio_pci_device *dev, struct vfio_error *e);
    void (*remove)(struct vfio_pci_device *dev);
    /* Starts copying count times size bytes from IOVA src to IOVA dst. */
    int (*memcpy_start)(struct vfio_pci_device *dev, uint64_t src, uint64_t dst,
                        uint64_t size, uint64_t count);
    /* Waits for the copy; 0, or -EIO if the device reported an error. */
    int (*memcpy_wait)(struct vfio_pci_device *dev);
    /* Makes the device send interrupt vector driver.msi. */
    void (*send_msi)(struct vfio_pci_device *dev);
};

struct vfio_pci_driver {
    const struct vfio_pci_driver_ops *ops;
    bool initialized;
    bool memcpy_in_progress;
    uint64_t max_memcpy_size;
    uint64_t max_memcpy_count;
    int msi;    /* vector send_msi fires */
    void *priv; /* the driver's own state */
};

/*
 * The wrappers every caller goes through. Like the kernel selftests'
 * vfio_pci_driver.c they hold the state rules themselves, so no driver has
 * to: init once per probe, memcpy only when initialised, one copy at a time,
 * within the driver's max_memcpy_size and max_memcpy_count. Where the kernel
 * asserts, these return -errno and leave the device as it was.
 */

/*
 * Picks the first ops table in the NULL-terminated list whose probe says 0.
 * -EBUSY if a driver is already initialised on dev.
 */
int vfio_pci_driver_probe(struct vfio_pci_device *dev,
                          const struct vfio_pci_driver_ops *const *drivers,
                          struct vfio_error *e);
/* -EINVAL if no driver was probed, -EBUSY if it is already initialised. */
int vfio_pci_driver_init(struct vfio_pci_device *dev, struct vfio_error *e);
/* Does nothing unless initialised. */
void vfio_pci_driver_remove(struct vfio_pci_device *dev);
/*
 * -EOPNOTSUPP if the driver cannot copy, -EINVAL if not initialised, if size
 * or count is 0 or size is over max_memcpy_size, -E2BIG if count is over
 * max_memcpy_count, -EBUSY while a copy is in progress; else what the driver
 * returns.
 */
int vfio_pci_driver_memcpy_start(struct vfio_pci_device *dev, uint64_t src,
                                 uint64_t dst, uint64_t size, uint64_t count);
/* -EINVAL if no copy is in progress; else the driver's result. */
int vfio_pci_driver_memcpy_wait(struct vfio_pci_device *dev);
/* memcpy_start (count 1) then memcpy_wait. */
int vfio_pci_driver_memcpy(struct vfio_pci_device *dev, uint64_t src,
                           uint64_t dst, uint64_t size);
/* -EOPNOTSUPP if the driver has no send_msi, -EINVAL if not initialised. */
int vfio_pci_driver_send_msi(struct vfio_pci_device *dev);

#endif
