/*
 * Error reporting for the VFIO library: every function returns 0 or -errno
 * and, when the caller passes a struct vfio_error, records a cause a user
 * can act on plus a detail string. The library never prints and keeps no
 * global state; tools decide what to show.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef VFIO_ERROR_H
#define VFIO_ERROR_H

#include <stddef.h>

enum vfio_cause {
    VFIO_CAUSE_NONE = 0,
    VFIO_CAUSE_NO_VFIO,          /* vfio modules not loaded */
    VFIO_CAUSE_NO_IOMMU,         /* device has no IOMMU group */
    VFIO_CAUSE_NO_INTREMAP,      /* type1 refused: no interrupt remapping */
    VFIO_CAUSE_GROUP_NOT_VIABLE, /* another group member has a driver */
    VFIO_CAUSE_NOT_BOUND,        /* device not bound to vfio-pci */
    VFIO_CAUSE_NOT_FOUND,        /* no such PCI device */
    VFIO_CAUSE_BAD_ADDRESS,      /* malformed BDF or VENDOR:DEVICE */
    VFIO_CAUSE_PERMISSION,       /* not allowed to open a VFIO file */
    VFIO_CAUSE_BUSY,             /* group or device already in use */
    VFIO_CAUSE_UNSUPPORTED,      /* feature/backend not available */
    VFIO_CAUSE_NO_IOVA,          /* IOVA space exhausted */
    VFIO_CAUSE_IOVA_RANGE,       /* IOVA outside the IOMMU's usable ranges */
    VFIO_CAUSE_MMAP,             /* a BAR cannot be or was not mmapped */
    VFIO_CAUSE_TIMEOUT,
    VFIO_CAUSE_SYSTEM, /* any other failing system call */
    VFIO_CAUSE_COUNT
};

/* The step that failed; with errno it decides the cause. */
enum vfio_op {
    VFIO_OP_OPEN_CONTAINER, /* open /dev/vfio/vfio */
    VFIO_OP_OPEN_GROUP,     /* open /dev/vfio/N */
    VFIO_OP_SET_CONTAINER,  /* VFIO_GROUP_SET_CONTAINER */
    VFIO_OP_SET_IOMMU,      /* VFIO_SET_IOMMU */
    VFIO_OP_GET_DEVICE_FD,  /* VFIO_GROUP_GET_DEVICE_FD */
    VFIO_OP_SYSFS,          /* reading or writing sysfs */
    VFIO_OP_IOCTL,          /* any other ioctl */
    VFIO_OP_OPEN_IOMMUFD,   /* open /dev/iommu */
    VFIO_OP_OPEN_CDEV,      /* open /dev/vfio/devices/vfioN */
    VFIO_OP_BIND_IOMMUFD,   /* VFIO_DEVICE_BIND_IOMMUFD */
    VFIO_OP_ATTACH_IOMMUFD, /* VFIO_DEVICE_ATTACH_IOMMUFD_PT */
};

#define VFIO_ERROR_DETAIL_MAX 512

struct vfio_error {
    enum vfio_cause cause;
    int err; /* positive errno */
    char detail[VFIO_ERROR_DETAIL_MAX];
};

/* Short name of a cause, e.g. "vfio modules not loaded". */
const char *vfio_cause_name(enum vfio_cause cause);

/* What a user can do about it (one sentence), or "" if nothing general. */
const char *vfio_cause_hint(enum vfio_cause cause);

/* The cause of err (a positive errno) failing in op. */
enum vfio_cause vfio_cause_classify(enum vfio_op op, int err);

/*
 * Records cause, errno and a printf-style detail in e (if e is not NULL);
 * returns -err so callers can "return vfio_error_set(...)". It replaces
 * whatever e held: the last layer to set it knows the most (e.g. the IOMMU
 * layer turning a backend's refused map into "outside the ranges").
 */
int vfio_error_set(struct vfio_error *e, enum vfio_cause cause, int err,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

void vfio_error_clear(struct vfio_error *e);

/*
 * "CAUSE: DETAIL (strerror); HINT" into buf; returns buf. Tools print this
 * one line.
 */
const char *vfio_error_format(const struct vfio_error *e, char *buf,
                              size_t len);

#endif
