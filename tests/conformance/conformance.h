/*
 * Shared parts of the mypci conformance suite: the test registry, the
 * per-test fixture (a freshly opened device in every test's own process)
 * and assertion helpers whose messages name the ABI clause.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CONFORMANCE_H
#define CONFORMANCE_H

#include <check.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi_regs.h"
#include "mypci_driver.h"
#include "pattern.h" /* pattern_fill: the tools' data pattern */
#include "tool.h"
#include "vfio/dma.h"
#include "vfio/iommu.h"
#include "vfio/irq.h"
#include "vfio/pci_device.h"
#include "vfio/pci_open.h"

/* What a test needs from the device; missing features skip it. */
#define CT_NEEDS_MSI (1u << 0)
#define CT_NEEDS_MSIX (1u << 1)

struct ct_test {
    const char *tcase;
    const TTest *test;
    unsigned needs;
};

#define CT_MAX_TESTS 256

struct ct_registry {
    struct ct_test tests[CT_MAX_TESTS];
    size_t n;
};

void ct_add(struct ct_registry *r, const char *tcase, const TTest *test,
            unsigned needs);

/* Each test file registers its tests. */
void ct_register_config(struct ct_registry *r);
void ct_register_regions(struct ct_registry *r);
void ct_register_regs(struct ct_registry *r);
void ct_register_irq(struct ct_registry *r);
void ct_register_dma(struct ct_registry *r);
void ct_register_dma_errors(struct ct_registry *r);
void ct_register_reset(struct ct_registry *r);
void ct_register_driver(struct ct_registry *r);

/* Set by main() before the tests fork: the device found, already bound. */
struct ct_target {
    char bdf[VFIO_PCI_BDF_MAX];
    struct tool_common c; /* c.device is bdf; --iommu, --iova-base */
};
extern struct ct_target ct_target;

/* The fixture's device, valid inside a test. */
extern struct vfio_pci_device *ct_dev;
extern struct mypci *ct_m;

/* Checked fixture: opens, probes and initialises the device. */
void ct_setup(void);

/*
 * True when the environment says the device under test was started with
 * x-dma-delay-us (MYPCI_BUSY_WINDOW=1): the engine then stays BUSY long
 * enough that the tests racing it must see the busy outcome.
 */
bool ct_busy_window_expected(void);
void ct_teardown(void);

/* Interrupts in mode, failing the test if VFIO refuses. */
void ct_irq_mode(enum vfio_irq_mode mode);

/* A DMA buffer mapped with prot; failing the test if it cannot be. */
void ct_dma_buf(struct vfio_dma_buf *buf, size_t size, unsigned prot);

/* An IOVA range of size bytes that nothing is mapped at. */
uint64_t ct_unmapped_iova(uint64_t size);

/* Runs one transfer and waits for it by polling; returns DMA_STATUS. */
uint32_t ct_dma(uint64_t src, uint64_t dst, uint32_t len, uint32_t cmd);

/* ABI_EQs every register against its §3 reset value (scratch property 0). */
void ct_expect_registers_reset(const char *clause);

/* Offset of the first byte where a and b differ, or -1. */
long ct_memdiff(const volatile void *a, const volatile void *b, size_t len);

/* Counts eventfd signals on fd over wait_ms (sums several wake-ups). */
int64_t ct_count_irqs(int fd, int wait_ms);

/*
 * Waits until fd was signalled expected times (or timeout_ms passed), then
 * settle_ms more to catch extra signals; returns the total.
 */
int64_t ct_wait_irqs(int fd, int64_t expected, int timeout_ms, int settle_ms);

/* Settle time for "no (more) interrupt" checks: TCG delivers in well under. */
#define CT_SETTLE_MS 30

/* The error text of the library call that just failed. */
const char *ct_err(const struct vfio_error *e);

/*
 * Assertions naming the ABI clause: "ABI §3 INVERT: expected 0x.., got 0x..".
 * The _CTX form appends a printf-style context.
 */
#define ABI_EQ(clause, expected, actual)                                       \
    do {                                                                       \
        uint64_t e_ = (uint64_t)(expected), a_ = (uint64_t)(actual);           \
        ck_assert_msg(e_ == a_,                                                \
                      "ABI %s: expected 0x%" PRIx64 ", got 0x%" PRIx64,        \
                      (clause), e_, a_);                                       \
    } while (0)

#define ABI_EQ_CTX(clause, expected, actual, fmt, ...)                         \
    do {                                                                       \
        uint64_t e_ = (uint64_t)(expected), a_ = (uint64_t)(actual);           \
        ck_assert_msg(e_ == a_,                                                \
                      "ABI %s: expected 0x%" PRIx64 ", got 0x%" PRIx64         \
                      " (" fmt ")",                                            \
                      (clause), e_, a_, __VA_ARGS__);                          \
    } while (0)

#define ABI_TRUE(clause, cond, fmt, ...)                                       \
    ck_assert_msg((cond), "ABI %s: " fmt, (clause), __VA_ARGS__)

/* A library call that must succeed (not an ABI rule: the environment). */
#define CT_OK(call, e)                                                         \
    do {                                                                       \
        int r_ = (call);                                                       \
        ck_assert_msg(r_ == 0, "%s failed: %s", #call, ct_err(e));             \
    } while (0)

#endif
