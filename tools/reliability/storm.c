/*
 * mypci-storm: many DMA transfers through VFIO, each checked byte for byte
 * against the seeded pattern its source was filled with, plus the bytes
 * just outside the destination range (an overrun shows there). Mixed in:
 * CONTROL.RESET (DMA_COUNT and device memory must restart from zero) and
 * IOMMU remaps; before each remap the old IOVA gets a transfer that must
 * fail with error 1 at the right address and move nothing (an expected
 * fault, counted apart from the unexpected ones).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rel.h"
#include "vfio/dma.h"

enum { EXIT_FAILED = 1, EXIT_UNUSABLE = 2 };

#define BUF_SIZE (1u << 20)
#define RESET_EVERY 5000u  /* transfers between CONTROL.RESETs */
#define REMAP_EVERY 10000u /* transfers between IOMMU remaps */
#define COUNT_EVERY 1000u  /* transfers between DMA_COUNT checks */
#define REPORT_EVERY 100000u
#define MAX_DETAILS 10 /* problems printed in full; the rest only counted */

struct storm {
    struct rel_target t;
    struct vfio_dma_buf src; /* mapped read-only: host sources */
    struct vfio_dma_buf dst; /* mapped read-write: host destinations */
    uint64_t rng;
    uint64_t transfers, bytes, mismatches, unexpected, provoked, seen;
    uint64_t resets, remaps;
    uint64_t since_reset; /* successful transfers: DMA_COUNT should match */
    uint64_t limit;       /* mem-size and buffer size, the largest length */
};

__attribute__((format(printf, 3, 4))) static void
problem(struct storm *s, uint64_t *counter, const char *fmt, ...)
{
    va_list ap;

    if (s->mismatches + s->unexpected < MAX_DETAILS) {
        printf("mypci-storm: transfer %" PRIu64 ": ", s->transfers);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
    }
    (*counter)++;
}

/* Lengths biased small: per-transfer cost under TCG is mostly MMIO exits. */
static uint32_t pick_len(struct storm *s)
{
    uint64_t r = rel_below(&s->rng, 100), max;

    max = r < 70 ? 256 : r < 95 ? 4096 : 65536;
    if (max > s->limit) {
        max = s->limit;
    }
    return (uint32_t)(1 + rel_below(&s->rng, max));
}

/* Runs one transfer to completion; its DMA_STATUS, or 0 after a timeout. */
static uint32_t run_dma(struct storm *s, uint64_t src, uint64_t dst,
                        uint32_t len, uint32_t dir)
{
    uint32_t status = 0;

    mypci_dma_start(s->t.m, src, dst, len, dir);
    if (mypci_dma_wait_poll(s->t.m, MYPCI_TIMEOUT_MS, &status) < 0) {
        problem(s, &s->unexpected,
                "still BUSY after %d ms (DMA_STATUS %#x): device stopped",
                MYPCI_TIMEOUT_MS, status);
        return 0;
    }
    return status;
}

/* The destination's bytes just outside [off, off + len), -1 if none. */
static void guards(const volatile uint8_t *p, uint64_t size, uint64_t off,
                   uint32_t len, int g[2])
{
    g[0] = off > 0 ? p[off - 1] : -1;
    g[1] = off + len < size ? p[off + len] : -1;
}

static void check_dst(struct storm *s, const volatile uint8_t *p, uint64_t size,
                      uint64_t off, uint32_t len, uint32_t tag,
                      const int before[2])
{
    long bad = pattern_check(p + off, len, tag);
    int after[2];

    guards(p, size, off, len, after);
    if (bad >= 0) {
        problem(s, &s->mismatches,
                "data mismatch at byte %ld of %u (dst offset %#" PRIx64 ")",
                bad, len, off);
    } else if (after[0] != before[0] || after[1] != before[1]) {
        problem(s, &s->mismatches,
                "bytes around dst [%#" PRIx64 ", +%u) changed", off, len);
    }
}

/* One random verified transfer in a random direction. */
static void one_transfer(struct storm *s)
{
    uint32_t len = pick_len(s), dir = (uint32_t)rel_below(&s->rng, 3);
    uint64_t soff = rel_below(&s->rng, s->limit - len + 1);
    uint64_t doff = rel_below(&s->rng, s->limit - len + 1);
    uint32_t tag = (uint32_t)rel_rand(&s->rng), status;
    volatile uint8_t *src = dir == MYPCI_DMA_DIR_DEV_TO_HOST
                                ? s->t.m->mem
                                : (volatile uint8_t *)s->src.vaddr;
    volatile uint8_t *dst = dir == MYPCI_DMA_DIR_HOST_TO_DEV
                                ? s->t.m->mem
                                : (volatile uint8_t *)s->dst.vaddr;
    uint64_t sa = dir == MYPCI_DMA_DIR_DEV_TO_HOST ? soff : s->src.iova + soff;
    uint64_t da = dir == MYPCI_DMA_DIR_HOST_TO_DEV ? doff : s->dst.iova + doff;
    int before[2];

    pattern_fill(src + soff, len, tag);
    guards(dst, s->limit, doff, len, before);
    status = run_dma(s, sa, da, len, dir);
    s->transfers++;
    if (status == 0) {
        return;
    }
    if (mypci_dma_error(status) != 0) {
        problem(s, &s->unexpected,
                "dir %u src %#" PRIx64 " dst %#" PRIx64 " len %u: error %u",
                dir, sa, da, len, mypci_dma_error(status));
        return;
    }
    s->bytes += len;
    s->since_reset++;
    check_dst(s, dst, s->limit, doff, len, tag, before);
}

static void check_count(struct storm *s)
{
    uint32_t count = mypci_read32(s->t.m, MYPCI_REG_DMA_COUNT);

    if (count != (uint32_t)s->since_reset) {
        problem(s, &s->mismatches, "DMA_COUNT %u, expected %" PRIu64, count,
                s->since_reset);
        s->since_reset = count;
    }
}

/* CONTROL.RESET: DMA_COUNT back to 0 and device memory zeroed (sampled). */
static void control_reset(struct storm *s)
{
    uint64_t off = rel_below(&s->rng, s->limit - 256 + 1);

    check_count(s);
    mypci_control_reset(s->t.m);
    s->resets++;
    s->since_reset = 0;
    check_count(s);
    for (unsigned i = 0; i < 256; i++) {
        if (s->t.m->mem[off + i] != 0) {
            problem(s, &s->mismatches,
                    "device memory %#" PRIx64 " not zeroed by CONTROL.RESET",
                    off + i);
            return;
        }
    }
}

/* A transfer at an IOVA just unmapped: must fail with error 1, move nothing. */
static void provoke_fault(struct storm *s, bool dst_side, uint64_t old_iova)
{
    uint32_t len = 1 + (uint32_t)rel_below(&s->rng, 4096);
    uint64_t hoff = rel_below(&s->rng, BUF_SIZE - len + 1);
    uint64_t moff = rel_below(&s->rng, s->limit - len + 1);
    uint32_t tag = (uint32_t)rel_rand(&s->rng), status, dir;
    volatile uint8_t *victim =
        dst_side ? (volatile uint8_t *)s->dst.vaddr : s->t.m->mem;
    uint64_t voff = dst_side ? hoff : moff, fault;

    /* The side that must stay untouched holds a known pattern. */
    pattern_fill(victim + voff, len, tag);
    dir = dst_side ? MYPCI_DMA_DIR_DEV_TO_HOST : MYPCI_DMA_DIR_HOST_TO_DEV;
    status = dst_side ? run_dma(s, moff, old_iova + hoff, len, dir)
                      : run_dma(s, old_iova + hoff, moff, len, dir);
    s->provoked++;
    fault = mypci_read64(s->t.m, MYPCI_REG_DMA_FAULT_ADDR);
    if (mypci_dma_error(status) != 1 || fault != old_iova + hoff) {
        problem(s, &s->unexpected,
                "DMA to unmapped IOVA %#" PRIx64 ": status %#x fault address "
                "%#" PRIx64 ", expected error 1 at that IOVA",
                old_iova + hoff, status, fault);
        return;
    }
    s->seen++;
    if (pattern_check(victim + voff, len, tag) >= 0) {
        problem(s, &s->mismatches, "a failed transfer changed memory");
    }
}

/* Unmaps one buffer, checks a DMA to the old IOVA faults, maps it anew. */
static int remap(struct storm *s)
{
    bool dst_side = (s->remaps & 1) == 0;
    struct vfio_dma_buf *b = dst_side ? &s->dst : &s->src;
    unsigned prot = dst_side ? VFIO_DMA_PROT_RW : VFIO_DMA_PROT_READ;
    uint64_t old = b->iova;
    struct vfio_error e = {0};

    if (vfio_dma_unmap(s->t.dev, b, &e) < 0) {
        rel_report(&s->t, "IOMMU unmap", &e);
        return -1;
    }
    provoke_fault(s, dst_side, old);
    if (vfio_dma_map(s->t.dev, b, prot, &e) < 0) {
        rel_report(&s->t, "IOMMU remap", &e);
        return -1;
    }
    s->remaps++;
    return 0;
}

static int setup_bufs(struct storm *s)
{
    struct vfio_error e = {0};

    if (vfio_dma_alloc(&s->src, BUF_SIZE, 0, &e) < 0 ||
        vfio_dma_map(s->t.dev, &s->src, VFIO_DMA_PROT_READ, &e) < 0 ||
        vfio_dma_alloc(&s->dst, BUF_SIZE, 0, &e) < 0 ||
        vfio_dma_map(s->t.dev, &s->dst, VFIO_DMA_PROT_RW, &e) < 0) {
        rel_report(&s->t, "DMA buffers", &e);
        return -1;
    }
    s->limit = s->t.m->mem_size < BUF_SIZE ? s->t.m->mem_size : BUF_SIZE;
    return 0;
}

static bool done(const struct storm *s, const struct rel_options *o,
                 double start)
{
    if (o->soak_s) {
        /* The clock is read rarely: it is a syscall-free vDSO call, still. */
        return s->transfers % 1000 == 0 && rel_now() - start >= o->soak_s;
    }
    return s->transfers >= o->transfers;
}

/* The mixed workload; -1 when an IOMMU call failed or the device hung. */
static int storm_loop(struct storm *s, const struct rel_options *o)
{
    double start = rel_now();

    while (!done(s, o, start)) {
        uint64_t before = s->unexpected;

        one_transfer(s);
        if (s->unexpected > before &&
            mypci_read32(s->t.m, MYPCI_REG_DMA_STATUS) &
                MYPCI_DMA_STATUS_BUSY) {
            return -1; /* a hung engine: nothing after it means anything */
        }
        if (s->transfers % COUNT_EVERY == 0) {
            check_count(s);
        }
        if (s->transfers % RESET_EVERY == 0) {
            control_reset(s);
        }
        if (s->transfers % REMAP_EVERY == 0 && remap(s) < 0) {
            return -1;
        }
        if (s->transfers % REPORT_EVERY == 0) {
            printf("mypci-storm: %" PRIu64 " transfers, %.0f s\n", s->transfers,
                   rel_now() - start);
            fflush(stdout);
        }
    }
    return 0;
}

static void summary(const struct storm *s, uint64_t seed, double elapsed)
{
    printf("mypci-storm: SUMMARY seed=%" PRIu64 " transfers=%" PRIu64
           " bytes=%" PRIu64 " mismatches=%" PRIu64
           " unexpected_faults=%" PRIu64 " expected_faults_provoked=%" PRIu64
           " expected_faults_seen=%" PRIu64 " resets=%" PRIu64
           " remaps=%" PRIu64 " elapsed_s=%.1f transfers_per_s=%.0f\n",
           seed, s->transfers, s->bytes, s->mismatches, s->unexpected,
           s->provoked, s->seen, s->resets, s->remaps, elapsed,
           elapsed > 0 ? (double)s->transfers / elapsed : 0.0);
}

int main(int argc, char **argv)
{
    static struct storm s;
    struct rel_options o;
    double start;
    int loop, status = rel_start(REL_STORM, argc, argv, &s.t, &o);

    if (status <= 0) {
        return status < 0 ? EXIT_UNUSABLE : 0;
    }
    s.rng = o.seed;
    if (setup_bufs(&s) < 0) {
        rel_close(&s.t);
        return EXIT_UNUSABLE;
    }
    start = rel_now();
    loop = storm_loop(&s, &o);
    summary(&s, o.seed, rel_now() - start);
    status = loop < 0 || s.mismatches || s.unexpected || s.provoked != s.seen
                 ? EXIT_FAILED
                 : 0;
    vfio_dma_free(s.t.dev, &s.src);
    vfio_dma_free(s.t.dev, &s.dst);
    if (rel_close(&s.t) < 0 && status == 0) {
        status = EXIT_UNUSABLE;
    }
    return status;
}
