/*
 * mypci-bench's figures: percentiles of CLOCK_MONOTONIC samples, the list
 * of measures (each with its references), and their output as a table and
 * as JSON (schema "mypci-bench/1", described in docs/bench.md).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BENCH_SCHEMA "mypci-bench/1"
#define BENCH_ID_MAX 64
#define BENCH_MAX_REFS 2
#define BENCH_MAX_ROUNDS 16

struct bench_stats {
    uint64_t min, p50, p90, p99, max; /* nanoseconds */
    double mean;
};

/*
 * Sorts samples[0..n) and fills s: nearest-rank percentiles (p-th is the
 * smallest sample with at least p% of the samples at or below it). n > 0.
 */
void bench_stats_compute(uint64_t *samples, size_t n, struct bench_stats *s);

/* The nearest-rank pct-th percentile (0 < pct <= 100) of sorted[0..n). */
uint64_t bench_percentile(const uint64_t *sorted, size_t n, unsigned pct);

struct bench_measure {
    char id[BENCH_ID_MAX]; /* "DEVICE/GROUP/NAME...", unique */
    const char *device;    /* mypci, edu, pci-testdev, guest, harness */
    const char *group;     /* mmio, irq, dma, iommu, cpu, harness */
    char label[96];        /* for people: what is timed */
    char params[160];      /* JSON object members, "" for none */
    bool available;        /* measured; else reason says why not */
    char reason[192];
    unsigned iterations, warmup;
    uint64_t bytes; /* moved per operation; 0 for none */
    struct bench_stats ns;
    unsigned nr_refs;
    char refs[BENCH_MAX_REFS][BENCH_ID_MAX]; /* ids of the references */
    /* Measured in rounds (interleaved with its references): each round's
     * p50, to tell a real difference from the drift between rounds. */
    unsigned nr_rounds;
    uint64_t round_p50[BENCH_MAX_ROUNDS];
};

struct bench_results {
    struct bench_measure *m;
    size_t n, cap;
};

/*
 * Appends a measure (not yet available) with the printf-formatted id;
 * NULL if out of memory. Pointers into the list stay valid until the next
 * bench_add.
 */
struct bench_measure *bench_add(struct bench_results *r, const char *device,
                                const char *group, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Adds a reference id to m (ignored past BENCH_MAX_REFS). */
void bench_add_ref(struct bench_measure *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Marks m unavailable with a printf-formatted reason. */
void bench_unavailable(struct bench_measure *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

const struct bench_measure *bench_find(const struct bench_results *r,
                                       const char *id);
void bench_results_free(struct bench_results *r);

/* MiB/s of a measure that moves bytes, from its p50; 0 if none. */
double bench_mib_per_s(const struct bench_measure *m);

/* Writes s as a JSON string literal (quotes and escapes). */
void bench_json_string(FILE *f, const char *s);

/* The JSON "ns" object and one measure (with references resolved in r). */
void bench_json_measure(FILE *f, const struct bench_results *r,
                        const struct bench_measure *m);

/* One table row: label, iterations, min/p50/p90/p99/max in us, refs. */
void bench_print_row(FILE *f, const struct bench_results *r,
                     const struct bench_measure *m);
void bench_print_header(FILE *f);

#endif
