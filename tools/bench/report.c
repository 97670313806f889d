/*
 * mypci-bench's report (see bench.h): the JSON of every figure (schema in
 * docs/bench.md), the full run's table and --quick's summary.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "refdev.h"

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

int write_json(struct bench *b, const char *path)
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
        if (b->o.modes & (1u << k)) {
            fprintf(f, "%s\"%s\"", first ? "" : ", ", mode_names[k]);
            first = false;
        }
    }
    fprintf(f,
            "], \"map_size\": %" PRIu64 ", \"refs\": %s, \"iommu\": \"%s\",\n"
            "    \"big_transfer\": %u, \"big_min_iterations\": %u},\n",
            b->o.map_size, b->o.no_refs ? "false" : "true",
            vfio_iommu_kind_name(b->o.c.iommu), BIG_TRANSFER, BIG_MIN_ITERS);

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

void print_table(const struct bench *b)
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
void print_quick(const struct bench *b)
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
