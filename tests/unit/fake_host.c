/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "fake_host.h"

void fake_host_init(struct fake_host *host)
{
    memset(host, 0, sizeof(*host));
    for (unsigned i = 0; i < FAKE_PAGES; i++) {
        host->perm[i] = FAKE_READ_WRITE;
    }
    host->bus_master = true;
    host->irq_mode = MYPCI_IRQ_MODE_INTX;
    host->read_fail_after = -1;
    host->write_fail_after = -1;
}

void fake_host_clear_logs(struct fake_host *host)
{
    host->msi_count = 0;
    host->intx_count = 0;
    host->schedule_count = 0;
    memset(host->trace_count, 0, sizeof(host->trace_count));
    memset(host->trace_last, 0, sizeof(host->trace_last));
}

static bool in_space(uint64_t addr, uint64_t len)
{
    return addr >= FAKE_BUS_BASE && len <= FAKE_BUS_SIZE &&
           addr - FAKE_BUS_BASE <= FAKE_BUS_SIZE - len;
}

void fake_host_map(struct fake_host *host, uint64_t addr, uint64_t len,
                   enum fake_perm perm)
{
    assert(len > 0 && in_space(addr, len));
    uint64_t first = (addr - FAKE_BUS_BASE) / FAKE_PAGE_SIZE;
    uint64_t last = (addr - FAKE_BUS_BASE + len - 1) / FAKE_PAGE_SIZE;

    for (uint64_t page = first; page <= last; page++) {
        host->perm[page] = perm;
    }
}

uint8_t *fake_host_ptr(struct fake_host *host, uint64_t addr)
{
    assert(in_space(addr, 1));
    return &host->bus[addr - FAKE_BUS_BASE];
}

static bool range_allowed(const struct fake_host *host, uint64_t addr,
                          uint64_t len, bool is_write)
{
    if (len == 0 || !in_space(addr, len)) {
        return false;
    }
    uint64_t first = (addr - FAKE_BUS_BASE) / FAKE_PAGE_SIZE;
    uint64_t last = (addr - FAKE_BUS_BASE + len - 1) / FAKE_PAGE_SIZE;

    for (uint64_t page = first; page <= last; page++) {
        enum fake_perm perm = host->perm[page];

        if (perm == FAKE_UNMAPPED || (is_write && perm != FAKE_READ_WRITE)) {
            return false;
        }
    }
    return true;
}

static bool fake_dma_valid(void *opaque, uint64_t addr, uint64_t len,
                           bool is_write)
{
    struct fake_host *host = opaque;

    host->valid_calls++;
    return range_allowed(host, addr, len, is_write);
}

/* Counts down a fail_after budget; true when this call must fail. */
static bool must_fail(int *fail_after)
{
    if (*fail_after < 0) {
        return false;
    }
    if (*fail_after == 0) {
        return true;
    }
    (*fail_after)--;
    return false;
}

static int fake_dma_read(void *opaque, uint64_t addr, void *buf, uint64_t len)
{
    struct fake_host *host = opaque;

    host->read_calls++;
    if (must_fail(&host->read_fail_after) ||
        !range_allowed(host, addr, len, false)) {
        host->last_failed_addr = addr;
        return -EIO;
    }
    memcpy(buf, fake_host_ptr(host, addr), len);
    return 0;
}

static int fake_dma_write(void *opaque, uint64_t addr, const void *buf,
                          uint64_t len)
{
    struct fake_host *host = opaque;

    host->write_calls++;
    if (must_fail(&host->write_fail_after) ||
        !range_allowed(host, addr, len, true)) {
        host->last_failed_addr = addr;
        return -EIO;
    }
    memcpy(fake_host_ptr(host, addr), buf, len);
    return 0;
}

static bool fake_bus_master(void *opaque)
{
    const struct fake_host *host = opaque;

    return host->bus_master;
}

static enum mypci_irq_mode fake_irq_mode(void *opaque)
{
    const struct fake_host *host = opaque;

    return host->irq_mode;
}

static void fake_send_msi(void *opaque, unsigned vector)
{
    struct fake_host *host = opaque;

    if (host->msi_count < FAKE_LOG_MAX) {
        host->msi[host->msi_count] = vector;
    }
    host->msi_count++;
}

static void fake_set_intx(void *opaque, int level)
{
    struct fake_host *host = opaque;

    if (host->intx_count < FAKE_LOG_MAX) {
        host->intx[host->intx_count] = level;
    }
    host->intx_count++;
    host->intx_level = level;
}

static void fake_schedule(void *opaque)
{
    struct fake_host *host = opaque;

    host->schedule_count++;
}

static void fake_trace(void *opaque, enum mypci_trace_event event, uint64_t a,
                       uint64_t b, uint64_t c)
{
    struct fake_host *host = opaque;

    assert((unsigned)event < FAKE_TRACE_EVENTS);
    host->trace_count[event]++;
    host->trace_last[event] = (struct fake_trace_args){a, b, c};
}

const struct mypci_host_ops fake_host_ops = {
    .dma_valid = fake_dma_valid,
    .dma_read = fake_dma_read,
    .dma_write = fake_dma_write,
    .bus_master = fake_bus_master,
    .irq_mode = fake_irq_mode,
    .send_msi = fake_send_msi,
    .set_intx = fake_set_intx,
    .schedule = fake_schedule,
    .trace = fake_trace,
};
