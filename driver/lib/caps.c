/*
 * Capability chain parsing (see vfio/caps.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "vfio/caps.h"

/* Copies a header out of buf: the buffer may not be aligned for it. */
static bool cap_header_at(const void *buf, size_t len, size_t off,
                          struct vfio_info_cap_header *hdr)
{
    if (off < sizeof(uint32_t) || off > len || len - off < sizeof(*hdr)) {
        return false;
    }
    memcpy(hdr, (const char *)buf + off, sizeof(*hdr));
    return true;
}

long vfio_cap_find(const void *buf, size_t len, uint32_t first, uint16_t id,
                   struct vfio_error *e)
{
    size_t off = first;
    struct vfio_info_cap_header hdr;

    while (off != 0) {
        if (!cap_header_at(buf, len, off, &hdr)) {
            return vfio_error_set(e, VFIO_CAUSE_SYSTEM, EINVAL,
                                  "capability at offset %zu lies outside the "
                                  "%zu-byte info buffer",
                                  off, len);
        }
        if (hdr.id == id) {
            return (long)off;
        }
        if (hdr.next != 0 && hdr.next <= off) {
            return vfio_error_set(e, VFIO_CAUSE_SYSTEM, EINVAL,
                                  "capability chain goes back from offset "
                                  "%zu to %u",
                                  off, hdr.next);
        }
        off = hdr.next;
    }
    return 0;
}

/* Counts the chain's entries; the chain was already checked by find. */
static uint32_t cap_count(const void *buf, size_t len, uint32_t first)
{
    struct vfio_info_cap_header hdr;
    uint32_t n = 0;
    size_t off = first;

    while (off != 0 && cap_header_at(buf, len, off, &hdr)) {
        n++;
        off = hdr.next > off ? hdr.next : 0;
    }
    return n;
}

static int parse_sparse(const void *buf, size_t len, size_t off,
                        struct vfio_region_caps *caps, struct vfio_error *e)
{
    struct vfio_region_info_cap_sparse_mmap sparse;
    size_t areas_off = off + sizeof(sparse);

    if (len - off < sizeof(sparse)) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, EINVAL,
                              "sparse-mmap capability truncated");
    }
    memcpy(&sparse, (const char *)buf + off, sizeof(sparse));
    if (sparse.nr_areas > VFIO_SPARSE_AREAS_MAX ||
        (len - areas_off) / sizeof(struct vfio_region_sparse_mmap_area) <
            sparse.nr_areas) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, EINVAL,
                              "sparse-mmap capability has %u areas, more "
                              "than the buffer holds or %d",
                              sparse.nr_areas, VFIO_SPARSE_AREAS_MAX);
    }
    caps->sparse = true;
    caps->nr_areas = sparse.nr_areas;
    for (uint32_t i = 0; i < sparse.nr_areas; i++) {
        struct vfio_region_sparse_mmap_area area;

        memcpy(&area, (const char *)buf + areas_off + i * sizeof(area),
               sizeof(area));
        caps->areas[i].offset = area.offset;
        caps->areas[i].size = area.size;
    }
    return 0;
}

int vfio_region_caps_parse(const void *buf, size_t len,
                           struct vfio_region_caps *caps, struct vfio_error *e)
{
    struct vfio_region_info info;
    long off;

    memset(caps, 0, sizeof(*caps));
    if (len < sizeof(info)) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, EINVAL,
                              "region info shorter than its fixed part");
    }
    memcpy(&info, buf, sizeof(info));
    if (!(info.flags & VFIO_REGION_INFO_FLAG_CAPS) || info.cap_offset == 0) {
        return 0;
    }
    off = vfio_cap_find(buf, len, info.cap_offset,
                        VFIO_REGION_INFO_CAP_SPARSE_MMAP, e);
    if (off < 0) {
        return (int)off;
    }
    if (off > 0 && parse_sparse(buf, len, (size_t)off, caps, e) < 0) {
        return -EINVAL;
    }
    off = vfio_cap_find(buf, len, info.cap_offset,
                        VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, e);
    if (off < 0) {
        return (int)off;
    }
    caps->msix_mappable = off > 0;
    caps->nr_caps = cap_count(buf, len, info.cap_offset);
    return 0;
}

static int whole_space(struct iova_range **ranges, size_t *nr)
{
    *ranges = calloc(1, sizeof(**ranges));
    if (!*ranges) {
        return -ENOMEM;
    }
    (*ranges)->start = 0;
    (*ranges)->last = UINT64_MAX;
    *nr = 1;
    return 0;
}

int vfio_type1_info_parse_ranges(const void *buf, size_t len,
                                 struct iova_range **ranges, size_t *nr,
                                 struct vfio_error *e)
{
    struct vfio_iommu_type1_info info;
    struct vfio_iommu_type1_info_cap_iova_range cap;
    size_t entries;
    long off;

    if (len < sizeof(info)) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, EINVAL,
                              "IOMMU info shorter than its fixed part");
    }
    memcpy(&info, buf, sizeof(info));
    if (!(info.flags & VFIO_IOMMU_INFO_CAPS) || info.cap_offset == 0) {
        return whole_space(ranges, nr);
    }
    off = vfio_cap_find(buf, len, info.cap_offset,
                        VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, e);
    if (off <= 0) {
        return off < 0 ? (int)off : whole_space(ranges, nr);
    }
    if (len - (size_t)off < sizeof(cap)) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, EINVAL,
                              "IOVA range capability truncated");
    }
    memcpy(&cap, (const char *)buf + off, sizeof(cap));
    entries = (len - (size_t)off - sizeof(cap)) / sizeof(struct iova_range);
    if (cap.nr_iovas == 0 || cap.nr_iovas > entries) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, EINVAL,
                              "IOVA range capability claims %u ranges, "
                              "buffer holds %zu",
                              cap.nr_iovas, entries);
    }
    *ranges = calloc(cap.nr_iovas, sizeof(**ranges));
    if (!*ranges) {
        return -ENOMEM;
    }
    /* struct iova_range has the layout of the kernel's vfio_iova_range. */
    memcpy(*ranges, (const char *)buf + off + sizeof(cap),
           cap.nr_iovas * sizeof(**ranges));
    *nr = cap.nr_iovas;
    return 0;
}
