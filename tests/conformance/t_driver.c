/*
 * The mypci driver's ops table as generic VFIO code uses it (the selftests'
 * shape): probe, init, memcpy_start/memcpy_wait, send_msi.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
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

        ct_fill(src.vaddr, size, (uint32_t)i);
        memset(dst.vaddr, 0, size);
        ck_assert_int_eq(
            vfio_pci_driver_memcpy(ct_dev, src.iova, dst.iova, size), 0);
        diff = ct_memdiff(dst.vaddr, src.vaddr, size);
        ABI_TRUE("§4 host-to-host copy (driver memcpy)", diff < 0,
                 "%llu bytes: byte %ld differs", (unsigned long long)size,
                 diff);
    }
    vfio_dma_free(ct_dev, &src);
    vfio_dma_free(ct_dev, &dst);
}
END_TEST

START_TEST(driver_memcpy_fault)
{
    struct vfio_dma_buf src;

    ct_dma_buf(&src, 4096, VFIO_DMA_PROT_RW);
    ck_assert_int_eq(
        vfio_pci_driver_memcpy(ct_dev, src.iova, ct_unmapped_iova(4096), 64),
        -EIO);
    vfio_dma_free(ct_dev, &src);
}
END_TEST

static void send_msi_in(enum vfio_irq_mode mode)
{
    int fd;

    ct_irq_mode(mode);
    fd = vfio_irq_fd(ct_dev, (unsigned)ct_dev->driver.msi);
    for (int i = 1; i <= 3; i++) {
        vfio_pci_driver_send_msi(ct_dev);
        ABI_EQ_CTX("§6 send_msi (SOFT) signals driver.msi", 1,
                   ct_wait_irqs(fd, 1, 1000, CT_SETTLE_MS), "%s, round %d",
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

void ct_register_driver(struct ct_registry *r)
{
    ct_add(r, "driver", driver_ops_shape, 0);
    ct_add(r, "driver", driver_memcpy, 0);
    ct_add(r, "driver", driver_memcpy_fault, 0);
    ct_add(r, "driver", driver_send_msi_msix, CT_NEEDS_MSIX);
    ct_add(r, "driver", driver_send_msi_msi, CT_NEEDS_MSI);
}
