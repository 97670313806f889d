#!/usr/bin/env python3
# Writes the seed corpus of fuzz_core (tests/fuzz/corpus/) in the harness's
# input format (see the comment at the top of fuzz_core.c): small scenarios a
# driver and a hostile guest would run, for libFuzzer to mutate.
#
#   tests/fuzz/gen_corpus.py [OUTDIR]      (default: corpus/ next to this file)
#
# SPDX-License-Identifier: GPL-2.0-or-later
import os
import struct
import sys

# Opcodes (enum op in fuzz_core.c).
MMIO_READ, MMIO_WRITE, VCAP_READ, VCAP_WRITE, DMA, RUN, IRQ_MODE, \
    BUS_MASTER, RESET, MAP_PAGE, BAR2_WRITE = range(11)

# Register offsets (mypci_core.h) and their index in mmio_offsets[].
MMIO_OFFSETS = [0x000, 0x004, 0x008, 0x00c, 0x010, 0x014, 0x018, 0x01c,
                0x020, 0x024, 0x028, 0x02c, 0x030, 0x034, 0x040, 0x044,
                0x048, 0x04c, 0x050, 0x054, 0x058, 0x05c, 0x060, 0x064,
                0x068, 0xffc, 0x1000, 0x1800]
SCRATCH, INVERT, FEATURES, CONTROL = 0x08, 0x0c, 0x10, 0x14
IRQ_STATUS, IRQ_ENABLE, IRQ_RAISE, IRQ_ACK, IRQ_COUNT = \
    0x20, 0x24, 0x28, 0x2c, 0x30
DMA_SRC, DMA_DST, DMA_LEN, DMA_CMD, DMA_STATUS = 0x40, 0x48, 0x50, 0x54, 0x58

SIZE_SEL = {1: 0, 2: 1, 4: 2, 8: 3}
VCAP_SIZE_SEL = {1: 0, 2: 1, 4: 2}
MODE_INTX, MODE_MSI, MODE_MSIX = 0, 1, 2  # index among offered modes
H2D, D2H, H2H = 0, 1, 2

# pick_host_addr / pick_dev_offset / pick_len kinds.
HOST_IN_RANGE, HOST_PAGE_EDGE, HOST_HOLE, HOST_RO, HOST_TOP = 0, 1, 2, 3, 4
DEV_IN_RANGE, DEV_END, DEV_PAST, DEV_TOP = 0, 1, 2, 3
LEN_SMALL, LEN_PAGE, LEN_MEM, LEN_MEM_PLUS_1, LEN_ZERO, LEN_RAW = range(6)


def header(mem_sel=0, msi=True, msix=True, scratch=0):
    return struct.pack('<BBI', mem_sel, int(msi) | int(msix) << 1, scratch)


def at(offset):
    """off_sel, off_raw for an offset: the table if it is there."""
    if offset in MMIO_OFFSETS:
        return MMIO_OFFSETS.index(offset), 0
    return 0xc0, offset


def mmio_read(offset, size=4):
    sel, raw = at(offset)
    return struct.pack('<BBBH', MMIO_READ, SIZE_SEL[size], sel, raw)


def mmio_write(offset, value, size=4):
    sel, raw = at(offset)
    return struct.pack('<BBBHQ', MMIO_WRITE, SIZE_SEL[size], sel, raw, value)


def vcap_read(offset, size=4):
    return struct.pack('<BBB', VCAP_READ, offset, VCAP_SIZE_SEL[size])


def vcap_write(offset, value, size=4):
    return struct.pack('<BBBI', VCAP_WRITE, offset, VCAP_SIZE_SEL[size], value)


def dma(direction, src, dst, length, how=0, cmd_raw=None):
    """src, dst, length: (kind, raw) pairs for the harness's pickers."""
    cmd_sel, raw = (direction, 0) if cmd_raw is None else (0xff, cmd_raw)
    return struct.pack('<BBIBQBQBQB', DMA, cmd_sel, raw, *src, *dst,
                       *length, how)


def run(only_if_scheduled=True):
    return struct.pack('<BB', RUN, int(only_if_scheduled))


def irq_mode(sel):
    return struct.pack('<BB', IRQ_MODE, sel)


def bus_master():
    return struct.pack('<B', BUS_MASTER)


def reset(kind):
    return struct.pack('<BB', RESET, kind)


def map_page(page, perm):
    return struct.pack('<BBB', MAP_PAGE, page, perm)


def bar2_write(offset, length, seed):
    return struct.pack('<BIBB', BAR2_WRITE, offset, length - 1, seed)


SEEDS = {
    'registers': header(scratch=0x5a5aa5a5) + b''.join([
        mmio_read(0), mmio_read(4), mmio_read(INVERT),
        mmio_write(SCRATCH, 0x12345678), mmio_read(INVERT),
        mmio_write(SCRATCH, 0xffff, 2), mmio_write(SCRATCH + 1, 1, 4),
        mmio_read(SCRATCH, 8), mmio_read(0x1000, 4), mmio_write(0x1800, 1),
        mmio_read(0x0f, 1), mmio_write(0x2000, 7, 8),
        mmio_write(FEATURES, 1 << 32, 8),  # CONTROL.RESET through 8 bytes
    ]),
    'dma_to_device': header(mem_sel=2) + b''.join([
        irq_mode(MODE_MSIX), mmio_write(IRQ_ENABLE, 7),
        dma(H2D, (HOST_IN_RANGE, 0x2010), (DEV_IN_RANGE, 0x100),
            (LEN_SMALL, 0x7f)),
        run(),
        dma(D2H, (DEV_IN_RANGE, 0x100), (HOST_IN_RANGE, 0x5000),
            (LEN_SMALL, 0x7f), how=7),
        run(), mmio_read(DMA_STATUS), mmio_write(IRQ_ACK, 1),
    ]),
    'dma_faults': header(mem_sel=0) + b''.join([
        irq_mode(MODE_MSI), mmio_write(IRQ_ENABLE, 3),
        dma(H2D, (HOST_HOLE, 0), (DEV_IN_RANGE, 0), (LEN_PAGE, 0)), run(),
        dma(D2H, (DEV_IN_RANGE, 0), (HOST_RO, 0x10), (LEN_SMALL, 8)), run(),
        dma(H2D, (HOST_TOP, 0x10), (DEV_IN_RANGE, 0), (LEN_SMALL, 0x20)),
        run(),
        dma(H2D, (HOST_IN_RANGE, 0), (DEV_TOP, 0), (LEN_SMALL, 0x20)), run(),
        dma(D2H, (DEV_END, 1), (HOST_IN_RANGE, 0), (LEN_SMALL, 1)), run(),
        dma(H2D, (HOST_IN_RANGE, 0), (DEV_IN_RANGE, 0), (LEN_MEM_PLUS_1, 0)),
        run(),
        dma(H2D, (HOST_IN_RANGE, 0), (DEV_IN_RANGE, 0), (LEN_ZERO, 0)), run(),
        dma(3, (HOST_IN_RANGE, 0), (HOST_IN_RANGE, 0), (LEN_SMALL, 0)), run(),
        dma(0, (HOST_IN_RANGE, 0), (DEV_IN_RANGE, 0), (LEN_SMALL, 0),
            cmd_raw=0x100), run(),
    ]),
    'dma_host_to_host': header(mem_sel=6) + b''.join([
        dma(H2H, (HOST_IN_RANGE, 0x4000), (HOST_IN_RANGE, 0x4800),
            (LEN_RAW, 0x2000)), run(),
        dma(H2H, (HOST_IN_RANGE, 0xa000), (HOST_IN_RANGE, 0x9ff0),
            (LEN_RAW, 0x3000), how=3), run(),
        # Overlapping, several 16 KiB chunks: copied back to front.
        dma(H2H, (HOST_IN_RANGE, 0x1a000), (HOST_IN_RANGE, 0x1b000),
            (LEN_RAW, 0x9000)), run(),
        dma(H2D, (HOST_IN_RANGE, 0x19000), (DEV_IN_RANGE, 0x100),
            (LEN_RAW, 0x9000)), run(),
        # Destination runs into the hole at pages 16-17.
        dma(H2H, (HOST_IN_RANGE, 0x6ff8), (HOST_PAGE_EDGE, 0x0f00 | 0xf8),
            (LEN_RAW, 0x4000)), run(),
    ]),
    'dma_busy_drop_reset': header(mem_sel=1) + b''.join([
        dma(H2D, (HOST_IN_RANGE, 0), (DEV_IN_RANGE, 0), (LEN_MEM, 0)),
        dma(D2H, (DEV_IN_RANGE, 0), (HOST_IN_RANGE, 0), (LEN_SMALL, 3)),
        mmio_read(DMA_STATUS), map_page(0, 0), run(),
        dma(H2D, (HOST_IN_RANGE, 0x3000), (DEV_IN_RANGE, 0), (LEN_SMALL, 9)),
        reset(1), run(False),
        dma(H2D, (HOST_IN_RANGE, 0x3000), (DEV_IN_RANGE, 0), (LEN_SMALL, 9)),
        reset(0), run(False),
    ]),
    'interrupts': header(msi=True, msix=True) + b''.join([
        mmio_write(IRQ_RAISE, 4), mmio_write(IRQ_ENABLE, 4),
        mmio_read(IRQ_COUNT), mmio_write(IRQ_ACK, 4),
        irq_mode(MODE_MSI), mmio_write(IRQ_RAISE, 7),
        mmio_write(IRQ_ENABLE, 7), irq_mode(MODE_MSIX),
        mmio_write(IRQ_ACK, 7),
        mmio_write(IRQ_RAISE, 4 << 32 | 4, 8), irq_mode(MODE_INTX),
        mmio_write(IRQ_RAISE, 1), irq_mode(MODE_MSIX), irq_mode(MODE_INTX),
        mmio_write(IRQ_STATUS, 0, 8), mmio_read(IRQ_COUNT),
    ]),
    'vendor_cap': header(msi=False, msix=False) + b''.join([
        vcap_read(4), vcap_write(8, 0xdeadbeef), vcap_read(0xc),
        vcap_read(0x10), vcap_write(0x10, 1, 1), vcap_write(0xa, 0x55aa, 2),
        vcap_write(0x13, 0xff, 1), vcap_read(0x12, 4), vcap_write(4, 0),
        vcap_write(0x16, 0xffffffff), reset(1), vcap_read(8), reset(2),
        vcap_read(8),
    ]),
    'bus_master_and_bar2': header(mem_sel=3) + b''.join([
        bar2_write(0x40, 64, 9),
        dma(D2H, (DEV_IN_RANGE, 0x40), (HOST_IN_RANGE, 0x7000),
            (LEN_SMALL, 63)),
        bus_master(), run(), bus_master(),
        dma(D2H, (DEV_IN_RANGE, 0x40), (HOST_IN_RANGE, 0x7000),
            (LEN_SMALL, 63)),
        map_page(7, 1), run(), map_page(7, 2),
        dma(D2H, (DEV_IN_RANGE, 0x40), (HOST_IN_RANGE, 0x7000),
            (LEN_SMALL, 63)),
        run(),
    ]),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, 'corpus')
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        assert len(data) < 1024, name
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
        print(f'{name}: {len(data)} bytes')


if __name__ == '__main__':
    main()
