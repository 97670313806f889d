/*
 * The conformance suite's fixture and helpers (see conformance.h).
 *
 * Every test runs in its own process (Check's fork mode) and opens the
 * device there: VFIO pins DMA buffers in the mapping process's memory, so a
 * device opened before fork() would DMA into the parent's copy-on-write
 * pages. Opening per test also gives each test a device fresh from the FLR
 * vfio-pci does on open.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conformance.h"

struct ct_target ct_target;
struct vfio_pci_device *ct_dev;
struct mypci *ct_m;

/* Errors of the fixture's own calls, kept for the failure message. */
static struct vfio_error fixture_err;
/* The device a test has open (this process's own: see above). */
static struct vfio_pci_tool_device fixture_dev;

void ct_add(struct ct_registry *r, const char *tcase, const TTest *test,
            unsigned needs)
{
    /* Not ck_assert: registration runs before any test does. */
    if (r->n == CT_MAX_TESTS) {
        abort();
    }
    r->tests[r->n].tcase = tcase;
    r->tests[r->n].test = test;
    r->tests[r->n].needs = needs;
    r->n++;
}

const char *ct_err(const struct vfio_error *e)
{
    static char buf[VFIO_ERROR_DETAIL_MAX + 256];

    return vfio_error_format(e ? e : &fixture_err, buf, sizeof(buf));
}

void ct_setup(void)
{
    struct vfio_pci_tool_opts o = tool_open_opts(&ct_target.c, "mypci");

    vfio_error_clear(&fixture_err);
    CT_OK(vfio_pci_tool_open(&fixture_dev, &o, &fixture_err), &fixture_err);
    ct_dev = fixture_dev.dev;
    ct_m = mypci_of(ct_dev);
}

void ct_teardown(void)
{
    vfio_pci_tool_close_device(&fixture_dev);
    ct_dev = NULL;
    ct_m = NULL;
}

void ct_irq_mode(enum vfio_irq_mode mode)
{
    struct vfio_error e = {0};

    CT_OK(mypci_irq_setup(ct_m, mode, &e), &e);
}

void ct_dma_buf(struct vfio_dma_buf *buf, size_t size, unsigned prot)
{
    struct vfio_error e = {0};

    CT_OK(vfio_dma_alloc(buf, size, 0, &e), &e);
    CT_OK(vfio_dma_map(ct_dev, buf, prot, &e), &e);
}

uint64_t ct_unmapped_iova(uint64_t size)
{
    struct vfio_error e = {0};
    uint64_t iova = 0;

    CT_OK(vfio_iova_alloc(&ct_dev->iova, size, 0, &iova, &e), &e);
    return iova;
}

uint32_t ct_dma(uint64_t src, uint64_t dst, uint32_t len, uint32_t cmd)
{
    uint32_t status = 0;

    mypci_dma_start(ct_m, src, dst, len, cmd);
    ck_assert_msg(mypci_dma_wait_poll(ct_m, MYPCI_TIMEOUT_MS, &status) == 0,
                  "ABI §4 DMA: transfer still BUSY after %d ms (DMA_STATUS "
                  "%#x)",
                  MYPCI_TIMEOUT_MS, status);
    return status;
}

long ct_memdiff(const volatile void *a, const volatile void *b, size_t len)
{
    const volatile uint8_t *pa = a, *pb = b;

    for (size_t i = 0; i < len; i++) {
        if (pa[i] != pb[i]) {
            return (long)i;
        }
    }
    return -1;
}

int64_t ct_count_irqs(int fd, int wait_ms)
{
    struct timespec start, now;
    int64_t total = 0;
    long left = wait_ms;

    clock_gettime(CLOCK_MONOTONIC, &start);
    while (left > 0) {
        int64_t n = vfio_irq_wait(fd, (int)left);

        if (n > 0) {
            total += n;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        left = wait_ms - ((now.tv_sec - start.tv_sec) * 1000 +
                          (now.tv_nsec - start.tv_nsec) / 1000000);
    }
    return total;
}

int64_t ct_wait_irqs(int fd, int64_t expected, int timeout_ms, int settle_ms)
{
    struct timespec start, now;
    int64_t total = 0;

    clock_gettime(CLOCK_MONOTONIC, &start);
    while (total < expected) {
        long elapsed, n;

        clock_gettime(CLOCK_MONOTONIC, &now);
        elapsed = (now.tv_sec - start.tv_sec) * 1000 +
                  (now.tv_nsec - start.tv_nsec) / 1000000;
        if (elapsed >= timeout_ms) {
            return total;
        }
        n = (long)vfio_irq_wait(fd, (int)(timeout_ms - elapsed));
        if (n > 0) {
            total += n;
        }
    }
    /* Extra signals would show up within the settle window. */
    return total + ct_count_irqs(fd, settle_ms);
}

bool ct_busy_window_expected(void)
{
    const char *value = getenv("MYPCI_BUSY_WINDOW");

    return value && strcmp(value, "1") == 0;
}
