/*
 * The tools' data pattern (see pattern.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "pattern.h"

static uint32_t pattern_start(uint32_t tag)
{
    return tag * 2654435761u + 1;
}

static uint8_t pattern_next(uint32_t *x)
{
    *x = *x * 1103515245u + 12345u;
    return (uint8_t)(*x >> 16);
}

void pattern_fill(volatile void *p, size_t len, uint32_t tag)
{
    volatile uint8_t *b = p;
    uint32_t x = pattern_start(tag);

    for (size_t i = 0; i < len; i++) {
        b[i] = pattern_next(&x);
    }
}

long pattern_check(const volatile void *p, size_t len, uint32_t tag)
{
    const volatile uint8_t *b = p;
    uint32_t x = pattern_start(tag);

    for (size_t i = 0; i < len; i++) {
        if (b[i] != pattern_next(&x)) {
            return (long)i;
        }
    }
    return -1;
}
