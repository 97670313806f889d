/*
 * Unit tests of mypci-bench's pure parts: its own options, percentiles and
 * the JSON of one measure.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_opts.h"
#include "bench_stats.h"

static int parse(int argc, char **argv, struct bench_opts *o, char *err)
{
    return bench_opts_parse(argc, argv, o, err, 256);
}

START_TEST(defaults_and_common_options)
{
    char *argv[] = {"mypci-bench", "--quick", "--device", "1af4:1236",
                    "--bind"};
    char err[256];
    struct bench_opts o;

    ck_assert_int_eq(parse(1, argv, &o, err), 0);
    ck_assert_str_eq(o.c.device, "1af4:1236");
    ck_assert_int_eq(o.c.iommu, VFIO_IOMMU_AUTO);
    ck_assert(!o.quick && !o.c.bind && !o.c.help);
    ck_assert_uint_eq(o.c.iova_base, 0);
    ck_assert_int_eq(parse(5, argv, &o, err), 0);
    ck_assert_ptr_null(o.json);
    ck_assert_uint_eq(o.iterations, 0);
    ck_assert(!o.warmup_set && !o.no_refs);
    ck_assert_uint_eq(o.nr_sizes, 0);
    ck_assert_uint_eq(o.modes, BENCH_MODE_ALL);
    ck_assert_uint_eq(o.map_size, 2u << 20);
    ck_assert(o.quick && o.c.bind);
    ck_assert_str_eq(o.c.device, "1af4:1236");
}
END_TEST

/* The options mypci-bench shares with the other tools (tool.h). */
START_TEST(common_options)
{
    char *argv[] = {"b",        "--quick",   "--iommu",     "iommufd",
                    "--device", "1af4:1236", "--iova-base", "8192"};
    char *bad[] = {"b", "--list"};
    char *bad_dev[] = {"b", "--device", "zz"};
    char *bad_iommu[] = {"b", "--iommu", "type2"};
    struct bench_opts o;
    char err[256];

    ck_assert_int_eq(parse(8, argv, &o, err), 0);
    ck_assert(o.quick);
    ck_assert_int_eq(o.c.iommu, VFIO_IOMMU_IOMMUFD);
    ck_assert_uint_eq(o.c.iova_base, 8192);
    ck_assert_int_eq(parse(2, bad, &o, err), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "unknown option '--list'"));
    ck_assert_int_eq(parse(3, bad_dev, &o, err), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "bad --device 'zz'"));
    ck_assert_int_eq(parse(3, bad_iommu, &o, err), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "bad --iommu 'type2'"));
}
END_TEST

START_TEST(usage_lists_every_option)
{
    static const char *const opts[] = {
        "--quick",    "--device",     "--iommu",  "--bind",  "--iova-base",
        "--help",     "--iterations", "--warmup", "--sizes", "--modes",
        "--map-size", "--no-refs",    "--json"};

    for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
        ck_assert_msg(strstr(bench_usage(), opts[k]), "usage lacks %s",
                      opts[k]);
    }
}
END_TEST

START_TEST(all_options)
{
    char *argv[] = {"b",         "--json",     "out.json", "--iterations",
                    "200",       "--bind",     "--warmup", "0",
                    "--sizes",   "64,4K,1M",   "--modes",  "intx,msix",
                    "--no-refs", "--map-size", "4M"};
    char err[256];
    struct bench_opts o;

    ck_assert_int_eq(parse(15, argv, &o, err), 0);
    ck_assert_str_eq(o.json, "out.json");
    ck_assert_uint_eq(o.iterations, 200);
    ck_assert(o.warmup_set);
    ck_assert_uint_eq(o.warmup, 0);
    ck_assert_uint_eq(o.nr_sizes, 3);
    ck_assert_uint_eq(o.sizes[0], 64);
    ck_assert_uint_eq(o.sizes[1], 4096);
    ck_assert_uint_eq(o.sizes[2], 1u << 20);
    ck_assert_uint_eq(o.modes, BENCH_MODE_INTX | BENCH_MODE_MSIX);
    ck_assert(o.no_refs);
    ck_assert_uint_eq(o.map_size, 4u << 20);
    ck_assert(o.c.bind);
}
END_TEST

/* Each bad value fails with a message naming it. */
START_TEST(bad_values)
{
    static const char *const cases[][3] = {
        {"--iterations", "0", "--iterations"},
        {"--iterations", "12x", "12x"},
        {"--iterations", "-3", "-3"},
        {"--warmup", "", "--warmup"},
        {"--sizes", ",", "--sizes"},
        {"--sizes", "64,3G", "3G"},
        {"--sizes", "0", "'0'"},
        {"--sizes", "512M", "512M"},
        {"--modes", "msix,legacy", "legacy"},
        {"--map-size", "1000", "1000"},
        {"--json", "", "--json"},
    };

    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        char *argv[] = {"b", (char *)cases[k][0], (char *)cases[k][1]};
        char err[256];
        struct bench_opts o;

        ck_assert_msg(parse(3, argv, &o, err) == -EINVAL, "%s %s accepted",
                      cases[k][0], cases[k][1]);
        ck_assert_msg(strstr(err, cases[k][2]) != NULL, "%s %s: '%s'",
                      cases[k][0], cases[k][1], err);
    }
}
END_TEST

START_TEST(missing_value)
{
    char *argv[] = {"b", "--sizes"};
    char err[256];
    struct bench_opts o;

    ck_assert_int_eq(parse(2, argv, &o, err), -EINVAL);
    ck_assert_str_eq(err, "option --sizes needs a value");
}
END_TEST

START_TEST(sizes)
{
    uint64_t v;

    ck_assert_int_eq(bench_parse_size("64", &v), 0);
    ck_assert_uint_eq(v, 64);
    ck_assert_int_eq(bench_parse_size("16KiB", &v), 0);
    ck_assert_uint_eq(v, 16384);
    ck_assert_int_eq(bench_parse_size("256M", &v), 0);
    ck_assert_uint_eq(v, 256u << 20);
    ck_assert_int_eq(bench_parse_size("257M", &v), -EINVAL);
    ck_assert_int_eq(bench_parse_size("4G", &v), -EINVAL);
    ck_assert_int_eq(bench_parse_size("K", &v), -EINVAL);
    ck_assert_int_eq(bench_parse_size("99999999999999999999999", &v), -EINVAL);
}
END_TEST

/* Nearest rank: the p-th percentile is the ceil(p*n/100)-th smallest. */
START_TEST(percentiles)
{
    uint64_t s[100];
    struct bench_stats st;

    for (int i = 0; i < 100; i++) {
        s[i] = (uint64_t)(100 - i) * 10; /* 1000 .. 10, unsorted */
    }
    bench_stats_compute(s, 100, &st);
    ck_assert_uint_eq(st.min, 10);
    ck_assert_uint_eq(st.p50, 500);
    ck_assert_uint_eq(st.p90, 900);
    ck_assert_uint_eq(st.p99, 990);
    ck_assert_uint_eq(st.max, 1000);
    ck_assert(st.mean > 504.9 && st.mean < 505.1);

    uint64_t one[] = {7};
    bench_stats_compute(one, 1, &st);
    ck_assert(st.min == 7 && st.p50 == 7 && st.p99 == 7 && st.max == 7);

    uint64_t three[] = {3, 1, 2};
    bench_stats_compute(three, 3, &st);
    ck_assert_uint_eq(st.p50, 2);
    ck_assert_uint_eq(st.p90, 3);
    ck_assert(st.min <= st.p50 && st.p50 <= st.p90 && st.p90 <= st.p99 &&
              st.p99 <= st.max);
}
END_TEST

static char *measure_json(const struct bench_results *r, size_t k)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    bench_json_measure(f, r, &r->m[k]);
    fclose(f);
    return buf;
}

START_TEST(measure_json_refs)
{
    struct bench_results r = {0};
    struct bench_measure *m, *ref;
    char *js;

    m = bench_add(&r, "mypci", "mmio", "mypci/mmio/bar0_read");
    snprintf(m->label, sizeof(m->label), "say \"hi\"\\");
    bench_add_ref(m, "edu/mmio/bar0_read");
    bench_add_ref(m, "pci-testdev/mmio/bar0_read");
    m->available = true;
    m->iterations = 10;
    m->ns = (struct bench_stats){
        .min = 1, .p50 = 300, .p90 = 3, .p99 = 400, .max = 5, .mean = 2};
    ref = bench_add(&r, "edu", "mmio", "edu/mmio/bar0_read");
    ref->available = true;
    ref->ns = (struct bench_stats){.p50 = 200, .p99 = 800};
    bench_unavailable(
        bench_add(&r, "pci-testdev", "mmio", "pci-testdev/mmio/bar0_read"),
        "no device");

    js = measure_json(&r, 0);
    ck_assert_msg(strstr(js, "\"label\": \"say \\\"hi\\\"\\\\\"") != NULL, "%s",
                  js);
    ck_assert_msg(strstr(js, "\"ratio_p50\": 1.500, \"ratio_p99\": 0.500") !=
                      NULL,
                  "%s", js);
    ck_assert_msg(strstr(js, "\"id\": \"pci-testdev/mmio/bar0_read\", "
                             "\"ratio_p50\": null") != NULL,
                  "%s", js);
    free(js);
    js = measure_json(&r, 2);
    ck_assert_msg(
        strstr(js, "\"available\": false, \"reason\": \"no device\"") != NULL,
        "%s", js);
    ck_assert_msg(strstr(js, "\"ns\"") == NULL, "%s", js);
    free(js);
    bench_results_free(&r);
}
END_TEST

static Suite *bench_suite(void)
{
    Suite *s = suite_create("bench");
    TCase *tc = tcase_create("bench");

    tcase_add_test(tc, defaults_and_common_options);
    tcase_add_test(tc, common_options);
    tcase_add_test(tc, usage_lists_every_option);
    tcase_add_test(tc, all_options);
    tcase_add_test(tc, bad_values);
    tcase_add_test(tc, missing_value);
    tcase_add_test(tc, sizes);
    tcase_add_test(tc, percentiles);
    tcase_add_test(tc, measure_json_refs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(bench_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
