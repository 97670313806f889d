/*
 * Option-parsing helpers shared by the guest tools (mypci-vfio-test,
 * mypci-bench, mypci-fuzz, mypci-storm): each returns 0, or -EINVAL with a
 * message naming the bad argument in err (NUL-terminated, at most len
 * bytes), so parsers stay free of printing and unit-testable.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TOOL_OPT_H
#define TOOL_OPT_H

#include <stddef.h>
#include <stdint.h>

/* Formats the message into err; returns -EINVAL. */
int opt_error(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The value after argv[*i] (advancing *i), or "option X needs a value". */
int opt_value(int argc, char *const argv[], int *i, const char **out, char *err,
              size_t len);

/* As opt_value, as an unsigned number in any base strtoull takes. */
int opt_u64(int argc, char *const argv[], int *i, uint64_t *out, char *err,
            size_t len);

#endif
