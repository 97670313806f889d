/*
 * Opening a PCI device through VFIO, its regions and config space (see
 * vfio/pci_device.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "sysfs.h"
#include "vfio/irq.h"
#include "vfio/pci_device.h"

static const char *sys_root(const struct vfio_pci_open_opts *opts)
{
    return opts && opts->env && opts->env->sys_root ? opts->env->sys_root
                                                    : "/sys";
}

/*
 * Checks in sysfs that bdf exists and is bound to vfio-pci, so the user
 * hears "bound to virtio-pci" instead of an errno from a VFIO ioctl.
 */
static int device_check_bound(const char *bdf,
                              const struct vfio_pci_open_opts *opts,
                              struct vfio_error *e)
{
    char path[VFIO_PATH_MAX], driver[64];

    path_fmt(path, sizeof(path), "%s/bus/pci/devices/%s", sys_root(opts), bdf);
    if (!path_exists(path)) {
        return vfio_error_set(e, VFIO_CAUSE_NOT_FOUND, ENODEV,
                              "no PCI device %s (%s does not exist)", bdf,
                              path);
    }
    path_fmt(path, sizeof(path), "%s/bus/pci/devices/%s/driver", sys_root(opts),
             bdf);
    if (link_basename(path, driver, sizeof(driver)) < 0) {
        driver[0] = '\0';
    }
    if (strcmp(driver, "vfio-pci") == 0) {
        return 0;
    }
    /* Without vfio-pci loaded, "not bound" would hide the real cause. */
    path_fmt(path, sizeof(path), "%s/bus/pci/drivers/vfio-pci", sys_root(opts));
    if (!path_exists(path)) {
        return vfio_error_set(e, VFIO_CAUSE_NO_VFIO, ENODEV,
                              "%s does not exist, so %s cannot be bound to "
                              "vfio-pci",
                              path, bdf);
    }
    if (!driver[0]) {
        return vfio_error_set(e, VFIO_CAUSE_NOT_BOUND, ENODEV,
                              "%s has no driver", bdf);
    }
    return vfio_error_set(e, VFIO_CAUSE_NOT_BOUND, EBUSY,
                          "%s is bound to %s, not vfio-pci", bdf, driver);
}

/* GET_REGION_INFO once for the size, again with room for the caps. */
static int region_info_raw(struct vfio_pci_device *dev, uint32_t index,
                           struct vfio_region_info **out, struct vfio_error *e)
{
    struct vfio_region_info probe = {.argsz = sizeof(probe), .index = index};
    struct vfio_region_info *info = NULL;
    size_t len;

    if (ioctl(dev->fd, VFIO_DEVICE_GET_REGION_INFO, &probe) < 0) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, errno,
                              "VFIO_DEVICE_GET_REGION_INFO(%u)", index);
    }
    len = probe.argsz > sizeof(probe) ? probe.argsz : sizeof(probe);
    info = calloc(1, len);
    if (!info) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, ENOMEM, "region info");
    }
    info->argsz = (uint32_t)len;
    info->index = index;
    if (ioctl(dev->fd, VFIO_DEVICE_GET_REGION_INFO, info) < 0) {
        int err = errno;

        free(info);
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, err,
                              "VFIO_DEVICE_GET_REGION_INFO(%u) with caps",
                              index);
    }
    *out = info;
    return 0;
}

int vfio_pci_region_query(struct vfio_pci_device *dev, uint32_t index,
                          struct vfio_pci_region *region, struct vfio_error *e)
{
    struct vfio_region_info *info = NULL;
    int err = region_info_raw(dev, index, &info, e);

    if (err < 0) {
        return err;
    }
    memset(region, 0, sizeof(*region));
    region->valid = true;
    region->flags = info->flags;
    region->size = info->size;
    region->offset = info->offset;
    err = vfio_region_caps_parse(info, info->argsz, &region->caps, e);
    free(info);
    return err;
}

static int device_read_info(struct vfio_pci_device *dev, struct vfio_error *e)
{
    dev->info.argsz = sizeof(dev->info);
    if (ioctl(dev->fd, VFIO_DEVICE_GET_INFO, &dev->info) < 0) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, errno,
                              "VFIO_DEVICE_GET_INFO(%s)", dev->bdf);
    }
    if (!(dev->info.flags & VFIO_DEVICE_FLAGS_PCI)) {
        return vfio_error_set(e, VFIO_CAUSE_UNSUPPORTED, ENODEV,
                              "%s is not a VFIO PCI device", dev->bdf);
    }
    for (uint32_t i = 0; i < VFIO_PCI_NUM_REGIONS && i < dev->info.num_regions;
         i++) {
        /* VGA is absent on most devices: an error there is no failure. */
        if (vfio_pci_region_query(dev, i, &dev->regions[i], NULL) < 0) {
            dev->regions[i].valid = false;
        }
    }
    return 0;
}

static int device_iova_init(struct vfio_pci_device *dev, struct vfio_error *e)
{
    struct iova_range *ranges;
    size_t nr;
    int err = vfio_iommu_iova_ranges(dev->iommu, &ranges, &nr, e);

    if (err < 0) {
        return err;
    }
    err = vfio_iova_init(&dev->iova, ranges, nr, e);
    free(ranges);
    return err;
}

static struct vfio_pci_device *device_alloc(const char *bdf)
{
    struct vfio_pci_device *dev = calloc(1, sizeof(*dev));

    if (!dev) {
        return NULL;
    }
    snprintf(dev->bdf, sizeof(dev->bdf), "%s", bdf);
    dev->fd = -1;
    dev->irq_index = -1;
    for (int i = 0; i < VFIO_IRQ_MAX_VECTORS; i++) {
        dev->irq_fds[i] = -1;
    }
    return dev;
}

static int device_setup(struct vfio_pci_device *dev,
                        const struct vfio_pci_open_opts *opts,
                        struct vfio_error *e)
{
    int err =
        vfio_iommu_open(&dev->iommu, opts ? opts->env : NULL,
                        opts ? opts->iommu : VFIO_IOMMU_AUTO, dev->bdf, e);

    if (err == 0) {
        err = vfio_iommu_attach_device(dev->iommu, dev->bdf, &dev->fd, e);
    }
    if (err == 0) {
        err = device_read_info(dev, e);
    }
    if (err == 0) {
        err = device_iova_init(dev, e);
    }
    if (err == 0 && opts && opts->iova_floor) {
        err = vfio_iova_set_floor(&dev->iova, opts->iova_floor, e);
    }
    return err;
}

int vfio_pci_device_open(struct vfio_pci_device **out, const char *bdf,
                         const struct vfio_pci_open_opts *opts,
                         struct vfio_error *e)
{
    struct vfio_pci_device *dev;
    int err;

    if (strlen(bdf) >= VFIO_PCI_BDF_MAX) {
        return vfio_error_set(e, VFIO_CAUSE_BAD_ADDRESS, EINVAL,
                              "'%s' is too long for a PCI address", bdf);
    }
    err = device_check_bound(bdf, opts, e);
    if (err < 0) {
        return err;
    }
    dev = device_alloc(bdf);
    if (!dev) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, ENOMEM, "device");
    }
    err = device_setup(dev, opts, e);
    if (err < 0) {
        vfio_pci_device_close(dev);
        return err;
    }
    *out = dev;
    return 0;
}

const char *vfio_pci_device_describe(const struct vfio_pci_device *dev,
                                     char *buf, size_t len)
{
    char node[VFIO_PATH_MAX];

    snprintf(buf, len, "%s via %s (%s)", dev->bdf,
             vfio_iommu_kind_name(dev->iommu->kind),
             vfio_iommu_device_node(dev->iommu, dev->bdf, node, sizeof(node)));
    return buf;
}

static void bars_unmap(struct vfio_pci_device *dev)
{
    for (int i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
        struct vfio_pci_region *r = &dev->regions[i];

        if (r->map) {
            munmap(r->map, r->map_len);
            r->map = NULL;
        }
    }
}

void vfio_pci_device_close(struct vfio_pci_device *dev)
{
    if (!dev) {
        return;
    }
    if (dev->driver.initialized) {
        vfio_pci_driver_remove(dev);
    }
    if (dev->fd >= 0) {
        vfio_irq_disable(dev, NULL);
    }
    bars_unmap(dev);
    if (dev->fd >= 0) {
        /* Nothing to report on the way out: the fd closes regardless. */
        vfio_iommu_detach_device(dev->iommu, dev->fd, NULL);
        close(dev->fd);
    }
    vfio_iommu_close(dev->iommu);
    vfio_iova_fini(&dev->iova);
    free(dev);
}

static int config_region(struct vfio_pci_device *dev, uint32_t offset,
                         unsigned size, uint64_t *pos, struct vfio_error *e)
{
    const struct vfio_pci_region *r =
        &dev->regions[VFIO_PCI_CONFIG_REGION_INDEX];

    if (!r->valid || (size != 1 && size != 2 && size != 4) ||
        offset + size > r->size) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, EINVAL,
                              "config access of %u bytes at %#x outside the "
                              "%#llx-byte config region",
                              size, offset, (unsigned long long)r->size);
    }
    *pos = r->offset + offset;
    return 0;
}

int vfio_pci_config_read(struct vfio_pci_device *dev, uint32_t offset,
                         unsigned size, uint32_t *value, struct vfio_error *e)
{
    uint64_t pos;
    uint8_t bytes[4] = {0};
    int err = config_region(dev, offset, size, &pos, e);

    if (err < 0) {
        return err;
    }
    if (pread(dev->fd, bytes, size, (off_t)pos) != (ssize_t)size) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, errno ? errno : EIO,
                              "config read of %u bytes at %#x", size, offset);
    }
    /* Config space is little-endian. */
    *value =
        bytes[0] | bytes[1] << 8 | bytes[2] << 16 | (uint32_t)bytes[3] << 24;
    return 0;
}

int vfio_pci_config_write(struct vfio_pci_device *dev, uint32_t offset,
                          unsigned size, uint32_t value, struct vfio_error *e)
{
    uint64_t pos;
    uint8_t bytes[4] = {(uint8_t)value, (uint8_t)(value >> 8),
                        (uint8_t)(value >> 16), (uint8_t)(value >> 24)};
    int err = config_region(dev, offset, size, &pos, e);

    if (err < 0) {
        return err;
    }
    if (pwrite(dev->fd, bytes, size, (off_t)pos) != (ssize_t)size) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, errno ? errno : EIO,
                              "config write of %u bytes at %#x", size, offset);
    }
    return 0;
}

int vfio_pci_find_capability(struct vfio_pci_device *dev, uint8_t id,
                             uint8_t *offset, struct vfio_error *e)
{
    uint32_t status, pos, hdr;
    int err = vfio_pci_config_read(dev, PCI_STATUS, 2, &status, e);

    *offset = 0;
    if (err < 0 || !(status & PCI_STATUS_CAP_LIST)) {
        return err;
    }
    err = vfio_pci_config_read(dev, PCI_CAPABILITY_LIST, 1, &pos, e);
    /* 48 entries of 4 bytes fill the 192 bytes above the header. */
    for (int n = 0; err == 0 && pos != 0 && n < 48; n++) {
        if (pos < 0x40 || pos > 0xfc) {
            return vfio_error_set(e, VFIO_CAUSE_SYSTEM, EINVAL,
                                  "capability pointer %#x out of range", pos);
        }
        err = vfio_pci_config_read(dev, pos & ~3u, 2, &hdr, e);
        if (err == 0 && (hdr & 0xff) == id) {
            *offset = (uint8_t)(pos & ~3u);
            return 0;
        }
        pos = hdr >> 8;
    }
    return err < 0 || pos == 0 ? err
                               : vfio_error_set(e, VFIO_CAUSE_SYSTEM, EINVAL,
                                                "capability list loops");
}

static int map_area(struct vfio_pci_device *dev, struct vfio_pci_region *r,
                    uint64_t off, uint64_t size, struct vfio_error *e)
{
    int prot = 0;
    void *p;

    if (r->flags & VFIO_REGION_INFO_FLAG_READ) {
        prot |= PROT_READ;
    }
    if (r->flags & VFIO_REGION_INFO_FLAG_WRITE) {
        prot |= PROT_WRITE;
    }
    p = mmap((char *)r->map + off, size, prot, MAP_SHARED | MAP_FIXED, dev->fd,
             (off_t)(r->offset + off));
    if (p == MAP_FAILED) {
        return vfio_error_set(e, VFIO_CAUSE_MMAP, errno,
                              "mmap of BAR %u of %s, offset %#llx size %#llx",
                              (unsigned)(r - dev->regions), dev->bdf,
                              (unsigned long long)off,
                              (unsigned long long)size);
    }
    return 0;
}

/* Reserves the whole range, then maps what the kernel lets us map. */
static int bar_map_areas(struct vfio_pci_device *dev, struct vfio_pci_region *r,
                         struct vfio_error *e)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t len = (r->size + (uint64_t)page - 1) & ~((uint64_t)page - 1);
    int err = 0;

    r->map = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r->map == MAP_FAILED) {
        r->map = NULL;
        return vfio_error_set(e, VFIO_CAUSE_MMAP, errno,
                              "reserving %zu bytes of address space for BAR "
                              "%u of %s",
                              len, (unsigned)(r - dev->regions), dev->bdf);
    }
    r->map_len = len;
    if (!r->caps.sparse) {
        return map_area(dev, r, 0, r->size, e);
    }
    for (uint32_t i = 0; i < r->caps.nr_areas && err == 0; i++) {
        err =
            map_area(dev, r, r->caps.areas[i].offset, r->caps.areas[i].size, e);
    }
    return err;
}

int vfio_pci_bar_map(struct vfio_pci_device *dev, unsigned bar, void **map,
                     struct vfio_error *e)
{
    struct vfio_pci_region *r;
    int err;

    if (bar > VFIO_PCI_BAR5_REGION_INDEX || !dev->regions[bar].valid ||
        dev->regions[bar].size == 0) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, EINVAL, "%s has no BAR %u",
                              dev->bdf, bar);
    }
    r = &dev->regions[bar];
    if (!r->map) {
        if (!(r->flags & VFIO_REGION_INFO_FLAG_MMAP)) {
            return vfio_error_set(e, VFIO_CAUSE_MMAP, EOPNOTSUPP,
                                  "BAR %u of %s: VFIO does not offer mmap "
                                  "for it",
                                  bar, dev->bdf);
        }
        err = bar_map_areas(dev, r, e);
        if (err < 0) {
            munmap(r->map, r->map_len);
            r->map = NULL;
            return err;
        }
    }
    *map = r->map;
    return 0;
}

bool vfio_pci_bar_mapped(const struct vfio_pci_device *dev, unsigned bar,
                         uint64_t offset, uint64_t len)
{
    const struct vfio_pci_region *r;

    if (bar > VFIO_PCI_BAR5_REGION_INDEX) {
        return false;
    }
    r = &dev->regions[bar];
    if (!r->map || offset > r->size || len > r->size - offset) {
        return false;
    }
    if (!r->caps.sparse) {
        return true;
    }
    for (uint32_t i = 0; i < r->caps.nr_areas; i++) {
        const struct vfio_sparse_area *a = &r->caps.areas[i];

        if (offset >= a->offset && offset - a->offset + len <= a->size) {
            return true;
        }
    }
    return false;
}

static int bar_rw(struct vfio_pci_device *dev, unsigned bar, uint64_t offset,
                  void *buf, size_t len, bool write, struct vfio_error *e)
{
    const struct vfio_pci_region *r = &dev->regions[bar];
    ssize_t n;

    if (bar > VFIO_PCI_BAR5_REGION_INDEX || !r->valid || offset > r->size ||
        len > r->size - offset) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, EINVAL,
                              "BAR %u access at %#llx+%zu out of range", bar,
                              (unsigned long long)offset, len);
    }
    n = write ? pwrite(dev->fd, buf, len, (off_t)(r->offset + offset))
              : pread(dev->fd, buf, len, (off_t)(r->offset + offset));
    if (n != (ssize_t)len) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, n < 0 ? errno : EIO,
                              "BAR %u %s of %zu bytes at %#llx", bar,
                              write ? "write" : "read", len,
                              (unsigned long long)offset);
    }
    return 0;
}

int vfio_pci_bar_pread(struct vfio_pci_device *dev, unsigned bar,
                       uint64_t offset, void *buf, size_t len,
                       struct vfio_error *e)
{
    return bar_rw(dev, bar, offset, buf, len, false, e);
}

int vfio_pci_bar_pwrite(struct vfio_pci_device *dev, unsigned bar,
                        uint64_t offset, const void *buf, size_t len,
                        struct vfio_error *e)
{
    return bar_rw(dev, bar, offset, (void *)buf, len, true, e);
}

int vfio_pci_device_reset(struct vfio_pci_device *dev, struct vfio_error *e)
{
    if (!(dev->info.flags & VFIO_DEVICE_FLAGS_RESET)) {
        return vfio_error_set(e, VFIO_CAUSE_UNSUPPORTED, EOPNOTSUPP,
                              "%s offers no VFIO_DEVICE_RESET", dev->bdf);
    }
    if (ioctl(dev->fd, VFIO_DEVICE_RESET) < 0) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, errno,
                              "VFIO_DEVICE_RESET(%s)", dev->bdf);
    }
    return 0;
}

int vfio_pci_command_update(struct vfio_pci_device *dev, uint16_t set,
                            uint16_t clear, struct vfio_error *e)
{
    uint32_t cmd;
    int err = vfio_pci_config_read(dev, PCI_COMMAND, 2, &cmd, e);

    if (err < 0) {
        return err;
    }
    cmd = (cmd & ~(uint32_t)clear) | set;
    return vfio_pci_config_write(dev, PCI_COMMAND, 2, cmd, e);
}

#if defined(__aarch64__)
/* Byte accesses up to 8-byte alignment of the BAR side, then 64-bit ones. */
void vfio_pci_bar_copy_to(volatile void *bar, const void *src, size_t len)
{
    volatile uint8_t *d = bar;
    const uint8_t *s = src;
    uint64_t word;

    for (; len && ((uintptr_t)d & 7); len--) {
        *d++ = *s++;
    }
    for (; len >= 8; len -= 8, d += 8, s += 8) {
        memcpy(&word, s, 8);
        *(volatile uint64_t *)(volatile void *)d = word;
    }
    while (len--) {
        *d++ = *s++;
    }
}

void vfio_pci_bar_copy_from(void *dst, const volatile void *bar, size_t len)
{
    const volatile uint8_t *s = bar;
    uint8_t *d = dst;
    uint64_t word;

    for (; len && ((uintptr_t)s & 7); len--) {
        *d++ = *s++;
    }
    for (; len >= 8; len -= 8, d += 8, s += 8) {
        word = *(const volatile uint64_t *)(const volatile void *)s;
        memcpy(d, &word, 8);
    }
    while (len--) {
        *d++ = *s++;
    }
}

void vfio_pci_bar_fill(volatile void *bar, uint8_t byte, size_t len)
{
    volatile uint8_t *d = bar;
    uint64_t word = 0x0101010101010101ull * byte;

    for (; len && ((uintptr_t)d & 7); len--) {
        *d++ = byte;
    }
    for (; len >= 8; len -= 8, d += 8) {
        *(volatile uint64_t *)(volatile void *)d = word;
    }
    while (len--) {
        *d++ = byte;
    }
}
#else
void vfio_pci_bar_copy_to(volatile void *bar, const void *src, size_t len)
{
    memcpy((void *)bar, src, len);
}

void vfio_pci_bar_copy_from(void *dst, const volatile void *bar, size_t len)
{
    memcpy(dst, (const void *)bar, len);
}

void vfio_pci_bar_fill(volatile void *bar, uint8_t byte, size_t len)
{
    memset((void *)bar, byte, len);
}
#endif
