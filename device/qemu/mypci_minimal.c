/*
 * mypci_minimal: one 32-bit register behind a 4 KiB BAR (ABI section 1.1).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/module.h"
#include "hw/pci/pci.h"
#include "migration/vmstate.h"
#include "mypci_minimal.h"
#include "trace.h"

static uint64_t mypci_minimal_read(void *opaque, hwaddr addr, unsigned size)
{
    MyPCIMinimalState *s = opaque;
    MyPCIMinimalClass *mc = MYPCI_MINIMAL_GET_CLASS(s);
    uint64_t value = 0;

    if (addr == 0) {
        value = extract32(s->reg, 0, size * 8);
    }
    mc->trace_read(addr, size, value);
    return value;
}

static void mypci_minimal_write(void *opaque, hwaddr addr, uint64_t value,
                                unsigned size)
{
    MyPCIMinimalState *s = opaque;
    MyPCIMinimalClass *mc = MYPCI_MINIMAL_GET_CLASS(s);

    mc->trace_write(addr, size, value);
    if (addr == 0) {
        /* A narrower write replaces only the low bytes. */
        s->reg = deposit32(s->reg, 0, size * 8, value);
    }
}

static const MemoryRegionOps mypci_minimal_mmio_ops = {
    .read = mypci_minimal_read,
    .write = mypci_minimal_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 4,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 4,
    },
};

static void mypci_minimal_realize(PCIDevice *pdev, Error **errp)
{
    MyPCIMinimalState *s = MYPCI_MINIMAL(pdev);

    /* ABI 1.1: interrupt pin 0, no capabilities. */
    pdev->config[PCI_INTERRUPT_PIN] = 0;
    memory_region_init_io(&s->mmio, OBJECT(s), &mypci_minimal_mmio_ops, s,
                          object_get_typename(OBJECT(s)), MYPCI_SEED_BAR_SIZE);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->mmio);
}

static void mypci_minimal_reset(DeviceState *dev)
{
    MyPCIMinimalState *s = MYPCI_MINIMAL(dev);

    s->reg = s->reset_reg;
}

static const VMStateDescription vmstate_mypci_minimal = {
    .name = TYPE_MYPCI_MINIMAL,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, MyPCIMinimalState),
        VMSTATE_UINT32(reg, MyPCIMinimalState),
        VMSTATE_END_OF_LIST()
    },
};

static void mypci_minimal_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    MyPCIMinimalClass *mc = MYPCI_MINIMAL_CLASS(klass);

    k->realize = mypci_minimal_realize;
    k->vendor_id = MYPCI_SEED_VENDOR_ID;
    k->device_id = MYPCI_MINIMAL_DEVICE_ID;
    k->revision = 0x01;
    k->class_id = PCI_CLASS_OTHERS;
    k->subsystem_vendor_id = MYPCI_SEED_VENDOR_ID;
    k->subsystem_id = 0x1100;
    mc->trace_read = trace_mypci_minimal_mmio_read;
    mc->trace_write = trace_mypci_minimal_mmio_write;
    dc->desc = "mypci tutorial device: one 32-bit register";
    dc->vmsd = &vmstate_mypci_minimal;
    device_class_set_legacy_reset(dc, mypci_minimal_reset);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo mypci_minimal_info = {
    .name = TYPE_MYPCI_MINIMAL,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(MyPCIMinimalState),
    .class_size = sizeof(MyPCIMinimalClass),
    .class_init = mypci_minimal_class_init,
    .interfaces = (const InterfaceInfo[]) {
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { },
    },
};

static void mypci_minimal_register_types(void)
{
    type_register_static(&mypci_minimal_info);
}

type_init(mypci_minimal_register_types)
