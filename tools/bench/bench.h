/*
 * mypci-bench's parts and the state they share: the measurement engine
 * (engine.c: jobs timed in interleaved rounds), the figures (fig_*.c: what
 * is timed, as tables where they can be), the environment probes
 * (probes.c: hugetlb pool, clocksource, /proc), the report (report.c: JSON
 * and tables) and the run (main.c). See main.c for what is measured.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench_opts.h"
#include "bench_stats.h"
#include "mypci_driver.h"
#include "vfio/dma.h"
#include "vfio/pci_open.h"

#define WARMUP_QUICK 50
#define WARMUP_FULL 100
#define ITERS_QUICK 300
#define ITERS_FULL 5000
#define BIG_TRANSFER 4096u
#define BIG_MIN_ITERS 100u
#define BAR2_BW_MAX (1024u * 1024)
#define WAIT_MS 1000
#define ROUNDS 10u /* at most BENCH_MAX_ROUNDS */
#define MAX_JOBS 16

#define EDU_SPEC "1234:11e8"
#define TESTDEV_SPEC "1b36:0005"

/* One device the bench drives, its binding and what it could not do. */
struct bench_dev {
    const char *name;
    const char *spec;
    bool wanted;
    bool present; /* opened and its driver initialised */
    char reason[VFIO_ERROR_DETAIL_MAX + 256];
    struct vfio_pci_device *dev; /* tool.dev */
    struct vfio_pci_tool_device tool;
};

struct hugetlb_info {
    bool available;
    char reason[256];
    uint64_t page_size;
    long nr_before;      /* /proc/sys/vm/nr_hugepages at start, -1 unknown */
    bool reserved_by_us; /* pool grown by us, to shrink back */
    bool grown;          /* for the JSON: it was */
};

struct bench {
    struct bench_opts o;
    bool quick;
    unsigned iters, warmup;
    uint64_t sizes[BENCH_MAX_SIZES];
    size_t nr_sizes;
    struct bench_results res;
    struct bench_dev mypci, edu, testdev;
    struct mypci *m;
    struct vfio_dma_buf src, dst; /* host buffers for DMA and memcpy */
    struct hugetlb_info huge;
    int failures; /* figures that should have been measured and were not */
    uint64_t granularity; /* of CLOCK_MONOTONIC, ns */
    double start_s;
};

/* ---- the engine (engine.c) ----------------------------------------------- */

/*
 * One figure to time. run_jobs() runs a set of them in rounds, each job a
 * slice of its iterations per round, so that figures to be compared are
 * sampled over the same stretch of time and a change in the host's load
 * weighs on all of them alike.
 */
struct job {
    struct bench_measure *m;
    void (*pre)(void *ctx); /* untimed, before each sample */
    int (*op)(void *ctx);   /* timed, batch times per sample; < 0 fails */
    int (*post)(void *ctx); /* untimed, after each sample */
    /* Untimed, around each round's slice (interrupt set-up, checks). */
    int (*enter)(struct job *j);
    int (*leave)(struct job *j);
    void *ctx;
    unsigned batch; /* operations per sample (0 = 1); a sample is t/batch */
    /* run_jobs' state */
    uint64_t *s;
    unsigned n, warmup;
    unsigned long calls; /* op calls, warm-up included */
    bool failed;
};

/* The jobs of one comparison, run together in rounds. */
struct job_set {
    struct job jobs[MAX_JOBS];
    size_t nr;
};

uint64_t now_ns(void);

/* b->iters, scaled down for transfers over BIG_TRANSFER bytes. */
unsigned scaled_iters(const struct bench *b, uint64_t bytes);

/*
 * Runs each job for iters samples in rounds slices (1: in one go), after
 * b->warmup untimed iterations in all, then fills in its measure.
 */
void run_jobs(struct bench *b, struct job *jobs, size_t nr, unsigned iters,
              unsigned rounds);
void run_job(struct bench *b, struct job *j, unsigned iters);

/* Appends a figure (exits on out of memory: nothing to report then). */
struct bench_measure *fig_add(struct bench *b, const char *device,
                              const char *group, const char *label,
                              const char *id_fmt, ...)
    __attribute__((format(printf, 5, 6)));

/*
 * Adds measure m as a job of set if its device d is there (d NULL: mypci);
 * NULL (m says why) if not. Measures are added even then: every figure is
 * in the JSON.
 */
struct job *fig_set_add(struct job_set *set, struct bench_dev *d,
                        struct bench_measure *m);

/* The harness's own overhead: an empty timed loop. */
void bench_overhead(struct bench *b);

/* ---- the figures (fig_*.c) ----------------------------------------------- */

static inline volatile uint32_t *reg32(volatile uint8_t *bar, uint32_t offset)
{
    return (volatile uint32_t *)(bar + offset);
}

/* Which side of a copy is a BAR mapping (vfio_pci_bar_copy_to/from). */
enum copy_kind { COPY_RAM, COPY_TO_BAR, COPY_FROM_BAR };

struct copy_ctx {
    void *dst;
    const void *src;
    size_t len;
    enum copy_kind kind;
};

/* A job timing a copy of len bytes from src to dst: memcpy() between RAM
 * buffers, the library's BAR copy where one side is a BAR. */
void job_copy(struct job *j, struct copy_ctx *c, void *dst, const void *src,
              size_t len, enum copy_kind kind);

void bench_mmio_regs(struct bench *b);
void bench_mmio_bw(struct bench *b);
void bench_irqs(struct bench *b);
void bench_memcpy(struct bench *b);
void bench_dma(struct bench *b);
void bench_dma_small_pages(struct bench *b);
int bench_map_buffers(struct bench *b, unsigned flags, struct vfio_error *e);
void bench_iommu(struct bench *b);

/* The four figures of --quick, one sample per operation. */
void bench_mmio_quick(struct bench *b);
void bench_irq_quick(struct bench *b);
void bench_dma_quick(struct bench *b);

/* ---- the environment (probes.c) ------------------------------------------ */

/*
 * size bytes of huge pages (MAP_HUGETLB), growing the pool if it has too
 * few free (h records that, for free_huge to shrink it back). NULL, with
 * h->reason, if the guest cannot.
 */
void *alloc_huge(struct hugetlb_info *h, size_t size);
void free_huge(struct hugetlb_info *h, void *p, size_t size);

/* Physically contiguous runs of a populated buffer; -1 if unknown. */
long pfn_runs(const void *p, size_t size);

void cpu_model(char *buf, size_t len);
void thp_mode(char *buf, size_t len);
/* The guest kernel's clocksource: tsc, or acpi_pm (an I/O port per read). */
void clocksource(char *buf, size_t len);
/* The smallest step CLOCK_MONOTONIC takes, as seen by reading it. */
uint64_t clock_granularity(void);

/* ---- the report (report.c) ----------------------------------------------- */

int write_json(struct bench *b, const char *path);
void print_table(const struct bench *b);
void print_quick(const struct bench *b);

#endif
