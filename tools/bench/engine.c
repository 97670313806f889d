/*
 * mypci-bench's measurement engine (see bench.h): jobs timed in rounds
 * after untimed warm-up, one CLOCK_MONOTONIC sample per operation (or per
 * batch), each round's median kept to show the drift between rounds.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

unsigned scaled_iters(const struct bench *b, uint64_t bytes)
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

/* The warm-up is spread over the slices: at least 5 per slice, at most one. */
void run_jobs(struct bench *b, struct job *jobs, size_t nr, unsigned iters,
              unsigned rounds)
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

void run_job(struct bench *b, struct job *j, unsigned iters)
{
    run_jobs(b, j, 1, iters, 1);
}

struct bench_measure *fig_add(struct bench *b, const char *device,
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

struct job *fig_set_add(struct job_set *set, struct bench_dev *d,
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

static int op_nothing(void *ctx)
{
    (void)ctx;
    return 0;
}

void bench_overhead(struct bench *b)
{
    struct bench_measure *m =
        fig_add(b, "harness", "harness", "harness: empty timed loop",
                "harness/empty_loop");
    struct job j = {.m = m, .op = op_nothing};

    run_job(b, &j, b->iters);
}
