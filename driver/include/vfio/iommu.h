/*
 * The IOMMU side of VFIO behind one interface: a backend opens the IOMMU
 * context, attaches a device (returning its VFIO device fd), maps and unmaps
 * process memory at IOVAs, and reports the usable IOVA ranges.
 *
 * Backends: the type1 container/group interface (/dev/vfio/vfio and
 * /dev/vfio/N), and iommufd with VFIO device cdevs (/dev/iommu and
 * /dev/vfio/devices/vfioN: one IOAS, each device bound and attached to it).
 * "auto" picks iommufd when the kernel offers it for the device, else
 * type1.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef VFIO_IOMMU_H
#define VFIO_IOMMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfio/caps.h"
#include "vfio/error.h"

enum vfio_iommu_kind {
    VFIO_IOMMU_AUTO,
    VFIO_IOMMU_TYPE1,
    VFIO_IOMMU_IOMMUFD,
};

/* What the device may do with a mapping. */
#define VFIO_DMA_PROT_READ (1u << 0)  /* device reads: host-to-device source */
#define VFIO_DMA_PROT_WRITE (1u << 1) /* device writes */
#define VFIO_DMA_PROT_RW (VFIO_DMA_PROT_READ | VFIO_DMA_PROT_WRITE)

/*
 * Where /dev and /sys are; NULL members mean the real ones. Unit tests point
 * them at a fake tree.
 */
struct vfio_env {
    const char *dev_root;
    const char *sys_root;
};

#define VFIO_IOMMU_MAX_GROUPS 8

struct vfio_iommu;

struct vfio_iommu_ops {
    const char *name;
    /* False for a backend that is only a placeholder in this build. */
    bool implemented;
    int (*open)(struct vfio_iommu *iommu, struct vfio_error *e);
    int (*attach_device)(struct vfio_iommu *iommu, const char *bdf,
                         int *device_fd, struct vfio_error *e);
    /*
     * Undoes attach_device before the device fd is closed; NULL when
     * closing the fd is enough (type1: the group stays attached).
     */
    int (*detach_device)(struct vfio_iommu *iommu, int device_fd,
                         struct vfio_error *e);
    int (*map)(struct vfio_iommu *iommu, void *vaddr, uint64_t iova,
               uint64_t size, unsigned prot, struct vfio_error *e);
    /* *unmapped: how much the kernel unmapped (vfio_iommu_unmap checks it). */
    int (*unmap)(struct vfio_iommu *iommu, uint64_t iova, uint64_t size,
                 uint64_t *unmapped, struct vfio_error *e);
    /* *ranges is malloc'ed, the caller frees it. */
    int (*iova_ranges)(struct vfio_iommu *iommu, struct iova_range **ranges,
                       size_t *nr, struct vfio_error *e);
    void (*close)(struct vfio_iommu *iommu);
};

struct vfio_iommu {
    const struct vfio_iommu_ops *ops;
    enum vfio_iommu_kind kind;
    char dev_root[128];
    char sys_root[128];

    /* type1 */
    int container_fd;
    bool iommu_set; /* VFIO_SET_IOMMU done (after the first group) */
    unsigned long type1_type;
    int nr_groups;
    int group_ids[VFIO_IOMMU_MAX_GROUPS];
    int group_fds[VFIO_IOMMU_MAX_GROUPS];

    /* iommufd */
    int iommufd;
    uint32_t ioas_id; /* 0: none (iommufd object ids start at 1) */
};

const char *vfio_iommu_kind_name(enum vfio_iommu_kind kind);

/* "auto", "type1" or "iommufd"; 0 or -EINVAL. */
int vfio_iommu_kind_parse(const char *s, enum vfio_iommu_kind *kind);

/*
 * Decides the backend for device bdf: requested, or for AUTO iommufd if
 * DEV/iommu and DEV/vfio/devices/vfioN (N from SYS/bus/pci/devices/BDF/
 * vfio-dev) exist and the iommufd backend is implemented, else type1.
 * The sysfs entry alone proves nothing: kernels without VFIO_DEVICE_CDEV
 * have it too. A forced backend the system cannot provide fails: type1
 * without DEV/vfio/vfio -ENODEV (vfio not loaded); iommufd without
 * /dev/iommu or the device's cdev -ENODEV (the detail says which), and
 * with an ops table marked unimplemented -EOPNOTSUPP.
 */
int vfio_iommu_select(const struct vfio_env *env, enum vfio_iommu_kind req,
                      const char *bdf, enum vfio_iommu_kind *chosen,
                      struct vfio_error *e);

/* The same decision with the backend table given (for unit tests). */
int vfio_iommu_select_from(const struct vfio_env *env, enum vfio_iommu_kind req,
                           const char *bdf,
                           const struct vfio_iommu_ops *iommufd_ops,
                           enum vfio_iommu_kind *chosen, struct vfio_error *e);

/* Selects (as above) and opens a backend; *out is freed by close. */
int vfio_iommu_open(struct vfio_iommu **out, const struct vfio_env *env,
                    enum vfio_iommu_kind req, const char *bdf,
                    struct vfio_error *e);

int vfio_iommu_attach_device(struct vfio_iommu *iommu, const char *bdf,
                             int *device_fd, struct vfio_error *e);
/* Call before closing a device fd from attach_device; 0 or -errno. */
int vfio_iommu_detach_device(struct vfio_iommu *iommu, int device_fd,
                             struct vfio_error *e);
int vfio_iommu_map(struct vfio_iommu *iommu, void *vaddr, uint64_t iova,
                   uint64_t size, unsigned prot, struct vfio_error *e);
int vfio_iommu_unmap(struct vfio_iommu *iommu, uint64_t iova, uint64_t size,
                     struct vfio_error *e);
int vfio_iommu_iova_ranges(struct vfio_iommu *iommu, struct iova_range **ranges,
                           size_t *nr, struct vfio_error *e);
void vfio_iommu_close(struct vfio_iommu *iommu);

/* The backends. */
extern const struct vfio_iommu_ops vfio_iommu_type1_ops;
extern const struct vfio_iommu_ops vfio_iommu_iommufd_ops;

/*
 * "0000:00:04.0 (driver virtio-pci), 0000:00:04.1 (no driver)": the members
 * of IOMMU group id other than skip_bdf, for messages. Returns buf.
 */
const char *vfio_group_members(const struct vfio_env *env, int group,
                               const char *skip_bdf, char *buf, size_t len);

/* IOMMU group number of bdf from sysfs; 0 or -ENOENT (no IOMMU) / -errno. */
int vfio_device_iommu_group(const struct vfio_env *env, const char *bdf,
                            int *group);

/*
 * The name of bdf's VFIO device cdev ("vfio0") from SYS/bus/pci/devices/
 * BDF/vfio-dev; 0 or -ENOENT (not bound to a VFIO driver) / -errno.
 */
int vfio_device_cdev_name(const struct vfio_env *env, const char *bdf,
                          char *name, size_t len);

/*
 * The /dev node through which iommu reaches bdf, for messages: the group
 * ("/dev/vfio/3") for type1, the cdev ("/dev/vfio/devices/vfio0") for
 * iommufd, "?" if sysfs does not say. Returns buf.
 */
const char *vfio_iommu_device_node(const struct vfio_iommu *iommu,
                                   const char *bdf, char *buf, size_t len);

#endif
