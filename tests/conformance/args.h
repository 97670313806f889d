/*
 * Command-line options of mypci-vfio-test and mypci-bench, parsed apart from
 * main() so the unit tests cover them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CONFORMANCE_ARGS_H
#define CONFORMANCE_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfio/iommu.h"

#define CT_DEFAULT_DEVICE "1af4:1236"

enum ct_output {
    CT_OUTPUT_VERBOSE, /* Check's CK_VERBOSE report */
    CT_OUTPUT_TAP,     /* TAP on stdout */
};

struct ct_options {
    const char *device; /* BDF or VENDOR:DEVICE */
    enum vfio_iommu_kind iommu;
    bool bind;       /* bind to vfio-pci ourselves, restore afterwards */
    bool list;       /* list tests and exit */
    const char *run; /* only this test or test case */
    enum ct_output output;
    bool quick;
    bool help;
    uint64_t iova_base; /* DMA buffers at IOVAs from here (0: lowest) */
};

enum ct_program {
    CT_PROGRAM_TEST,  /* mypci-vfio-test */
    CT_PROGRAM_BENCH, /* mypci-bench */
};

/*
 * Parses argv (argv[0] is the program name). Returns 0, or -EINVAL with a
 * message naming the bad argument in err.
 */
int ct_parse_args(enum ct_program prog, int argc, char *const argv[],
                  struct ct_options *opts, char *err, size_t err_len);

/* The --help text. */
const char *ct_usage(enum ct_program prog);

#endif
