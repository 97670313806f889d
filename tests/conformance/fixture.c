/*
 * The conformance suite's fixture and helpers (see conformance.h).
 *
 * The suite runs in one process (Check's CK_NOFORK) and keeps the device
 * open from test to test: opening it costs two function level resets (the
 * one vfio-pci does on open and the one on close, 100 ms of sleep each in
 * the kernel), which made up most of the suite's time when every test
 * opened its own. One process also keeps VFIO's DMA pinning simple: every
 * buffer is mapped by the process whose memory the device reaches.
 *
 * Before each test the fixture gives it a clean device with the cheapest
 * reset that covers what a test can change: CONTROL.RESET (§7) for the
 * registers, device memory and pending interrupts; the Command register and
 * the vendor capability's MAILBOX and EVENTS put back through config space
 * (CONTROL.RESET leaves config space alone); interrupts and DMA buffers torn
 * down after the test. It then reads the whole state back, and re-opens
 * the device (a function level reset) when anything is off, or when the
 * test before did not run to its end (a failed assertion leaves its body
 * halfway: its buffers, masks and Command bits are not to be trusted).
 * Tests that check what only a function level reset restores do one
 * themselves (ct_function_reset).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/pci_regs.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conformance.h"

struct ct_target ct_target;
struct vfio_pci_device *ct_dev;
struct mypci *ct_m;

/* Errors of the fixture's own calls, kept for the failure message. */
static struct vfio_error fixture_err;

/* A device the suite keeps open across tests. */
struct fixture_dev {
    const char *what; /* for notes: "device", "busy device" */
    char bdf[VFIO_PCI_BDF_MAX];
    struct vfio_pci_tool_device t; /* t.dev is NULL while closed */
    char doubt[200]; /* why it must be re-opened before its next use */
    /*
     * Registers that differ from their reset value even on a device fresh
     * from open (a broken device): the tests judge them; re-opening for
     * them again would not help.
     */
    uint32_t odd[ABI_MAX_DWORDS];
    size_t nodd;
};

static struct fixture_dev main_dev = {.what = "device"};
static struct fixture_dev busy_dev = {.what = "busy device"};
/* The device the running test uses (ct_dev belongs to it). */
static struct fixture_dev *in_use;

/* The running test (set by the START_TEST wrapper) and whether it ended. */
static const char *current_test;
static const char *last_test;
static bool current_done;

/* DMA buffers handed out by ct_dma_buf and not yet freed. */
#define CT_MAX_BUFS 16
static struct {
    struct vfio_pci_device *dev;
    struct vfio_dma_buf buf;
} bufs[CT_MAX_BUFS];

/* Where the time went: per test case, and the re-opens. */
#define CT_MAX_CASES 32
static struct {
    const char *name;
    double seconds;
    unsigned tests;
} times[CT_MAX_CASES];
static size_t ntimes;
static struct timespec test_start;
static unsigned reopens;
static double reopen_seconds;

double ct_seconds_since(const struct timespec *t0)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) +
           (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

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

/* ---- the running test, its time-out and crashes -------------------------- */

void ct_test_begin(const char *name)
{
    current_test = name;
    current_done = false;
}

void ct_test_end(void)
{
    current_done = true;
}

/* Async-signal-safe: write(2) of string pieces. */
static void say_raw(const char *s)
{
    size_t n = 0;

    while (s[n]) {
        n++;
    }
    if (write(STDERR_FILENO, s, n) < 0) {
        /* Nothing better to do in a signal handler. */
    }
}

static const char *test_for_message(void)
{
    return current_test ? current_test : "the fixture";
}

/*
 * One process runs every test, so Check's per-test timeout (fork mode
 * only) is replaced by an alarm, and a crash is named before it ends the
 * run: the tests after it do not run, and the exit status says failed.
 */
static void on_alarm(int sig)
{
    (void)sig;
    say_raw("\nmypci-vfio-test: ");
    say_raw(test_for_message());
    say_raw(": timed out after " CT_XSTR(CT_TEST_TIMEOUT_S) " s");
    say_raw("; the suite stops here\n");
    _exit(1);
}

/* The handlers there were before (ASan's, in a sanitizer build). */
static struct sigaction crash_before[NSIG];

static void on_crash(int sig, siginfo_t *info, void *ctx)
{
    const struct sigaction *before = &crash_before[sig];
    char num[4] = {(char)('0' + sig / 10 % 10), (char)('0' + sig % 10), ')',
                   '\0'};

    say_raw("\nmypci-vfio-test: ");
    say_raw(test_for_message());
    say_raw(": crashed (signal ");
    say_raw(num);
    say_raw("; the suite stops here\n");
    if ((before->sa_flags & SA_SIGINFO) && before->sa_sigaction) {
        before->sa_sigaction(sig, info, ctx);
        return;
    }
    if (!(before->sa_flags & SA_SIGINFO) && before->sa_handler != SIG_DFL &&
        before->sa_handler != SIG_IGN) {
        before->sa_handler(sig);
        return;
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* ---- opening, cleaning, re-opening --------------------------------------- */

static void fixture_open(struct fixture_dev *d)
{
    struct tool_common c = ct_target.c;
    struct vfio_pci_tool_opts o;
    struct timespec t0;

    /* Bound already (main() did, with --bind): open what was found. */
    c.device = d->bdf;
    c.bind = false;
    o = tool_open_opts(&c, "mypci");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    vfio_error_clear(&fixture_err);
    CT_OK(vfio_pci_tool_open(&d->t, &o, &fixture_err), &fixture_err);
    reopens++;
    reopen_seconds += ct_seconds_since(&t0);
}

static void fixture_close(struct fixture_dev *d)
{
    vfio_pci_tool_close_device(&d->t);
}

static uint32_t cfg_read(struct vfio_pci_device *dev, uint32_t off,
                         unsigned size, bool *ok)
{
    uint32_t v = 0;

    *ok = *ok && vfio_pci_config_read(dev, off, size, &v, NULL) == 0;
    return v;
}

static bool is_odd(const struct fixture_dev *d, uint32_t off)
{
    for (size_t i = 0; i < d->nodd; i++) {
        if (d->odd[i] == off) {
            return true;
        }
    }
    return false;
}

/*
 * The first register (other than d's odd ones) not at its §3 reset value
 * (scratch property 0): NULL, or what is off in why. With learn, records
 * each such register as odd instead, saying so once.
 */
static const char *registers_off(struct fixture_dev *d, bool learn, char *why,
                                 size_t len)
{
    struct mypci *m = mypci_of(d->t.dev);
    uint32_t off[ABI_MAX_DWORDS], want;
    size_t n = abi_dwords(ABI_DW_DEFINED, off);

    for (size_t i = 0; i < n; i++) {
        uint32_t got = mypci_read32(m, off[i]);

        if (!abi_dword_reset(off[i], 0, &want) || got == want ||
            is_odd(d, off[i])) {
            continue;
        }
        snprintf(why, len, "%s reads %#x, not its reset value %#x",
                 abi_reg_name(off[i]), got, want);
        if (!learn) {
            return why;
        }
        printf("# fixture: on the %s fresh from open, %s; left to the tests "
               "to judge\n",
               d->what, why);
        d->odd[d->nodd++] = off[i];
    }
    return NULL;
}

/*
 * Puts back what a passing test may leave changed, resets the rest with
 * CONTROL.RESET and reads it all back. NULL when clean, else what is off
 * (in why).
 */
static const char *clean(struct fixture_dev *d, char *why, size_t len)
{
    struct vfio_pci_device *dev = d->t.dev;
    struct mypci *m = mypci_of(dev);
    uint32_t cmd, mailbox, events;
    bool ok = true;

    if (dev->irq_index >= 0 || m->irq_mode != VFIO_IRQ_NONE) {
        return "interrupts are still set up";
    }
    if (vfio_pci_command_update(dev, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 0,
                                NULL) < 0) {
        return "cannot set Command.Memory and BusMaster";
    }
    /* MAILBOX to 0 sets EVENTS bit 0, which is RW1C. */
    if (cfg_read(dev, m->vcap + MYPCI_VCAP_MAILBOX, 4, &ok) != 0) {
        ok = ok && vfio_pci_config_write(dev, m->vcap + MYPCI_VCAP_MAILBOX, 4,
                                         0, NULL) == 0;
    }
    if (cfg_read(dev, m->vcap + MYPCI_VCAP_EVENTS, 4, &ok) != 0) {
        ok = ok && vfio_pci_config_write(dev, m->vcap + MYPCI_VCAP_EVENTS, 4, 1,
                                         NULL) == 0;
    }
    mypci_control_reset(m);
    if (registers_off(d, false, why, len)) {
        return why;
    }
    for (uint64_t i = 0; i < m->mem_size; i += 8) {
        if (*(volatile uint64_t *)(m->mem + i) != 0) {
            snprintf(why, len,
                     "device memory at %#llx is not 0 after CONTROL.RESET",
                     (unsigned long long)i);
            return why;
        }
    }
    if (m->msix_cap &&
        *(volatile uint32_t *)(m->regs + MYPCI_MSIX_PBA_OFFSET)) {
        return "an MSI-X vector is pending (PBA) after CONTROL.RESET";
    }
    cmd = cfg_read(dev, PCI_COMMAND, 2, &ok);
    mailbox = cfg_read(dev, m->vcap + MYPCI_VCAP_MAILBOX, 4, &ok);
    events = cfg_read(dev, m->vcap + MYPCI_VCAP_EVENTS, 4, &ok);
    if (!ok) {
        return "a config space access through VFIO failed";
    }
    if ((cmd & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)) !=
        (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)) {
        snprintf(why, len, "Command is %#x (Memory and BusMaster wanted)", cmd);
        return why;
    }
    if (mailbox != 0 || events != 0) {
        snprintf(why, len, "vendor capability MAILBOX %#x EVENTS %#x", mailbox,
                 events);
        return why;
    }
    return NULL;
}

/* Opens d if closed, re-opens it on doubt, else cleans and checks it. */
static void prepare(struct fixture_dev *d)
{
    char why[200];
    const char *off = NULL;

    if (d->t.dev && d->doubt[0]) {
        printf("# fixture: re-opening the %s: %s\n", d->what, d->doubt);
        fixture_close(d);
    } else if (d->t.dev && (off = clean(d, why, sizeof(why)))) {
        printf("# fixture: re-opening the %s after %s: %s\n", d->what,
               last_test ? last_test : "the start", off);
        fixture_close(d);
    }
    fflush(stdout);
    /* Until this succeeds, the device is in doubt. */
    snprintf(d->doubt, sizeof(d->doubt), "the fixture could not prepare it");
    if (!d->t.dev) {
        fixture_open(d);
        registers_off(d, true, why, sizeof(why));
    }
    d->doubt[0] = '\0';
}

static void use(struct fixture_dev *d)
{
    in_use = d;
    ct_dev = d->t.dev;
    ct_m = mypci_of(ct_dev);
}

/* The registry main() built: which test case a test is in. */
static const struct ct_registry *registry;

/* Adds seconds to the test case of test (set-up failures: "set-up"). */
static void account(const char *test, double seconds)
{
    const char *name = "set-up";
    size_t i;

    for (i = 0; test && registry && i < registry->n; i++) {
        if (strcmp(registry->tests[i].test->name, test) == 0) {
            name = registry->tests[i].tcase;
            break;
        }
    }

    for (i = 0; i < ntimes && strcmp(times[i].name, name) != 0; i++) {
    }
    if (i == ntimes) {
        if (ntimes == CT_MAX_CASES) {
            return;
        }
        times[ntimes++].name = name;
    }
    times[i].seconds += seconds;
    times[i].tests++;
}

void ct_setup(void)
{
    clock_gettime(CLOCK_MONOTONIC, &test_start);
    current_test = NULL;
    current_done = false;
    alarm(CT_TEST_TIMEOUT_S);
    prepare(&main_dev);
    use(&main_dev);
}

void ct_teardown(void)
{
    struct fixture_dev *d = in_use;

    if (d && d->t.dev) {
        struct mypci *m = mypci_of(d->t.dev);

        mypci_write32(m, MYPCI_REG_IRQ_ENABLE, 0);
        for (size_t i = 0; i < CT_MAX_BUFS; i++) {
            if (bufs[i].dev) {
                vfio_dma_free(bufs[i].dev, &bufs[i].buf);
                bufs[i].dev = NULL;
            }
        }
        if (vfio_irq_disable(d->t.dev, NULL) < 0) {
            snprintf(d->doubt, sizeof(d->doubt),
                     "its interrupts could not be torn down after %s",
                     current_test ? current_test : "a test");
        }
        m->irq_mode = VFIO_IRQ_NONE;
        if (!current_done) {
            snprintf(d->doubt, sizeof(d->doubt), "%s did not finish",
                     current_test ? current_test : "a test");
        }
    }
    alarm(0);
    account(current_test, ct_seconds_since(&test_start));
    last_test = current_test;
    current_test = NULL;
    in_use = NULL;
    ct_dev = NULL;
    ct_m = NULL;
}

void ct_fixture_start(const struct ct_registry *r,
                      struct vfio_pci_tool_device *dev,
                      struct vfio_pci_tool_device *busy)
{
    static const int crashes[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};
    char why[200];

    registry = r;
    snprintf(main_dev.bdf, sizeof(main_dev.bdf), "%s", dev->bdf);
    main_dev.t.dev = dev->dev;
    dev->dev = NULL; /* the caller keeps the binding, the fixture the device */
    if (busy) {
        snprintf(busy_dev.bdf, sizeof(busy_dev.bdf), "%s", busy->bdf);
        busy_dev.t.dev = busy->dev;
        busy->dev = NULL;
    }
    signal(SIGALRM, on_alarm);
    for (size_t i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++) {
        struct sigaction sa = {.sa_sigaction = on_crash,
                               .sa_flags = SA_SIGINFO | SA_ONSTACK};

        sigemptyset(&sa.sa_mask);
        sigaction(crashes[i], &sa, &crash_before[crashes[i]]);
    }
    /* Both fresh from open: what differs already is the device's. */
    registers_off(&main_dev, true, why, sizeof(why));
    if (busy_dev.t.dev) {
        registers_off(&busy_dev, true, why, sizeof(why));
    }
    /* Opens done before the suite are not re-opens. */
    reopens = 0;
    reopen_seconds = 0;
}

void ct_fixture_stop(void)
{
    alarm(0);
    fixture_close(&main_dev);
    fixture_close(&busy_dev);
}

void ct_fixture_print_times(double open_s, double run_s, double close_s)
{
    double total = 0;

    for (size_t i = 0; i < ntimes; i++) {
        total += times[i].seconds;
    }
    printf("# time: opening %.2f s, the tests %.2f s, Check between them "
           "%.2f s, closing %.2f s; the tests per case:",
           open_s, total, run_s - total, close_s);
    for (size_t i = 0; i < ntimes; i++) {
        printf("%s %s %.2f s (%u)", i ? "," : "", times[i].name,
               times[i].seconds, times[i].tests);
    }
    printf("; %u re-opens of a device, %.2f s of it\n", reopens,
           reopen_seconds);
}

bool ct_use_busy_device(void)
{
    if (!busy_dev.bdf[0]) {
        return ct_busy_window_expected();
    }
    prepare(&busy_dev);
    use(&busy_dev);
    return true;
}

void ct_function_reset(void)
{
    struct vfio_error e = {0};

    ABI_TRUE("§7 VFIO offers a function reset",
             ct_dev->info.flags & VFIO_DEVICE_FLAGS_RESET,
             "VFIO_DEVICE_GET_INFO flags %#x", ct_dev->info.flags);
    CT_OK(vfio_pci_device_reset(ct_dev, &e), &e);
}

/* ---- helpers ------------------------------------------------------------ */

void ct_irq_mode(enum vfio_irq_mode mode)
{
    struct vfio_error e = {0};

    CT_OK(mypci_irq_setup(ct_m, mode, &e), &e);
}

void ct_dma_buf(struct vfio_dma_buf *buf, size_t size, unsigned prot)
{
    struct vfio_error e = {0};
    size_t i;

    for (i = 0; i < CT_MAX_BUFS && bufs[i].dev; i++) {
    }
    ck_assert_msg(i < CT_MAX_BUFS, "more than %d DMA buffers in one test",
                  CT_MAX_BUFS);
    CT_OK(vfio_dma_alloc(buf, size, 0, &e), &e);
    /* Kept before mapping, so that the teardown frees it either way. */
    bufs[i].dev = ct_dev;
    bufs[i].buf = *buf;
    CT_OK(vfio_dma_map(ct_dev, buf, prot, &e), &e);
    bufs[i].buf = *buf;
}

void ct_dma_free(struct vfio_dma_buf *buf)
{
    for (size_t i = 0; i < CT_MAX_BUFS; i++) {
        if (bufs[i].dev && bufs[i].buf.vaddr == buf->vaddr) {
            bufs[i].dev = NULL;
            break;
        }
    }
    vfio_dma_free(ct_dev, buf);
}

uint64_t ct_unmapped_iova(uint64_t size)
{
    struct vfio_error e = {0};
    uint64_t iova = 0;

    /* The allocator never hands an IOVA out twice: nothing is there. */
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
    /* One non-blocking look even for 0 ms. */
    do {
        int64_t n = vfio_irq_wait(fd, (int)left);

        if (n > 0) {
            total += n;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        left = wait_ms - ((now.tv_sec - start.tv_sec) * 1000 +
                          (now.tv_nsec - start.tv_nsec) / 1000000);
    } while (left > 0);
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
