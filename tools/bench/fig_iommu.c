/*
 * mypci-bench's IOMMU figures (see bench.h): mapping and unmapping a
 * buffer of 4 KiB pages and one of huge pages (MAP_HUGETLB, when the guest
 * kernel has hugetlbfs).
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

void bench_iommu(struct bench *b)
{
    size_t size = (size_t)b->o.map_size;
    struct bench_measure *m4, *u4, *mh, *uh;
    struct vfio_error e = {0};
    char msg[VFIO_ERROR_DETAIL_MAX + 256];
    uint64_t iova;
    void *small, *huge;
    long runs = -1;

    m4 = fig_add(b, "mypci", "iommu", "IOMMU map, 4 KiB pages",
                 "mypci/iommu/map/4k");
    u4 = fig_add(b, "mypci", "iommu", "IOMMU unmap, 4 KiB pages",
                 "mypci/iommu/unmap/4k");
    mh = fig_add(b, "mypci", "iommu", "IOMMU map, huge pages",
                 "mypci/iommu/map/huge");
    uh = fig_add(b, "mypci", "iommu", "IOMMU unmap, huge pages",
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

    huge = alloc_huge(&b->huge, size);
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
    free_huge(&b->huge, huge, size);
}
