/*
 * Unit tests of mypci-fuzz's and mypci-storm's option parsing, and of the
 * option helpers the guest tools share (tools/common/opt.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "opt.h"
#include "rel.h"

START_TEST(defaults)
{
    char *argv[] = {"mypci-fuzz"};
    struct rel_options o;
    char err[256];

    ck_assert_int_eq(rel_parse_args(REL_FUZZ, 1, argv, &o, err, sizeof(err)),
                     0);
    ck_assert_str_eq(o.c.device, "1af4:1236");
    ck_assert_int_eq(o.c.iommu, VFIO_IOMMU_AUTO);
    ck_assert(!o.c.bind && !o.c.help && !o.seed_given);
    ck_assert_ptr_null(o.busy_device);
    ck_assert_uint_eq(o.ops, 2000);
    ck_assert_uint_eq(o.batch, 200);
    ck_assert_uint_eq(o.transfers, 1000000);
    ck_assert_uint_eq(o.soak_s, 0);
}
END_TEST

START_TEST(fuzz_and_storm_options)
{
    char *fuzz[] = {
        "f",        "--ops",   "0x100",         "--batch", "10",
        "--seed",   "7",       "--bind",        "--iommu", "iommufd",
        "--device", "00:03.0", "--busy-device", "00:10.0"};
    char *storm[] = {"s", "--transfers", "5", "--soak", "60"};
    struct rel_options o;
    char err[256];

    ck_assert_int_eq(rel_parse_args(REL_FUZZ, 14, fuzz, &o, err, sizeof(err)),
                     0);
    ck_assert_uint_eq(o.ops, 256);
    ck_assert_uint_eq(o.batch, 10);
    ck_assert(o.seed_given && o.seed == 7 && o.c.bind);
    ck_assert_int_eq(o.c.iommu, VFIO_IOMMU_IOMMUFD);
    ck_assert_str_eq(o.c.device, "00:03.0");
    ck_assert_str_eq(o.busy_device, "00:10.0");
    ck_assert_int_eq(rel_parse_args(REL_STORM, 5, storm, &o, err, sizeof(err)),
                     0);
    ck_assert_uint_eq(o.transfers, 5);
    ck_assert_uint_eq(o.soak_s, 60);
}
END_TEST

struct bad_case {
    enum rel_program prog;
    int argc;
    char *argv[3];
    const char *message;
};

START_TEST(bad_options)
{
    static struct bad_case cases[] = {
        {REL_FUZZ, 2, {"f", "--ops"}, "option --ops needs a value"},
        {REL_FUZZ, 3, {"f", "--ops", "-1"}, "bad number '-1' for --ops"},
        {REL_FUZZ, 3, {"f", "--ops", "12x"}, "bad number '12x' for --ops"},
        {REL_FUZZ, 3, {"f", "--batch", "0"}, "--batch must be > 0"},
        {REL_FUZZ,
         3,
         {"f", "--transfers", "5"},
         "unknown option '--transfers'"},
        {REL_STORM, 3, {"s", "--ops", "5"}, "unknown option '--ops'"},
        {REL_FUZZ, 2, {"f", "--busy-device"}, "option --busy-device needs"},
        {REL_STORM,
         3,
         {"s", "--busy-device", "00:10.0"},
         "unknown option '--busy-device'"},
        {REL_STORM, 3, {"s", "--device", "zz"}, "bad --device 'zz'"},
        {REL_STORM, 3, {"s", "--iommu", "type2"}, "bad --iommu 'type2'"},
        {REL_STORM,
         3,
         {"s", "--seed", "0x1000000000000000000"},
         "bad number '0x1000000000000000000' for --seed"},
    };
    struct rel_options o;
    char err[256];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ck_assert_int_eq(rel_parse_args(cases[i].prog, cases[i].argc,
                                        cases[i].argv, &o, err, sizeof(err)),
                         -EINVAL);
        ck_assert_msg(strstr(err, cases[i].message), "'%s' lacks '%s'", err,
                      cases[i].message);
    }
}
END_TEST

START_TEST(shared_helpers)
{
    char *argv[] = {"t", "--x", "42", "--y"};
    const char *v = NULL;
    uint64_t n = 0;
    char err[8];
    int i = 1;

    ck_assert_int_eq(opt_u64(4, argv, &i, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 42);
    ck_assert_int_eq(i, 2);
    i = 3;
    ck_assert_int_eq(opt_value(4, argv, &i, &v, err, sizeof(err)), -EINVAL);
    /* A short buffer still ends in a NUL. */
    ck_assert_str_eq(err, "option ");
    ck_assert_int_eq(opt_error(err, sizeof(err), "%d", 5), -EINVAL);
    ck_assert_str_eq(err, "5");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rel_args");
    TCase *tc = tcase_create("parse");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, defaults);
    tcase_add_test(tc, fuzz_and_storm_options);
    tcase_add_test(tc, bad_options);
    tcase_add_test(tc, shared_helpers);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
