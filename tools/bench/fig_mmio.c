/*
 * mypci-bench's MMIO figures (see bench.h): BAR0 register and BAR2 32-bit
 * accesses of mypci beside edu and pci-testdev, as a table (mmio_figs[]),
 * and BAR2 <-> RAM memcpy bandwidth.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "edu_driver.h"
#include "pci_testdev_driver.h"

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

static int op_copy(void *ctx)
{
    struct copy_ctx *c = ctx;

    switch (c->kind) {
    case COPY_TO_BAR:
        vfio_pci_bar_copy_to(c->dst, c->src, c->len);
        break;
    case COPY_FROM_BAR:
        vfio_pci_bar_copy_from(c->dst, c->src, c->len);
        break;
    default:
        memcpy(c->dst, c->src, c->len);
        break;
    }
    return 0;
}

void job_copy(struct job *j, struct copy_ctx *c, void *dst, const void *src,
              size_t len, enum copy_kind kind)
{
    *c = (struct copy_ctx){.dst = dst, .src = src, .len = len, .kind = kind};
    j->op = op_copy;
    j->ctx = c;
    j->m->bytes = len;
}

/* The devices an MMIO figure can be of. */
enum fig_dev { FIG_MYPCI, FIG_EDU, FIG_TESTDEV };

/*
 * One 32-bit MMIO figure: a read that must return value, or a write of
 * value after which the register at check must read check_value; all of
 * one round of comparisons. The mypci figures come first in each group,
 * naming the references they are compared with.
 */
struct mmio_fig {
    enum fig_dev dev;
    unsigned bar; /* 0 or 2 */
    bool write;
    uint32_t offset, value;
    bool check; /* writes: then check_offset must read check_value */
    uint32_t check_offset, check_value;
    bool seed; /* reads of BAR2: write value there first */
    bool init; /* reads: write init_value there before each slice */
    uint32_t init_value;
    bool current; /* reads: expect what it reads before each slice */
    bool count;   /* pci-testdev writes: must count in TESTDEV_REG_COUNT */
    const char *label, *id;
    const char *refs[BENCH_MAX_REFS];
};

static const struct mmio_fig mmio_figs[] = {
    {FIG_MYPCI, 0, false, MYPCI_REG_ID, MYPCI_ID_VALUE,
     .label = "mypci BAR0 read (ID)", .id = "mypci/mmio/bar0_read",
     .refs = {"edu/mmio/bar0_read", "pci-testdev/mmio/bar0_read"}},
    {FIG_EDU, 0, false, EDU_REG_LIVENESS, ~0x0f0f0f0fu, .init = true,
     .init_value = 0x0f0f0f0f, .label = "edu BAR0 read (0x04 liveness)",
     .id = "edu/mmio/bar0_read"},
    /* The write job counts in the register: read what is there. */
    {FIG_TESTDEV, 0, false, TESTDEV_REG_COUNT, 0, .current = true,
     .label = "pci-testdev BAR0 read (count)",
     .id = "pci-testdev/mmio/bar0_read"},
    {FIG_MYPCI, 0, true, MYPCI_REG_SCRATCH, 0x5a5a5a5a, .check = true,
     .check_offset = MYPCI_REG_INVERT, .check_value = ~0x5a5a5a5au,
     .label = "mypci BAR0 write (SCRATCH)", .id = "mypci/mmio/bar0_write",
     .refs = {"edu/mmio/bar0_write", "pci-testdev/mmio/bar0_write"}},
    {FIG_EDU, 0, true, EDU_REG_LIVENESS, 0x5a5a5a5a, .check = true,
     .check_offset = EDU_REG_LIVENESS, .check_value = ~0x5a5a5a5au,
     .label = "edu BAR0 write (0x04 liveness)", .id = "edu/mmio/bar0_write"},
    {FIG_TESTDEV, 0, true, TESTDEV_HIT_OFFSET, TESTDEV_HIT_DATA, .count = true,
     .label = "pci-testdev BAR0 write (hit)",
     .id = "pci-testdev/mmio/bar0_write"},
    /* BAR2: RAM-backed in both devices, so no trap. */
    {FIG_MYPCI, 2, false, 0, 0xc0ffee11, .seed = true,
     .label = "mypci BAR2 read (32-bit)", .id = "mypci/mmio/bar2_read",
     .refs = {"pci-testdev/mmio/bar2_read"}},
    {FIG_TESTDEV, 2, false, 0, 0xc0ffee11, .seed = true,
     .label = "pci-testdev BAR2 read (32-bit)",
     .id = "pci-testdev/mmio/bar2_read"},
    {FIG_MYPCI, 2, true, 4, 0x600dcafe, .check = true, .check_offset = 4,
     .check_value = 0x600dcafe, .label = "mypci BAR2 write (32-bit)",
     .id = "mypci/mmio/bar2_write", .refs = {"pci-testdev/mmio/bar2_write"}},
    {FIG_TESTDEV, 2, true, 4, 0x600dcafe, .check = true, .check_offset = 4,
     .check_value = 0x600dcafe, .label = "pci-testdev BAR2 write (32-bit)",
     .id = "pci-testdev/mmio/bar2_write"},
};

#define NO_BAR2                                                                \
    "pci-testdev has no BAR2 (start it with membar=1M,membar-backed=on)"

static struct bench_dev *fig_device(struct bench *b, enum fig_dev dev)
{
    return dev == FIG_MYPCI ? &b->mypci
           : dev == FIG_EDU ? &b->edu
                            : &b->testdev;
}

/* The BAR a figure accesses, NULL if the device has none there. */
static volatile uint8_t *fig_bar(struct bench *b, const struct mmio_fig *f)
{
    struct refdev *r;

    if (f->dev == FIG_MYPCI) {
        return f->bar == 0 ? b->m->regs : b->m->mem;
    }
    r = refdev_of(fig_device(b, f->dev)->dev);
    return f->bar == 0 ? r->bar0 : r->bar2;
}

/* Turns figure f into job j with its context c. */
static void mmio_job(const struct mmio_fig *f, volatile uint8_t *bar,
                     struct job *j, struct mmio_ctx *c)
{
    volatile uint32_t *p = reg32(bar, f->offset);

    if (f->write) {
        job_write(j, c, p, f->value,
                  f->check ? reg32(bar, f->check_offset) : NULL,
                  f->check_value);
    } else {
        if (f->seed) {
            *p = f->value;
        }
        job_read(j, c, p, f->value);
    }
    c->init = f->init ? p : NULL;
    c->init_value = f->init_value;
    c->current = f->current;
    if (f->count) {
        c->count = reg32(bar, TESTDEV_REG_COUNT);
        c->count_before = *c->count;
    }
}

/* Adds figure f to set if its device (and BAR) is there. */
static void mmio_fig_add(struct bench *b, const struct mmio_fig *f,
                         struct job_set *set, struct mmio_ctx *c)
{
    struct bench_dev *d = fig_device(b, f->dev);
    struct bench_measure *m =
        fig_add(b, d->name, "mmio", f->label, "%s", f->id);
    volatile uint8_t *bar;
    struct job *j;

    for (unsigned k = 0; !b->o.no_refs && k < BENCH_MAX_REFS && f->refs[k];
         k++) {
        bench_add_ref(m, "%s", f->refs[k]);
    }
    bar = d->present ? fig_bar(b, f) : NULL;
    if (d->present && !bar) {
        bench_unavailable(m, "%s", NO_BAR2);
        return;
    }
    j = fig_set_add(set, f->dev == FIG_MYPCI ? NULL : d, m);
    if (j) {
        mmio_job(f, bar, j, &c[set->nr - 1]);
    }
}

/*
 * BAR0 register and BAR2 32-bit accesses of mypci, edu and pci-testdev
 * (mmio_figs[]), interleaved in rounds; each sample times MMIO_BATCH
 * accesses (the clock steps are not much shorter than one access).
 */
void bench_mmio_regs(struct bench *b)
{
    struct mmio_ctx c[MAX_JOBS];
    struct job_set set = {.nr = 0};

    for (size_t k = 0; k < sizeof(mmio_figs) / sizeof(mmio_figs[0]); k++) {
        if (mmio_figs[k].dev == FIG_MYPCI || !b->o.no_refs) {
            mmio_fig_add(b, &mmio_figs[k], &set, c);
        }
    }
    for (size_t k = 0; k < set.nr; k++) {
        set.jobs[k].batch = MMIO_BATCH;
        snprintf(set.jobs[k].m->params, sizeof(set.jobs[k].m->params),
                 "\"batch\": %u, \"rounds\": %u", MMIO_BATCH, ROUNDS);
    }
    run_jobs(b, set.jobs, set.nr, b->iters, ROUNDS);
}

/* --quick: the BAR0 read and write, one access per sample. */
void bench_mmio_quick(struct bench *b)
{
    struct mmio_ctx mc;
    struct job j = {.m = NULL};

    j.m = fig_add(b, "mypci", "mmio", "BAR0 read (ID)", "mypci/mmio/bar0_read");
    job_read(&j, &mc, reg32(b->m->regs, MYPCI_REG_ID), MYPCI_ID_VALUE);
    run_job(b, &j, b->iters);

    j = (struct job){.m = fig_add(b, "mypci", "mmio", "BAR0 write (SCRATCH)",
                                  "mypci/mmio/bar0_write")};
    job_write(&j, &mc, reg32(b->m->regs, MYPCI_REG_SCRATCH), 0x5a5a5a5a,
              reg32(b->m->regs, MYPCI_REG_INVERT), ~0x5a5a5a5au);
    run_job(b, &j, b->iters);
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
void bench_mmio_bw(struct bench *b)
{
    struct mypci *mp = b->m;
    struct refdev *td = b->testdev.present ? refdev_of(b->testdev.dev) : NULL;
    uint64_t block = mp->mem_size < BAR2_BW_MAX ? mp->mem_size : BAR2_BW_MAX;
    bool refs = !b->o.no_refs;
    struct copy_ctx c[4];
    struct job_set set = {.nr = 0};
    struct bench_measure *m;
    struct job *j;

    if (td && td->bar2 && td->bar2_size < block) {
        block = td->bar2_size;
    }
    for (int w = 0; w < 2; w++) {
        const char *dir = w ? "write" : "read";

        m = fig_add(b, "mypci", "mmio",
                    w ? "mypci BAR2 memcpy from RAM"
                      : "mypci BAR2 memcpy to RAM",
                    "mypci/mmio/bar2_%s_bw", dir);
        if (refs) {
            bench_add_ref(m, "pci-testdev/mmio/bar2_%s_bw", dir);
        }
        if (has_size(b, block)) {
            bench_add_ref(m, "guest/cpu/memcpy/%" PRIu64, block);
        }
        j = fig_set_add(&set, NULL, m);
        job_copy(j, &c[set.nr - 1], w ? (void *)mp->mem : b->dst.vaddr,
                 w ? b->src.vaddr : (const void *)mp->mem, block,
                 w ? COPY_TO_BAR : COPY_FROM_BAR);
        if (!refs) {
            continue;
        }
        m = fig_add(b, "pci-testdev", "mmio",
                    w ? "pci-testdev BAR2 memcpy from RAM"
                      : "pci-testdev BAR2 memcpy to RAM",
                    "pci-testdev/mmio/bar2_%s_bw", dir);
        m->bytes = block;
        if (td && !td->bar2) {
            bench_unavailable(m, "%s", NO_BAR2);
        } else if ((j = fig_set_add(&set, &b->testdev, m))) {
            job_copy(j, &c[set.nr - 1], w ? (void *)td->bar2 : b->dst.vaddr,
                     w ? b->src.vaddr : (const void *)td->bar2, block,
                     w ? COPY_TO_BAR : COPY_FROM_BAR);
        }
    }
    for (size_t k = 0; k < set.nr; k++) {
        snprintf(set.jobs[k].m->params, sizeof(set.jobs[k].m->params),
                 "\"block\": %" PRIu64 ", \"rounds\": %u", block, ROUNDS);
    }
    run_jobs(b, set.jobs, set.nr, scaled_iters(b, block), ROUNDS);
}
