/*
 * The type1 IOMMU backend: a VFIO container (/dev/vfio/vfio) with the
 * device's group (/dev/vfio/N) attached, VFIO_TYPE1v2_IOMMU when the kernel
 * has it.
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

#include <linux/vfio.h>

#include "sysfs.h"
#include "vfio/iommu.h"

static int type1_open(struct vfio_iommu *iommu, struct vfio_error *e)
{
    char path[VFIO_PATH_MAX];
    int fd, version;

    snprintf(path, sizeof(path), "%s/vfio/vfio", iommu->dev_root);
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;

        return vfio_error_set(e,
                              vfio_cause_classify(VFIO_OP_OPEN_CONTAINER, err),
                              err, "cannot open %s", path);
    }
    version = ioctl(fd, VFIO_GET_API_VERSION);
    if (version != VFIO_API_VERSION) {
        close(fd);
        return vfio_error_set(e, VFIO_CAUSE_UNSUPPORTED, EINVAL,
                              "VFIO API version %d, this library speaks %d",
                              version, VFIO_API_VERSION);
    }
    /* v2 has the saner unmap semantics; plain type1 still works for us. */
    if (ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0) {
        iommu->type1_type = VFIO_TYPE1v2_IOMMU;
    } else if (ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) > 0) {
        iommu->type1_type = VFIO_TYPE1_IOMMU;
    } else {
        close(fd);
        return vfio_error_set(e, VFIO_CAUSE_UNSUPPORTED, ENODEV,
                              "the VFIO container offers no type1 IOMMU "
                              "(vfio_iommu_type1 not loaded?)");
    }
    iommu->container_fd = fd;
    return 0;
}

static int group_index(const struct vfio_iommu *iommu, int group)
{
    for (int i = 0; i < iommu->nr_groups; i++) {
        if (iommu->group_ids[i] == group) {
            return i;
        }
    }
    return -1;
}

static int group_check_viable(struct vfio_iommu *iommu, int fd, int group,
                              const char *bdf, struct vfio_error *e)
{
    struct vfio_group_status status = {.argsz = sizeof(status)};
    struct vfio_env env = {iommu->dev_root, iommu->sys_root};
    char members[VFIO_ERROR_DETAIL_MAX - 128];

    if (ioctl(fd, VFIO_GROUP_GET_STATUS, &status) < 0) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, errno,
                              "VFIO_GROUP_GET_STATUS on group %d", group);
    }
    if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
        return vfio_error_set(
            e, VFIO_CAUSE_GROUP_NOT_VIABLE, EBUSY,
            "IOMMU group %d of %s also holds %s", group, bdf,
            vfio_group_members(&env, group, bdf, members, sizeof(members)));
    }
    return 0;
}

static int group_open(struct vfio_iommu *iommu, int group, const char *bdf,
                      int *out_fd, struct vfio_error *e)
{
    char path[VFIO_PATH_MAX];
    int fd, err;

    snprintf(path, sizeof(path), "%s/vfio/%d", iommu->dev_root, group);
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        err = errno;
        return vfio_error_set(
            e, vfio_cause_classify(VFIO_OP_OPEN_GROUP, err), err,
            err == EBUSY ? "%s: the group is open in another process"
                         : "cannot open %s (group of %s)",
            path, bdf);
    }
    err = group_check_viable(iommu, fd, group, bdf, e);
    if (err < 0) {
        close(fd);
        return err;
    }
    *out_fd = fd;
    return 0;
}

static int group_join_container(struct vfio_iommu *iommu, int fd, int group,
                                struct vfio_error *e)
{
    int err;

    if (ioctl(fd, VFIO_GROUP_SET_CONTAINER, &iommu->container_fd) < 0) {
        err = errno;
        return vfio_error_set(
            e, vfio_cause_classify(VFIO_OP_SET_CONTAINER, err), err,
            "VFIO_GROUP_SET_CONTAINER for group %d", group);
    }
    if (iommu->iommu_set) {
        return 0;
    }
    if (ioctl(iommu->container_fd, VFIO_SET_IOMMU, iommu->type1_type) < 0) {
        err = errno;
        return vfio_error_set(
            e, vfio_cause_classify(VFIO_OP_SET_IOMMU, err), err,
            err == EPERM ? "VFIO_SET_IOMMU refused: the IOMMU of group %d "
                           "does not remap interrupts"
                         : "VFIO_SET_IOMMU for group %d",
            group);
    }
    iommu->iommu_set = true;
    return 0;
}

/* Opens (once) the group of bdf and puts it in the container. */
static int group_attach(struct vfio_iommu *iommu, const char *bdf,
                        int *group_fd, struct vfio_error *e)
{
    struct vfio_env env = {iommu->dev_root, iommu->sys_root};
    int group, fd, err, idx;

    err = vfio_device_iommu_group(&env, bdf, &group);
    if (err < 0) {
        return vfio_error_set(e, VFIO_CAUSE_NO_IOMMU, err,
                              "%s has no IOMMU group (%s/bus/pci/devices/%s/"
                              "iommu_group)",
                              bdf, iommu->sys_root, bdf);
    }
    idx = group_index(iommu, group);
    if (idx >= 0) {
        *group_fd = iommu->group_fds[idx];
        return 0;
    }
    if (iommu->nr_groups == VFIO_IOMMU_MAX_GROUPS) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, ENOSPC,
                              "more than %d IOMMU groups",
                              VFIO_IOMMU_MAX_GROUPS);
    }
    err = group_open(iommu, group, bdf, &fd, e);
    if (err < 0) {
        return err;
    }
    err = group_join_container(iommu, fd, group, e);
    if (err < 0) {
        close(fd);
        return err;
    }
    iommu->group_ids[iommu->nr_groups] = group;
    iommu->group_fds[iommu->nr_groups++] = fd;
    *group_fd = fd;
    return 0;
}

static int type1_attach_device(struct vfio_iommu *iommu, const char *bdf,
                               int *device_fd, struct vfio_error *e)
{
    int group_fd = -1, fd, err;

    err = group_attach(iommu, bdf, &group_fd, e);
    if (err < 0) {
        return err;
    }
    fd = ioctl(group_fd, VFIO_GROUP_GET_DEVICE_FD, bdf);
    if (fd < 0) {
        err = errno;
        return vfio_error_set(
            e, vfio_cause_classify(VFIO_OP_GET_DEVICE_FD, err), err,
            err == EBUSY ? "%s is already open (VFIO_GROUP_GET_DEVICE_FD)"
                         : "VFIO_GROUP_GET_DEVICE_FD(%s)",
            bdf);
    }
    *device_fd = fd;
    return 0;
}

static int type1_map(struct vfio_iommu *iommu, void *vaddr, uint64_t iova,
                     uint64_t size, unsigned prot, struct vfio_error *e)
{
    struct vfio_iommu_type1_dma_map map = {
        .argsz = sizeof(map),
        .vaddr = (uintptr_t)vaddr,
        .iova = iova,
        .size = size,
    };

    if (prot & VFIO_DMA_PROT_READ) {
        map.flags |= VFIO_DMA_MAP_FLAG_READ;
    }
    if (prot & VFIO_DMA_PROT_WRITE) {
        map.flags |= VFIO_DMA_MAP_FLAG_WRITE;
    }
    if (ioctl(iommu->container_fd, VFIO_IOMMU_MAP_DMA, &map) < 0) {
        int err = errno;

        return vfio_error_set(
            e, err == ENOMEM ? VFIO_CAUSE_PERMISSION : VFIO_CAUSE_SYSTEM, err,
            "VFIO_IOMMU_MAP_DMA iova %#llx size %#llx%s",
            (unsigned long long)iova, (unsigned long long)size,
            err == ENOMEM ? " (RLIMIT_MEMLOCK too small?)" : "");
    }
    return 0;
}

static int type1_unmap(struct vfio_iommu *iommu, uint64_t iova, uint64_t size,
                       uint64_t *unmapped, struct vfio_error *e)
{
    struct vfio_iommu_type1_dma_unmap unmap = {
        .argsz = sizeof(unmap),
        .iova = iova,
        .size = size,
    };

    if (ioctl(iommu->container_fd, VFIO_IOMMU_UNMAP_DMA, &unmap) < 0) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, errno,
                              "VFIO_IOMMU_UNMAP_DMA iova %#llx size %#llx",
                              (unsigned long long)iova,
                              (unsigned long long)size);
    }
    *unmapped = unmap.size;
    return 0;
}

/* VFIO_IOMMU_GET_INFO twice: once for the size the capabilities need. */
static int type1_get_info(struct vfio_iommu *iommu, void **buf, size_t *len,
                          struct vfio_error *e)
{
    struct vfio_iommu_type1_info probe = {.argsz = sizeof(probe)};
    struct vfio_iommu_type1_info *info;

    if (ioctl(iommu->container_fd, VFIO_IOMMU_GET_INFO, &probe) < 0) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, errno,
                              "VFIO_IOMMU_GET_INFO");
    }
    info = calloc(1, probe.argsz > sizeof(probe) ? probe.argsz : sizeof(probe));
    if (!info) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, ENOMEM, "IOMMU info");
    }
    info->argsz = probe.argsz > sizeof(probe) ? probe.argsz : sizeof(probe);
    if (ioctl(iommu->container_fd, VFIO_IOMMU_GET_INFO, info) < 0) {
        int err = errno;

        free(info);
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, err,
                              "VFIO_IOMMU_GET_INFO with capabilities");
    }
    *buf = info;
    *len = info->argsz;
    return 0;
}

static int type1_iova_ranges(struct vfio_iommu *iommu,
                             struct iova_range **ranges, size_t *nr,
                             struct vfio_error *e)
{
    void *buf = NULL;
    size_t len = 0;
    int err = type1_get_info(iommu, &buf, &len, e);

    if (err < 0) {
        return err;
    }
    err = vfio_type1_info_parse_ranges(buf, len, ranges, nr, e);
    free(buf);
    return err;
}

static void type1_close(struct vfio_iommu *iommu)
{
    /* Closing the groups detaches them; the container goes last. */
    for (int i = 0; i < iommu->nr_groups; i++) {
        close(iommu->group_fds[i]);
        iommu->group_fds[i] = -1;
    }
    iommu->nr_groups = 0;
    if (iommu->container_fd >= 0) {
        close(iommu->container_fd);
        iommu->container_fd = -1;
    }
}

const struct vfio_iommu_ops vfio_iommu_type1_ops = {
    .name = "type1",
    .implemented = true,
    .open = type1_open,
    .attach_device = type1_attach_device,
    .map = type1_map,
    .unmap = type1_unmap,
    .iova_ranges = type1_iova_ranges,
    .close = type1_close,
};
