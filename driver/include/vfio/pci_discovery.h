/*
 * Finding PCI devices (through libpci) and handing them to vfio-pci: by
 * VENDOR:DEVICE or by address; binding with driver_override and restoring
 * the original driver afterwards.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef VFIO_PCI_DISCOVERY_H
#define VFIO_PCI_DISCOVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfio/error.h"
#include "vfio/iommu.h"
#include "vfio/pci_device.h"

struct vfio_pci_match {
    bool by_id; /* VENDOR:DEVICE, else an address */
    uint16_t vendor;
    uint16_t device;
    unsigned domain, bus, slot, func;
};

/*
 * Parses "VENDOR:DEVICE" (four hex digits each, e.g. 1af4:1236) or a BDF
 * ("0000:00:03.0" or "00:03.0"). 0, or -EINVAL with cause BAD_ADDRESS.
 */
int vfio_pci_match_parse(const char *spec, struct vfio_pci_match *m,
                         struct vfio_error *e);

/* "0000:00:03.0" for a parsed address. */
void vfio_pci_bdf_format(const struct vfio_pci_match *m, char *buf, size_t len);

/*
 * Lists up to max devices matching m (libpci scan of SYS/bus/pci) into
 * bdfs; *n is the number found (may exceed max). 0 or -errno.
 */
int vfio_pci_find(const struct vfio_env *env, const struct vfio_pci_match *m,
                  char (*bdfs)[VFIO_PCI_BDF_MAX], size_t max, size_t *n,
                  struct vfio_error *e);

/* Parses spec and returns the first matching device; NOT_FOUND if none. */
int vfio_pci_resolve(const struct vfio_env *env, const char *spec,
                     char bdf[VFIO_PCI_BDF_MAX], struct vfio_error *e);

/* The bound driver's name, "" if none. */
void vfio_pci_current_driver(const struct vfio_env *env, const char *bdf,
                             char *buf, size_t len);

struct vfio_pci_binding {
    char bdf[VFIO_PCI_BDF_MAX];
    char orig_driver[64]; /* "" if it had none */
    bool changed;         /* we moved it to vfio-pci */
};

/*
 * Binds bdf to vfio-pci unless it already is: driver_override, unbind from
 * the current driver, drivers_probe. Fills b for vfio_pci_unbind_restore.
 */
int vfio_pci_bind(const struct vfio_env *env, const char *bdf,
                  struct vfio_pci_binding *b, struct vfio_error *e);

/* Undoes vfio_pci_bind: back to the original driver (or none). */
int vfio_pci_unbind_restore(const struct vfio_env *env,
                            struct vfio_pci_binding *b, struct vfio_error *e);

#endif
