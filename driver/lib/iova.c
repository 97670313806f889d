/*
 * IOVA allocator (see vfio/iova.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdio.h>
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
    uint64_t start = a->nr_ranges ? first_usable(&a->ranges[0]) : 0;

    /* vfio_iova_alloc searches from next onwards, range by range. */
    a->cur = 0;
    a->next = start > a->floor ? start : a->floor;
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

const char *vfio_iova_format_ranges(const struct iova_range *ranges, size_t nr,
                                    char *buf, size_t len)
{
    size_t used = 0;

    if (len == 0) {
        return buf;
    }
    buf[0] = '\0';
    for (size_t i = 0; i < nr && used < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%#llx-%#llx", i ? ", " : "",
                         (unsigned long long)ranges[i].start,
                         (unsigned long long)ranges[i].last);

        if (n < 0) {
            break;
        }
        used += (size_t)n;
    }
    return buf;
}

int vfio_iova_set_floor(struct vfio_iova_allocator *a, uint64_t floor,
                        struct vfio_error *e)
{
    char text[256];
    uint64_t page;

    if (floor % VFIO_IOVA_PAGE) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, EINVAL,
                              "IOVA floor %#llx is not page aligned",
                              (unsigned long long)floor);
    }
    for (size_t i = 0; i < a->nr_ranges; i++) {
        const struct iova_range *r = &a->ranges[i];
        uint64_t from = floor > first_usable(r) ? floor : first_usable(r);

        if (fit_in_range(r, from, VFIO_IOVA_PAGE, VFIO_IOVA_PAGE, &page) == 0) {
            a->floor = floor;
            vfio_iova_reset(a);
            return 0;
        }
    }
    return vfio_error_set(
        e, VFIO_CAUSE_IOVA_RANGE, ERANGE,
        "no usable IOVA at or above %#llx; the IOMMU's ranges are %s",
        (unsigned long long)floor,
        vfio_iova_format_ranges(a->ranges, a->nr_ranges, text, sizeof(text)));
}

int vfio_iova_ranges_contain(const struct iova_range *ranges, size_t nr,
                             uint64_t iova, uint64_t size)
{
    for (size_t i = 0; i < nr; i++) {
        const struct iova_range *r = &ranges[i];

        if (size > 0 && iova >= r->start && iova <= r->last &&
            size - 1 <= r->last - iova) {
            return 1;
        }
    }
    return 0;
}

int vfio_iova_usable(const struct vfio_iova_allocator *a, uint64_t iova,
                     uint64_t size)
{
    return vfio_iova_ranges_contain(a->ranges, a->nr_ranges, iova, size);
}
