/*
 * mypci-bench's figures and their output (see bench_stats.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bench_stats.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

uint64_t bench_percentile(const uint64_t *sorted, size_t n, unsigned pct)
{
    /* rank = ceil(pct * n / 100), 1-based */
    size_t rank = ((size_t)pct * n + 99) / 100;

    if (rank == 0) {
        rank = 1;
    }
    return sorted[(rank > n ? n : rank) - 1];
}

void bench_stats_compute(uint64_t *samples, size_t n, struct bench_stats *s)
{
    double sum = 0;

    qsort(samples, n, sizeof(*samples), cmp_u64);
    for (size_t i = 0; i < n; i++) {
        sum += (double)samples[i];
    }
    s->min = samples[0];
    s->p50 = bench_percentile(samples, n, 50);
    s->p90 = bench_percentile(samples, n, 90);
    s->p99 = bench_percentile(samples, n, 99);
    s->max = samples[n - 1];
    s->mean = sum / (double)n;
}

struct bench_measure *bench_add(struct bench_results *r, const char *device,
                                const char *group, const char *fmt, ...)
{
    struct bench_measure *m;
    va_list ap;

    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        struct bench_measure *nm = realloc(r->m, cap * sizeof(*nm));

        if (!nm) {
            return NULL;
        }
        r->m = nm;
        r->cap = cap;
    }
    m = &r->m[r->n++];
    memset(m, 0, sizeof(*m));
    m->device = device;
    m->group = group;
    va_start(ap, fmt);
    vsnprintf(m->id, sizeof(m->id), fmt, ap);
    va_end(ap);
    snprintf(m->reason, sizeof(m->reason), "not measured");
    return m;
}

void bench_add_ref(struct bench_measure *m, const char *fmt, ...)
{
    va_list ap;

    if (m->nr_refs == BENCH_MAX_REFS) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(m->refs[m->nr_refs++], BENCH_ID_MAX, fmt, ap);
    va_end(ap);
}

void bench_unavailable(struct bench_measure *m, const char *fmt, ...)
{
    va_list ap;

    m->available = false;
    va_start(ap, fmt);
    vsnprintf(m->reason, sizeof(m->reason), fmt, ap);
    va_end(ap);
}

const struct bench_measure *bench_find(const struct bench_results *r,
                                       const char *id)
{
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->m[i].id, id) == 0) {
            return &r->m[i];
        }
    }
    return NULL;
}

void bench_results_free(struct bench_results *r)
{
    free(r->m);
    memset(r, 0, sizeof(*r));
}

double bench_mib_per_s(const struct bench_measure *m)
{
    if (!m->available || !m->bytes || !m->ns.p50) {
        return 0;
    }
    return (double)m->bytes / (1024.0 * 1024.0) / ((double)m->ns.p50 / 1e9);
}

void bench_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\') {
            fprintf(f, "\\%c", c);
        } else if (c < 0x20) {
            fprintf(f, "\\u%04x", c);
        } else {
            fputc(c, f);
        }
    }
    fputc('"', f);
}

static const struct bench_measure *
ref_of(const struct bench_results *r, const struct bench_measure *m, unsigned k)
{
    const struct bench_measure *ref = bench_find(r, m->refs[k]);

    return ref && ref->available && m->available && ref->ns.p50 && ref->ns.p99
               ? ref
               : NULL;
}

void bench_json_measure(FILE *f, const struct bench_results *r,
                        const struct bench_measure *m)
{
    fputs("    {\"id\": ", f);
    bench_json_string(f, m->id);
    fputs(", \"device\": ", f);
    bench_json_string(f, m->device);
    fputs(", \"group\": ", f);
    bench_json_string(f, m->group);
    fputs(",\n     \"label\": ", f);
    bench_json_string(f, m->label);
    fprintf(f, ", \"params\": {%s}, \"available\": %s", m->params,
            m->available ? "true" : "false");
    if (!m->available) {
        fputs(", \"reason\": ", f);
        bench_json_string(f, m->reason);
    }
    fprintf(f, ",\n     \"iterations\": %u, \"warmup\": %u, \"bytes\": %llu",
            m->available ? m->iterations : 0, m->available ? m->warmup : 0,
            (unsigned long long)m->bytes);
    if (m->available) {
        fprintf(f,
                ",\n     \"ns\": {\"min\": %llu, \"p50\": %llu, \"p90\": %llu, "
                "\"p99\": %llu, \"max\": %llu, \"mean\": %.1f}",
                (unsigned long long)m->ns.min, (unsigned long long)m->ns.p50,
                (unsigned long long)m->ns.p90, (unsigned long long)m->ns.p99,
                (unsigned long long)m->ns.max, m->ns.mean);
        if (m->bytes) {
            fprintf(f, ", \"mib_per_s\": %.1f", bench_mib_per_s(m));
        }
        if (m->nr_rounds > 1) {
            fputs(",\n     \"round_p50\": [", f);
            for (unsigned k = 0; k < m->nr_rounds; k++) {
                fprintf(f, "%s%llu", k ? ", " : "",
                        (unsigned long long)m->round_p50[k]);
            }
            fputc(']', f);
        }
    }
    fputs(",\n     \"references\": [", f);
    for (unsigned k = 0; k < m->nr_refs; k++) {
        const struct bench_measure *ref = ref_of(r, m, k);

        fputs(k ? ", {\"id\": " : "{\"id\": ", f);
        bench_json_string(f, m->refs[k]);
        if (ref) {
            fprintf(f, ", \"ratio_p50\": %.3f, \"ratio_p99\": %.3f}",
                    (double)m->ns.p50 / (double)ref->ns.p50,
                    (double)m->ns.p99 / (double)ref->ns.p99);
        } else {
            fputs(", \"ratio_p50\": null, \"ratio_p99\": null}", f);
        }
    }
    fputs("]}", f);
}

void bench_print_header(FILE *f)
{
    fprintf(f, "%-44s %6s %9s %9s %9s %9s %9s  %s\n", "measure (us)", "iters",
            "min", "p50", "p90", "p99", "max", "p50 vs reference");
}

void bench_print_row(FILE *f, const struct bench_results *r,
                     const struct bench_measure *m)
{
    if (!m->available) {
        fprintf(f, "%-44s n/a: %s\n", m->label, m->reason);
        return;
    }
    fprintf(f, "%-44s %6u %9.2f %9.2f %9.2f %9.2f %9.2f ", m->label,
            m->iterations, m->ns.min / 1e3, m->ns.p50 / 1e3, m->ns.p90 / 1e3,
            m->ns.p99 / 1e3, m->ns.max / 1e3);
    if (m->bytes >= 65536) {
        fprintf(f, " %.0f MiB/s", bench_mib_per_s(m));
    }
    for (unsigned k = 0; k < m->nr_refs; k++) {
        const struct bench_measure *ref = ref_of(r, m, k);

        if (ref) {
            fprintf(f, " x%.2f %s", (double)m->ns.p50 / (double)ref->ns.p50,
                    ref->device);
        }
    }
    fputc('\n', f);
}
