/*
 * mypci-fuzz: a hostile guest driver. Seeded random MMIO (every width at
 * any offset of BAR0, page 1 through the trapped read()/write() path),
 * config-space writes, DMA with random directions, lengths and addresses
 * (its own BARs, MSI-X table and PBA included) and both kinds of reset;
 * hostile.c adds the races only a guest kernel allows (IOMMU unmaps,
 * Command.Memory, FLR, MSI-X toggles and masks under pending work). After
 * every batch each device must still follow its ABI: identity,
 * SCRATCH/INVERT, a checked DMA round trip, an interrupt, the vendor
 * capability.
 *
 * What is left alone, and why (README.md says more):
 * - MSI-X table writes, but for the mask bit (hostile.c): the host's
 *   vfio-pci owns the table (it drops user writes to it), and random
 *   message addresses would only make the guest kernel log spurious
 *   interrupts; reads of the table and the PBA are done.
 * - BAR registers, MSI/MSI-X capability and power state: changing them
 *   loses the device for the rest of the run, which tests nothing.
 * - Command.Memory stays set in the random config writes (vfio-pci revokes
 *   the BAR mmaps while it is clear); every other Command bit is fuzzed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <linux/pci_regs.h>

#include "fuzz.h"

enum { EXIT_FAILED = 1, EXIT_UNUSABLE = 2 };

#define REGS_USED 0x70u /* registers live below this; bias offsets there */

/* Where a fuzzed DMA address points. */
enum target {
    T_BUF,      /* the fuzz buffer's IOVA */
    T_BAR0,     /* BAR0's register page, IOMMU-mapped (if the map worked) */
    T_BAR2,     /* BAR2, IOMMU-mapped */
    T_TABLE,    /* BAR0's MSI-X table, IOMMU-mapped (else its bus address) */
    T_PBA,      /* BAR0's PBA, likewise */
    T_BAR0_BUS, /* BAR0's bus address used as an IOVA: unmapped */
    T_BAR2_BUS,
    T_RANDOM, /* anywhere: mostly unmapped */
    T_DEVMEM, /* a device-memory offset, in range or not */
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

/*
 * One load or store of size bytes at p, written out as the instruction: an
 * unaligned access through a C pointer is undefined (UBSan stops on it), and
 * the access itself is what the fuzzer wants the device to see.
 *
 * x86-64 sends an unaligned access to the device as it is. On arm64 a BAR
 * mapped through VFIO is Device memory, where an unaligned access is an
 * alignment fault in the CPU (SIGBUS) and never reaches the device: there
 * the fuzzer aligns its offsets (docs/mypci.md, "x86-64 and arm64").
 */
#if defined(__x86_64__)
#define MMIO_UNALIGNED_REACHES_DEVICE 1

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
#elif defined(__aarch64__)
#define MMIO_UNALIGNED_REACHES_DEVICE 0

static uint64_t insn_read(const volatile uint8_t *p, unsigned size)
{
    uint64_t v = 0;

    switch (size) {
    case 1:
        __asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(p) : "memory");
        break;
    case 2:
        __asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(p) : "memory");
        break;
    case 4:
        __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(p) : "memory");
        break;
    default:
        __asm__ volatile("ldr %x0, [%1]" : "=r"(v) : "r"(p) : "memory");
        break;
    }
    return v;
}

static void insn_write(volatile uint8_t *p, unsigned size, uint64_t v)
{
    switch (size) {
    case 1:
        __asm__ volatile("strb %w0, [%1]" : : "r"(v), "r"(p) : "memory");
        break;
    case 2:
        __asm__ volatile("strh %w0, [%1]" : : "r"(v), "r"(p) : "memory");
        break;
    case 4:
        __asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(p) : "memory");
        break;
    default:
        __asm__ volatile("str %x0, [%1]" : : "r"(v), "r"(p) : "memory");
        break;
    }
}
#else
#error "mypci-fuzz writes its MMIO accesses as x86-64 or arm64 instructions"
#endif

/* Page 0 through the mmap: any width, any offset (aligned or not where the
 * CPU lets an unaligned access reach the device). */
static void op_mmio_page0(struct fuzz *f)
{
    unsigned size = pick_size(f);
    uint32_t span = rel_below(&f->rng, 2) ? REGS_USED : MYPCI_REG_PAGE_SIZE;
    uint32_t off = (uint32_t)rel_below(&f->rng, span - size + 1);
    volatile uint8_t *p;

    if (!MMIO_UNALIGNED_REACHES_DEVICE) {
        off &= ~(size - 1);
    }
    p = f->d.t.m->regs + off;

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

/*
 * True if [off, off + size) touches the MSI-X table or PBA, which take only
 * aligned 4- and 8-byte accesses (PCI; QEMU's MSI-X code refuses others).
 */
static bool in_msix_structures(uint32_t off, unsigned size)
{
    return in_msix_table(off, size) ||
           (off < MYPCI_MSIX_PBA_OFFSET + 8 && off + size > MYPCI_MSIX_PBA_OFFSET);
}

/* Page 1 through read()/write() on the device fd (not mmap-able). */
static void op_mmio_page1(struct fuzz *f)
{
    unsigned size = pick_size(f);
    uint32_t off = MYPCI_REG_PAGE_SIZE +
                   (uint32_t)rel_below(&f->rng, MYPCI_REG_PAGE_SIZE - size + 1);
    uint64_t v = pick_value(f);
    struct vfio_error e = {0};

    /*
     * A refused access is dropped on x86-64; on arm64 it is a synchronous
     * external abort, which in vfio-pci's read/write path oopses the guest
     * kernel (docs/mypci.md, "x86-64 and arm64"). There the fuzzer keeps to
     * what the CPU lets through: aligned, and 4 or 8 bytes at the MSI-X
     * structures.
     */
    if (!MMIO_UNALIGNED_REACHES_DEVICE) {
        off &= ~(size - 1);
        if (size < 4 && in_msix_structures(off, size)) {
            size = 4;
            off &= ~3u;
        }
    }

    if (rel_below(&f->rng, 2) && !in_msix_table(off, size)) {
        vfio_pci_bar_pwrite(f->d.t.dev, MYPCI_BAR_REGS, off, &v, size, &e);
    } else {
        vfio_pci_bar_pread(f->d.t.dev, MYPCI_BAR_REGS, off, &v, size, &e);
    }
    f->mmio++;
}

/* The vendor capability's body, the Command and Status registers. */
static void op_config(struct fuzz *f)
{
    struct vfio_error e = {0};
    uint64_t r = rel_below(&f->rng, 4);

    if (r < 2 && f->d.t.m->vcap) {
        unsigned size = pick_size(f) & 7;
        uint32_t off;

        size = size ? size : 4;
        off = (uint32_t)rel_below(&f->rng, MYPCI_VCAP_LEN - size + 1);
        vfio_pci_config_write(f->d.t.dev, f->d.t.m->vcap + off, size,
                              (uint32_t)pick_value(f), &e);
    } else if (r == 2) {
        /* Memory stays on: without it vfio-pci revokes our BAR mmaps. */
        uint16_t cmd = (uint16_t)rel_rand(&f->rng) | PCI_COMMAND_MEMORY;

        vfio_pci_config_write(f->d.t.dev, PCI_COMMAND, 2, cmd, &e);
    } else {
        vfio_pci_config_write(f->d.t.dev, PCI_STATUS, 2,
                              (uint16_t)rel_rand(&f->rng), &e);
    }
    f->cfg++;
}

/* A host-side address: mostly somewhere a transfer can reach. */
static uint64_t pick_host(struct fuzz *f, enum target *t)
{
    uint64_t mem = f->d.t.m->mem_size;
    uint64_t in = rel_below(&f->rng, 0x1000);

    *t = (enum target)rel_below(&f->rng, T_DEVMEM);
    switch (*t) {
    case T_BUF:
        return f->d.fbuf.iova + rel_below(&f->rng, FBUF_SIZE);
    case T_BAR0:
        return f->d.bar0_iova ? f->d.bar0_iova + (in & ~3ull) : in;
    case T_BAR2:
        return f->d.bar2_iova + rel_below(&f->rng, mem);
    case T_TABLE:
    case T_PBA:
        return hostile_msix_addr(f, *t == T_PBA);
    case T_BAR0_BUS:
        return f->d.bar0_bus + in;
    case T_BAR2_BUS:
        return f->d.bar2_bus + rel_below(&f->rng, mem);
    default:
        return rel_rand(&f->rng);
    }
}

/* A device-memory offset: mostly in range, sometimes past the end. */
static uint64_t pick_devmem(struct fuzz *f)
{
    uint64_t mem = f->d.t.m->mem_size;

    return rel_below(&f->rng, 8) ? rel_below(&f->rng, mem)
                                 : rel_below(&f->rng, 2 * mem);
}

/* Counts a transfer aimed at the MSI-X table or PBA, by side. */
static void count_msix(struct fuzz *f, enum target t, bool src)
{
    if (t == T_TABLE) {
        (*(src ? &f->dma_table_rd : &f->dma_table_wr))++;
    } else if (t == T_PBA) {
        (*(src ? &f->dma_pba_rd : &f->dma_pba_wr))++;
    }
}

/* True if t is inside BAR0 as the IOMMU maps it (not a bus-address guess). */
static bool mapped_bar0(const struct fuzz *f, enum target t)
{
    return (t == T_BAR0 && f->d.bar0_iova) ||
           ((t == T_TABLE || t == T_PBA) && f->d.msix_mmap && f->d.bar0_iova);
}

/* Source and destination for direction dir (3: anything, it must fail). */
static void pick_addrs(struct fuzz *f, uint32_t dir, uint64_t *src,
                       uint64_t *dst, enum target *ts, enum target *td)
{
    *ts = *td = T_DEVMEM;
    *src = dir == MYPCI_DMA_DIR_DEV_TO_HOST ? pick_devmem(f) : pick_host(f, ts);
    *dst = dir == MYPCI_DMA_DIR_HOST_TO_DEV ? pick_devmem(f) : pick_host(f, td);
    count_msix(f, *ts, true);
    count_msix(f, *td, false);
}

int fuzz_dma_finish(struct fuzz *f, const struct fdev *d, uint32_t *status)
{
    if (mypci_dma_wait_poll(d->t.m, MYPCI_TIMEOUT_MS, status) < 0) {
        printf("mypci-fuzz: op %" PRIu64 ": DMA_SRC %#" PRIx64
               " DMA_DST %#" PRIx64 " DMA_LEN %u: still BUSY after %d ms\n",
               f->ops, mypci_read64(d->t.m, MYPCI_REG_DMA_SRC),
               mypci_read64(d->t.m, MYPCI_REG_DMA_DST),
               mypci_read32(d->t.m, MYPCI_REG_DMA_LEN), MYPCI_TIMEOUT_MS);
        return -1;
    }
    if (mypci_dma_error(*status) > 4) {
        printf("mypci-fuzz: op %" PRIu64 ": DMA error code %u is not in the "
               "ABI (§3; status %#x)\n",
               f->ops, mypci_dma_error(*status), *status);
        return -1;
    }
    return 0;
}

/* A random transfer; it must end (DONE) with a defined error code. */
static int op_dma(struct fuzz *f)
{
    uint64_t r = rel_below(&f->rng, 8), src, dst;
    uint32_t len = r < 5 ? 1 + (uint32_t)rel_below(&f->rng, 256)
                   : r < 7
                       ? (uint32_t)rel_below(&f->rng, 0x4000)
                       : (uint32_t)rel_below(&f->rng, 2 * f->d.t.m->mem_size);
    uint32_t cmd = (uint32_t)rel_below(&f->rng, 4), status = 0;
    enum target ts, td;

    if (rel_below(&f->rng, 16) == 0) {
        cmd |= (uint32_t)rel_rand(&f->rng) & ~MYPCI_DMA_DIR_MASK;
    }
    pick_addrs(f, cmd & MYPCI_DMA_DIR_MASK, &src, &dst, &ts, &td);
    mypci_dma_start(f->d.t.m, src, dst, len, cmd);
    f->dma++;
    if (fuzz_dma_finish(f, &f->d, &status) < 0) {
        return -1;
    }
    /* docs/mypci.md (DMA engine): DMA at its own BAR0 always fails. */
    if ((mapped_bar0(f, ts) || mapped_bar0(f, td)) &&
        mypci_dma_error(status) == 0) {
        printf("mypci-fuzz: op %" PRIu64 ": DMA src %#" PRIx64 " dst %#" PRIx64
               " len %u touching BAR0 (MSI-X table/PBA included) succeeded\n",
               f->ops, src, dst, len);
        return -1;
    }
    f->dma_err += mypci_dma_error(status) != 0;
    f->dma_own_bar +=
        (ts == T_BAR2 || td == T_BAR2) && mypci_dma_error(status) == 0;
    return 0;
}

static int op_reset(struct fuzz *f)
{
    struct vfio_error e = {0};

    /* FLR costs ~100 ms in the guest kernel (pcie_flr's wait): keep rare. */
    if (rel_below(&f->rng, 8) == 0) {
        f->flrs++;
        if (vfio_pci_device_reset(f->d.t.dev, &e) < 0) {
            rel_report(&f->d.t, "VFIO_DEVICE_RESET", &e);
            return -1;
        }
        return 0;
    }
    mypci_control_reset(f->d.t.m);
    f->resets++;
    return 0;
}

static void op_irq(struct fuzz *f)
{
    static const uint32_t regs[] = {MYPCI_REG_IRQ_ENABLE, MYPCI_REG_IRQ_RAISE,
                                    MYPCI_REG_IRQ_ACK};

    mypci_write32(f->d.t.m, regs[rel_below(&f->rng, 3)],
                  (uint32_t)rel_below(&f->rng, 8));
    f->mmio++;
}

static int one_op(struct fuzz *f)
{
    uint64_t r = rel_below(&f->rng, 100);

    f->ops++;
    if (r < 39) {
        op_mmio_page0(f);
    } else if (r < 50) {
        op_mmio_page1(f);
    } else if (r < 60) {
        op_irq(f);
    } else if (r < 72) {
        op_config(f);
    } else if (r < 96) {
        return op_dma(f);
    } else if (r < 98) {
        return op_reset(f);
    } else {
        return hostile_op(f);
    }
    return 0;
}

/* The registers that must read right whatever the fuzzer did. */
static int check_identity(struct fuzz *f, const struct fdev *d)
{
    const struct mypci *m = d->t.m;
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
static int check_dma(struct fuzz *f, const struct fdev *d)
{
    const struct mypci *m = d->t.m;
    uint32_t tag = (uint32_t)rel_rand(&f->rng), s1 = 0, s2 = 0;
    long bad;

    pattern_fill(d->chk_src.vaddr, CHK_SIZE, tag);
    memset(d->chk_dst.vaddr, 0, CHK_SIZE);
    mypci_dma_start(m, d->chk_src.iova, 0, CHK_SIZE, MYPCI_DMA_DIR_HOST_TO_DEV);
    EXPECT(mypci_dma_wait_poll(m, MYPCI_TIMEOUT_MS, &s1) == 0 &&
               mypci_dma_error(s1) == 0,
           "host-to-device DMA status %#x", s1);
    mypci_dma_start(m, 0, d->chk_dst.iova, CHK_SIZE, MYPCI_DMA_DIR_DEV_TO_HOST);
    EXPECT(mypci_dma_wait_poll(m, MYPCI_TIMEOUT_MS, &s2) == 0 &&
               mypci_dma_error(s2) == 0,
           "device-to-host DMA status %#x", s2);
    bad = pattern_check(d->chk_dst.vaddr, CHK_SIZE, tag);
    EXPECT(bad < 0, "DMA round trip: byte %ld differs", bad);
    EXPECT(mypci_read32(m, MYPCI_REG_DMA_COUNT) == 2, "DMA_COUNT %u, want 2",
           mypci_read32(m, MYPCI_REG_DMA_COUNT));
    return 0;
}

/* IRQ_RAISE(SOFT) must reach its eventfd. */
static int check_irq(const struct fdev *d)
{
    const struct mypci *m = d->t.m;
    int fd = mypci_irq_fd(m, MYPCI_IRQ_SOFT);
    int64_t n;

    vfio_irq_drain(fd);
    mypci_write32(m, MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_SOFT);
    mypci_write32(m, MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    n = vfio_irq_wait(fd, MYPCI_TIMEOUT_MS);
    mypci_write32(m, MYPCI_REG_IRQ_ACK, MYPCI_IRQ_ALL);
    mypci_write32(m, MYPCI_REG_IRQ_ENABLE, 0);
    if (d->irq_mode == VFIO_IRQ_INTX) {
        vfio_irq_intx_unmask(d->t.dev, NULL);
    }
    EXPECT(n > 0, "no %s interrupt for IRQ_RAISE(SOFT) within %d ms",
           vfio_irq_mode_name(d->irq_mode), MYPCI_TIMEOUT_MS);
    return 0;
}

static int check_vcap(struct fuzz *f, const struct fdev *d)
{
    uint32_t v = (uint32_t)rel_rand(&f->rng), res = 0;
    struct vfio_error e = {0};

    if (!d->t.m->vcap) {
        return 0;
    }
    mypci_vcap_write(d->t.m, MYPCI_VCAP_MAILBOX, 4, v, &e);
    mypci_vcap_read(d->t.m, MYPCI_VCAP_RESULT, 4, &res, &e);
    EXPECT(res == ~v, "vendor cap RESULT %#x after MAILBOX %#x", res, v);
    return 0;
}

/* Gives the device back what the fuzzer may have taken, then checks it. */
static int check_device(struct fuzz *f, const struct fdev *d)
{
    struct vfio_error e = {0};
    uint32_t status = 0;

    EXPECT(vfio_pci_command_update(d->t.dev,
                                   PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
                                   PCI_COMMAND_INTX_DISABLE, &e) == 0,
           "cannot restore the Command register");
    EXPECT(mypci_dma_wait_poll(d->t.m, MYPCI_TIMEOUT_MS, &status) == 0,
           "a fuzzed transfer still BUSY (DMA_STATUS %#x)", status);
    if (check_identity(f, d) < 0) {
        return -1;
    }
    mypci_control_reset(d->t.m);
    EXPECT(mypci_read32(d->t.m, MYPCI_REG_IRQ_STATUS) == 0 &&
               mypci_read32(d->t.m, MYPCI_REG_DMA_COUNT) == 0,
           "CONTROL.RESET left IRQ_STATUS %#x DMA_COUNT %u",
           mypci_read32(d->t.m, MYPCI_REG_IRQ_STATUS),
           mypci_read32(d->t.m, MYPCI_REG_DMA_COUNT));
    if (check_identity(f, d) < 0 || check_dma(f, d) < 0 || check_irq(d) < 0) {
        return -1;
    }
    return check_vcap(f, d);
}

/* Both devices (the busy one if any) must have survived the batch. */
static int health_check(struct fuzz *f)
{
    f->checks++;
    if (check_device(f, &f->d) < 0) {
        return -1;
    }
    if (f->busy.t.m && check_device(f, &f->busy) < 0) {
        printf("mypci-fuzz: (that was the busy device %s)\n",
               f->busy.t.dev->bdf);
        return -1;
    }
    return 0;
}

/* BAR bus addresses as the guest kernel assigned them (config space). */
static int read_bars(struct fdev *d)
{
    uint32_t b0 = 0, b2 = 0, b3 = 0;
    struct vfio_error e = {0};

    if (vfio_pci_config_read(d->t.dev, PCI_BASE_ADDRESS_0, 4, &b0, &e) < 0 ||
        vfio_pci_config_read(d->t.dev, PCI_BASE_ADDRESS_2, 4, &b2, &e) < 0 ||
        vfio_pci_config_read(d->t.dev, PCI_BASE_ADDRESS_3, 4, &b3, &e) < 0) {
        rel_report(&d->t, "reading the BARs", &e);
        return -1;
    }
    d->bar0_bus = b0 & PCI_BASE_ADDRESS_MEM_MASK;
    d->bar2_bus = ((uint64_t)b3 << 32) | (b2 & PCI_BASE_ADDRESS_MEM_MASK);
    printf("mypci-fuzz: %s: BAR0 at bus address %#" PRIx64 ", BAR2 at %#" PRIx64
           "\n",
           d->t.dev->bdf, d->bar0_bus, d->bar2_bus);
    return 0;
}

/*
 * Maps a BAR's mmap into the IOMMU so DMA can reach the device's own
 * registers/memory (peer-to-peer to itself). type1 accepts VM_PFNMAP
 * ranges; iommufd (before dma-buf support) refuses them, and then the
 * fuzzer aims at the BARs' bus addresses as unmapped IOVAs instead.
 */
static uint64_t map_bar(struct fdev *d, const char *name, volatile void *map,
                        uint64_t size)
{
    struct vfio_error e = {0};
    uint64_t iova = 0;
    char buf[VFIO_ERROR_DETAIL_MAX + 256];

    if (vfio_iova_alloc(&d->t.dev->iova, size, 0, &iova, &e) < 0 ||
        vfio_iommu_map(d->t.dev->iommu, (void *)map, iova, size,
                       VFIO_DMA_PROT_RW, &e) < 0) {
        printf("mypci-fuzz: %s not IOMMU-mappable (%s); DMA aims at its bus "
               "address instead\n",
               name, vfio_error_format(&e, buf, sizeof(buf)));
        return 0;
    }
    printf("mypci-fuzz: %s mmap (%#" PRIx64 " bytes) IOMMU-mapped at IOVA "
           "%#" PRIx64 "\n",
           name, size, iova);
    return iova;
}

/* Interrupts, the DMA buffers and the BARs' IOMMU mappings of one device. */
static int setup_dev(struct fdev *d)
{
    struct vfio_error e = {0};
    struct mypci *m = d->t.m;

    d->irq_mode = m->msix_cap  ? VFIO_IRQ_MSIX
                  : m->msi_cap ? VFIO_IRQ_MSI
                               : VFIO_IRQ_INTX;
    if (mypci_irq_setup(m, d->irq_mode, &e) < 0 ||
        vfio_dma_alloc(&d->fbuf, FBUF_SIZE, 0, &e) < 0 ||
        vfio_dma_map(d->t.dev, &d->fbuf, VFIO_DMA_PROT_RW, &e) < 0 ||
        vfio_dma_alloc(&d->chk_src, CHK_SIZE, 0, &e) < 0 ||
        vfio_dma_map(d->t.dev, &d->chk_src, VFIO_DMA_PROT_READ, &e) < 0 ||
        vfio_dma_alloc(&d->chk_dst, CHK_SIZE, 0, &e) < 0 ||
        vfio_dma_map(d->t.dev, &d->chk_dst, VFIO_DMA_PROT_RW, &e) < 0) {
        rel_report(&d->t, "setting up interrupts and DMA buffers", &e);
        return -1;
    }
    if (read_bars(d) < 0) {
        return -1;
    }
    mypci_control_reset(m);
    d->scratch_reset = mypci_read32(m, MYPCI_REG_SCRATCH);
    /*
     * vfio-pci lets page 1 (MSI-X table, PBA) be mmap-ed when the kernel
     * reports MSIX_MAPPABLE (interrupt remapping on: 6.1 here); then all
     * of BAR0 goes into the IOMMU so DMA can aim at the table and PBA.
     */
    d->msix_mmap = m->msix_cap && vfio_pci_bar_mapped(d->t.dev, MYPCI_BAR_REGS,
                                                      MYPCI_MSIX_TABLE_OFFSET,
                                                      MYPCI_REG_PAGE_SIZE);
    d->bar0_mapped =
        d->msix_mmap ? 2 * MYPCI_REG_PAGE_SIZE : MYPCI_REG_PAGE_SIZE;
    d->bar0_iova = map_bar(d, "BAR0", m->regs, d->bar0_mapped);
    d->bar2_iova = map_bar(d, "BAR2", m->mem, m->mem_size);
    return 0;
}

/* Opens the --busy-device like the device; 0 or -1 (printed). */
static int open_busy(struct fuzz *f, const struct rel_options *o)
{
    struct rel_options bo = *o;

    bo.c.device = o->busy_device;
    f->busy.t.prog = f->d.t.prog;
    if (rel_open(&f->busy.t, &bo) < 0) {
        return -1;
    }
    if (strcmp(f->busy.t.dev->bdf, f->d.t.dev->bdf) == 0) {
        fprintf(stderr, "mypci-fuzz: --busy-device %s is the fuzzed device\n",
                f->busy.t.dev->bdf);
        return -1;
    }
    return setup_dev(&f->busy);
}

static int setup(struct fuzz *f, const struct rel_options *o)
{
    if (setup_dev(&f->d) < 0 || (o->busy_device && open_busy(f, o) < 0)) {
        return -1;
    }
    hostile_setup(f);
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
           " flrs=%" PRIu64,
           seed, f->ops, f->mmio, f->cfg, f->dma, f->dma_err, f->dma_own_bar,
           f->resets, f->flrs);
    hostile_summary(f);
    printf(" checks=%" PRIu64 " checks_failed=%" PRIu64
           " bar_dma=%s elapsed_s=%.1f ops_per_s=%.0f\n",
           f->checks, f->failed,
           f->d.bar0_iova || f->d.bar2_iova ? "iommu-mapped" : "unmapped-iova",
           elapsed, elapsed > 0 ? (double)f->ops / elapsed : 0.0);
}

/* Closes the busy device (if open), then the device; -1 if either failed. */
static int close_all(struct fuzz *f)
{
    int err = 0;

    if (f->busy.t.dev && rel_close(&f->busy.t) < 0) {
        err = -1;
    }
    return rel_close(&f->d.t) < 0 ? -1 : err;
}

int main(int argc, char **argv)
{
    static struct fuzz f;
    struct rel_options o;
    double start;
    int status = rel_start(REL_FUZZ, argc, argv, &f.d.t, &o);

    if (status <= 0) {
        return status < 0 ? EXIT_UNUSABLE : 0;
    }
    f.rng = o.seed;
    if (setup(&f, &o) < 0) {
        close_all(&f);
        return EXIT_UNUSABLE;
    }
    start = rel_now();
    status = fuzz_loop(&f, &o) < 0 ? EXIT_FAILED : 0;
    summary(&f, o.seed, rel_now() - start);
    if (close_all(&f) < 0 && status == 0) {
        status = EXIT_UNUSABLE;
    }
    return status;
}
