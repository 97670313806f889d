/*
 * File helpers for sysfs and /dev (see sysfs.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs.h"

int path_fmt(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, len, fmt, ap);
    va_end(ap);
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

bool path_exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

int link_basename(const char *path, char *buf, size_t len)
{
    char target[VFIO_PATH_MAX];
    ssize_t n = readlink(path, target, sizeof(target) - 1);
    const char *base;

    if (n < 0) {
        return -errno;
    }
    target[n] = '\0';
    base = strrchr(target, '/');
    base = base ? base + 1 : target;
    if (strlen(base) >= len) {
        return -ENAMETOOLONG;
    }
    strcpy(buf, base);
    return 0;
}

int file_write_str(const char *path, const char *str)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    size_t len = strlen(str);
    ssize_t n;
    int err;

    if (fd < 0) {
        return -errno;
    }
    n = write(fd, str, len);
    err = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
    close(fd);
    return err;
}

int file_read_str(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0) {
        return -errno;
    }
    n = read(fd, buf, len - 1);
    close(fd);
    if (n < 0) {
        return -errno;
    }
    buf[n] = '\0';
    if (n > 0 && buf[n - 1] == '\n') {
        buf[n - 1] = '\0';
    }
    return 0;
}
