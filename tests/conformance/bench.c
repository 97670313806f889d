/*
 * mypci-bench: latencies of the mypci driver's basic operations through
 * VFIO, from CLOCK_MONOTONIC, after a warm-up: BAR0 read and write,
 * IRQ_RAISE(SOFT) to the MSI-X (or MSI) eventfd waking us, and a 4 KiB DMA
 * from the DMA_CMD doorbell to DONE seen by polling. Prints min/p50/p99.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "args.h"
#include "mypci_driver.h"
#include "vfio/dma.h"
#include "vfio/pci_discovery.h"
#include "vfio/pci_driver.h"

#define WARMUP 50
#define ITERS_QUICK 300
#define ITERS_FULL 5000

struct bench {
    struct vfio_pci_device *dev;
    struct mypci *m;
    struct vfio_dma_buf buf;
    int irq_fd;
    const char *irq_name;
};

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

typedef int (*op_fn)(struct bench *b);

static int op_read(struct bench *b)
{
    return mypci_read32(b->m, MYPCI_REG_ID) == MYPCI_ID_VALUE ? 0 : -EIO;
}

static int op_write(struct bench *b)
{
    mypci_write32(b->m, MYPCI_REG_SCRATCH, 0x5a5a5a5a);
    return 0;
}

/* SOFT must become pending again each time: ack it before the clock. */
static void pre_irq(struct bench *b)
{
    mypci_write32(b->m, MYPCI_REG_IRQ_ACK, MYPCI_IRQ_SOFT);
}

static int op_irq(struct bench *b)
{
    mypci_write32(b->m, MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    return vfio_irq_wait(b->irq_fd, 1000) > 0 ? 0 : -ETIMEDOUT;
}

static int op_dma(struct bench *b)
{
    uint32_t status;

    mypci_write32(b->m, MYPCI_REG_DMA_CMD, MYPCI_DMA_DIR_HOST_TO_DEV);
    if (mypci_dma_wait_poll(b->m, 1000, &status) < 0) {
        return -ETIMEDOUT;
    }
    return status == MYPCI_DMA_STATUS_DONE ? 0 : -EIO;
}

/* Runs op iters times after a warm-up; prints one line. */
static int measure(struct bench *b, const char *name, op_fn op,
                   void (*pre)(struct bench *), int iters)
{
    uint64_t *t = calloc((size_t)iters, sizeof(*t));

    if (!t) {
        return -ENOMEM;
    }
    for (int i = -WARMUP; i < iters; i++) {
        uint64_t start;

        if (pre) {
            pre(b);
        }
        start = now_ns();
        if (op(b) < 0) {
            fprintf(stderr, "mypci-bench: %s failed\n", name);
            free(t);
            return -EIO;
        }
        if (i >= 0) {
            t[i] = now_ns() - start;
        }
    }
    qsort(t, (size_t)iters, sizeof(*t), cmp_u64);
    printf("%-40s %9.1f %9.1f %9.1f\n", name, t[0] / 1e3, t[iters / 2] / 1e3,
           t[(size_t)iters * 99 / 100] / 1e3);
    free(t);
    return 0;
}

static int setup_irq(struct bench *b, struct vfio_error *e)
{
    enum vfio_irq_mode mode = b->m->msix_cap ? VFIO_IRQ_MSIX : VFIO_IRQ_MSI;
    int err;

    if (!b->m->msix_cap && !b->m->msi_cap) {
        return -ENODEV;
    }
    err = mypci_irq_setup(b->m, mode, e);
    if (err < 0) {
        return err;
    }
    b->irq_fd = vfio_irq_fd(b->dev, (unsigned)b->dev->driver.msi);
    b->irq_name = mode == VFIO_IRQ_MSIX ? "IRQ_RAISE(SOFT) -> MSI-X eventfd"
                                        : "IRQ_RAISE(SOFT) -> MSI eventfd";
    mypci_write32(b->m, MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_SOFT);
    return 0;
}

static int setup_dma(struct bench *b, struct vfio_error *e)
{
    int err = vfio_dma_alloc(&b->buf, 4096, 0, e);

    if (err == 0) {
        err = vfio_dma_map(b->dev, &b->buf, VFIO_DMA_PROT_RW, e);
    }
    if (err == 0) {
        /* Latched per command: the doorbell alone starts the next one. */
        mypci_write64(b->m, MYPCI_REG_DMA_SRC, b->buf.iova);
        mypci_write64(b->m, MYPCI_REG_DMA_DST, 0);
        mypci_write32(b->m, MYPCI_REG_DMA_LEN, 4096);
    }
    return err;
}

static int run(struct bench *b, int iters)
{
    struct vfio_error e = {0};
    char msg[VFIO_ERROR_DETAIL_MAX + 256];
    int err = 0;

    printf("mypci-bench: %s via %s; %d iterations each after %d warm-up; "
           "microseconds\n",
           b->dev->bdf, vfio_iommu_kind_name(b->dev->iommu->kind), iters,
           WARMUP);
    printf("%-40s %9s %9s %9s\n", "operation", "min", "p50", "p99");
    err |= measure(b, "BAR0 read (ID)", op_read, NULL, iters);
    err |= measure(b, "BAR0 write (SCRATCH)", op_write, NULL, iters);
    if (setup_irq(b, &e) == 0) {
        err |= measure(b, b->irq_name, op_irq, pre_irq, iters);
    } else {
        printf("%-40s skipped: no MSI or MSI-X (%s)\n", "IRQ_RAISE -> eventfd",
               e.cause ? vfio_error_format(&e, msg, sizeof(msg)) : "msi=off");
    }
    if (setup_dma(b, &e) < 0) {
        fprintf(stderr, "mypci-bench: %s\n",
                vfio_error_format(&e, msg, sizeof(msg)));
        return -EIO;
    }
    err |=
        measure(b, "DMA 4 KiB doorbell -> DONE (polled)", op_dma, NULL, iters);
    vfio_dma_free(b->dev, &b->buf);
    return err ? -EIO : 0;
}

static int open_device(const struct ct_options *o, struct bench *b,
                       struct vfio_pci_binding *binding)
{
    static const struct vfio_pci_driver_ops *const drivers[] = {
        &mypci_driver_ops, NULL};
    struct vfio_pci_open_opts opts = {.iommu = o->iommu};
    struct vfio_error e = {0};
    char bdf[VFIO_PCI_BDF_MAX], msg[VFIO_ERROR_DETAIL_MAX + 256];

    if (vfio_pci_resolve(NULL, o->device, bdf, &e) < 0 ||
        (o->bind && vfio_pci_bind(NULL, bdf, binding, &e) < 0) ||
        vfio_pci_device_open(&b->dev, bdf, &opts, &e) < 0) {
        fprintf(stderr, "mypci-bench: %s\n",
                vfio_error_format(&e, msg, sizeof(msg)));
        return -1;
    }
    if (vfio_pci_driver_probe(b->dev, drivers, &e) < 0 ||
        vfio_pci_driver_init(b->dev, &e) < 0) {
        fprintf(stderr, "mypci-bench: %s\n",
                vfio_error_format(&e, msg, sizeof(msg)));
        return -1;
    }
    b->m = mypci_of(b->dev);
    return 0;
}

int main(int argc, char **argv)
{
    struct vfio_pci_binding binding = {0};
    struct bench b = {0};
    struct ct_options o;
    char err[256];
    int status = 2;

    if (ct_parse_args(CT_PROGRAM_BENCH, argc, argv, &o, err, sizeof(err)) < 0) {
        fprintf(stderr, "mypci-bench: %s\n", err);
        return 2;
    }
    if (o.help) {
        fputs(ct_usage(CT_PROGRAM_BENCH), stdout);
        return 0;
    }
    if (open_device(&o, &b, &binding) == 0) {
        status = run(&b, o.quick ? ITERS_QUICK : ITERS_FULL) == 0 ? 0 : 1;
    }
    vfio_pci_device_close(b.dev);
    vfio_pci_unbind_restore(NULL, &binding, NULL);
    return status;
}
