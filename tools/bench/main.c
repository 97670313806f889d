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
 * This file opens the devices and runs the figures; bench.h says where
 * the engine, the figures, the probes and the report live.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "drivers.h"
#include "vfio/pci_discovery.h"

static void open_dev(struct bench *b, struct bench_dev *d, const char *driver)
{
    struct vfio_pci_tool_opts opts = {
        .device = d->spec,
        .bind = b->o.c.bind,
        .open = {.iommu = b->o.c.iommu, .iova_floor = b->o.c.iova_base},
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

/* b->src and b->dst, mem-size bytes each, mapped for mypci; -errno. */
int bench_map_buffers(struct bench *b, unsigned flags, struct vfio_error *e)
{
    size_t size = (size_t)b->m->mem_size;
    int err;

    if ((err = vfio_dma_alloc(&b->src, size, flags, e)) < 0 ||
        (err = vfio_dma_map(b->mypci.dev, &b->src, VFIO_DMA_PROT_RW, e)) < 0 ||
        (err = vfio_dma_alloc(&b->dst, size, flags, e)) < 0 ||
        (err = vfio_dma_map(b->mypci.dev, &b->dst, VFIO_DMA_PROT_RW, e)) < 0) {
        return err;
    }
    return 0;
}

static int setup_buffers(struct bench *b)
{
    struct vfio_error e = {0};
    char msg[VFIO_ERROR_DETAIL_MAX + 256];
    size_t size = (size_t)b->m->mem_size;

    if (bench_map_buffers(b, VFIO_DMA_HUGEPAGE, &e) < 0) {
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

    if (b->o.nr_sizes) {
        memcpy(b->sizes, b->o.sizes, b->o.nr_sizes * sizeof(b->sizes[0]));
        b->nr_sizes = b->o.nr_sizes;
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

/* One sample per operation, as the summary always had. */
static void run_quick(struct bench *b)
{
    bench_overhead(b);
    bench_mmio_quick(b);
    bench_irq_quick(b);
    bench_dma_quick(b);
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
    bench_dma_small_pages(b);
    bench_iommu(b);
}

int main(int argc, char **argv)
{
    struct bench b = {0};
    char err[256];
    int status = 0;

    b.start_s = now_ns() / 1e9;
    if (bench_opts_parse(argc, argv, &b.o, err, sizeof(err)) < 0) {
        fprintf(stderr, "mypci-bench: %s\n", err);
        return 2;
    }
    if (b.o.c.help) {
        fputs(bench_usage(), stdout);
        return 0;
    }
    b.quick = b.o.quick;
    b.iters =
        b.o.iterations ? b.o.iterations : (b.quick ? ITERS_QUICK : ITERS_FULL);
    b.warmup =
        b.o.warmup_set ? b.o.warmup : (b.quick ? WARMUP_QUICK : WARMUP_FULL);
    b.huge.nr_before = -1;
    b.mypci = (struct bench_dev){
        .name = "mypci", .spec = b.o.c.device, .wanted = true};
    b.edu = (struct bench_dev){
        .name = "edu", .spec = EDU_SPEC, .wanted = !b.quick && !b.o.no_refs};
    b.testdev = (struct bench_dev){.name = "pci-testdev",
                                   .spec = TESTDEV_SPEC,
                                   .wanted = !b.quick && !b.o.no_refs};

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
        if (b.o.json && write_json(&b, b.o.json) < 0) {
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
