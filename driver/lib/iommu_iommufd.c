/*
 * The iommufd backend's place: /dev/iommu plus the device's cdev
 * (/dev/vfio/devices/vfioN, VFIO_DEVICE_BIND_IOMMUFD, an IOAS, and
 * IOMMU_IOAS_MAP). The kernels this project targets (Debian 6.1) have
 * neither, and their UAPI headers lack the ioctls, so the table is marked
 * unimplemented: vfio_iommu_select() never picks it for "auto" and refuses
 * it, with the reason, when forced. Implementing it means filling these
 * functions in; nothing else in the library changes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>

#include "vfio/iommu.h"

static int iommufd_unavailable(struct vfio_error *e)
{
    return vfio_error_set(e, VFIO_CAUSE_UNSUPPORTED, EOPNOTSUPP,
                          "the iommufd backend is not implemented");
}

static int iommufd_open(struct vfio_iommu *iommu, struct vfio_error *e)
{
    return iommufd_unavailable(e);
}

static int iommufd_attach_device(struct vfio_iommu *iommu, const char *bdf,
                                 int *device_fd, struct vfio_error *e)
{
    return iommufd_unavailable(e);
}

static int iommufd_map(struct vfio_iommu *iommu, void *vaddr, uint64_t iova,
                       uint64_t size, unsigned prot, struct vfio_error *e)
{
    return iommufd_unavailable(e);
}

static int iommufd_unmap(struct vfio_iommu *iommu, uint64_t iova, uint64_t size,
                         struct vfio_error *e)
{
    return iommufd_unavailable(e);
}

static int iommufd_iova_ranges(struct vfio_iommu *iommu,
                               struct iova_range **ranges, size_t *nr,
                               struct vfio_error *e)
{
    return iommufd_unavailable(e);
}

static void iommufd_close(struct vfio_iommu *iommu)
{
}

const struct vfio_iommu_ops vfio_iommu_iommufd_ops = {
    .name = "iommufd",
    .implemented = false,
    .open = iommufd_open,
    .attach_device = iommufd_attach_device,
    .map = iommufd_map,
    .unmap = iommufd_unmap,
    .iova_ranges = iommufd_iova_ranges,
    .close = iommufd_close,
};
