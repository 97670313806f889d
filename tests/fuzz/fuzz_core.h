/*
 * The fuzz harness's entry point, shared by libFuzzer (fuzz_core, built with
 * clang) and the plain replay driver (replay.c, built with the project's
 * compiler).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef FUZZ_CORE_H
#define FUZZ_CORE_H

#include <stddef.h>
#include <stdint.h>

/* Runs one input; aborts (with a message on stderr) if an invariant breaks. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
