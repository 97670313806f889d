/*
 * IOMMU backend selection and dispatch (see vfio/iommu.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs.h"
#include "vfio/iommu.h"
#include "vfio/iova.h"

static const char *dev_root(const struct vfio_env *env)
{
    return env && env->dev_root ? env->dev_root : "/dev";
}

static const char *sys_root(const struct vfio_env *env)
{
    return env && env->sys_root ? env->sys_root : "/sys";
}

const char *vfio_iommu_kind_name(enum vfio_iommu_kind kind)
{
    switch (kind) {
    case VFIO_IOMMU_AUTO:
        return "auto";
    case VFIO_IOMMU_TYPE1:
        return "type1";
    case VFIO_IOMMU_IOMMUFD:
        return "iommufd";
    }
    return "?";
}

int vfio_iommu_kind_parse(const char *s, enum vfio_iommu_kind *kind)
{
    static const enum vfio_iommu_kind kinds[] = {
        VFIO_IOMMU_AUTO, VFIO_IOMMU_TYPE1, VFIO_IOMMU_IOMMUFD};

    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (s && strcmp(s, vfio_iommu_kind_name(kinds[i])) == 0) {
            *kind = kinds[i];
            return 0;
        }
    }
    return -EINVAL;
}

int vfio_device_iommu_group(const struct vfio_env *env, const char *bdf,
                            int *group)
{
    char path[VFIO_PATH_MAX], name[32], *end;
    long id;
    int err;

    if (path_fmt(path, sizeof(path), "%s/bus/pci/devices/%s/iommu_group",
                 sys_root(env), bdf) < 0) {
        return -ENAMETOOLONG;
    }
    err = link_basename(path, name, sizeof(name));
    if (err < 0) {
        return err;
    }
    id = strtol(name, &end, 10);
    if (*end != '\0' || id < 0 || id > 1000000) {
        return -EINVAL;
    }
    *group = (int)id;
    return 0;
}

int vfio_device_cdev_name(const struct vfio_env *env, const char *bdf,
                          char *name, size_t len)
{
    char path[VFIO_PATH_MAX];
    struct dirent *ent;
    DIR *dir;
    int err = -ENOENT;

    if (path_fmt(path, sizeof(path), "%s/bus/pci/devices/%s/vfio-dev",
                 sys_root(env), bdf) < 0) {
        return -ENAMETOOLONG;
    }
    dir = opendir(path);
    if (!dir) {
        return -errno;
    }
    while ((ent = readdir(dir)) != NULL) {
        if (strncmp(ent->d_name, "vfio", 4) == 0 && strlen(ent->d_name) < len) {
            strcpy(name, ent->d_name);
            err = 0;
            break;
        }
    }
    closedir(dir);
    return err;
}

/* Why iommufd cannot be used for bdf, or NULL if both nodes exist. */
static const char *iommufd_missing(const struct vfio_env *env, const char *bdf,
                                   char *why, size_t len)
{
    char path[VFIO_PATH_MAX], cdev[32];

    snprintf(path, sizeof(path), "%s/iommu", dev_root(env));
    if (!path_exists(path)) {
        snprintf(why, len, "%s does not exist (kernel without iommufd)", path);
        return why;
    }
    if (vfio_device_cdev_name(env, bdf, cdev, sizeof(cdev)) < 0) {
        snprintf(why, len,
                 "%s has no VFIO device (no %s/bus/pci/devices/%s/vfio-dev; "
                 "is it bound to vfio-pci?)",
                 bdf, sys_root(env), bdf);
        return why;
    }
    /* sysfs lists vfio-dev/vfioN even when the kernel makes no cdev. */
    snprintf(path, sizeof(path), "%s/vfio/devices/%s", dev_root(env), cdev);
    if (!path_exists(path)) {
        snprintf(why, len,
                 "the VFIO device cdev %s of %s does not exist (kernel "
                 "without VFIO_DEVICE_CDEV)",
                 path, bdf);
        return why;
    }
    return NULL;
}

static int select_type1(const struct vfio_env *env,
                        enum vfio_iommu_kind *chosen, struct vfio_error *e)
{
    char path[VFIO_PATH_MAX];

    snprintf(path, sizeof(path), "%s/vfio/vfio", dev_root(env));
    if (!path_exists(path)) {
        return vfio_error_set(e, VFIO_CAUSE_NO_VFIO, ENODEV,
                              "%s does not exist", path);
    }
    *chosen = VFIO_IOMMU_TYPE1;
    return 0;
}

int vfio_iommu_select_from(const struct vfio_env *env, enum vfio_iommu_kind req,
                           const char *bdf,
                           const struct vfio_iommu_ops *iommufd_ops,
                           enum vfio_iommu_kind *chosen, struct vfio_error *e)
{
    char why[VFIO_PATH_MAX + 160];
    const char *missing = iommufd_missing(env, bdf, why, sizeof(why));

    switch (req) {
    case VFIO_IOMMU_TYPE1:
        return select_type1(env, chosen, e);
    case VFIO_IOMMU_IOMMUFD:
        if (missing) {
            return vfio_error_set(e, VFIO_CAUSE_UNSUPPORTED, ENODEV,
                                  "iommufd backend requested but %s", missing);
        }
        if (!iommufd_ops->implemented) {
            return vfio_error_set(e, VFIO_CAUSE_UNSUPPORTED, EOPNOTSUPP,
                                  "iommufd backend requested; the kernel "
                                  "offers it but this build does not "
                                  "implement it");
        }
        *chosen = VFIO_IOMMU_IOMMUFD;
        return 0;
    case VFIO_IOMMU_AUTO:
        if (!missing && iommufd_ops->implemented) {
            *chosen = VFIO_IOMMU_IOMMUFD;
            return 0;
        }
        return select_type1(env, chosen, e);
    }
    return vfio_error_set(e, VFIO_CAUSE_UNSUPPORTED, EINVAL,
                          "unknown IOMMU backend %d", (int)req);
}

int vfio_iommu_select(const struct vfio_env *env, enum vfio_iommu_kind req,
                      const char *bdf, enum vfio_iommu_kind *chosen,
                      struct vfio_error *e)
{
    return vfio_iommu_select_from(env, req, bdf, &vfio_iommu_iommufd_ops,
                                  chosen, e);
}

static void iommu_init_fields(struct vfio_iommu *iommu,
                              const struct vfio_env *env)
{
    memset(iommu, 0, sizeof(*iommu));
    snprintf(iommu->dev_root, sizeof(iommu->dev_root), "%s", dev_root(env));
    snprintf(iommu->sys_root, sizeof(iommu->sys_root), "%s", sys_root(env));
    iommu->container_fd = -1;
    iommu->iommufd = -1;
    for (int i = 0; i < VFIO_IOMMU_MAX_GROUPS; i++) {
        iommu->group_fds[i] = -1;
    }
}

int vfio_iommu_open(struct vfio_iommu **out, const struct vfio_env *env,
                    enum vfio_iommu_kind req, const char *bdf,
                    struct vfio_error *e)
{
    enum vfio_iommu_kind kind;
    struct vfio_iommu *iommu;
    int err = vfio_iommu_select(env, req, bdf, &kind, e);

    if (err < 0) {
        return err;
    }
    iommu = malloc(sizeof(*iommu));
    if (!iommu) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, ENOMEM, "IOMMU context");
    }
    iommu_init_fields(iommu, env);
    iommu->kind = kind;
    iommu->ops = kind == VFIO_IOMMU_IOMMUFD ? &vfio_iommu_iommufd_ops
                                            : &vfio_iommu_type1_ops;
    err = iommu->ops->open(iommu, e);
    if (err < 0) {
        free(iommu);
        return err;
    }
    *out = iommu;
    return 0;
}

int vfio_iommu_attach_device(struct vfio_iommu *iommu, const char *bdf,
                             int *device_fd, struct vfio_error *e)
{
    return iommu->ops->attach_device(iommu, bdf, device_fd, e);
}

int vfio_iommu_detach_device(struct vfio_iommu *iommu, int device_fd,
                             struct vfio_error *e)
{
    if (!iommu->ops->detach_device) {
        return 0;
    }
    return iommu->ops->detach_device(iommu, device_fd, e);
}

/*
 * After the kernel refused a mapping: if [iova, iova + size) is not inside
 * one usable range, that is the reason, and the ranges are what the user
 * needs to see. Otherwise the backend's own error stands.
 */
static int explain_map_failure(struct vfio_iommu *iommu, uint64_t iova,
                               uint64_t size, int err, struct vfio_error *e)
{
    struct iova_range *ranges = NULL;
    size_t nr = 0;
    char text[256];

    if (iommu->ops->iova_ranges(iommu, &ranges, &nr, NULL) < 0) {
        return err;
    }
    if (!vfio_iova_ranges_contain(ranges, nr, iova, size)) {
        err = vfio_error_set(
            e, VFIO_CAUSE_IOVA_RANGE, err,
            "map of iova %#llx size %#llx refused; the IOMMU's ranges are %s",
            (unsigned long long)iova, (unsigned long long)size,
            vfio_iova_format_ranges(ranges, nr, text, sizeof(text)));
    }
    free(ranges);
    return err;
}

int vfio_iommu_map(struct vfio_iommu *iommu, void *vaddr, uint64_t iova,
                   uint64_t size, unsigned prot, struct vfio_error *e)
{
    int err = iommu->ops->map(iommu, vaddr, iova, size, prot, e);

    return err < 0 ? explain_map_failure(iommu, iova, size, err, e) : 0;
}

int vfio_iommu_unmap(struct vfio_iommu *iommu, uint64_t iova, uint64_t size,
                     struct vfio_error *e)
{
    uint64_t unmapped = 0;
    int err = iommu->ops->unmap(iommu, iova, size, &unmapped, e);

    /* Both backends unmap whole mappings only: less means a stray range. */
    if (err == 0 && unmapped != size) {
        err = vfio_error_set(e, VFIO_CAUSE_SYSTEM, EINVAL,
                             "%s unmap of %#llx bytes at %#llx unmapped %#llx",
                             vfio_iommu_kind_name(iommu->kind),
                             (unsigned long long)size, (unsigned long long)iova,
                             (unsigned long long)unmapped);
    }
    return err;
}

int vfio_iommu_iova_ranges(struct vfio_iommu *iommu, struct iova_range **ranges,
                           size_t *nr, struct vfio_error *e)
{
    return iommu->ops->iova_ranges(iommu, ranges, nr, e);
}

void vfio_iommu_close(struct vfio_iommu *iommu)
{
    if (iommu) {
        iommu->ops->close(iommu);
        free(iommu);
    }
}

const char *vfio_iommu_device_node(const struct vfio_iommu *iommu,
                                   const char *bdf, char *buf, size_t len)
{
    struct vfio_env env = {iommu->dev_root, iommu->sys_root};
    char cdev[32];
    int group;

    if (iommu->kind == VFIO_IOMMU_IOMMUFD &&
        vfio_device_cdev_name(&env, bdf, cdev, sizeof(cdev)) == 0) {
        snprintf(buf, len, "%s/vfio/devices/%s", iommu->dev_root, cdev);
    } else if (iommu->kind == VFIO_IOMMU_TYPE1 &&
               vfio_device_iommu_group(&env, bdf, &group) == 0) {
        snprintf(buf, len, "%s/vfio/%d", iommu->dev_root, group);
    } else {
        snprintf(buf, len, "?");
    }
    return buf;
}

/* Appends "BDF (driver X)" for one group member. */
static void append_member(const struct vfio_env *env, const char *bdf,
                          char *buf, size_t len)
{
    char path[VFIO_PATH_MAX], driver[64] = "";
    size_t used = strlen(buf);

    snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver", sys_root(env),
             bdf);
    if (link_basename(path, driver, sizeof(driver)) < 0) {
        driver[0] = '\0';
    }
    snprintf(buf + used, len - used, "%s%s (%s%s)", used ? ", " : "", bdf,
             driver[0] ? "driver " : "no driver", driver);
}

const char *vfio_group_members(const struct vfio_env *env, int group,
                               const char *skip_bdf, char *buf, size_t len)
{
    char path[VFIO_PATH_MAX];
    struct dirent *ent;
    DIR *dir;

    buf[0] = '\0';
    snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%d/devices",
             sys_root(env), group);
    dir = opendir(path);
    if (!dir) {
        snprintf(buf, len, "(cannot list %s)", path);
        return buf;
    }
    while ((ent = readdir(dir)) != NULL) {
        if (ent->d_name[0] == '.' ||
            (skip_bdf && strcmp(ent->d_name, skip_bdf) == 0)) {
            continue;
        }
        append_member(env, ent->d_name, buf, len);
    }
    closedir(dir);
    if (!buf[0]) {
        snprintf(buf, len, "(no other members)");
    }
    return buf;
}
