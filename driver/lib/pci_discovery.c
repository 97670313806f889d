/*
 * PCI discovery with libpci and vfio-pci binding via sysfs (see
 * vfio/pci_discovery.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include "sysfs.h"
#include "vfio/pci_discovery.h"

static const char *sys_root(const struct vfio_env *env)
{
    return env && env->sys_root ? env->sys_root : "/sys";
}

/* Exactly n hex digits at s, then a character in end ("" = end of string). */
static bool hex_field(const char *s, size_t n, const char *end, unsigned *value)
{
    char tmp[9];

    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    if (end[0] ? s[n] != end[0] : s[n] != '\0') {
        return false;
    }
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    *value = (unsigned)strtoul(tmp, NULL, 16);
    return true;
}

static bool parse_id(const char *s, struct vfio_pci_match *m)
{
    unsigned v, d;

    if (strlen(s) != 9 || !hex_field(s, 4, ":", &v) ||
        !hex_field(s + 5, 4, "", &d)) {
        return false;
    }
    m->by_id = true;
    m->vendor = (uint16_t)v;
    m->device = (uint16_t)d;
    return true;
}

/* "BB:SS.F" with a slot below 32 and a function below 8. */
static bool parse_bus_slot_func(const char *s, struct vfio_pci_match *m)
{
    unsigned bus, slot, func;

    if (strlen(s) != 7 || !hex_field(s, 2, ":", &bus) ||
        !hex_field(s + 3, 2, ".", &slot) || !hex_field(s + 6, 1, "", &func) ||
        slot > 0x1f || func > 7) {
        return false;
    }
    m->bus = bus;
    m->slot = slot;
    m->func = func;
    return true;
}

static bool parse_bdf(const char *s, struct vfio_pci_match *m)
{
    unsigned domain = 0;

    if (strlen(s) == 12) {
        if (!hex_field(s, 4, ":", &domain)) {
            return false;
        }
        s += 5;
    }
    m->by_id = false;
    m->domain = domain;
    return parse_bus_slot_func(s, m);
}

int vfio_pci_match_parse(const char *spec, struct vfio_pci_match *m,
                         struct vfio_error *e)
{
    memset(m, 0, sizeof(*m));
    if (spec && (parse_id(spec, m) || parse_bdf(spec, m))) {
        return 0;
    }
    return vfio_error_set(e, VFIO_CAUSE_BAD_ADDRESS, EINVAL,
                          "'%s' is neither VENDOR:DEVICE nor a PCI address",
                          spec ? spec : "(null)");
}

void vfio_pci_bdf_format(const struct vfio_pci_match *m, char *buf, size_t len)
{
    snprintf(buf, len, "%04x:%02x:%02x.%x", m->domain, m->bus, m->slot,
             m->func);
}

/* libpci's warnings would go to stderr; the library prints nothing. */
static void pci_quiet(char *msg, ...)
{
}

static bool device_matches(struct pci_dev *d, const struct vfio_pci_match *m)
{
    if (m->by_id) {
        pci_fill_info(d, PCI_FILL_IDENT);
        return d->vendor_id == m->vendor && d->device_id == m->device;
    }
    return (unsigned)d->domain == m->domain && d->bus == m->bus &&
           d->dev == m->slot && d->func == m->func;
}

/* Devices come in the kernel's order; the list is sorted for stable output. */
static int bdf_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

int vfio_pci_find(const struct vfio_env *env, const struct vfio_pci_match *m,
                  char (*bdfs)[VFIO_PCI_BDF_MAX], size_t max, size_t *n,
                  struct vfio_error *e)
{
    char path[VFIO_PATH_MAX];
    struct pci_access *pacc;

    /*
     * libpci's error hook must not return (it exits by default), so every
     * condition that would reach it is checked here first.
     */
    path_fmt(path, sizeof(path), "%s/bus/pci", sys_root(env));
    if (!path_exists(path)) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, ENOENT,
                              "%s does not exist (sysfs not mounted?)", path);
    }
    pacc = pci_alloc();
    pacc->warning = pci_quiet;
    pacc->debug = pci_quiet;
    pacc->method = PCI_ACCESS_SYS_BUS_PCI;
    pci_set_param(pacc, "sysfs.path", path);
    pci_init(pacc);
    pci_scan_bus(pacc);
    *n = 0;
    for (struct pci_dev *d = pacc->devices; d; d = d->next) {
        if (device_matches(d, m)) {
            if (*n < max) {
                snprintf(bdfs[*n], VFIO_PCI_BDF_MAX, "%04x:%02x:%02x.%x",
                         d->domain, d->bus, d->dev, d->func);
            }
            (*n)++;
        }
    }
    pci_cleanup(pacc);
    qsort(bdfs, *n < max ? *n : max, VFIO_PCI_BDF_MAX, bdf_cmp);
    return 0;
}

int vfio_pci_resolve(const struct vfio_env *env, const char *spec,
                     char bdf[VFIO_PCI_BDF_MAX], struct vfio_error *e)
{
    struct vfio_pci_match m;
    size_t n;
    int err = vfio_pci_match_parse(spec, &m, e);

    if (err == 0) {
        err = vfio_pci_find(env, &m, (char(*)[VFIO_PCI_BDF_MAX])bdf, 1, &n, e);
    }
    if (err < 0) {
        return err;
    }
    if (n == 0) {
        return vfio_error_set(e, VFIO_CAUSE_NOT_FOUND, ENODEV,
                              "no PCI device matches '%s'", spec);
    }
    return 0;
}

void vfio_pci_current_driver(const struct vfio_env *env, const char *bdf,
                             char *buf, size_t len)
{
    char path[VFIO_PATH_MAX];

    path_fmt(path, sizeof(path), "%s/bus/pci/devices/%s/driver", sys_root(env),
             bdf);
    if (link_basename(path, buf, len) < 0) {
        buf[0] = '\0';
    }
}

static int sysfs_write(const struct vfio_env *env, const char *rel,
                       const char *value, struct vfio_error *e)
{
    char path[VFIO_PATH_MAX];
    int err;

    path_fmt(path, sizeof(path), "%s/%s", sys_root(env), rel);
    err = file_write_str(path, value);
    if (err < 0) {
        return vfio_error_set(e, vfio_cause_classify(VFIO_OP_SYSFS, -err), err,
                              "writing '%s' to %s", value, path);
    }
    return 0;
}

/* Why vfio-pci did not take the device: most often no IOMMU group. */
static int bind_failed(const struct vfio_env *env, const char *bdf,
                       struct vfio_error *e)
{
    char now[64];
    int group;

    if (vfio_device_iommu_group(env, bdf, &group) < 0) {
        return vfio_error_set(e, VFIO_CAUSE_NO_IOMMU, ENODEV,
                              "vfio-pci refused %s: it has no IOMMU group",
                              bdf);
    }
    vfio_pci_current_driver(env, bdf, now, sizeof(now));
    return vfio_error_set(e, VFIO_CAUSE_NOT_BOUND, EIO,
                          "%s did not bind to vfio-pci (driver now: %s)", bdf,
                          now[0] ? now : "none");
}

int vfio_pci_bind(const struct vfio_env *env, const char *bdf,
                  struct vfio_pci_binding *b, struct vfio_error *e)
{
    char rel[VFIO_PATH_MAX], now[64];
    int err;

    memset(b, 0, sizeof(*b));
    snprintf(b->bdf, sizeof(b->bdf), "%s", bdf);
    vfio_pci_current_driver(env, bdf, b->orig_driver, sizeof(b->orig_driver));
    if (strcmp(b->orig_driver, "vfio-pci") == 0) {
        return 0;
    }
    path_fmt(rel, sizeof(rel), "%s/bus/pci/drivers/vfio-pci", sys_root(env));
    if (!path_exists(rel)) {
        return vfio_error_set(e, VFIO_CAUSE_NO_VFIO, ENODEV,
                              "%s does not exist (vfio-pci not loaded)", rel);
    }
    path_fmt(rel, sizeof(rel), "bus/pci/devices/%s/driver_override", bdf);
    err = sysfs_write(env, rel, "vfio-pci", e);
    if (err == 0 && b->orig_driver[0]) {
        path_fmt(rel, sizeof(rel), "bus/pci/devices/%s/driver/unbind", bdf);
        err = sysfs_write(env, rel, bdf, e);
    }
    b->changed = true;
    /* drivers_probe fails when vfio-pci's probe does; the check says why. */
    if (err == 0) {
        sysfs_write(env, "bus/pci/drivers_probe", bdf, NULL);
        vfio_pci_current_driver(env, bdf, now, sizeof(now));
        err = strcmp(now, "vfio-pci") == 0 ? 0 : bind_failed(env, bdf, e);
    }
    return err;
}

int vfio_pci_unbind_restore(const struct vfio_env *env,
                            struct vfio_pci_binding *b, struct vfio_error *e)
{
    char rel[VFIO_PATH_MAX], now[64];
    int err = 0;

    if (!b->changed) {
        return 0;
    }
    b->changed = false;
    vfio_pci_current_driver(env, b->bdf, now, sizeof(now));
    if (now[0]) {
        path_fmt(rel, sizeof(rel), "bus/pci/devices/%s/driver/unbind", b->bdf);
        err = sysfs_write(env, rel, b->bdf, e);
    }
    path_fmt(rel, sizeof(rel), "bus/pci/devices/%s/driver_override", b->bdf);
    if (err == 0) {
        err = sysfs_write(env, rel, "\n", e);
    }
    if (err < 0 || !b->orig_driver[0]) {
        return err;
    }
    sysfs_write(env, "bus/pci/drivers_probe", b->bdf, NULL);
    vfio_pci_current_driver(env, b->bdf, now, sizeof(now));
    if (strcmp(now, b->orig_driver) != 0) {
        return vfio_error_set(e, VFIO_CAUSE_SYSTEM, EIO,
                              "%s did not return to %s (driver now: %s)",
                              b->bdf, b->orig_driver, now[0] ? now : "none");
    }
    return 0;
}
