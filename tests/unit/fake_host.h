/*
 * A test host for mypci_core: a small bus address space of 4 KiB pages, each
 * unmapped, read-only or read-write, plus logs of everything the core asks
 * the host to do. DMA never runs by itself: a test calls
 * mypci_core_run_deferred() when it wants the scheduled work done.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef FAKE_HOST_H
#define FAKE_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "mypci_core.h"

#define FAKE_PAGE_SIZE 0x1000u
#define FAKE_PAGES 64u
#define FAKE_BUS_SIZE ((uint64_t)FAKE_PAGES * FAKE_PAGE_SIZE)
/* Above 4 GiB, so DMA addresses use both halves of DMA_SRC and DMA_DST. */
#define FAKE_BUS_BASE 0x100000000ull
#define FAKE_LOG_MAX 64u
#define FAKE_TRACE_EVENTS (MYPCI_TRACE_RESET + 1)

enum fake_perm {
    FAKE_UNMAPPED,
    FAKE_READ_ONLY,
    FAKE_READ_WRITE,
};

struct fake_trace_args {
    uint64_t a, b, c;
};

struct fake_host {
    uint8_t bus[FAKE_BUS_SIZE]; /* bus address FAKE_BUS_BASE + i */
    enum fake_perm perm[FAKE_PAGES];
    bool bus_master;
    enum mypci_irq_mode irq_mode;

    /* Make dma_read / dma_write fail after this many successful calls;
     * negative: never. dma_valid is not affected, so this models a host
     * whose check lied. */
    int read_fail_after;
    int write_fail_after;

    unsigned valid_calls;
    unsigned read_calls;
    unsigned write_calls;
    uint64_t last_failed_addr;

    unsigned msi_count;
    unsigned msi[FAKE_LOG_MAX]; /* vectors, in order sent */
    unsigned intx_count;
    int intx[FAKE_LOG_MAX]; /* levels, in order driven */
    int intx_level;
    unsigned schedule_count;

    unsigned trace_count[FAKE_TRACE_EVENTS];
    struct fake_trace_args trace_last[FAKE_TRACE_EVENTS];
};

extern const struct mypci_host_ops fake_host_ops;

/* Every page read-write and zeroed, bus mastering on, INTx mode. */
void fake_host_init(struct fake_host *host);

/* Sets the permission of every page [addr, addr + len) touches. */
void fake_host_map(struct fake_host *host, uint64_t addr, uint64_t len,
                   enum fake_perm perm);

/* The byte at bus address addr; it must lie in the fake's space. */
uint8_t *fake_host_ptr(struct fake_host *host, uint64_t addr);

/* Forgets MSI, INTx, schedule and trace history (keeps intx_level). */
void fake_host_clear_logs(struct fake_host *host);

#endif
