/*
 * Configure-time probe: meson builds the libFuzzer target only if clang can
 * link this with -fsanitize=fuzzer,address,undefined (libclang-rt-14-dev).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return data && size ? 0 : 0;
}
