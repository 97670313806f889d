/*
 * Opening a device for a tool, in one call: resolve the BDF or
 * VENDOR:DEVICE, bind it to vfio-pci if asked, open it through VFIO, probe
 * the given drivers and initialise the one that takes it. Every guest tool
 * starts this way; on failure everything done so far is undone and the
 * handle says which step failed, so the tool can say so.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef VFIO_PCI_OPEN_H
#define VFIO_PCI_OPEN_H

#include <stdbool.h>
#include <stddef.h>

#include "vfio/error.h"
#include "vfio/pci_device.h"
#include "vfio/pci_discovery.h"
#include "vfio/pci_driver.h"

enum vfio_pci_tool_step {
    VFIO_TOOL_STEP_NONE, /* nothing failed */
    VFIO_TOOL_STEP_RESOLVE,
    VFIO_TOOL_STEP_BIND,
    VFIO_TOOL_STEP_OPEN,
    VFIO_TOOL_STEP_DRIVER, /* no driver took the device, or its init failed */
};

struct vfio_pci_tool_opts {
    const char *device; /* BDF or VENDOR:DEVICE */
    bool bind;          /* bind to vfio-pci if needed; restored on close */
    struct vfio_pci_open_opts open;
    const struct vfio_pci_driver_ops *const *drivers; /* NULL-terminated */
};

struct vfio_pci_tool_device {
    const struct vfio_env *env; /* from the opts, for the restore */
    char bdf[VFIO_PCI_BDF_MAX];
    struct vfio_pci_binding binding;
    struct vfio_pci_device *dev; /* NULL unless open */
    enum vfio_pci_tool_step failed;
};

/* 0, or -errno with e and t->failed saying what went wrong. */
int vfio_pci_tool_open(struct vfio_pci_tool_device *t,
                       const struct vfio_pci_tool_opts *o,
                       struct vfio_error *e);

/*
 * What failed, for the tool's message: "cannot find the device", "cannot
 * bind the device to vfio-pci", "cannot open the device through VFIO", "not
 * a usable mypci device" (the drivers' names). Returns buf.
 */
const char *vfio_pci_tool_failure(const struct vfio_pci_tool_device *t,
                                  const struct vfio_pci_tool_opts *o, char *buf,
                                  size_t len);

/* Removes the driver and closes the device; the binding stays. */
void vfio_pci_tool_close_device(struct vfio_pci_tool_device *t);

/* Closes the device, then restores the original driver; 0 or -errno. */
int vfio_pci_tool_close(struct vfio_pci_tool_device *t, struct vfio_error *e);

#endif
