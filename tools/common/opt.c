/*
 * Option-parsing helpers (see opt.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "opt.h"

int opt_error(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

int opt_value(int argc, char *const argv[], int *i, const char **out, char *err,
              size_t len)
{
    if (*i + 1 >= argc) {
        return opt_error(err, len, "option %s needs a value", argv[*i]);
    }
    *out = argv[++*i];
    return 0;
}

int opt_u64(int argc, char *const argv[], int *i, uint64_t *out, char *err,
            size_t len)
{
    const char *opt = argv[*i], *v;
    char *end;

    if (opt_value(argc, argv, i, &v, err, len) < 0) {
        return -EINVAL;
    }
    errno = 0;
    *out = strtoull(v, &end, 0);
    if (errno || end == v || *end || v[0] == '-') {
        return opt_error(err, len, "bad number '%s' for %s", v, opt);
    }
    return 0;
}
