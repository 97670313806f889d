/*
 * The guest tools' common options and start (see tool.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers.h"
#include "opt.h"
#include "tool.h"
#include "vfio/pci_discovery.h"

void tool_common_init(struct tool_common *c)
{
    memset(c, 0, sizeof(*c));
    c->device = TOOL_DEFAULT_DEVICE;
    c->iommu = VFIO_IOMMU_AUTO;
}

static int parse_device(const char *v, struct tool_common *c, char *err,
                        size_t len)
{
    struct vfio_pci_match m;

    c->device = v;
    if (vfio_pci_match_parse(v, &m, NULL) < 0) {
        return opt_error(
            err, len,
            "bad --device '%s' (want a BDF such as 0000:00:03.0 or "
            "VENDOR:DEVICE such as 1af4:1236)",
            v);
    }
    return 0;
}

static int parse_iommu(const char *v, struct tool_common *c, char *err,
                       size_t len)
{
    if (vfio_iommu_kind_parse(v, &c->iommu) < 0) {
        return opt_error(err, len,
                         "bad --iommu '%s' (want auto, type1 or iommufd)", v);
    }
    return 0;
}

static int parse_iova(const char *v, struct tool_common *c, char *err,
                      size_t len)
{
    char *end;

    errno = 0;
    c->iova_base = strtoull(v, &end, 0);
    if (errno || end == v || *end || v[0] == '-' || c->iova_base % 4096) {
        return opt_error(
            err, len,
            "bad --iova-base '%s' (want a page-aligned address such as "
            "0x100000000)",
            v);
    }
    return 0;
}

/* The common options with a value, and how each is parsed. */
static const struct {
    const char *name;
    unsigned needs; /* TOOL_TAKES_* bit, 0: every tool */
    int (*parse)(const char *v, struct tool_common *c, char *err, size_t len);
} valued[] = {
    {"--device", 0, parse_device},
    {"--iommu", 0, parse_iommu},
    {"--iova-base", TOOL_TAKES_IOVA_BASE, parse_iova},
};

int tool_parse_common(int argc, char *const argv[], int *i, unsigned takes,
                      struct tool_common *c, char *err, size_t len)
{
    const char *a = argv[*i], *v;

    if (strcmp(a, "--bind") == 0) {
        c->bind = true;
        return 0;
    }
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
        c->help = true;
        return 0;
    }
    for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]); k++) {
        if (strcmp(a, valued[k].name) != 0 || (valued[k].needs & ~takes) != 0) {
            continue;
        }
        if (opt_value(argc, argv, i, &v, err, len) < 0) {
            return -EINVAL;
        }
        return valued[k].parse(v, c, err, len);
    }
    return 1;
}

int tool_parse_args(int argc, char *const argv[], unsigned takes,
                    struct tool_common *c, tool_own_opt *own, void *ctx,
                    char *err, size_t len)
{
    err[0] = '\0';
    for (int i = 1; i < argc; i++) {
        int r = tool_parse_common(argc, argv, &i, takes, c, err, len);

        if (r == 1) {
            r = own(argc, argv, &i, ctx, err, len);
        }
        if (r == 1) {
            return opt_error(err, len, "unknown option '%s' (see --help)",
                             argv[i]);
        }
        if (r < 0) {
            return -EINVAL;
        }
    }
    return 0;
}

struct vfio_pci_tool_opts tool_open_opts(const struct tool_common *c,
                                         const char *driver)
{
    return (struct vfio_pci_tool_opts){
        .device = c->device,
        .bind = c->bind,
        .open = {.iommu = c->iommu, .iova_floor = c->iova_base},
        .drivers = vfio_drivers_only(driver),
    };
}

void tool_report(const char *prog, const char *what, const struct vfio_error *e)
{
    char buf[VFIO_ERROR_DETAIL_MAX + 256];

    fprintf(stderr, "%s: %s: %s\n", prog, what,
            vfio_error_format(e, buf, sizeof(buf)));
}

int tool_open(const char *prog, const struct tool_common *c, const char *driver,
              struct vfio_pci_tool_device *t)
{
    struct vfio_pci_tool_opts o = tool_open_opts(c, driver);
    struct vfio_error e = {0};
    char what[128];
    int err = vfio_pci_tool_open(t, &o, &e);

    if (err < 0) {
        tool_report(prog, vfio_pci_tool_failure(t, &o, what, sizeof(what)), &e);
    }
    return err;
}
