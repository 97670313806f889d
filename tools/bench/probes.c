/*
 * mypci-bench's environment probes (see bench.h): the hugetlb pool (grown
 * for the huge-page figures and shrunk back), physical contiguity of a
 * buffer, and what the JSON records of the guest (CPU, THP, clocksource,
 * the clock's granularity).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"

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
 * records that, to give them back. NULL, with h->reason, if the guest
 * cannot.
 */
void *alloc_huge(struct hugetlb_info *h, size_t size)
{
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

void free_huge(struct hugetlb_info *h, void *p, size_t size)
{
    if (p) {
        munmap(p, size);
    }
    if (h->reserved_by_us) {
        write_long(NR_HUGEPAGES, h->nr_before);
        h->reserved_by_us = false;
    }
}

/* Physically contiguous runs of a populated buffer (root reads PFNs). */
long pfn_runs(const void *p, size_t size)
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

void cpu_model(char *buf, size_t len)
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

void thp_mode(char *buf, size_t len)
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
void clocksource(char *buf, size_t len)
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
uint64_t clock_granularity(void)
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
