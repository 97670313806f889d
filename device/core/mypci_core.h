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

#include "mypci/abi.h" /* the ABI this core implements */

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
    MYPCI_TRACE_MMIO_READ,   /* a = offset, b = size, c = value */
    MYPCI_TRACE_MMIO_WRITE,  /* a = offset, b = size, c = value */
    MYPCI_TRACE_MMIO_BAD,    /* a = offset, b = size: ignored access */
    MYPCI_TRACE_DMA_START,   /* a = src, b = dst, c = len | dir << 62 */
    MYPCI_TRACE_DMA_DROPPED, /* a = cmd */
    MYPCI_TRACE_DMA_END,     /* a = error code, b = fault address, c = len */
    MYPCI_TRACE_IRQ_MSI,     /* a = vector (0 for MSI), b = cause bit */
    MYPCI_TRACE_IRQ_INTX,    /* a = new level */
    MYPCI_TRACE_VCAP_WRITE,  /* a = offset in capability, b = size, c = value */
    MYPCI_TRACE_RESET,       /* a = enum mypci_reset_kind */
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
/*
 * DMA moves data in chunks of this size: host-to-host copies need a bounce
 * buffer, and a bounded one keeps the state small whatever the length.
 */
#define MYPCI_CORE_DMA_CHUNK (16u * 1024)

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

    /*
     * Host-to-host copies pass through here, a chunk at a time. Not on the
     * stack: QEMU builds with -ftrivial-auto-var-init=zero, which cleared
     * a stack buffer on every transfer, 86 % of a 4 KiB host-to-device
     * transfer's instructions (bench --instructions) for a buffer only
     * host-to-host copies use. No state: never migrated, never read first.
     */
    uint8_t dma_bounce[MYPCI_CORE_DMA_CHUNK];
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

/*
 * After loading migrated state: re-arms a transfer that was in flight.
 * Returns -EINVAL, with the reason in *why (when why is not NULL) and the
 * state untouched, when the loaded state is one no guest can reach (a
 * corrupt or forged stream); the host must then refuse the load.
 */
int mypci_core_post_load(struct mypci_core *core, const char **why);

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
