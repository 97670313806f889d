/*
 * mmio_rw: read or write one naturally aligned word of physical memory
 * through /dev/mem, for poking device registers from a guest shell.
 *
 *   mmio_rw ADDR r WIDTH
 *   mmio_rw ADDR w WIDTH VALUE        (WIDTH: 8, 16, 32 or 64)
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mmio_args.h"

/* 2: bad argument or an address /dev/mem refuses; 1: no /dev/mem. */
enum { EXIT_USAGE = 2, EXIT_IO = 1 };

static void usage(FILE *out)
{
    fputs("usage: mmio_rw ADDR r WIDTH\n"
          "       mmio_rw ADDR w WIDTH VALUE\n"
          "ADDR and VALUE in C notation (0x.. hex), WIDTH 8, 16, 32 or 64;\n"
          "ADDR must be aligned to WIDTH.\n",
          out);
}

/* Volatile accesses of exactly the requested width: MMIO must not be split. */
static uint64_t mmio_read(volatile void *p, unsigned width_bits)
{
    switch (width_bits) {
    case 8:
        return *(volatile uint8_t *)p;
    case 16:
        return *(volatile uint16_t *)p;
    case 32:
        return *(volatile uint32_t *)p;
    default:
        return *(volatile uint64_t *)p;
    }
}

static void mmio_write(volatile void *p, unsigned width_bits, uint64_t value)
{
    switch (width_bits) {
    case 8:
        *(volatile uint8_t *)p = (uint8_t)value;
        break;
    case 16:
        *(volatile uint16_t *)p = (uint16_t)value;
        break;
    case 32:
        *(volatile uint32_t *)p = (uint32_t)value;
        break;
    default:
        *(volatile uint64_t *)p = value;
        break;
    }
}

/*
 * Returns 0, or -errno with *stage naming what failed: opening /dev/mem is an
 * environment problem, a refused mmap means the address is not accessible.
 */
static int access_phys(const struct mmio_request *req, uint64_t *value_read,
                       const char **stage)
{
    long page_size = sysconf(_SC_PAGESIZE);
    uint64_t page_base = req->phys_addr & ~((uint64_t)page_size - 1);
    int fd = open("/dev/mem", (req->is_write ? O_RDWR : O_RDONLY) | O_SYNC);
    void *map;

    if (fd < 0) {
        *stage = "open /dev/mem";
        return -errno;
    }
    map = mmap(NULL, (size_t)page_size,
               req->is_write ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED,
               fd, (off_t)page_base);
    close(fd);
    if (map == MAP_FAILED) {
        *stage = "map address";
        return -errno;
    }
    volatile char *target = (volatile char *)map + (req->phys_addr - page_base);
    if (req->is_write) {
        mmio_write(target, req->width_bits, req->value);
    } else {
        *value_read = mmio_read(target, req->width_bits);
    }
    munmap(map, (size_t)page_size);
    return 0;
}

int main(int argc, char *argv[])
{
    struct mmio_request req;
    char err[128];
    uint64_t value = 0;
    int ret;

    if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(stdout);
        return 0;
    }
    if (mmio_parse_args(argc - 1, argv + 1, &req, err, sizeof(err)) < 0) {
        fprintf(stderr, "mmio_rw: %s\n", err);
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *stage = "";
    ret = access_phys(&req, &value, &stage);
    if (ret < 0) {
        fprintf(stderr, "mmio_rw: %s 0x%" PRIx64 ": %s\n", stage,
                req.phys_addr, strerror(-ret));
        return strcmp(stage, "map address") == 0 ? EXIT_USAGE : EXIT_IO;
    }
    if (!req.is_write) {
        printf("0x%0*" PRIx64 "\n", (int)(req.width_bits / 4), value);
    }
    return 0;
}
