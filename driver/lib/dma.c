/*
 * DMA buffers (see vfio/dma.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vfio/dma.h"
#include "vfio/pci_device.h"

#define HUGE_2M (2ull * 1024 * 1024)

static size_t round_up(size_t x, size_t align)
{
    return (x + align - 1) & ~(align - 1);
}

int vfio_dma_alloc(struct vfio_dma_buf *buf, size_t size, unsigned flags,
                   struct vfio_error *e)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    void *p = MAP_FAILED;

    memset(buf, 0, sizeof(*buf));
    if (size == 0) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, EINVAL,
                              "DMA buffer of 0 bytes");
    }
    if (flags & VFIO_DMA_HUGEPAGE) {
        buf->size = round_up(size, HUGE_2M);
        p = mmap(NULL, buf->size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1,
                 0);
        buf->hugepage = p != MAP_FAILED;
    }
    if (p == MAP_FAILED) {
        buf->size = round_up(size, page);
        p = mmap(NULL, buf->size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    }
    if (p == MAP_FAILED) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, errno,
                              "mmap of a %zu-byte DMA buffer", size);
    }
    buf->vaddr = p;
    return 0;
}

int vfio_dma_map_part(struct vfio_pci_device *dev,
                      const struct vfio_dma_buf *buf, size_t offset, size_t len,
                      uint64_t iova, unsigned prot, struct vfio_error *e)
{
    if (offset > buf->size || len > buf->size - offset) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, EINVAL,
                              "mapping %zu bytes at %zu of a %zu-byte buffer",
                              len, offset, buf->size);
    }
    return vfio_iommu_map(dev->iommu, (char *)buf->vaddr + offset, iova, len,
                          prot, e);
}

int vfio_dma_map(struct vfio_pci_device *dev, struct vfio_dma_buf *buf,
                 unsigned prot, struct vfio_error *e)
{
    uint64_t align = buf->hugepage ? HUGE_2M : 0;
    uint64_t iova;
    int err = vfio_iova_alloc(&dev->iova, buf->size, align, &iova, e);

    if (err == 0) {
        err = vfio_dma_map_part(dev, buf, 0, buf->size, iova, prot, e);
    }
    if (err < 0) {
        return err;
    }
    buf->iova = iova;
    buf->prot = prot;
    buf->mapped = true;
    return 0;
}

int vfio_dma_unmap(struct vfio_pci_device *dev, struct vfio_dma_buf *buf,
                   struct vfio_error *e)
{
    int err;

    if (!buf->mapped) {
        return 0;
    }
    err = vfio_iommu_unmap(dev->iommu, buf->iova, buf->size, e);
    buf->mapped = false;
    return err;
}

void vfio_dma_free(struct vfio_pci_device *dev, struct vfio_dma_buf *buf)
{
    if (buf->mapped && dev) {
        vfio_dma_unmap(dev, buf, NULL);
    }
    if (buf->vaddr) {
        munmap(buf->vaddr, buf->size);
    }
    memset(buf, 0, sizeof(*buf));
}
