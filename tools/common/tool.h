/*
 * What every guest tool (mypci-bench, mypci-fuzz, mypci-storm, and the
 * conformance suite mypci-vfio-test) shares: the options that pick and open
 * the device, and opening it through the library's one helper
 * (vfio_pci_tool_open) with one message on failure.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TOOL_H
#define TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfio/iommu.h"
#include "vfio/pci_open.h"

#define TOOL_DEFAULT_DEVICE "1af4:1236"

/* The --help lines of the options every tool takes. */
#define TOOL_USAGE_DEVICE                                                      \
    "  --device BDF|VENDOR:DEVICE  (default " TOOL_DEFAULT_DEVICE ")\n"        \
    "  --iommu auto|type1|iommufd  IOMMU backend (default auto)\n"             \
    "  --bind          bind the device to vfio-pci if needed, restore after\n"
#define TOOL_USAGE_IOVA_BASE                                                   \
    "  --iova-base ADDR  put DMA buffers at IOVAs from ADDR up (page "         \
    "aligned,\n"                                                               \
    "                  e.g. 0x100000000 to test addresses above 4 GiB)\n"

struct tool_common {
    const char *device;         /* --device BDF|VENDOR:DEVICE */
    enum vfio_iommu_kind iommu; /* --iommu */
    bool bind;                  /* --bind */
    uint64_t iova_base;         /* --iova-base, if the tool takes it */
    bool help;                  /* --help, -h */
};

/* Which optional common options a tool takes. */
#define TOOL_TAKES_IOVA_BASE (1u << 0)

/* The defaults: the mypci device, IOMMU backend auto. */
void tool_common_init(struct tool_common *c);

/*
 * Takes argv[*i] (and its value, advancing *i) if it is a common option:
 * 0 when taken, 1 when it is not one, -EINVAL with a message in err when
 * its value is bad.
 */
int tool_parse_common(int argc, char *const argv[], int *i, unsigned takes,
                      struct tool_common *c, char *err, size_t len);

/*
 * A tool's own options: takes argv[*i] (advancing *i past a value) and
 * returns 0, -EINVAL with a message in err, or 1 if it is not one of them.
 */
typedef int tool_own_opt(int argc, char *const argv[], int *i, void *ctx,
                         char *err, size_t len);

/*
 * Parses argv[1..] (c already holds the defaults): each argument is a
 * common option or one of own's; anything else is "unknown option". 0, or
 * -EINVAL with a message naming the bad argument in err.
 */
int tool_parse_args(int argc, char *const argv[], unsigned takes,
                    struct tool_common *c, tool_own_opt *own, void *ctx,
                    char *err, size_t len);

/* The open options of c with the drivers of the library called driver. */
struct vfio_pci_tool_opts tool_open_opts(const struct tool_common *c,
                                         const char *driver);

/*
 * Opens the device of c for driver ("mypci"); on failure prints "PROG:
 * WHAT: CAUSE" on stderr and returns -errno.
 */
int tool_open(const char *prog, const struct tool_common *c, const char *driver,
              struct vfio_pci_tool_device *t);

/* Prints "PROG: WHAT: <formatted error>" on stderr. */
void tool_report(const char *prog, const char *what,
                 const struct vfio_error *e);

#endif
