/*
 * IOVA allocator (see vfio/iova.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vfio/iova.h"

static int range_cmp(const void *a, const void *b)
{
    const struct iova_range *ra = a, *rb = b;

    return ra->start < rb->start ? -1 : ra->start > rb->start;
}

/* Start of the first whole page at or above x, or 0 if that wraps. */
static uint64_t align_up(uint64_t x, uint64_t align)
{
    uint64_t mask = align - 1;

    return x > UINT64_MAX - mask ? 0 : (x + mask) & ~mask;
}

static uint64_t first_usable(const struct iova_range *r)
{
    /* Skipping page 0 (see header). */
    uint64_t start = r->start < VFIO_IOVA_PAGE ? VFIO_IOVA_PAGE : r->start;

    return align_up(start, VFIO_IOVA_PAGE);
}

void vfio_iova_reset(struct vfio_iova_allocator *a)
{
    a->cur = 0;
    a->next = a->nr_ranges ? first_usable(&a->ranges[0]) : 0;
}

int vfio_iova_init(struct vfio_iova_allocator *a,
                   const struct iova_range *ranges, size_t nr,
                   struct vfio_error *e)
{
    memset(a, 0, sizeof(*a));
    if (nr == 0) {
        return vfio_error_set(e, VFIO_CAUSE_NO_IOVA, EINVAL,
                              "the IOMMU reports no usable IOVA range");
    }
    a->ranges = calloc(nr, sizeof(*ranges));
    if (!a->ranges) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, ENOMEM, "IOVA ranges");
    }
    memcpy(a->ranges, ranges, nr * sizeof(*ranges));
    qsort(a->ranges, nr, sizeof(*ranges), range_cmp);
    a->nr_ranges = nr;
    vfio_iova_reset(a);
    return 0;
}

void vfio_iova_fini(struct vfio_iova_allocator *a)
{
    free(a->ranges);
    memset(a, 0, sizeof(*a));
}

/* Tries to fit [start, start+size) at or after from in range r. */
static int fit_in_range(const struct iova_range *r, uint64_t from,
                        uint64_t size, uint64_t align, uint64_t *iova)
{
    uint64_t start = align_up(from, align);

    if (start == 0 || start < from || start > r->last) {
        return -ENOSPC;
    }
    if (size - 1 > r->last - start) {
        return -ENOSPC;
    }
    *iova = start;
    return 0;
}

int vfio_iova_alloc(struct vfio_iova_allocator *a, uint64_t size,
                    uint64_t align, uint64_t *iova, struct vfio_error *e)
{
    uint64_t rounded = align_up(size, VFIO_IOVA_PAGE);

    if (align == 0) {
        align = VFIO_IOVA_PAGE;
    }
    if (size == 0 || rounded == 0 || (align & (align - 1)) != 0 ||
        align < VFIO_IOVA_PAGE) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, EINVAL,
                              "bad IOVA request: size %#llx align %#llx",
                              (unsigned long long)size,
                              (unsigned long long)align);
    }
    for (; a->cur < a->nr_ranges; a->cur++) {
        const struct iova_range *r = &a->ranges[a->cur];
        uint64_t from = a->next > first_usable(r) ? a->next : first_usable(r);

        if (fit_in_range(r, from, rounded, align, iova) == 0) {
            /* The range's last page may end the space: next wraps to 0. */
            a->next = *iova + rounded;
            if (a->next == 0) {
                a->cur = a->nr_ranges;
            }
            return 0;
        }
    }
    return vfio_error_set(e, VFIO_CAUSE_NO_IOVA, ENOSPC,
                          "no room for %#llx bytes of IOVA",
                          (unsigned long long)size);
}

int vfio_iova_usable(const struct vfio_iova_allocator *a, uint64_t iova,
                     uint64_t size)
{
    for (size_t i = 0; i < a->nr_ranges; i++) {
        const struct iova_range *r = &a->ranges[i];

        if (size > 0 && iova >= r->start && iova <= r->last &&
            size - 1 <= r->last - iova) {
            return 1;
        }
    }
    return 0;
}
