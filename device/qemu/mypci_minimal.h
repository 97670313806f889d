/*
 * mypci_minimal and mypci_configurable: the tutorial devices of ABI section 1.
 *
 * mypci_configurable is a QOM subclass of mypci_minimal that only changes the
 * device ID, the trace events and adds the "reg" property.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MYPCI_MINIMAL_H
#define MYPCI_MINIMAL_H

#include "hw/pci/pci_device.h"
#include "qom/object.h"

#define TYPE_MYPCI_MINIMAL "mypci_minimal"
#define TYPE_MYPCI_CONFIGURABLE "mypci_configurable"

#define MYPCI_SEED_VENDOR_ID 0x1af4
#define MYPCI_MINIMAL_DEVICE_ID 0x1234
#define MYPCI_CONFIGURABLE_DEVICE_ID 0x1235
#define MYPCI_SEED_BAR_SIZE 0x1000

OBJECT_DECLARE_TYPE(MyPCIMinimalState, MyPCIMinimalClass, MYPCI_MINIMAL)

struct MyPCIMinimalState {
    PCIDevice parent_obj;

    MemoryRegion mmio;
    uint32_t reg;
    /* Value "reg" takes at every reset (the "reg" property, or 0). */
    uint32_t reset_reg;
};

struct MyPCIMinimalClass {
    PCIDeviceClass parent_class;

    /* Each subclass logs under its own trace event names (ABI section 9). */
    void (*trace_read)(uint64_t addr, unsigned size, uint64_t value);
    void (*trace_write)(uint64_t addr, unsigned size, uint64_t value);
};

#endif
