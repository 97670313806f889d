/*
 * Error causes and their messages (see vfio/error.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vfio/error.h"

struct cause_text {
    const char *name;
    const char *hint;
};

static const struct cause_text cause_texts[VFIO_CAUSE_COUNT] = {
    [VFIO_CAUSE_NONE] = {"no error", ""},
    [VFIO_CAUSE_NO_VFIO] =
        {"vfio modules not loaded",
         "load vfio, vfio_iommu_type1 and vfio-pci (modprobe vfio-pci)"},
    [VFIO_CAUSE_NO_IOMMU] =
        {"no IOMMU for the device",
         "enable an IOMMU (e.g. intel_iommu=on, and a vIOMMU in a VM)"},
    [VFIO_CAUSE_NO_INTREMAP] =
        {"IOMMU without interrupt remapping",
         "turn interrupt remapping on (no intremap=off on the kernel command "
         "line; a VM needs intel-iommu,intremap=on), "
         "or set allow_unsafe_interrupts=1 on vfio_iommu_type1 (type1) or "
         "iommufd (iommufd)"},
    [VFIO_CAUSE_GROUP_NOT_VIABLE] =
        {"IOMMU group not viable",
         "bind every device of the group to vfio-pci or unbind it from its "
         "driver"},
    [VFIO_CAUSE_NOT_BOUND] = {"device not bound to vfio-pci",
                              "bind it to vfio-pci first (or pass --bind)"},
    [VFIO_CAUSE_NOT_FOUND] = {"PCI device not found",
                              "check the address or IDs with lspci -nn -D"},
    [VFIO_CAUSE_BAD_ADDRESS] =
        {"bad device address",
         "use a BDF such as 0000:00:03.0 or VENDOR:DEVICE such as 1af4:1236"},
    [VFIO_CAUSE_PERMISSION] = {"permission denied",
                               "run as root or give the user the VFIO group "
                               "file and a large enough RLIMIT_MEMLOCK"},
    [VFIO_CAUSE_BUSY] = {"device or group busy",
                         "another process has the group or device open"},
    [VFIO_CAUSE_UNSUPPORTED] = {"not supported", ""},
    [VFIO_CAUSE_NO_IOVA] = {"IOVA space exhausted",
                            "map fewer or smaller buffers"},
    [VFIO_CAUSE_IOVA_RANGE] =
        {"IOVA outside the IOMMU's ranges",
         "use IOVAs inside the ranges VFIO reports (vfio_iommu_iova_ranges)"},
    [VFIO_CAUSE_MMAP] = {"BAR mmap refused",
                         "access the BAR through read()/write() on the "
                         "device fd, or raise the address-space limit "
                         "(ulimit -v) if that refused it"},
    [VFIO_CAUSE_TIMEOUT] = {"timed out", ""},
    [VFIO_CAUSE_SYSTEM] = {"system call failed", ""},
};

const char *vfio_cause_name(enum vfio_cause cause)
{
    if ((unsigned)cause >= VFIO_CAUSE_COUNT) {
        return "unknown cause";
    }
    return cause_texts[cause].name;
}

const char *vfio_cause_hint(enum vfio_cause cause)
{
    if ((unsigned)cause >= VFIO_CAUSE_COUNT) {
        return "";
    }
    return cause_texts[cause].hint;
}

/* A missing file means something different at each step. */
static enum vfio_cause classify_missing(enum vfio_op op)
{
    switch (op) {
    case VFIO_OP_OPEN_CONTAINER:
        return VFIO_CAUSE_NO_VFIO;
    case VFIO_OP_OPEN_GROUP:
        /* /dev/vfio/N appears once a group member is bound to vfio-pci. */
        return VFIO_CAUSE_NOT_BOUND;
    case VFIO_OP_GET_DEVICE_FD:
        return VFIO_CAUSE_NOT_BOUND;
    case VFIO_OP_OPEN_IOMMUFD:
        return VFIO_CAUSE_UNSUPPORTED; /* kernel without iommufd */
    case VFIO_OP_OPEN_CDEV:
        /* The cdev goes away when the device leaves vfio-pci. */
        return VFIO_CAUSE_NOT_BOUND;
    default:
        return VFIO_CAUSE_SYSTEM;
    }
}

enum vfio_cause vfio_cause_classify(enum vfio_op op, int err)
{
    switch (err) {
    case 0:
        return VFIO_CAUSE_NONE;
    case ENOENT:
    case ENODEV:
        return classify_missing(op);
    case EPERM:
        /*
         * type1 (SET_IOMMU) and iommufd (BIND) answer EPERM when the IOMMU
         * cannot isolate MSIs, i.e. does not remap interrupts.
         */
        return op == VFIO_OP_SET_IOMMU || op == VFIO_OP_BIND_IOMMUFD
                   ? VFIO_CAUSE_NO_INTREMAP
                   : VFIO_CAUSE_PERMISSION;
    case EACCES:
        return VFIO_CAUSE_PERMISSION;
    case EBUSY:
        return VFIO_CAUSE_BUSY;
    case EINVAL:
        /* A group that is not viable cannot join a container. */
        return op == VFIO_OP_SET_CONTAINER ? VFIO_CAUSE_GROUP_NOT_VIABLE
                                           : VFIO_CAUSE_SYSTEM;
    case ENOTTY:
    case EOPNOTSUPP:
        return VFIO_CAUSE_UNSUPPORTED;
    case ETIMEDOUT:
        return VFIO_CAUSE_TIMEOUT;
    case ENOSPC:
        return VFIO_CAUSE_NO_IOVA;
    default:
        return VFIO_CAUSE_SYSTEM;
    }
}

int vfio_error_set(struct vfio_error *e, enum vfio_cause cause, int err,
                   const char *fmt, ...)
{
    va_list ap;

    if (err < 0) {
        err = -err;
    }
    if (err == 0) {
        err = EIO; /* a failure must never look like success */
    }
    if (e) {
        e->cause = cause;
        e->err = err;
        va_start(ap, fmt);
        vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
        va_end(ap);
    }
    return -err;
}

void vfio_error_clear(struct vfio_error *e)
{
    if (e) {
        e->cause = VFIO_CAUSE_NONE;
        e->err = 0;
        e->detail[0] = '\0';
    }
}

const char *vfio_error_format(const struct vfio_error *e, char *buf, size_t len)
{
    const char *hint = vfio_cause_hint(e->cause);

    snprintf(buf, len, "%s: %s (%s)%s%s", vfio_cause_name(e->cause),
             e->detail[0] ? e->detail : "no detail", strerror(e->err),
             hint[0] ? "; " : "", hint);
    return buf;
}
