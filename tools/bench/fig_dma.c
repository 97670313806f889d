/*
 * mypci-bench's DMA figures (see bench.h): the DMA_CMD doorbell until
 * completion, polled or by the DMA_DONE vector, for each size and
 * direction, beside a CPU memcpy of the same size.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "bench.h"

static const char *const dir_names[] = {"h2d", "d2h", "h2h"};
static const char *const dir_labels[] = {"host->dev", "dev->host",
                                         "host->host"};

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
    m = fig_add(b, "mypci", "dma", label ? label : buf,
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

void bench_dma(struct bench *b)
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
void bench_memcpy(struct bench *b)
{
    for (size_t k = 0; k < b->nr_sizes; k++) {
        char label[96];
        struct bench_measure *m;
        struct copy_ctx c;
        struct job j = {.m = NULL};

        /* TCG emulates the guest's rep movsb: a reference, not a ceiling. */
        snprintf(label, sizeof(label), "guest CPU memcpy (TCG) %" PRIu64 " B",
                 b->sizes[k]);
        m = fig_add(b, "guest", "cpu", label, "guest/cpu/memcpy/%" PRIu64,
                    b->sizes[k]);
        snprintf(m->params, sizeof(m->params), "\"size\": %" PRIu64,
                 b->sizes[k]);
        m->bytes = b->sizes[k];
        if (b->sizes[k] > b->src.size) {
            bench_unavailable(m, "over mem-size");
            continue;
        }
        j.m = m;
        job_copy(&j, &c, b->dst.vaddr, b->src.vaddr, b->sizes[k], COPY_RAM);
        run_job(b, &j, scaled_iters(b, b->sizes[k]));
    }
}

/*
 * The same largest transfers from buffers of 4 KiB pages, beside the main
 * figures' huge-page buffers: the IOMMU then maps 4 KiB pages and QEMU
 * translates each, where a 2 MiB IOMMU page needs one translation. What
 * huge pages buy, measured in every run.
 */
void bench_dma_small_pages(struct bench *b)
{
    struct vfio_error e = {0};
    struct vfio_dma_buf huge_src = b->src, huge_dst = b->dst;
    uint64_t size = b->sizes[b->nr_sizes - 1];
    char label[96];

    if (!b->src.hugepage) {
        return; /* the main figures already use 4 KiB pages */
    }
    if (bench_map_buffers(b, 0, &e) < 0) {
        char msg[VFIO_ERROR_DETAIL_MAX + 256];

        printf("mypci-bench: DMA from 4 KiB-page buffers not measured: %s\n",
               vfio_error_format(&e, msg, sizeof(msg)));
    } else {
        for (unsigned dir = 0; dir < 2; dir++) {
            struct bench_measure *m;

            snprintf(label, sizeof(label),
                     "mypci DMA %" PRIu64 " B %s -> polled, 4 KiB pages", size,
                     dir_labels[dir]);
            m = fig_add(b, "mypci", "dma", label,
                        "mypci/dma/%s/%" PRIu64 "/poll-4k", dir_names[dir],
                        size);
            m->bytes = size;
            snprintf(m->params, sizeof(m->params),
                     "\"direction\": %u, \"size\": %" PRIu64
                     ", \"completion\": \"poll\", \"pages\": 4096",
                     dir, size);
            bench_add_ref(m, "mypci/dma/%s/%" PRIu64 "/poll", dir_names[dir],
                          size);
            bench_dma_one(b, m, dir, false);
        }
    }
    vfio_dma_free(b->mypci.dev, &b->src);
    vfio_dma_free(b->mypci.dev, &b->dst);
    b->src = huge_src;
    b->dst = huge_dst;
}

/* --quick: a 4 KiB host-to-device transfer, polled. */
void bench_dma_quick(struct bench *b)
{
    bench_dma_one(b,
                  add_dma(b, 4096, MYPCI_DMA_DIR_HOST_TO_DEV, false,
                          "DMA 4 KiB doorbell -> DONE (polled)"),
                  MYPCI_DMA_DIR_HOST_TO_DEV, false);
}
