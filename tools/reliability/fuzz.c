/*
 * mypci-fuzz: a hostile guest driver. Seeded random MMIO (every width at
 * any offset of BAR0, page 1 through the trapped read()/write() path),
 * config-space writes, DMA with random directions, lengths and addresses
 * (its own BARs included) and both kinds of reset. After every batch the
 * device must still follow its ABI: identity, SCRATCH/INVERT, a checked DMA
 * round trip, an interrupt, the vendor capability.
 *
 * What is left alone, and why (README.md says more):
 * - MSI-X table writes: the host's vfio-pci owns the table (it drops user
 *   writes to it), and random message addresses would only make the guest
 *   kernel log spurious interrupts; reads of the table and the PBA are done.
 * - BAR registers, MSI/MSI-X capability and power state: changing them
 *   loses the device for the rest of the run, which tests nothing.
 * - Command.Memory stays set for the same reason (vfio-pci revokes the BAR
 *   mmaps while it is clear); every other Command bit is fuzzed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <linux/pci_regs.h>

#include "rel.h"
#include "vfio/dma.h"

enum { EXIT_FAILED = 1, EXIT_UNUSABLE = 2 };

#define FBUF_SIZE (64u * 1024)
#define CHK_SIZE 4096u
#define REGS_USED 0x70u /* registers live below this; bias offsets there */

/* Where a fuzzed DMA address points. */
enum target {
    T_BUF,      /* the fuzz buffer's IOVA */
    T_BAR0,     /* BAR0's register page, IOMMU-mapped (if the map worked) */
    T_BAR2,     /* BAR2, IOMMU-mapped */
    T_BAR0_BUS, /* BAR0's bus address used as an IOVA: unmapped */
    T_BAR2_BUS,
    T_RANDOM, /* anywhere: mostly unmapped */
    T_DEVMEM, /* a device-memory offset, in range or not */
};

struct fuzz {
    struct rel_target t;
    uint64_t rng;
    struct vfio_dma_buf fbuf, chk_src, chk_dst;
    uint64_t bar0_bus, bar2_bus;   /* from config space */
    uint64_t bar0_iova, bar2_iova; /* 0: the IOMMU refused the BAR mmap */
    enum vfio_irq_mode irq_mode;
    uint64_t ops, mmio, cfg, dma, dma_err, resets, flrs;
    uint64_t dma_own_bar; /* transfers that reached our own BARs */
    uint64_t checks, failed;
};

static uint64_t pick_value(struct fuzz *f)
{
    static const uint64_t special[] = {0, 1, ~0ull, 0x80000000u, 0xffffffffu};

    return rel_below(&f->rng, 4) == 0
               ? special[rel_below(&f->rng, sizeof(special) / 8)]
               : rel_rand(&f->rng);
}

static unsigned pick_size(struct fuzz *f)
{
    return 1u << rel_below(&f->rng, 4);
}

#if !defined(__x86_64__)
#error "mypci-fuzz issues x86-64 move instructions for unaligned MMIO"
#endif

/*
 * One load of size bytes at p, aligned or not. Through a C pointer an
 * unaligned access is undefined (UBSan stops on it); the instruction itself
 * is what the fuzzer wants the device to see, so it is written out.
 */
static uint64_t insn_read(const volatile uint8_t *p, unsigned size)
{
    uint64_t v = 0;

    switch (size) {
    case 1:
        __asm__ volatile("movzbq (%1), %0" : "=r"(v) : "r"(p) : "memory");
        break;
    case 2:
        __asm__ volatile("movzwq (%1), %0" : "=r"(v) : "r"(p) : "memory");
        break;
    case 4:
        __asm__ volatile("movl (%1), %k0" : "=r"(v) : "r"(p) : "memory");
        break;
    default:
        __asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(p) : "memory");
        break;
    }
    return v;
}

static void insn_write(volatile uint8_t *p, unsigned size, uint64_t v)
{
    switch (size) {
    case 1:
        __asm__ volatile("movb %b0, (%1)" : : "q"(v), "r"(p) : "memory");
        break;
    case 2:
        __asm__ volatile("movw %w0, (%1)" : : "r"(v), "r"(p) : "memory");
        break;
    case 4:
        __asm__ volatile("movl %k0, (%1)" : : "r"(v), "r"(p) : "memory");
        break;
    default:
        __asm__ volatile("movq %0, (%1)" : : "r"(v), "r"(p) : "memory");
        break;
    }
}

/* Page 0 through the mmap: any width, any offset, aligned or not. */
static void op_mmio_page0(struct fuzz *f)
{
    unsigned size = pick_size(f);
    uint32_t span = rel_below(&f->rng, 2) ? REGS_USED : MYPCI_REG_PAGE_SIZE;
    uint32_t off = (uint32_t)rel_below(&f->rng, span - size + 1);
    volatile uint8_t *p = f->t.m->regs + off;

    if (rel_below(&f->rng, 2)) {
        insn_write(p, size, pick_value(f));
    } else {
        (void)insn_read(p, size);
    }
    f->mmio++;
}

/* True if [off, off + size) touches the MSI-X table (see the top). */
static bool in_msix_table(uint32_t off, unsigned size)
{
    uint32_t end = MYPCI_MSIX_TABLE_OFFSET + 16 * MYPCI_MSIX_VECTORS;

    return off < end && off + size > MYPCI_MSIX_TABLE_OFFSET;
}

/* Page 1 through read()/write() on the device fd (not mmap-able). */
static void op_mmio_page1(struct fuzz *f)
{
    unsigned size = pick_size(f);
    uint32_t off = MYPCI_REG_PAGE_SIZE +
                   (uint32_t)rel_below(&f->rng, MYPCI_REG_PAGE_SIZE - size + 1);
    uint64_t v = pick_value(f);
    struct vfio_error e = {0};

    if (rel_below(&f->rng, 2) && !in_msix_table(off, size)) {
        vfio_pci_bar_pwrite(f->t.dev, MYPCI_BAR_REGS, off, &v, size, &e);
    } else {
        vfio_pci_bar_pread(f->t.dev, MYPCI_BAR_REGS, off, &v, size, &e);
    }
    f->mmio++;
}

/* The vendor capability's body, the Command and Status registers. */
static void op_config(struct fuzz *f)
{
    struct vfio_error e = {0};
    uint64_t r = rel_below(&f->rng, 4);

    if (r < 2 && f->t.m->vcap) {
        unsigned size = pick_size(f) & 7;
        uint32_t off;

        size = size ? size : 4;
        off = (uint32_t)rel_below(&f->rng, MYPCI_VCAP_LEN - size + 1);
        vfio_pci_config_write(f->t.dev, f->t.m->vcap + off, size,
                              (uint32_t)pick_value(f), &e);
    } else if (r == 2) {
        /* Memory stays on: without it vfio-pci revokes our BAR mmaps. */
        uint16_t cmd = (uint16_t)rel_rand(&f->rng) | PCI_COMMAND_MEMORY;

        vfio_pci_config_write(f->t.dev, PCI_COMMAND, 2, cmd, &e);
    } else {
        vfio_pci_config_write(f->t.dev, PCI_STATUS, 2,
                              (uint16_t)rel_rand(&f->rng), &e);
    }
    f->cfg++;
}

/* A host-side address: mostly somewhere a transfer can reach. */
static uint64_t pick_host(struct fuzz *f, enum target *t)
{
    uint64_t mem = f->t.m->mem_size;
    uint64_t in = rel_below(&f->rng, 0x1000);

    *t = (enum target)rel_below(&f->rng, T_DEVMEM);
    switch (*t) {
    case T_BUF:
        return f->fbuf.iova + rel_below(&f->rng, FBUF_SIZE);
    case T_BAR0:
        return f->bar0_iova ? f->bar0_iova + (in & ~3ull) : in;
    case T_BAR2:
        return f->bar2_iova + rel_below(&f->rng, mem);
    case T_BAR0_BUS:
        return f->bar0_bus + in;
    case T_BAR2_BUS:
        return f->bar2_bus + rel_below(&f->rng, mem);
    default:
        return rel_rand(&f->rng);
    }
}

/* A device-memory offset: mostly in range, sometimes past the end. */
static uint64_t pick_devmem(struct fuzz *f)
{
    uint64_t mem = f->t.m->mem_size;

    return rel_below(&f->rng, 8) ? rel_below(&f->rng, mem)
                                 : rel_below(&f->rng, 2 * mem);
}

/* Source and destination for direction dir (3: anything, it must fail). */
static void pick_addrs(struct fuzz *f, uint32_t dir, uint64_t *src,
                       uint64_t *dst, bool *own_bar)
{
    enum target ts = T_DEVMEM, td = T_DEVMEM;

    *src =
        dir == MYPCI_DMA_DIR_DEV_TO_HOST ? pick_devmem(f) : pick_host(f, &ts);
    *dst =
        dir == MYPCI_DMA_DIR_HOST_TO_DEV ? pick_devmem(f) : pick_host(f, &td);
    *own_bar = ts == T_BAR0 || ts == T_BAR2 || td == T_BAR0 || td == T_BAR2;
}

/* A random transfer; it must end (DONE) with a defined error code. */
static int op_dma(struct fuzz *f)
{
    uint64_t r = rel_below(&f->rng, 8), src, dst;
    uint32_t len = r < 5   ? 1 + (uint32_t)rel_below(&f->rng, 256)
                   : r < 7 ? (uint32_t)rel_below(&f->rng, 0x4000)
                           : (uint32_t)rel_below(&f->rng, 2 * f->t.m->mem_size);
    uint32_t cmd = (uint32_t)rel_below(&f->rng, 4), status = 0;
    bool own_bar;

    if (rel_below(&f->rng, 16) == 0) {
        cmd |= (uint32_t)rel_rand(&f->rng) & ~MYPCI_DMA_DIR_MASK;
    }
    pick_addrs(f, cmd & MYPCI_DMA_DIR_MASK, &src, &dst, &own_bar);
    mypci_dma_start(f->t.m, src, dst, len, cmd);
    f->dma++;
    if (mypci_dma_wait_poll(f->t.m, MYPCI_TIMEOUT_MS, &status) < 0) {
        printf("mypci-fuzz: op %" PRIu64 ": DMA src %#" PRIx64 " dst %#" PRIx64
               " len %u cmd %#x still BUSY after %d ms\n",
               f->ops, src, dst, len, cmd, MYPCI_TIMEOUT_MS);
        return -1;
    }
    if (mypci_dma_error(status) > 4) {
        printf("mypci-fuzz: op %" PRIu64 ": DMA error code %u is not in the "
               "ABI (status %#x)\n",
               f->ops, mypci_dma_error(status), status);
        return -1;
    }
    f->dma_err += mypci_dma_error(status) != 0;
    f->dma_own_bar += own_bar && mypci_dma_error(status) == 0;
    return 0;
}

static int op_reset(struct fuzz *f)
{
    struct vfio_error e = {0};

    /* FLR costs ~100 ms in the guest kernel (pcie_flr's wait): keep rare. */
    if (rel_below(&f->rng, 8) == 0) {
        f->flrs++;
        if (vfio_pci_device_reset(f->t.dev, &e) < 0) {
            rel_report(&f->t, "VFIO_DEVICE_RESET", &e);
            return -1;
        }
        return 0;
    }
    mypci_control_reset(f->t.m);
    f->resets++;
    return 0;
}

static void op_irq(struct fuzz *f)
{
    static const uint32_t regs[] = {MYPCI_REG_IRQ_ENABLE, MYPCI_REG_IRQ_RAISE,
                                    MYPCI_REG_IRQ_ACK};

    mypci_write32(f->t.m, regs[rel_below(&f->rng, 3)],
                  (uint32_t)rel_below(&f->rng, 8));
    f->mmio++;
}

static int one_op(struct fuzz *f)
{
    uint64_t r = rel_below(&f->rng, 100);

    f->ops++;
    if (r < 40) {
        op_mmio_page0(f);
    } else if (r < 50) {
        op_mmio_page1(f);
    } else if (r < 60) {
        op_irq(f);
    } else if (r < 72) {
        op_config(f);
    } else if (r < 97) {
        return op_dma(f);
    } else {
        return op_reset(f);
    }
    return 0;
}

#define EXPECT(cond, ...)                                                      \
    do {                                                                       \
        if (!(cond)) {                                                         \
            printf("mypci-fuzz: device check: " __VA_ARGS__);                  \
            putchar('\n');                                                     \
            return -1;                                                         \
        }                                                                      \
    } while (0)

/* The registers that must read right whatever the fuzzer did. */
static int check_identity(struct fuzz *f)
{
    const struct mypci *m = f->t.m;
    uint32_t v = (uint32_t)rel_rand(&f->rng);

    EXPECT(mypci_read32(m, MYPCI_REG_ID) == MYPCI_ID_VALUE, "ID %#x",
           mypci_read32(m, MYPCI_REG_ID));
    EXPECT(mypci_read32(m, MYPCI_REG_VERSION) == MYPCI_VERSION_VALUE,
           "VERSION %#x", mypci_read32(m, MYPCI_REG_VERSION));
    EXPECT(mypci_read32(m, MYPCI_REG_FEATURES) == m->features,
           "FEATURES %#x, was %#x", mypci_read32(m, MYPCI_REG_FEATURES),
           m->features);
    mypci_write32(m, MYPCI_REG_SCRATCH, v);
    EXPECT(mypci_read32(m, MYPCI_REG_SCRATCH) == v, "SCRATCH %#x, wrote %#x",
           mypci_read32(m, MYPCI_REG_SCRATCH), v);
    EXPECT(mypci_read32(m, MYPCI_REG_INVERT) == ~v, "INVERT %#x, SCRATCH %#x",
           mypci_read32(m, MYPCI_REG_INVERT), v);
    return 0;
}

/* Host -> device -> host with the data compared, DMA_COUNT following. */
static int check_dma(struct fuzz *f)
{
    const struct mypci *m = f->t.m;
    uint32_t tag = (uint32_t)rel_rand(&f->rng), s1 = 0, s2 = 0;
    long bad;

    pattern_fill(f->chk_src.vaddr, CHK_SIZE, tag);
    memset(f->chk_dst.vaddr, 0, CHK_SIZE);
    mypci_dma_start(m, f->chk_src.iova, 0, CHK_SIZE, MYPCI_DMA_DIR_HOST_TO_DEV);
    EXPECT(mypci_dma_wait_poll(m, MYPCI_TIMEOUT_MS, &s1) == 0 &&
               mypci_dma_error(s1) == 0,
           "host-to-device DMA status %#x", s1);
    mypci_dma_start(m, 0, f->chk_dst.iova, CHK_SIZE, MYPCI_DMA_DIR_DEV_TO_HOST);
    EXPECT(mypci_dma_wait_poll(m, MYPCI_TIMEOUT_MS, &s2) == 0 &&
               mypci_dma_error(s2) == 0,
           "device-to-host DMA status %#x", s2);
    bad = pattern_check(f->chk_dst.vaddr, CHK_SIZE, tag);
    EXPECT(bad < 0, "DMA round trip: byte %ld differs", bad);
    EXPECT(mypci_read32(m, MYPCI_REG_DMA_COUNT) == 2, "DMA_COUNT %u, want 2",
           mypci_read32(m, MYPCI_REG_DMA_COUNT));
    return 0;
}

/* IRQ_RAISE(SOFT) must reach its eventfd. */
static int check_irq(struct fuzz *f)
{
    const struct mypci *m = f->t.m;
    int fd = mypci_irq_fd(m, MYPCI_IRQ_SOFT);
    int64_t n;

    vfio_irq_drain(fd);
    mypci_write32(m, MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_SOFT);
    mypci_write32(m, MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    n = vfio_irq_wait(fd, MYPCI_TIMEOUT_MS);
    mypci_write32(m, MYPCI_REG_IRQ_ACK, MYPCI_IRQ_ALL);
    mypci_write32(m, MYPCI_REG_IRQ_ENABLE, 0);
    if (f->irq_mode == VFIO_IRQ_INTX) {
        vfio_irq_intx_unmask(f->t.dev, NULL);
    }
    EXPECT(n > 0, "no %s interrupt for IRQ_RAISE(SOFT) within %d ms",
           vfio_irq_mode_name(f->irq_mode), MYPCI_TIMEOUT_MS);
    return 0;
}

static int check_vcap(struct fuzz *f)
{
    uint32_t v = (uint32_t)rel_rand(&f->rng), res = 0;
    struct vfio_error e = {0};

    if (!f->t.m->vcap) {
        return 0;
    }
    mypci_vcap_write(f->t.m, MYPCI_VCAP_MAILBOX, 4, v, &e);
    mypci_vcap_read(f->t.m, MYPCI_VCAP_RESULT, 4, &res, &e);
    EXPECT(res == ~v, "vendor cap RESULT %#x after MAILBOX %#x", res, v);
    return 0;
}

/* Gives the device back what the fuzzer may have taken, then checks it. */
static int health_check(struct fuzz *f)
{
    struct vfio_error e = {0};
    uint32_t status = 0;

    f->checks++;
    EXPECT(vfio_pci_command_update(f->t.dev,
                                   PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
                                   PCI_COMMAND_INTX_DISABLE, &e) == 0,
           "cannot restore the Command register");
    EXPECT(mypci_dma_wait_poll(f->t.m, MYPCI_TIMEOUT_MS, &status) == 0,
           "a fuzzed transfer still BUSY (DMA_STATUS %#x)", status);
    if (check_identity(f) < 0) {
        return -1;
    }
    mypci_control_reset(f->t.m);
    EXPECT(mypci_read32(f->t.m, MYPCI_REG_IRQ_STATUS) == 0 &&
               mypci_read32(f->t.m, MYPCI_REG_DMA_COUNT) == 0,
           "CONTROL.RESET left IRQ_STATUS %#x DMA_COUNT %u",
           mypci_read32(f->t.m, MYPCI_REG_IRQ_STATUS),
           mypci_read32(f->t.m, MYPCI_REG_DMA_COUNT));
    if (check_identity(f) < 0 || check_dma(f) < 0 || check_irq(f) < 0) {
        return -1;
    }
    return check_vcap(f);
}

/* BAR bus addresses as the guest kernel assigned them (config space). */
static int read_bars(struct fuzz *f)
{
    uint32_t b0 = 0, b2 = 0, b3 = 0;
    struct vfio_error e = {0};

    if (vfio_pci_config_read(f->t.dev, PCI_BASE_ADDRESS_0, 4, &b0, &e) < 0 ||
        vfio_pci_config_read(f->t.dev, PCI_BASE_ADDRESS_2, 4, &b2, &e) < 0 ||
        vfio_pci_config_read(f->t.dev, PCI_BASE_ADDRESS_3, 4, &b3, &e) < 0) {
        rel_report(&f->t, "reading the BARs", &e);
        return -1;
    }
    f->bar0_bus = b0 & PCI_BASE_ADDRESS_MEM_MASK;
    f->bar2_bus = ((uint64_t)b3 << 32) | (b2 & PCI_BASE_ADDRESS_MEM_MASK);
    printf("mypci-fuzz: BAR0 at bus address %#" PRIx64 ", BAR2 at %#" PRIx64
           "\n",
           f->bar0_bus, f->bar2_bus);
    return 0;
}

/*
 * Maps a BAR's mmap into the IOMMU so DMA can reach the device's own
 * registers/memory (peer-to-peer to itself). type1 accepts VM_PFNMAP
 * ranges; iommufd (before dma-buf support) refuses them, and then the
 * fuzzer aims at the BARs' bus addresses as unmapped IOVAs instead.
 */
static uint64_t map_bar(struct fuzz *f, const char *name, volatile void *map,
                        uint64_t size)
{
    struct vfio_error e = {0};
    uint64_t iova = 0;
    char buf[VFIO_ERROR_DETAIL_MAX + 256];

    if (vfio_iova_alloc(&f->t.dev->iova, size, 0, &iova, &e) < 0 ||
        vfio_iommu_map(f->t.dev->iommu, (void *)map, iova, size,
                       VFIO_DMA_PROT_RW, &e) < 0) {
        printf("mypci-fuzz: %s not IOMMU-mappable (%s); DMA aims at its bus "
               "address instead\n",
               name, vfio_error_format(&e, buf, sizeof(buf)));
        return 0;
    }
    printf("mypci-fuzz: %s mmap IOMMU-mapped at IOVA %#" PRIx64 "\n", name,
           iova);
    return iova;
}

static int setup(struct fuzz *f)
{
    struct vfio_error e = {0};
    struct mypci *m = f->t.m;

    f->irq_mode = m->msix_cap  ? VFIO_IRQ_MSIX
                  : m->msi_cap ? VFIO_IRQ_MSI
                               : VFIO_IRQ_INTX;
    if (mypci_irq_setup(m, f->irq_mode, &e) < 0 ||
        vfio_dma_alloc(&f->fbuf, FBUF_SIZE, 0, &e) < 0 ||
        vfio_dma_map(f->t.dev, &f->fbuf, VFIO_DMA_PROT_RW, &e) < 0 ||
        vfio_dma_alloc(&f->chk_src, CHK_SIZE, 0, &e) < 0 ||
        vfio_dma_map(f->t.dev, &f->chk_src, VFIO_DMA_PROT_READ, &e) < 0 ||
        vfio_dma_alloc(&f->chk_dst, CHK_SIZE, 0, &e) < 0 ||
        vfio_dma_map(f->t.dev, &f->chk_dst, VFIO_DMA_PROT_RW, &e) < 0) {
        rel_report(&f->t, "setting up interrupts and DMA buffers", &e);
        return -1;
    }
    if (read_bars(f) < 0) {
        return -1;
    }
    /* Only BAR0's register page: page 1 (MSI-X) is not mmap-able. */
    f->bar0_iova = map_bar(f, "BAR0", m->regs, MYPCI_REG_PAGE_SIZE);
    f->bar2_iova = map_bar(f, "BAR2", m->mem, m->mem_size);
    return 0;
}

static int fuzz_loop(struct fuzz *f, const struct rel_options *o)
{
    uint64_t batch = 0;

    while (f->ops < o->ops) {
        uint64_t end = f->ops + o->batch < o->ops ? f->ops + o->batch : o->ops;

        while (f->ops < end) {
            if (one_op(f) < 0) {
                f->failed++;
                return -1;
            }
        }
        batch++;
        if (health_check(f) < 0) {
            printf("mypci-fuzz: batch %" PRIu64 " (ops up to %" PRIu64
                   "): device check FAILED\n",
                   batch, f->ops);
            f->failed++;
            return -1;
        }
        printf("mypci-fuzz: batch %" PRIu64 ": %" PRIu64 " ops: device OK\n",
               batch, f->ops);
        fflush(stdout);
    }
    return 0;
}

static void summary(const struct fuzz *f, uint64_t seed, double elapsed)
{
    printf("mypci-fuzz: SUMMARY seed=%" PRIu64 " ops=%" PRIu64 " mmio=%" PRIu64
           " config=%" PRIu64 " dma=%" PRIu64 " dma_errors=%" PRIu64
           " dma_own_bar_ok=%" PRIu64 " control_resets=%" PRIu64
           " flrs=%" PRIu64 " checks=%" PRIu64 " checks_failed=%" PRIu64
           " bar_dma=%s elapsed_s=%.1f ops_per_s=%.0f\n",
           seed, f->ops, f->mmio, f->cfg, f->dma, f->dma_err, f->dma_own_bar,
           f->resets, f->flrs, f->checks, f->failed,
           f->bar0_iova || f->bar2_iova ? "iommu-mapped" : "unmapped-iova",
           elapsed, elapsed > 0 ? (double)f->ops / elapsed : 0.0);
}

int main(int argc, char **argv)
{
    static struct fuzz f;
    struct rel_options o;
    double start;
    int status = rel_start(REL_FUZZ, argc, argv, &f.t, &o);

    if (status <= 0) {
        return status < 0 ? EXIT_UNUSABLE : 0;
    }
    f.rng = o.seed;
    if (setup(&f) < 0) {
        rel_close(&f.t);
        return EXIT_UNUSABLE;
    }
    start = rel_now();
    status = fuzz_loop(&f, &o) < 0 ? EXIT_FAILED : 0;
    summary(&f, o.seed, rel_now() - start);
    if (rel_close(&f.t) < 0 && status == 0) {
        status = EXIT_UNUSABLE;
    }
    return status;
}
