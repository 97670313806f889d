/*
 * Shared parts of mypci-fuzz and mypci-storm (see rel.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opt.h"
#include "rel.h"

static const char usage_fuzz[] =
    "usage: mypci-fuzz [OPTIONS]\n"
    "Seeded random MMIO, config-space writes, DMA and resets against mypci\n"
    "through VFIO, DMA at its MSI-X table and PBA, BAR2 unmapped and\n"
    "Command.Memory cleared under pending transfers, FLR mid-transfer, MSI-X\n"
    "toggled and vectors masked while interrupts fire; after every batch\n"
    "checks the device still follows its ABI.\n"
    "  --ops N         operations (default 2000)\n"
    "  --batch N       operations between health checks (default 200)\n"
    "  --busy-device BDF  a second mypci started with x-dma-delay-us: the\n"
    "                  races with a pending transfer run there (else on the\n"
    "                  device, where transfers rarely are still pending)\n"
    "  --seed N        PRNG seed (default: from the clock; printed at "
    "start)\n" TOOL_USAGE_DEVICE "  --help          this text\n"
    "Exit status: 0 the device survived, 1 it stopped following its ABI,\n"
    "2 the device could not be used or bad usage.\n";

static const char usage_storm[] =
    "usage: mypci-storm [OPTIONS]\n"
    "Many verified DMA transfers (all three directions, random sizes and\n"
    "offsets) with CONTROL.RESET, IOMMU remaps and provoked faults mixed in.\n"
    "  --transfers N   transfers (default 1000000)\n"
    "  --soak SECONDS  run this long instead of a count\n"
    "  --seed N        PRNG seed (default: from the clock; printed at "
    "start)\n" TOOL_USAGE_DEVICE "  --help          this text\n"
    "Exit status: 0 no mismatch and no unexpected fault, 1 otherwise,\n"
    "2 the device could not be used or bad usage.\n";

const char *rel_usage(enum rel_program prog)
{
    return prog == REL_FUZZ ? usage_fuzz : usage_storm;
}

/* What own_option needs: the program and where its options go. */
struct rel_parse {
    enum rel_program prog;
    struct rel_options *o;
};

/* --seed and each program's own options (tool_own_opt). */
static int own_option(int argc, char *const argv[], int *i, void *ctx,
                      char *err, size_t len)
{
    const struct rel_parse *p = ctx;
    struct rel_options *o = p->o;
    const char *a = argv[*i];
    int r;

    if (strcmp(a, "--seed") == 0) {
        o->seed_given = true;
        return opt_u64(argc, argv, i, &o->seed, err, len);
    }
    if (p->prog == REL_FUZZ && strcmp(a, "--ops") == 0) {
        return opt_u64(argc, argv, i, &o->ops, err, len);
    }
    if (p->prog == REL_FUZZ && strcmp(a, "--busy-device") == 0) {
        return opt_value(argc, argv, i, &o->busy_device, err, len);
    }
    if (p->prog == REL_FUZZ && strcmp(a, "--batch") == 0) {
        r = opt_u64(argc, argv, i, &o->batch, err, len);
        return r == 0 && o->batch == 0
                   ? opt_error(err, len, "--batch must be > 0")
                   : r;
    }
    if (p->prog == REL_STORM && strcmp(a, "--transfers") == 0) {
        return opt_u64(argc, argv, i, &o->transfers, err, len);
    }
    if (p->prog == REL_STORM && strcmp(a, "--soak") == 0) {
        return opt_u64(argc, argv, i, &o->soak_s, err, len);
    }
    return 1;
}

int rel_parse_args(enum rel_program prog, int argc, char *const argv[],
                   struct rel_options *o, char *err, size_t err_len)
{
    struct rel_parse p = {.prog = prog, .o = o};

    memset(o, 0, sizeof(*o));
    tool_common_init(&o->c);
    o->ops = 2000;
    o->batch = 200;
    o->transfers = 1000000;
    if (tool_parse_args(argc, argv, 0, &o->c, own_option, &p, err, err_len) <
        0) {
        return -EINVAL;
    }
    if (!o->seed_given) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        o->seed = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    }
    return 0;
}

int rel_start(enum rel_program prog, int argc, char *const argv[],
              struct rel_target *t, struct rel_options *o)
{
    char err[256];

    t->prog = prog == REL_FUZZ ? "mypci-fuzz" : "mypci-storm";
    if (rel_parse_args(prog, argc, argv, o, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s: %s\n", t->prog, err);
        return -1;
    }
    if (o->c.help) {
        fputs(rel_usage(prog), stdout);
        return 0;
    }
    printf("%s: seed %" PRIu64 " (--seed %" PRIu64 " to reproduce)\n", t->prog,
           o->seed, o->seed);
    return rel_open(t, o) < 0 ? -1 : 1;
}

void rel_report(const struct rel_target *t, const char *what,
                const struct vfio_error *e)
{
    tool_report(t->prog, what, e);
}

int rel_open(struct rel_target *t, const struct rel_options *o)
{
    char desc[VFIO_PCI_BDF_MAX + 300];

    if (tool_open(t->prog, &o->c, "mypci", &t->tool) < 0) {
        return -1;
    }
    t->dev = t->tool.dev;
    t->m = mypci_of(t->dev);
    printf("%s: %s\n", t->prog,
           vfio_pci_device_describe(t->dev, desc, sizeof(desc)));
    return 0;
}

int rel_close(struct rel_target *t)
{
    struct vfio_error e = {0};

    t->dev = NULL;
    t->m = NULL;
    if (vfio_pci_tool_close(&t->tool, &e) < 0) {
        rel_report(t, "cannot restore the device's driver", &e);
        return -1;
    }
    return 0;
}

double rel_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
