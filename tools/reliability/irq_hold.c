/*
 * mypci-irq-hold: holds an interrupt cause pending for a while, then lets
 * it through and checks it arrives exactly once (ABI 6). Run under
 * `./mypci exec --migrate N` (or --savevm N), the holds span migrations:
 * a cause pending while the VM moves must be delivered once afterwards,
 * neither lost nor doubled. Two ways to hold it:
 *   enable: the cause is raised while IRQ_ENABLE has it off, then enabled
 *           (MSI-X, MSI and INTx);
 *   mask:   MSI-X only, the cause's vector is masked (detached through
 *           VFIO, which masks it in the table) while the cause is raised,
 *           so its PBA bit holds it; then unmasked.
 * Prints a line per mode and hold, exits 0 only if every round passed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mypci_driver.h"
#include "opt.h"
#include "tool.h"
#include "vfio/irq.h"

#define PROG "mypci-irq-hold"
#define SOFT_VECTOR 2     /* ABI 6: MSI-X vector n is cause bit n */
#define PBA_OFFSET 0x1800 /* docs/mypci.md: PBA at BAR0+0x1800 */
#define DELIVERY_MS 2000  /* a released cause must arrive by then */
#define NO_SECOND_MS 300  /* and no second signal within this */

enum hold_kind { HOLD_ENABLE, HOLD_MASK };

struct hold_opts {
    struct tool_common c;
    unsigned rounds;
    unsigned hold_ms;
};

struct hold_run {
    struct vfio_pci_device *dev;
    struct mypci *m;
    const struct hold_opts *o;
    unsigned failures;
};

static int own_option(int argc, char *const argv[], int *i, void *ctx,
                      char *err, size_t len)
{
    struct hold_opts *o = ctx;
    bool rounds = !strcmp(argv[*i], "--rounds");
    const char *name = argv[*i];
    uint64_t value;

    if (!rounds && strcmp(name, "--hold-ms")) {
        return 1;
    }
    if (opt_u64(argc, argv, i, &value, err, len) < 0) {
        return -EINVAL;
    }
    if (value == 0 || value > 1000000) {
        return opt_error(err, len, "%s: want 1 to 1000000", name);
    }
    if (rounds) {
        o->rounds = (unsigned)value;
    } else {
        o->hold_ms = (unsigned)value;
    }
    return 0;
}

static void usage(void)
{
    printf("usage: " PROG " [OPTIONS]\n"
           "Holds the SOFT cause pending (IRQ_ENABLE off, or its MSI-X vector\n"
           "masked) for --hold-ms, releases it and checks it is delivered\n"
           "exactly once; MSI-X, MSI and INTx. Meant to run under\n"
           "./mypci exec --migrate N.\n" TOOL_USAGE_DEVICE
           "  --rounds N      holds per mode (default 5)\n"
           "  --hold-ms MS    how long each hold lasts (default 1000)\n");
}

/* Quiet: no cause pending, nothing enabled, the eventfd drained. */
static void quiet(struct hold_run *r, enum vfio_irq_mode mode, int fd)
{
    struct vfio_error e = {0};

    mypci_write32(r->m, MYPCI_REG_IRQ_ENABLE, 0);
    mypci_write32(r->m, MYPCI_REG_IRQ_ACK, MYPCI_IRQ_ALL);
    vfio_irq_drain(fd);
    if (mode == VFIO_IRQ_INTX) {
        vfio_irq_intx_unmask(r->dev, &e);
    }
}

static int hold(struct hold_run *r, enum hold_kind kind)
{
    struct vfio_error e = {0};

    if (kind == HOLD_MASK) {
        mypci_write32(r->m, MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_SOFT);
        if (vfio_irq_set_vector_fd(r->dev, SOFT_VECTOR, -1, &e) < 0) {
            return -1;
        }
    }
    mypci_write32(r->m, MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    return 0;
}

static int release(struct hold_run *r, enum hold_kind kind, int fd)
{
    struct vfio_error e = {0};

    if (kind == HOLD_MASK) {
        return vfio_irq_set_vector_fd(r->dev, SOFT_VECTOR, fd, &e);
    }
    mypci_write32(r->m, MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_SOFT);
    return 0;
}

/* One round; a failure is printed with what was seen. */
static bool round_ok(struct hold_run *r, enum vfio_irq_mode mode,
                     enum hold_kind kind, unsigned round)
{
    int fd = mypci_irq_fd(r->m, MYPCI_IRQ_SOFT);
    int64_t early, first, second;
    uint32_t status, pba = 0;
    const char *why = NULL;

    quiet(r, mode, fd);
    if (hold(r, kind) < 0) {
        why = "could not mask the vector";
    } else {
        early = vfio_irq_wait(fd, (int)r->o->hold_ms);
        status = mypci_read32(r->m, MYPCI_REG_IRQ_STATUS);
        if (kind == HOLD_MASK) {
            pba = mypci_read32(r->m, PBA_OFFSET);
        }
        if (early > 0) {
            why = "delivered while held";
        } else if (!(status & MYPCI_IRQ_SOFT)) {
            why = "IRQ_STATUS lost the held cause";
        } else if (kind == HOLD_MASK && !(pba & (1u << SOFT_VECTOR))) {
            why = "the PBA bit of the masked vector is not set";
        } else if (release(r, kind, fd) < 0) {
            why = "could not unmask the vector";
        } else if ((first = vfio_irq_wait(fd, DELIVERY_MS)) <= 0) {
            why = "not delivered after release";
        } else if (first > 1 ||
                   (second = vfio_irq_wait(fd, NO_SECOND_MS)) > 0) {
            why = "delivered more than once";
        }
    }
    quiet(r, mode, fd);
    if (why) {
        printf(PROG ": %s/%s round %u: %s\n", vfio_irq_mode_name(mode),
               kind == HOLD_MASK ? "mask" : "enable", round, why);
        return false;
    }
    return true;
}

static void run_mode(struct hold_run *r, enum vfio_irq_mode mode,
                     enum hold_kind kind)
{
    struct vfio_error e = {0};
    unsigned passed = 0;

    char buf[256];

    if (mypci_irq_setup(r->m, mode, &e) < 0) {
        printf(PROG ": %s: cannot enable: %s\n", vfio_irq_mode_name(mode),
               vfio_error_format(&e, buf, sizeof(buf)));
        r->failures++;
        return;
    }
    for (unsigned i = 1; i <= r->o->rounds; i++) {
        passed += round_ok(r, mode, kind, i);
    }
    printf(PROG ": %s, held by %s: %u/%u rounds delivered exactly once\n",
           vfio_irq_mode_name(mode),
           kind == HOLD_MASK ? "a masked vector (PBA)" : "IRQ_ENABLE", passed,
           r->o->rounds);
    r->failures += r->o->rounds - passed;
    vfio_irq_disable(r->dev, &e);
}

int main(int argc, char **argv)
{
    struct hold_opts o = {.rounds = 5, .hold_ms = 1000};
    struct vfio_pci_tool_device t;
    struct hold_run r = {.o = &o};
    char err[256];

    tool_common_init(&o.c);
    if (tool_parse_args(argc, argv, 0, &o.c, own_option, &o, err, sizeof(err)) <
        0) {
        fprintf(stderr, PROG ": %s (see --help)\n", err);
        return 2;
    }
    if (o.c.help) {
        usage();
        return 0;
    }
    if (tool_open(PROG, &o.c, "mypci", &t) < 0) {
        return 2;
    }
    r.dev = t.dev;
    r.m = mypci_of(t.dev);
    run_mode(&r, VFIO_IRQ_MSIX, HOLD_ENABLE);
    run_mode(&r, VFIO_IRQ_MSIX, HOLD_MASK);
    run_mode(&r, VFIO_IRQ_MSI, HOLD_ENABLE);
    run_mode(&r, VFIO_IRQ_INTX, HOLD_ENABLE);
    printf(PROG ": SUMMARY failures=%u\n", r.failures);
    if (vfio_pci_tool_close(&t, NULL) < 0) {
        fprintf(stderr, PROG ": could not restore the device's driver\n");
        return 2;
    }
    return r.failures ? 1 : 0;
}
