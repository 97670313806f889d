/*
 * The driver registry (see drivers.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stddef.h>
#include <string.h>

#include "drivers.h"
#include "edu_driver.h"
#include "mypci_driver.h"
#include "pci_testdev_driver.h"

const struct vfio_pci_driver_ops *const vfio_drivers[] = {
    &mypci_driver_ops,
    &edu_driver_ops,
    &pci_testdev_driver_ops,
    NULL,
};

/* One single-driver list per driver, in the order of vfio_drivers. */
static const struct vfio_pci_driver_ops *const single[][2] = {
    {&mypci_driver_ops, NULL},
    {&edu_driver_ops, NULL},
    {&pci_testdev_driver_ops, NULL},
};

const struct vfio_pci_driver_ops *const *vfio_drivers_only(const char *name)
{
    for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++) {
        if (strcmp(single[i][0]->name, name) == 0) {
            return single[i];
        }
    }
    return NULL;
}
