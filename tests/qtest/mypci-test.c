/*
 * qtest device tests for mypci (ABI sections 2, 3, 7, 8, 10), built inside
 * QEMU's tree with libqtest/libqos like QEMU's own device tests:
 * scripts/build-qemu.sh links this file as tests/qtest/mypci-test.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/pci.h"
#include "libqos/pci-pc.h"
#include "hw/pci/pci_regs.h"

#define MYPCI_DEVFN QPCI_DEVFN(4, 0)
#define REG_SCRATCH 0x008
#define REG_INVERT 0x00c
#define REG_IRQ_ENABLE 0x024
#define REG_DMA_SRC 0x040
#define REG_DMA_DST 0x048
#define REG_DMA_LEN 0x050
#define REG_DMA_CMD 0x054
#define REG_DMA_STATUS 0x058
#define VCAP_MAILBOX 0x08

/* The transfer runs in a bottom half after the MMIO write: wait for it. */
static uint32_t wait_dma(QPCIDevice *dev, QPCIBar bar0)
{
    for (int i = 0; i < 10000; i++) {
        uint32_t status = qpci_io_readl(dev, bar0, REG_DMA_STATUS);

        if (!(status & 0x1)) {
            return status;
        }
    }
    g_error("DMA still busy");
}

typedef struct {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
} Fixture;

static void fixture_start(Fixture *f, const char *device_args)
{
    f->qts = qtest_initf("-machine q35 -nodefaults -device mypci,addr=04.0%s",
                         device_args);
    f->bus = qpci_new_pc(f->qts, NULL);
    f->dev = qpci_device_find(f->bus, MYPCI_DEVFN);
    g_assert_nonnull(f->dev);
}

static void fixture_stop(Fixture *f)
{
    g_free(f->dev);
    qpci_free_pc(f->bus);
    qtest_quit(f->qts);
}

static uint8_t find_cap(QPCIDevice *dev, uint8_t id)
{
    uint8_t pos = qpci_config_readb(dev, PCI_CAPABILITY_LIST);

    while (pos) {
        if (qpci_config_readb(dev, pos + PCI_CAP_LIST_ID) == id) {
            return pos;
        }
        pos = qpci_config_readb(dev, pos + PCI_CAP_LIST_NEXT);
    }
    return 0;
}

static void test_ids(void)
{
    Fixture f;

    fixture_start(&f, "");
    g_assert_cmphex(qpci_config_readw(f.dev, PCI_VENDOR_ID), ==, 0x1af4);
    g_assert_cmphex(qpci_config_readw(f.dev, PCI_DEVICE_ID), ==, 0x1236);
    g_assert_cmphex(qpci_config_readb(f.dev, PCI_REVISION_ID), ==, 0x01);
    g_assert_cmphex(qpci_config_readw(f.dev, PCI_CLASS_DEVICE), ==, 0x00ff);
    g_assert_cmphex(qpci_config_readw(f.dev, PCI_SUBSYSTEM_VENDOR_ID), ==,
                    0x1af4);
    g_assert_cmphex(qpci_config_readw(f.dev, PCI_SUBSYSTEM_ID), ==, 0x1100);
    g_assert_cmphex(qpci_config_readb(f.dev, PCI_INTERRUPT_PIN), ==, 1);
    fixture_stop(&f);

    fixture_start(&f, ",vendor-id=0x8086,device-id=0xabcd");
    g_assert_cmphex(qpci_config_readw(f.dev, PCI_VENDOR_ID), ==, 0x8086);
    g_assert_cmphex(qpci_config_readw(f.dev, PCI_DEVICE_ID), ==, 0xabcd);
    fixture_stop(&f);
}

static void test_capability_chain(void)
{
    static const uint8_t expected[][2] = {
        {0x40, PCI_CAP_ID_PM},   {0x50, PCI_CAP_ID_MSI},
        {0x70, PCI_CAP_ID_EXP},  {0xb0, PCI_CAP_ID_MSIX},
        {0xc0, PCI_CAP_ID_VNDR},
    };
    Fixture f;
    uint8_t pos;

    fixture_start(&f, "");
    g_assert_true(qpci_config_readw(f.dev, PCI_STATUS) & PCI_STATUS_CAP_LIST);
    pos = qpci_config_readb(f.dev, PCI_CAPABILITY_LIST);
    for (size_t i = 0; i < G_N_ELEMENTS(expected); i++) {
        g_assert_cmphex(pos, ==, expected[i][0]);
        g_assert_cmphex(qpci_config_readb(f.dev, pos), ==, expected[i][1]);
        pos = qpci_config_readb(f.dev, pos + PCI_CAP_LIST_NEXT);
    }
    g_assert_cmphex(pos, ==, 0);

    /* MSI: 64-bit, one vector. */
    g_assert_true(qpci_config_readw(f.dev, 0x50 + PCI_MSI_FLAGS) &
                  PCI_MSI_FLAGS_64BIT);
    g_assert_cmphex(qpci_config_readw(f.dev, 0x50 + PCI_MSI_FLAGS) &
                        PCI_MSI_FLAGS_QMASK, ==, 0);
    /* PCIe v2, RC integrated endpoint on the root bus, FLR offered. */
    g_assert_cmphex(qpci_config_readw(f.dev, 0x70 + PCI_EXP_FLAGS) &
                        PCI_EXP_FLAGS_VERS, ==, 2);
    g_assert_cmphex((qpci_config_readw(f.dev, 0x70 + PCI_EXP_FLAGS) &
                     PCI_EXP_FLAGS_TYPE) >> 4, ==, PCI_EXP_TYPE_RC_END);
    g_assert_true(qpci_config_readl(f.dev, 0x70 + PCI_EXP_DEVCAP) &
                  PCI_EXP_DEVCAP_FLR);
    /* Vendor capability header and read-only body. */
    g_assert_cmphex(qpci_config_readb(f.dev, 0xc2), ==, 0x14);
    g_assert_cmphex(qpci_config_readb(f.dev, 0xc3), ==, 0x01);
    g_assert_cmphex(qpci_config_readl(f.dev, 0xc4), ==, 0x4d504349);
    fixture_stop(&f);

    fixture_start(&f, ",msi=off,msix=off");
    g_assert_cmphex(find_cap(f.dev, PCI_CAP_ID_MSI), ==, 0);
    g_assert_cmphex(find_cap(f.dev, PCI_CAP_ID_MSIX), ==, 0);
    g_assert_cmphex(find_cap(f.dev, PCI_CAP_ID_EXP), ==, 0x70);
    fixture_stop(&f);
}

/* Size and flags of a BAR by the classic all-ones probe. */
static uint64_t probe_bar(QPCIDevice *dev, int bar, uint32_t *flags)
{
    uint8_t reg = PCI_BASE_ADDRESS_0 + bar * 4;
    uint32_t lo = qpci_config_readl(dev, reg);
    uint64_t mask;

    *flags = lo & 0xf;
    qpci_config_writel(dev, reg, 0xffffffff);
    mask = qpci_config_readl(dev, reg) & ~0xfULL;
    qpci_config_writel(dev, reg, lo);
    if ((*flags & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
        PCI_BASE_ADDRESS_MEM_TYPE_64) {
        uint32_t hi = qpci_config_readl(dev, reg + 4);

        qpci_config_writel(dev, reg + 4, 0xffffffff);
        mask |= (uint64_t)qpci_config_readl(dev, reg + 4) << 32;
        qpci_config_writel(dev, reg + 4, hi);
    } else {
        mask |= 0xffffffff00000000ULL;
    }
    return ~mask + 1;
}

static void test_bars(void)
{
    Fixture f;
    uint32_t flags;

    fixture_start(&f, "");
    g_assert_cmphex(probe_bar(f.dev, 0, &flags), ==, 8 * 1024);
    g_assert_cmphex(flags, ==, PCI_BASE_ADDRESS_SPACE_MEMORY |
                                   PCI_BASE_ADDRESS_MEM_TYPE_32);
    g_assert_cmphex(probe_bar(f.dev, 2, &flags), ==, 1024 * 1024);
    g_assert_cmphex(flags, ==, PCI_BASE_ADDRESS_MEM_TYPE_64 |
                                   PCI_BASE_ADDRESS_MEM_PREFETCH);
    fixture_stop(&f);

    fixture_start(&f, ",mem-size=64K");
    g_assert_cmphex(probe_bar(f.dev, 2, &flags), ==, 64 * 1024);
    fixture_stop(&f);
}

static void test_msix_table_location(void)
{
    Fixture f;

    fixture_start(&f, "");
    g_assert_cmphex(qpci_config_readw(f.dev, 0xb0 + PCI_MSIX_FLAGS) &
                        PCI_MSIX_FLAGS_QSIZE, ==, 3 - 1);
    g_assert_cmphex(qpci_config_readl(f.dev, 0xb0 + PCI_MSIX_TABLE), ==,
                    0x1000 | 0);
    g_assert_cmphex(qpci_config_readl(f.dev, 0xb0 + PCI_MSIX_PBA), ==,
                    0x1800 | 0);
    fixture_stop(&f);
}

static void test_flr_resets(void)
{
    Fixture f;
    QPCIBar bar0;

    fixture_start(&f, ",scratch=0x5a5a");
    qpci_device_enable(f.dev);
    bar0 = qpci_iomap(f.dev, 0, NULL);
    g_assert_cmphex(qpci_io_readl(f.dev, bar0, REG_SCRATCH), ==, 0x5a5a);
    qpci_io_writel(f.dev, bar0, REG_SCRATCH, 0x12345678);
    qpci_io_writel(f.dev, bar0, REG_IRQ_ENABLE, 0x7);
    qpci_config_writel(f.dev, 0xc0 + VCAP_MAILBOX, 0xcafe);
    g_assert_cmphex(qpci_io_readl(f.dev, bar0, REG_INVERT), ==, ~0x12345678u);
    g_assert_cmphex(qpci_config_readl(f.dev, 0xc0 + 0x0c), ==, ~0xcafeu);

    qpci_config_writew(f.dev, 0x70 + PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_BCR_FLR);

    g_assert_cmphex(qpci_config_readw(f.dev, PCI_COMMAND) &
                        PCI_COMMAND_MEMORY, ==, 0);
    /* FLR reset config space too: the BAR needs an address again. */
    bar0 = qpci_iomap(f.dev, 0, NULL);
    qpci_device_enable(f.dev);
    g_assert_cmphex(qpci_io_readl(f.dev, bar0, REG_SCRATCH), ==, 0x5a5a);
    g_assert_cmphex(qpci_io_readl(f.dev, bar0, REG_IRQ_ENABLE), ==, 0);
    g_assert_cmphex(qpci_config_readl(f.dev, 0xc0 + VCAP_MAILBOX), ==, 0);
    qpci_iounmap(f.dev, bar0);
    fixture_stop(&f);
}

/* DMA host -> device memory -> host through the QEMU glue, no IOMMU. */
static void test_dma_round_trip(void)
{
    const uint64_t src = 0x100000, dst = 0x200000;
    uint8_t out[256], in[256];
    Fixture f;
    QPCIBar bar0;

    fixture_start(&f, "");
    qpci_device_enable(f.dev);
    bar0 = qpci_iomap(f.dev, 0, NULL);
    for (size_t i = 0; i < sizeof(out); i++) {
        out[i] = i * 7 + 3;
    }
    qtest_memwrite(f.qts, src, out, sizeof(out));

    qpci_io_writeq(f.dev, bar0, REG_DMA_SRC, src);
    qpci_io_writeq(f.dev, bar0, REG_DMA_DST, 0x10);
    qpci_io_writel(f.dev, bar0, REG_DMA_LEN, sizeof(out));
    qpci_io_writel(f.dev, bar0, REG_DMA_CMD, 0);
    g_assert_cmphex(wait_dma(f.dev, bar0), ==, 0x2);

    qpci_io_writeq(f.dev, bar0, REG_DMA_SRC, 0x10);
    qpci_io_writeq(f.dev, bar0, REG_DMA_DST, dst);
    qpci_io_writel(f.dev, bar0, REG_DMA_CMD, 1);
    g_assert_cmphex(wait_dma(f.dev, bar0), ==, 0x2);
    qtest_memread(f.qts, dst, in, sizeof(in));
    g_assert_cmpmem(in, sizeof(in), out, sizeof(out));

    /* Bus mastering off: error 4, nothing moves. */
    qpci_config_writew(f.dev, PCI_COMMAND, PCI_COMMAND_MEMORY);
    qpci_io_writel(f.dev, bar0, REG_DMA_CMD, 0);
    g_assert_cmphex(wait_dma(f.dev, bar0), ==,
                    0x2 | (4 << 8));
    qpci_iounmap(f.dev, bar0);
    fixture_stop(&f);
}

/*
 * DMA whose host side is the device's own RAM BAR (no IOMMU here, so the
 * BAR's bus address): device memory to device memory, overlapping. Each
 * piece must be read whole before it is written (memmove), never a memcpy
 * of overlapping ranges inside QEMU (ASan's memcpy-param-overlap).
 */
static void test_dma_own_ram_bar(void)
{
    enum { SRC = 0x40, DST = 0x8d, LEN = 0x873, D2H_SRC = 0x1000,
           D2H_DST = 0x1010, D2H_LEN = 0x800, SPAN = 0x2000 };
    uint8_t before[SPAN], after[SPAN], want[SPAN];
    Fixture f;
    QPCIBar bar0, bar2;
    uint64_t bar2_addr;

    fixture_start(&f, "");
    qpci_device_enable(f.dev);
    bar0 = qpci_iomap(f.dev, 0, NULL);
    bar2 = qpci_iomap(f.dev, 2, NULL);
    bar2_addr = bar2.addr;
    for (size_t i = 0; i < sizeof(before); i++) {
        before[i] = i * 13 + 5;
    }
    qpci_memwrite(f.dev, bar2, 0, before, sizeof(before));

    /* Host (= BAR2 + SRC) to device offset DST. */
    qpci_io_writeq(f.dev, bar0, REG_DMA_SRC, bar2_addr + SRC);
    qpci_io_writeq(f.dev, bar0, REG_DMA_DST, DST);
    qpci_io_writel(f.dev, bar0, REG_DMA_LEN, LEN);
    qpci_io_writel(f.dev, bar0, REG_DMA_CMD, 0);
    g_assert_cmphex(wait_dma(f.dev, bar0), ==, 0x2);
    memcpy(want, before, sizeof(want));
    memmove(want + DST, before + SRC, LEN);

    /* Device offset D2H_SRC to host (= BAR2 + D2H_DST). */
    qpci_io_writeq(f.dev, bar0, REG_DMA_SRC, D2H_SRC);
    qpci_io_writeq(f.dev, bar0, REG_DMA_DST, bar2_addr + D2H_DST);
    qpci_io_writel(f.dev, bar0, REG_DMA_LEN, D2H_LEN);
    qpci_io_writel(f.dev, bar0, REG_DMA_CMD, 1);
    g_assert_cmphex(wait_dma(f.dev, bar0), ==, 0x2);
    memmove(want + D2H_DST, want + D2H_SRC, D2H_LEN);

    qpci_memread(f.dev, bar2, 0, after, sizeof(after));
    g_assert_cmpmem(after, sizeof(after), want, sizeof(want));
    qpci_iounmap(f.dev, bar2);
    qpci_iounmap(f.dev, bar0);
    fixture_stop(&f);
}

static void check_refused(const char *device, const char *message)
{
    const char *qemu = qtest_qemu_binary(NULL);
    g_autofree char *err = NULL;
    int status = 0;
    g_autoptr(GError) error = NULL;
    const char *argv[] = {qemu, "-machine", "q35", "-nodefaults",
                          "-display", "none", "-S", "-device", device, NULL};

    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL, NULL,
                               &err, &status, &error));
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) != 0);
    if (!strstr(err, message)) {
        g_error("'%s': stderr '%s' lacks '%s'", device, err, message);
    }
}

static void test_bad_properties(void)
{
    check_refused("mypci,mem-size=3000", "property 'mem-size'");
    check_refused("mypci,mem-size=2K", "property 'mem-size'");
    check_refused("mypci,mem-size=512M", "property 'mem-size'");
    check_refused("mypci,scratch=zz", "scratch");
    check_refused("mypci,msix=maybe", "msix");
}

static void wait_migration(QTestState *qts)
{
    for (int i = 0; i < 3000; i++) {
        QDict *rsp = qtest_qmp(qts, "{'execute': 'query-migrate'}");
        QDict *ret = qdict_get_qdict(rsp, "return");
        const char *status = qdict_get_try_str(ret, "status");
        bool done = status && !strcmp(status, "completed");

        g_assert_false(status && !strcmp(status, "failed"));
        qobject_unref(rsp);
        if (done) {
            return;
        }
        g_usleep(10 * 1000);
    }
    g_error("migration did not complete");
}

/* Migration to a file and -incoming keeps registers and device memory. */
static void test_migration(void)
{
    g_autofree char *path = g_strdup_printf("%s/mypci-mig-%d", g_get_tmp_dir(),
                                            getpid());
    const uint32_t pattern = 0xa5c3e1f0;
    Fixture f;
    QPCIBar bar0, bar2;

    fixture_start(&f, "");
    qpci_device_enable(f.dev);
    bar0 = qpci_iomap(f.dev, 0, NULL);
    bar2 = qpci_iomap(f.dev, 2, NULL);
    qpci_io_writel(f.dev, bar0, REG_SCRATCH, 0x13579bdf);
    qpci_io_writel(f.dev, bar0, REG_IRQ_ENABLE, 0x5);
    qpci_io_writel(f.dev, bar2, 0xff00, pattern);
    qpci_config_writel(f.dev, 0xc0 + VCAP_MAILBOX, 0x77);
    g_autofree char *uri = g_strdup_printf("file:%s", path);

    qtest_qmp_assert_success(f.qts, "{'execute': 'migrate', 'arguments': "
                             "{'uri': %s}}", uri);
    wait_migration(f.qts);
    fixture_stop(&f);

    f.qts = qtest_initf("-machine q35 -nodefaults -device mypci,addr=04.0 "
                        "-incoming %s", uri);
    wait_migration(f.qts);
    f.bus = qpci_new_pc(f.qts, NULL);
    f.dev = qpci_device_find(f.bus, MYPCI_DEVFN);
    bar0 = qpci_iomap(f.dev, 0, NULL);
    bar2 = qpci_iomap(f.dev, 2, NULL);
    qpci_device_enable(f.dev);
    g_assert_cmphex(qpci_io_readl(f.dev, bar0, REG_SCRATCH), ==, 0x13579bdf);
    g_assert_cmphex(qpci_io_readl(f.dev, bar0, REG_IRQ_ENABLE), ==, 0x5);
    g_assert_cmphex(qpci_io_readl(f.dev, bar2, 0xff00), ==, pattern);
    g_assert_cmphex(qpci_config_readl(f.dev, 0xc0 + VCAP_MAILBOX), ==, 0x77);
    fixture_stop(&f);
    unlink(path);
}

/*
 * The mypci section of a migration stream, restated from the VMState in
 * device/qemu/mypci.c: after the PCI and MSI-X state come the core's
 * fields, big-endian, in this order. SCRATCH carries a marker that finds
 * the section in the file.
 */
enum {
    STREAM_SCRATCH = 0,
    STREAM_IRQ_STATUS = 4,
    STREAM_DMA_STATUS = 36,
    STREAM_RUN_LEN = 68,
    STREAM_INTX_LEVEL = 76,
    STREAM_VCAP_EVENTS = 84,
};
#define STREAM_MARKER 0x5ca7c4edu

static void stream_to_file(const char *uri)
{
    Fixture f;
    QPCIBar bar0;

    fixture_start(&f, "");
    qpci_device_enable(f.dev);
    bar0 = qpci_iomap(f.dev, 0, NULL);
    qpci_io_writel(f.dev, bar0, REG_SCRATCH, STREAM_MARKER);
    qtest_qmp_assert_success(f.qts, "{'execute': 'migrate', 'arguments': "
                             "{'uri': %s}}", uri);
    wait_migration(f.qts);
    fixture_stop(&f);
}

/* Overwrites the big-endian field at OFFSET from SCRATCH's marker. */
static void stream_patch(const char *path, unsigned offset, uint32_t value)
{
    const uint8_t marker[4] = {0x5c, 0xa7, 0xc4, 0xed};
    g_autofree char *data = NULL;
    gsize len;
    uint8_t *at;
    const uint8_t be[4] = {value >> 24, value >> 16, value >> 8, value};

    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    at = memmem(data, len, marker, sizeof(marker));
    g_assert_nonnull(at);
    g_assert_null(memmem(at + 1, len - (at + 1 - (uint8_t *)data), marker,
                         sizeof(marker)));
    g_assert_cmpuint(at - (uint8_t *)data + offset + 4, <=, len);
    memcpy(at + offset, &be, sizeof(be));
    g_assert_true(g_file_set_contents(path, data, len, NULL));
}

/* Loads the stream into a fresh QEMU; returns its final migration status. */
static char *stream_load(QTestState **qts, const char *uri, char **error)
{
    *qts = qtest_initf("-machine q35 -nodefaults -device mypci,addr=04.0 "
                       "-incoming defer");
    qtest_qmp_assert_success(*qts, "{'execute': 'migrate-incoming', "
                             "'arguments': {'uri': %s, 'exit-on-error': false}}",
                             uri);
    for (int i = 0; i < 3000; i++) {
        QDict *rsp = qtest_qmp(*qts, "{'execute': 'query-migrate'}");
        QDict *ret = qdict_get_qdict(rsp, "return");
        const char *status = qdict_get_try_str(ret, "status");

        if (status && (!strcmp(status, "completed") || !strcmp(status, "failed"))) {
            char *result = g_strdup(status);

            *error = g_strdup(qdict_get_try_str(ret, "error-desc"));
            qobject_unref(rsp);
            return result;
        }
        qobject_unref(rsp);
        g_usleep(10 * 1000);
    }
    g_error("incoming migration did not end");
}

typedef struct {
    const char *name;
    unsigned offset;
    uint32_t value;
    const char *reason;
} CorruptStream;

/* ABI 10 in the other direction: a state no guest can reach is refused. */
static void test_corrupt_stream(const void *data)
{
    const CorruptStream *c = data;
    g_autofree char *path = g_strdup_printf("%s/mypci-bad-%d", g_get_tmp_dir(),
                                            getpid());
    g_autofree char *uri = g_strdup_printf("file:%s", path);
    g_autofree char *status = NULL;
    g_autofree char *error = NULL;
    QTestState *qts;

    stream_to_file(uri);
    stream_patch(path, c->offset, c->value);
    status = stream_load(&qts, uri, &error);
    g_assert_cmpstr(status, ==, "failed");
    g_assert_nonnull(error);
    g_assert_nonnull(strstr(error, "mypci: refusing the migration stream"));
    g_assert_nonnull(strstr(error, c->reason));
    qtest_quit(qts);
    unlink(path);
}

/*
 * A BUSY transfer whose latched length is over mem-size is a state the
 * guest can reach (the engine checks when it runs): it loads, runs, and
 * fails with error 2 (ABI 3: bad command or length).
 */
static void test_stream_busy_bad_length(void)
{
    g_autofree char *path = g_strdup_printf("%s/mypci-busy-%d", g_get_tmp_dir(),
                                            getpid());
    g_autofree char *uri = g_strdup_printf("file:%s", path);
    g_autofree char *status = NULL;
    g_autofree char *error = NULL;
    Fixture f = {0};

    stream_to_file(uri);
    stream_patch(path, STREAM_DMA_STATUS, 0x1);        /* BUSY */
    stream_patch(path, STREAM_RUN_LEN, 2 * 1024 * 1024); /* > 1 MiB */
    status = stream_load(&f.qts, uri, &error);
    g_assert_cmpstr(status, ==, "completed");
    f.bus = qpci_new_pc(f.qts, NULL);
    f.dev = qpci_device_find(f.bus, MYPCI_DEVFN);
    qpci_device_enable(f.dev);
    g_assert_cmphex(wait_dma(f.dev, qpci_iomap(f.dev, 0, NULL)), ==,
                    0x2 | 2u << 8);
    fixture_stop(&f);
    unlink(path);
}

static const CorruptStream corrupt_streams[] = {
    {"irq-status-undefined-bit", STREAM_IRQ_STATUS, 0x80, "IRQ_STATUS"},
    {"dma-busy-and-done", STREAM_DMA_STATUS, 0x3, "BUSY and DONE"},
    {"dma-error-code-undefined", STREAM_DMA_STATUS, 0x2 | 9u << 8, "error code"},
    {"intx-level-7", STREAM_INTX_LEVEL, 7, "INTx level"},
    {"vcap-events-undefined-bit", STREAM_VCAP_EVENTS, 0x4, "EVENTS"},
};

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/mypci/ids", test_ids);
    qtest_add_func("/mypci/capability-chain", test_capability_chain);
    qtest_add_func("/mypci/bars", test_bars);
    qtest_add_func("/mypci/msix-table", test_msix_table_location);
    qtest_add_func("/mypci/flr", test_flr_resets);
    qtest_add_func("/mypci/dma-round-trip", test_dma_round_trip);
    qtest_add_func("/mypci/dma-own-ram-bar", test_dma_own_ram_bar);
    qtest_add_func("/mypci/bad-properties", test_bad_properties);
    qtest_add_func("/mypci/migration", test_migration);
    for (size_t i = 0; i < G_N_ELEMENTS(corrupt_streams); i++) {
        g_autofree char *name = g_strdup_printf("/mypci/migration-refuses/%s",
                                                corrupt_streams[i].name);

        qtest_add_data_func(name, &corrupt_streams[i], test_corrupt_stream);
    }
    qtest_add_func("/mypci/migration-busy-bad-length",
                   test_stream_busy_bad_length);
    return g_test_run();
}
