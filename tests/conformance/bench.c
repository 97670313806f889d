/*
 * mypci-bench: latencies of the mypci device through VFIO, beside QEMU's
 * own edu and pci-testdev devices in the same guest.
 *
 * Every figure is a distribution of CLOCK_MONOTONIC samples, one per
 * timed operation, after untimed warm-up iterations: min, p50, p90, p99,
 * max (nearest rank) and the mean. An empty timed loop gives the
 * harness's own overhead, reported and not subtracted.
 *
 * - MMIO: BAR0 32-bit register read and write (trapped into the device
 *   model); BAR2 device memory (RAM-backed, not trapped) 32-bit read and
 *   write and memcpy bandwidth. References: edu's liveness register and
 *   pci-testdev's test header (BAR0), pci-testdev's RAM-backed membar (BAR2).
 * - Interrupts: an IRQ_RAISE(SOFT) write until the eventfd wakes us, in
 *   MSI-X, MSI and INTx modes; the cause is acknowledged (and INTx
 *   unmasked through VFIO) between iterations, untimed. References: edu's
 *   raise register (0x60) in MSI and INTx modes.
 * - DMA: the DMA_CMD doorbell until completion, seen by polling DMA_STATUS
 *   or by the DMA_DONE MSI-X vector's eventfd, for each size and direction;
 *   the reference is a CPU memcpy of the same size in the guest.
 * - IOMMU: mapping and unmapping a buffer of 4 KiB pages and one of huge
 *   pages (MAP_HUGETLB, when the guest kernel has hugetlbfs).
 *
 * --quick keeps the short summary the main job prints (min/p50/p99 of four
 * figures). --json writes every figure (schema in docs/bench.md).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "bench_opts.h"
#include "bench_stats.h"
#include "drivers.h"
#include "edu_driver.h"
#include "mypci_driver.h"
#include "pci_testdev_driver.h"
#include "vfio/dma.h"
#include "vfio/pci_discovery.h"
#include "vfio/pci_open.h"

#define WARMUP_QUICK 50
#define WARMUP_FULL 100
#define ITERS_QUICK 300
#define ITERS_FULL 5000
#define BIG_TRANSFER 4096u
#define BIG_MIN_ITERS 100u
#define BAR2_BW_MAX (1024u * 1024)
#define WAIT_MS 1000

#define EDU_SPEC "1234:11e8"
#define TESTDEV_SPEC "1b36:0005"

static const char *const dir_names[] = {"h2d", "d2h", "h2h"};
static const char *const dir_labels[] = {"host->dev", "dev->host",
                                         "host->host"};

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
    struct ct_options o;
    struct bench_opts bo;
    bool quick;
    unsigned iters, warmup;
    uint64_t sizes[BENCH_MAX_SIZES];
    size_t nr_sizes;
    struct bench_results res;
    struct bench_dev mypci, edu, testdev;
    struct mypci *m;
    struct vfio_dma_buf src, dst; /* host buffers for DMA and memcpy */
    struct hugetlb_info huge;
    char pfn_runs[64];
    int failures; /* figures that should have been measured and were not */
    uint64_t granularity; /* of CLOCK_MONOTONIC, ns */
    double start_s;
};

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the timing loop ----------------------------------------------------- */

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

#define ROUNDS 10u /* at most BENCH_MAX_ROUNDS */

static unsigned scaled_iters(const struct bench *b, uint64_t bytes)
{
    uint64_t n;

    if (bytes <= BIG_TRANSFER) {
        return b->iters;
    }
    n = (uint64_t)b->iters * BIG_TRANSFER / bytes;
    if (n < BIG_MIN_ITERS) {
        n = b->iters < BIG_MIN_ITERS ? b->iters : BIG_MIN_ITERS;
    }
    return (unsigned)n;
}

static void job_fail(struct bench *b, struct job *j, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void job_fail(struct bench *b, struct job *j, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(j->m->reason, sizeof(j->m->reason), fmt, ap);
    va_end(ap);
    j->m->available = false;
    j->failed = true;
    fprintf(stderr, "mypci-bench: %s: %s\n", j->m->id, j->m->reason);
    b->failures++;
}

/* warmup untimed then count timed samples of j; false if it failed. */
static bool run_slice(struct bench *b, struct job *j, unsigned warmup,
                      unsigned count, unsigned rounds)
{
    unsigned batch = j->batch ? j->batch : 1;
    struct bench_stats st;
    int err;

    if (j->enter && (err = j->enter(j)) < 0) {
        job_fail(b, j, "set-up failed: %s", strerror(-err));
        return false;
    }
    for (long i = -(long)warmup; i < (long)count; i++) {
        uint64_t t0, t1;

        if (j->pre) {
            j->pre(j->ctx);
        }
        t0 = now_ns();
        err = 0;
        for (unsigned k = 0; k < batch && err == 0; k++) {
            err = j->op(j->ctx);
        }
        t1 = now_ns();
        j->calls += batch;
        if (err == 0 && j->post) {
            err = j->post(j->ctx);
        }
        if (err < 0) {
            job_fail(b, j, "failed after %u timed samples: %s", j->n,
                     strerror(-err));
            if (j->leave) {
                j->leave(j);
            }
            return false;
        }
        if (i >= 0) {
            j->s[j->n++] = (t1 - t0 + batch / 2) / batch;
        }
    }
    j->warmup += warmup;
    if (rounds > 1 && j->m->nr_rounds < BENCH_MAX_ROUNDS && count > 0) {
        uint64_t *slice = malloc(count * sizeof(*slice));

        if (slice) {
            memcpy(slice, j->s + j->n - count, count * sizeof(*slice));
            bench_stats_compute(slice, count, &st);
            j->m->round_p50[j->m->nr_rounds++] = st.p50;
            free(slice);
        }
    }
    if (j->leave && (err = j->leave(j)) < 0) {
        job_fail(b, j, "the check after the loop failed: %s", strerror(-err));
        return false;
    }
    return true;
}

/*
 * Runs each job for iters samples in rounds slices (1: in one go), after
 * b->warmup untimed iterations in all (at least 5 per slice, at most a
 * slice), then fills in its measure.
 */
static void run_jobs(struct bench *b, struct job *jobs, size_t nr,
                     unsigned iters, unsigned rounds)
{
    unsigned warm;

    rounds = rounds < 1 ? 1 : (rounds > iters ? iters : rounds);
    warm = (b->warmup + rounds - 1) / rounds;
    warm = rounds > 1 && warm < 5 && b->warmup > 0 ? 5 : warm;
    for (size_t k = 0; k < nr; k++) {
        jobs[k].s = malloc((size_t)iters * sizeof(*jobs[k].s));
        if (!jobs[k].s) {
            job_fail(b, &jobs[k], "out of memory");
        }
    }
    for (unsigned r = 0; r < rounds; r++) {
        unsigned count = iters * (r + 1) / rounds - iters * r / rounds;

        for (size_t k = 0; k < nr; k++) {
            if (!jobs[k].failed) {
                run_slice(b, &jobs[k], warm < count ? warm : count, count,
                          rounds);
            }
        }
    }
    for (size_t k = 0; k < nr; k++) {
        struct job *j = &jobs[k];

        if (!j->failed) {
            bench_stats_compute(j->s, j->n, &j->m->ns);
            j->m->iterations = j->n;
            j->m->warmup = j->warmup;
            j->m->available = true;
        }
        free(j->s);
        j->s = NULL;
    }
}

static void run_job(struct bench *b, struct job *j, unsigned iters)
{
    run_jobs(b, j, 1, iters, 1);
}

/* ---- MMIO ---------------------------------------------------------------- */

#define MMIO_BATCH 16u

struct mmio_ctx {
    volatile uint32_t *p;
    uint32_t value; /* written, or expected when read */
    uint32_t last;
    volatile uint32_t *check; /* after writes: must read check_value */
    uint32_t check_value;
    volatile uint32_t *count; /* pci-testdev: counts the writes */
    uint32_t count_before;
    /* Reads: before each slice, write init_value to *init (if set), or
     * take what *p reads then as the expected value (if current). */
    volatile uint32_t *init;
    uint32_t init_value;
    bool current;
};

static int op_nothing(void *ctx)
{
    (void)ctx;
    return 0;
}

static int op_read32(void *ctx)
{
    struct mmio_ctx *c = ctx;

    c->last = *c->p;
    return 0;
}

static int post_read32(void *ctx)
{
    struct mmio_ctx *c = ctx;

    return c->last == c->value ? 0 : -EIO;
}

/* Other jobs of the round may have changed the register since. */
static int enter_read32(struct job *j)
{
    struct mmio_ctx *c = j->ctx;

    if (c->init) {
        *c->init = c->init_value;
    }
    if (c->current) {
        c->value = *c->p;
    }
    return 0;
}

static int op_write32(void *ctx)
{
    struct mmio_ctx *c = ctx;

    *c->p = c->value;
    return 0;
}

static int leave_write32(struct job *j)
{
    struct mmio_ctx *c = j->ctx;

    if (c->check && *c->check != c->check_value) {
        return -EIO;
    }
    if (c->count && *c->count != c->count_before + (uint32_t)j->calls) {
        return -EIO; /* pci-testdev missed a write */
    }
    return 0;
}

static volatile uint32_t *reg32(volatile uint8_t *bar, uint32_t offset)
{
    return (volatile uint32_t *)(bar + offset);
}

/* A 32-bit read of *p that must return expect. */
static void job_read(struct job *j, struct mmio_ctx *c, volatile uint32_t *p,
                     uint32_t expect)
{
    *c = (struct mmio_ctx){.p = p, .value = expect};
    j->enter = enter_read32;
    j->op = op_read32;
    j->post = post_read32;
    j->ctx = c;
}

/* A 32-bit write of value to *p; afterwards *check must read check_value. */
static void job_write(struct job *j, struct mmio_ctx *c, volatile uint32_t *p,
                      uint32_t value, volatile uint32_t *check,
                      uint32_t check_value)
{
    *c = (struct mmio_ctx){
        .p = p, .value = value, .check = check, .check_value = check_value};
    j->op = op_write32;
    j->leave = leave_write32;
    j->ctx = c;
}

struct copy_ctx {
    void *dst;
    const void *src;
    size_t len;
};

static int op_copy(void *ctx)
{
    struct copy_ctx *c = ctx;

    memcpy(c->dst, c->src, c->len);
    return 0;
}

static void job_copy(struct job *j, struct copy_ctx *c, void *dst,
                     const void *src, size_t len)
{
    *c = (struct copy_ctx){.dst = dst, .src = src, .len = len};
    j->op = op_copy;
    j->ctx = c;
    j->m->bytes = len;
}

static struct bench_measure *add(struct bench *b, const char *device,
                                 const char *group, const char *label,
                                 const char *id_fmt, ...)
    __attribute__((format(printf, 5, 6)));

static struct bench_measure *add(struct bench *b, const char *device,
                                 const char *group, const char *label,
                                 const char *id_fmt, ...)
{
    char id[BENCH_ID_MAX];
    struct bench_measure *m;
    va_list ap;

    va_start(ap, id_fmt);
    vsnprintf(id, sizeof(id), id_fmt, ap);
    va_end(ap);
    m = bench_add(&b->res, device, group, "%s", id);
    if (!m) {
        fprintf(stderr, "mypci-bench: out of memory\n");
        exit(2);
    }
    snprintf(m->label, sizeof(m->label), "%s", label);
    return m;
}

static bool dev_missing(struct bench_dev *d, struct bench_measure *m)
{
    if (d->present) {
        return false;
    }
    bench_unavailable(m, "%s", d->reason);
    return true;
}

#define MAX_JOBS 16

/* The jobs of one comparison, run together in rounds. */
struct job_set {
    struct job jobs[MAX_JOBS];
    size_t nr;
};

/*
 * Adds measure m as a job of set if its device is there; NULL (m says
 * why) if not. Measures are added even then: every figure is in the JSON.
 */
static struct job *set_add(struct job_set *set, struct bench_dev *d,
                           struct bench_measure *m)
{
    struct job *j;

    if (d && dev_missing(d, m)) {
        return NULL;
    }
    j = &set->jobs[set->nr++];
    memset(j, 0, sizeof(*j));
    j->m = m;
    return j;
}

/*
 * BAR0 register and BAR2 32-bit accesses of mypci, edu and pci-testdev,
 * interleaved in rounds; each sample times MMIO_BATCH accesses (the clock
 * steps are not much shorter than one access).
 */
static void bench_mmio_regs(struct bench *b)
{
    struct mypci *mp = b->m;
    struct refdev *edu = b->edu.present ? refdev_of(b->edu.dev) : NULL;
    struct refdev *td = b->testdev.present ? refdev_of(b->testdev.dev) : NULL;
    bool refs = !b->bo.no_refs;
    struct mmio_ctx c[MAX_JOBS];
    struct job_set set = {.nr = 0};
    struct bench_measure *m;
    struct job *j;

    m = add(b, "mypci", "mmio", "mypci BAR0 read (ID)", "mypci/mmio/bar0_read");
    if (refs) {
        bench_add_ref(m, "edu/mmio/bar0_read");
        bench_add_ref(m, "pci-testdev/mmio/bar0_read");
    }
    j = set_add(&set, NULL, m);
    job_read(j, &c[set.nr - 1], reg32(mp->regs, MYPCI_REG_ID), MYPCI_ID_VALUE);
    if (refs) {
        m = add(b, "edu", "mmio", "edu BAR0 read (0x04 liveness)",
                "edu/mmio/bar0_read");
        if ((j = set_add(&set, &b->edu, m))) {
            job_read(j, &c[set.nr - 1], reg32(edu->bar0, EDU_REG_LIVENESS),
                     ~0x0f0f0f0fu);
            c[set.nr - 1].init = reg32(edu->bar0, EDU_REG_LIVENESS);
            c[set.nr - 1].init_value = 0x0f0f0f0f;
        }
        m = add(b, "pci-testdev", "mmio", "pci-testdev BAR0 read (count)",
                "pci-testdev/mmio/bar0_read");
        if ((j = set_add(&set, &b->testdev, m))) {
            job_read(j, &c[set.nr - 1], reg32(td->bar0, TESTDEV_REG_COUNT), 0);
            c[set.nr - 1].current = true; /* the write job counts */
        }
    }

    m = add(b, "mypci", "mmio", "mypci BAR0 write (SCRATCH)",
            "mypci/mmio/bar0_write");
    if (refs) {
        bench_add_ref(m, "edu/mmio/bar0_write");
        bench_add_ref(m, "pci-testdev/mmio/bar0_write");
    }
    j = set_add(&set, NULL, m);
    job_write(j, &c[set.nr - 1], reg32(mp->regs, MYPCI_REG_SCRATCH), 0x5a5a5a5a,
              reg32(mp->regs, MYPCI_REG_INVERT), ~0x5a5a5a5au);
    if (refs) {
        m = add(b, "edu", "mmio", "edu BAR0 write (0x04 liveness)",
                "edu/mmio/bar0_write");
        if ((j = set_add(&set, &b->edu, m))) {
            job_write(j, &c[set.nr - 1], reg32(edu->bar0, EDU_REG_LIVENESS),
                      0x5a5a5a5a, reg32(edu->bar0, EDU_REG_LIVENESS),
                      ~0x5a5a5a5au);
        }
        m = add(b, "pci-testdev", "mmio", "pci-testdev BAR0 write (hit)",
                "pci-testdev/mmio/bar0_write");
        if ((j = set_add(&set, &b->testdev, m))) {
            job_write(j, &c[set.nr - 1], reg32(td->bar0, TESTDEV_HIT_OFFSET),
                      TESTDEV_HIT_DATA, NULL, 0);
            c[set.nr - 1].count = reg32(td->bar0, TESTDEV_REG_COUNT);
            c[set.nr - 1].count_before = refdev_read32(td, TESTDEV_REG_COUNT);
        }
    }

    /* BAR2: RAM-backed in both devices, so no trap. */
    ((volatile uint32_t *)mp->mem)[0] = 0xc0ffee11;
    m = add(b, "mypci", "mmio", "mypci BAR2 read (32-bit)",
            "mypci/mmio/bar2_read");
    if (refs) {
        bench_add_ref(m, "pci-testdev/mmio/bar2_read");
    }
    j = set_add(&set, NULL, m);
    job_read(j, &c[set.nr - 1], (volatile uint32_t *)mp->mem, 0xc0ffee11);
    if (refs) {
        m = add(b, "pci-testdev", "mmio", "pci-testdev BAR2 read (32-bit)",
                "pci-testdev/mmio/bar2_read");
        if (td && !td->bar2) {
            bench_unavailable(m, "pci-testdev has no BAR2 (start it with "
                                 "membar=1M,membar-backed=on)");
        } else if ((j = set_add(&set, &b->testdev, m))) {
            ((volatile uint32_t *)td->bar2)[0] = 0xc0ffee11;
            job_read(j, &c[set.nr - 1], (volatile uint32_t *)td->bar2,
                     0xc0ffee11);
        }
    }
    m = add(b, "mypci", "mmio", "mypci BAR2 write (32-bit)",
            "mypci/mmio/bar2_write");
    if (refs) {
        bench_add_ref(m, "pci-testdev/mmio/bar2_write");
    }
    j = set_add(&set, NULL, m);
    job_write(j, &c[set.nr - 1], (volatile uint32_t *)mp->mem + 1, 0x600dcafe,
              (volatile uint32_t *)mp->mem + 1, 0x600dcafe);
    if (refs) {
        m = add(b, "pci-testdev", "mmio", "pci-testdev BAR2 write (32-bit)",
                "pci-testdev/mmio/bar2_write");
        if (td && !td->bar2) {
            bench_unavailable(m, "pci-testdev has no BAR2 (start it with "
                                 "membar=1M,membar-backed=on)");
        } else if ((j = set_add(&set, &b->testdev, m))) {
            job_write(j, &c[set.nr - 1], (volatile uint32_t *)td->bar2 + 1,
                      0x600dcafe, (volatile uint32_t *)td->bar2 + 1,
                      0x600dcafe);
        }
    }
    for (size_t k = 0; k < set.nr; k++) {
        set.jobs[k].batch = MMIO_BATCH;
        snprintf(set.jobs[k].m->params, sizeof(set.jobs[k].m->params),
                 "\"batch\": %u, \"rounds\": %u", MMIO_BATCH, ROUNDS);
    }
    run_jobs(b, set.jobs, set.nr, b->iters, ROUNDS);
}

static bool has_size(const struct bench *b, uint64_t size)
{
    for (size_t k = 0; k < b->nr_sizes; k++) {
        if (b->sizes[k] == size) {
            return true;
        }
    }
    return false;
}

/* BAR2 <-> RAM memcpy bandwidth of mypci and pci-testdev, interleaved. */
static void bench_mmio_bw(struct bench *b)
{
    struct mypci *mp = b->m;
    struct refdev *td = b->testdev.present ? refdev_of(b->testdev.dev) : NULL;
    uint64_t block = mp->mem_size < BAR2_BW_MAX ? mp->mem_size : BAR2_BW_MAX;
    bool refs = !b->bo.no_refs;
    struct copy_ctx c[4];
    struct job_set set = {.nr = 0};
    struct bench_measure *m;
    struct job *j;

    if (td && td->bar2 && td->bar2_size < block) {
        block = td->bar2_size;
    }
    for (int w = 0; w < 2; w++) {
        const char *dir = w ? "write" : "read";

        m = add(b, "mypci", "mmio",
                w ? "mypci BAR2 memcpy from RAM" : "mypci BAR2 memcpy to RAM",
                "mypci/mmio/bar2_%s_bw", dir);
        if (refs) {
            bench_add_ref(m, "pci-testdev/mmio/bar2_%s_bw", dir);
        }
        if (has_size(b, block)) {
            bench_add_ref(m, "guest/cpu/memcpy/%" PRIu64, block);
        }
        j = set_add(&set, NULL, m);
        job_copy(j, &c[set.nr - 1], w ? (void *)mp->mem : b->dst.vaddr,
                 w ? b->src.vaddr : (const void *)mp->mem, block);
        if (!refs) {
            continue;
        }
        m = add(b, "pci-testdev", "mmio",
                w ? "pci-testdev BAR2 memcpy from RAM"
                  : "pci-testdev BAR2 memcpy to RAM",
                "pci-testdev/mmio/bar2_%s_bw", dir);
        m->bytes = block;
        if (td && !td->bar2) {
            bench_unavailable(m, "pci-testdev has no BAR2 (start it with "
                                 "membar=1M,membar-backed=on)");
        } else if ((j = set_add(&set, &b->testdev, m))) {
            job_copy(j, &c[set.nr - 1], w ? (void *)td->bar2 : b->dst.vaddr,
                     w ? b->src.vaddr : (const void *)td->bar2, block);
        }
    }
    for (size_t k = 0; k < set.nr; k++) {
        snprintf(set.jobs[k].m->params, sizeof(set.jobs[k].m->params),
                 "\"block\": %" PRIu64 ", \"rounds\": %u", block, ROUNDS);
    }
    run_jobs(b, set.jobs, set.nr, scaled_iters(b, block), ROUNDS);
}

/* ---- interrupts ---------------------------------------------------------- */

struct irq_ctx {
    struct bench *b;
    bool edu; /* else mypci */
    enum vfio_irq_mode mode;
    struct vfio_pci_device *dev;
    int fd;
    volatile uint32_t *raise, *ack;
    uint32_t bits;
    int64_t extra; /* signals seen before a raise: must stay 0 */
};

static void pre_irq(void *ctx)
{
    struct irq_ctx *c = ctx;

    *c->ack = c->bits;
    if (c->mode == VFIO_IRQ_INTX) {
        vfio_irq_intx_unmask(c->dev, NULL);
    }
    c->extra += vfio_irq_drain(c->fd);
}

static int op_irq(void *ctx)
{
    struct irq_ctx *c = ctx;

    *c->raise = c->bits;
    return vfio_irq_wait(c->fd, WAIT_MS) > 0 ? 0 : -ETIMEDOUT;
}

/* Interrupts on in c->mode, the cause enabled, before each slice. */
static int enter_irq(struct job *j)
{
    struct irq_ctx *c = j->ctx;
    int err;

    if (c->edu) {
        struct refdev *r = refdev_of(c->dev);

        err = edu_irq_setup(r, c->mode, NULL);
        c->fd = vfio_irq_fd(c->dev, 0);
    } else {
        err = mypci_irq_setup(c->b->m, c->mode, NULL);
        c->fd = mypci_irq_fd(c->b->m, MYPCI_IRQ_SOFT);
        mypci_write32(c->b->m, MYPCI_REG_IRQ_ACK, MYPCI_IRQ_ALL);
        mypci_write32(c->b->m, MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_SOFT);
    }
    return err;
}

static int leave_irq(struct job *j)
{
    struct irq_ctx *c = j->ctx;

    if (c->edu) {
        refdev_write32(refdev_of(c->dev), EDU_REG_IRQ_ACK, ~0u);
        refdev_of(c->dev)->irq_mode = VFIO_IRQ_NONE;
    } else {
        mypci_write32(c->b->m, MYPCI_REG_IRQ_ENABLE, 0);
        mypci_write32(c->b->m, MYPCI_REG_IRQ_ACK, MYPCI_IRQ_ALL);
        c->b->m->irq_mode = VFIO_IRQ_NONE;
    }
    vfio_irq_disable(c->dev, NULL);
    return c->extra == 0 ? 0 : -EPROTO;
}

static const char *mode_name(enum vfio_irq_mode mode)
{
    return mode == VFIO_IRQ_MSIX  ? "msix"
           : mode == VFIO_IRQ_MSI ? "msi"
                                  : "intx";
}

static const char *mode_label(enum vfio_irq_mode mode)
{
    return mode == VFIO_IRQ_MSIX  ? "MSI-X"
           : mode == VFIO_IRQ_MSI ? "MSI"
                                  : "INTx";
}

static bool mypci_offers(const struct mypci *m, enum vfio_irq_mode mode)
{
    switch (mode) {
    case VFIO_IRQ_MSIX:
        return m->msix_cap != 0;
    case VFIO_IRQ_MSI:
        return m->msi_cap != 0;
    default:
        return (m->features & MYPCI_FEATURE_INTX) != 0;
    }
}

/* A job timing IRQ_RAISE(SOFT) (mypci) or 0x60 (edu) to the eventfd. */
static void job_irq(struct bench *b, struct job *j, struct irq_ctx *c, bool edu,
                    enum vfio_irq_mode mode)
{
    struct refdev *r = edu ? refdev_of(b->edu.dev) : NULL;

    *c = (struct irq_ctx){.b = b, .edu = edu, .mode = mode, .fd = -1};
    c->dev = edu ? b->edu.dev : b->mypci.dev;
    c->raise = edu ? reg32(r->bar0, EDU_REG_IRQ_RAISE)
                   : reg32(b->m->regs, MYPCI_REG_IRQ_RAISE);
    c->ack = edu ? reg32(r->bar0, EDU_REG_IRQ_ACK)
                 : reg32(b->m->regs, MYPCI_REG_IRQ_ACK);
    c->bits = edu ? 1 : MYPCI_IRQ_SOFT;
    j->pre = pre_irq;
    j->op = op_irq;
    j->enter = enter_irq;
    j->leave = leave_irq;
    j->ctx = c;
    snprintf(j->m->params, sizeof(j->m->params),
             "\"mode\": \"%s\", \"rounds\": %u", mode_name(mode), ROUNDS);
}

/*
 * mypci in each mode beside edu (MSI and INTx; edu has no MSI-X, so its MSI
 * is the reference of mypci's MSI-X too), interleaved in rounds. The cause
 * is acknowledged, and INTx unmasked through VFIO, between iterations.
 */
static void bench_irqs(struct bench *b)
{
    static const struct {
        unsigned bit;
        enum vfio_irq_mode mode;
        enum vfio_irq_mode ref;
    } modes[] = {{BENCH_MODE_MSIX, VFIO_IRQ_MSIX, VFIO_IRQ_MSI},
                 {BENCH_MODE_MSI, VFIO_IRQ_MSI, VFIO_IRQ_MSI},
                 {BENCH_MODE_INTX, VFIO_IRQ_INTX, VFIO_IRQ_INTX}};
    bool refs = !b->bo.no_refs;
    bool edu_msi = false, edu_intx = false;
    struct irq_ctx c[MAX_JOBS];
    struct job_set set = {.nr = 0};
    char label[96];

    for (size_t k = 0; k < sizeof(modes) / sizeof(modes[0]); k++) {
        enum vfio_irq_mode mode = modes[k].mode;
        struct bench_measure *m;
        struct job *j;

        if (!(b->bo.modes & modes[k].bit)) {
            continue;
        }
        snprintf(label, sizeof(label), "mypci IRQ_RAISE(SOFT) -> %s eventfd",
                 mode_label(mode));
        m = add(b, "mypci", "irq", label, "mypci/irq/%s", mode_name(mode));
        if (refs) {
            bench_add_ref(m, "edu/irq/%s", mode_name(modes[k].ref));
        }
        if (!mypci_offers(b->m, mode)) {
            snprintf(m->params, sizeof(m->params), "\"mode\": \"%s\"",
                     mode_name(mode));
            bench_unavailable(m, "the device does not offer %s",
                              mode_label(mode));
        } else {
            j = set_add(&set, NULL, m);
            job_irq(b, j, &c[set.nr - 1], false, mode);
        }
        if (!refs || (modes[k].ref == VFIO_IRQ_MSI ? edu_msi : edu_intx)) {
            continue;
        }
        *(modes[k].ref == VFIO_IRQ_MSI ? &edu_msi : &edu_intx) = true;
        snprintf(label, sizeof(label), "edu raise (0x60) -> %s eventfd",
                 mode_label(modes[k].ref));
        m = add(b, "edu", "irq", label, "edu/irq/%s", mode_name(modes[k].ref));
        if ((j = set_add(&set, &b->edu, m))) {
            job_irq(b, j, &c[set.nr - 1], true, modes[k].ref);
        } else {
            snprintf(m->params, sizeof(m->params), "\"mode\": \"%s\"",
                     mode_name(modes[k].ref));
        }
    }
    run_jobs(b, set.jobs, set.nr, b->iters, ROUNDS);
}

/* ---- DMA ----------------------------------------------------------------- */

struct dma_ctx {
    struct mypci *m;
    uint32_t cmd;
    int fd; /* -1: poll DMA_STATUS */
    uint32_t status;
    uint64_t src, dst;
    uint32_t len;
};

static void pre_dma_irq(void *ctx)
{
    struct dma_ctx *c = ctx;

    mypci_write32(c->m, MYPCI_REG_IRQ_ACK,
                  MYPCI_IRQ_DMA_DONE | MYPCI_IRQ_DMA_ERROR);
    vfio_irq_drain(c->fd);
}

static int op_dma_poll(void *ctx)
{
    struct dma_ctx *c = ctx;

    mypci_write32(c->m, MYPCI_REG_DMA_CMD, c->cmd);
    return mypci_dma_wait_poll(c->m, WAIT_MS, &c->status);
}

static int op_dma_irq(void *ctx)
{
    struct dma_ctx *c = ctx;

    mypci_write32(c->m, MYPCI_REG_DMA_CMD, c->cmd);
    return vfio_irq_wait(c->fd, WAIT_MS) > 0 ? 0 : -ETIMEDOUT;
}

static int post_dma(void *ctx)
{
    struct dma_ctx *c = ctx;

    if (c->fd >= 0) {
        c->status = mypci_read32(c->m, MYPCI_REG_DMA_STATUS);
    }
    return c->status == MYPCI_DMA_STATUS_DONE ? 0 : -EIO;
}

/* DMA_SRC, DMA_DST, DMA_LEN for the job; only the doorbell is timed. */
static int enter_dma(struct job *j)
{
    struct dma_ctx *c = j->ctx;

    mypci_write64(c->m, MYPCI_REG_DMA_SRC, c->src);
    mypci_write64(c->m, MYPCI_REG_DMA_DST, c->dst);
    mypci_write32(c->m, MYPCI_REG_DMA_LEN, c->len);
    mypci_write32(c->m, MYPCI_REG_IRQ_ENABLE, 0);
    /* Acked first: enabling a pending cause would send a message. */
    mypci_write32(c->m, MYPCI_REG_IRQ_ACK, MYPCI_IRQ_ALL);
    if (c->fd >= 0) {
        mypci_write32(c->m, MYPCI_REG_IRQ_ENABLE,
                      MYPCI_IRQ_DMA_DONE | MYPCI_IRQ_DMA_ERROR);
    }
    return 0;
}

static struct bench_measure *add_dma(struct bench *b, uint64_t size,
                                     unsigned dir, bool irq, const char *label)
{
    char buf[96];
    struct bench_measure *m;

    snprintf(buf, sizeof(buf), "mypci DMA %" PRIu64 " B %s -> %s", size,
             dir_labels[dir], irq ? "MSI-X" : "polled");
    m = add(b, "mypci", "dma", label ? label : buf,
            "mypci/dma/%s/%" PRIu64 "/%s", dir_names[dir], size,
            irq ? "msix" : "poll");
    m->bytes = size;
    snprintf(m->params, sizeof(m->params),
             "\"direction\": %u, \"size\": %" PRIu64 ", \"completion\": \"%s\"",
             dir, size, irq ? "msix" : "poll");
    return m;
}

/* The doorbell (DMA_CMD) until DONE: polled, or the DMA_DONE vector. */
static void bench_dma_one(struct bench *b, struct bench_measure *m,
                          unsigned dir, bool irq)
{
    struct dma_ctx c = {.m = b->m,
                        .cmd = dir,
                        .fd = irq ? mypci_irq_fd(b->m, MYPCI_IRQ_DMA_DONE) : -1,
                        .src = dir == 1 ? 0 : b->src.iova,
                        .dst = dir == 0 ? 0 : b->dst.iova,
                        .len = (uint32_t)m->bytes};
    struct job j = {.m = m,
                    .pre = irq ? pre_dma_irq : NULL,
                    .op = irq ? op_dma_irq : op_dma_poll,
                    .post = post_dma,
                    .enter = enter_dma,
                    .ctx = &c};

    if (m->bytes > b->m->mem_size) {
        bench_unavailable(m, "over mem-size (%" PRIu64 " bytes)",
                          b->m->mem_size);
        return;
    }
    run_job(b, &j, scaled_iters(b, m->bytes));
}

static void bench_dma(struct bench *b)
{
    struct vfio_error e = {0};
    char no_msix[VFIO_ERROR_DETAIL_MAX + 256] = "the device does not offer "
                                                "MSI-X";
    bool msix = b->m->msix_cap && mypci_irq_setup(b->m, VFIO_IRQ_MSIX, &e) == 0;

    if (b->m->msix_cap && !msix) {
        vfio_error_format(&e, no_msix, sizeof(no_msix));
    }
    for (size_t k = 0; k < b->nr_sizes; k++) {
        for (unsigned dir = 0; dir < 3; dir++) {
            struct bench_measure *m;

            for (int irq = 0; irq < 2; irq++) {
                m = add_dma(b, b->sizes[k], dir, irq, NULL);
                bench_add_ref(m, "guest/cpu/memcpy/%" PRIu64, b->sizes[k]);
                if (irq && !msix) {
                    bench_unavailable(m, "%s", no_msix);
                    b->failures += b->m->msix_cap != 0;
                    continue;
                }
                bench_dma_one(b, m, dir, irq);
            }
        }
    }
    mypci_write32(b->m, MYPCI_REG_IRQ_ENABLE, 0);
    mypci_write32(b->m, MYPCI_REG_IRQ_ACK, MYPCI_IRQ_ALL);
    vfio_irq_disable(b->mypci.dev, NULL);
    b->m->irq_mode = VFIO_IRQ_NONE;
}

/* The CPU's reference: glibc memcpy between two RAM buffers. */
static void bench_memcpy(struct bench *b)
{
    for (size_t k = 0; k < b->nr_sizes; k++) {
        char label[96];
        struct bench_measure *m;
        struct copy_ctx c;
        struct job j = {.m = NULL};

        snprintf(label, sizeof(label), "guest memcpy %" PRIu64 " B",
                 b->sizes[k]);
        m = add(b, "guest", "cpu", label, "guest/cpu/memcpy/%" PRIu64,
                b->sizes[k]);
        snprintf(m->params, sizeof(m->params), "\"size\": %" PRIu64,
                 b->sizes[k]);
        m->bytes = b->sizes[k];
        if (b->sizes[k] > b->src.size) {
            bench_unavailable(m, "over mem-size");
            continue;
        }
        j.m = m;
        job_copy(&j, &c, b->dst.vaddr, b->src.vaddr, b->sizes[k]);
        run_job(b, &j, scaled_iters(b, b->sizes[k]));
    }
}

/* ---- IOMMU mappings ------------------------------------------------------ */

static long read_long(const char *path)
{
    FILE *f = fopen(path, "r");
    long v = -1;

    if (f) {
        if (fscanf(f, "%ld", &v) != 1) {
            v = -1;
        }
        fclose(f);
    }
    return v;
}

static int write_long(const char *path, long v)
{
    FILE *f = fopen(path, "w");
    int err;

    if (!f) {
        return -errno;
    }
    fprintf(f, "%ld\n", v);
    err = fclose(f) == 0 ? 0 : -errno;
    return err;
}

/* "Key:   123 kB" of /proc/meminfo, in its unit; -1 if absent. */
static long meminfo(const char *key)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    size_t len = strlen(key);
    long v = -1;

    if (!f) {
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, key, len) == 0 && line[len] == ':') {
            v = strtol(line + len + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return v;
}

#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"

/*
 * size bytes of huge pages (MAP_HUGETLB, i.e. the kernel's internal
 * hugetlbfs mount). Reserves pages in the pool if it has too few free and
 * records that, to give them back. NULL, with b->huge.reason, if the
 * guest cannot.
 */
static void *alloc_huge(struct bench *b, size_t size)
{
    struct hugetlb_info *h = &b->huge;
    long kb = meminfo("Hugepagesize"), free_pages, need;
    void *p;

    h->nr_before = read_long(NR_HUGEPAGES);
    if (h->nr_before < 0 || kb <= 0) {
        snprintf(h->reason, sizeof(h->reason),
                 "the guest kernel has no hugetlbfs (no " NR_HUGEPAGES ")");
        return NULL;
    }
    h->page_size = (uint64_t)kb * 1024;
    if (size % h->page_size) {
        snprintf(
            h->reason, sizeof(h->reason),
            "--map-size %zu is not a multiple of the huge page size %" PRIu64,
            size, h->page_size);
        return NULL;
    }
    need = (long)(size / h->page_size);
    free_pages = meminfo("HugePages_Free");
    if (free_pages < need) {
        int err = write_long(NR_HUGEPAGES, h->nr_before + need - free_pages);

        if (err < 0) {
            snprintf(h->reason, sizeof(h->reason),
                     "cannot reserve huge pages (" NR_HUGEPAGES ": %s)",
                     strerror(-err));
            return NULL;
        }
        h->reserved_by_us = h->grown = true;
    }
    p = mmap(NULL, size, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED) {
        snprintf(h->reason, sizeof(h->reason),
                 "mmap(MAP_HUGETLB) of %zu bytes failed: %s (HugePages_Free "
                 "%ld)",
                 size, strerror(errno), meminfo("HugePages_Free"));
        return NULL;
    }
    h->available = true;
    return p;
}

static void free_huge(struct bench *b, void *p, size_t size)
{
    if (p) {
        munmap(p, size);
    }
    if (b->huge.reserved_by_us) {
        write_long(NR_HUGEPAGES, b->huge.nr_before);
        b->huge.reserved_by_us = false;
    }
}

/* Physically contiguous runs of a populated buffer (root reads PFNs). */
static long pfn_runs(const void *p, size_t size)
{
    FILE *f = fopen("/proc/self/pagemap", "r");
    long runs = 0;
    uint64_t prev = 0;

    if (!f) {
        return -1;
    }
    for (size_t off = 0; off < size; off += 4096) {
        uint64_t e, pfn;

        if (fseek(f, (long)(((uintptr_t)p + off) / 4096 * 8), SEEK_SET) < 0 ||
            fread(&e, sizeof(e), 1, f) != 1 || !(e >> 63)) {
            runs = -1;
            break;
        }
        pfn = e & ((1ull << 55) - 1);
        if (pfn == 0) { /* not root: PFNs hidden */
            runs = -1;
            break;
        }
        if (off == 0 || pfn != prev + 1) {
            runs++;
        }
        prev = pfn;
    }
    fclose(f);
    return runs;
}

static void time_map(struct bench *b, struct bench_measure *map,
                     struct bench_measure *unmap, void *vaddr, uint64_t iova,
                     uint64_t size)
{
    struct vfio_iommu *iommu = b->mypci.dev->iommu;
    unsigned iters = b->iters / 10, warmup;
    uint64_t *sm, *su;
    struct vfio_error e = {0};
    char msg[VFIO_ERROR_DETAIL_MAX + 256];
    int err = 0;

    iters = iters < 20 ? (b->iters < 20 ? b->iters : 20) : iters;
    iters = iters > 500 ? 500 : iters;
    warmup = b->warmup < iters ? b->warmup : iters;
    sm = malloc(iters * sizeof(*sm));
    su = malloc(iters * sizeof(*su));
    for (long i = -(long)warmup; sm && su && i < (long)iters; i++) {
        uint64_t t0 = now_ns(), t1, t2;

        err = vfio_iommu_map(iommu, vaddr, iova, size, VFIO_DMA_PROT_RW, &e);
        t1 = now_ns();
        if (err == 0) {
            err = vfio_iommu_unmap(iommu, iova, size, &e);
        }
        t2 = now_ns();
        if (err < 0) {
            break;
        }
        if (i >= 0) {
            sm[i] = t1 - t0;
            su[i] = t2 - t1;
        }
    }
    if (!sm || !su || err < 0) {
        const char *why =
            err < 0 ? vfio_error_format(&e, msg, sizeof(msg)) : "out of memory";

        bench_unavailable(map, "%s", why);
        bench_unavailable(unmap, "%s", why);
        b->failures += 2;
    } else {
        bench_stats_compute(sm, iters, &map->ns);
        bench_stats_compute(su, iters, &unmap->ns);
        map->iterations = unmap->iterations = iters;
        map->warmup = unmap->warmup = warmup;
        map->available = unmap->available = true;
    }
    free(sm);
    free(su);
}

static void bench_iommu(struct bench *b)
{
    size_t size = (size_t)b->bo.map_size;
    struct bench_measure *m4, *u4, *mh, *uh;
    struct vfio_error e = {0};
    char msg[VFIO_ERROR_DETAIL_MAX + 256];
    uint64_t iova;
    void *small, *huge;
    long runs = -1;

    m4 = add(b, "mypci", "iommu", "IOMMU map, 4 KiB pages",
             "mypci/iommu/map/4k");
    u4 = add(b, "mypci", "iommu", "IOMMU unmap, 4 KiB pages",
             "mypci/iommu/unmap/4k");
    mh = add(b, "mypci", "iommu", "IOMMU map, huge pages",
             "mypci/iommu/map/huge");
    uh = add(b, "mypci", "iommu", "IOMMU unmap, huge pages",
             "mypci/iommu/unmap/huge");
    bench_add_ref(mh, "mypci/iommu/map/4k");
    bench_add_ref(uh, "mypci/iommu/unmap/4k");
    m4->bytes = u4->bytes = mh->bytes = uh->bytes = size;

    if (vfio_iova_alloc(&b->mypci.dev->iova, size, 2u << 20, &iova, &e) < 0) {
        vfio_error_format(&e, msg, sizeof(msg));
        bench_unavailable(m4, "%s", msg);
        bench_unavailable(u4, "%s", msg);
        bench_unavailable(mh, "%s", msg);
        bench_unavailable(uh, "%s", msg);
        b->failures += 4;
        return;
    }
    /* 4 KiB pages for sure: no transparent huge pages in this buffer. */
    small = mmap(NULL, size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (small == MAP_FAILED) {
        bench_unavailable(m4, "mmap: %s", strerror(errno));
        bench_unavailable(u4, "mmap: %s", strerror(errno));
        b->failures += 2;
    } else {
        madvise(small, size, MADV_NOHUGEPAGE);
        memset(small, 0x5a, size);
        runs = pfn_runs(small, size);
        time_map(b, m4, u4, small, iova, size);
        munmap(small, size);
    }
    snprintf(m4->params, sizeof(m4->params),
             "\"page_size\": 4096, \"pages\": %zu, \"pfn_runs\": %ld",
             size / 4096, runs);
    snprintf(u4->params, sizeof(u4->params), "%s", m4->params);

    huge = alloc_huge(b, size);
    if (huge) {
        memset(huge, 0x5a, size);
        time_map(b, mh, uh, huge, iova, size);
        snprintf(mh->params, sizeof(mh->params),
                 "\"page_size\": %" PRIu64 ", \"pages\": %" PRIu64,
                 b->huge.page_size, size / b->huge.page_size);
        snprintf(uh->params, sizeof(uh->params), "%s", mh->params);
    } else {
        /* Not a failure: the guest does not offer it. */
        bench_unavailable(mh, "not available: %s", b->huge.reason);
        bench_unavailable(uh, "not available: %s", b->huge.reason);
    }
    free_huge(b, huge, size);
}

/* ---- the harness --------------------------------------------------------- */

static void bench_overhead(struct bench *b)
{
    struct bench_measure *m =
        add(b, "harness", "harness", "harness: empty timed loop",
            "harness/empty_loop");
    struct job j = {.m = m, .op = op_nothing};

    run_job(b, &j, b->iters);
}

/* ---- devices ------------------------------------------------------------- */

static void open_dev(struct bench *b, struct bench_dev *d, const char *driver)
{
    struct vfio_pci_tool_opts opts = {
        .device = d->spec,
        .bind = b->o.bind,
        .open = {.iommu = b->o.iommu, .iova_floor = b->o.iova_base},
        .drivers = vfio_drivers_only(driver),
    };
    struct vfio_error e = {0};
    char msg[VFIO_ERROR_DETAIL_MAX + 256];

    if (vfio_pci_tool_open(&d->tool, &opts, &e) < 0) {
        snprintf(d->reason, sizeof(d->reason), "%s %s: %s", d->name, d->spec,
                 vfio_error_format(&e, msg, sizeof(msg)));
        return;
    }
    d->dev = d->tool.dev;
    d->present = true;
}

static void close_dev(struct bench_dev *d)
{
    vfio_pci_tool_close(&d->tool, NULL);
    d->dev = NULL;
}

static int setup_buffers(struct bench *b)
{
    struct vfio_error e = {0};
    char msg[VFIO_ERROR_DETAIL_MAX + 256];
    size_t size = (size_t)b->m->mem_size;

    if (vfio_dma_alloc(&b->src, size, 0, &e) < 0 ||
        vfio_dma_map(b->mypci.dev, &b->src, VFIO_DMA_PROT_RW, &e) < 0 ||
        vfio_dma_alloc(&b->dst, size, 0, &e) < 0 ||
        vfio_dma_map(b->mypci.dev, &b->dst, VFIO_DMA_PROT_RW, &e) < 0) {
        fprintf(stderr, "mypci-bench: %s\n",
                vfio_error_format(&e, msg, sizeof(msg)));
        return -EIO;
    }
    for (size_t i = 0; i < size; i++) {
        ((uint8_t *)b->src.vaddr)[i] = (uint8_t)(i * 7 + 1);
    }
    return 0;
}

/* The default sizes: 64 B to mem-size in powers of 4, and mem-size. */
static void pick_sizes(struct bench *b)
{
    uint64_t s;

    if (b->bo.nr_sizes) {
        memcpy(b->sizes, b->bo.sizes, b->bo.nr_sizes * sizeof(b->sizes[0]));
        b->nr_sizes = b->bo.nr_sizes;
        return;
    }
    b->nr_sizes = 0;
    for (s = 64; s <= b->m->mem_size && b->nr_sizes < BENCH_MAX_SIZES; s *= 4) {
        b->sizes[b->nr_sizes++] = s;
    }
    if (b->sizes[b->nr_sizes - 1] != b->m->mem_size &&
        b->nr_sizes < BENCH_MAX_SIZES) {
        b->sizes[b->nr_sizes++] = b->m->mem_size;
    }
}

/* ---- output -------------------------------------------------------------- */

static void cpu_model(char *buf, size_t len)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[256];

    snprintf(buf, len, "unknown");
    if (!f) {
        return;
    }
    while (fgets(line, sizeof(line), f)) {
        char *colon = strchr(line, ':');

        if (strncmp(line, "model name", 10) == 0 && colon) {
            colon += colon[1] == ' ' ? 2 : 1;
            colon[strcspn(colon, "\n")] = '\0';
            snprintf(buf, len, "%s", colon);
            break;
        }
    }
    fclose(f);
}

static void thp_mode(char *buf, size_t len)
{
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    char line[128], *l, *r;

    snprintf(buf, len, "unavailable");
    if (f && fgets(line, sizeof(line), f) && (l = strchr(line, '[')) &&
        (r = strchr(l, ']'))) {
        *r = '\0';
        snprintf(buf, len, "%s", l + 1);
    }
    if (f) {
        fclose(f);
    }
}

#define CLOCKSOURCE "/sys/devices/system/clocksource/clocksource0/"

/* The guest kernel's clocksource: tsc, or acpi_pm (an I/O port per read). */
static void clocksource(char *buf, size_t len)
{
    FILE *f = fopen(CLOCKSOURCE "current_clocksource", "r");

    if (!f || !fgets(buf, (int)len, f)) {
        snprintf(buf, len, "unknown");
    }
    buf[strcspn(buf, "\n")] = '\0';
    if (f) {
        fclose(f);
    }
}

/* The smallest step CLOCK_MONOTONIC takes, as seen by reading it. */
static uint64_t clock_granularity(void)
{
    uint64_t best = UINT64_MAX;

    for (int i = 0; i < 1000; i++) {
        uint64_t t0 = now_ns(), t1;

        while ((t1 = now_ns()) == t0) {
        }
        if (t1 - t0 < best) {
            best = t1 - t0;
        }
    }
    return best;
}

static void json_device(FILE *f, const struct bench_dev *d, const char *props,
                        bool last)
{
    int group = -1;

    fputs("    {\"name\": ", f);
    bench_json_string(f, d->name);
    fputs(", \"spec\": ", f);
    bench_json_string(f, d->spec);
    fprintf(f, ", \"wanted\": %s, \"present\": %s",
            d->wanted ? "true" : "false", d->present ? "true" : "false");
    if (d->present) {
        vfio_device_iommu_group(NULL, d->dev->bdf, &group);
        fputs(", \"bdf\": ", f);
        bench_json_string(f, d->dev->bdf);
        fprintf(f, ", \"iommu_group\": %d, \"properties\": {%s}", group, props);
    } else {
        fputs(", \"reason\": ", f);
        bench_json_string(f, d->wanted ? d->reason : "not asked for");
    }
    fputs(last ? "}\n" : "},\n", f);
}

static int write_json(struct bench *b, const char *path)
{
    FILE *f = fopen(path, "w");
    struct utsname u;
    struct timespec res;
    char cpu[128], thp[32], cs[64], props[256] = "";
    static const char *const mode_names[] = {"msix", "msi", "intx"};
    bool first = true;

    if (!f) {
        fprintf(stderr, "mypci-bench: cannot write %s: %s\n", path,
                strerror(errno));
        return -errno;
    }
    uname(&u);
    clock_getres(CLOCK_MONOTONIC, &res);
    cpu_model(cpu, sizeof(cpu));
    thp_mode(thp, sizeof(thp));
    fprintf(f, "{\n  \"schema\": \"%s\",\n  \"mode\": \"%s\",\n", BENCH_SCHEMA,
            b->quick ? "quick" : "full");
    clocksource(cs, sizeof(cs));
    fputs("  \"clocksource\": ", f);
    bench_json_string(f, cs);
    fprintf(f, ", \"clock_granularity_ns\": %" PRIu64 ",\n", b->granularity);
    fprintf(f,
            "  \"clock\": \"CLOCK_MONOTONIC\", \"clock_resolution_ns\": %ld,\n"
            "  \"unit\": \"ns\", \"percentiles\": \"nearest-rank\",\n",
            res.tv_nsec + res.tv_sec * 1000000000L);
    fprintf(f, "  \"duration_s\": %.1f,\n", now_ns() / 1e9 - b->start_s);
    fputs("  \"guest\": {\"kernel\": ", f);
    bench_json_string(f, u.release);
    fputs(", \"machine\": ", f);
    bench_json_string(f, u.machine);
    fputs(", \"cpu\": ", f);
    bench_json_string(f, cpu);
    fprintf(f, ", \"cpus\": %ld, \"page_size\": %ld, \"thp\": ",
            sysconf(_SC_NPROCESSORS_ONLN), sysconf(_SC_PAGESIZE));
    bench_json_string(f, thp);
    fputs(", \"iommu_backend\": ", f);
    bench_json_string(f, vfio_iommu_kind_name(b->mypci.dev->iommu->kind));
    fputs("},\n", f);

    fprintf(f, "  \"options\": {\"iterations\": %u, \"warmup\": %u, ", b->iters,
            b->warmup);
    fputs("\"sizes\": [", f);
    for (size_t k = 0; k < b->nr_sizes; k++) {
        fprintf(f, "%s%" PRIu64, k ? ", " : "", b->sizes[k]);
    }
    fputs("], \"modes\": [", f);
    for (unsigned k = 0; k < 3; k++) {
        if (b->bo.modes & (1u << k)) {
            fprintf(f, "%s\"%s\"", first ? "" : ", ", mode_names[k]);
            first = false;
        }
    }
    fprintf(f,
            "], \"map_size\": %" PRIu64 ", \"refs\": %s, \"iommu\": \"%s\",\n"
            "    \"big_transfer\": %u, \"big_min_iterations\": %u},\n",
            b->bo.map_size, b->bo.no_refs ? "false" : "true",
            vfio_iommu_kind_name(b->o.iommu), BIG_TRANSFER, BIG_MIN_ITERS);

    fputs("  \"devices\": [\n", f);
    snprintf(props, sizeof(props),
             "\"mem_size\": %" PRIu64 ", \"features\": \"%#x\", \"msi\": %s, "
             "\"msix\": %s",
             b->m->mem_size, b->m->features, b->m->msi_cap ? "true" : "false",
             b->m->msix_cap ? "true" : "false");
    json_device(f, &b->mypci, props, false);
    json_device(f, &b->edu, "\"irq_modes\": [\"msi\", \"intx\"]", false);
    snprintf(props, sizeof(props), "\"bar2_size\": %" PRIu64,
             b->testdev.present ? refdev_of(b->testdev.dev)->bar2_size : 0);
    json_device(f, &b->testdev, props, true);
    fputs("  ],\n", f);

    fprintf(f, "  \"hugetlb\": {\"available\": %s",
            b->huge.available ? "true" : "false");
    if (b->huge.available) {
        fprintf(f,
                ", \"page_size\": %" PRIu64 ", \"pool_before\": %ld, "
                "\"pool_grown_by_bench\": %s",
                b->huge.page_size, b->huge.nr_before,
                b->huge.grown ? "true" : "false");
    } else {
        fputs(", \"reason\": ", f);
        bench_json_string(f,
                          b->quick ? "not measured (--quick)" : b->huge.reason);
    }
    fputs("},\n  \"measures\": [\n", f);
    for (size_t k = 0; k < b->res.n; k++) {
        bench_json_measure(f, &b->res, &b->res.m[k]);
        fputs(k + 1 < b->res.n ? ",\n" : "\n", f);
    }
    fputs("  ]\n}\n", f);
    if (fclose(f) != 0) {
        fprintf(stderr, "mypci-bench: writing %s: %s\n", path, strerror(errno));
        return -EIO;
    }
    return 0;
}

static void print_table(const struct bench *b)
{
    const char *group = "";

    printf("mypci-bench: %s via %s; %u iterations (fewer over %u KiB), %u "
           "warm-up; microseconds\n",
           b->mypci.dev->bdf, vfio_iommu_kind_name(b->mypci.dev->iommu->kind),
           b->iters, BIG_TRANSFER / 1024, b->warmup);
    bench_print_header(stdout);
    for (size_t k = 0; k < b->res.n; k++) {
        const struct bench_measure *m = &b->res.m[k];

        if (strcmp(group, m->group) != 0) {
            group = m->group;
            printf("-- %s\n", group);
        }
        bench_print_row(stdout, &b->res, m);
    }
}

/* The main job's summary: min/p50/p99 of four figures, as it always was. */
static void print_quick(const struct bench *b)
{
    printf("mypci-bench: %s via %s; %u iterations each after %u warm-up; "
           "microseconds\n",
           b->mypci.dev->bdf, vfio_iommu_kind_name(b->mypci.dev->iommu->kind),
           b->iters, b->warmup);
    printf("%-40s %9s %9s %9s\n", "operation", "min", "p50", "p99");
    for (size_t k = 0; k < b->res.n; k++) {
        const struct bench_measure *m = &b->res.m[k];

        if (strcmp(m->group, "harness") == 0) {
            continue;
        }
        if (!m->available) {
            printf("%-40s skipped: %s\n", m->label, m->reason);
            continue;
        }
        printf("%-40s %9.1f %9.1f %9.1f\n", m->label, m->ns.min / 1e3,
               m->ns.p50 / 1e3, m->ns.p99 / 1e3);
    }
}

/* ---- the runs ------------------------------------------------------------ */

/* One sample per operation, as the summary always had. */
static void run_quick(struct bench *b)
{
    enum vfio_irq_mode mode = b->m->msix_cap ? VFIO_IRQ_MSIX : VFIO_IRQ_MSI;
    struct mmio_ctx mc;
    struct irq_ctx ic;
    struct job j = {.m = NULL};

    bench_overhead(b);
    j.m = add(b, "mypci", "mmio", "BAR0 read (ID)", "mypci/mmio/bar0_read");
    job_read(&j, &mc, reg32(b->m->regs, MYPCI_REG_ID), MYPCI_ID_VALUE);
    run_job(b, &j, b->iters);

    j = (struct job){.m = add(b, "mypci", "mmio", "BAR0 write (SCRATCH)",
                              "mypci/mmio/bar0_write")};
    job_write(&j, &mc, reg32(b->m->regs, MYPCI_REG_SCRATCH), 0x5a5a5a5a,
              reg32(b->m->regs, MYPCI_REG_INVERT), ~0x5a5a5a5au);
    run_job(b, &j, b->iters);

    j = (struct job){.m = add(b, "mypci", "irq",
                              mode == VFIO_IRQ_MSIX
                                  ? "IRQ_RAISE(SOFT) -> MSI-X eventfd"
                                  : "IRQ_RAISE(SOFT) -> MSI eventfd",
                              "mypci/irq/%s", mode_name(mode))};
    if (!b->m->msix_cap && !b->m->msi_cap) {
        bench_unavailable(j.m, "no MSI or MSI-X (msi=off)");
    } else {
        job_irq(b, &j, &ic, false, mode);
        snprintf(j.m->params, sizeof(j.m->params), "\"mode\": \"%s\"",
                 mode_name(mode));
        run_job(b, &j, b->iters);
    }

    bench_dma_one(b,
                  add_dma(b, 4096, MYPCI_DMA_DIR_HOST_TO_DEV, false,
                          "DMA 4 KiB doorbell -> DONE (polled)"),
                  MYPCI_DMA_DIR_HOST_TO_DEV, false);
}

static void run_full(struct bench *b)
{
    char cs[64];

    clocksource(cs, sizeof(cs));
    if (strcmp(cs, "tsc") != 0) {
        printf("mypci-bench: note: clocksource %s, CLOCK_MONOTONIC steps of "
               "%" PRIu64 " ns (boot with tsc=reliable for tsc)\n",
               cs, b->granularity);
    }
    printf("mypci-bench: harness overhead, MMIO, interrupts, DMA, IOMMU "
           "(%u iterations)\n",
           b->iters);
    fflush(stdout);
    bench_overhead(b);
    bench_mmio_regs(b);
    bench_mmio_bw(b);
    bench_irqs(b);
    bench_memcpy(b);
    bench_dma(b);
    bench_iommu(b);
}

int main(int argc, char **argv)
{
    struct bench b = {0};
    char err[256];
    char **rest = calloc((size_t)argc + 1, sizeof(*rest));
    int nr_rest, status = 0;

    b.start_s = now_ns() / 1e9;
    if (!rest ||
        bench_opts_parse(argc, argv, &b.bo, rest, &nr_rest, err, sizeof(err)) <
            0 ||
        ct_parse_args(CT_PROGRAM_BENCH, nr_rest, rest, &b.o, err, sizeof(err)) <
            0) {
        fprintf(stderr, "mypci-bench: %s\n", rest ? err : "out of memory");
        free(rest);
        return 2;
    }
    free(rest);
    if (b.o.help) {
        fputs(ct_usage(CT_PROGRAM_BENCH), stdout);
        fputs(bench_opts_usage(), stdout);
        return 0;
    }
    b.quick = b.o.quick;
    b.iters = b.bo.iterations ? b.bo.iterations
                              : (b.quick ? ITERS_QUICK : ITERS_FULL);
    b.warmup =
        b.bo.warmup_set ? b.bo.warmup : (b.quick ? WARMUP_QUICK : WARMUP_FULL);
    b.huge.nr_before = -1;
    b.mypci =
        (struct bench_dev){.name = "mypci", .spec = b.o.device, .wanted = true};
    b.edu = (struct bench_dev){
        .name = "edu", .spec = EDU_SPEC, .wanted = !b.quick && !b.bo.no_refs};
    b.testdev = (struct bench_dev){.name = "pci-testdev",
                                   .spec = TESTDEV_SPEC,
                                   .wanted = !b.quick && !b.bo.no_refs};

    open_dev(&b, &b.mypci, "mypci");
    if (!b.mypci.present) {
        fprintf(stderr, "mypci-bench: %s\n", b.mypci.reason);
        close_dev(&b.mypci);
        return 2;
    }
    b.m = mypci_of(b.mypci.dev);
    if (b.edu.wanted) {
        open_dev(&b, &b.edu, "edu");
    }
    if (b.testdev.wanted) {
        open_dev(&b, &b.testdev, "pci-testdev");
    }
    for (int k = 0; k < 2; k++) {
        const struct bench_dev *d = k ? &b.testdev : &b.edu;

        if (d->wanted && !d->present) {
            printf("mypci-bench: reference %s not measured: %s\n", d->name,
                   d->reason);
        }
    }
    pick_sizes(&b);
    b.granularity = clock_granularity();
    if (setup_buffers(&b) < 0) {
        status = 2;
    } else {
        if (b.quick) {
            run_quick(&b);
            print_quick(&b);
        } else {
            run_full(&b);
            print_table(&b);
        }
        if (b.bo.json && write_json(&b, b.bo.json) < 0) {
            status = 1;
        }
        if (b.failures) {
            fprintf(stderr, "mypci-bench: %d figure(s) could not be measured\n",
                    b.failures);
            status = 1;
        }
    }
    vfio_dma_free(b.mypci.dev, &b.src);
    vfio_dma_free(b.mypci.dev, &b.dst);
    bench_results_free(&b.res);
    close_dev(&b.testdev);
    close_dev(&b.edu);
    close_dev(&b.mypci);
    return status;
}
