/*
 * Unit tests of mypci-vfio-test's option parsing (mypci-bench's are in
 * test_bench.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

static int parse(int argc, char **argv, struct ct_options *o, char *err)
{
    return ct_parse_args(argc, argv, o, err, 256);
}

START_TEST(defaults)
{
    char *argv[] = {"mypci-vfio-test"};
    struct ct_options o;
    char err[256];

    ck_assert_int_eq(parse(1, argv, &o, err), 0);
    ck_assert_str_eq(o.c.device, "1af4:1236");
    ck_assert_int_eq(o.c.iommu, VFIO_IOMMU_AUTO);
    ck_assert(!o.c.bind && !o.list && !o.c.help);
    ck_assert_ptr_null(o.run);
    ck_assert_ptr_null(o.busy_device);
    ck_assert_int_eq(o.output, CT_OUTPUT_VERBOSE);
    ck_assert_uint_eq(o.c.iova_base, 0);
}
END_TEST

START_TEST(iova_base)
{
    char *hex[] = {"t", "--iova-base", "0x100000000"};
    char *dec[] = {"t", "--iova-base", "8192"};
    struct ct_options o;
    char err[256];

    ck_assert_int_eq(parse(3, hex, &o, err), 0);
    ck_assert_uint_eq(o.c.iova_base, 0x100000000ull);
    ck_assert_int_eq(parse(3, dec, &o, err), 0);
    ck_assert_uint_eq(o.c.iova_base, 8192);
}
END_TEST

START_TEST(all_test_options)
{
    char *argv[] = {"t",     "--device", "0000:00:03.0",  "--iommu",
                    "type1", "--bind",   "--list",        "--run",
                    "msix",  "--tap",    "--busy-device", "00:10.0"};
    struct ct_options o;
    char err[256];

    ck_assert_int_eq(parse(12, argv, &o, err), 0);
    ck_assert_str_eq(o.busy_device, "00:10.0");
    ck_assert_str_eq(o.c.device, "0000:00:03.0");
    ck_assert_int_eq(o.c.iommu, VFIO_IOMMU_TYPE1);
    ck_assert(o.c.bind && o.list);
    ck_assert_str_eq(o.run, "msix");
    ck_assert_int_eq(o.output, CT_OUTPUT_TAP);
}
END_TEST

struct bad_case {
    int argc;
    char *argv[4];
    const char *message;
};

START_TEST(bad_options)
{
    static struct bad_case cases[] = {
        {2, {"t", "--frob"}, "unknown option '--frob'"},
        {2, {"t", "--device"}, "option --device needs a value"},
        {3, {"t", "--device", "zz"}, "bad --device 'zz'"},
        {3, {"t", "--device", "0000:00:03"}, "bad --device '0000:00:03'"},
        {3, {"t", "--iommu", "type2"}, "bad --iommu 'type2'"},
        {2, {"t", "--run"}, "option --run needs a value"},
        {2, {"t", "--quick"}, "unknown option '--quick'"},
        {3, {"t", "--iova-base", "0x1001"}, "bad --iova-base '0x1001'"},
        {3, {"t", "--iova-base", "-4096"}, "bad --iova-base '-4096'"},
        {3, {"t", "--iova-base", "4k"}, "bad --iova-base '4k'"},
        {3,
         {"t", "--iova-base", "0x1000000000000000000"},
         "bad --iova-base '0x1000000000000000000'"},
        {2, {"t", "--iova-base"}, "option --iova-base needs a value"},
        {2, {"t", "--busy-device"}, "option --busy-device needs a value"},
        {3, {"t", "--busy-device", "00:10"}, "bad --busy-device '00:10'"},
    };
    struct ct_options o;
    char err[256];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ck_assert_int_eq(parse(cases[i].argc, cases[i].argv, &o, err), -EINVAL);
        ck_assert_msg(strstr(err, cases[i].message), "'%s' lacks '%s'", err,
                      cases[i].message);
    }
}
END_TEST

START_TEST(help_and_usage)
{
    char *argv[] = {"t", "--help"};
    struct ct_options o;
    char err[256];

    ck_assert_int_eq(parse(2, argv, &o, err), 0);
    ck_assert(o.c.help);
    ck_assert_ptr_nonnull(strstr(ct_usage(), "--run NAME"));
    ck_assert_ptr_nonnull(strstr(ct_usage(), "--iova-base ADDR"));
    ck_assert_ptr_nonnull(strstr(ct_usage(), "--busy-device BDF"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("conformance_args");
    TCase *tc = tcase_create("args");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, defaults);
    tcase_add_test(tc, iova_base);
    tcase_add_test(tc, all_test_options);
    tcase_add_test(tc, bad_options);
    tcase_add_test(tc, help_and_usage);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
