/*
 * mypci-bench's own options (see bench_opts.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_opts.h"
#include "opt.h"

static const char usage[] =
    "usage: mypci-bench [--quick] [OPTIONS]\n"
    "Measures mypci's MMIO, interrupt, DMA and IOMMU latency through VFIO,\n"
    "beside QEMU's edu and pci-testdev (docs/bench.md).\n"
    "  --quick         min/p50/p99 of four figures, few hundred iterations\n"
    "                  (under 15 s under TCG)\n" TOOL_USAGE_DEVICE
        TOOL_USAGE_IOVA_BASE "  --help          this text\n"
    "Measurement options (full run; --quick keeps its fixed summary):\n"
    "  --iterations N  timed iterations per figure (default 5000; --quick "
    "300);\n"
    "                  copies over 4 KiB take N*4KiB/size (at least 100),\n"
    "                  IOMMU mappings N/10 (20 to 500)\n"
    "  --warmup N      untimed iterations before each figure (default 100;\n"
    "                  --quick 50)\n"
    "  --sizes LIST    DMA sizes, e.g. 64,4K,1M (default 64 B to mem-size in\n"
    "                  powers of 4)\n"
    "  --modes LIST    interrupt modes among msix,msi,intx (default all)\n"
    "  --map-size SIZE buffer the IOMMU map figures map (default 2M)\n"
    "  --no-refs       only mypci: skip QEMU's edu and pci-testdev\n"
    "  --json FILE     also write every figure as JSON to FILE\n";

const char *bench_usage(void)
{
    return usage;
}

int bench_parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    uint64_t mult = 1;

    if (!s || *s < '0' || *s > '9') {
        return -EINVAL;
    }
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno) {
        return -EINVAL;
    }
    if (strcmp(end, "K") == 0 || strcmp(end, "KiB") == 0 ||
        strcmp(end, "k") == 0) {
        mult = 1024;
    } else if (strcmp(end, "M") == 0 || strcmp(end, "MiB") == 0) {
        mult = 1024 * 1024;
    } else if (*end != '\0') {
        return -EINVAL;
    }
    if (v == 0 || v > BENCH_MAX_SIZE / mult) {
        return -EINVAL;
    }
    *out = (uint64_t)v * mult;
    return 0;
}

static int parse_count(const char *opt, const char *s, unsigned min,
                       unsigned max, unsigned *out, char *err, size_t len)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = (s && *s >= '0' && *s <= '9') ? strtoul(s, &end, 10) : 0;
    if (!s || *s < '0' || *s > '9' || errno || *end != '\0' || v < min ||
        v > max) {
        return opt_error(err, len,
                         "bad %s '%s' (want a whole number from %u to %u)", opt,
                         s ? s : "", min, max);
    }
    *out = (unsigned)v;
    return 0;
}

static int parse_sizes(const char *s, struct bench_opts *o, char *err,
                       size_t len)
{
    char buf[256], *save = NULL, *tok;

    if (strlen(s) >= sizeof(buf)) {
        return opt_error(err, len, "--sizes list too long");
    }
    strcpy(buf, s);
    o->nr_sizes = 0;
    for (tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (o->nr_sizes == BENCH_MAX_SIZES) {
            return opt_error(err, len, "--sizes: at most %d sizes",
                             BENCH_MAX_SIZES);
        }
        if (bench_parse_size(tok, &o->sizes[o->nr_sizes]) < 0) {
            return opt_error(
                err, len,
                "bad size '%s' in --sizes (want e.g. 64, 4K or 1M, "
                "from 1 byte to 256M)",
                tok);
        }
        o->nr_sizes++;
    }
    if (o->nr_sizes == 0) {
        return opt_error(err, len, "--sizes needs at least one size");
    }
    return 0;
}

static int parse_modes(const char *s, struct bench_opts *o, char *err,
                       size_t len)
{
    char buf[64], *save = NULL, *tok;

    if (strlen(s) >= sizeof(buf)) {
        return opt_error(err, len, "bad --modes '%s'", s);
    }
    strcpy(buf, s);
    o->modes = 0;
    for (tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (strcmp(tok, "msix") == 0) {
            o->modes |= BENCH_MODE_MSIX;
        } else if (strcmp(tok, "msi") == 0) {
            o->modes |= BENCH_MODE_MSI;
        } else if (strcmp(tok, "intx") == 0) {
            o->modes |= BENCH_MODE_INTX;
        } else {
            return opt_error(
                err, len, "bad mode '%s' in --modes (want msix, msi or intx)",
                tok);
        }
    }
    if (o->modes == 0) {
        return opt_error(err, len, "--modes needs at least one mode");
    }
    return 0;
}

/* Options with a value: 1 if argv[*i] is one of ours and was taken. */
static int parse_valued(int argc, char *const argv[], int *i,
                        struct bench_opts *o, char *err, size_t len)
{
    static const char *const valued[] = {"--json",   "--iterations",
                                         "--warmup", "--sizes",
                                         "--modes",  "--map-size"};
    const char *a = argv[*i], *v;
    size_t k;

    for (k = 0; k < sizeof(valued) / sizeof(valued[0]); k++) {
        if (strcmp(a, valued[k]) == 0) {
            break;
        }
    }
    if (k == sizeof(valued) / sizeof(valued[0])) {
        return 0;
    }
    if (opt_value(argc, argv, i, &v, err, len) < 0) {
        return -EINVAL;
    }
    switch (k) {
    case 0:
        o->json = v;
        return *v ? 1 : opt_error(err, len, "--json needs a file name");
    case 1:
        return parse_count(a, v, 1, BENCH_MAX_ITERATIONS, &o->iterations, err,
                           len) < 0
                   ? -EINVAL
                   : 1;
    case 2:
        o->warmup_set = true;
        return parse_count(a, v, 0, BENCH_MAX_WARMUP, &o->warmup, err, len) < 0
                   ? -EINVAL
                   : 1;
    case 3:
        return parse_sizes(v, o, err, len) < 0 ? -EINVAL : 1;
    case 4:
        return parse_modes(v, o, err, len) < 0 ? -EINVAL : 1;
    default:
        if (bench_parse_size(v, &o->map_size) < 0 || o->map_size % 4096) {
            return opt_error(
                err, len,
                "bad --map-size '%s' (want a multiple of 4K up to 256M)", v);
        }
        return 1;
    }
}

/* --quick, --no-refs and the measurement options (tool_own_opt). */
static int own_option(int argc, char *const argv[], int *i, void *ctx,
                      char *err, size_t len)
{
    struct bench_opts *o = ctx;
    int r;

    if (strcmp(argv[*i], "--quick") == 0) {
        o->quick = true;
        return 0;
    }
    if (strcmp(argv[*i], "--no-refs") == 0) {
        o->no_refs = true;
        return 0;
    }
    r = parse_valued(argc, argv, i, o, err, len);
    return r < 0 ? -EINVAL : (r == 1 ? 0 : 1);
}

int bench_opts_parse(int argc, char *const argv[], struct bench_opts *o,
                     char *err, size_t err_len)
{
    memset(o, 0, sizeof(*o));
    tool_common_init(&o->c);
    o->modes = BENCH_MODE_ALL;
    o->map_size = 2ull * 1024 * 1024;
    return tool_parse_args(argc, argv, TOOL_TAKES_IOVA_BASE, &o->c, own_option,
                           o, err, err_len);
}
