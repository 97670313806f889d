/* Command-line parsing for mmio_rw, kept apart from main() so it is unit-tested. */
#ifndef MMIO_ARGS_H
#define MMIO_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mmio_request {
    uint64_t phys_addr;
    unsigned width_bits; /* 8, 16, 32 or 64 */
    bool is_write;
    uint64_t value; /* only for writes */
};

/*
 * Parses "ADDR r WIDTH" or "ADDR w WIDTH VALUE" (argv without the program
 * name). Returns 0, or -EINVAL with a message naming the bad argument in
 * err (NUL-terminated, at most err_len bytes).
 */
int mmio_parse_args(int argc, char *const argv[], struct mmio_request *req,
                    char *err, size_t err_len);

#endif
