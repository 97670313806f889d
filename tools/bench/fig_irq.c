/*
 * mypci-bench's interrupt figures (see bench.h): IRQ_RAISE(SOFT) until the
 * eventfd wakes us, per mode (the modes[] table), beside edu's raise
 * register; the cause is acknowledged between samples, untimed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdio.h>

#include "bench.h"
#include "edu_driver.h"

struct irq_ctx {
    struct bench *b;
    bool edu; /* else mypci */
    enum vfio_irq_mode mode;
    struct vfio_pci_device *dev;
    int fd;
    volatile uint32_t *raise, *ack;
    uint32_t bits;
    int64_t extra; /* signals seen before a raise: must stay 0 */
};

static void pre_irq(void *ctx)
{
    struct irq_ctx *c = ctx;

    *c->ack = c->bits;
    if (c->mode == VFIO_IRQ_INTX) {
        vfio_irq_intx_unmask(c->dev, NULL);
    }
    c->extra += vfio_irq_drain(c->fd);
}

static int op_irq(void *ctx)
{
    struct irq_ctx *c = ctx;

    *c->raise = c->bits;
    return vfio_irq_wait(c->fd, WAIT_MS) > 0 ? 0 : -ETIMEDOUT;
}

/* Interrupts on in c->mode, the cause enabled, before each slice. */
static int enter_irq(struct job *j)
{
    struct irq_ctx *c = j->ctx;
    int err;

    if (c->edu) {
        struct refdev *r = refdev_of(c->dev);

        err = edu_irq_setup(r, c->mode, NULL);
        c->fd = vfio_irq_fd(c->dev, 0);
    } else {
        err = mypci_irq_setup(c->b->m, c->mode, NULL);
        c->fd = mypci_irq_fd(c->b->m, MYPCI_IRQ_SOFT);
        mypci_write32(c->b->m, MYPCI_REG_IRQ_ACK, MYPCI_IRQ_ALL);
        mypci_write32(c->b->m, MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_SOFT);
    }
    return err;
}

static int leave_irq(struct job *j)
{
    struct irq_ctx *c = j->ctx;

    if (c->edu) {
        refdev_write32(refdev_of(c->dev), EDU_REG_IRQ_ACK, ~0u);
        refdev_of(c->dev)->irq_mode = VFIO_IRQ_NONE;
    } else {
        mypci_write32(c->b->m, MYPCI_REG_IRQ_ENABLE, 0);
        mypci_write32(c->b->m, MYPCI_REG_IRQ_ACK, MYPCI_IRQ_ALL);
        c->b->m->irq_mode = VFIO_IRQ_NONE;
    }
    vfio_irq_disable(c->dev, NULL);
    return c->extra == 0 ? 0 : -EPROTO;
}

static const char *mode_name(enum vfio_irq_mode mode)
{
    return mode == VFIO_IRQ_MSIX  ? "msix"
           : mode == VFIO_IRQ_MSI ? "msi"
                                  : "intx";
}

static const char *mode_label(enum vfio_irq_mode mode)
{
    return mode == VFIO_IRQ_MSIX  ? "MSI-X"
           : mode == VFIO_IRQ_MSI ? "MSI"
                                  : "INTx";
}

static bool mypci_offers(const struct mypci *m, enum vfio_irq_mode mode)
{
    switch (mode) {
    case VFIO_IRQ_MSIX:
        return m->msix_cap != 0;
    case VFIO_IRQ_MSI:
        return m->msi_cap != 0;
    default:
        return (m->features & MYPCI_FEATURE_INTX) != 0;
    }
}

/* A job timing IRQ_RAISE(SOFT) (mypci) or 0x60 (edu) to the eventfd. */
static void job_irq(struct bench *b, struct job *j, struct irq_ctx *c, bool edu,
                    enum vfio_irq_mode mode)
{
    struct refdev *r = edu ? refdev_of(b->edu.dev) : NULL;

    *c = (struct irq_ctx){.b = b, .edu = edu, .mode = mode, .fd = -1};
    c->dev = edu ? b->edu.dev : b->mypci.dev;
    c->raise = edu ? reg32(r->bar0, EDU_REG_IRQ_RAISE)
                   : reg32(b->m->regs, MYPCI_REG_IRQ_RAISE);
    c->ack = edu ? reg32(r->bar0, EDU_REG_IRQ_ACK)
                 : reg32(b->m->regs, MYPCI_REG_IRQ_ACK);
    c->bits = edu ? 1 : MYPCI_IRQ_SOFT;
    j->pre = pre_irq;
    j->op = op_irq;
    j->enter = enter_irq;
    j->leave = leave_irq;
    j->ctx = c;
    snprintf(j->m->params, sizeof(j->m->params),
             "\"mode\": \"%s\", \"rounds\": %u", mode_name(mode), ROUNDS);
}

/*
 * mypci in each mode beside edu (MSI and INTx; edu has no MSI-X, so its MSI
 * is the reference of mypci's MSI-X too), interleaved in rounds. The cause
 * is acknowledged, and INTx unmasked through VFIO, between iterations.
 */
void bench_irqs(struct bench *b)
{
    static const struct {
        unsigned bit;
        enum vfio_irq_mode mode;
        enum vfio_irq_mode ref;
    } modes[] = {{BENCH_MODE_MSIX, VFIO_IRQ_MSIX, VFIO_IRQ_MSI},
                 {BENCH_MODE_MSI, VFIO_IRQ_MSI, VFIO_IRQ_MSI},
                 {BENCH_MODE_INTX, VFIO_IRQ_INTX, VFIO_IRQ_INTX}};
    bool refs = !b->o.no_refs;
    bool edu_msi = false, edu_intx = false;
    struct irq_ctx c[MAX_JOBS];
    struct job_set set = {.nr = 0};
    char label[96];

    for (size_t k = 0; k < sizeof(modes) / sizeof(modes[0]); k++) {
        enum vfio_irq_mode mode = modes[k].mode;
        struct bench_measure *m;
        struct job *j;

        if (!(b->o.modes & modes[k].bit)) {
            continue;
        }
        snprintf(label, sizeof(label), "mypci IRQ_RAISE(SOFT) -> %s eventfd",
                 mode_label(mode));
        m = fig_add(b, "mypci", "irq", label, "mypci/irq/%s", mode_name(mode));
        if (refs) {
            bench_add_ref(m, "edu/irq/%s", mode_name(modes[k].ref));
        }
        if (!mypci_offers(b->m, mode)) {
            snprintf(m->params, sizeof(m->params), "\"mode\": \"%s\"",
                     mode_name(mode));
            bench_unavailable(m, "the device does not offer %s",
                              mode_label(mode));
        } else {
            j = fig_set_add(&set, NULL, m);
            job_irq(b, j, &c[set.nr - 1], false, mode);
        }
        if (!refs || (modes[k].ref == VFIO_IRQ_MSI ? edu_msi : edu_intx)) {
            continue;
        }
        *(modes[k].ref == VFIO_IRQ_MSI ? &edu_msi : &edu_intx) = true;
        snprintf(label, sizeof(label), "edu raise (0x60) -> %s eventfd",
                 mode_label(modes[k].ref));
        m = fig_add(b, "edu", "irq", label, "edu/irq/%s",
                    mode_name(modes[k].ref));
        if ((j = fig_set_add(&set, &b->edu, m))) {
            job_irq(b, j, &c[set.nr - 1], true, modes[k].ref);
        } else {
            snprintf(m->params, sizeof(m->params), "\"mode\": \"%s\"",
                     mode_name(modes[k].ref));
        }
    }
    run_jobs(b, set.jobs, set.nr, b->iters, ROUNDS);
}

/* --quick: IRQ_RAISE(SOFT) to the MSI-X (else MSI) eventfd. */
void bench_irq_quick(struct bench *b)
{
    enum vfio_irq_mode mode = b->m->msix_cap ? VFIO_IRQ_MSIX : VFIO_IRQ_MSI;
    struct irq_ctx ic;
    struct job j = {.m = NULL};

    j.m = fig_add(b, "mypci", "irq",
                  mode == VFIO_IRQ_MSIX ? "IRQ_RAISE(SOFT) -> MSI-X eventfd"
                                        : "IRQ_RAISE(SOFT) -> MSI eventfd",
                  "mypci/irq/%s", mode_name(mode));
    if (!b->m->msix_cap && !b->m->msi_cap) {
        bench_unavailable(j.m, "no MSI or MSI-X (msi=off)");
        return;
    }
    job_irq(b, &j, &ic, false, mode);
    snprintf(j.m->params, sizeof(j.m->params), "\"mode\": \"%s\"",
             mode_name(mode));
    run_job(b, &j, b->iters);
}
