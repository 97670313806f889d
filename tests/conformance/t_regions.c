/*
 * ABI §3 and §5 as VFIO exposes them: region info for config space and the
 * BARs, both BARs mmapped, and BAR2 device memory at every access width.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "conformance.h"

static void print_region(const char *name, const struct vfio_pci_region *r)
{
    printf("# %s: size %#llx flags %#x%s%s caps %u", name,
           (unsigned long long)r->size, r->flags,
           r->caps.msix_mappable ? " msix-mappable" : "",
           r->caps.sparse ? " sparse:" : "", r->caps.nr_caps);
    for (uint32_t i = 0; r->caps.sparse && i < r->caps.nr_areas; i++) {
        printf(" [%#llx+%#llx]", (unsigned long long)r->caps.areas[i].offset,
               (unsigned long long)r->caps.areas[i].size);
    }
    printf("\n");
    fflush(stdout);
}

START_TEST(regions_info)
{
    const struct vfio_pci_region *bar0 = &ct_dev->regions[0];
    const struct vfio_pci_region *bar2 = &ct_dev->regions[2];
    uint32_t rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;

    print_region("BAR0", bar0);
    print_region("BAR2", bar2);
    ABI_EQ("§3 BAR0 is 8 KiB", MYPCI_BAR0_SIZE, bar0->size);
    ABI_EQ("§3 BAR0 readable, writable, mmappable",
           rw | VFIO_REGION_INFO_FLAG_MMAP,
           bar0->flags & (rw | VFIO_REGION_INFO_FLAG_MMAP));
    ABI_EQ("§5 BAR2 is mem-size (FEATURES bits 23:16)", ct_m->mem_size,
           bar2->size);
    ABI_EQ("§5 BAR2 readable, writable, mmappable",
           rw | VFIO_REGION_INFO_FLAG_MMAP,
           bar2->flags & (rw | VFIO_REGION_INFO_FLAG_MMAP));
    ABI_EQ("§1 BAR1 unused", 0, ct_dev->regions[1].size);
    ABI_EQ("§5 BAR3 is BAR2's upper half (64-bit BAR)", 0,
           ct_dev->regions[3].size);
    ABI_EQ("§1 BAR4 unused", 0, ct_dev->regions[4].size);
    ABI_EQ("§1 BAR5 unused", 0, ct_dev->regions[5].size);
}
END_TEST

START_TEST(regions_register_page_mapped)
{
    ABI_TRUE("§3 BAR0 register page mappable on its own",
             vfio_pci_bar_mapped(ct_dev, 0, 0, MYPCI_REG_PAGE_SIZE),
             "VFIO did not mmap BAR0 page 0 (sparse areas: %u)",
             ct_dev->regions[0].caps.nr_areas);
    ABI_EQ("§3 ID through the BAR0 mmap", MYPCI_ID_VALUE,
           mypci_read32(ct_m, MYPCI_REG_ID));
}
END_TEST

START_TEST(bar2_widths)
{
    volatile uint8_t *mem = ct_m->mem;
    uint64_t off = ct_m->mem_size - 64;

    *(volatile uint64_t *)(mem + off) = 0x1122334455667788ull;
    ABI_EQ("§5 BAR2 64-bit read", 0x1122334455667788ull,
           *(volatile uint64_t *)(mem + off));
    ABI_EQ("§5 BAR2 32-bit read", 0x11223344,
           *(volatile uint32_t *)(mem + off + 4));
    ABI_EQ("§5 BAR2 16-bit read", 0x5566,
           *(volatile uint16_t *)(mem + off + 2));
    ABI_EQ("§5 BAR2 8-bit read", 0x77, mem[off + 1]);
    mem[off + 8] = 0xaa;
    *(volatile uint16_t *)(mem + off + 10) = 0xbbcc;
    *(volatile uint32_t *)(mem + off + 12) = 0xddeeff00;
    ABI_EQ("§5 BAR2 8/16/32-bit writes read as 64 bits", 0xddeeff00bbcc00aaull,
           *(volatile uint64_t *)(mem + off + 8));
}
END_TEST

/* Every byte written through the mmap reads back through read() on the fd. */
START_TEST(bar2_whole_mmap_vs_trapped)
{
    static uint8_t pattern[256 * 1024], back[256 * 1024];
    struct vfio_error e = {0};
    size_t chunk = sizeof(pattern);

    for (uint64_t off = 0; off < ct_m->mem_size; off += chunk) {
        size_t n = ct_m->mem_size - off < chunk ? ct_m->mem_size - off : chunk;
        long diff;

        pattern_fill(pattern, n, (uint32_t)off);
        vfio_pci_bar_copy_to(ct_m->mem + off, pattern, n);
        CT_OK(vfio_pci_bar_pread(ct_dev, 2, off, back, n, &e), &e);
        diff = ct_memdiff(pattern, back, n);
        ABI_EQ_CTX("§5 BAR2 device memory", pattern[diff < 0 ? 0 : diff],
                   back[diff < 0 ? 0 : diff], "byte %#llx",
                   (unsigned long long)(off + (diff < 0 ? 0 : diff)));
    }
}
END_TEST

void ct_register_regions(struct ct_registry *r)
{
    ct_add(r, "regions", regions_info, 0);
    ct_add(r, "regions", regions_register_page_mapped, 0);
    ct_add(r, "regions", bar2_widths, 0);
    ct_add(r, "regions", bar2_whole_mmap_vs_trapped, 0);
}
