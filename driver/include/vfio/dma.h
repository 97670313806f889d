/*
 * DMA buffers: anonymous page-aligned memory mapped into the device's IOVA
 * space through the IOMMU backend, at an IOVA from the device's allocator.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef VFIO_DMA_H
#define VFIO_DMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfio/error.h"
#include "vfio/iommu.h"

struct vfio_pci_device;

/* vfio_dma_alloc flags */
#define VFIO_DMA_HUGEPAGE (1u << 0) /* try 2 MiB pages, fall back silently */

struct vfio_dma_buf {
    void *vaddr;
    size_t size; /* mapped length: a whole number of pages */
    uint64_t iova;
    unsigned prot; /* VFIO_DMA_PROT_* when mapped */
    bool mapped;
    bool hugepage; /* backed by huge pages */
};

/* Allocates size bytes (rounded up to pages), zero-filled and populated. */
int vfio_dma_alloc(struct vfio_dma_buf *buf, size_t size, unsigned flags,
                   struct vfio_error *e);

/* Maps the whole buffer at a fresh IOVA with prot (VFIO_DMA_PROT_*). */
int vfio_dma_map(struct vfio_pci_device *dev, struct vfio_dma_buf *buf,
                 unsigned prot, struct vfio_error *e);

/*
 * Maps len bytes of the buffer starting at byte offset (both page aligned)
 * at iova; for tests that build partial or odd mappings. Does not mark the
 * buffer mapped.
 */
int vfio_dma_map_part(struct vfio_pci_device *dev,
                      const struct vfio_dma_buf *buf, size_t offset, size_t len,
                      uint64_t iova, unsigned prot, struct vfio_error *e);

int vfio_dma_unmap(struct vfio_pci_device *dev, struct vfio_dma_buf *buf,
                   struct vfio_error *e);

/* Unmaps if mapped, then frees. */
void vfio_dma_free(struct vfio_pci_device *dev, struct vfio_dma_buf *buf);

#endif
