/*
 * Shared parts of the reliability programs (mypci-fuzz, mypci-storm): their
 * options (beside the common ones of tool.h), their start (seed, opening the
 * device through tool_open), a seeded PRNG and the data pattern transfers
 * are checked against.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RELIABILITY_REL_H
#define RELIABILITY_REL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mypci_driver.h"
#include "pattern.h"
#include "tool.h"
#include "vfio/pci_open.h"

enum rel_program { REL_FUZZ, REL_STORM };

struct rel_options {
    struct tool_common c; /* --device, --iommu, --bind, --help */
    uint64_t seed;
    bool seed_given;
    uint64_t ops;            /* fuzz: operations */
    uint64_t batch;          /* fuzz: operations between health checks */
    const char *busy_device; /* fuzz: a mypci with x-dma-delay-us, or NULL */
    uint64_t transfers;      /* storm: DMA transfers */
    uint64_t soak_s;         /* storm: run for this long instead (0: off) */
};

/* 0, or -EINVAL with the reason in err. */
int rel_parse_args(enum rel_program prog, int argc, char *const argv[],
                   struct rel_options *o, char *err, size_t err_len);
const char *rel_usage(enum rel_program prog);

/* An opened, initialised mypci and how it was bound. */
struct rel_target {
    const char *prog;
    struct vfio_pci_tool_device tool;
    struct vfio_pci_device *dev; /* tool.dev */
    struct mypci *m;
};

/* Opens the device (tool_open) and says which; prints why on failure. */
int rel_open(struct rel_target *t, const struct rel_options *o);
/*
 * The programs' common start: parses argv (a bad option: message, -1),
 * --help (usage, 0), prints the seed, opens the device into t (-1 if it
 * cannot be used). 1 when the program should go on.
 */
int rel_start(enum rel_program prog, int argc, char *const argv[],
              struct rel_target *t, struct rel_options *o);
/* Closes and restores the original driver; -1 if that failed. */
int rel_close(struct rel_target *t);
/* Prints "PROG: WHAT: <formatted error>" on stderr. */
void rel_report(const struct rel_target *t, const char *what,
                const struct vfio_error *e);

/* splitmix64: tiny, seedable, good enough to pick operations. */
static inline uint64_t rel_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. */
static inline uint64_t rel_below(uint64_t *s, uint64_t n)
{
    return rel_rand(s) % n;
}

/* Monotonic time in seconds. */
double rel_now(void);

#endif
