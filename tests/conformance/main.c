/*
 * mypci-vfio-test: the mypci conformance suite (ABI sections 2-8) run
 * through VFIO in a guest. Resolves the device (libpci), optionally binds
 * it to vfio-pci, opens it (so environment problems are one clear message,
 * exit 2), then runs the Check suite in this process (CK_NOFORK) on the
 * device kept open, reset and checked clean before each test (fixture.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "conformance.h"

#define PROG "mypci-vfio-test"
#include "vfio/pci_discovery.h"

enum { EXIT_TESTS_FAILED = 1, EXIT_UNUSABLE = 2 };

static void build_registry(struct ct_registry *r)
{
    ct_register_config(r);
    ct_register_regions(r);
    ct_register_regs(r);
    ct_register_irq(r);
    ct_register_dma(r);
    ct_register_dma_errors(r);
    ct_register_reset(r);
    ct_register_driver(r);
}

static void list_tests(const struct ct_registry *r)
{
    for (size_t i = 0; i < r->n; i++) {
        printf("%s/%s\n", r->tests[i].tcase, r->tests[i].test->name);
    }
}

/* Why a test cannot run on this device (a property turned it off). */
static const char *skip_reason(unsigned needs, unsigned have)
{
    if ((needs & CT_NEEDS_MSIX) && !(have & CT_NEEDS_MSIX)) {
        return "the device offers no MSI-X capability (msix=off; FEATURES "
               "bit 2 clear)";
    }
    if ((needs & CT_NEEDS_MSI) && !(have & CT_NEEDS_MSI)) {
        return "the device offers no MSI capability (msi=off; FEATURES "
               "bit 1 clear)";
    }
    return NULL;
}

static bool selected(const struct ct_test *t, const char *run)
{
    return !run || strcmp(run, t->tcase) == 0 ||
           strcmp(run, t->test->name) == 0;
}

static TCase *tcase_for(Suite *s, TCase **cases, const char **names, size_t *n,
                        const char *name)
{
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(names[i], name) == 0) {
            return cases[i];
        }
    }
    cases[*n] = tcase_create(name);
    names[*n] = name;
    /* No tcase_set_timeout: it needs fork mode; the fixture's alarm does. */
    tcase_add_checked_fixture(cases[*n], ct_setup, ct_teardown);
    suite_add_tcase(s, cases[*n]);
    return cases[(*n)++];
}

/* Builds the suite; prints "SKIP name: reason" for tests left out. */
static Suite *build_suite(const struct ct_registry *r, const char *run,
                          unsigned have, size_t *count)
{
    Suite *s = suite_create("mypci");
    TCase *cases[CT_MAX_TESTS];
    const char *names[CT_MAX_TESTS];
    size_t ncases = 0;

    *count = 0;
    for (size_t i = 0; i < r->n; i++) {
        const struct ct_test *t = &r->tests[i];
        const char *why = skip_reason(t->needs, have);

        if (!selected(t, run)) {
            continue;
        }
        if (why) {
            printf("SKIP %s/%s: %s\n", t->tcase, t->test->name, why);
            continue;
        }
        _tcase_add_test(tcase_for(s, cases, names, &ncases, t->tcase), t->test,
                        0, 0, 0, 1);
        (*count)++;
    }
    return s;
}

/* Prints which device, IOMMU group and backend the suite goes through. */
static void describe(const char *what, struct vfio_pci_device *dev, bool tap)
{
    char desc[VFIO_PCI_BDF_MAX + 300];
    int group;

    /* TAP allows only comments beside the results. */
    printf("%s" PROG ": %s\n", tap ? "# " : "",
           vfio_pci_device_describe(dev, desc, sizeof(desc)));
    if (vfio_device_iommu_group(NULL, dev->bdf, &group) < 0) {
        group = -1;
    }
    printf("# %s %s (IOMMU group %d) via %s IOMMU backend; FEATURES %#x\n",
           what, dev->bdf, group, vfio_iommu_kind_name(dev->iommu->kind),
           mypci_of(dev)->features);
}

/*
 * Opens the device up front (resolving, binding if asked): a broken
 * environment is one message and exit 2 instead of every test failing the
 * same way. Leaves it open for the fixture. Returns CT_NEEDS_* of the
 * interrupt capabilities the device offers, or -1.
 */
static int probe_device(const struct ct_options *o,
                        struct vfio_pci_tool_device *t)
{
    int have = 0;

    if (tool_open(PROG, &o->c, "mypci", t) < 0) {
        return -1;
    }
    snprintf(ct_target.bdf, sizeof(ct_target.bdf), "%s", t->bdf);
    ct_target.c = o->c;
    ct_target.c.device = ct_target.bdf;
    ct_target.c.bind = false;
    describe("device", t->dev, o->output == CT_OUTPUT_TAP);
    have |= mypci_of(t->dev)->msi_cap ? CT_NEEDS_MSI : 0;
    have |= mypci_of(t->dev)->msix_cap ? CT_NEEDS_MSIX : 0;
    return have;
}

/* The --busy-device, opened (and bound) like the device; 0 or -1. */
static int probe_busy_device(const struct ct_options *o,
                             struct vfio_pci_tool_device *t)
{
    struct tool_common c = o->c;

    c.device = o->busy_device;
    if (tool_open(PROG, &c, "mypci", t) < 0) {
        return -1;
    }
    if (strcmp(t->bdf, ct_target.bdf) == 0) {
        fprintf(stderr, PROG ": --busy-device %s is the device under test\n",
                t->bdf);
        return -1;
    }
    describe("busy device (x-dma-delay-us)", t->dev,
             o->output == CT_OUTPUT_TAP);
    return 0;
}

static int run_suite(const struct ct_registry *r, const struct ct_options *o,
                     unsigned have)
{
    size_t count;
    Suite *s = build_suite(r, o->run, have, &count);
    SRunner *sr = srunner_create(s);
    int failed;

    if (o->output == CT_OUTPUT_TAP) {
        srunner_set_tap(sr, "-");
    }
    fflush(stdout);
    /* One process, one open device: see fixture.c. */
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, o->output == CT_OUTPUT_TAP ? CK_SILENT : CK_VERBOSE);
    failed = srunner_ntests_failed(sr);
    printf("# %d of %zu tests passed\n", srunner_ntests_run(sr) - failed,
           count);
    srunner_free(sr);
    return failed > 0 ? EXIT_TESTS_FAILED : 0;
}

static int restore_binding(struct vfio_pci_tool_device *t)
{
    struct vfio_error e = {0};

    if (vfio_pci_tool_close(t, &e) < 0) {
        tool_report(PROG, "cannot restore the device's driver", &e);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static struct ct_registry registry;
    struct vfio_pci_tool_device t, busy = {0};
    struct timespec t0;
    double open_s, run_s;
    struct ct_options o;
    char err[256];
    int have, status;

    if (ct_parse_args(argc, argv, &o, err, sizeof(err)) < 0) {
        fprintf(stderr, PROG ": %s\n", err);
        return EXIT_UNUSABLE;
    }
    if (o.c.help) {
        fputs(ct_usage(), stdout);
        return 0;
    }
    build_registry(&registry);
    if (o.list) {
        list_tests(&registry);
        return 0;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    have = probe_device(&o, &t);
    if (have < 0) {
        return EXIT_UNUSABLE;
    }
    if (o.busy_device && probe_busy_device(&o, &busy) < 0) {
        vfio_pci_tool_close(&busy, NULL);
        restore_binding(&t);
        return EXIT_UNUSABLE;
    }
    open_s = ct_seconds_since(&t0);
    ct_fixture_start(&registry, &t, o.busy_device ? &busy : NULL);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    status = run_suite(&registry, &o, (unsigned)have);
    run_s = ct_seconds_since(&t0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ct_fixture_stop();
    if (restore_binding(&busy) < 0 && status == 0) {
        status = EXIT_UNUSABLE;
    }
    if (restore_binding(&t) < 0 && status == 0) {
        status = EXIT_UNUSABLE;
    }
    ct_fixture_print_times(open_s, run_s, ct_seconds_since(&t0));
    return status;
}
