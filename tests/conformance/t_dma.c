/*
 * ABI §3/§4 DMA that succeeds: all three directions, sizes from one byte to
 * mem-size, unaligned offsets, data and the bytes around it checked, through
 * buffers the IOMMU maps for the device.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

/* Bytes around each transfer that must stay untouched. */
#define GUARD 64u
#define BACKGROUND 0xee

struct dma_case {
    uint64_t size;
    uint64_t host_off; /* into the host buffer */
    uint64_t dev_off;  /* into device memory, or the second host buffer */
};

/* Sizes 1 .. mem-size with odd offsets; the device offset keeps in range. */
static size_t make_cases(struct dma_case *c, size_t max, uint64_t mem_size)
{
    static const uint64_t sizes[] = {1,    2,    3,    4,     7,    8,
                                     15,   63,   64,   255,   4095, 4096,
                                     4097, 8191, 8192, 65537, 0,    0};
    size_t n = 0;

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && n < max; i++) {
        uint64_t size = sizes[i];

        if (size == 0) {
            /* The last two: half of mem-size plus 3, and all of it. */
            size = i == sizeof(sizes) / sizeof(sizes[0]) - 1 ? mem_size
                                                             : mem_size / 2 + 3;
        }
        if (size > mem_size) {
            continue;
        }
        c[n].size = size;
        c[n].host_off = GUARD + (i * 37) % 4096 + 1;
        c[n].dev_off =
            size == mem_size ? 0 : (i * 4099 + 5) % (mem_size - size);
        n++;
    }
    return n;
}

static uint32_t dma_count(void)
{
    return mypci_read32(ct_m, MYPCI_REG_DMA_COUNT);
}

/* A successful transfer: DONE, no error, one more in DMA_COUNT. */
static void expect_done(uint32_t status, uint32_t count_before,
                        const struct dma_case *c, const char *dir)
{
    ABI_EQ_CTX("§4 DMA success: DMA_STATUS DONE, error 0",
               MYPCI_DMA_STATUS_DONE, status, "%s, %llu bytes", dir,
               (unsigned long long)c->size);
    ABI_EQ_CTX("§4 DMA success: DMA_COUNT + 1", count_before + 1, dma_count(),
               "%s, %llu bytes", dir, (unsigned long long)c->size);
}

/* Checks len bytes at got against want, and that guards kept BACKGROUND. */
static void expect_data(const volatile uint8_t *got, const uint8_t *want,
                        uint64_t len, uint64_t guard_lo, uint64_t guard_hi,
                        const char *what)
{
    long diff = ct_memdiff(got, want, len);

    ABI_TRUE("§4 DMA moves the data", diff < 0,
             "%s: byte %ld of %llu differs (%#x, want %#x)", what, diff,
             (unsigned long long)len, diff < 0 ? 0 : got[diff],
             diff < 0 ? 0 : want[diff]);
    for (uint64_t i = 1; i <= guard_lo; i++) {
        ABI_EQ_CTX("§4 DMA writes only its range", BACKGROUND, got[-(long)i],
                   "%s: byte %lld before the range", what, -(long long)i);
    }
    for (uint64_t i = 0; i < guard_hi; i++) {
        ABI_EQ_CTX("§4 DMA writes only its range", BACKGROUND, got[len + i],
                   "%s: byte %llu after the range", what,
                   (unsigned long long)i);
    }
}

static uint64_t dev_guard_lo(const struct dma_case *c)
{
    return c->dev_off < GUARD ? c->dev_off : GUARD;
}

static uint64_t dev_guard_hi(const struct dma_case *c)
{
    uint64_t room = ct_m->mem_size - c->dev_off - c->size;

    return room < GUARD ? room : GUARD;
}

START_TEST(dma_host_to_device_sizes)
{
    struct dma_case cases[20];
    size_t n = make_cases(cases, 20, ct_m->mem_size);
    struct vfio_dma_buf src;

    ct_dma_buf(&src, ct_m->mem_size + 8192, VFIO_DMA_PROT_RW);
    for (size_t i = 0; i < n; i++) {
        const struct dma_case *c = &cases[i];
        uint8_t *s = (uint8_t *)src.vaddr + c->host_off;
        uint32_t before = dma_count();

        vfio_pci_bar_fill(ct_m->mem, BACKGROUND, ct_m->mem_size);
        pattern_fill(s, c->size, (uint32_t)i);
        expect_done(ct_dma(src.iova + c->host_off, c->dev_off,
                           (uint32_t)c->size, MYPCI_DMA_DIR_HOST_TO_DEV),
                    before, c, "host to device");
        expect_data(ct_m->mem + c->dev_off, s, c->size, dev_guard_lo(c),
                    dev_guard_hi(c), "host to device");
    }
    ct_dma_free(&src);
}
END_TEST

START_TEST(dma_device_to_host_sizes)
{
    struct dma_case cases[20];
    size_t n = make_cases(cases, 20, ct_m->mem_size);
    struct vfio_dma_buf dst;
    uint8_t *want = malloc(ct_m->mem_size);

    ck_assert(want);
    ct_dma_buf(&dst, ct_m->mem_size + 8192, VFIO_DMA_PROT_RW);
    for (size_t i = 0; i < n; i++) {
        const struct dma_case *c = &cases[i];
        uint8_t *d = (uint8_t *)dst.vaddr + c->host_off;
        uint32_t before = dma_count();

        memset(dst.vaddr, BACKGROUND, dst.size);
        pattern_fill(want, c->size, (uint32_t)i + 100);
        vfio_pci_bar_copy_to(ct_m->mem + c->dev_off, want, c->size);
        expect_done(ct_dma(c->dev_off, dst.iova + c->host_off,
                           (uint32_t)c->size, MYPCI_DMA_DIR_DEV_TO_HOST),
                    before, c, "device to host");
        expect_data(d, want, c->size, GUARD, GUARD, "device to host");
    }
    free(want);
    ct_dma_free(&dst);
}
END_TEST

START_TEST(dma_host_to_host_sizes)
{
    struct dma_case cases[20];
    size_t n = make_cases(cases, 20, ct_m->mem_size);
    struct vfio_dma_buf src, dst;

    ct_dma_buf(&src, ct_m->mem_size + 8192, VFIO_DMA_PROT_RW);
    ct_dma_buf(&dst, ct_m->mem_size + 8192, VFIO_DMA_PROT_RW);
    for (size_t i = 0; i < n; i++) {
        const struct dma_case *c = &cases[i];
        uint8_t *s = (uint8_t *)src.vaddr + c->host_off;
        /* A different misalignment on the destination side. */
        uint64_t dst_off = GUARD + (c->host_off * 7 + 3) % 4096;
        uint8_t *d = (uint8_t *)dst.vaddr + dst_off;
        uint32_t before = dma_count();

        memset(dst.vaddr, BACKGROUND, dst.size);
        pattern_fill(s, c->size, (uint32_t)i + 200);
        expect_done(ct_dma(src.iova + c->host_off, dst.iova + dst_off,
                           (uint32_t)c->size, MYPCI_DMA_DIR_HOST_TO_HOST),
                    before, c, "host to host");
        expect_data(d, s, c->size, GUARD, GUARD, "host to host");
    }
    ct_dma_free(&src);
    ct_dma_free(&dst);
}
END_TEST

/* §4: host-to-host copies of overlapping ranges behave like memmove. */
START_TEST(dma_host_to_host_overlap)
{
    static const int64_t shifts[] = {1, 100, 4096, 40000, -1, -100, -40000};
    const uint64_t len = 65536 + 123, base = 50000, size = 256 * 1024;
    struct vfio_dma_buf buf;
    uint8_t *want = malloc(size);

    ck_assert(want);
    ct_dma_buf(&buf, size, VFIO_DMA_PROT_RW);
    for (size_t i = 0; i < sizeof(shifts) / sizeof(shifts[0]); i++) {
        uint64_t dst = (uint64_t)((int64_t)base + shifts[i]);
        uint32_t status;
        long diff;

        pattern_fill(buf.vaddr, size, (uint32_t)i + 300);
        memcpy(want, buf.vaddr, size);
        memmove(want + dst, want + base, len);
        status = ct_dma(buf.iova + base, buf.iova + dst, (uint32_t)len,
                        MYPCI_DMA_DIR_HOST_TO_HOST);
        ABI_EQ_CTX("§4 overlapping copy succeeds", MYPCI_DMA_STATUS_DONE,
                   status, "shift %lld", (long long)shifts[i]);
        diff = ct_memdiff(buf.vaddr, want, size);
        ABI_TRUE("§4 overlapping host-to-host copy behaves like memmove",
                 diff < 0, "shift %lld: byte %ld differs", (long long)shifts[i],
                 diff);
    }
    free(want);
    ct_dma_free(&buf);
}
END_TEST

/* §4: SRC, DST and LEN are latched when the command is accepted. */
START_TEST(dma_registers_latched)
{
    struct vfio_dma_buf src;
    uint32_t status;
    long diff;

    ct_dma_buf(&src, 8192, VFIO_DMA_PROT_RW);
    pattern_fill(src.vaddr, 4096, 7);
    vfio_pci_bar_fill(ct_m->mem, 0, 8192);
    mypci_dma_start(ct_m, src.iova, 0x100, 4096, MYPCI_DMA_DIR_HOST_TO_DEV);
    /* Values that would fail (error 2 or 3) if the engine read them now. */
    mypci_write64(ct_m, MYPCI_REG_DMA_SRC, 0);
    mypci_write64(ct_m, MYPCI_REG_DMA_DST, UINT64_MAX);
    mypci_write32(ct_m, MYPCI_REG_DMA_LEN, 0);
    ck_assert(mypci_dma_wait_poll(ct_m, MYPCI_TIMEOUT_MS, &status) == 0);
    ABI_EQ("§4 DMA_SRC/DST/LEN latched at accept: success",
           MYPCI_DMA_STATUS_DONE, status);
    diff = ct_memdiff(ct_m->mem + 0x100, src.vaddr, 4096);
    ABI_TRUE("§4 latched transfer moved the original range", diff < 0,
             "byte %ld differs", diff);
    ABI_EQ("§3 DMA_DST keeps the value written after the command", UINT64_MAX,
           mypci_read64(ct_m, MYPCI_REG_DMA_DST));
    ct_dma_free(&src);
}
END_TEST

/* §4: a successful transfer sets DONE, DMA_COUNT and IRQ_STATUS.DMA_DONE. */
START_TEST(dma_success_side_effects)
{
    struct vfio_dma_buf src;

    ct_dma_buf(&src, 4096, VFIO_DMA_PROT_RW);
    for (uint32_t n = 1; n <= 3; n++) {
        ABI_EQ("§4 success: DONE and error 0", MYPCI_DMA_STATUS_DONE,
               ct_dma(src.iova, 0, 16, MYPCI_DMA_DIR_HOST_TO_DEV));
        ABI_EQ("§3 DMA_COUNT counts successful transfers", n,
               mypci_read32(ct_m, MYPCI_REG_DMA_COUNT));
    }
    ABI_EQ("§4 success sets IRQ_STATUS.DMA_DONE only", MYPCI_IRQ_DMA_DONE,
           mypci_read32(ct_m, MYPCI_REG_IRQ_STATUS));
    ABI_EQ("§3 DMA_FAULT_ADDR changes only on error 1", 0,
           mypci_read64(ct_m, MYPCI_REG_DMA_FAULT_ADDR));
    ct_dma_free(&src);
}
END_TEST

/* A device that may only read a buffer can still use it as a source. */
START_TEST(dma_readonly_source)
{
    struct vfio_dma_buf src;
    long diff;

    ct_dma_buf(&src, 4096, VFIO_DMA_PROT_READ);
    pattern_fill(src.vaddr, 4096, 9);
    ABI_EQ("§4 a read-only mapping works as a DMA source",
           MYPCI_DMA_STATUS_DONE,
           ct_dma(src.iova, 0, 4096, MYPCI_DMA_DIR_HOST_TO_DEV));
    diff = ct_memdiff(ct_m->mem, src.vaddr, 4096);
    ABI_TRUE("§4 data from a read-only mapping", diff < 0, "byte %ld", diff);
    ct_dma_free(&src);
}
END_TEST

/* Completion by interrupt, waiting on the eventfd instead of polling. */
static void dma_by_interrupt(enum vfio_irq_mode mode)
{
    struct vfio_dma_buf src;
    uint32_t status = 0;

    ct_irq_mode(mode);
    ct_dma_buf(&src, 4096, VFIO_DMA_PROT_RW);
    mypci_write32(ct_m, MYPCI_REG_IRQ_ENABLE,
                  MYPCI_IRQ_DMA_DONE | MYPCI_IRQ_DMA_ERROR);
    mypci_dma_start(ct_m, src.iova, 0, 4096, MYPCI_DMA_DIR_HOST_TO_DEV);
    ABI_EQ_CTX("§4/§6 DMA_DONE interrupt on completion", 0,
               mypci_dma_wait_irq(ct_m, MYPCI_TIMEOUT_MS, &status), "%s",
               vfio_irq_mode_name(mode));
    ABI_EQ("§4 DMA_STATUS when the interrupt arrives", MYPCI_DMA_STATUS_DONE,
           status);
    ABI_EQ_CTX("§3/§6 one interrupt signal for one transfer (IRQ_COUNT)", 1,
               mypci_read32(ct_m, MYPCI_REG_IRQ_COUNT), "%s",
               vfio_irq_mode_name(mode));
    if (mode == VFIO_IRQ_MSIX) {
        ABI_EQ("§6 MSI-X: no DMA_ERROR message on success", 0,
               ct_count_irqs(vfio_irq_fd(ct_dev, 1), CT_QUIET_MS));
    }
    ct_dma_free(&src);
}

START_TEST(dma_done_irq_intx)
{
    dma_by_interrupt(VFIO_IRQ_INTX);
}
END_TEST

START_TEST(dma_done_irq_msi)
{
    dma_by_interrupt(VFIO_IRQ_MSI);
}
END_TEST

START_TEST(dma_done_irq_msix)
{
    dma_by_interrupt(VFIO_IRQ_MSIX);
}
END_TEST

void ct_register_dma(struct ct_registry *r)
{
    ct_add(r, "dma", dma_host_to_device_sizes, 0);
    ct_add(r, "dma", dma_device_to_host_sizes, 0);
    ct_add(r, "dma", dma_host_to_host_sizes, 0);
    ct_add(r, "dma", dma_host_to_host_overlap, 0);
    ct_add(r, "dma", dma_registers_latched, 0);
    ct_add(r, "dma", dma_success_side_effects, 0);
    ct_add(r, "dma", dma_readonly_source, 0);
    ct_add(r, "dma", dma_done_irq_intx, 0);
    ct_add(r, "dma", dma_done_irq_msi, CT_NEEDS_MSI);
    ct_add(r, "dma", dma_done_irq_msix, CT_NEEDS_MSIX);
}
