/*
 * A PCI device opened through VFIO: its regions (config space, BARs) with
 * their capability chains, config space access, BAR mmaps and reset. The
 * interrupt and DMA parts are in vfio/irq.h and vfio/dma.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef VFIO_PCI_DEVICE_H
#define VFIO_PCI_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vfio.h>

#include "vfio/caps.h"
#include "vfio/error.h"
#include "vfio/iommu.h"
#include "vfio/iova.h"
#include "vfio/pci_driver.h"

#define VFIO_PCI_BDF_MAX 16
#define VFIO_IRQ_MAX_VECTORS 32

struct vfio_pci_region {
    bool valid; /* VFIO_DEVICE_GET_REGION_INFO answered */
    uint32_t flags;
    uint64_t size;
    uint64_t offset; /* of the region in the device fd */
    struct vfio_region_caps caps;
    /*
     * After vfio_pci_bar_map: the region's address range in this process.
     * Mappable parts are mapped, the rest (a sparse region's holes) is
     * PROT_NONE, so touching a hole faults instead of reaching other memory.
     */
    void *map;
    size_t map_len;
};

struct vfio_pci_device {
    char bdf[VFIO_PCI_BDF_MAX];
    struct vfio_iommu *iommu;
    int fd;
    struct vfio_device_info info;
    struct vfio_pci_region regions[VFIO_PCI_NUM_REGIONS];
    struct vfio_iova_allocator iova;

    /* Interrupts (vfio/irq.h): the enabled index, -1 for none. */
    int irq_index;
    unsigned nr_irq_fds;
    int irq_fds[VFIO_IRQ_MAX_VECTORS];

    /* The user-space driver bound to this device (vfio/pci_driver.h). */
    struct vfio_pci_driver driver;
};

struct vfio_pci_open_opts {
    enum vfio_iommu_kind iommu; /* VFIO_IOMMU_AUTO by default (0) */
    const struct vfio_env *env; /* NULL: the real /dev and /sys */
    uint64_t iova_floor;        /* IOVAs handed out start here (0: lowest) */
};

/*
 * Opens bdf ("0000:00:03.0"): checks it exists and is bound to vfio-pci,
 * opens an IOMMU backend, attaches the device, reads device, region and IRQ
 * information and sets up the IOVA allocator from the IOMMU's ranges.
 */
int vfio_pci_device_open(struct vfio_pci_device **out, const char *bdf,
                         const struct vfio_pci_open_opts *opts,
                         struct vfio_error *e);

/*
 * "0000:00:01.0 via iommufd (/dev/vfio/devices/vfio0)": which IOMMU backend
 * and /dev node an open device goes through, for the line tools print at
 * start. Returns buf.
 */
const char *vfio_pci_device_describe(const struct vfio_pci_device *dev,
                                     char *buf, size_t len);

/*
 * Disables interrupts, unmaps BARs, detaches the device from the IOMMU,
 * closes it and the IOMMU.
 */
void vfio_pci_device_close(struct vfio_pci_device *dev);

/*
 * Reads VFIO_DEVICE_GET_REGION_INFO (with capabilities) for one region.
 * vfio_pci_device_open fills dev->regions with it already.
 */
int vfio_pci_region_query(struct vfio_pci_device *dev, uint32_t index,
                          struct vfio_pci_region *region, struct vfio_error *e);

/* Config space through the VFIO config region; size 1, 2 or 4. */
int vfio_pci_config_read(struct vfio_pci_device *dev, uint32_t offset,
                         unsigned size, uint32_t *value, struct vfio_error *e);
int vfio_pci_config_write(struct vfio_pci_device *dev, uint32_t offset,
                          unsigned size, uint32_t value, struct vfio_error *e);

/*
 * Walks the standard capability list for id; *offset 0 if absent. Returns
 * 0 or -errno (a list that loops or leaves config space is -EINVAL).
 */
int vfio_pci_find_capability(struct vfio_pci_device *dev, uint8_t id,
                             uint8_t *offset, struct vfio_error *e);

/* mmaps BAR bar (whole or its sparse areas); returns its address in *map. */
int vfio_pci_bar_map(struct vfio_pci_device *dev, unsigned bar, void **map,
                     struct vfio_error *e);

/* True if [offset, offset + len) of a mapped BAR is really mapped. */
bool vfio_pci_bar_mapped(const struct vfio_pci_device *dev, unsigned bar,
                         uint64_t offset, uint64_t len);

/*
 * Bulk copies to, from and fills of a BAR mapping (vfio_pci_bar_map). Not
 * memcpy()/memset(): on arm64 a BAR mmap is Device memory, where the
 * unaligned accesses and DC ZVA that glibc uses raise SIGBUS. These touch the
 * BAR only with accesses aligned to their size; on x86-64, where uncached
 * memory takes any access, they are memcpy()/memset().
 */
void vfio_pci_bar_copy_to(volatile void *bar, const void *src, size_t len);
void vfio_pci_bar_copy_from(void *dst, const volatile void *bar, size_t len);
void vfio_pci_bar_fill(volatile void *bar, uint8_t byte, size_t len);

/* BAR access through read()/write() on the device fd (the trapped path). */
int vfio_pci_bar_pread(struct vfio_pci_device *dev, unsigned bar,
                       uint64_t offset, void *buf, size_t len,
                       struct vfio_error *e);
int vfio_pci_bar_pwrite(struct vfio_pci_device *dev, unsigned bar,
                        uint64_t offset, const void *buf, size_t len,
                        struct vfio_error *e);

/* VFIO_DEVICE_RESET (FLR or another function reset the kernel picks). */
int vfio_pci_device_reset(struct vfio_pci_device *dev, struct vfio_error *e);

/* Sets or clears bits of the Command register through config space. */
int vfio_pci_command_update(struct vfio_pci_device *dev, uint16_t set,
                            uint16_t clear, struct vfio_error *e);

#endif
