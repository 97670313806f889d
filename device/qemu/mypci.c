/*
 * mypci: a PCI Express endpoint with two BARs, INTx/MSI/MSI-X, a DMA engine
 * behind the vIOMMU and a vendor-specific capability (ABI sections 2-10).
 *
 * This file is only the QEMU glue: properties, config space, memory regions,
 * interrupts, DMA through the device's PCI address space, migration. All of
 * the device's behaviour lives in device/core/mypci_core.c, which includes no
 * QEMU header and reaches QEMU only through mypci_host_ops below.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/range.h"
#include "qemu/timer.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "hw/core/cpu.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "system/memory.h"
#include "mypci_core.h"
#include "trace.h"

#define TYPE_MYPCI "mypci"
OBJECT_DECLARE_SIMPLE_TYPE(MyPCIState, MYPCI)

/*
 * Fixed capability offsets, so the layout is the same on every bus and is
 * documented in docs/mypci.md. Capabilities are linked at the head of the
 * list as they are added, so they are added in reverse walk order.
 */
#define MYPCI_CAP_PM 0x40
#define MYPCI_CAP_MSI 0x50
#define MYPCI_CAP_EXP 0x70
#define MYPCI_CAP_MSIX 0xb0
#define MYPCI_CAP_VNDR 0xc0

struct MyPCIState {
    PCIDevice parent_obj;

    MemoryRegion bar0;       /* registers; MSI-X table and PBA in page 1 */
    MemoryRegion device_mem; /* BAR2, RAM-backed */
    QEMUBH *dma_bh;
    QEMUTimer dma_delay_timer; /* only with x-dma-delay-us */
    struct mypci_core core;

    /* Properties. */
    uint32_t scratch;
    uint64_t mem_size;
    bool msi;
    bool msix;
    uint16_t vendor_id;
    uint16_t device_id;
    char *x_break; /* test-only: see mypci_parse_break() */
    /*
     * Test-only: run each transfer this many microseconds (virtual time)
     * after DMA_CMD, so the guest can observe BUSY and race the engine.
     */
    uint32_t x_dma_delay_us;
};

/* ---- host callbacks for the core ---------------------------------------- */

static AddressSpace *mypci_dma_as(MyPCIState *s)
{
    return pci_get_address_space(&s->parent_obj);
}

/*
 * One walk over the range's translations: every piece must accept the
 * access (as address_space_access_valid() would say) and none may be the
 * device's own register BAR. DMA there would re-enter the device while it
 * is moving data; QEMU's re-entrancy guard blocks it mid-transfer, which
 * would break the all-or-nothing rule (ABI §4), so such a range counts as a
 * fault up front. The device's RAM BAR is plain memory and allowed.
 */
static bool mypci_dma_valid(void *opaque, uint64_t addr, uint64_t len,
                            bool is_write)
{
    MyPCIState *s = opaque;
    AddressSpace *as = mypci_dma_as(s);

    RCU_READ_LOCK_GUARD();
    while (len > 0) {
        hwaddr xlat, chunk = len;
        MemoryRegion *mr = address_space_translate(
            as, addr, &xlat, &chunk, is_write, MEMTXATTRS_UNSPECIFIED);

        if (memory_region_owner(mr) == OBJECT(s) &&
            !memory_region_is_ram(mr)) {
            return false;
        }
        if (!memory_access_is_direct(mr, is_write, MEMTXATTRS_UNSPECIFIED) &&
            !address_space_access_valid(as, addr, chunk, is_write,
                                        MEMTXATTRS_UNSPECIFIED)) {
            return false;
        }
        if (chunk == 0) {
            return false;
        }
        addr += chunk;
        len -= chunk;
    }
    return true;
}

/*
 * Moves len bytes between buf and the bus range: each host-contiguous run
 * of the range is mapped once (one translation per IOMMU page, so one per
 * 2 MiB with huge IOMMU pages) and copied with memmove(): when buf is
 * device memory and the guest aimed the transfer at the device's own RAM
 * BAR through the IOMMU, the two overlap, and memmove() is defined there.
 * Unmapping marks written RAM dirty and drops stale translated code, as
 * address_space_write() does. What cannot be mapped goes through
 * address_space_rw().
 */
static int mypci_dma_copy(MyPCIState *s, uint64_t addr, uint8_t *buf,
                          uint64_t len, bool is_write)
{
    AddressSpace *as = mypci_dma_as(s);

    while (len > 0) {
        hwaddr run = len;
        void *host = address_space_map(as, addr, &run, is_write,
                                       MEMTXATTRS_UNSPECIFIED);

        if (!host) {
            return address_space_rw(as, addr, MEMTXATTRS_UNSPECIFIED, buf,
                                    len, is_write) == MEMTX_OK ? 0 : -EFAULT;
        }
        if (is_write) {
            memmove(host, buf, run);
        } else {
            memmove(buf, host, run);
        }
        address_space_unmap(as, host, run, is_write, run);
        addr += run;
        buf += run;
        len -= run;
    }
    return 0;
}

static int mypci_dma_read(void *opaque, uint64_t addr, void *buf, uint64_t len)
{
    return mypci_dma_copy(opaque, addr, buf, len, false);
}

static int mypci_dma_write(void *opaque, uint64_t addr, const void *buf,
                           uint64_t len)
{
    /* Only read from: the copy's direction is a write to the bus. */
    return mypci_dma_copy(opaque, addr, (uint8_t *)buf, len, true);
}

static bool mypci_bus_master(void *opaque)
{
    MyPCIState *s = opaque;

    return s->parent_obj.config[PCI_COMMAND] & PCI_COMMAND_MASTER;
}

static enum mypci_irq_mode mypci_irq_mode(void *opaque)
{
    MyPCIState *s = opaque;

    if (msix_enabled(&s->parent_obj)) {
        return MYPCI_IRQ_MODE_MSIX;
    }
    if (msi_enabled(&s->parent_obj)) {
        return MYPCI_IRQ_MODE_MSI;
    }
    return MYPCI_IRQ_MODE_INTX;
}

static void mypci_send_msi(void *opaque, unsigned vector)
{
    MyPCIState *s = opaque;

    /* Masked MSI-X vectors set their PBA bit in msix_notify(). */
    if (msix_enabled(&s->parent_obj)) {
        msix_notify(&s->parent_obj, vector);
    } else {
        msi_notify(&s->parent_obj, vector);
    }
}

static void mypci_set_intx(void *opaque, int level)
{
    MyPCIState *s = opaque;

    /* The PCI core applies Command.InterruptDisable and Status.IS. */
    pci_set_irq(&s->parent_obj, level);
}

static void mypci_dma_on_vcpu(CPUState *cpu, run_on_cpu_data data);

/*
 * Deferred work (the DMA transfer) runs after the MMIO write has returned.
 * When a vCPU wrote DMA_CMD, it runs on that vCPU's thread as soon as the
 * vCPU leaves its current translation block: a bottom half would first have
 * to wake the main loop, which costs ~20 us per transfer under TCG
 * (docs/bench.md). Without a vCPU (qtest, migration) the bottom half runs it.
 */
static void mypci_schedule(void *opaque)
{
    MyPCIState *s = opaque;

    if (s->x_dma_delay_us) {
        timer_mod(&s->dma_delay_timer,
                  qemu_clock_get_us(QEMU_CLOCK_VIRTUAL) + s->x_dma_delay_us);
    } else if (current_cpu) {
        object_ref(OBJECT(s));
        async_run_on_cpu(current_cpu, mypci_dma_on_vcpu,
                         RUN_ON_CPU_HOST_PTR(s));
    } else {
        qemu_bh_schedule(s->dma_bh);
    }
}

static void mypci_trace(void *opaque, enum mypci_trace_event event,
                        uint64_t a, uint64_t b, uint64_t c)
{
    switch (event) {
    case MYPCI_TRACE_MMIO_READ:
        trace_mypci_mmio_read(a, b, c);
        break;
    case MYPCI_TRACE_MMIO_WRITE:
        trace_mypci_mmio_write(a, b, c);
        break;
    case MYPCI_TRACE_MMIO_BAD:
        trace_mypci_mmio_ignored(a, b);
        qemu_log_mask(LOG_GUEST_ERROR,
                      "mypci: ignored BAR0 access at 0x%" PRIx64
                      " size %" PRIu64 " (see ABI section 3)\n", a, b);
        break;
    case MYPCI_TRACE_DMA_START:
        trace_mypci_dma_start(a, b, c & UINT32_MAX, c >> 62);
        break;
    case MYPCI_TRACE_DMA_DROPPED:
        trace_mypci_dma_dropped(a);
        break;
    case MYPCI_TRACE_DMA_END:
        trace_mypci_dma_end(a, b, c);
        break;
    case MYPCI_TRACE_IRQ_MSI:
        trace_mypci_irq_msi(a, b);
        break;
    case MYPCI_TRACE_IRQ_INTX:
        trace_mypci_irq_intx(a);
        break;
    case MYPCI_TRACE_VCAP_WRITE:
        trace_mypci_vcap_write(a, b, c);
        break;
    case MYPCI_TRACE_RESET:
        trace_mypci_reset(a == MYPCI_RESET_CONTROL ? "CONTROL.RESET"
                                                   : "function");
        break;
    }
}

static const struct mypci_host_ops mypci_host_ops = {
    .dma_valid = mypci_dma_valid,
    .dma_read = mypci_dma_read,
    .dma_write = mypci_dma_write,
    .bus_master = mypci_bus_master,
    .irq_mode = mypci_irq_mode,
    .send_msi = mypci_send_msi,
    .set_intx = mypci_set_intx,
    .schedule = mypci_schedule,
    .trace = mypci_trace,
};

/* ---- BAR0 and the DMA bottom half ------------------------------------------ */

static uint64_t mypci_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    MyPCIState *s = opaque;

    return mypci_core_mmio_read(&s->core, addr, size);
}

static void mypci_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    MyPCIState *s = opaque;

    mypci_core_mmio_write(&s->core, addr, val, size);
    /* CONTROL.RESET zeroed device memory behind QEMU's back: tell migration. */
    if (ranges_overlap(addr, size, MYPCI_REG_CONTROL, 4)) {
        memory_region_set_dirty(&s->device_mem, 0, s->mem_size);
    }
}

/*
 * Every access reaches the core unchanged: the ABI defines what 1/2-byte,
 * unaligned and unknown accesses do (read 0, ignored), so QEMU must neither
 * reject nor split them.
 */
static const MemoryRegionOps mypci_mmio_ops = {
    .read = mypci_mmio_read,
    .write = mypci_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
};

static void mypci_dma_run(MyPCIState *s)
{
    struct mypci_core *core = &s->core;
    bool to_device = (core->run_cmd & MYPCI_DMA_DIR_MASK) ==
                     MYPCI_DMA_DIR_HOST_TO_DEV;
    uint64_t dst = core->run_dst, len = core->run_len;

    mypci_core_run_deferred(core);
    /* The core wrote device memory behind QEMU's back: tell migration. */
    if (to_device && len > 0 && dst < s->mem_size) {
        memory_region_set_dirty(&s->device_mem, dst,
                                MIN(len, s->mem_size - dst));
    }
}

/* The bottom half is created guarded, so DMA cannot re-enter our MMIO. */
static void mypci_dma_bh(void *opaque)
{
    mypci_dma_run(opaque);
}

/* QEMU's re-entrancy guard, by hand, for the paths without a guarded BH. */
static void mypci_dma_run_guarded(MyPCIState *s)
{
    MemReentrancyGuard *guard = &DEVICE(s)->mem_reentrancy_guard;

    if (guard->engaged_in_io) {
        qemu_bh_schedule(s->dma_bh);
        return;
    }
    guard->engaged_in_io = true;
    mypci_dma_run(s);
    guard->engaged_in_io = false;
}

/* On the vCPU that wrote DMA_CMD; BQL held. */
static void mypci_dma_on_vcpu(CPUState *cpu, run_on_cpu_data data)
{
    MyPCIState *s = data.host_ptr;

    mypci_dma_run_guarded(s);
    object_unref(OBJECT(s));
}

static void mypci_dma_delay_expired(void *opaque)
{
    mypci_dma_run_guarded(opaque);
}

/* ---- configuration space ------------------------------------------------- */

static bool mypci_in_vcap_body(uint32_t addr)
{
    return addr >= MYPCI_CAP_VNDR + MYPCI_VCAP_SIGNATURE &&
           addr < MYPCI_CAP_VNDR + MYPCI_VCAP_LEN;
}

static bool mypci_overlaps_vcap_body(uint32_t addr, int len)
{
    return ranges_overlap(addr, len, MYPCI_CAP_VNDR + MYPCI_VCAP_SIGNATURE,
                          MYPCI_VCAP_LEN - MYPCI_VCAP_SIGNATURE);
}

/*
 * The vendor capability's body belongs to the core; an access that only
 * partly covers it (possible through ECAM) is split into bytes.
 */
static uint32_t mypci_config_read(PCIDevice *pdev, uint32_t addr, int len)
{
    MyPCIState *s = MYPCI(pdev);
    uint32_t value = 0;

    if (!mypci_overlaps_vcap_body(addr, len)) {
        return pci_default_read_config(pdev, addr, len);
    }
    if (mypci_in_vcap_body(addr) && mypci_in_vcap_body(addr + len - 1)) {
        return mypci_core_vcap_read(&s->core, addr - MYPCI_CAP_VNDR, len);
    }
    for (int i = 0; i < len; i++) {
        value |= mypci_config_read(pdev, addr + i, 1) << (8 * i);
    }
    return value;
}

static void mypci_config_write(PCIDevice *pdev, uint32_t addr, uint32_t val,
                               int len)
{
    MyPCIState *s = MYPCI(pdev);

    if (mypci_overlaps_vcap_body(addr, len)) {
        if (mypci_in_vcap_body(addr) && mypci_in_vcap_body(addr + len - 1)) {
            mypci_core_vcap_write(&s->core, addr - MYPCI_CAP_VNDR, val, len);
            return;
        }
        for (int i = 0; i < len; i++) {
            mypci_config_write(pdev, addr + i, (val >> (8 * i)) & 0xff, 1);
        }
        return;
    }
    pci_default_write_config(pdev, addr, val, len);
    pcie_cap_flr_write_config(pdev, addr, val, len);
    /* MSI or MSI-X enable may have changed: INTx must follow. */
    mypci_core_irq_mode_changed(&s->core);
}

/* ---- realize, reset, migration --------------------------------------------- */

/*
 * "x-break" makes the device break one ABI rule on purpose, so tests can
 * show the conformance suite catches it: "invert" or "dma-count".
 */
static bool mypci_parse_break(const char *name, uint32_t *breakage,
                              Error **errp)
{
    *breakage = 0;
    if (!name || !*name) {
        return true;
    }
    if (!strcmp(name, "invert")) {
        *breakage = MYPCI_BREAK_INVERT;
    } else if (!strcmp(name, "dma-count")) {
        *breakage = MYPCI_BREAK_DMA_COUNT;
    } else {
        error_setg(errp, "property 'x-break' must be 'invert' or "
                   "'dma-count', not '%s'", name);
        return false;
    }
    return true;
}

static bool mypci_get_config(MyPCIState *s, struct mypci_config *config,
                             Error **errp)
{
    *config = (struct mypci_config) {
        .scratch_reset = s->scratch,
        .mem_size = s->mem_size,
        .msi = s->msi,
        .msix = s->msix,
    };
    if (mypci_config_check(config) < 0) {
        error_setg(errp,
                   "property 'mem-size' must be a power of two from 4 KiB "
                   "to 256 MiB, not %" PRIu64, s->mem_size);
        return false;
    }
    return mypci_parse_break(s->x_break, &config->breakage, errp);
}

static void mypci_add_vendor_cap(PCIDevice *pdev, Error **errp)
{
    int offset = pci_add_capability(pdev, PCI_CAP_ID_VNDR, MYPCI_CAP_VNDR,
                                    MYPCI_VCAP_LEN, errp);

    if (offset < 0) {
        return;
    }
    pdev->config[offset + PCI_CAP_FLAGS] = MYPCI_VCAP_LEN;
    pdev->config[offset + PCI_CAP_FLAGS + 1] = MYPCI_VCAP_VERSION;
}

/*
 * PM 1.2 (version 3, as PCIe requires) with D0 and D3hot. The device keeps
 * its state across D3hot -> D0, so it says No_Soft_Reset; the PCI core stops
 * BAR decoding while in D3hot.
 */
static void mypci_setup_pm(PCIDevice *pdev)
{
    pci_set_word(pdev->config + MYPCI_CAP_PM + PCI_PM_PMC, 0x3);
    pci_set_word(pdev->config + MYPCI_CAP_PM + PCI_PM_CTRL,
                 PCI_PM_CTRL_NO_SOFT_RESET);
    pci_set_word(pdev->wmask + MYPCI_CAP_PM + PCI_PM_CTRL,
                 PCI_PM_CTRL_STATE_MASK);
}

/* Capabilities in reverse walk order: PM, MSI, PCIe, MSI-X, vendor. */
static bool mypci_add_capabilities(MyPCIState *s, Error **errp)
{
    PCIDevice *pdev = &s->parent_obj;
    Error *err = NULL;

    mypci_add_vendor_cap(pdev, &err);
    if (!err && s->msix &&
        msix_init(pdev, MYPCI_MSIX_VECTORS, &s->bar0, 0,
                  MYPCI_MSIX_TABLE_OFFSET, &s->bar0, 0, MYPCI_MSIX_PBA_OFFSET,
                  MYPCI_CAP_MSIX, &err) == 0) {
        for (unsigned v = 0; v < MYPCI_MSIX_VECTORS; v++) {
            msix_vector_use(pdev, v);
        }
    }
    if (!err && pcie_endpoint_cap_init(pdev, MYPCI_CAP_EXP) < 0) {
        error_setg(&err, "mypci: cannot add the PCI Express capability");
    }
    if (!err) {
        pcie_cap_flr_init(pdev);
    }
    if (!err && s->msi) {
        msi_init(pdev, MYPCI_CAP_MSI, 1, true, false, &err);
    }
    if (!err && pci_pm_init(pdev, MYPCI_CAP_PM, &err) >= 0) {
        mypci_setup_pm(pdev);
    }
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    return true;
}

static void mypci_free_capabilities(PCIDevice *pdev)
{
    msi_uninit(pdev);
    msix_uninit(pdev, &MYPCI(pdev)->bar0, &MYPCI(pdev)->bar0);
    pcie_cap_exit(pdev);
}

static void mypci_realize(PCIDevice *pdev, Error **errp)
{
    MyPCIState *s = MYPCI(pdev);
    struct mypci_config config;

    if (!mypci_get_config(s, &config, errp)) {
        return;
    }
    pci_config_set_vendor_id(pdev->config, s->vendor_id);
    pci_config_set_device_id(pdev->config, s->device_id);
    pci_config_set_interrupt_pin(pdev->config, 1);

    memory_region_init_io(&s->bar0, OBJECT(s), &mypci_mmio_ops, s,
                          "mypci-bar0", MYPCI_BAR0_SIZE);
    if (!memory_region_init_ram(&s->device_mem, OBJECT(s), "mypci-mem",
                                s->mem_size, errp)) {
        return;
    }
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->bar0);
    pci_register_bar(pdev, 2,
                     PCI_BASE_ADDRESS_SPACE_MEMORY |
                         PCI_BASE_ADDRESS_MEM_TYPE_64 |
                         PCI_BASE_ADDRESS_MEM_PREFETCH,
                     &s->device_mem);
    if (!mypci_add_capabilities(s, errp)) {
        mypci_free_capabilities(pdev);
        return;
    }
    s->dma_bh = qemu_bh_new_guarded(mypci_dma_bh, s,
                                    &DEVICE(pdev)->mem_reentrancy_guard);
    timer_init_us(&s->dma_delay_timer, QEMU_CLOCK_VIRTUAL,
                  mypci_dma_delay_expired, s);
    if (mypci_core_init(&s->core, &mypci_host_ops, s, &config,
                        memory_region_get_ram_ptr(&s->device_mem)) < 0) {
        error_setg(errp, "mypci: the device core refused its configuration");
        qemu_bh_delete(s->dma_bh);
        mypci_free_capabilities(pdev);
    }
}

static void mypci_exit(PCIDevice *pdev)
{
    MyPCIState *s = MYPCI(pdev);

    qemu_bh_delete(s->dma_bh);
    timer_del(&s->dma_delay_timer);
    mypci_free_capabilities(pdev);
}

/* System reset and FLR (pcie_cap_flr_write_config resets the device). */
static void mypci_reset(DeviceState *dev)
{
    MyPCIState *s = MYPCI(dev);

    qemu_bh_cancel(s->dma_bh);
    timer_del(&s->dma_delay_timer);
    mypci_core_reset(&s->core, MYPCI_RESET_FUNCTION);
    memory_region_set_dirty(&s->device_mem, 0, s->mem_size);
}

/* A stream whose state no guest can reach is refused, never run (ABI 10). */
static bool mypci_post_load(void *opaque, int version_id, Error **errp)
{
    MyPCIState *s = opaque;
    const char *why = NULL;

    if (mypci_core_post_load(&s->core, &why) < 0) {
        error_setg(errp, "mypci: refusing the migration stream: %s", why);
        return false;
    }
    return true;
}

static const VMStateDescription vmstate_mypci = {
    .name = TYPE_MYPCI,
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load_errp = mypci_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, MyPCIState),
        VMSTATE_MSIX(parent_obj, MyPCIState),
        VMSTATE_UINT32(core.scratch, MyPCIState),
        VMSTATE_UINT32(core.irq_status, MyPCIState),
        VMSTATE_UINT32(core.irq_enable, MyPCIState),
        VMSTATE_UINT32(core.irq_count, MyPCIState),
        VMSTATE_UINT64(core.dma_src, MyPCIState),
        VMSTATE_UINT64(core.dma_dst, MyPCIState),
        VMSTATE_UINT32(core.dma_len, MyPCIState),
        VMSTATE_UINT32(core.dma_status, MyPCIState),
        VMSTATE_UINT32(core.dma_count, MyPCIState),
        VMSTATE_UINT64(core.dma_fault_addr, MyPCIState),
        VMSTATE_UINT64(core.run_src, MyPCIState),
        VMSTATE_UINT64(core.run_dst, MyPCIState),
        VMSTATE_UINT32(core.run_len, MyPCIState),
        VMSTATE_UINT32(core.run_cmd, MyPCIState),
        VMSTATE_UINT32(core.intx_level, MyPCIState),
        VMSTATE_UINT32(core.vcap_mailbox, MyPCIState),
        VMSTATE_UINT32(core.vcap_events, MyPCIState),
        VMSTATE_END_OF_LIST()
    },
};

static const Property mypci_properties[] = {
    DEFINE_PROP_UINT32("scratch", MyPCIState, scratch, 0),
    DEFINE_PROP_SIZE("mem-size", MyPCIState, mem_size, MYPCI_MEM_SIZE_DEFAULT),
    DEFINE_PROP_BOOL("msi", MyPCIState, msi, true),
    DEFINE_PROP_BOOL("msix", MyPCIState, msix, true),
    DEFINE_PROP_UINT16("vendor-id", MyPCIState, vendor_id, MYPCI_VENDOR_ID),
    DEFINE_PROP_UINT16("device-id", MyPCIState, device_id, MYPCI_DEVICE_ID),
    DEFINE_PROP_STRING("x-break", MyPCIState, x_break),
    DEFINE_PROP_UINT32("x-dma-delay-us", MyPCIState, x_dma_delay_us, 0),
};

static void mypci_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = mypci_realize;
    k->exit = mypci_exit;
    k->config_read = mypci_config_read;
    k->config_write = mypci_config_write;
    k->vendor_id = MYPCI_VENDOR_ID;
    k->device_id = MYPCI_DEVICE_ID;
    k->revision = MYPCI_REVISION;
    k->class_id = MYPCI_CLASS;
    k->subsystem_vendor_id = MYPCI_SUBSYS_VENDOR_ID;
    k->subsystem_id = MYPCI_SUBSYS_ID;
    dc->desc = "mypci PCIe test device: DMA engine, INTx/MSI/MSI-X";
    dc->vmsd = &vmstate_mypci;
    device_class_set_legacy_reset(dc, mypci_reset);
    device_class_set_props(dc, mypci_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo mypci_info = {
    .name = TYPE_MYPCI,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(MyPCIState),
    .class_init = mypci_class_init,
    .interfaces = (const InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { },
    },
};

static void mypci_register_types(void)
{
    type_register_static(&mypci_info);
}

type_init(mypci_register_types)
