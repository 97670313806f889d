#include "mmio_args.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_u64(const char *text, uint64_t *out)
{
    char *end;

    if (text[0] == '\0' || text[0] == '-') {
        return -EINVAL;
    }
    errno = 0;
    *out = strtoull(text, &end, 0);
    if (errno != 0 || *end != '\0') {
        return -EINVAL;
    }
    return 0;
}

static int parse_width(const char *text, unsigned *width_bits)
{
    uint64_t width;

    if (parse_u64(text, &width) < 0) {
        return -EINVAL;
    }
    if (width != 8 && width != 16 && width != 32 && width != 64) {
        return -EINVAL;
    }
    *width_bits = (unsigned)width;
    return 0;
}

__attribute__((format(printf, 3, 4))) static int
fail(char *err, size_t err_len, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    vsnprintf(err, err_len, fmt, args);
    va_end(args);
    return -EINVAL;
}

int mmio_parse_args(int argc, char *const argv[], struct mmio_request *req,
                    char *err, size_t err_len)
{
    memset(req, 0, sizeof(*req));
    if (argc < 3) {
        return fail(err, err_len, "%s", "missing arguments");
    }
    if (parse_u64(argv[0], &req->phys_addr) < 0) {
        return fail(err, err_len, "bad address '%s'", argv[0]);
    }
    if (strcmp(argv[1], "r") == 0) {
        req->is_write = false;
    } else if (strcmp(argv[1], "w") == 0) {
        req->is_write = true;
    } else {
        return fail(err, err_len, "bad operation '%s' (want r or w)", argv[1]);
    }
    if (parse_width(argv[2], &req->width_bits) < 0) {
        return fail(err, err_len, "bad width '%s' (want 8, 16, 32 or 64)",
                    argv[2]);
    }
    if (req->phys_addr % (req->width_bits / 8) != 0) {
        return fail(err, err_len, "address '%s' is not aligned to the width",
                    argv[0]);
    }
    if (req->is_write && argc != 4) {
        return fail(err, err_len, "%s",
                    argc < 4 ? "missing VALUE for w" : "too many arguments");
    }
    if (!req->is_write && argc != 3) {
        return fail(err, err_len, "%s", "too many arguments");
    }
    if (req->is_write) {
        if (parse_u64(argv[3], &req->value) < 0) {
            return fail(err, err_len, "bad value '%s'", argv[3]);
        }
        if (req->width_bits < 64 && req->value >> req->width_bits != 0) {
            return fail(err, err_len, "value '%s' does not fit the width",
                        argv[3]);
        }
    }
    return 0;
}
