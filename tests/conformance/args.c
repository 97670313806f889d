/*
 * Option parsing for mypci-vfio-test (see args.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "args.h"
#include "opt.h"
#include "vfio/pci_discovery.h"

static const char usage[] =
    "usage: mypci-vfio-test [OPTIONS]\n"
    "Checks the mypci device against its ABI through VFIO.\n" TOOL_USAGE_DEVICE
    "  --list          list the tests (TESTCASE/TEST) and exit\n"
    "  --run NAME      run only the test or test case NAME\n"
    "  --tap           print TAP instead of Check's verbose "
    "report\n"
    "  --busy-device BDF|VENDOR:DEVICE  a second mypci started with\n"
    "                  x-dma-delay-us: the tests that race the DMA engine run\n"
    "                  on it and must see it BUSY (bound with --bind "
    "too)\n" TOOL_USAGE_IOVA_BASE "  --help          this text\n"
    "Exit status: 0 all passed, 1 a test failed, 2 the device could not be\n"
    "used (the message says why) or bad usage.\n";

const char *ct_usage(void)
{
    return usage;
}

/* --list, --tap, --run NAME, --busy-device SPEC (tool_own_opt). */
static int own_option(int argc, char *const argv[], int *i, void *ctx,
                      char *err, size_t len)
{
    struct ct_options *o = ctx;
    const char *a = argv[*i];

    if (strcmp(a, "--list") == 0) {
        o->list = true;
    } else if (strcmp(a, "--tap") == 0) {
        o->output = CT_OUTPUT_TAP;
    } else if (strcmp(a, "--run") == 0) {
        return opt_value(argc, argv, i, &o->run, err, len);
    } else if (strcmp(a, "--busy-device") == 0) {
        struct vfio_pci_match m;
        int r = opt_value(argc, argv, i, &o->busy_device, err, len);

        if (r == 0 && vfio_pci_match_parse(o->busy_device, &m, NULL) < 0) {
            return opt_error(err, len,
                             "bad --busy-device '%s' (want a BDF such as "
                             "0000:00:04.0 or VENDOR:DEVICE)",
                             o->busy_device);
        }
        return r;
    } else {
        return 1;
    }
    return 0;
}

int ct_parse_args(int argc, char *const argv[], struct ct_options *opts,
                  char *err, size_t err_len)
{
    memset(opts, 0, sizeof(*opts));
    tool_common_init(&opts->c);
    opts->output = CT_OUTPUT_VERBOSE;
    return tool_parse_args(argc, argv, TOOL_TAKES_IOVA_BASE, &opts->c,
                           own_option, opts, err, err_len);
}
