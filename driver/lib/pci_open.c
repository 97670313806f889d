/*
 * Opening a device for a tool (see vfio/pci_open.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "vfio/pci_open.h"

static int step_failed(struct vfio_pci_tool_device *t,
                       enum vfio_pci_tool_step step, int err)
{
    t->failed = step;
    if (t->dev) {
        vfio_pci_device_close(t->dev);
        t->dev = NULL;
    }
    vfio_pci_unbind_restore(t->env, &t->binding, NULL);
    return err;
}

int vfio_pci_tool_open(struct vfio_pci_tool_device *t,
                       const struct vfio_pci_tool_opts *o, struct vfio_error *e)
{
    int err;

    memset(t, 0, sizeof(*t));
    t->env = o->open.env;
    err = vfio_pci_resolve(o->open.env, o->device, t->bdf, e);
    if (err < 0) {
        return step_failed(t, VFIO_TOOL_STEP_RESOLVE, err);
    }
    if (o->bind) {
        err = vfio_pci_bind(o->open.env, t->bdf, &t->binding, e);
        if (err < 0) {
            return step_failed(t, VFIO_TOOL_STEP_BIND, err);
        }
    }
    err = vfio_pci_device_open(&t->dev, t->bdf, &o->open, e);
    if (err < 0) {
        t->dev = NULL;
        return step_failed(t, VFIO_TOOL_STEP_OPEN, err);
    }
    err = vfio_pci_driver_probe(t->dev, o->drivers, e);
    if (err == 0) {
        err = vfio_pci_driver_init(t->dev, e);
    }
    return err < 0 ? step_failed(t, VFIO_TOOL_STEP_DRIVER, err) : 0;
}

/* "mypci", or "edu/pci-testdev" when several were tried. */
static void driver_names(const struct vfio_pci_driver_ops *const *drivers,
                         char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (; *drivers && used < len; drivers++) {
        used += (size_t)snprintf(buf + used, len - used, "%s%s",
                                 used ? "/" : "", (*drivers)->name);
    }
}

const char *vfio_pci_tool_failure(const struct vfio_pci_tool_device *t,
                                  const struct vfio_pci_tool_opts *o, char *buf,
                                  size_t len)
{
    char names[128];

    switch (t->failed) {
    case VFIO_TOOL_STEP_RESOLVE:
        return "cannot find the device";
    case VFIO_TOOL_STEP_BIND:
        return "cannot bind the device to vfio-pci";
    case VFIO_TOOL_STEP_OPEN:
        return "cannot open the device through VFIO";
    case VFIO_TOOL_STEP_DRIVER:
        driver_names(o->drivers, names, sizeof(names));
        snprintf(buf, len, "not a usable %s device", names);
        return buf;
    case VFIO_TOOL_STEP_NONE:
        break;
    }
    return "no failure";
}

void vfio_pci_tool_close_device(struct vfio_pci_tool_device *t)
{
    if (t->dev) {
        vfio_pci_device_close(t->dev);
        t->dev = NULL;
    }
}

int vfio_pci_tool_close(struct vfio_pci_tool_device *t, struct vfio_error *e)
{
    vfio_pci_tool_close_device(t);
    return vfio_pci_unbind_restore(t->env, &t->binding, e);
}
