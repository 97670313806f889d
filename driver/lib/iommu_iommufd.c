/*
 * The iommufd IOMMU backend: /dev/iommu with one IO address space (IOAS);
 * each device is opened through its VFIO cdev (/dev/vfio/devices/vfioN),
 * bound to the iommufd (VFIO_DEVICE_BIND_IOMMUFD) and attached to the IOAS
 * (VFIO_DEVICE_ATTACH_IOMMUFD_PT). No group or container is involved, so
 * the group's /dev/vfio/N stays closed (opening it now fails with EBUSY).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "sysfs.h"
#include "vfio/iommu.h"
#include "vfio/iova.h"

/* Tries of IOMMU_IOAS_IOVA_RANGES while the ranges keep growing. */
#define IOVA_RANGES_TRIES 4

static int iommufd_open(struct vfio_iommu *iommu, struct vfio_error *e)
{
    struct iommu_ioas_alloc alloc = {.size = sizeof(alloc)};
    char path[VFIO_PATH_MAX];
    int fd, err;

    snprintf(path, sizeof(path), "%s/iommu", iommu->dev_root);
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        err = errno;
        return vfio_error_set(e, vfio_cause_classify(VFIO_OP_OPEN_IOMMUFD, err),
                              err, "cannot open %s", path);
    }
    if (ioctl(fd, IOMMU_IOAS_ALLOC, &alloc) < 0) {
        err = errno;
        close(fd);
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, err,
                              "IOMMU_IOAS_ALLOC on %s", path);
    }
    iommu->iommufd = fd;
    iommu->ioas_id = alloc.out_ioas_id;
    return 0;
}

static int cdev_open(struct vfio_iommu *iommu, const char *bdf, int *out_fd,
                     struct vfio_error *e)
{
    struct vfio_env env = {iommu->dev_root, iommu->sys_root};
    char path[VFIO_PATH_MAX], cdev[32];
    int fd, err = vfio_device_cdev_name(&env, bdf, cdev, sizeof(cdev));

    if (err < 0) {
        return vfio_error_set(e, VFIO_CAUSE_NOT_BOUND, err,
                              "%s has no VFIO device (%s/bus/pci/devices/%s/"
                              "vfio-dev)",
                              bdf, iommu->sys_root, bdf);
    }
    snprintf(path, sizeof(path), "%s/vfio/devices/%s", iommu->dev_root, cdev);
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        err = errno;
        return vfio_error_set(e, vfio_cause_classify(VFIO_OP_OPEN_CDEV, err),
                              err, "cannot open %s (VFIO device cdev of %s)",
                              path, bdf);
    }
    *out_fd = fd;
    return 0;
}

/* Until this succeeds every other ioctl on the cdev fails with EINVAL. */
static int cdev_bind(struct vfio_iommu *iommu, int fd, const char *bdf,
                     struct vfio_error *e)
{
    struct vfio_device_bind_iommufd bind = {
        .argsz = sizeof(bind),
        .iommufd = iommu->iommufd,
    };
    int err;

    if (ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) == 0) {
        return 0;
    }
    err = errno;
    return vfio_error_set(
        e, vfio_cause_classify(VFIO_OP_BIND_IOMMUFD, err), err,
        err == EPERM   ? "VFIO_DEVICE_BIND_IOMMUFD refused for %s: its IOMMU "
                         "does not isolate MSIs (no interrupt remapping)"
        : err == EBUSY ? "VFIO_DEVICE_BIND_IOMMUFD refused for %s: the "
                         "device is in use through its group (/dev/vfio/N) "
                         "or already bound"
                       : "VFIO_DEVICE_BIND_IOMMUFD refused for %s",
        bdf);
}

static int cdev_attach(struct vfio_iommu *iommu, int fd, const char *bdf,
                       struct vfio_error *e)
{
    struct vfio_device_attach_iommufd_pt attach = {
        .argsz = sizeof(attach),
        .pt_id = iommu->ioas_id,
    };
    int err;

    if (ioctl(fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) == 0) {
        return 0;
    }
    err = errno;
    return vfio_error_set(e, vfio_cause_classify(VFIO_OP_ATTACH_IOMMUFD, err),
                          err,
                          "VFIO_DEVICE_ATTACH_IOMMUFD_PT refused for %s "
                          "(IOAS %u)",
                          bdf, iommu->ioas_id);
}

static int iommufd_attach_device(struct vfio_iommu *iommu, const char *bdf,
                                 int *device_fd, struct vfio_error *e)
{
    int fd = -1, err = cdev_open(iommu, bdf, &fd, e);

    if (err == 0) {
        err = cdev_bind(iommu, fd, bdf, e);
    }
    if (err == 0) {
        err = cdev_attach(iommu, fd, bdf, e);
    }
    if (err < 0) {
        /* Closing the cdev also unbinds it. */
        if (fd >= 0) {
            close(fd);
        }
        return err;
    }
    *device_fd = fd;
    return 0;
}

/* Leaves the device blocking DMA, so the IOAS can be destroyed. */
static int iommufd_detach_device(struct vfio_iommu *iommu, int device_fd,
                                 struct vfio_error *e)
{
    struct vfio_device_detach_iommufd_pt detach = {.argsz = sizeof(detach)};

    if (ioctl(device_fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach) < 0) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, errno,
                              "VFIO_DEVICE_DETACH_IOMMUFD_PT (IOAS %u)",
                              iommu->ioas_id);
    }
    return 0;
}

static int iommufd_map(struct vfio_iommu *iommu, void *vaddr, uint64_t iova,
                       uint64_t size, unsigned prot, struct vfio_error *e)
{
    struct iommu_ioas_map map = {
        .size = sizeof(map),
        .flags = IOMMU_IOAS_MAP_FIXED_IOVA,
        .ioas_id = iommu->ioas_id,
        .user_va = (uintptr_t)vaddr,
        .length = size,
        .iova = iova,
    };
    int err;

    if (prot & VFIO_DMA_PROT_READ) {
        map.flags |= IOMMU_IOAS_MAP_READABLE;
    }
    if (prot & VFIO_DMA_PROT_WRITE) {
        map.flags |= IOMMU_IOAS_MAP_WRITEABLE;
    }
    if (ioctl(iommu->iommufd, IOMMU_IOAS_MAP, &map) == 0) {
        return 0;
    }
    err = errno;
    /* As type1: pinned pages count against RLIMIT_MEMLOCK. */
    return vfio_error_set(
        e, err == ENOMEM ? VFIO_CAUSE_PERMISSION : VFIO_CAUSE_SYSTEM, err,
        "IOMMU_IOAS_MAP iova %#llx size %#llx%s", (unsigned long long)iova,
        (unsigned long long)size,
        err == ENOMEM ? " (RLIMIT_MEMLOCK too small?)" : "");
}

static int iommufd_unmap(struct vfio_iommu *iommu, uint64_t iova, uint64_t size,
                         uint64_t *unmapped, struct vfio_error *e)
{
    struct iommu_ioas_unmap unmap = {
        .size = sizeof(unmap),
        .ioas_id = iommu->ioas_id,
        .iova = iova,
        .length = size,
    };

    if (ioctl(iommu->iommufd, IOMMU_IOAS_UNMAP, &unmap) < 0) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, errno,
                              "IOMMU_IOAS_UNMAP iova %#llx size %#llx",
                              (unsigned long long)iova,
                              (unsigned long long)size);
    }
    *unmapped = unmap.length;
    return 0;
}

/*
 * One IOMMU_IOAS_IOVA_RANGES call into buf (room for *nr). The kernel says
 * EMSGSIZE and the count it needs when buf is too small.
 */
static int ioas_ranges_query(struct vfio_iommu *iommu,
                             struct iommu_iova_range *buf, uint32_t *nr,
                             uint64_t *alignment)
{
    struct iommu_ioas_iova_ranges q = {
        .size = sizeof(q),
        .ioas_id = iommu->ioas_id,
        .num_iovas = *nr,
        .allowed_iovas = (uintptr_t)buf,
    };
    int err =
        ioctl(iommu->iommufd, IOMMU_IOAS_IOVA_RANGES, &q) < 0 ? -errno : 0;

    *nr = q.num_iovas;
    *alignment = q.out_iova_alignment;
    return err;
}

/* The ranges into a malloc'ed array; the count may grow between calls. */
static int ioas_ranges_read(struct vfio_iommu *iommu,
                            struct iommu_iova_range **out, uint32_t *nr,
                            uint64_t *alignment, struct vfio_error *e)
{
    struct iommu_iova_range *buf = NULL;
    uint32_t room = 0;
    int err = -EMSGSIZE;

    for (int i = 0; i < IOVA_RANGES_TRIES && err == -EMSGSIZE; i++) {
        *nr = room;
        err = ioas_ranges_query(iommu, buf, nr, alignment);
        if (err == -EMSGSIZE) {
            free(buf);
            room = *nr;
            buf = calloc(room, sizeof(*buf));
            if (!buf) {
                return vfio_error_set(e, VFIO_CAUSE_SYSTEM, ENOMEM,
                                      "IOVA ranges");
            }
        }
    }
    if (err < 0) {
        free(buf);
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, err,
                              "IOMMU_IOAS_IOVA_RANGES (IOAS %u)",
                              iommu->ioas_id);
    }
    *out = buf;
    return 0;
}

static int iommufd_iova_ranges(struct vfio_iommu *iommu,
                               struct iova_range **ranges, size_t *nr,
                               struct vfio_error *e)
{
    struct iommu_iova_range *raw = NULL;
    uint64_t alignment = 0;
    uint32_t n = 0;
    int err = ioas_ranges_read(iommu, &raw, &n, &alignment, e);

    if (err < 0) {
        return err;
    }
    /* The IOVA allocator hands out whole pages only. */
    if (alignment > VFIO_IOVA_PAGE) {
        free(raw);
        return vfio_error_set(e, VFIO_CAUSE_UNSUPPORTED, EINVAL,
                              "the IOAS wants IOVAs aligned to %#llx, more "
                              "than a page",
                              (unsigned long long)alignment);
    }
    *ranges = calloc(n ? n : 1, sizeof(**ranges));
    if (!*ranges) {
        free(raw);
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, ENOMEM, "IOVA ranges");
    }
    for (uint32_t i = 0; i < n; i++) {
        (*ranges)[i].start = raw[i].start;
        (*ranges)[i].last = raw[i].last;
    }
    *nr = n;
    free(raw);
    return 0;
}

static void iommufd_close(struct vfio_iommu *iommu)
{
    /* Devices were detached; closing the fd would free the IOAS anyway. */
    if (iommu->ioas_id != 0) {
        struct iommu_destroy destroy = {
            .size = sizeof(destroy),
            .id = iommu->ioas_id,
        };

        ioctl(iommu->iommufd, IOMMU_DESTROY, &destroy);
        iommu->ioas_id = 0;
    }
    if (iommu->iommufd >= 0) {
        close(iommu->iommufd);
        iommu->iommufd = -1;
    }
}

const struct vfio_iommu_ops vfio_iommu_iommufd_ops = {
    .name = "iommufd",
    .implemented = true,
    .open = iommufd_open,
    .attach_device = iommufd_attach_device,
    .detach_device = iommufd_detach_device,
    .map = iommufd_map,
    .unmap = iommufd_unmap,
    .iova_ranges = iommufd_iova_ranges,
    .close = iommufd_close,
};
