/*
 * mypci_core: the behaviour of the mypci device (ABI sections 3-8), with no
 * dependency on QEMU. A host (QEMU's glue in device/qemu/mypci.c, the unit
 * tests' fake host, a fuzzer) owns the PCI plumbing and supplies the
 * callbacks below; the core owns every register, the interrupt cause logic,
 * the DMA engine and the vendor capability's semantics.
 *
 * Threading: the core is not thread-safe; the host calls it from one context
 * (QEMU: with the BQL held).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MYPCI_CORE_H
#define MYPCI_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- ABI constants (docs/abi.md) --------------------------------------- */

#define MYPCI_ABI_MAJOR 1
#define MYPCI_ABI_MINOR 0

#define MYPCI_BAR0_SIZE 0x2000
#define MYPCI_REG_PAGE_SIZE 0x1000
#define MYPCI_MSIX_TABLE_OFFSET 0x1000
#define MYPCI_MSIX_PBA_OFFSET 0x1800
#define MYPCI_MSIX_VECTORS 3

#define MYPCI_MEM_SIZE_MIN (4u * 1024)
#define MYPCI_MEM_SIZE_MAX (256u * 1024 * 1024)
#define MYPCI_MEM_SIZE_DEFAULT (1u * 1024 * 1024)

enum mypci_reg {
    MYPCI_REG_ID = 0x000,
    MYPCI_REG_VERSION = 0x004,
    MYPCI_REG_SCRATCH = 0x008,
    MYPCI_REG_INVERT = 0x00c,
    MYPCI_REG_FEATURES = 0x010,
    MYPCI_REG_CONTROL = 0x014,
    MYPCI_REG_IRQ_STATUS = 0x020,
    MYPCI_REG_IRQ_ENABLE = 0x024,
    MYPCI_REG_IRQ_RAISE = 0x028,
    MYPCI_REG_IRQ_ACK = 0x02c,
    MYPCI_REG_IRQ_COUNT = 0x030,
    MYPCI_REG_DMA_SRC = 0x040, /* 64-bit: low half, high half at +4 */
    MYPCI_REG_DMA_DST = 0x048, /* 64-bit */
    MYPCI_REG_DMA_LEN = 0x050,
    MYPCI_REG_DMA_CMD = 0x054,
    MYPCI_REG_DMA_STATUS = 0x058,
    MYPCI_REG_DMA_COUNT = 0x05c,
    MYPCI_REG_DMA_FAULT_ADDR = 0x060, /* 64-bit */
};

#define MYPCI_ID_VALUE 0x4d504349u /* "MPCI" */
#define MYPCI_VERSION_VALUE ((MYPCI_ABI_MAJOR << 16) | MYPCI_ABI_MINOR)

#define MYPCI_FEATURE_INTX (1u << 0)
#define MYPCI_FEATURE_MSI (1u << 1)
#define MYPCI_FEATURE_MSIX (1u << 2)
#define MYPCI_FEATURE_DMA (1u << 3)
#define MYPCI_FEATURE_MEM_LOG2_SHIFT 16

#define MYPCI_CONTROL_RESET (1u << 0)

/* IRQ_STATUS / IRQ_ENABLE / IRQ_RAISE / IRQ_ACK bits; bit n is cause n. */
#define MYPCI_IRQ_DMA_DONE (1u << 0)
#define MYPCI_IRQ_DMA_ERROR (1u << 1)
#define MYPCI_IRQ_SOFT (1u << 2)
#define MYPCI_IRQ_ALL (MYPCI_IRQ_DMA_DONE | MYPCI_IRQ_DMA_ERROR | MYPCI_IRQ_SOFT)

/* DMA_CMD */
#define MYPCI_DMA_DIR_MASK 0x3u
#define MYPCI_DMA_DIR_HOST_TO_DEV 0
#define MYPCI_DMA_DIR_DEV_TO_HOST 1
#define MYPCI_DMA_DIR_HOST_TO_HOST 2

/* DMA_STATUS */
#define MYPCI_DMA_STATUS_BUSY (1u << 0)
#define MYPCI_DMA_STATUS_DONE (1u << 1)
#define MYPCI_DMA_STATUS_DROPPED (1u << 2)
#define MYPCI_DMA_STATUS_ERR_SHIFT 8
#define MYPCI_DMA_STATUS_ERR_MASK (0xffu << MYPCI_DMA_STATUS_ERR_SHIFT)

enum mypci_dma_error {
    MYPCI_DMA_OK = 0,
    MYPCI_DMA_ERR_FAULT = 1,     /* IOMMU or bus fault */
    MYPCI_DMA_ERR_BAD_CMD = 2,   /* bad command or length */
    MYPCI_DMA_ERR_RANGE = 3,     /* device-memory range out of bounds */
    MYPCI_DMA_ERR_NO_MASTER = 4, /* Command.BusMaster is 0 */
};

/* Vendor-specific capability (ABI 8): offsets inside the capability. */
#define MYPCI_VCAP_ID 0x09
#define MYPCI_VCAP_LEN 0x14
#define MYPCI_VCAP_VERSION 0x01
#define MYPCI_VCAP_SIGNATURE 0x04
#define MYPCI_VCAP_MAILBOX 0x08
#define MYPCI_VCAP_RESULT 0x0c
#define MYPCI_VCAP_EVENTS 0x10
#define MYPCI_VCAP_EVENT_MAILBOX (1u << 0)

/* ---- the host interface ----------------------------------------------- */

enum mypci_irq_mode {
    MYPCI_IRQ_MODE_INTX, /* neither MSI-X nor MSI enabled by the guest */
    MYPCI_IRQ_MODE_MSI,
    MYPCI_IRQ_MODE_MSIX,
};

enum mypci_reset_kind {
    /* CONTROL.RESET: registers, DMA, device memory; config space untouched. */
    MYPCI_RESET_CONTROL,
    /* System reset or FLR: as above plus the vendor capability's state. */
    MYPCI_RESET_FUNCTION,
};

enum mypci_trace_event {
    MYPCI_TRACE_MMIO_READ,    /* a = offset, b = size, c = value */
    MYPCI_TRACE_MMIO_WRITE,   /* a = offset, b = size, c = value */
    MYPCI_TRACE_MMIO_BAD,     /* a = offset, b = size: ignored access */
    MYPCI_TRACE_DMA_START,    /* a = src, b = dst, c = len | dir << 62 */
    MYPCI_TRACE_DMA_DROPPED,  /* a = cmd */
    MYPCI_TRACE_DMA_END,      /* a = error code, b = fault address, c = len */
    MYPCI_TRACE_IRQ_MSI,      /* a = vector (0 for MSI), b = cause bit */
    MYPCI_TRACE_IRQ_INTX,     /* a = new level */
    MYPCI_TRACE_VCAP_WRITE,   /* a = offset in capability, b = size, c = value */
    MYPCI_TRACE_RESET,        /* a = enum mypci_reset_kind */
};

/*
 * Callbacks a host supplies. Every callback gets the host's opaque pointer.
 * Host addresses are bus addresses as the device emits them (IOVAs when a
 * vIOMMU is present); the host translates and enforces bus mastering.
 */
struct mypci_host_ops {
    /*
     * True if every byte of [addr, addr + len) can be accessed, as a DMA
     * read (is_write false) or write. Called before any byte moves; the core
     * narrows down a fault to its first page with more calls.
     */
    bool (*dma_valid)(void *opaque, uint64_t addr, uint64_t len, bool is_write);
    /* Move bytes; return 0, or a negative errno if the bus faulted anyway. */
    int (*dma_read)(void *opaque, uint64_t addr, void *buf, uint64_t len);
    int (*dma_write)(void *opaque, uint64_t addr, const void *buf,
                     uint64_t len);
    /* Command.BusMaster. */
    bool (*bus_master)(void *opaque);
    /* Which interrupt mechanism the guest enabled. */
    enum mypci_irq_mode (*irq_mode)(void *opaque);
    /* Send MSI-X vector n, or (mode MSI) the single MSI vector 0. */
    void (*send_msi)(void *opaque, unsigned vector);
    /* Drive INTx pin A to level (0 or 1). */
    void (*set_intx)(void *opaque, int level);
    /* Call mypci_core_run_deferred() soon, after the current access returns. */
    void (*schedule)(void *opaque);
    /* Optional: observe events; may be NULL. */
    void (*trace)(void *opaque, enum mypci_trace_event event, uint64_t a,
                  uint64_t b, uint64_t c);
};

/*
 * Test-only breakage: each bit makes the device violate one ABI rule, so the
 * conformance suite can prove it notices (QEMU property "x-break").
 */
#define MYPCI_BREAK_INVERT (1u << 0)    /* INVERT reads SCRATCH, not ~SCRATCH */
#define MYPCI_BREAK_DMA_COUNT (1u << 1) /* DMA_COUNT never increments */

struct mypci_config {
    uint32_t scratch_reset; /* "scratch" property */
    uint64_t mem_size;      /* "mem-size": power of two, 4 KiB..256 MiB */
    bool msi;               /* "msi" property */
    bool msix;              /* "msix" property */
    uint32_t breakage;      /* MYPCI_BREAK_* bits; 0 in normal use */
};

/*
 * The whole device state. Public so a host can migrate it field by field;
 * only the core changes it.
 */
struct mypci_core {
    /* Set by mypci_core_init, constant afterwards. */
    const struct mypci_host_ops *ops;
    void *opaque;
    struct mypci_config config;
    uint8_t *mem; /* device memory, config.mem_size bytes, owned by the host */

    /* Registers. */
    uint32_t scratch;
    uint32_t irq_status;
    uint32_t irq_enable;
    uint32_t irq_count;
    uint64_t dma_src;
    uint64_t dma_dst;
    uint32_t dma_len;
    uint32_t dma_status;
    uint32_t dma_count;
    uint64_t dma_fault_addr;

    /* The accepted transfer, latched from the registers when it started. */
    uint64_t run_src;
    uint64_t run_dst;
    uint32_t run_len;
    uint32_t run_cmd;

    /* INTx level the core drives, before Command.InterruptDisable. */
    uint32_t intx_level;

    /* Vendor capability state. */
    uint32_t vcap_mailbox;
    uint32_t vcap_events;
};

/* Returns 0, or -EINVAL if config is out of the ABI's range. */
int mypci_config_check(const struct mypci_config *config);

/*
 * Sets the core up in its reset state (device memory zeroed). mem must hold
 * config->mem_size bytes and stay valid for the core's life. Returns 0 or
 * -EINVAL (bad config or ops).
 */
int mypci_core_init(struct mypci_core *core, const struct mypci_host_ops *ops,
                    void *opaque, const struct mypci_config *config,
                    uint8_t *mem);

void mypci_core_reset(struct mypci_core *core, enum mypci_reset_kind kind);

/*
 * BAR0 register page access. offset < MYPCI_REG_PAGE_SIZE, size 1, 2, 4 or
 * 8; accesses the ABI does not define read 0 and are ignored.
 */
uint64_t mypci_core_mmio_read(struct mypci_core *core, uint64_t offset,
                              unsigned size);
void mypci_core_mmio_write(struct mypci_core *core, uint64_t offset,
                           uint64_t value, unsigned size);

/* Runs work deferred through ops->schedule (the DMA transfer). */
void mypci_core_run_deferred(struct mypci_core *core);

/*
 * The host calls this after the guest changed the interrupt mode (MSI or
 * MSI-X enable) or the core's state was loaded, so INTx follows the mode.
 */
void mypci_core_irq_mode_changed(struct mypci_core *core);

/* After loading migrated state: re-arms a transfer that was in flight. */
void mypci_core_post_load(struct mypci_core *core);

/*
 * Vendor capability body, offset 4..MYPCI_VCAP_LEN-1 inside the capability,
 * any size 1, 2 or 4 not crossing the capability's end. The host owns bytes
 * 0..3 (ID, next, length, version) and the capability's placement.
 */
uint32_t mypci_core_vcap_read(const struct mypci_core *core, unsigned offset,
                              unsigned size);
void mypci_core_vcap_write(struct mypci_core *core, unsigned offset,
                           uint32_t value, unsigned size);

/* FEATURES as the guest reads it. */
uint32_t mypci_core_features(const struct mypci_core *core);

#endif
