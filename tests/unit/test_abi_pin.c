/*
 * Pins include/mypci/abi.h to docs/abi.md: reads the register table (§3),
 * the DMA error codes (§3), the vendor capability's table (§8) and the mypci
 * row of the devices table (§1) from the document and checks every offset,
 * width, access and reset value against the header, both ways, so a typo in
 * either fails.
 *
 * Usage: test_abi_pin ABI.md. Built a second time against a copy of the
 * header with one wrong offset, and run on a copy of the document with one
 * wrong offset, to show it fails (tests/meson.build, should_fail).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef MYPCI_ABI_HEADER
#include MYPCI_ABI_HEADER
#else
#include "mypci/abi.h"
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_CELLS 9
#define LINE_MAX_LEN 1024

struct reg {
    const char *name;
    unsigned offset;
    unsigned width;
    enum mypci_access access;
    enum mypci_reset_rule rule;
    uint32_t value;
};

#define REG_ROW_(n, o, w, a, r, v) {#n, o, w, MYPCI_ACC_##a, MYPCI_RV_##r, v},
static const struct reg header_regs[] = {MYPCI_ABI_REGS(REG_ROW_)};
#undef REG_ROW_

#define VCAP_ROW_(n, o, a) {#n, o, 32, MYPCI_ACC_##a, MYPCI_RV_NONE, 0},
static const struct reg header_vcap[] = {MYPCI_ABI_VCAP(VCAP_ROW_)};
#undef VCAP_ROW_

/* What the document says, gathered while reading it. */
struct doc {
    struct reg regs[ARRAY_SIZE(header_regs) + 8];
    size_t nregs;
    struct reg vcap[ARRAY_SIZE(header_vcap) + 8];
    size_t nvcap;
    char names[64][32];
    size_t nnames;
    int last_error_code; /* highest code in the §3 list, -1 if none */
    bool saw_vcap_head;
    bool saw_mypci_row;
};

static int failures;

__attribute__((format(printf, 1, 2))) static void fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fprintf(stderr, "abi pin: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failures++;
}

static char *trim(char *s)
{
    char *end;

    while (*s == ' ' || *s == '`') {
        s++;
    }
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '`' || end[-1] == '\n')) {
        *--end = '\0';
    }
    return s;
}

/* Splits "| a | b | c |" into trimmed cells; returns their number. */
static size_t split_row(char *line, char **cells)
{
    size_t n = 0;
    char *p = strchr(line, '|');

    while (p && n < MAX_CELLS) {
        char *next = strchr(p + 1, '|');

        if (!next) {
            break;
        }
        *next = '\0';
        cells[n++] = trim(p + 1);
        p = next;
    }
    return n;
}

static const char *keep_name(struct doc *d, const char *name)
{
    if (d->nnames == ARRAY_SIZE(d->names)) {
        return "?";
    }
    snprintf(d->names[d->nnames], sizeof(d->names[0]), "%s", name);
    return d->names[d->nnames++];
}

static bool parse_access(const char *cell, struct reg *r)
{
    r->width = strstr(cell, "64-bit") ? 64 : 32;
    if (strstr(cell, "RW1C")) {
        r->access = MYPCI_ACC_RW1C;
    } else if (strncmp(cell, "RO", 2) == 0) {
        r->access = MYPCI_ACC_RO;
    } else if (strncmp(cell, "RW", 2) == 0) {
        r->access = MYPCI_ACC_RW;
    } else if (strncmp(cell, "WO", 2) == 0) {
        r->access = MYPCI_ACC_WO;
    } else {
        return false;
    }
    return true;
}

static bool parse_reset(const char *cell, struct reg *r)
{
    char *end;

    r->value = 0;
    if (strcmp(cell, "-") == 0) {
        r->rule = MYPCI_RV_NONE;
    } else if (strcmp(cell, "scratch property") == 0 ||
               strcmp(cell, "scratch` property") == 0) {
        r->rule = MYPCI_RV_SCRATCH;
    } else if (strcmp(cell, "~SCRATCH") == 0) {
        r->rule = MYPCI_RV_NOT_SCRATCH;
    } else if (strcmp(cell, "see below") == 0) {
        r->rule = MYPCI_RV_FEATURES;
    } else {
        r->rule = MYPCI_RV_FIXED;
        r->value = (uint32_t)strtoul(cell, &end, 0);
        return end != cell && *end == '\0';
    }
    return true;
}

/* §3: | offset | name | access | reset | meaning | */
static void read_reg_row(struct doc *d, char **c, size_t n)
{
    struct reg r = {0};

    if (n < 4 || strncmp(c[0], "0x", 2) != 0 ||
        d->nregs == ARRAY_SIZE(d->regs)) {
        return;
    }
    r.offset = (unsigned)strtoul(c[0], NULL, 16);
    r.name = keep_name(d, c[1]);
    if (!parse_access(c[2], &r) || !parse_reset(c[3], &r)) {
        fail("§3 %s: cannot read the access or reset cell", r.name);
    }
    d->regs[d->nregs++] = r;
}

/* §8 +0x00: "ID 0x09, next, length 0x14, version 0x01". */
static void read_vcap_head(struct doc *d, const char *cell)
{
    unsigned id, len, version;

    d->saw_vcap_head = true;
    if (sscanf(cell, "ID %x, next, length %x, version %x", &id, &len,
               &version) != 3) {
        fail("§8 vendor capability +0x00: cannot read '%s'", cell);
        return;
    }
    if (id != MYPCI_VCAP_ID) {
        fail("§8 ID: doc %#x, header %#x", id, MYPCI_VCAP_ID);
    }
    if (len != MYPCI_VCAP_LEN) {
        fail("§8 length: doc %#x, header %#x", len, MYPCI_VCAP_LEN);
    }
    if (version != MYPCI_VCAP_VERSION) {
        fail("§8 version: doc %#x, header %#x", version, MYPCI_VCAP_VERSION);
    }
}

/* §8: | offset in cap | name | access | meaning | */
static void read_vcap_row(struct doc *d, char **c, size_t n)
{
    struct reg r = {0};

    if (n < 4 || strncmp(c[0], "+0x", 3) != 0 ||
        d->nvcap == ARRAY_SIZE(d->vcap)) {
        return;
    }
    r.offset = (unsigned)strtoul(c[0] + 1, NULL, 16);
    if (r.offset == 0) {
        read_vcap_head(d, c[1]);
        return;
    }
    r.name = keep_name(d, c[1]);
    if (!parse_access(c[2], &r)) {
        fail("§8 %s: cannot read the access cell", r.name);
    }
    r.width = 32; /* the body is dwords; §8 gives no reset column */
    r.rule = MYPCI_RV_NONE;
    if (strcmp(r.name, "SIGNATURE") == 0 &&
        strtoul(c[3], NULL, 16) != MYPCI_VCAP_SIGNATURE_VALUE) {
        fail("§8 SIGNATURE: doc %#lx, header %#x", strtoul(c[3], NULL, 16),
             MYPCI_VCAP_SIGNATURE_VALUE);
    }
    d->vcap[d->nvcap++] = r;
}

static void expect_hex(const char *what, const char *cell, unsigned long want)
{
    unsigned long got = strtoul(cell, NULL, 16);

    if (got != want) {
        fail("§1 mypci %s: doc %#lx, header %#lx", what, got, want);
    }
}

/* §1: | `mypci` | bus | vendor:device | rev | class | subsystem | ... */
static void read_device_row(struct doc *d, char **c, size_t n)
{
    if (n < 6 || strcmp(c[0], "mypci") != 0) {
        return;
    }
    d->saw_mypci_row = true;
    expect_hex("vendor", c[2], MYPCI_VENDOR_ID);
    expect_hex("device", strchr(c[2], ':') ? strchr(c[2], ':') + 1 : "",
               MYPCI_DEVICE_ID);
    expect_hex("revision", c[3], MYPCI_REVISION);
    expect_hex("class", c[4], MYPCI_CLASS);
    expect_hex("subsystem vendor", c[5], MYPCI_SUBSYS_VENDOR_ID);
    expect_hex("subsystem", strchr(c[5], ':') ? strchr(c[5], ':') + 1 : "",
               MYPCI_SUBSYS_ID);
}

/* §3: "- N: meaning" lines list the DMA error codes 0, 1, 2... in order. */
static void read_error_code(struct doc *d, const char *line)
{
    char *end;
    long code = strtol(line + 2, &end, 10);

    if (end == line + 2 || *end != ':') {
        return;
    }
    if (code != d->last_error_code + 1) {
        fail("§3 DMA error codes: code %ld after %d", code, d->last_error_code);
    }
    d->last_error_code = (int)code;
}

static void read_line(struct doc *d, int section, char *line)
{
    char *cells[MAX_CELLS];
    size_t n;

    if (section == 3 && strncmp(line, "- ", 2) == 0) {
        read_error_code(d, line);
        return;
    }
    if (line[0] != '|') {
        return;
    }
    n = split_row(line, cells);
    if (section == 1) {
        read_device_row(d, cells, n);
    } else if (section == 3) {
        read_reg_row(d, cells, n);
    } else if (section == 8) {
        read_vcap_row(d, cells, n);
    }
}

static int read_doc(const char *path, struct doc *d)
{
    char line[LINE_MAX_LEN];
    int section = 0;
    FILE *f = fopen(path, "r");

    if (!f) {
        perror(path);
        return -1;
    }
    d->last_error_code = -1;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "## ", 3) == 0) {
            section = atoi(line + 3);
        } else {
            read_line(d, section, line);
        }
    }
    fclose(f);
    return 0;
}

static const struct reg *find(const struct reg *regs, size_t n,
                              const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(regs[i].name, name) == 0) {
            return &regs[i];
        }
    }
    return NULL;
}

static const char *access_name(enum mypci_access a)
{
    static const char *const names[] = {"RO", "RW", "WO", "RW1C"};

    return (unsigned)a < ARRAY_SIZE(names) ? names[a] : "?";
}

static void compare_reg(const char *sec, const struct reg *doc,
                        const struct reg *hdr)
{
    char what[64];

    snprintf(what, sizeof(what), "%s %s", sec, hdr->name);
    if (doc->offset != hdr->offset) {
        fail("%s: offset: doc %#x, header %#x", what, doc->offset, hdr->offset);
    }
    if (doc->width != hdr->width) {
        fail("%s: width: doc %u, header %u", what, doc->width, hdr->width);
    }
    if (doc->access != hdr->access) {
        fail("%s: access: doc %s, header %s", what, access_name(doc->access),
             access_name(hdr->access));
    }
    if (doc->rule != hdr->rule || doc->value != hdr->value) {
        fail("%s: reset: doc rule %d value %#x, header rule %d value %#x", what,
             doc->rule, doc->value, hdr->rule, hdr->value);
    }
}

/* Every row of one side has its twin on the other, equal in every column. */
static void compare_tables(const char *sec, const struct reg *doc, size_t ndoc,
                           const struct reg *hdr, size_t nhdr)
{
    for (size_t i = 0; i < nhdr; i++) {
        const struct reg *twin = find(doc, ndoc, hdr[i].name);

        if (!twin) {
            fail("%s %s: in the header, not in the document", sec, hdr[i].name);
            continue;
        }
        compare_reg(sec, twin, &hdr[i]);
    }
    for (size_t i = 0; i < ndoc; i++) {
        if (!find(hdr, nhdr, doc[i].name)) {
            fail("%s %s: in the document, not in the header", sec, doc[i].name);
        }
    }
}

/* Layout rules §3 states in prose, checked on the header alone. */
static void check_layout(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(header_regs); i++) {
        const struct reg *r = &header_regs[i];

        if (r->offset % (r->width / 8) != 0 ||
            r->offset + r->width / 8 > MYPCI_REG_PAGE_SIZE) {
            fail("§3 %s: misplaced at %#x (width %u)", r->name, r->offset,
                 r->width);
        }
        if (i > 0 && r->offset < header_regs[i - 1].offset +
                                     header_regs[i - 1].width / 8) {
            fail("§3 %s: overlaps the register before it", r->name);
        }
    }
}

int main(int argc, char **argv)
{
    static struct doc d;

    if (argc != 2) {
        fprintf(stderr, "usage: %s ABI.md\n", argv[0]);
        return 2;
    }
    if (read_doc(argv[1], &d) < 0) {
        return 2;
    }
    compare_tables("§3", d.regs, d.nregs, header_regs, ARRAY_SIZE(header_regs));
    compare_tables("§8", d.vcap, d.nvcap, header_vcap, ARRAY_SIZE(header_vcap));
    if (!d.saw_vcap_head || !d.saw_mypci_row) {
        fail("missing rows: §8 +0x00 %s, §1 mypci %s",
             d.saw_vcap_head ? "found" : "missing",
             d.saw_mypci_row ? "found" : "missing");
    }
    if (d.last_error_code != MYPCI_DMA_ERR_LAST) {
        fail("§3 DMA error codes: last in the document %d, header %d",
             d.last_error_code, MYPCI_DMA_ERR_LAST);
    }
    check_layout();
    printf("%s: %zu registers, %zu capability fields, error codes 0-%d: %s\n",
           argv[1], d.nregs, d.nvcap, d.last_error_code,
           failures ? "MISMATCH" : "match the header");
    return failures ? 1 : 0;
}
