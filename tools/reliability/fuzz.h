/*
 * mypci-fuzz's shared state: fuzz.c (the random operations, the health
 * checks, main) and hostile.c (what only a guest driver can do: DMA at the
 * MSI-X table and PBA, BAR2 unmapped or Command.Memory cleared under a
 * pending transfer, FLR mid-transfer, MSI-X toggled and vectors masked
 * while interrupts fire).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RELIABILITY_FUZZ_H
#define RELIABILITY_FUZZ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "rel.h"
#include "vfio/dma.h"

#define FBUF_SIZE (64u * 1024)
#define CHK_SIZE 4096u

/* One opened mypci and what the fuzzer set up on it. */
struct fdev {
    struct rel_target t;
    struct vfio_dma_buf fbuf, chk_src, chk_dst;
    uint64_t bar0_bus, bar2_bus;   /* from config space */
    uint64_t bar0_iova, bar2_iova; /* 0: the IOMMU refused the BAR mmap */
    uint64_t bar0_mapped;          /* bytes of BAR0 at bar0_iova */
    bool msix_mmap;                /* BAR0 page 1 (table, PBA) mmap-ed */
    uint32_t scratch_reset;        /* SCRATCH after CONTROL.RESET */
    enum vfio_irq_mode irq_mode;
};

/* What hostile.c found the guest kernel lets a driver do (set up once). */
struct hostile_caps {
    int action_mask_err; /* VFIO_IRQ_SET_ACTION_MASK on MSI-X: 0 or -errno */
};

struct fuzz {
    struct fdev d;    /* the device fuzzed */
    struct fdev busy; /* --busy-device (x-dma-delay-us), t.m NULL if none */
    struct hostile_caps caps;
    uint64_t rng;
    uint64_t ops, mmio, cfg, dma, dma_err, resets, flrs;
    uint64_t dma_own_bar; /* transfers that reached our own BARs */
    /* DMA aimed at the MSI-X table / PBA: as source (rd), destination (wr) */
    uint64_t dma_table_rd, dma_table_wr, dma_pba_rd, dma_pba_wr;
    /* hostile.c: attempts, and those that found the transfer still BUSY */
    uint64_t bar2_remaps, bar2_remaps_busy, bar2_remaps_faulted;
    uint64_t mem_toggles, mem_toggles_busy, mem_toggles_faulted;
    uint64_t mem_toggles_background; /* ran into gpex's background (arm64) */
    uint64_t flr_mid_dma, flr_mid_dma_busy;
    uint64_t msix_toggles, vec_detaches, vec_table_masks, vec_action_masks;
    uint64_t masked_pending; /* PBA bit seen set for a masked vector */
    uint64_t checks, failed;
};

#define EXPECT(cond, ...)                                                      \
    do {                                                                       \
        if (!(cond)) {                                                         \
            printf("mypci-fuzz: device check: " __VA_ARGS__);                  \
            putchar('\n');                                                     \
            return -1;                                                         \
        }                                                                      \
    } while (0)

/* The device the in-flight races use: the delayed one if there is one. */
static inline struct fdev *racer(struct fuzz *f)
{
    return f->busy.t.m ? &f->busy : &f->d;
}

/* A finished transfer's DMA_STATUS, or -1 (printed) if it stayed BUSY. */
int fuzz_dma_finish(struct fuzz *f, const struct fdev *d, uint32_t *status);

/* hostile.c */
void hostile_setup(struct fuzz *f);
/* Where DMA at the MSI-X table / PBA goes: mapped IOVA or bus address. */
uint64_t hostile_msix_addr(struct fuzz *f, bool pba);
/* One operation of the kinds above, picked from f->rng; 0 or -1. */
int hostile_op(struct fuzz *f);
void hostile_summary(const struct fuzz *f);

#endif
