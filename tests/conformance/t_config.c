/*
 * ABI §1.3 and §8: identity and configuration space, read and written
 * through the VFIO config region (what a VFIO user sees, virtualised where
 * vfio-pci virtualises).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <linux/pci_regs.h>

#include "conformance.h"

static uint32_t cfg(uint32_t offset, unsigned size)
{
    struct vfio_error e = {0};
    uint32_t value = 0;

    CT_OK(vfio_pci_config_read(ct_dev, offset, size, &value, &e), &e);
    return value;
}

static void cfg_write(uint32_t offset, unsigned size, uint32_t value)
{
    struct vfio_error e = {0};

    CT_OK(vfio_pci_config_write(ct_dev, offset, size, value, &e), &e);
}

static uint32_t vcap(unsigned offset, unsigned size)
{
    return cfg(ct_m->vcap + offset, size);
}

static void vcap_write(unsigned offset, unsigned size, uint32_t value)
{
    cfg_write(ct_m->vcap + offset, size, value);
}

START_TEST(config_ids)
{
    ABI_EQ("§1 vendor ID", 0x1af4, cfg(PCI_VENDOR_ID, 2));
    ABI_EQ("§1 device ID", 0x1236, cfg(PCI_DEVICE_ID, 2));
    ABI_EQ("§1 revision 0x01, class 0x00ff, prog-if 0", 0x00ff0001,
           cfg(PCI_CLASS_REVISION, 4));
    ABI_EQ("§1 subsystem vendor", 0x1af4, cfg(PCI_SUBSYSTEM_VENDOR_ID, 2));
    ABI_EQ("§1 subsystem ID", 0x1100, cfg(PCI_SUBSYSTEM_ID, 2));
    ABI_EQ("§6 interrupt pin A", 1, cfg(PCI_INTERRUPT_PIN, 1));
}
END_TEST

/* Offset of capability id, walking the list read through VFIO. */
static uint8_t cap_offset(uint8_t id)
{
    struct vfio_error e = {0};
    uint8_t off = 0;

    CT_OK(vfio_pci_find_capability(ct_dev, id, &off, &e), &e);
    return off;
}

START_TEST(config_capability_chain)
{
    uint32_t features = mypci_read32(ct_m, MYPCI_REG_FEATURES);
    bool msi = features & MYPCI_FEATURE_MSI;
    bool msix = features & MYPCI_FEATURE_MSIX;

    ABI_TRUE("§8 capability list", cfg(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST,
             "Status.CapList is clear%s", "");
    ABI_TRUE("§8 PM capability", cap_offset(PCI_CAP_ID_PM) != 0,
             "no power management capability in the list%s", "");
    ABI_TRUE("§8 PCI Express capability", cap_offset(PCI_CAP_ID_EXP) != 0,
             "no PCI Express capability in the list%s", "");
    ABI_TRUE("§8 vendor capability", cap_offset(PCI_CAP_ID_VNDR) != 0,
             "no vendor-specific capability (ID 0x09) in the list%s", "");
    ABI_EQ("§2 msi / §3 FEATURES bit 1 matches the MSI capability", msi,
           cap_offset(PCI_CAP_ID_MSI) != 0);
    ABI_EQ("§2 msix / §3 FEATURES bit 2 matches the MSI-X capability", msix,
           cap_offset(PCI_CAP_ID_MSIX) != 0);
}
END_TEST

START_TEST(config_msi_capability)
{
    uint8_t off = cap_offset(PCI_CAP_ID_MSI);
    uint32_t flags = cfg(off + PCI_MSI_FLAGS, 2);

    ABI_TRUE("§8 MSI 64-bit", flags & PCI_MSI_FLAGS_64BIT,
             "MSI flags %#x lack 64-bit", flags);
    ABI_EQ("§6 MSI Multiple Message Capable 0", 0,
           (flags & PCI_MSI_FLAGS_QMASK) >> 1);
}
END_TEST

START_TEST(config_msix_capability)
{
    uint8_t off = cap_offset(PCI_CAP_ID_MSIX);
    uint32_t flags = cfg(off + PCI_MSIX_FLAGS, 2);
    uint32_t table = cfg(off + PCI_MSIX_TABLE, 4);
    uint32_t pba = cfg(off + PCI_MSIX_PBA, 4);

    ABI_EQ("§2 MSI-X 3 vectors (table size N-1)", MYPCI_MSIX_VECTORS - 1,
           flags & PCI_MSIX_FLAGS_QSIZE);
    ABI_EQ("§3 MSI-X table in BAR0 at 0x1000", MYPCI_MSIX_TABLE_OFFSET | 0,
           table);
    ABI_EQ("§3 MSI-X PBA in BAR0 at 0x1800", MYPCI_MSIX_PBA_OFFSET | 0, pba);
}
END_TEST

START_TEST(config_express_capability)
{
    uint8_t off = cap_offset(PCI_CAP_ID_EXP);
    uint32_t flags = cfg(off + PCI_EXP_FLAGS, 2);
    uint32_t devcap = cfg(off + PCI_EXP_DEVCAP, 4);
    unsigned type = (flags & PCI_EXP_FLAGS_TYPE) >> 4;
    struct vfio_pci_region *r = &ct_dev->regions[VFIO_PCI_CONFIG_REGION_INDEX];

    ABI_EQ("§8 PCI Express capability version 2", 2,
           flags & PCI_EXP_FLAGS_VERS);
    ABI_TRUE("§8 device/port type 0 (Endpoint) or 9 (RCiEP)",
             type == PCI_EXP_TYPE_ENDPOINT || type == PCI_EXP_TYPE_RC_END,
             "type %u", type);
    ABI_TRUE("§7/§8 FLR in Device Capabilities", devcap & PCI_EXP_DEVCAP_FLR,
             "DevCap %#x lacks FLR", devcap);
    ABI_EQ("§8 extended configuration space is 4 KiB (VFIO config region)",
           4096, r->size);
}
END_TEST

START_TEST(vcap_header)
{
    /* MAILBOX and EVENTS reset values: only an FLR resets config space. */
    ct_function_reset();
    ABI_EQ("§8 vendor capability ID", MYPCI_VCAP_ID, vcap(0, 1));
    ABI_EQ("§8 vendor capability length", MYPCI_VCAP_LEN, vcap(2, 1));
    ABI_EQ("§8 vendor capability version", MYPCI_VCAP_VERSION, vcap(3, 1));
    ABI_EQ("§8 vendor capability SIGNATURE", MYPCI_ID_VALUE,
           vcap(MYPCI_VCAP_SIGNATURE, 4));
    ABI_EQ("§8 vendor capability MAILBOX reset", 0,
           vcap(MYPCI_VCAP_MAILBOX, 4));
    ABI_EQ("§8 vendor capability RESULT = ~MAILBOX", 0xffffffffu,
           vcap(MYPCI_VCAP_RESULT, 4));
    ABI_EQ("§8 vendor capability EVENTS reset", 0, vcap(MYPCI_VCAP_EVENTS, 4));
}
END_TEST

START_TEST(vcap_readonly_fields)
{
    vcap_write(MYPCI_VCAP_SIGNATURE, 4, 0x12345678);
    ABI_EQ("§8 SIGNATURE ignores writes", MYPCI_ID_VALUE,
           vcap(MYPCI_VCAP_SIGNATURE, 4));
    vcap_write(MYPCI_VCAP_RESULT, 4, 0x12345678);
    ABI_EQ("§8 RESULT is RO (~MAILBOX)", 0xffffffffu,
           vcap(MYPCI_VCAP_RESULT, 4));
    ABI_EQ("§8 writing SIGNATURE/RESULT leaves MAILBOX", 0,
           vcap(MYPCI_VCAP_MAILBOX, 4));
    ABI_EQ("§8 EVENTS bit 0 is set only by MAILBOX writes", 0,
           vcap(MYPCI_VCAP_EVENTS, 4));
}
END_TEST

START_TEST(vcap_mailbox_result_events)
{
    vcap_write(MYPCI_VCAP_MAILBOX, 4, 0xa5a51234);
    ABI_EQ("§8 MAILBOX RW", 0xa5a51234, vcap(MYPCI_VCAP_MAILBOX, 4));
    ABI_EQ("§8 RESULT = ~MAILBOX", ~0xa5a51234u, vcap(MYPCI_VCAP_RESULT, 4));
    ABI_EQ("§8 EVENTS bit 0 set by a MAILBOX write", 1,
           vcap(MYPCI_VCAP_EVENTS, 4));
    vcap_write(MYPCI_VCAP_EVENTS, 4, 0);
    ABI_EQ("§8 EVENTS RW1C: writing 0 keeps bit 0", 1,
           vcap(MYPCI_VCAP_EVENTS, 4));
    vcap_write(MYPCI_VCAP_EVENTS, 4, 0xfffffffe);
    ABI_EQ("§8 EVENTS bits 31:1 are RO 0", 1, vcap(MYPCI_VCAP_EVENTS, 4));
    vcap_write(MYPCI_VCAP_EVENTS, 4, 1);
    ABI_EQ("§8 EVENTS RW1C: writing 1 clears bit 0", 0,
           vcap(MYPCI_VCAP_EVENTS, 4));
    ABI_EQ("§8 clearing EVENTS leaves MAILBOX", 0xa5a51234,
           vcap(MYPCI_VCAP_MAILBOX, 4));
}
END_TEST

START_TEST(vcap_narrow_mailbox_writes)
{
    vcap_write(MYPCI_VCAP_MAILBOX, 4, 0);
    vcap_write(MYPCI_VCAP_EVENTS, 1, 1);
    vcap_write(MYPCI_VCAP_MAILBOX + 1, 1, 0x5a);
    ABI_EQ("§8 MAILBOX byte write", 0x00005a00, vcap(MYPCI_VCAP_MAILBOX, 4));
    ABI_EQ("§8 EVENTS set by a byte write to MAILBOX", 1,
           vcap(MYPCI_VCAP_EVENTS, 1));
    vcap_write(MYPCI_VCAP_EVENTS, 1, 1);
    vcap_write(MYPCI_VCAP_MAILBOX + 2, 2, 0xbeef);
    ABI_EQ("§8 MAILBOX word write", 0xbeef5a00, vcap(MYPCI_VCAP_MAILBOX, 4));
    ABI_EQ("§8 RESULT word read = ~MAILBOX", 0x4110,
           vcap(MYPCI_VCAP_RESULT + 2, 2));
    ABI_EQ("§8 EVENTS set by a word write to MAILBOX", 1,
           vcap(MYPCI_VCAP_EVENTS, 1));
}
END_TEST

START_TEST(config_bus_master_via_vfio)
{
    uint32_t cmd = cfg(PCI_COMMAND, 2);

    ABI_TRUE("§8 Command.BusMaster set through VFIO", cmd & PCI_COMMAND_MASTER,
             "Command %#x after the driver enabled bus mastering", cmd);
    cfg_write(PCI_COMMAND, 2, cmd & ~PCI_COMMAND_MASTER);
    ABI_EQ("§8 Command.BusMaster cleared through VFIO", 0,
           cfg(PCI_COMMAND, 2) & PCI_COMMAND_MASTER);
}
END_TEST

void ct_register_config(struct ct_registry *r)
{
    ct_add(r, "config", config_ids, 0);
    ct_add(r, "config", config_capability_chain, 0);
    ct_add(r, "config", config_msi_capability, CT_NEEDS_MSI);
    ct_add(r, "config", config_msix_capability, CT_NEEDS_MSIX);
    ct_add(r, "config", config_express_capability, 0);
    ct_add(r, "vcap", vcap_header, 0);
    ct_add(r, "vcap", vcap_readonly_fields, 0);
    ct_add(r, "vcap", vcap_mailbox_result_events, 0);
    ct_add(r, "vcap", vcap_narrow_mailbox_writes, 0);
    ct_add(r, "config", config_bus_master_via_vfio, 0);
}
