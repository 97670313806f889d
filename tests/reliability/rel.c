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
#include "drivers.h"
#include "vfio/pci_open.h"

static const char usage_fuzz[] =
    "usage: mypci-fuzz [OPTIONS]\n"
    "Seeded random MMIO, config-space writes, DMA and resets against mypci\n"
    "through VFIO; after every batch checks the device still follows its ABI.\n"
    "  --ops N         operations (default 2000)\n"
    "  --batch N       operations between health checks (default 200)\n"
    "  --seed N        PRNG seed (default: from the clock; printed at start)\n"
    "  --device BDF|VENDOR:DEVICE  (default " REL_DEFAULT_DEVICE ")\n"
    "  --iommu auto|type1|iommufd\n"
    "  --bind          bind the device to vfio-pci if needed, restore after\n"
    "  --help          this text\n"
    "Exit status: 0 the device survived, 1 it stopped following its ABI,\n"
    "2 the device could not be used or bad usage.\n";

static const char usage_storm[] =
    "usage: mypci-storm [OPTIONS]\n"
    "Many verified DMA transfers (all three directions, random sizes and\n"
    "offsets) with CONTROL.RESET, IOMMU remaps and provoked faults mixed in.\n"
    "  --transfers N   transfers (default 1000000)\n"
    "  --soak SECONDS  run this long instead of a count\n"
    "  --seed N        PRNG seed (default: from the clock; printed at start)\n"
    "  --device BDF|VENDOR:DEVICE  (default " REL_DEFAULT_DEVICE ")\n"
    "  --iommu auto|type1|iommufd\n"
    "  --bind          bind the device to vfio-pci if needed, restore after\n"
    "  --help          this text\n"
    "Exit status: 0 no mismatch and no unexpected fault, 1 otherwise,\n"
    "2 the device could not be used or bad usage.\n";

const char *rel_usage(enum rel_program prog)
{
    return prog == REL_FUZZ ? usage_fuzz : usage_storm;
}

static int parse_common(int argc, char *const argv[], int *i,
                        struct rel_options *o, char *err, size_t len)
{
    const char *a = argv[*i], *v = NULL;
    struct vfio_pci_match m;

    if (strcmp(a, "--device") == 0) {
        if (opt_value(argc, argv, i, &o->device, err, len) < 0) {
            return -EINVAL;
        }
        return vfio_pci_match_parse(o->device, &m, NULL) == 0
                   ? 0
                   : opt_error(err, len, "bad --device '%s'", o->device);
    }
    if (strcmp(a, "--iommu") == 0) {
        if (opt_value(argc, argv, i, &v, err, len) < 0) {
            return -EINVAL;
        }
        return vfio_iommu_kind_parse(v, &o->iommu) == 0
                   ? 0
                   : opt_error(err, len, "bad --iommu '%s'", v);
    }
    if (strcmp(a, "--seed") == 0) {
        o->seed_given = true;
        return opt_u64(argc, argv, i, &o->seed, err, len);
    }
    if (strcmp(a, "--bind") == 0) {
        o->bind = true;
    } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
        o->help = true;
    } else {
        return 1; /* not a common option */
    }
    return 0;
}

static int parse_one(enum rel_program prog, int argc, char *const argv[],
                     int *i, struct rel_options *o, char *err, size_t len)
{
    const char *a = argv[*i];
    int r = parse_common(argc, argv, i, o, err, len);

    if (r <= 0) {
        return r;
    }
    if (prog == REL_FUZZ && strcmp(a, "--ops") == 0) {
        return opt_u64(argc, argv, i, &o->ops, err, len);
    }
    if (prog == REL_FUZZ && strcmp(a, "--batch") == 0) {
        r = opt_u64(argc, argv, i, &o->batch, err, len);
        return r == 0 && o->batch == 0
                   ? opt_error(err, len, "--batch must be > 0")
                   : r;
    }
    if (prog == REL_STORM && strcmp(a, "--transfers") == 0) {
        return opt_u64(argc, argv, i, &o->transfers, err, len);
    }
    if (prog == REL_STORM && strcmp(a, "--soak") == 0) {
        return opt_u64(argc, argv, i, &o->soak_s, err, len);
    }
    return opt_error(err, len, "unknown option '%s' (see --help)", a);
}

int rel_parse_args(enum rel_program prog, int argc, char *const argv[],
                   struct rel_options *o, char *err, size_t err_len)
{
    memset(o, 0, sizeof(*o));
    o->device = REL_DEFAULT_DEVICE;
    o->ops = 2000;
    o->batch = 200;
    o->transfers = 1000000;
    err[0] = '\0';
    for (int i = 1; i < argc; i++) {
        if (parse_one(prog, argc, argv, &i, o, err, err_len) < 0) {
            return -EINVAL;
        }
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
    if (o->help) {
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
    char buf[VFIO_ERROR_DETAIL_MAX + 256];

    fprintf(stderr, "%s: %s: %s\n", t->prog, what,
            vfio_error_format(e, buf, sizeof(buf)));
}

int rel_open(struct rel_target *t, const struct rel_options *o)
{
    struct vfio_pci_tool_opts opts = {
        .device = o->device,
        .bind = o->bind,
        .open = {.iommu = o->iommu},
        .drivers = vfio_drivers_only("mypci"),
    };
    struct vfio_error e = {0};
    char what[128], desc[VFIO_PCI_BDF_MAX + 300];

    if (vfio_pci_tool_open(&t->tool, &opts, &e) < 0) {
        rel_report(
            t, vfio_pci_tool_failure(&t->tool, &opts, what, sizeof(what)), &e);
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

void rel_fill(volatile void *p, size_t len, uint32_t tag)
{
    volatile uint8_t *b = p;
    uint32_t x = tag * 2654435761u + 1;

    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        b[i] = (uint8_t)(x >> 16);
    }
}

long rel_check(const volatile void *p, size_t len, uint32_t tag)
{
    const volatile uint8_t *b = p;
    uint32_t x = tag * 2654435761u + 1;

    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        if (b[i] != (uint8_t)(x >> 16)) {
            return (long)i;
        }
    }
    return -1;
}

double rel_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
