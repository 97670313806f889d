/*
 * mypci_core: the behaviour of the mypci device, free of QEMU (see
 * mypci_core.h and docs/abi.md, sections 3-8).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <string.h>

#include "mypci_core.h"

#define DMA_CHUNK MYPCI_CORE_DMA_CHUNK

/* Fault addresses are reported at the precision of a host page (ABI 4). */
#define DMA_FAULT_PAGE 0x1000u

#define DMA_STATUS_DEFINED                                                     \
    (MYPCI_DMA_STATUS_BUSY | MYPCI_DMA_STATUS_DONE |                           \
     MYPCI_DMA_STATUS_DROPPED | MYPCI_DMA_STATUS_ERR_MASK)

/* A transfer as latched when its command was accepted. */
struct dma_job {
    uint64_t src;
    uint64_t dst;
    uint64_t len;
    uint32_t cmd;
    uint32_t dir;
};

static void trace(struct mypci_core *core, enum mypci_trace_event event,
                  uint64_t a, uint64_t b, uint64_t c)
{
    if (core->ops->trace) {
        core->ops->trace(core->opaque, event, a, b, c);
    }
}

/* ---- configuration ---------------------------------------------------- */

int mypci_config_check(const struct mypci_config *config)
{
    uint64_t size;

    if (!config) {
        return -EINVAL;
    }
    size = config->mem_size;
    if (size < MYPCI_MEM_SIZE_MIN || size > MYPCI_MEM_SIZE_MAX) {
        return -EINVAL;
    }
    if ((size & (size - 1)) != 0) {
        return -EINVAL;
    }
    return 0;
}

static bool ops_complete(const struct mypci_host_ops *ops)
{
    return ops && ops->dma_valid && ops->dma_read && ops->dma_write &&
           ops->bus_master && ops->irq_mode && ops->send_msi && ops->set_intx &&
           ops->schedule;
}

static unsigned log2_u64(uint64_t value)
{
    unsigned n = 0;

    while (value > 1) {
        value >>= 1;
        n++;
    }
    return n;
}

uint32_t mypci_core_features(const struct mypci_core *core)
{
    uint32_t features = MYPCI_FEATURE_INTX | MYPCI_FEATURE_DMA;

    if (core->config.msi) {
        features |= MYPCI_FEATURE_MSI;
    }
    if (core->config.msix) {
        features |= MYPCI_FEATURE_MSIX;
    }
    features |= log2_u64(core->config.mem_size) << MYPCI_FEATURE_MEM_LOG2_SHIFT;
    return features;
}

/* ---- interrupts (ABI 6) ----------------------------------------------- */

static uint32_t irq_pending(const struct mypci_core *core)
{
    return core->irq_status & core->irq_enable;
}

/*
 * The line follows "any cause pending" only in INTx mode; in MSI modes the
 * core keeps it low. irq_mode is asked only when something is pending so
 * that a reset never calls into a host that is still being set up.
 */
static void intx_sync(struct mypci_core *core)
{
    bool want = irq_pending(core) != 0 &&
                core->ops->irq_mode(core->opaque) == MYPCI_IRQ_MODE_INTX;
    uint32_t level = want ? 1 : 0;

    if (level == core->intx_level) {
        return;
    }
    core->intx_level = level;
    if (level) {
        core->irq_count++;
    }
    trace(core, MYPCI_TRACE_IRQ_INTX, level, 0, 0);
    core->ops->set_intx(core->opaque, (int)level);
}

static void msi_send(struct mypci_core *core, unsigned vector, uint32_t cause)
{
    /* Counted even if the message is then masked or lost (ABI 3, 6). */
    core->irq_count++;
    trace(core, MYPCI_TRACE_IRQ_MSI, vector, cause, 0);
    core->ops->send_msi(core->opaque, vector);
}

/* MSI and MSI-X are edge-like: only causes that just became pending fire. */
static void msi_send_risen(struct mypci_core *core, uint32_t risen)
{
    enum mypci_irq_mode mode = core->ops->irq_mode(core->opaque);

    if (mode == MYPCI_IRQ_MODE_INTX) {
        return;
    }
    for (unsigned n = 0; n < MYPCI_MSIX_VECTORS; n++) {
        uint32_t cause = 1u << n;

        if (risen & cause) {
            msi_send(core, mode == MYPCI_IRQ_MODE_MSIX ? n : 0, cause);
        }
    }
}

static void irq_set(struct mypci_core *core, uint32_t status, uint32_t enable)
{
    uint32_t before = irq_pending(core);
    uint32_t risen;

    core->irq_status = status & MYPCI_IRQ_ALL;
    core->irq_enable = enable & MYPCI_IRQ_ALL;
    risen = irq_pending(core) & ~before;
    if (risen) {
        msi_send_risen(core, risen);
    }
    intx_sync(core);
}

static void irq_raise(struct mypci_core *core, uint32_t causes)
{
    irq_set(core, core->irq_status | causes, core->irq_enable);
}

void mypci_core_irq_mode_changed(struct mypci_core *core)
{
    /*
     * Causes already pending send no MSI message on the switch: messages
     * are sent only when a cause becomes pending (ABI 6).
     */
    intx_sync(core);
}

/* ---- reset (ABI 7) ---------------------------------------------------- */

static void regs_reset(struct mypci_core *core)
{
    core->scratch = core->config.scratch_reset;
    core->irq_status = 0;
    core->irq_enable = 0;
    core->dma_src = 0;
    core->dma_dst = 0;
    core->dma_len = 0;
    /* Clearing BUSY abandons a transfer run_deferred has not run yet. */
    core->dma_status = 0;
    core->dma_count = 0;
    core->dma_fault_addr = 0;
    core->run_src = 0;
    core->run_dst = 0;
    core->run_len = 0;
    core->run_cmd = 0;
}

void mypci_core_reset(struct mypci_core *core, enum mypci_reset_kind kind)
{
    trace(core, MYPCI_TRACE_RESET, kind, 0, 0);
    regs_reset(core);
    memset(core->mem, 0, core->config.mem_size);
    /* Nothing is pending now: this releases INTx without counting a rise. */
    intx_sync(core);
    core->irq_count = 0;
    if (kind == MYPCI_RESET_FUNCTION) {
        core->vcap_mailbox = 0;
        core->vcap_events = 0;
    }
}

int mypci_core_init(struct mypci_core *core, const struct mypci_host_ops *ops,
                    void *opaque, const struct mypci_config *config,
                    uint8_t *mem)
{
    if (!core || !mem || !ops_complete(ops) ||
        mypci_config_check(config) != 0) {
        return -EINVAL;
    }
    memset(core, 0, sizeof(*core));
    core->ops = ops;
    core->opaque = opaque;
    core->config = *config;
    core->mem = mem;
    mypci_core_reset(core, MYPCI_RESET_FUNCTION);
    return 0;
}

/* ---- DMA engine (ABI 3, 4) -------------------------------------------- */

static void dma_accept(struct mypci_core *core, uint32_t cmd)
{
    core->run_src = core->dma_src;
    core->run_dst = core->dma_dst;
    core->run_len = core->dma_len;
    core->run_cmd = cmd;
    core->dma_status = MYPCI_DMA_STATUS_BUSY;
    trace(core, MYPCI_TRACE_DMA_START, core->run_src, core->run_dst,
          core->run_len | (uint64_t)(cmd & MYPCI_DMA_DIR_MASK) << 62);
    /* Data never moves inside the MMIO write (ABI 4). */
    core->ops->schedule(core->opaque);
}

static void dma_cmd_write(struct mypci_core *core, uint32_t cmd)
{
    if (core->dma_status & MYPCI_DMA_STATUS_BUSY) {
        core->dma_status |= MYPCI_DMA_STATUS_DROPPED;
        trace(core, MYPCI_TRACE_DMA_DROPPED, cmd, 0, 0);
        return;
    }
    dma_accept(core, cmd);
}

static struct dma_job dma_job_latched(const struct mypci_core *core)
{
    struct dma_job job = {
        .src = core->run_src,
        .dst = core->run_dst,
        .len = core->run_len,
        .cmd = core->run_cmd,
        .dir = core->run_cmd & MYPCI_DMA_DIR_MASK,
    };
    return job;
}

static bool dma_cmd_bad(const struct mypci_core *core,
                        const struct dma_job *job)
{
    return (job->cmd & ~MYPCI_DMA_DIR_MASK) != 0 ||
           job->dir > MYPCI_DMA_DIR_HOST_TO_HOST || job->len == 0 ||
           job->len > core->config.mem_size;
}

/* Written as a subtraction so that offset + len cannot wrap (error 3). */
static bool dev_range_bad(const struct mypci_core *core, uint64_t offset,
                          uint64_t len)
{
    uint64_t size = core->config.mem_size;

    return offset > size || len > size - offset;
}

static bool dma_dev_range_bad(const struct mypci_core *core,
                              const struct dma_job *job)
{
    switch (job->dir) {
    case MYPCI_DMA_DIR_HOST_TO_DEV:
        return dev_range_bad(core, job->dst, job->len);
    case MYPCI_DMA_DIR_DEV_TO_HOST:
        return dev_range_bad(core, job->src, job->len);
    default:
        return false;
    }
}

/*
 * A host range running past the top of the 64-bit bus address space is never
 * accessible; the host is not asked about it, so its check needs no wrap
 * handling.
 */
static bool host_range_ok(struct mypci_core *core, uint64_t addr, uint64_t len,
                          bool is_write)
{
    if (len - 1 > UINT64_MAX - addr) {
        return false;
    }
    return core->ops->dma_valid(core->opaque, addr, len, is_write);
}

/*
 * Narrows a failed range down to its first faulting page, asking the host
 * page by page (only on this failure path). A range that wraps reports the
 * address it wraps to, 0, when every page below the top is accessible. If the
 * host accepts every page after rejecting the whole range, its answers are
 * inconsistent and the range start is the only honest answer.
 */
static uint64_t host_first_fault(struct mypci_core *core, uint64_t addr,
                                 uint64_t len, bool is_write)
{
    uint64_t pos = addr;
    uint64_t left = len;

    while (left > 0) {
        uint64_t to_boundary = DMA_FAULT_PAGE - (pos & (DMA_FAULT_PAGE - 1));
        uint64_t n = left < to_boundary ? left : to_boundary;

        if (!core->ops->dma_valid(core->opaque, pos, n, is_write)) {
            return pos;
        }
        pos += n;
        left -= n;
        if (pos == 0 && left > 0) {
            return 0;
        }
    }
    return addr;
}

static int host_range_check(struct mypci_core *core, uint64_t addr,
                            uint64_t len, bool is_write, uint64_t *fault)
{
    if (host_range_ok(core, addr, len, is_write)) {
        return MYPCI_DMA_OK;
    }
    *fault = host_first_fault(core, addr, len, is_write);
    return MYPCI_DMA_ERR_FAULT;
}

static int dma_host_ranges_check(struct mypci_core *core,
                                 const struct dma_job *job, uint64_t *fault)
{
    int err;

    switch (job->dir) {
    case MYPCI_DMA_DIR_HOST_TO_DEV:
        return host_range_check(core, job->src, job->len, false, fault);
    case MYPCI_DMA_DIR_DEV_TO_HOST:
        return host_range_check(core, job->dst, job->len, true, fault);
    default:
        /* Source before destination (ABI 3). */
        err = host_range_check(core, job->src, job->len, false, fault);
        if (err != MYPCI_DMA_OK) {
            return err;
        }
        return host_range_check(core, job->dst, job->len, true, fault);
    }
}

/* Every check runs before any byte moves, in the ABI's order: 4, 2, 3, 1. */
static int dma_check(struct mypci_core *core, const struct dma_job *job,
                     uint64_t *fault)
{
    if (!core->ops->bus_master(core->opaque)) {
        return MYPCI_DMA_ERR_NO_MASTER;
    }
    if (dma_cmd_bad(core, job)) {
        return MYPCI_DMA_ERR_BAD_CMD;
    }
    if (dma_dev_range_bad(core, job)) {
        return MYPCI_DMA_ERR_RANGE;
    }
    return dma_host_ranges_check(core, job, fault);
}

/*
 * The read and write callbacks can fail only if the host's dma_valid answer
 * was wrong (or the bus changed under the transfer). The ABI's "nothing
 * moves" promise then cannot be kept for the chunks already copied; the
 * transfer reports error 1 at the failing chunk's start.
 */
static int host_read(struct mypci_core *core, uint64_t addr, void *buf,
                     uint64_t len, uint64_t *fault)
{
    if (core->ops->dma_read(core->opaque, addr, buf, len) == 0) {
        return MYPCI_DMA_OK;
    }
    *fault = addr;
    return MYPCI_DMA_ERR_FAULT;
}

static int host_write(struct mypci_core *core, uint64_t addr, const void *buf,
                      uint64_t len, uint64_t *fault)
{
    if (core->ops->dma_write(core->opaque, addr, buf, len) == 0) {
        return MYPCI_DMA_OK;
    }
    *fault = addr;
    return MYPCI_DMA_ERR_FAULT;
}

/* Moves bytes [pos, pos + n) of the job. */
static int dma_move_chunk(struct mypci_core *core, const struct dma_job *job,
                          uint64_t pos, uint64_t n, uint8_t *bounce,
                          uint64_t *fault)
{
    int err;

    switch (job->dir) {
    case MYPCI_DMA_DIR_HOST_TO_DEV:
        return host_read(core, job->src + pos, core->mem + job->dst + pos, n,
                         fault);
    case MYPCI_DMA_DIR_DEV_TO_HOST:
        return host_write(core, job->dst + pos, core->mem + job->src + pos, n,
                          fault);
    default:
        err = host_read(core, job->src + pos, bounce, n, fault);
        if (err != MYPCI_DMA_OK) {
            return err;
        }
        return host_write(core, job->dst + pos, bounce, n, fault);
    }
}

/*
 * A host-to-host copy whose destination starts inside the source, above it,
 * would overwrite source bytes before reading them if copied front to back.
 */
static bool dma_copy_backward(const struct dma_job *job)
{
    return job->dir == MYPCI_DMA_DIR_HOST_TO_HOST && job->dst > job->src &&
           job->dst - job->src < job->len;
}

static int dma_move(struct mypci_core *core, const struct dma_job *job,
                    uint64_t *fault)
{
    uint8_t *bounce = core->dma_bounce;
    bool backward = dma_copy_backward(job);
    /*
     * Only host-to-host copies go through the bounce buffer and need its
     * chunks; the other directions move in one piece, which the host maps
     * once per contiguous run (a 16 KiB chunk cost a map and an unmap per
     * 16 KiB, a quarter of a 1 MiB transfer's time).
     */
    uint64_t chunk = job->dir == MYPCI_DMA_DIR_HOST_TO_HOST ? DMA_CHUNK : job->len;
    uint64_t done = 0;

    while (done < job->len) {
        uint64_t left = job->len - done;
        uint64_t n = left < chunk ? left : chunk;
        uint64_t pos = backward ? left - n : done;
        int err = dma_move_chunk(core, job, pos, n, bounce, fault);

        if (err != MYPCI_DMA_OK) {
            return err;
        }
        /* A reset reached through the host's callbacks abandons the rest. */
        if (!(core->dma_status & MYPCI_DMA_STATUS_BUSY)) {
            return MYPCI_DMA_OK;
        }
        done += n;
    }
    return MYPCI_DMA_OK;
}

static void dma_complete(struct mypci_core *core, int err, uint64_t fault,
                         uint64_t len)
{
    /* DROPPED stays until a command is next accepted (ABI 3). */
    core->dma_status = (core->dma_status & MYPCI_DMA_STATUS_DROPPED) |
                       MYPCI_DMA_STATUS_DONE |
                       (uint32_t)err << MYPCI_DMA_STATUS_ERR_SHIFT;
    if (err == MYPCI_DMA_ERR_FAULT) {
        core->dma_fault_addr = fault;
    }
    trace(core, MYPCI_TRACE_DMA_END, (uint64_t)err,
          err == MYPCI_DMA_ERR_FAULT ? fault : 0, len);
    if (err == MYPCI_DMA_OK) {
        if (!(core->config.breakage & MYPCI_BREAK_DMA_COUNT)) {
            core->dma_count++;
        }
        irq_raise(core, MYPCI_IRQ_DMA_DONE);
    } else {
        irq_raise(core, MYPCI_IRQ_DMA_ERROR);
    }
}

void mypci_core_run_deferred(struct mypci_core *core)
{
    struct dma_job job;
    uint64_t fault = 0;
    int err;

    /* Not busy: the transfer was abandoned by a reset before it ran. */
    if (!(core->dma_status & MYPCI_DMA_STATUS_BUSY)) {
        return;
    }
    job = dma_job_latched(core);
    err = dma_check(core, &job, &fault);
    if (err == MYPCI_DMA_OK) {
        err = dma_move(core, &job, &fault);
    }
    if (!(core->dma_status & MYPCI_DMA_STATUS_BUSY)) {
        return;
    }
    dma_complete(core, err, fault, job.len);
}

/*
 * The reason a loaded state is one no guest can reach, or NULL. ABI 10
 * preserves the device's state; a stream that holds bits no register
 * defines, an error code the ABI does not know, a status no transfer leaves
 * behind or an INTx level other than 0/1 was corrupted or forged, and is
 * refused rather than left for the guest to trip over. A BUSY transfer
 * whose latched registers are out of range is not among them: the guest can
 * latch any values (the engine checks a transfer when it runs, ABI 4), so
 * it loads and then fails with the ABI's error code.
 */
static const char *loaded_state_unreachable(const struct mypci_core *core)
{
    uint32_t status = core->dma_status;
    uint32_t err = (status & MYPCI_DMA_STATUS_ERR_MASK) >>
                   MYPCI_DMA_STATUS_ERR_SHIFT;

    if (core->irq_status & ~MYPCI_IRQ_ALL) {
        return "IRQ_STATUS has bits the ABI does not define";
    }
    if (core->irq_enable & ~MYPCI_IRQ_ALL) {
        return "IRQ_ENABLE has bits the ABI does not define";
    }
    if (status & ~DMA_STATUS_DEFINED) {
        return "DMA_STATUS has bits the ABI does not define";
    }
    if (err > MYPCI_DMA_ERR_LAST) {
        return "DMA_STATUS holds an error code the ABI does not define";
    }
    if ((status & MYPCI_DMA_STATUS_BUSY) &&
        (status & (MYPCI_DMA_STATUS_DONE | MYPCI_DMA_STATUS_ERR_MASK))) {
        return "DMA_STATUS is BUSY and DONE (or failed) at once";
    }
    if (err && !(status & MYPCI_DMA_STATUS_DONE)) {
        return "DMA_STATUS holds an error code without DONE";
    }
    if (core->intx_level > 1) {
        return "the INTx level is neither 0 nor 1";
    }
    if (core->vcap_events & ~MYPCI_VCAP_EVENT_MAILBOX) {
        return "the vendor capability's EVENTS has bits the ABI does not define";
    }
    return NULL;
}

int mypci_core_post_load(struct mypci_core *core, const char **why)
{
    const char *unreachable = loaded_state_unreachable(core);

    if (unreachable) {
        if (why) {
            *why = unreachable;
        }
        return -EINVAL;
    }
    if (core->dma_status & MYPCI_DMA_STATUS_BUSY) {
        core->ops->schedule(core->opaque);
    }
    return 0;
}

/* ---- BAR0 registers (ABI 3) ------------------------------------------- */

static uint32_t lo32(uint64_t value)
{
    return (uint32_t)value;
}

static uint32_t hi32(uint64_t value)
{
    return (uint32_t)(value >> 32);
}

static uint64_t set_lo32(uint64_t reg, uint32_t value)
{
    return (reg & 0xffffffff00000000ull) | value;
}

static uint64_t set_hi32(uint64_t reg, uint32_t value)
{
    return (reg & 0xffffffffull) | (uint64_t)value << 32;
}

/* Reads one register dword; false if the offset names no register. */
static bool reg_read(const struct mypci_core *core, uint64_t offset,
                     uint32_t *value)
{
    switch (offset) {
    case MYPCI_REG_ID:
        *value = MYPCI_ID_VALUE;
        return true;
    case MYPCI_REG_VERSION:
        *value = MYPCI_VERSION_VALUE;
        return true;
    case MYPCI_REG_SCRATCH:
        *value = core->scratch;
        return true;
    case MYPCI_REG_INVERT:
        *value = (core->config.breakage & MYPCI_BREAK_INVERT) ? core->scratch
                                                              : ~core->scratch;
        return true;
    case MYPCI_REG_FEATURES:
        *value = mypci_core_features(core);
        return true;
    case MYPCI_REG_IRQ_STATUS:
        *value = core->irq_status;
        return true;
    case MYPCI_REG_IRQ_ENABLE:
        *value = core->irq_enable;
        return true;
    case MYPCI_REG_IRQ_COUNT:
        *value = core->irq_count;
        return true;
    case MYPCI_REG_DMA_SRC:
        *value = lo32(core->dma_src);
        return true;
    case MYPCI_REG_DMA_SRC + 4:
        *value = hi32(core->dma_src);
        return true;
    case MYPCI_REG_DMA_DST:
        *value = lo32(core->dma_dst);
        return true;
    case MYPCI_REG_DMA_DST + 4:
        *value = hi32(core->dma_dst);
        return true;
    case MYPCI_REG_DMA_LEN:
        *value = core->dma_len;
        return true;
    case MYPCI_REG_DMA_STATUS:
        *value = core->dma_status;
        return true;
    case MYPCI_REG_DMA_COUNT:
        *value = core->dma_count;
        return true;
    case MYPCI_REG_DMA_FAULT_ADDR:
        *value = lo32(core->dma_fault_addr);
        return true;
    case MYPCI_REG_DMA_FAULT_ADDR + 4:
        *value = hi32(core->dma_fault_addr);
        return true;
    case MYPCI_REG_CONTROL:   /* RESET reads 0 */
    case MYPCI_REG_IRQ_RAISE: /* write-only */
    case MYPCI_REG_IRQ_ACK:
    case MYPCI_REG_DMA_CMD:
        *value = 0;
        return true;
    default:
        *value = 0;
        return false;
    }
}

/* Writes of the registers whose writes change state. */
static bool reg_write_active(struct mypci_core *core, uint64_t offset,
                             uint32_t value)
{
    switch (offset) {
    case MYPCI_REG_SCRATCH:
        core->scratch = value;
        return true;
    case MYPCI_REG_CONTROL:
        if (value & MYPCI_CONTROL_RESET) {
            mypci_core_reset(core, MYPCI_RESET_CONTROL);
        }
        return true;
    case MYPCI_REG_IRQ_ENABLE:
        irq_set(core, core->irq_status, value);
        return true;
    case MYPCI_REG_IRQ_RAISE:
        irq_raise(core, value & MYPCI_IRQ_ALL);
        return true;
    case MYPCI_REG_IRQ_ACK:
        irq_set(core, core->irq_status & ~value, core->irq_enable);
        return true;
    case MYPCI_REG_DMA_CMD:
        dma_cmd_write(core, value);
        return true;
    default:
        return false;
    }
}

static bool reg_write_dma_regs(struct mypci_core *core, uint64_t offset,
                               uint32_t value)
{
    switch (offset) {
    case MYPCI_REG_DMA_SRC:
        core->dma_src = set_lo32(core->dma_src, value);
        return true;
    case MYPCI_REG_DMA_SRC + 4:
        core->dma_src = set_hi32(core->dma_src, value);
        return true;
    case MYPCI_REG_DMA_DST:
        core->dma_dst = set_lo32(core->dma_dst, value);
        return true;
    case MYPCI_REG_DMA_DST + 4:
        core->dma_dst = set_hi32(core->dma_dst, value);
        return true;
    case MYPCI_REG_DMA_LEN:
        core->dma_len = value;
        return true;
    default:
        return false;
    }
}

/* Writes one register dword; read-only and unknown offsets ignore it. */
static void reg_write(struct mypci_core *core, uint64_t offset, uint32_t value)
{
    if (!reg_write_active(core, offset, value)) {
        reg_write_dma_regs(core, offset, value);
    }
}

/* Only aligned 4- and 8-byte accesses inside the register page (ABI 3). */
static bool mmio_access_ok(uint64_t offset, unsigned size)
{
    return (size == 4 || size == 8) && offset % size == 0 &&
           offset < MYPCI_REG_PAGE_SIZE;
}

/* True if some dword of the (well-formed) access is a register. */
static bool mmio_names_reg(const struct mypci_core *core, uint64_t offset,
                           unsigned size)
{
    uint32_t ignored;
    bool known = false;

    for (unsigned i = 0; i < size; i += 4) {
        known |= reg_read(core, offset + i, &ignored);
    }
    return known;
}

uint64_t mypci_core_mmio_read(struct mypci_core *core, uint64_t offset,
                              unsigned size)
{
    uint64_t value = 0;
    bool known = false;

    if (!mmio_access_ok(offset, size)) {
        trace(core, MYPCI_TRACE_MMIO_BAD, offset, size, 0);
        return 0;
    }
    /* An 8-byte access is two 4-byte ones, lower address first. */
    for (unsigned i = 0; i < size; i += 4) {
        uint32_t dword;

        known |= reg_read(core, offset + i, &dword);
        value |= (uint64_t)dword << (i * 8);
    }
    trace(core, known ? MYPCI_TRACE_MMIO_READ : MYPCI_TRACE_MMIO_BAD, offset,
          size, value);
    return value;
}

void mypci_core_mmio_write(struct mypci_core *core, uint64_t offset,
                           uint64_t value, unsigned size)
{
    if (!mmio_access_ok(offset, size) || !mmio_names_reg(core, offset, size)) {
        trace(core, MYPCI_TRACE_MMIO_BAD, offset, size, value);
        return;
    }
    /* Traced first: the write may trigger a reset or interrupts. */
    trace(core, MYPCI_TRACE_MMIO_WRITE, offset, size, value);
    for (unsigned i = 0; i < size; i += 4) {
        reg_write(core, offset + i, (uint32_t)(value >> (i * 8)));
    }
}

/* ---- vendor capability (ABI 8) ---------------------------------------- */

static bool vcap_access_ok(unsigned offset, unsigned size)
{
    return (size == 1 || size == 2 || size == 4) &&
           offset >= MYPCI_VCAP_SIGNATURE && offset < MYPCI_VCAP_LEN &&
           size <= MYPCI_VCAP_LEN - offset;
}

static uint32_t vcap_dword(const struct mypci_core *core, unsigned offset)
{
    switch (offset) {
    case MYPCI_VCAP_SIGNATURE:
        return MYPCI_VCAP_SIGNATURE_VALUE;
    case MYPCI_VCAP_MAILBOX:
        return core->vcap_mailbox;
    case MYPCI_VCAP_RESULT:
        return ~core->vcap_mailbox;
    case MYPCI_VCAP_EVENTS:
        return core->vcap_events;
    default:
        return 0;
    }
}

static uint8_t vcap_byte(const struct mypci_core *core, unsigned offset)
{
    return (uint8_t)(vcap_dword(core, offset & ~3u) >> (offset % 4 * 8));
}

uint32_t mypci_core_vcap_read(const struct mypci_core *core, unsigned offset,
                              unsigned size)
{
    uint32_t value = 0;

    if (!vcap_access_ok(offset, size)) {
        return 0;
    }
    for (unsigned i = 0; i < size; i++) {
        value |= (uint32_t)vcap_byte(core, offset + i) << (i * 8);
    }
    return value;
}

/*
 * Byte by byte, since an access may cover parts of two fields. No single
 * access (4 bytes at most) reaches both MAILBOX and EVENTS, so the order of
 * "set by a MAILBOX write" and "cleared by writing 1" never matters.
 */
static void vcap_write_byte(struct mypci_core *core, unsigned offset,
                            uint8_t byte)
{
    unsigned shift = offset % 4 * 8;

    switch (offset & ~3u) {
    case MYPCI_VCAP_MAILBOX:
        core->vcap_mailbox &= ~(0xffu << shift);
        core->vcap_mailbox |= (uint32_t)byte << shift;
        core->vcap_events |= MYPCI_VCAP_EVENT_MAILBOX;
        break;
    case MYPCI_VCAP_EVENTS:
        if (shift == 0 && (byte & MYPCI_VCAP_EVENT_MAILBOX)) {
            core->vcap_events &= ~MYPCI_VCAP_EVENT_MAILBOX;
        }
        break;
    default:
        /* SIGNATURE and RESULT are read-only. */
        break;
    }
}

void mypci_core_vcap_write(struct mypci_core *core, unsigned offset,
                           uint32_t value, unsigned size)
{
    if (!vcap_access_ok(offset, size)) {
        return;
    }
    trace(core, MYPCI_TRACE_VCAP_WRITE, offset, size, value);
    for (unsigned i = 0; i < size; i++) {
        vcap_write_byte(core, offset + i, (uint8_t)(value >> (i * 8)));
    }
}
