#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mmio_args.h"

static int parse(int argc, char *const argv[], struct mmio_request *req,
                 char *err)
{
    return mmio_parse_args(argc, argv, req, err, 128);
}

START_TEST(read_request)
{
    char *argv[] = {"0xfebf1000", "r", "32"};
    struct mmio_request req;
    char err[128];

    ck_assert_int_eq(parse(3, argv, &req, err), 0);
    ck_assert_uint_eq(req.phys_addr, 0xfebf1000);
    ck_assert_uint_eq(req.width_bits, 32);
    ck_assert(!req.is_write);
}
END_TEST

START_TEST(write_request_each_width)
{
    static const char *widths[] = {"8", "16", "32", "64"};
    static const unsigned bits[] = {8, 16, 32, 64};
    struct mmio_request req;
    char err[128];

    for (int i = 0; i < 4; i++) {
        char *argv[] = {"0x1000", "w", (char *)widths[i], "0x7f"};
        ck_assert_int_eq(parse(4, argv, &req, err), 0);
        ck_assert(req.is_write);
        ck_assert_uint_eq(req.width_bits, bits[i]);
        ck_assert_uint_eq(req.value, 0x7f);
    }
}
END_TEST

START_TEST(value_64_bit_max)
{
    char *argv[] = {"0x1000", "w", "64", "0xffffffffffffffff"};
    struct mmio_request req;
    char err[128];

    ck_assert_int_eq(parse(4, argv, &req, err), 0);
    ck_assert_uint_eq(req.value, UINT64_MAX);
}
END_TEST

struct bad_case {
    int argc;
    const char *argv[5];
    const char *message_part;
};

static const struct bad_case bad_cases[] = {
    {2, {"0x1000", "r"}, "missing arguments"},
    {3, {"zz", "r", "32"}, "bad address 'zz'"},
    {3, {"-4", "r", "32"}, "bad address '-4'"},
    {3, {"0x1000x", "r", "32"}, "bad address"},
    {3, {"0x1000", "x", "32"}, "bad operation 'x'"},
    {3, {"0x1000", "r", "12"}, "bad width '12'"},
    {3, {"0x1000", "r", "abc"}, "bad width 'abc'"},
    {3, {"0x1002", "r", "32"}, "not aligned"},
    {3, {"0x1004", "r", "64"}, "not aligned"},
    {3, {"0x1000", "w", "32"}, "missing VALUE"},
    {4, {"0x1000", "w", "8", "0x100"}, "does not fit"},
    {4, {"0x1000", "w", "16", "0x10000"}, "does not fit"},
    {4, {"0x1000", "w", "32", "foo"}, "bad value 'foo'"},
    {4, {"0x1000", "r", "32", "1"}, "too many arguments"},
    {5, {"0x1000", "w", "32", "1", "2"}, "too many arguments"},
    {3, {"0x99999999999999999999", "r", "32"}, "bad address"},
};

START_TEST(bad_arguments_are_named)
{
    const struct bad_case *c = &bad_cases[_i];
    struct mmio_request req;
    char err[128] = "";

    ck_assert_int_eq(parse(c->argc, (char *const *)c->argv, &req, err),
                     -EINVAL);
    ck_assert_msg(strstr(err, c->message_part) != NULL,
                  "case %d: message '%s' lacks '%s'", _i, err,
                  c->message_part);
}
END_TEST

static Suite *mmio_args_suite(void)
{
    Suite *s = suite_create("mmio_args");
    TCase *tc = tcase_create("parse");

    tcase_add_test(tc, read_request);
    tcase_add_test(tc, write_request_each_width);
    tcase_add_test(tc, value_64_bit_max);
    tcase_add_loop_test(tc, bad_arguments_are_named, 0,
                        (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(mmio_args_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
