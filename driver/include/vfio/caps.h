/*
 * VFIO "info capability chains": the variable part VFIO_DEVICE_GET_REGION_INFO
 * and VFIO_IOMMU_GET_INFO append to their fixed structure. Parsed from a
 * plain buffer, so the parsers are unit-tested without a kernel.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef VFIO_CAPS_H
#define VFIO_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfio/error.h"

struct iova_range {
    uint64_t start;
    uint64_t last; /* inclusive */
};

struct vfio_sparse_area {
    uint64_t offset; /* from the start of the region */
    uint64_t size;
};

#define VFIO_SPARSE_AREAS_MAX 8

/* What the region-info capability chain says. */
struct vfio_region_caps {
    bool sparse;       /* VFIO_REGION_INFO_CAP_SPARSE_MMAP present */
    uint32_t nr_areas; /* mmappable areas when sparse */
    struct vfio_sparse_area areas[VFIO_SPARSE_AREAS_MAX];
    bool msix_mappable; /* VFIO_REGION_INFO_CAP_MSIX_MAPPABLE present */
    uint32_t nr_caps;   /* every capability seen, known or not */
};

/*
 * Finds capability id in the chain that starts at first (offset from the
 * start of buf, 0 = no chain). Each header must lie inside buf and offsets
 * must grow, so a corrupt chain cannot loop. Returns the offset of the
 * header, 0 if absent, or -EINVAL (detail in e) if the chain is malformed.
 */
long vfio_cap_find(const void *buf, size_t len, uint32_t first, uint16_t id,
                   struct vfio_error *e);

/*
 * Parses the chain of a struct vfio_region_info read into buf (len bytes,
 * info->argsz as the kernel asked for). 0 or -EINVAL.
 */
int vfio_region_caps_parse(const void *buf, size_t len,
                           struct vfio_region_caps *caps, struct vfio_error *e);

/*
 * Parses the IOVA ranges of a struct vfio_iommu_type1_info in buf. With no
 * VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE the whole 64-bit space is one range.
 * *ranges is malloc'ed; the caller frees it. 0, -EINVAL or -ENOMEM.
 */
int vfio_type1_info_parse_ranges(const void *buf, size_t len,
                                 struct iova_range **ranges, size_t *nr,
                                 struct vfio_error *e);

#endif
