/*
 * IOVA allocator: hands out page-aligned IOVA ranges that lie inside the
 * ranges the IOMMU reports as usable (so never in the MSI window or a
 * reserved region). A bump allocator, as in the kernel's VFIO selftests:
 * test programs map a few buffers and exit, so freeing is not worth a free
 * list; vfio_iova_reset() starts over.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef VFIO_IOVA_H
#define VFIO_IOVA_H

#include <stddef.h>
#include <stdint.h>

#include "vfio/caps.h"
#include "vfio/error.h"

#define VFIO_IOVA_PAGE 4096ull

struct vfio_iova_allocator {
    struct iova_range *ranges; /* owned copy, sorted by start */
    size_t nr_ranges;
    size_t cur;     /* range the next allocation comes from */
    uint64_t next;  /* first free IOVA in ranges[cur] */
    uint64_t floor; /* no allocation below this (vfio_iova_set_floor) */
};

/*
 * Takes a copy of ranges (any order, inclusive ends). Page 0 is never handed
 * out, so a DMA address register left at its reset value 0 cannot hit a
 * real buffer. 0, -EINVAL (no usable page) or -ENOMEM.
 */
int vfio_iova_init(struct vfio_iova_allocator *a,
                   const struct iova_range *ranges, size_t nr,
                   struct vfio_error *e);

/*
 * Allocates size bytes (rounded up to pages) aligned to align (a power of
 * two, at least a page; 0 means a page). 0 or -ENOSPC / -EINVAL.
 */
int vfio_iova_alloc(struct vfio_iova_allocator *a, uint64_t size,
                    uint64_t align, uint64_t *iova, struct vfio_error *e);

/* True if [iova, iova + size) lies inside one of ranges. */
int vfio_iova_ranges_contain(const struct iova_range *ranges, size_t nr,
                             uint64_t iova, uint64_t size);

/* True if [iova, iova + size) lies inside one usable range. */
int vfio_iova_usable(const struct vfio_iova_allocator *a, uint64_t iova,
                     uint64_t size);

/*
 * Makes every later allocation (also after reset) come from at or above
 * floor, e.g. to put DMA buffers above 4 GiB. 0, or -ERANGE (cause
 * VFIO_CAUSE_IOVA_RANGE, naming the ranges) when no usable IOVA is there.
 */
int vfio_iova_set_floor(struct vfio_iova_allocator *a, uint64_t floor,
                        struct vfio_error *e);

/* "0x1000-0xfedfffff, 0xfef00000-0x7fffffffff" into buf; returns buf. */
const char *vfio_iova_format_ranges(const struct iova_range *ranges, size_t nr,
                                    char *buf, size_t len);

void vfio_iova_reset(struct vfio_iova_allocator *a);
void vfio_iova_fini(struct vfio_iova_allocator *a);

#endif
