/*
 * The data pattern the tools and the conformance suite fill DMA buffers
 * with and check transfers against: a cheap LCG stream per tag, so every
 * byte of a copy is checked and two tags never look alike.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PATTERN_H
#define PATTERN_H

#include <stddef.h>
#include <stdint.h>

/* Fills len bytes with the pattern of tag. */
void pattern_fill(volatile void *p, size_t len, uint32_t tag);

/* Index of the first byte differing from tag's pattern, or -1. */
long pattern_check(const volatile void *p, size_t len, uint32_t tag);

#endif
