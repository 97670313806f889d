/*
 * Small file helpers shared by the library's sysfs and /dev code (private to
 * driver/lib). Paths are always built under a root directory so that unit
 * tests can point the library at a fake tree.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef VFIO_LIB_SYSFS_H
#define VFIO_LIB_SYSFS_H

#include <stdbool.h>
#include <stddef.h>

#define VFIO_PATH_MAX 512

/* printf into buf; returns 0 or -ENAMETOOLONG. */
int path_fmt(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

bool path_exists(const char *path);

/* The last component of the symlink at path; 0 or -errno. */
int link_basename(const char *path, char *buf, size_t len);

/* Writes str to the file at path; 0 or -errno. */
int file_write_str(const char *path, const char *str);

/* Reads up to len-1 bytes, strips a trailing newline; 0 or -errno. */
int file_read_str(const char *path, char *buf, size_t len);

#endif
