/*
 * Shared parts of the mypci conformance suite: the test registry, the
 * per-test fixture (the device, kept open for the whole suite, reset and
 * checked clean before every test; see fixture.c) and assertion helpers
 * whose messages name the ABI clause.
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
#include <time.h>

#include "abi_regs.h"
#include "mypci_driver.h"
#include "pattern.h" /* pattern_fill: the tools' data pattern */
#include "tool.h"
#include "vfio/dma.h"
#include "vfio/iommu.h"
#include "vfio/irq.h"
#include "vfio/pci_device.h"
#include "vfio/pci_open.h"

/*
 * START_TEST as Check defines it (check.h, 0.15), the body wrapped so the
 * fixture knows which test runs (for time-out and crash messages) and
 * whether its body ran to the end: the suite runs in one process
 * (CK_NOFORK), where a failed assertion longjmps out of the body, and a
 * test that did not finish leaves a device the fixture re-opens.
 */
#undef START_TEST
#define START_TEST(name)                                                       \
    static void name##_body(void);                                             \
    static void name##_fn(int _i CK_ATTRIBUTE_UNUSED)                          \
    {                                                                          \
        ct_test_begin(#name);                                                  \
        name##_body();                                                         \
        ct_test_end();                                                         \
    }                                                                          \
    static const TTest name##_ttest = {#name, name##_fn, __FILE__, __LINE__};  \
    static const TTest *name = &name##_ttest;                                  \
    static void name##_body(void)

void ct_test_begin(const char *name);
void ct_test_end(void);

/* Per-test limit: a full-size DMA and an FLR take well under this. */
#define CT_TEST_TIMEOUT_S 60
#define CT_STR(x) #x
#define CT_XSTR(x) CT_STR(x)

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

/* Set by main() before the tests run: the device found, already bound. */
struct ct_target {
    char bdf[VFIO_PCI_BDF_MAX];
    struct tool_common c; /* c.device is bdf; --iommu, --iova-base */
};
extern struct ct_target ct_target;

/* The fixture's device, valid inside a test. */
extern struct vfio_pci_device *ct_dev;
extern struct mypci *ct_m;

/*
 * Hands the fixture the devices main() opened (and busy, a mypci started
 * with x-dma-delay-us, or NULL); the caller keeps their vfio-pci binding.
 * r names each test's test case in the time summary.
 */
void ct_fixture_start(const struct ct_registry *r,
                      struct vfio_pci_tool_device *dev,
                      struct vfio_pci_tool_device *busy);
/* Closes the devices; the time-out alarm is off from here. */
void ct_fixture_stop(void);
/*
 * One line: where the suite's time went (opening the devices, running the
 * suite, closing them: main() measures; the tests, per test case, and the
 * re-opens: the fixture does).
 */
void ct_fixture_print_times(double open_s, double run_s, double close_s);

/* Seconds of CLOCK_MONOTONIC since t0. */
double ct_seconds_since(const struct timespec *t0);

/* Checked fixture: a clean device in ct_dev/ct_m (see fixture.c). */
void ct_setup(void);

/*
 * True when the environment says the device under test was started with
 * x-dma-delay-us (MYPCI_BUSY_WINDOW=1): the engine then stays BUSY long
 * enough that the tests racing it must see the busy outcome.
 */
bool ct_busy_window_expected(void);
void ct_teardown(void);

/*
 * For the tests racing the DMA engine: makes ct_dev/ct_m the busy device
 * (--busy-device), cleaned like the main one, and returns true; without
 * one, keeps the device and returns ct_busy_window_expected(). True means
 * the engine stays BUSY long enough that the racing test must win.
 */
bool ct_use_busy_device(void);

/*
 * A function level reset (VFIO_DEVICE_RESET), for tests of what only it
 * resets (the vendor capability) or of the state right after one.
 */
void ct_function_reset(void);

/* Interrupts in mode, failing the test if VFIO refuses. */
void ct_irq_mode(enum vfio_irq_mode mode);

/*
 * A DMA buffer mapped with prot; failing the test if it cannot be. The
 * fixture frees it after the test if ct_dma_free did not.
 */
void ct_dma_buf(struct vfio_dma_buf *buf, size_t size, unsigned prot);
void ct_dma_free(struct vfio_dma_buf *buf);

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

/*
 * How long "no (more) interrupt" checks watch an eventfd. The device sends
 * a message within the MMIO write that causes it, and the guest's one vCPU
 * takes the interrupt (vfio-pci signals the eventfd in its hard IRQ
 * handler) before it runs the next user instruction: a signal that is
 * coming is there at once (the bench measures raise to eventfd at 7.5 us
 * p50, 55 us p99). The tests also prove with IRQ_COUNT (§3) that the device
 * sent nothing; the watch is a short margin on top.
 */
#define CT_QUIET_MS 5

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
