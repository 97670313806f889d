/*
 * mypci-vfio-test: the mypci conformance suite (ABI sections 2-8) run
 * through VFIO in a guest. Resolves the device (libpci), optionally binds
 * it to vfio-pci, checks it can be opened (so environment problems are one
 * clear message, exit 2), then runs the Check suite, one process per test.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "conformance.h"
#include "vfio/pci_discovery.h"
#include "vfio/pci_driver.h"

enum { EXIT_TESTS_FAILED = 1, EXIT_UNUSABLE = 2 };

/* Per-test timeout: a full-size DMA and an FLR take well under this. */
#define CT_TEST_TIMEOUT_S 60

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
    tcase_add_checked_fixture(cases[*n], ct_setup, ct_teardown);
    tcase_set_timeout(cases[*n], CT_TEST_TIMEOUT_S);
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

static void fail_unusable(const char *what, const struct vfio_error *e)
{
    char buf[VFIO_ERROR_DETAIL_MAX + 256];

    fprintf(stderr, "mypci-vfio-test: %s: %s\n", what,
            vfio_error_format(e, buf, sizeof(buf)));
}

/*
 * Opens the device once up front: a broken environment is one message and
 * exit 2 instead of every test failing the same way. Returns CT_NEEDS_* of
 * the interrupt capabilities the device offers, or -1. Says first which
 * IOMMU backend it went through.
 */
static int probe_device(bool tap)
{
    static const struct vfio_pci_driver_ops *const drivers[] = {
        &mypci_driver_ops, NULL};
    struct vfio_pci_open_opts opts = {.iommu = ct_target.iommu,
                                      .iova_floor = ct_target.iova_floor};
    struct vfio_pci_device *dev;
    struct vfio_error e = {0};
    char desc[VFIO_PCI_BDF_MAX + 300];
    int have = 0, group;

    if (vfio_pci_device_open(&dev, ct_target.bdf, &opts, &e) < 0) {
        fail_unusable("cannot open the device through VFIO", &e);
        return -1;
    }
    if (vfio_pci_driver_probe(dev, drivers, &e) < 0 ||
        vfio_pci_driver_init(dev, &e) < 0) {
        fail_unusable("not a usable mypci device", &e);
        vfio_pci_device_close(dev);
        return -1;
    }
    /* TAP allows only comments beside the results. */
    printf("%smypci-vfio-test: %s\n", tap ? "# " : "",
           vfio_pci_device_describe(dev, desc, sizeof(desc)));
    if (vfio_device_iommu_group(NULL, ct_target.bdf, &group) < 0) {
        group = -1;
    }
    printf("# device %s (IOMMU group %d) via %s IOMMU backend; FEATURES "
           "%#x\n",
           ct_target.bdf, group, vfio_iommu_kind_name(dev->iommu->kind),
           mypci_of(dev)->features);
    have |= mypci_of(dev)->msi_cap ? CT_NEEDS_MSI : 0;
    have |= mypci_of(dev)->msix_cap ? CT_NEEDS_MSIX : 0;
    vfio_pci_device_close(dev);
    return have;
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
    srunner_run_all(sr, o->output == CT_OUTPUT_TAP ? CK_SILENT : CK_VERBOSE);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed > 0 ? EXIT_TESTS_FAILED : 0;
}

static int resolve_and_bind(const struct ct_options *o,
                            struct vfio_pci_binding *binding)
{
    struct vfio_error e = {0};

    if (vfio_pci_resolve(NULL, o->device, ct_target.bdf, &e) < 0) {
        fail_unusable("cannot find the device", &e);
        return -1;
    }
    if (o->bind && vfio_pci_bind(NULL, ct_target.bdf, binding, &e) < 0) {
        fail_unusable("cannot bind the device to vfio-pci", &e);
        vfio_pci_unbind_restore(NULL, binding, NULL);
        return -1;
    }
    return 0;
}

static int restore_binding(struct vfio_pci_binding *binding)
{
    struct vfio_error e = {0};

    if (vfio_pci_unbind_restore(NULL, binding, &e) < 0) {
        fail_unusable("cannot restore the device's driver", &e);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static struct ct_registry registry;
    struct vfio_pci_binding binding = {0};
    struct ct_options o;
    char err[256];
    int have, status;

    if (ct_parse_args(CT_PROGRAM_TEST, argc, argv, &o, err, sizeof(err)) < 0) {
        fprintf(stderr, "mypci-vfio-test: %s\n", err);
        return EXIT_UNUSABLE;
    }
    if (o.help) {
        fputs(ct_usage(CT_PROGRAM_TEST), stdout);
        return 0;
    }
    build_registry(&registry);
    if (o.list) {
        list_tests(&registry);
        return 0;
    }
    ct_target.iommu = o.iommu;
    ct_target.iova_floor = o.iova_base;
    if (resolve_and_bind(&o, &binding) < 0) {
        return EXIT_UNUSABLE;
    }
    have = probe_device(o.output == CT_OUTPUT_TAP);
    status =
        have < 0 ? EXIT_UNUSABLE : run_suite(&registry, &o, (unsigned)have);
    if (restore_binding(&binding) < 0 && status == 0) {
        status = EXIT_UNUSABLE;
    }
    return status;
}
