/*
 * The registry of the library's device drivers: mypci (driver/drivers/
 * mypci), and QEMU's edu and pci-testdev (the benchmark's references). A
 * tool hands one of these NULL-terminated lists to vfio_pci_tool_open().
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef DRIVERS_H
#define DRIVERS_H

#include "vfio/pci_driver.h"

/* Every driver, NULL-terminated; probing picks the one the device wants. */
extern const struct vfio_pci_driver_ops *const vfio_drivers[];

/*
 * The NULL-terminated list holding only the driver called name ("mypci",
 * "edu", "pci-testdev"), or NULL if there is none of that name.
 */
const struct vfio_pci_driver_ops *const *vfio_drivers_only(const char *name);

#endif
