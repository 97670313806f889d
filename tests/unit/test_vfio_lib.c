/*
 * Host unit tests of the VFIO library's pure parts: the IOVA allocator,
 * error causes and messages, capability-chain parsing from synthetic
 * buffers, device-address parsing, the IOMMU backend choice and the sysfs
 * checks against a fake /dev and /sys tree.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "vfio/caps.h"
#include "vfio/error.h"
#include "vfio/iommu.h"
#include "vfio/iova.h"
#include "vfio/pci_device.h"
#include "vfio/pci_discovery.h"

/* ---- IOVA allocator ----------------------------------------------------- */

START_TEST(iova_skips_page_zero_and_aligns)
{
    struct iova_range r = {0, 0xffffffff};
    struct vfio_iova_allocator a;
    uint64_t iova;

    ck_assert_int_eq(vfio_iova_init(&a, &r, 1, NULL), 0);
    ck_assert_int_eq(vfio_iova_alloc(&a, 1, 0, &iova, NULL), 0);
    ck_assert_uint_eq(iova, 0x1000);
    ck_assert_int_eq(vfio_iova_alloc(&a, 0x1001, 0, &iova, NULL), 0);
    ck_assert_uint_eq(iova, 0x2000);
    ck_assert_int_eq(vfio_iova_alloc(&a, 0x1000, 0x10000, &iova, NULL), 0);
    ck_assert_uint_eq(iova, 0x10000);
    ck_assert_int_eq(vfio_iova_alloc(&a, 0x1000, 0, &iova, NULL), 0);
    ck_assert_uint_eq(iova, 0x11000);
    vfio_iova_fini(&a);
}
END_TEST

/* An x86 IOMMU reports the MSI window as a hole between two ranges. */
START_TEST(iova_respects_holes)
{
    struct iova_range r[] = {{0xfef00000, 0x7fffffffff}, {0, 0xfedfffff}};
    struct vfio_iova_allocator a;
    struct vfio_error e = {0};
    uint64_t iova;

    ck_assert_int_eq(vfio_iova_init(&a, r, 2, NULL), 0);
    ck_assert_int_eq(vfio_iova_alloc(&a, 0xfed00000, 0, &iova, NULL), 0);
    ck_assert_uint_eq(iova, 0x1000);
    /* 0x1000 + 0xfed00000 .. leaves less than 2 MiB below the hole. */
    ck_assert_int_eq(vfio_iova_alloc(&a, 0x200000, 0, &iova, NULL), 0);
    ck_assert_uint_eq(iova, 0xfef00000);
    ck_assert(vfio_iova_usable(&a, 0xfef00000, 0x1000));
    ck_assert(!vfio_iova_usable(&a, 0xfee00000, 0x1000));
    ck_assert(!vfio_iova_usable(&a, 0xfedff000, 0x2000));
    ck_assert_int_eq(vfio_iova_alloc(&a, 0x8000000000ull, 0, &iova, &e),
                     -ENOSPC);
    ck_assert_int_eq(e.cause, VFIO_CAUSE_NO_IOVA);
    vfio_iova_fini(&a);
}
END_TEST

START_TEST(iova_exhaustion_and_reset)
{
    struct iova_range r = {0x10000, 0x13fff};
    struct vfio_iova_allocator a;
    uint64_t iova;

    ck_assert_int_eq(vfio_iova_init(&a, &r, 1, NULL), 0);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(vfio_iova_alloc(&a, 0x1000, 0, &iova, NULL), 0);
        ck_assert_uint_eq(iova, 0x10000 + i * 0x1000);
    }
    ck_assert_int_eq(vfio_iova_alloc(&a, 1, 0, &iova, NULL), -ENOSPC);
    vfio_iova_reset(&a);
    ck_assert_int_eq(vfio_iova_alloc(&a, 0x4000, 0, &iova, NULL), 0);
    ck_assert_uint_eq(iova, 0x10000);
    vfio_iova_fini(&a);
}
END_TEST

START_TEST(iova_top_of_space)
{
    struct iova_range r = {0xfffffffffffff000ull, UINT64_MAX};
    struct vfio_iova_allocator a;
    uint64_t iova;

    ck_assert_int_eq(vfio_iova_init(&a, &r, 1, NULL), 0);
    ck_assert_int_eq(vfio_iova_alloc(&a, 0x1000, 0, &iova, NULL), 0);
    ck_assert_uint_eq(iova, 0xfffffffffffff000ull);
    ck_assert_int_eq(vfio_iova_alloc(&a, 0x1000, 0, &iova, NULL), -ENOSPC);
    vfio_iova_fini(&a);
}
END_TEST

/* A floor puts every allocation at or above it, also after a reset. */
START_TEST(iova_floor)
{
    struct iova_range r[] = {{0, 0xfedfffff}, {0xfef00000, 0x7fffffffff}};
    struct vfio_iova_allocator a;
    struct vfio_error e = {0};
    uint64_t iova;

    ck_assert_int_eq(vfio_iova_init(&a, r, 2, NULL), 0);
    ck_assert_int_eq(vfio_iova_set_floor(&a, 0x100000000ull, NULL), 0);
    ck_assert_int_eq(vfio_iova_alloc(&a, 0x1000, 0, &iova, NULL), 0);
    ck_assert_uint_eq(iova, 0x100000000ull);
    ck_assert_int_eq(vfio_iova_alloc(&a, 0x1000, 0, &iova, NULL), 0);
    ck_assert_uint_eq(iova, 0x100001000ull);
    vfio_iova_reset(&a);
    ck_assert_int_eq(vfio_iova_alloc(&a, 0x1000, 0, &iova, NULL), 0);
    ck_assert_uint_eq(iova, 0x100000000ull);
    /* A floor inside the MSI hole: the next range's start. */
    ck_assert_int_eq(vfio_iova_set_floor(&a, 0xfee00000, NULL), 0);
    ck_assert_int_eq(vfio_iova_alloc(&a, 0x1000, 0, &iova, NULL), 0);
    ck_assert_uint_eq(iova, 0xfef00000);
    /* Beyond the last range: refused, naming the ranges; floor unchanged. */
    ck_assert_int_eq(vfio_iova_set_floor(&a, 0x8000000000ull, &e), -ERANGE);
    ck_assert_int_eq(e.cause, VFIO_CAUSE_IOVA_RANGE);
    ck_assert_str_eq(e.detail, "no usable IOVA at or above 0x8000000000; the "
                               "IOMMU's ranges are 0-0xfedfffff, "
                               "0xfef00000-0x7fffffffff");
    ck_assert_int_eq(vfio_iova_alloc(&a, 0x1000, 0, &iova, NULL), 0);
    ck_assert_uint_eq(iova, 0xfef01000);
    ck_assert(vfio_iova_ranges_contain(r, 2, 0xfef00000, 0x1000));
    ck_assert(!vfio_iova_ranges_contain(r, 2, 0x8000000000ull, 0x1000));
    ck_assert_int_eq(vfio_iova_set_floor(&a, 0x7ffffff000ull, NULL), 0);
    ck_assert_int_eq(vfio_iova_alloc(&a, 0x2000, 0, &iova, NULL), -ENOSPC);
    ck_assert_int_eq(vfio_iova_set_floor(&a, 0x100000800ull, &e), -EINVAL);
    vfio_iova_fini(&a);
}
END_TEST

START_TEST(iova_format_ranges)
{
    struct iova_range r[] = {{0x1000, 0x1fff}, {0x10000, UINT64_MAX}};
    char buf[64], tiny[8];

    ck_assert_str_eq(vfio_iova_format_ranges(r, 2, buf, sizeof(buf)),
                     "0x1000-0x1fff, 0x10000-0xffffffffffffffff");
    ck_assert_str_eq(vfio_iova_format_ranges(r, 0, buf, sizeof(buf)), "");
    /* Truncated, still a string. */
    ck_assert_str_eq(vfio_iova_format_ranges(r, 2, tiny, sizeof(tiny)),
                     "0x1000-");
}
END_TEST

START_TEST(iova_bad_requests)
{
    struct iova_range r = {0, 0xffffff};
    struct vfio_iova_allocator a;
    uint64_t iova;

    ck_assert_int_eq(vfio_iova_init(&a, &r, 0, NULL), -EINVAL);
    ck_assert_int_eq(vfio_iova_init(&a, &r, 1, NULL), 0);
    ck_assert_int_eq(vfio_iova_alloc(&a, 0, 0, &iova, NULL), -EINVAL);
    ck_assert_int_eq(vfio_iova_alloc(&a, 0x1000, 0x3000, &iova, NULL), -EINVAL);
    ck_assert_int_eq(vfio_iova_alloc(&a, 0x1000, 0x800, &iova, NULL), -EINVAL);
    ck_assert_int_eq(vfio_iova_alloc(&a, UINT64_MAX, 0, &iova, NULL), -EINVAL);
    vfio_iova_fini(&a);
}
END_TEST

/* ---- error causes ------------------------------------------------------- */

START_TEST(error_classify)
{
    ck_assert_int_eq(vfio_cause_classify(VFIO_OP_OPEN_CONTAINER, ENOENT),
                     VFIO_CAUSE_NO_VFIO);
    ck_assert_int_eq(vfio_cause_classify(VFIO_OP_OPEN_GROUP, ENOENT),
                     VFIO_CAUSE_NOT_BOUND);
    ck_assert_int_eq(vfio_cause_classify(VFIO_OP_SET_IOMMU, EPERM),
                     VFIO_CAUSE_NO_INTREMAP);
    ck_assert_int_eq(vfio_cause_classify(VFIO_OP_OPEN_GROUP, EPERM),
                     VFIO_CAUSE_PERMISSION);
    ck_assert_int_eq(vfio_cause_classify(VFIO_OP_OPEN_CONTAINER, EACCES),
                     VFIO_CAUSE_PERMISSION);
    ck_assert_int_eq(vfio_cause_classify(VFIO_OP_SET_CONTAINER, EINVAL),
                     VFIO_CAUSE_GROUP_NOT_VIABLE);
    ck_assert_int_eq(vfio_cause_classify(VFIO_OP_OPEN_GROUP, EBUSY),
                     VFIO_CAUSE_BUSY);
    ck_assert_int_eq(vfio_cause_classify(VFIO_OP_IOCTL, ENOTTY),
                     VFIO_CAUSE_UNSUPPORTED);
    ck_assert_int_eq(vfio_cause_classify(VFIO_OP_IOCTL, EIO),
                     VFIO_CAUSE_SYSTEM);
    ck_assert_int_eq(vfio_cause_classify(VFIO_OP_IOCTL, 0), VFIO_CAUSE_NONE);
    /* iommufd: BIND says EPERM where type1's SET_IOMMU does. */
    ck_assert_int_eq(vfio_cause_classify(VFIO_OP_BIND_IOMMUFD, EPERM),
                     VFIO_CAUSE_NO_INTREMAP);
    ck_assert_int_eq(vfio_cause_classify(VFIO_OP_BIND_IOMMUFD, EBUSY),
                     VFIO_CAUSE_BUSY);
    ck_assert_int_eq(vfio_cause_classify(VFIO_OP_ATTACH_IOMMUFD, EPERM),
                     VFIO_CAUSE_PERMISSION);
    ck_assert_int_eq(vfio_cause_classify(VFIO_OP_ATTACH_IOMMUFD, EINVAL),
                     VFIO_CAUSE_SYSTEM);
    ck_assert_int_eq(vfio_cause_classify(VFIO_OP_OPEN_IOMMUFD, ENOENT),
                     VFIO_CAUSE_UNSUPPORTED);
    ck_assert_int_eq(vfio_cause_classify(VFIO_OP_OPEN_CDEV, ENODEV),
                     VFIO_CAUSE_NOT_BOUND);
    ck_assert_int_eq(vfio_cause_classify(VFIO_OP_OPEN_CDEV, EACCES),
                     VFIO_CAUSE_PERMISSION);
}
END_TEST

START_TEST(error_set_and_format)
{
    struct vfio_error e = {0};
    char buf[1024];

    ck_assert_int_eq(
        vfio_error_set(&e, VFIO_CAUSE_NO_INTREMAP, EPERM, "group %d", 7),
        -EPERM);
    ck_assert_int_eq(e.err, EPERM);
    vfio_error_format(&e, buf, sizeof(buf));
    ck_assert_ptr_nonnull(strstr(buf, "IOMMU without interrupt remapping"));
    ck_assert_ptr_nonnull(strstr(buf, "group 7"));
    ck_assert_ptr_nonnull(strstr(buf, "Operation not permitted"));
    ck_assert_ptr_nonnull(strstr(buf, "intremap=on"));
    ck_assert_ptr_nonnull(strstr(buf, "vfio_iommu_type1 (type1) or iommufd"));
    /* Negative errnos, no errno and a NULL context. */
    ck_assert_int_eq(vfio_error_set(&e, VFIO_CAUSE_SYSTEM, -ENOENT, "x"),
                     -ENOENT);
    ck_assert_int_eq(vfio_error_set(&e, VFIO_CAUSE_SYSTEM, 0, "x"), -EIO);
    ck_assert_int_eq(vfio_error_set(NULL, VFIO_CAUSE_SYSTEM, EBUSY, "x"),
                     -EBUSY);
    vfio_error_clear(&e);
    ck_assert_int_eq(e.cause, VFIO_CAUSE_NONE);
    ck_assert_str_eq(e.detail, "");
}
END_TEST

START_TEST(error_every_cause_has_text)
{
    for (int c = 0; c < VFIO_CAUSE_COUNT; c++) {
        ck_assert(strlen(vfio_cause_name((enum vfio_cause)c)) > 0);
        ck_assert_ptr_nonnull(vfio_cause_hint((enum vfio_cause)c));
    }
    ck_assert_str_eq(vfio_cause_name(VFIO_CAUSE_COUNT), "unknown cause");
    ck_assert_str_eq(vfio_cause_name(VFIO_CAUSE_NO_VFIO),
                     "vfio modules not loaded");
    ck_assert_str_eq(vfio_cause_name(VFIO_CAUSE_GROUP_NOT_VIABLE),
                     "IOMMU group not viable");
}
END_TEST

/* ---- capability chains -------------------------------------------------- */

/*
 * A synthetic VFIO_DEVICE_GET_REGION_INFO answer: the fixed part, a
 * sparse-mmap capability with two areas, then an MSI-X-mappable one.
 * Built at byte offsets, as the kernel lays it out.
 */
#define SPARSE_OFF sizeof(struct vfio_region_info)
#define AREAS_OFF (SPARSE_OFF + sizeof(struct vfio_region_info_cap_sparse_mmap))
#define MSIX_OFF (AREAS_OFF + 2 * sizeof(struct vfio_region_sparse_mmap_area))
#define REGION_BUF_LEN (MSIX_OFF + sizeof(struct vfio_info_cap_header))

struct region_buf {
    uint8_t bytes[REGION_BUF_LEN];
};

static void put(struct region_buf *b, size_t off, const void *v, size_t len)
{
    memcpy(b->bytes + off, v, len);
}

/* Rewrites one header field: next (at +4) of the capability at off. */
static void set_next(struct region_buf *b, size_t off, uint32_t next)
{
    put(b, off + offsetof(struct vfio_info_cap_header, next), &next,
        sizeof(next));
}

static void set_id(struct region_buf *b, size_t off, uint16_t id)
{
    put(b, off, &id, sizeof(id));
}

static void set_nr_areas(struct region_buf *b, uint32_t n)
{
    put(b,
        SPARSE_OFF +
            offsetof(struct vfio_region_info_cap_sparse_mmap, nr_areas),
        &n, sizeof(n));
}

static void region_buf_init(struct region_buf *b, uint32_t flags,
                            uint32_t cap_offset)
{
    struct vfio_region_info info = {
        .argsz = REGION_BUF_LEN, .flags = flags, .cap_offset = cap_offset};
    struct vfio_info_cap_header hdr = {VFIO_REGION_INFO_CAP_SPARSE_MMAP, 1,
                                       (uint32_t)MSIX_OFF};
    struct vfio_region_sparse_mmap_area areas[2] = {{0, 0x1000},
                                                    {0x1800, 0x800}};

    memset(b, 0, sizeof(*b));
    put(b, 0, &info, sizeof(info));
    put(b, SPARSE_OFF, &hdr, sizeof(hdr));
    set_nr_areas(b, 2);
    put(b, AREAS_OFF, areas, sizeof(areas));
    hdr.id = VFIO_REGION_INFO_CAP_MSIX_MAPPABLE;
    hdr.next = 0;
    put(b, MSIX_OFF, &hdr, sizeof(hdr));
}

#define ALL_CAPS (VFIO_REGION_INFO_FLAG_CAPS | VFIO_REGION_INFO_FLAG_MMAP)

START_TEST(caps_region_sparse_and_msix)
{
    struct region_buf b;
    struct vfio_region_caps caps;

    region_buf_init(&b, ALL_CAPS, SPARSE_OFF);
    ck_assert_int_eq(vfio_region_caps_parse(&b, sizeof(b), &caps, NULL), 0);
    ck_assert(caps.sparse);
    ck_assert(caps.msix_mappable);
    ck_assert_uint_eq(caps.nr_caps, 2);
    ck_assert_uint_eq(caps.nr_areas, 2);
    ck_assert_uint_eq(caps.areas[1].offset, 0x1800);
    ck_assert_uint_eq(caps.areas[1].size, 0x800);
}
END_TEST

START_TEST(caps_region_none)
{
    struct region_buf b;
    struct vfio_region_caps caps;

    region_buf_init(&b, VFIO_REGION_INFO_FLAG_MMAP, SPARSE_OFF);
    ck_assert_int_eq(vfio_region_caps_parse(&b, sizeof(b), &caps, NULL), 0);
    ck_assert(!caps.sparse && !caps.msix_mappable);
    ck_assert_uint_eq(caps.nr_caps, 0);
    /* Only the MSI-X capability: the region maps whole. */
    region_buf_init(&b, ALL_CAPS, MSIX_OFF);
    ck_assert_int_eq(vfio_region_caps_parse(&b, sizeof(b), &caps, NULL), 0);
    ck_assert(!caps.sparse && caps.msix_mappable);
}
END_TEST

START_TEST(caps_region_malformed)
{
    struct region_buf b;
    struct vfio_region_caps caps;
    struct vfio_error e = {0};

    region_buf_init(&b, ALL_CAPS, SPARSE_OFF);
    set_next(&b, SPARSE_OFF, sizeof(b) + 16); /* outside the buffer */
    ck_assert_int_eq(vfio_region_caps_parse(&b, sizeof(b), &caps, &e), -EINVAL);
    ck_assert_ptr_nonnull(strstr(e.detail, "outside"));
    region_buf_init(&b, ALL_CAPS, SPARSE_OFF);
    set_next(&b, MSIX_OFF, SPARSE_OFF); /* loops back */
    set_id(&b, MSIX_OFF, 99);
    ck_assert_int_eq(vfio_region_caps_parse(&b, sizeof(b), &caps, &e), -EINVAL);
    ck_assert_ptr_nonnull(strstr(e.detail, "goes back"));
    region_buf_init(&b, ALL_CAPS, SPARSE_OFF);
    set_nr_areas(&b, 50); /* more than the buffer holds */
    ck_assert_int_eq(vfio_region_caps_parse(&b, sizeof(b), &caps, &e), -EINVAL);
    ck_assert_int_eq(vfio_region_caps_parse(&b, 8, &caps, &e), -EINVAL);
}
END_TEST

/* A synthetic VFIO_IOMMU_GET_INFO answer with nr IOVA ranges room for 2. */
#define RANGE_CAP_OFF sizeof(struct vfio_iommu_type1_info)
#define RANGES_OFF                                                             \
    (RANGE_CAP_OFF + sizeof(struct vfio_iommu_type1_info_cap_iova_range))
#define IOMMU_BUF_LEN (RANGES_OFF + 2 * sizeof(struct vfio_iova_range))

static void iommu_buf_init(uint8_t *b, uint32_t flags, uint32_t nr)
{
    struct vfio_iommu_type1_info info = {
        .argsz = IOMMU_BUF_LEN, .flags = flags, .cap_offset = RANGE_CAP_OFF};
    struct vfio_info_cap_header hdr = {VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 1,
                                       0};
    struct vfio_iova_range ranges[2] = {{0, 0xfedfffff},
                                        {0xfef00000, 0x7fffffffff}};

    memset(b, 0, IOMMU_BUF_LEN);
    memcpy(b, &info, sizeof(info));
    memcpy(b + RANGE_CAP_OFF, &hdr, sizeof(hdr));
    memcpy(b + RANGE_CAP_OFF + sizeof(hdr), &nr, sizeof(nr));
    memcpy(b + RANGES_OFF, ranges, sizeof(ranges));
}

START_TEST(caps_iova_ranges)
{
    uint8_t b[IOMMU_BUF_LEN];
    struct iova_range *r = NULL;
    size_t n = 0;

    iommu_buf_init(b, VFIO_IOMMU_INFO_CAPS | VFIO_IOMMU_INFO_PGSIZES, 2);
    ck_assert_int_eq(vfio_type1_info_parse_ranges(b, sizeof(b), &r, &n, NULL),
                     0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(r[1].start, 0xfef00000);
    ck_assert_uint_eq(r[1].last, 0x7fffffffff);
    free(r);
    iommu_buf_init(b, VFIO_IOMMU_INFO_CAPS, 3);
    ck_assert_int_eq(vfio_type1_info_parse_ranges(b, sizeof(b), &r, &n, NULL),
                     -EINVAL);
    iommu_buf_init(b, VFIO_IOMMU_INFO_CAPS, 0);
    ck_assert_int_eq(vfio_type1_info_parse_ranges(b, sizeof(b), &r, &n, NULL),
                     -EINVAL);
    /* No capability: the whole 64-bit space. */
    iommu_buf_init(b, 0, 2);
    ck_assert_int_eq(vfio_type1_info_parse_ranges(b, sizeof(b), &r, &n, NULL),
                     0);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(r[0].last, UINT64_MAX);
    free(r);
}
END_TEST

/* ---- device addresses --------------------------------------------------- */

START_TEST(match_parse_good)
{
    struct vfio_pci_match m;
    char bdf[32];

    ck_assert_int_eq(vfio_pci_match_parse("1af4:1236", &m, NULL), 0);
    ck_assert(m.by_id);
    ck_assert_uint_eq(m.vendor, 0x1af4);
    ck_assert_uint_eq(m.device, 0x1236);
    ck_assert_int_eq(vfio_pci_match_parse("0000:00:1f.7", &m, NULL), 0);
    ck_assert(!m.by_id);
    ck_assert_uint_eq(m.slot, 0x1f);
    ck_assert_uint_eq(m.func, 7);
    ck_assert_int_eq(vfio_pci_match_parse("01:02.3", &m, NULL), 0);
    vfio_pci_bdf_format(&m, bdf, sizeof(bdf));
    ck_assert_str_eq(bdf, "0000:01:02.3");
    ck_assert_int_eq(vfio_pci_match_parse("ABCD:EF:00.0", &m, NULL), 0);
    ck_assert_uint_eq(m.domain, 0xabcd);
}
END_TEST

START_TEST(match_parse_bad)
{
    static const char *bad[] = {
        "",           "1af4",          "1af4:12345", "1af4:123g",
        "zz",         "00:20.0",       "00:01.8",    "0:00:01.0",
        "0000:00:01", "0000:00:01.0x", "00:01.0 ",   "1af4:1236:0"};
    struct vfio_pci_match m;
    struct vfio_error e = {0};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(vfio_pci_match_parse(bad[i], &m, &e) == -EINVAL,
                      "'%s' accepted", bad[i]);
        ck_assert_int_eq(e.cause, VFIO_CAUSE_BAD_ADDRESS);
        ck_assert_ptr_nonnull(strstr(e.detail, bad[i]));
    }
    ck_assert_int_eq(vfio_pci_match_parse(NULL, &m, NULL), -EINVAL);
}
END_TEST

/* ---- a fake /dev and /sys ----------------------------------------------- */

static char root[256];
static char dev_root[300], sys_root[300];

static void mkpath(const char *rel, bool is_file)
{
    char path[1024], *p;

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    if (is_file) {
        close(open(path, O_CREAT | O_WRONLY, 0644));
    } else {
        mkdir(path, 0755);
    }
}

static void mklink(const char *rel, const char *target)
{
    char path[1024];

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    ck_assert_int_eq(symlink(target, path), 0);
}

static void fake_setup(void)
{
    strcpy(root, "/tmp/vfio-unit.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    snprintf(dev_root, sizeof(dev_root), "%s/dev", root);
    snprintf(sys_root, sizeof(sys_root), "%s/sys", root);
    mkpath("dev/vfio", false);
    mkpath("sys/bus/pci/devices", false);
}

static void fake_teardown(void)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    ck_assert_int_eq(system(cmd), 0);
}

static void fake_iommufd(bool dev_iommu, bool sysfs_cdev, bool dev_cdev)
{
    if (dev_iommu) {
        mkpath("dev/iommu", true);
    }
    if (sysfs_cdev) {
        mkpath("sys/bus/pci/devices/0000:00:01.0/vfio-dev/vfio3", false);
    }
    if (dev_cdev) {
        mkpath("dev/vfio/devices/vfio3", true);
    }
}

/* A build whose iommufd backend is only a placeholder. */
static const struct vfio_iommu_ops unimplemented_iommufd_ops = {
    .name = "iommufd",
    .implemented = false,
};

static int choose(enum vfio_iommu_kind req, bool implemented,
                  enum vfio_iommu_kind *out, struct vfio_error *e)
{
    struct vfio_env env = {dev_root, sys_root};

    return vfio_iommu_select_from(&env, req, "0000:00:01.0",
                                  implemented ? &vfio_iommu_iommufd_ops
                                              : &unimplemented_iommufd_ops,
                                  out, e);
}

START_TEST(backend_auto_type1)
{
    enum vfio_iommu_kind k = VFIO_IOMMU_AUTO;

    mkpath("dev/vfio/vfio", true);
    ck_assert_int_eq(choose(VFIO_IOMMU_AUTO, true, &k, NULL), 0);
    ck_assert_int_eq(k, VFIO_IOMMU_TYPE1);
    /* /dev/iommu alone is not enough: the device needs its cdev too. */
    fake_iommufd(true, false, false);
    ck_assert_int_eq(choose(VFIO_IOMMU_AUTO, true, &k, NULL), 0);
    ck_assert_int_eq(k, VFIO_IOMMU_TYPE1);
    /* Nor is the sysfs entry, which kernels without the cdev have too. */
    fake_iommufd(false, true, false);
    ck_assert_int_eq(choose(VFIO_IOMMU_AUTO, true, &k, NULL), 0);
    ck_assert_int_eq(k, VFIO_IOMMU_TYPE1);
}
END_TEST

START_TEST(backend_auto_iommufd)
{
    enum vfio_iommu_kind k = VFIO_IOMMU_AUTO;

    mkpath("dev/vfio/vfio", true);
    fake_iommufd(true, true, true);
    ck_assert(vfio_iommu_iommufd_ops.implemented);
    ck_assert_int_eq(choose(VFIO_IOMMU_AUTO, true, &k, NULL), 0);
    ck_assert_int_eq(k, VFIO_IOMMU_IOMMUFD);
    /* The real selection uses the real (implemented) table. */
    ck_assert_int_eq(vfio_iommu_select(&(struct vfio_env){dev_root, sys_root},
                                       VFIO_IOMMU_AUTO, "0000:00:01.0", &k,
                                       NULL),
                     0);
    ck_assert_int_eq(k, VFIO_IOMMU_IOMMUFD);
    /* Forcing type1 still works where iommufd is offered. */
    ck_assert_int_eq(choose(VFIO_IOMMU_TYPE1, true, &k, NULL), 0);
    ck_assert_int_eq(k, VFIO_IOMMU_TYPE1);
    /* Without an implementation, auto stays with type1. */
    ck_assert_int_eq(choose(VFIO_IOMMU_AUTO, false, &k, NULL), 0);
    ck_assert_int_eq(k, VFIO_IOMMU_TYPE1);
}
END_TEST

START_TEST(backend_forced_iommufd)
{
    enum vfio_iommu_kind k = VFIO_IOMMU_AUTO;
    struct vfio_error e = {0};

    mkpath("dev/vfio/vfio", true);
    /* Each missing piece is named, in the order they are needed. */
    ck_assert_int_eq(choose(VFIO_IOMMU_IOMMUFD, true, &k, &e), -ENODEV);
    ck_assert_int_eq(e.cause, VFIO_CAUSE_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(e.detail, "iommufd backend requested but "));
    ck_assert_ptr_nonnull(
        strstr(e.detail, "/dev/iommu does not exist (kernel without iommufd)"));
    fake_iommufd(true, false, false);
    ck_assert_int_eq(choose(VFIO_IOMMU_IOMMUFD, true, &k, &e), -ENODEV);
    ck_assert_ptr_nonnull(strstr(e.detail, "0000:00:01.0 has no VFIO device"));
    ck_assert_ptr_nonnull(strstr(e.detail, "bound to vfio-pci?"));
    fake_iommufd(false, true, false);
    ck_assert_int_eq(choose(VFIO_IOMMU_IOMMUFD, true, &k, &e), -ENODEV);
    ck_assert_int_eq(e.cause, VFIO_CAUSE_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(e.detail, "/dev/vfio/devices/vfio3 of "
                                           "0000:00:01.0 does not exist"));
    ck_assert_ptr_nonnull(strstr(e.detail, "without VFIO_DEVICE_CDEV"));
    fake_iommufd(false, false, true);
    ck_assert_int_eq(choose(VFIO_IOMMU_IOMMUFD, false, &k, &e), -EOPNOTSUPP);
    ck_assert_ptr_nonnull(strstr(e.detail, "does not implement it"));
    ck_assert_int_eq(choose(VFIO_IOMMU_IOMMUFD, true, &k, &e), 0);
    ck_assert_int_eq(k, VFIO_IOMMU_IOMMUFD);
}
END_TEST

/* A device on vfio-pci in the fake tree, with its group and cdev entries. */
static void fake_bound_device(const char *bdf, int group)
{
    char rel[256], target[128];

    mkpath("sys/bus/pci/drivers/vfio-pci", false);
    snprintf(rel, sizeof(rel), "sys/kernel/iommu_groups/%d", group);
    mkpath(rel, false);
    snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s", bdf);
    mkpath(rel, false);
    snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver", bdf);
    mklink(rel, "../../../bus/pci/drivers/vfio-pci");
    snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/iommu_group", bdf);
    snprintf(target, sizeof(target), "../../../kernel/iommu_groups/%d", group);
    mklink(rel, target);
}

START_TEST(backend_device_node)
{
    struct vfio_iommu iommu = {.kind = VFIO_IOMMU_TYPE1};
    char buf[512], want[512];

    ck_assert_uint_lt(strlen(dev_root), sizeof(iommu.dev_root));
    ck_assert_uint_lt(strlen(sys_root), sizeof(iommu.sys_root));
    strcpy(iommu.dev_root, dev_root);
    strcpy(iommu.sys_root, sys_root);
    ck_assert_str_eq(
        vfio_iommu_device_node(&iommu, "0000:00:01.0", buf, sizeof(buf)), "?");
    fake_bound_device("0000:00:01.0", 5);
    fake_iommufd(true, true, true);
    snprintf(want, sizeof(want), "%s/vfio/5", dev_root);
    ck_assert_str_eq(
        vfio_iommu_device_node(&iommu, "0000:00:01.0", buf, sizeof(buf)), want);
    iommu.kind = VFIO_IOMMU_IOMMUFD;
    snprintf(want, sizeof(want), "%s/vfio/devices/vfio3", dev_root);
    ck_assert_str_eq(
        vfio_iommu_device_node(&iommu, "0000:00:01.0", buf, sizeof(buf)), want);
    ck_assert_int_eq(
        vfio_device_cdev_name(&(struct vfio_env){dev_root, sys_root},
                              "0000:00:02.0", buf, sizeof(buf)),
        -ENOENT);
}
END_TEST

/*
 * Forced iommufd through vfio_pci_device_open: the selection passes, and
 * a /dev/iommu that is not an iommufd fails at the first iommufd ioctl
 * with its name, not at some later step.
 */
START_TEST(backend_iommufd_open_names_the_ioctl)
{
    struct vfio_env env = {dev_root, sys_root};
    struct vfio_pci_open_opts opts = {.iommu = VFIO_IOMMU_IOMMUFD, .env = &env};
    struct vfio_pci_device *dev = NULL;
    struct vfio_error e = {0};

    fake_bound_device("0000:00:01.0", 5);
    ck_assert_int_eq(vfio_pci_device_open(&dev, "0000:00:01.0", &opts, &e),
                     -ENODEV);
    ck_assert_ptr_nonnull(strstr(e.detail, "/dev/iommu does not exist"));
    fake_iommufd(true, true, true);
    ck_assert_int_eq(vfio_pci_device_open(&dev, "0000:00:01.0", &opts, &e),
                     -ENOTTY);
    ck_assert_int_eq(e.cause, VFIO_CAUSE_SYSTEM);
    ck_assert_ptr_nonnull(strstr(e.detail, "IOMMU_IOAS_ALLOC on "));
    ck_assert_ptr_null(dev);
}
END_TEST

START_TEST(backend_no_vfio)
{
    enum vfio_iommu_kind k = VFIO_IOMMU_AUTO;
    struct vfio_error e = {0};

    ck_assert_int_eq(choose(VFIO_IOMMU_TYPE1, true, &k, &e), -ENODEV);
    ck_assert_int_eq(e.cause, VFIO_CAUSE_NO_VFIO);
    ck_assert_int_eq(choose(VFIO_IOMMU_AUTO, true, &k, &e), -ENODEV);
    ck_assert_int_eq(e.cause, VFIO_CAUSE_NO_VFIO);
    ck_assert_ptr_nonnull(strstr(e.detail, "vfio/vfio does not exist"));
}
END_TEST

START_TEST(backend_kind_names)
{
    enum vfio_iommu_kind k;

    ck_assert_int_eq(vfio_iommu_kind_parse("type1", &k), 0);
    ck_assert_int_eq(k, VFIO_IOMMU_TYPE1);
    ck_assert_int_eq(vfio_iommu_kind_parse("iommufd", &k), 0);
    ck_assert_int_eq(k, VFIO_IOMMU_IOMMUFD);
    ck_assert_int_eq(vfio_iommu_kind_parse("auto", &k), 0);
    ck_assert_int_eq(k, VFIO_IOMMU_AUTO);
    ck_assert_int_eq(vfio_iommu_kind_parse("type2", &k), -EINVAL);
    ck_assert_int_eq(vfio_iommu_kind_parse(NULL, &k), -EINVAL);
    ck_assert_str_eq(vfio_iommu_kind_name(VFIO_IOMMU_TYPE1), "type1");
}
END_TEST

START_TEST(group_members_listed)
{
    struct vfio_env env = {dev_root, sys_root};
    char buf[512];

    mkpath("sys/kernel/iommu_groups/5/devices", false);
    mkpath("sys/bus/pci/drivers/virtio-pci", false);
    mkpath("sys/bus/pci/devices/0000:00:05.0", false);
    mkpath("sys/bus/pci/devices/0000:00:05.1", false);
    mklink("sys/kernel/iommu_groups/5/devices/0000:00:05.0",
           "../../../../bus/pci/devices/0000:00:05.0");
    mklink("sys/kernel/iommu_groups/5/devices/0000:00:05.1",
           "../../../../bus/pci/devices/0000:00:05.1");
    mklink("sys/bus/pci/devices/0000:00:05.1/driver",
           "../../../bus/pci/drivers/virtio-pci");
    vfio_group_members(&env, 5, "0000:00:05.0", buf, sizeof(buf));
    ck_assert_str_eq(buf, "0000:00:05.1 (driver virtio-pci)");
    vfio_group_members(&env, 5, NULL, buf, sizeof(buf));
    ck_assert_ptr_nonnull(strstr(buf, "0000:00:05.0 (no driver)"));
    vfio_group_members(&env, 6, NULL, buf, sizeof(buf));
    ck_assert_ptr_nonnull(strstr(buf, "cannot list"));
}
END_TEST

static int open_fake(const char *bdf, struct vfio_error *e)
{
    struct vfio_env env = {dev_root, sys_root};
    struct vfio_pci_open_opts opts = {.iommu = VFIO_IOMMU_AUTO, .env = &env};
    struct vfio_pci_device *dev = NULL;

    return vfio_pci_device_open(&dev, bdf, &opts, e);
}

START_TEST(open_reports_device_state)
{
    struct vfio_error e = {0};

    ck_assert_int_eq(open_fake("0000:00:09.0", &e), -ENODEV);
    ck_assert_int_eq(e.cause, VFIO_CAUSE_NOT_FOUND);
    mkpath("sys/bus/pci/devices/0000:00:09.0", false);
    ck_assert_int_eq(open_fake("0000:00:09.0", &e), -ENODEV);
    ck_assert_int_eq(e.cause, VFIO_CAUSE_NO_VFIO);
    ck_assert_ptr_nonnull(strstr(e.detail, "cannot be bound to vfio-pci"));
    mkpath("sys/bus/pci/drivers/vfio-pci", false);
    ck_assert_int_eq(open_fake("0000:00:09.0", &e), -ENODEV);
    ck_assert_int_eq(e.cause, VFIO_CAUSE_NOT_BOUND);
    ck_assert_ptr_nonnull(strstr(e.detail, "has no driver"));
    mkpath("sys/bus/pci/drivers/virtio-pci", false);
    mklink("sys/bus/pci/devices/0000:00:09.0/driver",
           "../../../bus/pci/drivers/virtio-pci");
    ck_assert_int_eq(open_fake("0000:00:09.0", &e), -EBUSY);
    ck_assert_int_eq(e.cause, VFIO_CAUSE_NOT_BOUND);
    ck_assert_ptr_nonnull(strstr(e.detail, "bound to virtio-pci"));
}
END_TEST

START_TEST(open_without_vfio_modules)
{
    struct vfio_error e = {0};

    mkpath("sys/bus/pci/drivers/vfio-pci", false);
    mkpath("sys/bus/pci/devices/0000:00:09.0", false);
    mklink("sys/bus/pci/devices/0000:00:09.0/driver",
           "../../../bus/pci/drivers/vfio-pci");
    /* No /dev/vfio/vfio: the modules are missing. */
    ck_assert_int_eq(open_fake("0000:00:09.0", &e), -ENODEV);
    ck_assert_int_eq(e.cause, VFIO_CAUSE_NO_VFIO);
}
END_TEST

START_TEST(bind_without_vfio_pci)
{
    struct vfio_env env = {dev_root, sys_root};
    struct vfio_pci_binding b;
    struct vfio_error e = {0};

    mkpath("sys/bus/pci/devices/0000:00:09.0", false);
    ck_assert_int_eq(vfio_pci_bind(&env, "0000:00:09.0", &b, &e), -ENODEV);
    ck_assert_int_eq(e.cause, VFIO_CAUSE_NO_VFIO);
    ck_assert_ptr_nonnull(strstr(e.detail, "vfio-pci not loaded"));
    ck_assert(!b.changed);
    ck_assert_int_eq(vfio_pci_unbind_restore(&env, &b, &e), 0);
}
END_TEST

static Suite *vfio_lib_suite(void)
{
    Suite *s = suite_create("vfio_lib");
    TCase *iova = tcase_create("iova");
    TCase *err = tcase_create("error");
    TCase *caps = tcase_create("caps");
    TCase *addr = tcase_create("address");
    TCase *fake = tcase_create("fake_root");

    tcase_add_test(iova, iova_skips_page_zero_and_aligns);
    tcase_add_test(iova, iova_respects_holes);
    tcase_add_test(iova, iova_exhaustion_and_reset);
    tcase_add_test(iova, iova_top_of_space);
    tcase_add_test(iova, iova_bad_requests);
    tcase_add_test(iova, iova_floor);
    tcase_add_test(iova, iova_format_ranges);
    tcase_add_test(err, error_classify);
    tcase_add_test(err, error_set_and_format);
    tcase_add_test(err, error_every_cause_has_text);
    tcase_add_test(caps, caps_region_sparse_and_msix);
    tcase_add_test(caps, caps_region_none);
    tcase_add_test(caps, caps_region_malformed);
    tcase_add_test(caps, caps_iova_ranges);
    tcase_add_test(addr, match_parse_good);
    tcase_add_test(addr, match_parse_bad);
    tcase_add_checked_fixture(fake, fake_setup, fake_teardown);
    tcase_add_test(fake, backend_auto_type1);
    tcase_add_test(fake, backend_auto_iommufd);
    tcase_add_test(fake, backend_forced_iommufd);
    tcase_add_test(fake, backend_device_node);
    tcase_add_test(fake, backend_iommufd_open_names_the_ioctl);
    tcase_add_test(fake, backend_no_vfio);
    tcase_add_test(fake, backend_kind_names);
    tcase_add_test(fake, group_members_listed);
    tcase_add_test(fake, open_reports_device_state);
    tcase_add_test(fake, open_without_vfio_modules);
    tcase_add_test(fake, bind_without_vfio_pci);
    suite_add_tcase(s, iova);
    suite_add_tcase(s, err);
    suite_add_tcase(s, caps);
    suite_add_tcase(s, addr);
    suite_add_tcase(s, fake);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(vfio_lib_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
