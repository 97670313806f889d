/*
 * The mypci driver's ops table as generic VFIO code uses it (the selftests'
 * shape): probe, init, memcpy_start/memcpy_wait, send_msi; and the IOMMU
 * ranges as the library reports them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "vfio/pci_driver.h"

START_TEST(driver_ops_shape)
{
    ck_assert_str_eq(ct_dev->driver.ops->name, "mypci");
    ck_assert(ct_dev->driver.initialized);
    ABI_EQ("§3 DMA_LEN up to mem-size: driver max_memcpy_size", ct_m->mem_size,
           ct_dev->driver.max_memcpy_size);
    ck_assert_uint_eq(ct_dev->driver.max_memcpy_count, 1);
    ck_assert_int_eq(ct_dev->driver.ops->memcpy_start(ct_dev, 0, 0, 1, 2),
                     -EINVAL);
}
END_TEST

START_TEST(driver_memcpy)
{
    static const uint64_t sizes[] = {1, 4096, 12345, 0};
    struct vfio_dma_buf src, dst;

    ct_dma_buf(&src, ct_m->mem_size, VFIO_DMA_PROT_RW);
    ct_dma_buf(&dst, ct_m->mem_size, VFIO_DMA_PROT_RW);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        uint64_t size = sizes[i] ? sizes[i] : ct_dev->driver.max_memcpy_size;
        long diff;

        pattern_fill(src.vaddr, size, (uint32_t)i);
        memset(dst.vaddr, 0, size);
        ck_assert_int_eq(
            vfio_pci_driver_memcpy(ct_dev, src.iova, dst.iova, size), 0);
        diff = ct_memdiff(dst.vaddr, src.vaddr, size);
        ABI_TRUE("§4 host-to-host copy (driver memcpy)", diff < 0,
                 "%llu bytes: byte %ld differs", (unsigned long long)size,
                 diff);
    }
    ct_dma_free(&src);
    ct_dma_free(&dst);
}
END_TEST

START_TEST(driver_memcpy_fault)
{
    struct vfio_dma_buf src;

    ct_dma_buf(&src, 4096, VFIO_DMA_PROT_RW);
    ck_assert_int_eq(
        vfio_pci_driver_memcpy(ct_dev, src.iova, ct_unmapped_iova(4096), 64),
        -EIO);
    ct_dma_free(&src);
}
END_TEST

static void send_msi_in(enum vfio_irq_mode mode)
{
    int fd;

    ct_irq_mode(mode);
    fd = vfio_irq_fd(ct_dev, (unsigned)ct_dev->driver.msi);
    for (int i = 1; i <= 3; i++) {
        ck_assert_int_eq(vfio_pci_driver_send_msi(ct_dev), 0);
        ABI_EQ_CTX("§6 send_msi (SOFT) signals driver.msi", 1,
                   ct_wait_irqs(fd, 1, 1000, CT_QUIET_MS), "%s, round %d",
                   vfio_irq_mode_name(mode), i);
    }
}

START_TEST(driver_send_msi_msix)
{
    send_msi_in(VFIO_IRQ_MSIX);
    ck_assert_int_eq(ct_dev->driver.msi, 2);
}
END_TEST

START_TEST(driver_send_msi_msi)
{
    send_msi_in(VFIO_IRQ_MSI);
    ck_assert_int_eq(ct_dev->driver.msi, 0);
}
END_TEST

/*
 * IOVAs the IOMMU cannot translate: above its last range, and in a hole
 * between ranges (x86's MSI window). Up to max of them into out.
 */
static size_t iovas_outside(const struct iova_range *r, size_t nr,
                            uint64_t *out, size_t max)
{
    size_t n = 0;

    for (size_t i = 0; i < nr && n < max; i++) {
        uint64_t after = r[i].last + 1;
        bool covered = after == 0;

        for (size_t j = 0; j < nr && !covered; j++) {
            covered = after >= r[j].start && after <= r[j].last;
        }
        if (!covered && after % 4096 == 0) {
            out[n++] = after;
        }
    }
    return n;
}

/*
 * The kernel refuses a mapping outside the IOMMU's IOVA ranges, and the
 * library says so naming the ranges (cause IOVA_RANGE), not "system call
 * failed".
 */
START_TEST(iommu_map_outside_ranges_refused)
{
    struct iova_range *ranges = NULL;
    struct vfio_dma_buf buf;
    struct vfio_error e = {0};
    uint64_t bad[4];
    size_t nr = 0, nbad;

    CT_OK(vfio_iommu_iova_ranges(ct_dev->iommu, &ranges, &nr, &e), &e);
    nbad = iovas_outside(ranges, nr, bad, 4);
    free(ranges);
    ck_assert_msg(nbad > 0, "the IOMMU reports no IOVA outside its ranges");
    CT_OK(vfio_dma_alloc(&buf, 4096, 0, &e), &e);
    for (size_t i = 0; i < nbad; i++) {
        int err = vfio_dma_map_part(ct_dev, &buf, 0, 4096, bad[i],
                                    VFIO_DMA_PROT_RW, &e);

        if (err == 0) {
            vfio_iommu_unmap(ct_dev->iommu, bad[i], 4096, NULL);
        }
        ck_assert_msg(err < 0,
                      "the kernel mapped IOVA %#llx, outside the "
                      "ranges it reported",
                      (unsigned long long)bad[i]);
        ck_assert_msg(e.cause == VFIO_CAUSE_IOVA_RANGE &&
                          strstr(e.detail, "the IOMMU's ranges are"),
                      "IOVA %#llx: %s", (unsigned long long)bad[i], ct_err(&e));
    }
    ct_dma_free(&buf);
}
END_TEST

/* --iova-base: every DMA buffer the library hands out is at or above it. */
START_TEST(iommu_iova_floor_honoured)
{
    struct vfio_dma_buf buf;

    ct_dma_buf(&buf, 8192, VFIO_DMA_PROT_RW);
    ck_assert_msg(buf.iova >= ct_target.c.iova_base,
                  "DMA buffer at IOVA %#llx, below --iova-base %#llx",
                  (unsigned long long)buf.iova,
                  (unsigned long long)ct_target.c.iova_base);
    ct_dma_free(&buf);
}
END_TEST

void ct_register_driver(struct ct_registry *r)
{
    ct_add(r, "driver", driver_ops_shape, 0);
    ct_add(r, "driver", driver_memcpy, 0);
    ct_add(r, "driver", driver_memcpy_fault, 0);
    ct_add(r, "driver", driver_send_msi_msix, CT_NEEDS_MSIX);
    ct_add(r, "driver", driver_send_msi_msi, CT_NEEDS_MSI);
    ct_add(r, "iommu", iommu_map_outside_ranges_refused, 0);
    ct_add(r, "iommu", iommu_iova_floor_honoured, 0);
}
