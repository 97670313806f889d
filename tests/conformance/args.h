/*
 * Command-line options of mypci-vfio-test, parsed apart from main() so the
 * unit tests cover them. The options that pick and open the device are the
 * guest tools' common ones (tools/common/tool.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CONFORMANCE_ARGS_H
#define CONFORMANCE_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "tool.h"

enum ct_output {
    CT_OUTPUT_VERBOSE, /* Check's CK_VERBOSE report */
    CT_OUTPUT_TAP,     /* TAP on stdout */
};

struct ct_options {
    struct tool_common c; /* --device, --iommu, --bind, --iova-base, --help */
    bool list;            /* list tests and exit */
    const char *run;      /* only this test or test case */
    const char *busy_device; /* --busy-device: mypci with x-dma-delay-us */
    enum ct_output output;
};

/*
 * Parses argv (argv[0] is the program name). Returns 0, or -EINVAL with a
 * message naming the bad argument in err.
 */
int ct_parse_args(int argc, char *const argv[], struct ct_options *opts,
                  char *err, size_t err_len);

/* The --help text. */
const char *ct_usage(void);

#endif
