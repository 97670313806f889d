/*
 * Option parsing for mypci-vfio-test and mypci-bench (see args.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "opt.h"
#include "vfio/pci_discovery.h"

static const char usage_test[] =
    "usage: mypci-vfio-test [OPTIONS]\n"
    "Checks the mypci device against its ABI through VFIO.\n"
    "  --device BDF|VENDOR:DEVICE  device to test (default " CT_DEFAULT_DEVICE
    ")\n"
    "  --iommu auto|type1|iommufd  IOMMU backend (default auto)\n"
    "  --bind          bind the device to vfio-pci if needed, restore after\n"
    "  --list          list the tests (TESTCASE/TEST) and exit\n"
    "  --run NAME      run only the test or test case NAME\n"
    "  --tap           print TAP instead of Check's verbose report\n"
    "  --iova-base ADDR  put DMA buffers at IOVAs from ADDR up (page aligned,\n"
    "                  e.g. 0x100000000 to test addresses above 4 GiB)\n"
    "  --help          this text\n"
    "Exit status: 0 all passed, 1 a test failed, 2 the device could not be\n"
    "used (the message says why) or bad usage.\n";

static const char usage_bench[] =
    "usage: mypci-bench [--quick] [OPTIONS]\n"
    "Measures mypci's MMIO, interrupt, DMA and IOMMU latency through VFIO,\n"
    "beside QEMU's edu and pci-testdev (docs/bench.md).\n"
    "  --quick         min/p50/p99 of four figures, few hundred iterations\n"
    "                  (under 15 s under TCG)\n"
    "  --device BDF|VENDOR:DEVICE  (default " CT_DEFAULT_DEVICE ")\n"
    "  --iommu auto|type1|iommufd\n"
    "  --bind          bind the device to vfio-pci if needed, restore after\n"
    "  --iova-base ADDR  put DMA buffers at IOVAs from ADDR up\n"
    "  --help          this text\n";

const char *ct_usage(enum ct_program prog)
{
    return prog == CT_PROGRAM_BENCH ? usage_bench : usage_test;
}

static int check_device(const char *device, char *err, size_t len)
{
    struct vfio_pci_match m;

    if (vfio_pci_match_parse(device, &m, NULL) < 0) {
        return opt_error(
            err, len,
            "bad --device '%s' (want a BDF such as 0000:00:03.0 or "
            "VENDOR:DEVICE such as 1af4:1236)",
            device);
    }
    return 0;
}

static int parse_iova(const char *v, uint64_t *iova, char *err, size_t len)
{
    char *end;

    errno = 0;
    *iova = strtoull(v, &end, 0);
    if (errno || end == v || *end || v[0] == '-' || *iova % 4096) {
        return opt_error(
            err, len,
            "bad --iova-base '%s' (want a page-aligned address such as "
            "0x100000000)",
            v);
    }
    return 0;
}

static int parse_one(enum ct_program prog, int argc, char *const argv[], int *i,
                     struct ct_options *o, char *err, size_t len)
{
    const char *a = argv[*i], *v = NULL;
    bool test = prog == CT_PROGRAM_TEST;

    if (strcmp(a, "--device") == 0) {
        if (opt_value(argc, argv, i, &o->device, err, len) < 0) {
            return -EINVAL;
        }
        return check_device(o->device, err, len);
    }
    if (strcmp(a, "--iommu") == 0) {
        if (opt_value(argc, argv, i, &v, err, len) < 0) {
            return -EINVAL;
        }
        return vfio_iommu_kind_parse(v, &o->iommu) == 0
                   ? 0
                   : opt_error(err, len,
                               "bad --iommu '%s' (want auto, type1 or iommufd)",
                               v);
    }
    if (strcmp(a, "--iova-base") == 0) {
        if (opt_value(argc, argv, i, &v, err, len) < 0) {
            return -EINVAL;
        }
        return parse_iova(v, &o->iova_base, err, len);
    }
    if (strcmp(a, "--bind") == 0) {
        o->bind = true;
    } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
        o->help = true;
    } else if (test && strcmp(a, "--list") == 0) {
        o->list = true;
    } else if (test && strcmp(a, "--tap") == 0) {
        o->output = CT_OUTPUT_TAP;
    } else if (test && strcmp(a, "--run") == 0) {
        return opt_value(argc, argv, i, &o->run, err, len);
    } else if (!test && strcmp(a, "--quick") == 0) {
        o->quick = true;
    } else {
        return opt_error(err, len, "unknown option '%s' (see --help)", a);
    }
    return 0;
}

int ct_parse_args(enum ct_program prog, int argc, char *const argv[],
                  struct ct_options *opts, char *err, size_t err_len)
{
    memset(opts, 0, sizeof(*opts));
    opts->device = CT_DEFAULT_DEVICE;
    opts->iommu = VFIO_IOMMU_AUTO;
    opts->output = CT_OUTPUT_VERBOSE;
    err[0] = '\0';
    for (int i = 1; i < argc; i++) {
        if (parse_one(prog, argc, argv, &i, opts, err, err_len) < 0) {
            return -EINVAL;
        }
    }
    return 0;
}
