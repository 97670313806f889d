/*
 * mypci_configurable: mypci_minimal with its own ID and a "reg" property that
 * sets the register's reset value (ABI section 1.2).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/module.h"
#include "hw/qdev-properties.h"
#include "mypci_minimal.h"
#include "trace.h"

static const Property mypci_configurable_properties[] = {
    DEFINE_PROP_UINT32("reg", MyPCIMinimalState, reset_reg, 0),
};

static void mypci_configurable_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    MyPCIMinimalClass *mc = MYPCI_MINIMAL_CLASS(klass);

    k->device_id = MYPCI_CONFIGURABLE_DEVICE_ID;
    mc->trace_read = trace_mypci_configurable_mmio_read;
    mc->trace_write = trace_mypci_configurable_mmio_write;
    dc->desc = "mypci tutorial device: one register with a reset value";
    device_class_set_props(dc, mypci_configurable_properties);
}

static const TypeInfo mypci_configurable_info = {
    .name = TYPE_MYPCI_CONFIGURABLE,
    .parent = TYPE_MYPCI_MINIMAL,
    .class_init = mypci_configurable_class_init,
};

static void mypci_configurable_register_types(void)
{
    type_register_static(&mypci_configurable_info);
}

type_init(mypci_configurable_register_types)
