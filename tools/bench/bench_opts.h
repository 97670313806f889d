/*
 * mypci-bench's options: the guest tools' common ones (tool.h: --device,
 * --iommu, --bind, --iova-base, --help), --quick, and its measurement
 * options (iterations, sizes, modes, JSON output), parsed apart from main()
 * so the unit tests cover them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef BENCH_OPTS_H
#define BENCH_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tool.h"

#define BENCH_MAX_SIZES 16
#define BENCH_MAX_ITERATIONS 10000000u
#define BENCH_MAX_WARMUP 1000000u
#define BENCH_MAX_SIZE (256ull * 1024 * 1024) /* the ABI's largest mem-size */

/* --modes bits */
#define BENCH_MODE_MSIX (1u << 0)
#define BENCH_MODE_MSI (1u << 1)
#define BENCH_MODE_INTX (1u << 2)
#define BENCH_MODE_ALL (BENCH_MODE_MSIX | BENCH_MODE_MSI | BENCH_MODE_INTX)

struct bench_opts {
    struct tool_common c; /* --device, --iommu, --bind, --iova-base, --help */
    bool quick;           /* --quick: the main job's short summary */
    const char *json;     /* --json FILE, NULL: none */
    unsigned iterations;  /* --iterations N, 0: the default */
    unsigned warmup;      /* --warmup N when warmup_set */
    bool warmup_set;
    uint64_t sizes[BENCH_MAX_SIZES]; /* --sizes, in the order given */
    size_t nr_sizes;                 /* 0: 64 B ... mem-size, powers of 4 */
    unsigned modes;                  /* --modes, BENCH_MODE_* (default all) */
    uint64_t map_size;               /* --map-size, default 2 MiB */
    bool no_refs;                    /* --no-refs: mypci only */
};

/*
 * Parses argv (argv[0] is the program name): 0, or -EINVAL with a message
 * naming the bad argument in err.
 */
int bench_opts_parse(int argc, char *const argv[], struct bench_opts *o,
                     char *err, size_t err_len);

/* "64", "4K", "4KiB", "1M", "1MiB": 0, or -EINVAL (also for 0 or > 256 MiB). */
int bench_parse_size(const char *s, uint64_t *out);

/* The --help text. */
const char *bench_usage(void);

#endif
