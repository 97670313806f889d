/*
 * Unit tests of mypci_core against the ABI, sections 3-8
 * (docs/abi.md), on a fake host.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "abi_regs.h"
#include "fake_host.h"
#include "mypci_core.h"

#define MEM_SIZE (64u * 1024)
#define SCRATCH_RESET 0x5a5aa5a5u
#define NO_FAULT_YET 0

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define DIR_H2D MYPCI_DMA_DIR_HOST_TO_DEV
#define DIR_D2H MYPCI_DMA_DIR_DEV_TO_HOST
#define DIR_H2H MYPCI_DMA_DIR_HOST_TO_HOST

static struct fake_host *host;
static uint8_t *mem;
static struct mypci_core core;

static const struct mypci_config default_config = {
    .scratch_reset = SCRATCH_RESET,
    .mem_size = MEM_SIZE,
    .msi = true,
    .msix = true,
};

static void setup(void)
{
    host = malloc(sizeof(*host));
    mem = malloc(MEM_SIZE);
    ck_assert_ptr_nonnull(host);
    ck_assert_ptr_nonnull(mem);
    fake_host_init(host);
    ck_assert_int_eq(
        mypci_core_init(&core, &fake_host_ops, host, &default_config, mem), 0);
    fake_host_clear_logs(host);
}

static void teardown(void)
{
    free(mem);
    free(host);
}

/* ---- helpers ---------------------------------------------------------- */

static void wr(uint64_t offset, uint32_t value)
{
    mypci_core_mmio_write(&core, offset, value, 4);
}

static uint32_t rd(uint64_t offset)
{
    return (uint32_t)mypci_core_mmio_read(&core, offset, 4);
}

static void wr64(uint64_t offset, uint64_t value)
{
    mypci_core_mmio_write(&core, offset, value, 8);
}

static uint64_t rd64(uint64_t offset)
{
    return mypci_core_mmio_read(&core, offset, 8);
}

/* Bus address of byte off of the fake host's space. */
static uint64_t busaddr(uint64_t off)
{
    return FAKE_BUS_BASE + off;
}

static uint8_t *bus(uint64_t off)
{
    return fake_host_ptr(host, busaddr(off));
}

static void fill(uint8_t *p, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++) {
        p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
    }
}

static bool all_zero(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] != 0) {
            return false;
        }
    }
    return true;
}

static void dma_start(uint64_t src, uint64_t dst, uint32_t len, uint32_t cmd)
{
    wr64(MYPCI_REG_DMA_SRC, src);
    wr64(MYPCI_REG_DMA_DST, dst);
    wr(MYPCI_REG_DMA_LEN, len);
    wr(MYPCI_REG_DMA_CMD, cmd);
}

/* Starts a transfer, lets it run, returns DMA_STATUS. */
static uint32_t dma_run(uint64_t src, uint64_t dst, uint32_t len, uint32_t cmd)
{
    dma_start(src, dst, len, cmd);
    mypci_core_run_deferred(&core);
    return rd(MYPCI_REG_DMA_STATUS);
}

static uint32_t status_for_error(unsigned err)
{
    return MYPCI_DMA_STATUS_DONE | err << MYPCI_DMA_STATUS_ERR_SHIFT;
}

/* Leaves DMA_FAULT_ADDR at a known value through a real error 1. */
static uint64_t make_fault(void)
{
    fake_host_map(host, busaddr(0x3f000), 0x1000, FAKE_UNMAPPED);
    ck_assert_uint_eq(dma_run(busaddr(0x3f010), 0, 0x10, DIR_H2D),
                      status_for_error(MYPCI_DMA_ERR_FAULT));
    fake_host_map(host, busaddr(0x3f000), 0x1000, FAKE_READ_WRITE);
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), busaddr(0x3f010));
    return busaddr(0x3f010);
}

/* ---- whole-state snapshots ------------------------------------------- */

struct snapshot {
    struct mypci_core core;
    uint8_t *mem;
    uint8_t *bus;
    unsigned valid_calls, read_calls, write_calls;
    unsigned msi_count, intx_count, schedule_count;
    int intx_level;
};

static void snapshot_take(struct snapshot *s)
{
    s->core = core;
    s->mem = malloc(MEM_SIZE);
    s->bus = malloc(FAKE_BUS_SIZE);
    ck_assert_ptr_nonnull(s->mem);
    ck_assert_ptr_nonnull(s->bus);
    memcpy(s->mem, mem, MEM_SIZE);
    memcpy(s->bus, host->bus, FAKE_BUS_SIZE);
    s->valid_calls = host->valid_calls;
    s->read_calls = host->read_calls;
    s->write_calls = host->write_calls;
    s->msi_count = host->msi_count;
    s->intx_count = host->intx_count;
    s->schedule_count = host->schedule_count;
    s->intx_level = host->intx_level;
}

static void snapshot_free(struct snapshot *s)
{
    free(s->mem);
    free(s->bus);
}

/* Field by field: struct padding makes memcmp of two cores meaningless. */
static void assert_core_unchanged(const struct mypci_core *a)
{
    ck_assert_ptr_eq(core.ops, a->ops);
    ck_assert_ptr_eq(core.opaque, a->opaque);
    ck_assert_ptr_eq(core.mem, a->mem);
    ck_assert_uint_eq(core.config.scratch_reset, a->config.scratch_reset);
    ck_assert_uint_eq(core.config.mem_size, a->config.mem_size);
    ck_assert_int_eq(core.config.msi, a->config.msi);
    ck_assert_int_eq(core.config.msix, a->config.msix);
    ck_assert_uint_eq(core.scratch, a->scratch);
    ck_assert_uint_eq(core.irq_status, a->irq_status);
    ck_assert_uint_eq(core.irq_enable, a->irq_enable);
    ck_assert_uint_eq(core.irq_count, a->irq_count);
    ck_assert_uint_eq(core.dma_src, a->dma_src);
    ck_assert_uint_eq(core.dma_dst, a->dma_dst);
    ck_assert_uint_eq(core.dma_len, a->dma_len);
    ck_assert_uint_eq(core.dma_status, a->dma_status);
    ck_assert_uint_eq(core.dma_count, a->dma_count);
    ck_assert_uint_eq(core.dma_fault_addr, a->dma_fault_addr);
    ck_assert_uint_eq(core.run_src, a->run_src);
    ck_assert_uint_eq(core.run_dst, a->run_dst);
    ck_assert_uint_eq(core.run_len, a->run_len);
    ck_assert_uint_eq(core.run_cmd, a->run_cmd);
    ck_assert_uint_eq(core.intx_level, a->intx_level);
    ck_assert_uint_eq(core.vcap_mailbox, a->vcap_mailbox);
    ck_assert_uint_eq(core.vcap_events, a->vcap_events);
}

static void snapshot_assert_same(const struct snapshot *s)
{
    assert_core_unchanged(&s->core);
    ck_assert(memcmp(s->mem, mem, MEM_SIZE) == 0);
    ck_assert(memcmp(s->bus, host->bus, FAKE_BUS_SIZE) == 0);
    ck_assert_uint_eq(host->valid_calls, s->valid_calls);
    ck_assert_uint_eq(host->read_calls, s->read_calls);
    ck_assert_uint_eq(host->write_calls, s->write_calls);
    ck_assert_uint_eq(host->msi_count, s->msi_count);
    ck_assert_uint_eq(host->intx_count, s->intx_count);
    ck_assert_uint_eq(host->schedule_count, s->schedule_count);
    ck_assert_int_eq(host->intx_level, s->intx_level);
}

/*
 * Every register away from its reset value, an interrupt pending and the
 * DMA registers holding a valid transfer, so that an access that wrongly
 * acted would show.
 */
static void make_rich_state(void)
{
    fill(bus(0), 0x10000, 1);
    ck_assert_uint_eq(dma_run(busaddr(0), 0, 0x100, DIR_H2D),
                      status_for_error(0));
    make_fault();
    wr(MYPCI_REG_SCRATCH, 0x12345678);
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_SOFT | MYPCI_IRQ_DMA_DONE);
    wr(MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    wr64(MYPCI_REG_DMA_SRC, busaddr(0x1000));
    wr64(MYPCI_REG_DMA_DST, 0x800);
    wr(MYPCI_REG_DMA_LEN, 0x200);
    mypci_core_vcap_write(&core, MYPCI_VCAP_MAILBOX, 0xcafef00d, 4);
    ck_assert_uint_eq(host->intx_level, 1);
}

/* ---- ID, VERSION, FEATURES, SCRATCH, INVERT (ABI 3) ------------------- */

START_TEST(id_and_version)
{
    ck_assert_uint_eq(rd(MYPCI_REG_ID), 0x4d504349);
    ck_assert_uint_eq(rd(MYPCI_REG_VERSION), 0x00010000);
}
END_TEST

static const struct features_case {
    struct mypci_config config;
    uint32_t features;
} features_cases[] = {
    {{0, 4096, false, false, 0}, 0x000c0009},
    {{0, 4096, true, false, 0}, 0x000c000b},
    {{0, 4096, false, true, 0}, 0x000c000d},
    {{0, 1u << 20, true, true, 0}, 0x0014000f},
    {{0, 1u << 17, true, false, 0}, 0x0011000b},
    {{0, 1u << 28, false, true, 0}, 0x001c000d},
};

START_TEST(features_follow_config)
{
    const struct features_case *c = &features_cases[_i];
    uint8_t *big = malloc(c->config.mem_size);
    struct mypci_core other;

    ck_assert_ptr_nonnull(big);
    ck_assert_int_eq(
        mypci_core_init(&other, &fake_host_ops, host, &c->config, big), 0);
    ck_assert_uint_eq(mypci_core_mmio_read(&other, MYPCI_REG_FEATURES, 4),
                      c->features);
    ck_assert_uint_eq(mypci_core_features(&other), c->features);
    free(big);
}
END_TEST

START_TEST(scratch_resets_to_property_and_invert_follows)
{
    ck_assert_uint_eq(rd(MYPCI_REG_SCRATCH), SCRATCH_RESET);
    ck_assert_uint_eq(rd(MYPCI_REG_INVERT), ~SCRATCH_RESET);
    wr(MYPCI_REG_SCRATCH, 0);
    ck_assert_uint_eq(rd(MYPCI_REG_INVERT), 0xffffffff);
    wr(MYPCI_REG_SCRATCH, 0xdeadbeef);
    ck_assert_uint_eq(rd(MYPCI_REG_SCRATCH), 0xdeadbeef);
    ck_assert_uint_eq(rd(MYPCI_REG_INVERT), 0x21524110);
}
END_TEST

static void reinit_with_breakage(uint32_t breakage)
{
    struct mypci_config config = default_config;

    config.breakage = breakage;
    ck_assert_int_eq(mypci_core_init(&core, &fake_host_ops, host, &config, mem),
                     0);
}

/* The test-only switches each break exactly their rule. */
START_TEST(breakage_invert)
{
    reinit_with_breakage(MYPCI_BREAK_INVERT);
    wr(MYPCI_REG_SCRATCH, 0x1234);
    ck_assert_uint_eq(rd(MYPCI_REG_INVERT), 0x1234);
    ck_assert_uint_eq(dma_run(busaddr(0), 0, 16, DIR_H2D), status_for_error(0));
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_COUNT), 1);
}
END_TEST

START_TEST(breakage_dma_count)
{
    reinit_with_breakage(MYPCI_BREAK_DMA_COUNT);
    ck_assert_uint_eq(dma_run(busaddr(0), 0, 16, DIR_H2D), status_for_error(0));
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_COUNT), 0);
    wr(MYPCI_REG_SCRATCH, 0x1234);
    ck_assert_uint_eq(rd(MYPCI_REG_INVERT), ~0x1234u);
}
END_TEST

START_TEST(read_only_registers_ignore_writes)
{
    uint32_t ro[ABI_MAX_DWORDS];
    size_t nro = abi_dwords(ABI_DW_RO, ro);
    struct snapshot before;

    make_rich_state();
    snapshot_take(&before);
    for (size_t i = 0; i < nro; i++) {
        wr(ro[i], 0xffffffff);
        wr(ro[i], 0);
    }
    wr64(MYPCI_REG_DMA_FAULT_ADDR, 0);
    snapshot_assert_same(&before);
    snapshot_free(&before);
}
END_TEST

START_TEST(write_only_registers_read_zero)
{
    make_rich_state();
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_RAISE), 0);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_ACK), 0);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_CMD), 0);
    ck_assert_uint_eq(rd(MYPCI_REG_CONTROL), 0);
    wr(MYPCI_REG_CONTROL, 0xfffffffe);
    ck_assert_uint_eq(rd(MYPCI_REG_CONTROL), 0);
}
END_TEST

START_TEST(undefined_irq_bits_read_zero)
{
    wr(MYPCI_REG_IRQ_ENABLE, 0xffffffff);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_ENABLE), MYPCI_IRQ_ALL);
    wr(MYPCI_REG_IRQ_ENABLE, 0);
    wr(MYPCI_REG_IRQ_RAISE, 0xfffffff8);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_STATUS), 0);
    wr(MYPCI_REG_IRQ_RAISE, 0xffffffff);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_STATUS), MYPCI_IRQ_ALL);
    wr(MYPCI_REG_IRQ_ACK, 0xfffffffa);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_STATUS),
                      MYPCI_IRQ_DMA_DONE | MYPCI_IRQ_SOFT);
}
END_TEST

START_TEST(dma_address_registers_are_64_bit)
{
    wr(MYPCI_REG_DMA_SRC, 0x11223344);
    wr(MYPCI_REG_DMA_SRC + 4, 0x55667788);
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_SRC), 0x5566778811223344);
    wr64(MYPCI_REG_DMA_DST, 0x8877665544332211);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_DST), 0x44332211);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_DST + 4), 0x88776655);
    /* Writing one half leaves the other alone. */
    wr(MYPCI_REG_DMA_DST + 4, 0);
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_DST), 0x44332211);
    wr(MYPCI_REG_DMA_LEN, 0xffffffff);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_LEN), 0xffffffff);
}
END_TEST

START_TEST(eight_byte_read_is_two_dwords_low_first)
{
    ck_assert_uint_eq(rd64(MYPCI_REG_ID),
                      (uint64_t)0x00010000 << 32 | 0x4d504349);
    ck_assert_uint_eq(rd64(MYPCI_REG_SCRATCH),
                      (uint64_t)~SCRATCH_RESET << 32 | SCRATCH_RESET);
}
END_TEST

START_TEST(eight_byte_access_with_one_unknown_half)
{
    wr(MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    ck_assert_uint_eq(rd64(MYPCI_REG_IRQ_COUNT), 0);
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_SOFT);
    ck_assert_uint_eq(rd64(MYPCI_REG_IRQ_COUNT), 1);
    ck_assert_uint_eq(rd64(0x018), 0);
}
END_TEST

START_TEST(eight_byte_write_len_then_cmd_starts_dma)
{
    fill(bus(0x2000), 0x40, 3);
    wr64(MYPCI_REG_DMA_SRC, busaddr(0x2000));
    wr64(MYPCI_REG_DMA_DST, 0x10);
    wr(MYPCI_REG_DMA_LEN, 1);
    /* One 8-byte write: DMA_LEN = 0x40, then DMA_CMD = host-to-device. */
    wr64(MYPCI_REG_DMA_LEN, (uint64_t)DIR_H2D << 32 | 0x40);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_LEN), 0x40);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_STATUS), MYPCI_DMA_STATUS_BUSY);
    ck_assert_uint_eq(host->schedule_count, 1);
    mypci_core_run_deferred(&core);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_STATUS), status_for_error(0));
    ck_assert(memcmp(mem + 0x10, bus(0x2000), 0x40) == 0);
}
END_TEST

START_TEST(eight_byte_write_raise_then_ack)
{
    host->irq_mode = MYPCI_IRQ_MODE_MSIX;
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_ALL);
    /* Lower dword first: SOFT raised (a message), then acknowledged. */
    wr64(MYPCI_REG_IRQ_RAISE, (uint64_t)MYPCI_IRQ_SOFT << 32 | MYPCI_IRQ_SOFT);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_STATUS), 0);
    ck_assert_uint_eq(host->msi_count, 1);
    ck_assert_uint_eq(host->msi[0], 2);
}
END_TEST

START_TEST(eight_byte_write_to_control_resets)
{
    wr(MYPCI_REG_SCRATCH, 7);
    wr64(MYPCI_REG_FEATURES, (uint64_t)MYPCI_CONTROL_RESET << 32);
    ck_assert_uint_eq(rd(MYPCI_REG_SCRATCH), SCRATCH_RESET);
}
END_TEST

/* ---- accesses the ABI does not define (ABI 3) ------------------------- */

static const struct bad_access {
    uint64_t offset;
    unsigned size;
} bad_accesses[] = {
    {MYPCI_REG_SCRATCH, 1},
    {MYPCI_REG_SCRATCH, 2},
    {MYPCI_REG_SCRATCH + 1, 1},
    {MYPCI_REG_SCRATCH + 2, 2},
    {MYPCI_REG_SCRATCH + 1, 4},
    {MYPCI_REG_SCRATCH + 2, 4},
    {MYPCI_REG_SCRATCH + 3, 4},
    {MYPCI_REG_CONTROL, 1},
    {MYPCI_REG_CONTROL, 2},
    {MYPCI_REG_IRQ_ENABLE, 1},
    {MYPCI_REG_IRQ_RAISE, 1},
    {MYPCI_REG_IRQ_ACK, 2},
    {MYPCI_REG_DMA_LEN, 2},
    {MYPCI_REG_DMA_CMD, 1},
    {MYPCI_REG_DMA_CMD, 2},
    {MYPCI_REG_DMA_CMD + 1, 1},
    {MYPCI_REG_DMA_SRC + 1, 8},
    {MYPCI_REG_VERSION, 8},
    {MYPCI_REG_CONTROL, 8},
    {MYPCI_REG_IRQ_ACK, 8},
    {MYPCI_REG_DMA_SRC + 4, 8},
    {MYPCI_REG_DMA_CMD, 8},
    {MYPCI_REG_DMA_CMD - 2, 8},
    {0x018, 4},
    {0x01c, 4},
    {0x034, 4},
    {0x038, 8},
    {0x068, 4},
    {0x070, 8},
    {0x100, 4},
    {0xffc, 4},
    {0xff8, 8},
    {0x1000, 4},
    {0x1000, 8},
    {0x1800, 4},
    {0x1ffc, 4},
    {0x2000, 4},
    {UINT64_MAX - 3, 4},
    {UINT64_MAX - 7, 8},
    {MYPCI_REG_SCRATCH, 0},
    {MYPCI_REG_SCRATCH, 3},
    {MYPCI_REG_SCRATCH, 16},
};

START_TEST(bad_access_reads_zero_and_changes_nothing)
{
    const struct bad_access *c = &bad_accesses[_i];
    struct snapshot before;

    make_rich_state();
    fake_host_clear_logs(host);
    snapshot_take(&before);
    ck_assert_uint_eq(mypci_core_mmio_read(&core, c->offset, c->size), 0);
    mypci_core_mmio_write(&core, c->offset, UINT64_MAX, c->size);
    mypci_core_mmio_write(&core, c->offset, 0, c->size);
    snapshot_assert_same(&before);
    ck_assert_uint_eq(host->trace_count[MYPCI_TRACE_MMIO_BAD], 3);
    ck_assert_uint_eq(host->trace_count[MYPCI_TRACE_MMIO_READ], 0);
    ck_assert_uint_eq(host->trace_count[MYPCI_TRACE_MMIO_WRITE], 0);
    snapshot_free(&before);
}
END_TEST

START_TEST(bad_access_while_busy_changes_nothing)
{
    struct snapshot before;

    dma_start(busaddr(0), 0, 0x10, DIR_H2D);
    snapshot_take(&before);
    mypci_core_mmio_write(&core, MYPCI_REG_DMA_CMD, 0, 1);
    mypci_core_mmio_write(&core, MYPCI_REG_DMA_CMD, 0, 2);
    mypci_core_mmio_write(&core, MYPCI_REG_DMA_CMD, 0, 8);
    mypci_core_mmio_write(&core, MYPCI_REG_DMA_CMD + 1, 0, 4);
    snapshot_assert_same(&before);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_STATUS), MYPCI_DMA_STATUS_BUSY);
    snapshot_free(&before);
}
END_TEST

/* ---- DMA: directions and data (ABI 3, 4) ------------------------------ */

START_TEST(host_to_device_moves_data)
{
    fill(bus(0x1000), 0x3000, 5);
    ck_assert_uint_eq(dma_run(busaddr(0x1000), 0x200, 0x3000, DIR_H2D),
                      status_for_error(0));
    ck_assert(memcmp(mem + 0x200, bus(0x1000), 0x3000) == 0);
    ck_assert(all_zero(mem, 0x200));
    ck_assert(all_zero(mem + 0x3200, MEM_SIZE - 0x3200));
}
END_TEST

START_TEST(device_to_host_moves_data)
{
    fill(mem, MEM_SIZE, 9);
    ck_assert_uint_eq(dma_run(0x123, busaddr(0x5001), 0x2345, DIR_D2H),
                      status_for_error(0));
    ck_assert(memcmp(bus(0x5001), mem + 0x123, 0x2345) == 0);
    ck_assert(all_zero(bus(0), 0x5001));
    ck_assert(all_zero(bus(0x5001 + 0x2345), FAKE_BUS_SIZE - 0x5001 - 0x2345));
}
END_TEST

START_TEST(host_to_host_moves_data)
{
    uint8_t *expect = malloc(0x9000);

    fill(bus(0x1000), 0x9000, 11);
    memcpy(expect, bus(0x1000), 0x9000);
    ck_assert_uint_eq(
        dma_run(busaddr(0x1000), busaddr(0x20000), 0x9000, DIR_H2H),
        status_for_error(0));
    ck_assert(memcmp(bus(0x20000), expect, 0x9000) == 0);
    ck_assert(memcmp(bus(0x1000), expect, 0x9000) == 0);
    ck_assert(all_zero(mem, MEM_SIZE));
    free(expect);
}
END_TEST

START_TEST(whole_device_memory_in_one_transfer)
{
    fill(bus(0), MEM_SIZE, 13);
    ck_assert_uint_eq(dma_run(busaddr(0), 0, MEM_SIZE, DIR_H2D),
                      status_for_error(0));
    ck_assert(memcmp(mem, bus(0), MEM_SIZE) == 0);
    ck_assert_uint_eq(dma_run(0, busaddr(0x20000), MEM_SIZE, DIR_D2H),
                      status_for_error(0));
    ck_assert(memcmp(bus(0x20000), mem, MEM_SIZE) == 0);
}
END_TEST

START_TEST(nothing_moves_inside_the_mmio_write)
{
    fill(bus(0x1000), 0x100, 1);
    dma_start(busaddr(0x1000), 0, 0x100, DIR_H2D);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_STATUS), MYPCI_DMA_STATUS_BUSY);
    ck_assert_uint_eq(host->schedule_count, 1);
    ck_assert_uint_eq(host->valid_calls, 0);
    ck_assert_uint_eq(host->read_calls, 0);
    ck_assert_uint_eq(host->write_calls, 0);
    ck_assert(all_zero(mem, MEM_SIZE));
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_COUNT), 0);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_STATUS), 0);
    mypci_core_run_deferred(&core);
    ck_assert(memcmp(mem, bus(0x1000), 0x100) == 0);
}
END_TEST

START_TEST(registers_are_latched_at_accept)
{
    fill(bus(0x1000), 0x100, 1);
    dma_start(busaddr(0x1000), 0x40, 0x80, DIR_H2D);
    wr64(MYPCI_REG_DMA_SRC, busaddr(0x8000));
    wr64(MYPCI_REG_DMA_DST, 0x1000);
    wr(MYPCI_REG_DMA_LEN, 0);
    mypci_core_run_deferred(&core);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_STATUS), status_for_error(0));
    ck_assert(memcmp(mem + 0x40, bus(0x1000), 0x80) == 0);
    ck_assert(all_zero(mem + 0xc0, MEM_SIZE - 0xc0));
}
END_TEST

START_TEST(dma_count_counts_successes_only)
{
    ck_assert_uint_eq(dma_run(busaddr(0), 0, 0x10, DIR_H2D),
                      status_for_error(0));
    ck_assert_uint_eq(dma_run(busaddr(0), 0, 0, DIR_H2D),
                      status_for_error(MYPCI_DMA_ERR_BAD_CMD));
    ck_assert_uint_eq(dma_run(0, busaddr(0), 0x10, DIR_D2H),
                      status_for_error(0));
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_COUNT), 2);
}
END_TEST

START_TEST(completion_sets_irq_causes)
{
    dma_run(busaddr(0), 0, 0x10, DIR_H2D);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_STATUS), MYPCI_IRQ_DMA_DONE);
    wr(MYPCI_REG_IRQ_ACK, MYPCI_IRQ_ALL);
    dma_run(busaddr(0), 0, 0, DIR_H2D);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_STATUS), MYPCI_IRQ_DMA_ERROR);
}
END_TEST

START_TEST(accept_clears_done_dropped_and_error)
{
    dma_start(busaddr(0), 0, 0, DIR_H2D);
    wr(MYPCI_REG_DMA_CMD, DIR_H2D); /* dropped */
    mypci_core_run_deferred(&core);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_STATUS),
                      status_for_error(MYPCI_DMA_ERR_BAD_CMD) |
                          MYPCI_DMA_STATUS_DROPPED);
    dma_start(busaddr(0), 0, 0x10, DIR_H2D);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_STATUS), MYPCI_DMA_STATUS_BUSY);
}
END_TEST

START_TEST(command_while_busy_is_dropped)
{
    host->irq_mode = MYPCI_IRQ_MODE_MSIX;
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_ALL);
    fill(bus(0x1000), 0x100, 1);
    fill(bus(0x2000), 0x100, 2);
    dma_start(busaddr(0x1000), 0, 0x100, DIR_H2D);
    dma_start(busaddr(0x2000), 0x400, 0x80, DIR_H2D);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_STATUS),
                      MYPCI_DMA_STATUS_BUSY | MYPCI_DMA_STATUS_DROPPED);
    ck_assert_uint_eq(host->schedule_count, 1);
    ck_assert_uint_eq(host->msi_count, 0);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_STATUS), 0);
    ck_assert_uint_eq(core.run_src, busaddr(0x1000));
    ck_assert_uint_eq(core.run_len, 0x100);

    /* The first transfer runs as accepted; DROPPED outlives completion. */
    mypci_core_run_deferred(&core);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_STATUS),
                      status_for_error(0) | MYPCI_DMA_STATUS_DROPPED);
    ck_assert(memcmp(mem, bus(0x1000), 0x100) == 0);
    ck_assert(all_zero(mem + 0x100, MEM_SIZE - 0x100));
    ck_assert_uint_eq(host->msi_count, 1);

    wr(MYPCI_REG_DMA_CMD, DIR_H2D);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_STATUS), MYPCI_DMA_STATUS_BUSY);
}
END_TEST

START_TEST(run_deferred_when_idle_does_nothing)
{
    struct snapshot before;

    make_rich_state();
    snapshot_take(&before);
    mypci_core_run_deferred(&core);
    snapshot_assert_same(&before);
    snapshot_free(&before);
}
END_TEST

/* ---- DMA errors and their precedence (ABI 3) -------------------------- */

START_TEST(bus_master_off_is_error_4)
{
    uint64_t fault = make_fault();

    fill(bus(0), 0x100, 1);
    host->bus_master = false;
    host->valid_calls = 0;
    ck_assert_uint_eq(dma_run(busaddr(0), 0, 0x100, DIR_H2D),
                      status_for_error(MYPCI_DMA_ERR_NO_MASTER));
    ck_assert(all_zero(mem, MEM_SIZE));
    ck_assert_uint_eq(host->valid_calls, 0);
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), fault);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_STATUS), MYPCI_IRQ_DMA_ERROR);
}
END_TEST

START_TEST(bus_master_is_checked_when_the_transfer_runs)
{
    dma_start(busaddr(0), 0, 0x100, DIR_H2D);
    host->bus_master = false;
    mypci_core_run_deferred(&core);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_STATUS),
                      status_for_error(MYPCI_DMA_ERR_NO_MASTER));
}
END_TEST

START_TEST(error_4_beats_error_2)
{
    host->bus_master = false;
    ck_assert_uint_eq(dma_run(busaddr(0), 0, 0, DIR_H2D),
                      status_for_error(MYPCI_DMA_ERR_NO_MASTER));
    ck_assert_uint_eq(dma_run(busaddr(0), 0, 0x10, 3),
                      status_for_error(MYPCI_DMA_ERR_NO_MASTER));
}
END_TEST

static const struct bad_cmd_case {
    uint32_t len;
    uint32_t cmd;
} bad_cmd_cases[] = {
    {0, DIR_H2D},
    {0, DIR_H2H},
    {MEM_SIZE + 1, DIR_H2D},
    {MEM_SIZE + 1, DIR_H2H},
    {0xffffffff, DIR_D2H},
    {0x10, 3},
    {0x10, DIR_H2D | 0x4},
    {0x10, DIR_D2H | 0x100},
    {0x10, DIR_H2H | 0x80000000},
};

START_TEST(bad_command_or_length_is_error_2)
{
    const struct bad_cmd_case *c = &bad_cmd_cases[_i];
    uint64_t fault = make_fault();

    fill(bus(0), 0x20000, 1);
    ck_assert_uint_eq(dma_run(busaddr(0), busaddr(0x20000), c->len, c->cmd),
                      status_for_error(MYPCI_DMA_ERR_BAD_CMD));
    ck_assert(all_zero(mem, MEM_SIZE));
    ck_assert(all_zero(bus(0x20000), 0x20000));
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), fault);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_COUNT), 0);
}
END_TEST

START_TEST(error_2_beats_error_3)
{
    ck_assert_uint_eq(dma_run(busaddr(0), MEM_SIZE, MEM_SIZE + 1, DIR_H2D),
                      status_for_error(MYPCI_DMA_ERR_BAD_CMD));
    ck_assert_uint_eq(dma_run(UINT64_MAX, busaddr(0), 0x10, 3),
                      status_for_error(MYPCI_DMA_ERR_BAD_CMD));
    ck_assert_uint_eq(dma_run(UINT64_MAX, busaddr(0), 0, DIR_D2H),
                      status_for_error(MYPCI_DMA_ERR_BAD_CMD));
}
END_TEST

static const struct range_case {
    uint64_t dev_offset;
    uint32_t len;
} range_cases[] = {
    {MEM_SIZE - 0x10, 0x20},
    {MEM_SIZE, 1},
    {MEM_SIZE - 1, 2},
    {1, MEM_SIZE},
    {0x100000, 0x10},
    /* offset + len wraps to 0x1000, which a naive sum would accept. */
    {0xfffffffffffff000, 0x2000},
    {UINT64_MAX, 1},
};

START_TEST(device_range_out_of_bounds_is_error_3)
{
    const struct range_case *c = &range_cases[_i];
    uint64_t fault = make_fault();

    fill(bus(0), 0x20000, 1);
    ck_assert_uint_eq(dma_run(busaddr(0), c->dev_offset, c->len, DIR_H2D),
                      status_for_error(MYPCI_DMA_ERR_RANGE));
    fill(mem, MEM_SIZE, 2);
    ck_assert_uint_eq(dma_run(c->dev_offset, busaddr(0x20000), c->len, DIR_D2H),
                      status_for_error(MYPCI_DMA_ERR_RANGE));
    ck_assert(all_zero(bus(0x20000), 0x20000));
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), fault);
}
END_TEST

START_TEST(device_range_exactly_at_the_end_is_fine)
{
    ck_assert_uint_eq(dma_run(busaddr(0), MEM_SIZE - 0x10, 0x10, DIR_H2D),
                      status_for_error(0));
    ck_assert_uint_eq(dma_run(MEM_SIZE - 1, busaddr(0), 1, DIR_D2H),
                      status_for_error(0));
}
END_TEST

START_TEST(error_3_beats_error_1)
{
    uint64_t fault = make_fault();

    fake_host_map(host, busaddr(0), 0x2000, FAKE_UNMAPPED);
    ck_assert_uint_eq(dma_run(busaddr(0), MEM_SIZE, 0x10, DIR_H2D),
                      status_for_error(MYPCI_DMA_ERR_RANGE));
    ck_assert_uint_eq(dma_run(MEM_SIZE, busaddr(0), 0x10, DIR_D2H),
                      status_for_error(MYPCI_DMA_ERR_RANGE));
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), fault);
}
END_TEST

START_TEST(host_to_host_ignores_device_memory_bounds)
{
    /* Both addresses are far above mem-size: no error 3 in direction 2. */
    fill(bus(0x30000), 0x100, 1);
    ck_assert_uint_eq(
        dma_run(busaddr(0x30000), busaddr(0x38000), 0x100, DIR_H2H),
        status_for_error(0));
    ck_assert(memcmp(bus(0x38000), bus(0x30000), 0x100) == 0);
}
END_TEST

START_TEST(unmapped_source_is_error_1)
{
    fake_host_map(host, busaddr(0x4000), 0x1000, FAKE_UNMAPPED);
    ck_assert_uint_eq(dma_run(busaddr(0x4000), 0, 0x100, DIR_H2D),
                      status_for_error(MYPCI_DMA_ERR_FAULT));
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), busaddr(0x4000));
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_STATUS), MYPCI_IRQ_DMA_ERROR);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_COUNT), 0);
}
END_TEST

START_TEST(address_outside_the_bus_is_error_1)
{
    ck_assert_uint_eq(dma_run(0x1000, 0, 0x100, DIR_H2D),
                      status_for_error(MYPCI_DMA_ERR_FAULT));
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), 0x1000);
}
END_TEST

START_TEST(read_only_page_is_a_source_not_a_destination)
{
    fill(bus(0x6000), 0x1000, 4);
    fake_host_map(host, busaddr(0x6000), 0x1000, FAKE_READ_ONLY);
    ck_assert_uint_eq(dma_run(busaddr(0x6000), 0, 0x1000, DIR_H2D),
                      status_for_error(0));
    ck_assert(memcmp(mem, bus(0x6000), 0x1000) == 0);

    fill(mem, MEM_SIZE, 5);
    ck_assert_uint_eq(dma_run(0, busaddr(0x6000), 0x1000, DIR_D2H),
                      status_for_error(MYPCI_DMA_ERR_FAULT));
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), busaddr(0x6000));
    ck_assert_uint_eq(host->write_calls, 0);

    ck_assert_uint_eq(dma_run(busaddr(0x1000), busaddr(0x6000), 0x10, DIR_H2H),
                      status_for_error(MYPCI_DMA_ERR_FAULT));
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), busaddr(0x6000));
}
END_TEST

START_TEST(source_fault_is_reported_before_destination_fault)
{
    fake_host_map(host, busaddr(0x8000), 0x1000, FAKE_UNMAPPED);
    fake_host_map(host, busaddr(0x2000), 0x1000, FAKE_READ_ONLY);
    ck_assert_uint_eq(
        dma_run(busaddr(0x7800), busaddr(0x1800), 0x1000, DIR_H2H),
        status_for_error(MYPCI_DMA_ERR_FAULT));
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), busaddr(0x8000));

    /* With the source fixed, the destination's fault shows. */
    fake_host_map(host, busaddr(0x8000), 0x1000, FAKE_READ_WRITE);
    ck_assert_uint_eq(
        dma_run(busaddr(0x7800), busaddr(0x1800), 0x1000, DIR_H2H),
        status_for_error(MYPCI_DMA_ERR_FAULT));
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), busaddr(0x2000));
}
END_TEST

START_TEST(half_mapped_source_moves_nothing)
{
    uint8_t *expect = malloc(MEM_SIZE);

    fill(bus(0x2000), 0x2000, 1);
    fake_host_map(host, busaddr(0x4000), 0x1000, FAKE_UNMAPPED);
    fill(mem, MEM_SIZE, 7);
    memcpy(expect, mem, MEM_SIZE);

    ck_assert_uint_eq(dma_run(busaddr(0x2000), 0, 0x3000, DIR_H2D),
                      status_for_error(MYPCI_DMA_ERR_FAULT));
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), busaddr(0x4000));
    ck_assert(memcmp(mem, expect, MEM_SIZE) == 0);
    ck_assert_uint_eq(host->read_calls, 0);
    free(expect);
}
END_TEST

START_TEST(half_mapped_destination_moves_nothing)
{
    uint8_t *expect = malloc(FAKE_BUS_SIZE);

    fill(mem, MEM_SIZE, 3);
    fill(bus(0), FAKE_BUS_SIZE, 8);
    fake_host_map(host, busaddr(0x9000), 0x1000, FAKE_READ_ONLY);
    memcpy(expect, host->bus, FAKE_BUS_SIZE);

    ck_assert_uint_eq(dma_run(0, busaddr(0x7000), 0x3000, DIR_D2H),
                      status_for_error(MYPCI_DMA_ERR_FAULT));
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), busaddr(0x9000));
    ck_assert_uint_eq(
        dma_run(busaddr(0x10000), busaddr(0x8800), 0x1000, DIR_H2H),
        status_for_error(MYPCI_DMA_ERR_FAULT));
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), busaddr(0x9000));
    ck_assert(memcmp(host->bus, expect, FAKE_BUS_SIZE) == 0);
    ck_assert_uint_eq(host->write_calls, 0);
    free(expect);
}
END_TEST

static const struct fault_case {
    uint64_t start; /* offset in the fake bus */
    uint32_t len;
    uint64_t bad_page; /* offset of the unmapped page */
    uint64_t fault;    /* offset DMA_FAULT_ADDR must report */
} fault_cases[] = {
    /* The range's first page faults: the range start, unaligned. */
    {0x3123, 0x100, 0x3000, 0x3123},
    {0x3ff0, 0x2000, 0x3000, 0x3ff0},
    {0x3000, 0x10, 0x3000, 0x3000},
    /* A later page faults: that page's start. */
    {0x2f00, 0x2000, 0x3000, 0x3000},
    {0x1800, 0x4000, 0x4000, 0x4000},
    {0x1001, 0x3000, 0x3000, 0x3000},
    /* Last byte of the range on the bad page. */
    {0x2fff, 0x2, 0x3000, 0x3000},
};

START_TEST(fault_address_has_page_precision)
{
    const struct fault_case *c = &fault_cases[_i];

    fake_host_map(host, busaddr(c->bad_page), 0x1000, FAKE_UNMAPPED);
    ck_assert_uint_eq(dma_run(busaddr(c->start), 0, c->len, DIR_H2D),
                      status_for_error(MYPCI_DMA_ERR_FAULT));
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), busaddr(c->fault));
    ck_assert_uint_eq(dma_run(0, busaddr(c->start), c->len, DIR_D2H),
                      status_for_error(MYPCI_DMA_ERR_FAULT));
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), busaddr(c->fault));
}
END_TEST

START_TEST(fault_address_changes_only_on_error_1)
{
    uint64_t fault = make_fault();

    ck_assert_uint_eq(dma_run(busaddr(0), 0, 0x10, DIR_H2D),
                      status_for_error(0));
    ck_assert_uint_eq(dma_run(busaddr(0), 0, 0, DIR_H2D),
                      status_for_error(MYPCI_DMA_ERR_BAD_CMD));
    ck_assert_uint_eq(dma_run(busaddr(0), MEM_SIZE, 0x10, DIR_H2D),
                      status_for_error(MYPCI_DMA_ERR_RANGE));
    host->bus_master = false;
    ck_assert_uint_eq(dma_run(busaddr(0), 0, 0x10, DIR_H2D),
                      status_for_error(MYPCI_DMA_ERR_NO_MASTER));
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), fault);
    host->bus_master = true;
    dma_start(busaddr(0), 0, 0x10, DIR_H2D);
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), fault);
}
END_TEST

START_TEST(host_range_past_the_top_of_the_bus_is_error_1)
{
    ck_assert_uint_eq(dma_run(0xfffffffffffff800, 0, 0x1000, DIR_H2D),
                      status_for_error(MYPCI_DMA_ERR_FAULT));
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), 0xfffffffffffff800);
    ck_assert_uint_eq(host->read_calls, 0);
}
END_TEST

/* A host on which the top 64 KiB of the bus is accessible, nothing else. */
static bool top_only_valid(void *opaque, uint64_t addr, uint64_t len,
                           bool is_write)
{
    struct fake_host *h = opaque;

    h->valid_calls++;
    ck_assert(len > 0 && len - 1 <= UINT64_MAX - addr);
    return addr >= 0xffffffffffff0000;
}

START_TEST(host_range_wrapping_reports_the_wrap_address)
{
    struct mypci_host_ops ops = fake_host_ops;
    struct mypci_core other;

    ops.dma_valid = top_only_valid;
    ck_assert_int_eq(mypci_core_init(&other, &ops, host, &default_config, mem),
                     0);
    mypci_core_mmio_write(&other, MYPCI_REG_DMA_SRC, 0, 8);
    mypci_core_mmio_write(&other, MYPCI_REG_DMA_DST, 0xfffffffffffff800, 8);
    mypci_core_mmio_write(&other, MYPCI_REG_DMA_LEN, 0x1000, 4);
    mypci_core_mmio_write(&other, MYPCI_REG_DMA_CMD, DIR_D2H, 4);
    mypci_core_run_deferred(&other);
    ck_assert_uint_eq(mypci_core_mmio_read(&other, MYPCI_REG_DMA_STATUS, 4),
                      status_for_error(MYPCI_DMA_ERR_FAULT));
    ck_assert_uint_eq(mypci_core_mmio_read(&other, MYPCI_REG_DMA_FAULT_ADDR, 8),
                      0);
    ck_assert_uint_eq(host->write_calls, 0);
}
END_TEST

/* An inconsistent host: rejects any range longer than a page, accepts each
 * page on its own. */
static bool only_short_ranges_valid(void *opaque, uint64_t addr, uint64_t len,
                                    bool is_write)
{
    (void)opaque;
    (void)addr;
    (void)is_write;
    return len <= 0x1000;
}

START_TEST(inconsistent_host_check_reports_the_range_start)
{
    struct mypci_host_ops ops = fake_host_ops;

    ops.dma_valid = only_short_ranges_valid;
    ck_assert_int_eq(mypci_core_init(&core, &ops, host, &default_config, mem),
                     0);
    ck_assert_uint_eq(dma_run(busaddr(0x1800), 0, 0x3000, DIR_H2D),
                      status_for_error(MYPCI_DMA_ERR_FAULT));
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), busaddr(0x1800));
    ck_assert_uint_eq(host->read_calls, 0);
}
END_TEST

START_TEST(failing_read_callback_is_error_1_at_the_chunk)
{
    fill(bus(0), 0xa000, 1);
    host->read_fail_after = 0;
    ck_assert_uint_eq(dma_run(busaddr(0x100), 0, 0xa000, DIR_H2D),
                      status_for_error(MYPCI_DMA_ERR_FAULT));
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), busaddr(0x100));
    /* Host<->device transfers move in one piece: one read, failed. */
    ck_assert_uint_eq(host->read_calls, 1);

    /* Host-to-host copies go by bounce-buffer chunks: the second fails. */
    host->read_fail_after = 1;
    ck_assert_uint_eq(dma_run(busaddr(0x100), busaddr(0x20000), 0xa000, DIR_H2H),
                      status_for_error(MYPCI_DMA_ERR_FAULT));
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), host->last_failed_addr);
    ck_assert_uint_gt(host->last_failed_addr, busaddr(0x100));
    ck_assert_uint_lt(host->last_failed_addr, busaddr(0xa100));
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_COUNT), 0);
}
END_TEST

START_TEST(failing_write_callback_is_error_1_at_the_chunk)
{
    host->write_fail_after = 0;
    ck_assert_uint_eq(dma_run(0, busaddr(0x3000), 0x100, DIR_D2H),
                      status_for_error(MYPCI_DMA_ERR_FAULT));
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), busaddr(0x3000));

    host->write_fail_after = 0;
    ck_assert_uint_eq(dma_run(busaddr(0), busaddr(0x3000), 0x100, DIR_H2H),
                      status_for_error(MYPCI_DMA_ERR_FAULT));
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), busaddr(0x3000));
}
END_TEST

/* ---- host-to-host overlap behaves like memmove (ABI 4) ---------------- */

static const struct overlap_case {
    int64_t shift; /* dst - src */
    uint32_t len;
} overlap_cases[] = {
    {1, 0xa000},       {0x64, 0xa000},     {0x4000, 0xa000}, {0x5001, 0xa000},
    {0x9fff, 0xa000},  {-1, 0xa000},       {-0x100, 0xa000}, {-0x4000, 0xa000},
    {-0x9fff, 0xa000}, {0, 0xa000},        {3, 0x10},        {-3, 0x10},
    {0x800, MEM_SIZE}, {-0x800, MEM_SIZE},
};

START_TEST(overlapping_host_copy_is_memmove)
{
    const struct overlap_case *c = &overlap_cases[_i];
    uint64_t src = 0x14000;
    uint64_t dst = (uint64_t)((int64_t)src + c->shift);
    uint8_t *expect = malloc(FAKE_BUS_SIZE);

    fill(bus(0), FAKE_BUS_SIZE, 17);
    memcpy(expect, host->bus, FAKE_BUS_SIZE);
    memmove(expect + dst, expect + src, c->len);
    ck_assert_uint_eq(dma_run(busaddr(src), busaddr(dst), c->len, DIR_H2H),
                      status_for_error(0));
    ck_assert(memcmp(host->bus, expect, FAKE_BUS_SIZE) == 0);
    free(expect);
}
END_TEST

/* ---- interrupts (ABI 6) ----------------------------------------------- */

START_TEST(msix_one_vector_per_cause)
{
    host->irq_mode = MYPCI_IRQ_MODE_MSIX;
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_ALL);
    wr(MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    dma_run(busaddr(0), 0, 0x10, DIR_H2D);
    dma_run(busaddr(0), 0, 0, DIR_H2D);
    ck_assert_uint_eq(host->msi_count, 3);
    ck_assert_uint_eq(host->msi[0], 2);
    ck_assert_uint_eq(host->msi[1], 0);
    ck_assert_uint_eq(host->msi[2], 1);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_COUNT), 3);
    ck_assert_uint_eq(host->intx_count, 0);
}
END_TEST

START_TEST(msix_all_causes_at_once)
{
    host->irq_mode = MYPCI_IRQ_MODE_MSIX;
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_ALL);
    wr(MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_ALL);
    ck_assert_uint_eq(host->msi_count, 3);
    ck_assert_uint_eq(host->msi[0], 0);
    ck_assert_uint_eq(host->msi[1], 1);
    ck_assert_uint_eq(host->msi[2], 2);
}
END_TEST

START_TEST(msix_no_second_message_while_pending)
{
    host->irq_mode = MYPCI_IRQ_MODE_MSIX;
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_ALL);
    wr(MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    wr(MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_ALL);
    dma_run(busaddr(0), 0, 0x10, DIR_H2D);
    dma_run(busaddr(0), 0, 0x10, DIR_H2D);
    ck_assert_uint_eq(host->msi_count, 2);
    ck_assert_uint_eq(host->msi[0], 2);
    ck_assert_uint_eq(host->msi[1], 0);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_COUNT), 2);
}
END_TEST

START_TEST(msix_enabling_a_pending_cause_fires)
{
    host->irq_mode = MYPCI_IRQ_MODE_MSIX;
    wr(MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT | MYPCI_IRQ_DMA_DONE);
    ck_assert_uint_eq(host->msi_count, 0);
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_SOFT);
    ck_assert_uint_eq(host->msi_count, 1);
    ck_assert_uint_eq(host->msi[0], 2);
    /* Disabled and enabled again: it becomes pending again. */
    wr(MYPCI_REG_IRQ_ENABLE, 0);
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_SOFT | MYPCI_IRQ_DMA_DONE);
    ck_assert_uint_eq(host->msi_count, 3);
    ck_assert_uint_eq(host->msi[1], 0);
    ck_assert_uint_eq(host->msi[2], 2);
}
END_TEST

START_TEST(msix_ack_then_raise_fires_again)
{
    host->irq_mode = MYPCI_IRQ_MODE_MSIX;
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_ALL);
    wr(MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_DMA_ERROR);
    wr(MYPCI_REG_IRQ_ACK, MYPCI_IRQ_DMA_ERROR);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_STATUS), 0);
    wr(MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_DMA_ERROR);
    ck_assert_uint_eq(host->msi_count, 2);
    ck_assert_uint_eq(host->msi[1], 1);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_COUNT), 2);
}
END_TEST

START_TEST(msi_two_causes_send_two_messages)
{
    host->irq_mode = MYPCI_IRQ_MODE_MSI;
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_ALL);
    wr(MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT | MYPCI_IRQ_DMA_DONE);
    ck_assert_uint_eq(host->msi_count, 2);
    ck_assert_uint_eq(host->msi[0], 0);
    ck_assert_uint_eq(host->msi[1], 0);
    wr(MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    ck_assert_uint_eq(host->msi_count, 2);
    wr(MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_DMA_ERROR);
    ck_assert_uint_eq(host->msi_count, 3);
    ck_assert_uint_eq(host->msi[2], 0);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_COUNT), 3);
    ck_assert_uint_eq(host->intx_count, 0);
}
END_TEST

START_TEST(msi_enabling_two_pending_causes_sends_two)
{
    host->irq_mode = MYPCI_IRQ_MODE_MSI;
    wr(MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_ALL);
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_DMA_ERROR | MYPCI_IRQ_SOFT);
    ck_assert_uint_eq(host->msi_count, 2);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_COUNT), 2);
}
END_TEST

START_TEST(disabled_causes_never_signal)
{
    host->irq_mode = MYPCI_IRQ_MODE_MSIX;
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_SOFT);
    dma_run(busaddr(0), 0, 0x10, DIR_H2D);
    dma_run(busaddr(0), 0, 0, DIR_H2D);
    ck_assert_uint_eq(host->msi_count, 0);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_STATUS),
                      MYPCI_IRQ_DMA_DONE | MYPCI_IRQ_DMA_ERROR);
    host->irq_mode = MYPCI_IRQ_MODE_INTX;
    mypci_core_irq_mode_changed(&core);
    ck_assert_uint_eq(host->intx_count, 0);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_COUNT), 0);
}
END_TEST

START_TEST(intx_is_a_level)
{
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_SOFT);
    wr(MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    ck_assert_int_eq(host->intx_level, 1);
    ck_assert_uint_eq(host->intx_count, 1);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_COUNT), 1);

    /* More causes while asserted: no new edge, no count. */
    wr(MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_ALL);
    dma_run(busaddr(0), 0, 0x10, DIR_H2D);
    ck_assert_uint_eq(host->intx_count, 1);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_COUNT), 1);

    /* Acking one of two pending causes keeps it asserted. */
    wr(MYPCI_REG_IRQ_ACK, MYPCI_IRQ_SOFT);
    ck_assert_int_eq(host->intx_level, 1);
    wr(MYPCI_REG_IRQ_ACK, MYPCI_IRQ_DMA_DONE);
    ck_assert_int_eq(host->intx_level, 0);
    ck_assert_uint_eq(host->intx_count, 2);
    ck_assert_uint_eq(core.intx_level, 0);

    wr(MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    ck_assert_int_eq(host->intx_level, 1);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_COUNT), 2);

    /* Clearing IRQ_ENABLE releases it too; enabling again is a new rise. */
    wr(MYPCI_REG_IRQ_ENABLE, 0);
    ck_assert_int_eq(host->intx_level, 0);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_STATUS), MYPCI_IRQ_SOFT);
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_SOFT);
    ck_assert_int_eq(host->intx_level, 1);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_COUNT), 3);
    ck_assert_uint_eq(host->intx_count, 5);
    ck_assert_uint_eq(host->msi_count, 0);
}
END_TEST

START_TEST(msi_modes_keep_intx_low)
{
    host->irq_mode = MYPCI_IRQ_MODE_MSI;
    mypci_core_irq_mode_changed(&core);
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_ALL);
    wr(MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    ck_assert_uint_eq(host->intx_count, 0);
    ck_assert_uint_eq(core.intx_level, 0);
}
END_TEST

START_TEST(irq_mode_changed_moves_the_line)
{
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_SOFT);
    wr(MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    ck_assert_int_eq(host->intx_level, 1);

    /* To MSI-X: the line drops, no count, and no message for the already
     * pending cause. */
    host->irq_mode = MYPCI_IRQ_MODE_MSIX;
    mypci_core_irq_mode_changed(&core);
    ck_assert_int_eq(host->intx_level, 0);
    ck_assert_uint_eq(core.intx_level, 0);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_COUNT), 1);
    ck_assert_uint_eq(host->msi_count, 0);

    /* Calling it again changes nothing. */
    mypci_core_irq_mode_changed(&core);
    ck_assert_uint_eq(host->intx_count, 2);

    /* Back to INTx with SOFT pending: a rise, counted. */
    host->irq_mode = MYPCI_IRQ_MODE_INTX;
    mypci_core_irq_mode_changed(&core);
    ck_assert_int_eq(host->intx_level, 1);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_COUNT), 2);
    mypci_core_irq_mode_changed(&core);
    ck_assert_uint_eq(host->intx_count, 3);
}
END_TEST

START_TEST(irq_mode_changed_with_nothing_pending)
{
    host->irq_mode = MYPCI_IRQ_MODE_MSI;
    mypci_core_irq_mode_changed(&core);
    host->irq_mode = MYPCI_IRQ_MODE_INTX;
    mypci_core_irq_mode_changed(&core);
    ck_assert_uint_eq(host->intx_count, 0);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_COUNT), 0);
}
END_TEST

START_TEST(irq_status_is_read_only)
{
    wr(MYPCI_REG_IRQ_STATUS, MYPCI_IRQ_ALL);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_STATUS), 0);
    wr(MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    wr(MYPCI_REG_IRQ_STATUS, 0);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_STATUS), MYPCI_IRQ_SOFT);
}
END_TEST

/* ---- reset (ABI 7) ---------------------------------------------------- */

static void assert_registers_at_reset(void)
{
    ck_assert_uint_eq(rd(MYPCI_REG_ID), MYPCI_ID_VALUE);
    ck_assert_uint_eq(rd(MYPCI_REG_VERSION), MYPCI_VERSION_VALUE);
    ck_assert_uint_eq(rd(MYPCI_REG_SCRATCH), SCRATCH_RESET);
    ck_assert_uint_eq(rd(MYPCI_REG_INVERT), ~SCRATCH_RESET);
    ck_assert_uint_eq(rd(MYPCI_REG_FEATURES), 0x0010000f);
    ck_assert_uint_eq(rd(MYPCI_REG_CONTROL), 0);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_STATUS), 0);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_ENABLE), 0);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_COUNT), 0);
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_SRC), 0);
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_DST), 0);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_LEN), 0);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_STATUS), 0);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_COUNT), 0);
    ck_assert_uint_eq(rd64(MYPCI_REG_DMA_FAULT_ADDR), 0);
    ck_assert_uint_eq(core.intx_level, 0);
}

START_TEST(init_leaves_the_reset_state)
{
    assert_registers_at_reset();
    ck_assert(all_zero(mem, MEM_SIZE));
    ck_assert_uint_eq(core.vcap_mailbox, 0);
    ck_assert_uint_eq(core.vcap_events, 0);
}
END_TEST

START_TEST(control_reset_restores_every_register)
{
    make_rich_state();
    wr(MYPCI_REG_CONTROL, MYPCI_CONTROL_RESET);
    assert_registers_at_reset();
}
END_TEST

START_TEST(control_reset_zeroes_device_memory)
{
    fill(mem, MEM_SIZE, 1);
    wr(MYPCI_REG_CONTROL, 0xffffffff);
    ck_assert(all_zero(mem, MEM_SIZE));
}
END_TEST

START_TEST(control_write_without_reset_bit_does_nothing)
{
    struct snapshot before;

    make_rich_state();
    snapshot_take(&before);
    wr(MYPCI_REG_CONTROL, 0xfffffffe);
    wr(MYPCI_REG_CONTROL, 0);
    snapshot_assert_same(&before);
    snapshot_free(&before);
}
END_TEST

START_TEST(control_reset_abandons_the_transfer)
{
    host->irq_mode = MYPCI_IRQ_MODE_MSIX;
    fill(bus(0), 0x1000, 1);
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_ALL);
    dma_start(busaddr(0), 0, 0x1000, DIR_H2D);
    wr(MYPCI_REG_CONTROL, MYPCI_CONTROL_RESET);
    mypci_core_run_deferred(&core);
    ck_assert(all_zero(mem, MEM_SIZE));
    ck_assert_uint_eq(host->valid_calls, 0);
    ck_assert_uint_eq(host->read_calls, 0);
    ck_assert_uint_eq(host->msi_count, 0);
    assert_registers_at_reset();
    /* Not busy any more: a new command is accepted, not dropped. */
    wr(MYPCI_REG_DMA_CMD, DIR_H2D);
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_STATUS), MYPCI_DMA_STATUS_BUSY);
}
END_TEST

START_TEST(control_reset_drops_pending_interrupts)
{
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_SOFT);
    wr(MYPCI_REG_IRQ_RAISE, MYPCI_IRQ_SOFT);
    ck_assert_int_eq(host->intx_level, 1);
    wr(MYPCI_REG_CONTROL, MYPCI_CONTROL_RESET);
    ck_assert_int_eq(host->intx_level, 0);
    ck_assert_uint_eq(host->intx_count, 2);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_COUNT), 0);
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_ALL);
    ck_assert_int_eq(host->intx_level, 0);
}
END_TEST

START_TEST(control_reset_keeps_the_vendor_capability)
{
    mypci_core_vcap_write(&core, MYPCI_VCAP_MAILBOX, 0x1234, 4);
    wr(MYPCI_REG_CONTROL, MYPCI_CONTROL_RESET);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, MYPCI_VCAP_MAILBOX, 4),
                      0x1234);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, MYPCI_VCAP_EVENTS, 4), 1);
}
END_TEST

START_TEST(function_reset_clears_the_vendor_capability)
{
    make_rich_state();
    fill(mem, MEM_SIZE, 1);
    mypci_core_reset(&core, MYPCI_RESET_FUNCTION);
    assert_registers_at_reset();
    ck_assert(all_zero(mem, MEM_SIZE));
    ck_assert_int_eq(host->intx_level, 0);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, MYPCI_VCAP_MAILBOX, 4), 0);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, MYPCI_VCAP_RESULT, 4),
                      0xffffffff);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, MYPCI_VCAP_EVENTS, 4), 0);
}
END_TEST

START_TEST(function_reset_abandons_the_transfer)
{
    fill(bus(0), 0x100, 1);
    dma_start(busaddr(0), 0, 0x100, DIR_H2D);
    mypci_core_reset(&core, MYPCI_RESET_FUNCTION);
    mypci_core_run_deferred(&core);
    ck_assert(all_zero(mem, MEM_SIZE));
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_STATUS), 0);
    ck_assert_uint_eq(rd(MYPCI_REG_IRQ_STATUS), 0);
}
END_TEST

/* A host whose DMA write resets the device: a guest DMA aimed at BAR0. */
static int write_then_reset(void *opaque, uint64_t addr, const void *buf,
                            uint64_t len)
{
    struct fake_host *h = opaque;

    (void)addr;
    (void)buf;
    (void)len;
    h->write_calls++;
    mypci_core_mmio_write(&core, MYPCI_REG_CONTROL, MYPCI_CONTROL_RESET, 4);
    return 0;
}

START_TEST(reset_during_the_move_abandons_the_rest)
{
    struct mypci_host_ops ops = fake_host_ops;

    ops.dma_write = write_then_reset;
    ck_assert_int_eq(mypci_core_init(&core, &ops, host, &default_config, mem),
                     0);
    fill(mem, MEM_SIZE, 1);
    dma_start(0, busaddr(0), MEM_SIZE, DIR_D2H);
    mypci_core_run_deferred(&core);
    assert_registers_at_reset();
    ck_assert(all_zero(mem, MEM_SIZE));
    ck_assert_uint_eq(host->write_calls, 1);
}
END_TEST

/* ---- migration hooks -------------------------------------------------- */

START_TEST(post_load_rearms_a_transfer_in_flight)
{
    fill(bus(0), 0x100, 1);
    dma_start(busaddr(0), 0, 0x100, DIR_H2D);
    ck_assert_uint_eq(host->schedule_count, 1);
    ck_assert_int_eq(mypci_core_post_load(&core, NULL), 0);
    ck_assert_uint_eq(host->schedule_count, 2);
    mypci_core_run_deferred(&core);
    ck_assert(memcmp(mem, bus(0), 0x100) == 0);
    ck_assert_int_eq(mypci_core_post_load(&core, NULL), 0);
    ck_assert_uint_eq(host->schedule_count, 2);
}
END_TEST

/* One state no guest can reach (ABI 3 and 8 define every bit). */
struct unreachable_state {
    const char *field;
    uint32_t *reg;
    uint32_t value;
    const char *reason;
};

static void assert_load_refused(const struct unreachable_state *c)
{
    const char *why = NULL;

    *c->reg = c->value;
    ck_assert_msg(mypci_core_post_load(&core, &why) == -EINVAL, "%s=0x%x loaded",
                  c->field, c->value);
    ck_assert_ptr_nonnull(why);
    ck_assert_msg(strstr(why, c->reason) != NULL, "%s: reason '%s'", c->field,
                  why);
    ck_assert_uint_eq(*c->reg, c->value); /* refused, not repaired */
    ck_assert_uint_eq(host->schedule_count, 0);
}

START_TEST(post_load_refuses_unreachable_states)
{
    const struct unreachable_state cases[] = {
        {"irq_status", &core.irq_status, 0x8, "IRQ_STATUS"},
        {"irq_status", &core.irq_status, 0x80000001, "IRQ_STATUS"},
        {"irq_enable", &core.irq_enable, 0x10, "IRQ_ENABLE"},
        {"dma_status", &core.dma_status, 0x8, "DMA_STATUS has bits"},
        {"dma_status", &core.dma_status, 0x10000, "DMA_STATUS has bits"},
        {"dma_status", &core.dma_status, 0x2 | 5u << 8, "error code"},
        {"dma_status", &core.dma_status, 0x1 | 0x2, "BUSY and DONE"},
        {"dma_status", &core.dma_status, 0x1 | 2u << 8, "BUSY and DONE"},
        {"dma_status", &core.dma_status, 3u << 8, "without DONE"},
        {"intx_level", &core.intx_level, 2, "INTx level"},
        {"vcap_events", &core.vcap_events, 0x2, "EVENTS"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t saved = *cases[i].reg;

        assert_load_refused(&cases[i]);
        *cases[i].reg = saved;
    }
    /* Every defined bit at once is a state the guest can reach. */
    core.irq_status = MYPCI_IRQ_ALL;
    core.irq_enable = MYPCI_IRQ_ALL;
    core.dma_status = MYPCI_DMA_STATUS_DONE | MYPCI_DMA_STATUS_DROPPED |
                      (uint32_t)MYPCI_DMA_ERR_LAST << MYPCI_DMA_STATUS_ERR_SHIFT;
    core.intx_level = 1;
    core.vcap_events = MYPCI_VCAP_EVENT_MAILBOX;
    ck_assert_int_eq(mypci_core_post_load(&core, NULL), 0);
}
END_TEST

/* The guest can latch any length; the engine refuses it when it runs. */
START_TEST(post_load_keeps_a_latched_bad_length_for_the_engine)
{
    dma_start(busaddr(0), 0, MEM_SIZE + 1, DIR_H2D);
    ck_assert_int_eq(mypci_core_post_load(&core, NULL), 0);
    mypci_core_run_deferred(&core);
    /* ABI 3: error 2, bad command or length. */
    ck_assert_uint_eq(rd(MYPCI_REG_DMA_STATUS), status_for_error(2));
}
END_TEST

/* ---- vendor capability (ABI 8) ---------------------------------------- */

START_TEST(vcap_signature_reads_at_every_size)
{
    ck_assert_uint_eq(mypci_core_vcap_read(&core, 4, 4), 0x4d504349);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, 4, 1), 0x49);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, 5, 1), 0x43);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, 6, 2), 0x4d50);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, 5, 2), 0x5043);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, 7, 1), 0x4d);
}
END_TEST

START_TEST(vcap_signature_and_result_ignore_writes)
{
    mypci_core_vcap_write(&core, MYPCI_VCAP_SIGNATURE, 0, 4);
    mypci_core_vcap_write(&core, MYPCI_VCAP_SIGNATURE + 1, 0, 1);
    mypci_core_vcap_write(&core, MYPCI_VCAP_RESULT, 0, 4);
    mypci_core_vcap_write(&core, MYPCI_VCAP_RESULT + 2, 0x1234, 2);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, 4, 4), 0x4d504349);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, MYPCI_VCAP_RESULT, 4),
                      0xffffffff);
    ck_assert_uint_eq(core.vcap_mailbox, 0);
    /* Not MAILBOX writes: no event. */
    ck_assert_uint_eq(mypci_core_vcap_read(&core, MYPCI_VCAP_EVENTS, 4), 0);
}
END_TEST

START_TEST(vcap_mailbox_and_result)
{
    mypci_core_vcap_write(&core, MYPCI_VCAP_MAILBOX, 0x12345678, 4);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, MYPCI_VCAP_MAILBOX, 4),
                      0x12345678);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, MYPCI_VCAP_RESULT, 4),
                      0xedcba987);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, MYPCI_VCAP_RESULT + 1, 2),
                      0xcba9);
}
END_TEST

START_TEST(vcap_partial_mailbox_writes)
{
    mypci_core_vcap_write(&core, MYPCI_VCAP_MAILBOX, 0x12345678, 4);
    mypci_core_vcap_write(&core, MYPCI_VCAP_MAILBOX + 1, 0xffffffab, 1);
    ck_assert_uint_eq(core.vcap_mailbox, 0x1234ab78);
    mypci_core_vcap_write(&core, MYPCI_VCAP_MAILBOX + 2, 0xffffcdef, 2);
    ck_assert_uint_eq(core.vcap_mailbox, 0xcdefab78);
    mypci_core_vcap_write(&core, MYPCI_VCAP_MAILBOX + 1, 0x0011, 2);
    ck_assert_uint_eq(core.vcap_mailbox, 0xcd001178);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, MYPCI_VCAP_RESULT, 4),
                      ~0xcd001178u);
}
END_TEST

START_TEST(vcap_access_across_a_dword_boundary)
{
    /* Bytes 0x0a..0x0d: MAILBOX's top half, then RESULT (ignored). */
    mypci_core_vcap_write(&core, 0x0a, 0x99887766, 4);
    ck_assert_uint_eq(core.vcap_mailbox, 0x77660000);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, 0x0a, 4), 0xffff7766);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, 0x06, 4), 0x00004d50);
    ck_assert_uint_eq(core.vcap_events, MYPCI_VCAP_EVENT_MAILBOX);
}
END_TEST

START_TEST(vcap_events_set_by_mailbox_write_and_rw1c)
{
    ck_assert_uint_eq(mypci_core_vcap_read(&core, MYPCI_VCAP_EVENTS, 4), 0);
    mypci_core_vcap_write(&core, MYPCI_VCAP_MAILBOX + 3, 0, 1);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, MYPCI_VCAP_EVENTS, 4), 1);

    /* Writing 0, or 1s to the read-only bits, leaves it. */
    mypci_core_vcap_write(&core, MYPCI_VCAP_EVENTS, 0, 4);
    mypci_core_vcap_write(&core, MYPCI_VCAP_EVENTS, 0xfffffffe, 4);
    mypci_core_vcap_write(&core, MYPCI_VCAP_EVENTS + 1, 0xff, 1);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, MYPCI_VCAP_EVENTS, 4), 1);

    mypci_core_vcap_write(&core, MYPCI_VCAP_EVENTS, 1, 1);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, MYPCI_VCAP_EVENTS, 4), 0);
    /* Writing 1 again when clear leaves it clear. */
    mypci_core_vcap_write(&core, MYPCI_VCAP_EVENTS, 0xffffffff, 4);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, MYPCI_VCAP_EVENTS, 4), 0);

    /* A write of the same value still counts as a MAILBOX write. */
    mypci_core_vcap_write(&core, MYPCI_VCAP_MAILBOX, 0, 4);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, MYPCI_VCAP_EVENTS, 4), 1);
    mypci_core_vcap_write(&core, MYPCI_VCAP_EVENTS, 0xffff, 2);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, MYPCI_VCAP_EVENTS, 1), 0);
}
END_TEST

static const struct bad_access bad_vcap_accesses[] = {
    {0, 4},    {0, 1},    {3, 1},     {2, 4}, {3, 2}, {0x11, 4}, {0x12, 4},
    {0x13, 2}, {0x14, 1}, {0x100, 4}, {8, 3}, {8, 0}, {8, 8},
};

START_TEST(vcap_bad_access_reads_zero_and_changes_nothing)
{
    const struct bad_access *c = &bad_vcap_accesses[_i];
    struct snapshot before;

    mypci_core_vcap_write(&core, MYPCI_VCAP_MAILBOX, 0x5555aaaa, 4);
    snapshot_take(&before);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, (unsigned)c->offset, c->size),
                      0);
    mypci_core_vcap_write(&core, (unsigned)c->offset, 0xffffffff, c->size);
    snapshot_assert_same(&before);
    snapshot_free(&before);
}
END_TEST

START_TEST(vcap_last_byte_is_reachable)
{
    ck_assert_uint_eq(mypci_core_vcap_read(&core, 0x13, 1), 0);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, 0x12, 2), 0);
    mypci_core_vcap_write(&core, MYPCI_VCAP_MAILBOX, 1, 1);
    ck_assert_uint_eq(mypci_core_vcap_read(&core, 0x10, 1), 1);
}
END_TEST

/* ---- configuration and init ------------------------------------------- */

static const struct size_case {
    uint64_t size;
    int result;
} size_cases[] = {
    {4096, 0},
    {8192, 0},
    {1u << 20, 0},
    {256u << 20, 0},
    {0, -EINVAL},
    {1, -EINVAL},
    {2048, -EINVAL},
    {4095, -EINVAL},
    {4097, -EINVAL},
    {3 * 4096, -EINVAL},
    {(1u << 20) + 4096, -EINVAL},
    {512u << 20, -EINVAL},
    {(256u << 20) + 1, -EINVAL},
    {1ull << 40, -EINVAL},
    {UINT64_MAX, -EINVAL},
};

START_TEST(config_check_mem_size_bounds)
{
    struct mypci_config config = default_config;

    config.mem_size = size_cases[_i].size;
    ck_assert_int_eq(mypci_config_check(&config), size_cases[_i].result);
}
END_TEST

START_TEST(config_check_rejects_null)
{
    ck_assert_int_eq(mypci_config_check(NULL), -EINVAL);
}
END_TEST

START_TEST(init_rejects_a_missing_callback)
{
    struct mypci_host_ops ops = fake_host_ops;
    struct mypci_core other;

    switch (_i) {
    case 0:
        ops.dma_valid = NULL;
        break;
    case 1:
        ops.dma_read = NULL;
        break;
    case 2:
        ops.dma_write = NULL;
        break;
    case 3:
        ops.bus_master = NULL;
        break;
    case 4:
        ops.irq_mode = NULL;
        break;
    case 5:
        ops.send_msi = NULL;
        break;
    case 6:
        ops.set_intx = NULL;
        break;
    case 7:
        ops.schedule = NULL;
        break;
    default:
        ck_abort();
        break;
    }
    ck_assert_int_eq(mypci_core_init(&other, &ops, host, &default_config, mem),
                     -EINVAL);
}
END_TEST

START_TEST(init_rejects_bad_arguments)
{
    struct mypci_config bad = default_config;
    struct mypci_core other;

    bad.mem_size = 3000;
    ck_assert_int_eq(mypci_core_init(&other, &fake_host_ops, host, &bad, mem),
                     -EINVAL);
    ck_assert_int_eq(mypci_core_init(&other, &fake_host_ops, host, NULL, mem),
                     -EINVAL);
    ck_assert_int_eq(
        mypci_core_init(&other, &fake_host_ops, host, &default_config, NULL),
        -EINVAL);
    ck_assert_int_eq(mypci_core_init(&other, NULL, host, &default_config, mem),
                     -EINVAL);
    ck_assert_int_eq(
        mypci_core_init(NULL, &fake_host_ops, host, &default_config, mem),
        -EINVAL);
}
END_TEST

START_TEST(init_zeroes_device_memory)
{
    struct mypci_core other;

    memset(mem, 0xaa, MEM_SIZE);
    ck_assert_int_eq(
        mypci_core_init(&other, &fake_host_ops, host, &default_config, mem), 0);
    ck_assert(all_zero(mem, MEM_SIZE));
}
END_TEST

/* ---- tracing ---------------------------------------------------------- */

START_TEST(every_trace_event_fires)
{
    host->irq_mode = MYPCI_IRQ_MODE_MSIX;
    wr(MYPCI_REG_IRQ_ENABLE, MYPCI_IRQ_ALL);
    rd(MYPCI_REG_ID);
    ck_assert_uint_eq(host->trace_last[MYPCI_TRACE_MMIO_READ].c,
                      MYPCI_ID_VALUE);
    rd(0x18);
    ck_assert_uint_eq(host->trace_last[MYPCI_TRACE_MMIO_BAD].a, 0x18);

    dma_start(busaddr(0x10), 0x20, 0x30, DIR_D2H);
    ck_assert_uint_eq(host->trace_last[MYPCI_TRACE_MMIO_WRITE].a,
                      MYPCI_REG_DMA_CMD);
    ck_assert_uint_eq(host->trace_last[MYPCI_TRACE_DMA_START].a, busaddr(0x10));
    ck_assert_uint_eq(host->trace_last[MYPCI_TRACE_DMA_START].b, 0x20);
    ck_assert_uint_eq(host->trace_last[MYPCI_TRACE_DMA_START].c,
                      0x30 | (uint64_t)DIR_D2H << 62);
    wr(MYPCI_REG_DMA_CMD, 0x77);
    ck_assert_uint_eq(host->trace_last[MYPCI_TRACE_DMA_DROPPED].a, 0x77);
    mypci_core_run_deferred(&core);
    ck_assert_uint_eq(host->trace_count[MYPCI_TRACE_DMA_END], 1);
    ck_assert_uint_eq(host->trace_last[MYPCI_TRACE_DMA_END].a,
                      MYPCI_DMA_ERR_RANGE);
    ck_assert_uint_eq(host->trace_last[MYPCI_TRACE_DMA_END].c, 0x30);
    ck_assert_uint_eq(host->trace_last[MYPCI_TRACE_IRQ_MSI].a, 1);
    ck_assert_uint_eq(host->trace_last[MYPCI_TRACE_IRQ_MSI].b,
                      MYPCI_IRQ_DMA_ERROR);

    host->irq_mode = MYPCI_IRQ_MODE_INTX;
    mypci_core_irq_mode_changed(&core);
    ck_assert_uint_eq(host->trace_last[MYPCI_TRACE_IRQ_INTX].a, 1);
    mypci_core_vcap_write(&core, MYPCI_VCAP_MAILBOX + 1, 0x5a, 1);
    ck_assert_uint_eq(host->trace_last[MYPCI_TRACE_VCAP_WRITE].a, 9);
    ck_assert_uint_eq(host->trace_last[MYPCI_TRACE_VCAP_WRITE].b, 1);
    mypci_core_reset(&core, MYPCI_RESET_FUNCTION);
    ck_assert_uint_eq(host->trace_last[MYPCI_TRACE_RESET].a,
                      MYPCI_RESET_FUNCTION);
    for (unsigned e = 0; e < FAKE_TRACE_EVENTS; e++) {
        ck_assert_msg(host->trace_count[e] > 0, "event %u never traced", e);
    }
}
END_TEST

START_TEST(fault_trace_carries_the_address)
{
    fake_host_map(host, busaddr(0x2000), 0x1000, FAKE_UNMAPPED);
    dma_run(busaddr(0x1f00), 0, 0x200, DIR_H2D);
    ck_assert_uint_eq(host->trace_last[MYPCI_TRACE_DMA_END].a,
                      MYPCI_DMA_ERR_FAULT);
    ck_assert_uint_eq(host->trace_last[MYPCI_TRACE_DMA_END].b, busaddr(0x2000));
}
END_TEST

START_TEST(trace_is_optional)
{
    struct mypci_host_ops ops = fake_host_ops;

    ops.trace = NULL;
    ck_assert_int_eq(mypci_core_init(&core, &ops, host, &default_config, mem),
                     0);
    make_rich_state();
    rd(0x18);
    mypci_core_mmio_write(&core, 0x8, 1, 1);
    wr(MYPCI_REG_DMA_CMD, 3);
    mypci_core_run_deferred(&core);
    wr(MYPCI_REG_DMA_CMD, DIR_H2D);
    wr(MYPCI_REG_DMA_CMD, DIR_H2D);
    wr(MYPCI_REG_CONTROL, MYPCI_CONTROL_RESET);
    for (unsigned e = 0; e < FAKE_TRACE_EVENTS; e++) {
        ck_assert_uint_eq(host->trace_count[e], 0);
    }
}
END_TEST

/* ---- suite ------------------------------------------------------------ */

static TCase *tcase_new(Suite *s, const char *name)
{
    TCase *tc = tcase_create(name);

    tcase_add_checked_fixture(tc, setup, teardown);
    suite_add_tcase(s, tc);
    return tc;
}

#define ADD_LOOP(tc, test, table)                                              \
    tcase_add_loop_test(tc, test, 0, (int)ARRAY_SIZE(table))

static void add_register_tests(Suite *s)
{
    TCase *tc = tcase_new(s, "registers");

    tcase_add_test(tc, id_and_version);
    ADD_LOOP(tc, features_follow_config, features_cases);
    tcase_add_test(tc, scratch_resets_to_property_and_invert_follows);
    tcase_add_test(tc, read_only_registers_ignore_writes);
    tcase_add_test(tc, breakage_invert);
    tcase_add_test(tc, breakage_dma_count);
    tcase_add_test(tc, write_only_registers_read_zero);
    tcase_add_test(tc, undefined_irq_bits_read_zero);
    tcase_add_test(tc, dma_address_registers_are_64_bit);
    tcase_add_test(tc, eight_byte_read_is_two_dwords_low_first);
    tcase_add_test(tc, eight_byte_access_with_one_unknown_half);
    tcase_add_test(tc, eight_byte_write_len_then_cmd_starts_dma);
    tcase_add_test(tc, eight_byte_write_raise_then_ack);
    tcase_add_test(tc, eight_byte_write_to_control_resets);
    ADD_LOOP(tc, bad_access_reads_zero_and_changes_nothing, bad_accesses);
    tcase_add_test(tc, bad_access_while_busy_changes_nothing);
}

static void add_dma_tests(Suite *s)
{
    TCase *tc = tcase_new(s, "dma");

    tcase_add_test(tc, host_to_device_moves_data);
    tcase_add_test(tc, device_to_host_moves_data);
    tcase_add_test(tc, host_to_host_moves_data);
    tcase_add_test(tc, whole_device_memory_in_one_transfer);
    tcase_add_test(tc, nothing_moves_inside_the_mmio_write);
    tcase_add_test(tc, registers_are_latched_at_accept);
    tcase_add_test(tc, dma_count_counts_successes_only);
    tcase_add_test(tc, completion_sets_irq_causes);
    tcase_add_test(tc, accept_clears_done_dropped_and_error);
    tcase_add_test(tc, command_while_busy_is_dropped);
    tcase_add_test(tc, run_deferred_when_idle_does_nothing);
    ADD_LOOP(tc, overlapping_host_copy_is_memmove, overlap_cases);
}

static void add_dma_error_tests(Suite *s)
{
    TCase *tc = tcase_new(s, "dma_errors");

    tcase_add_test(tc, bus_master_off_is_error_4);
    tcase_add_test(tc, bus_master_is_checked_when_the_transfer_runs);
    tcase_add_test(tc, error_4_beats_error_2);
    ADD_LOOP(tc, bad_command_or_length_is_error_2, bad_cmd_cases);
    tcase_add_test(tc, error_2_beats_error_3);
    ADD_LOOP(tc, device_range_out_of_bounds_is_error_3, range_cases);
    tcase_add_test(tc, device_range_exactly_at_the_end_is_fine);
    tcase_add_test(tc, error_3_beats_error_1);
    tcase_add_test(tc, host_to_host_ignores_device_memory_bounds);
    tcase_add_test(tc, unmapped_source_is_error_1);
    tcase_add_test(tc, address_outside_the_bus_is_error_1);
    tcase_add_test(tc, read_only_page_is_a_source_not_a_destination);
    tcase_add_test(tc, source_fault_is_reported_before_destination_fault);
    tcase_add_test(tc, half_mapped_source_moves_nothing);
    tcase_add_test(tc, half_mapped_destination_moves_nothing);
    ADD_LOOP(tc, fault_address_has_page_precision, fault_cases);
    tcase_add_test(tc, fault_address_changes_only_on_error_1);
    tcase_add_test(tc, host_range_past_the_top_of_the_bus_is_error_1);
    tcase_add_test(tc, host_range_wrapping_reports_the_wrap_address);
    tcase_add_test(tc, inconsistent_host_check_reports_the_range_start);
    tcase_add_test(tc, failing_read_callback_is_error_1_at_the_chunk);
    tcase_add_test(tc, failing_write_callback_is_error_1_at_the_chunk);
}

static void add_irq_tests(Suite *s)
{
    TCase *tc = tcase_new(s, "interrupts");

    tcase_add_test(tc, msix_one_vector_per_cause);
    tcase_add_test(tc, msix_all_causes_at_once);
    tcase_add_test(tc, msix_no_second_message_while_pending);
    tcase_add_test(tc, msix_enabling_a_pending_cause_fires);
    tcase_add_test(tc, msix_ack_then_raise_fires_again);
    tcase_add_test(tc, msi_two_causes_send_two_messages);
    tcase_add_test(tc, msi_enabling_two_pending_causes_sends_two);
    tcase_add_test(tc, disabled_causes_never_signal);
    tcase_add_test(tc, intx_is_a_level);
    tcase_add_test(tc, msi_modes_keep_intx_low);
    tcase_add_test(tc, irq_mode_changed_moves_the_line);
    tcase_add_test(tc, irq_mode_changed_with_nothing_pending);
    tcase_add_test(tc, irq_status_is_read_only);
}

static void add_reset_tests(Suite *s)
{
    TCase *tc = tcase_new(s, "reset");

    tcase_add_test(tc, init_leaves_the_reset_state);
    tcase_add_test(tc, control_reset_restores_every_register);
    tcase_add_test(tc, control_reset_zeroes_device_memory);
    tcase_add_test(tc, control_write_without_reset_bit_does_nothing);
    tcase_add_test(tc, control_reset_abandons_the_transfer);
    tcase_add_test(tc, control_reset_drops_pending_interrupts);
    tcase_add_test(tc, control_reset_keeps_the_vendor_capability);
    tcase_add_test(tc, function_reset_clears_the_vendor_capability);
    tcase_add_test(tc, function_reset_abandons_the_transfer);
    tcase_add_test(tc, reset_during_the_move_abandons_the_rest);
    tcase_add_test(tc, post_load_rearms_a_transfer_in_flight);
    tcase_add_test(tc, post_load_refuses_unreachable_states);
    tcase_add_test(tc, post_load_keeps_a_latched_bad_length_for_the_engine);
}

static void add_vcap_tests(Suite *s)
{
    TCase *tc = tcase_new(s, "vendor_capability");

    tcase_add_test(tc, vcap_signature_reads_at_every_size);
    tcase_add_test(tc, vcap_signature_and_result_ignore_writes);
    tcase_add_test(tc, vcap_mailbox_and_result);
    tcase_add_test(tc, vcap_partial_mailbox_writes);
    tcase_add_test(tc, vcap_access_across_a_dword_boundary);
    tcase_add_test(tc, vcap_events_set_by_mailbox_write_and_rw1c);
    ADD_LOOP(tc, vcap_bad_access_reads_zero_and_changes_nothing,
             bad_vcap_accesses);
    tcase_add_test(tc, vcap_last_byte_is_reachable);
}

static void add_config_tests(Suite *s)
{
    TCase *tc = tcase_new(s, "config");

    ADD_LOOP(tc, config_check_mem_size_bounds, size_cases);
    tcase_add_test(tc, config_check_rejects_null);
    tcase_add_loop_test(tc, init_rejects_a_missing_callback, 0, 8);
    tcase_add_test(tc, init_rejects_bad_arguments);
    tcase_add_test(tc, init_zeroes_device_memory);
    tcase_add_test(tc, every_trace_event_fires);
    tcase_add_test(tc, fault_trace_carries_the_address);
    tcase_add_test(tc, trace_is_optional);
}

static Suite *mypci_core_suite(void)
{
    Suite *s = suite_create("mypci_core");

    add_register_tests(s);
    add_dma_tests(s);
    add_dma_error_tests(s);
    add_irq_tests(s);
    add_reset_tests(s);
    add_vcap_tests(s);
    add_config_tests(s);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(mypci_core_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
