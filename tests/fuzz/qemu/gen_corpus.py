#!/usr/bin/env python3
"""Writes the seed corpus of mypci's generic-fuzz targets (corpus/TARGET/).

Each seed is a generic-fuzz input: operations separated by b"FUZZ", each an
opcode byte and its arguments laid out as the C structs of QEMU's
tests/qtest/fuzz/generic_fuzz.c (x86-64 alignment). An MMIO operation names
a region by its index among the fuzzed regions the flat view holds, in
address order; for one mypci that is 0 the registers (BAR0 page 0), 1 the
MSI-X table, 2 the rest of page 1, 3 the PBA, 4 the rest of BAR0.

The register offsets and values are restated from docs/abi.md (sections
2-8), not taken from the device's headers. The BAR addresses are where
generic-fuzz's set-up (libqos) puts the BARs before every input; they only
make the DMA-into-own-BAR seeds aim well, and the fuzzer mutates them anyway.

usage: gen_corpus.py [OUT-DIR]   (default: corpus/ beside this file)
"""
import os
import struct
import sys

SEP = b"FUZZ"
OP_READ, OP_WRITE, OP_PCI_READ, OP_PCI_WRITE = 2, 3, 4, 5
OP_ADD_DMA_PATTERN, OP_CLEAR_DMA_PATTERNS, OP_CLOCK_STEP = 7, 8, 9
B, W, L, Q = 0, 1, 2, 3  # access sizes: byte, word, long, quad

# docs/abi.md section 3: BAR0 page 0.
ID, VERSION, SCRATCH, INVERT, FEATURES, CONTROL = 0x0, 0x4, 0x8, 0xC, 0x10, 0x14
IRQ_STATUS, IRQ_ENABLE, IRQ_RAISE, IRQ_ACK, IRQ_COUNT = 0x20, 0x24, 0x28, 0x2C, 0x30
DMA_SRC, DMA_DST, DMA_LEN, DMA_CMD = 0x40, 0x48, 0x50, 0x54
DMA_STATUS, DMA_COUNT, DMA_FAULT_ADDR = 0x58, 0x5C, 0x60
H2D, D2H, H2H = 0, 1, 2
DMA_DONE, DMA_ERROR, SOFT = 1, 2, 4

# Config space (section 6): Command, BARs, the capabilities.
COMMAND, BAR0, BAR2 = 0x04, 0x10, 0x18
CMD_MEM, CMD_MASTER, CMD_INTX_DISABLE = 0x2, 0x4, 0x400
MSI_CAP, EXP_CAP, MSIX_CAP, VNDR_CAP = 0x50, 0x70, 0xB0, 0xC0

# Regions (see the docstring) and guest RAM for DMA.
REGS, MSIX_TABLE, MSIX_PBA = 0, 1, 3
RAM = 0x100000
BAR0_ADDR = 0xE0000000
BAR2_ADDR = 0xE0100000


def read(size, region, off):
    return bytes([OP_READ]) + struct.pack("<BBxxI", size, region, off)


def write(size, region, off, value):
    return bytes([OP_WRITE]) + struct.pack("<BBxxIQ", size, region, off, value)


def reg_w(off, value, region=REGS):
    return write(Q if off in (DMA_SRC, DMA_DST) else L, region, off, value)


def reg_r(off, region=REGS):
    return read(L, region, off)


def cfg_r(size, off, dev=0):
    return bytes([OP_PCI_READ]) + struct.pack("<BBB", size, dev, off)


def cfg_w(size, off, value, dev=0):
    return bytes([OP_PCI_WRITE]) + struct.pack("<BBBxI", size, dev, off, value)


def dma_pattern(data, index=0, stride=1):
    return bytes([OP_ADD_DMA_PATTERN]) + struct.pack("<BB", index, stride) + data


def clock_step():
    return bytes([OP_CLOCK_STEP])


def dma(direction, src, dst, length, region=REGS):
    """Programs one transfer (section 3), lets it complete, reads status."""
    return [reg_w(DMA_SRC, src, region), reg_w(DMA_DST, dst, region),
            reg_w(DMA_LEN, length, region), reg_w(DMA_CMD, direction, region),
            clock_step(), reg_r(DMA_STATUS, region), reg_r(DMA_COUNT, region),
            reg_r(DMA_FAULT_ADDR, region)]


def registers():
    ops = [reg_r(o) for o in (ID, VERSION, FEATURES)]
    ops += [reg_w(SCRATCH, 0x12345678), reg_r(INVERT), write(W, REGS, SCRATCH, 0xFFFF),
            read(B, REGS, SCRATCH + 1), write(Q, REGS, SCRATCH, 0x0123456789ABCDEF),
            reg_w(0x1000 - 4, 1), reg_w(CONTROL, 1), reg_r(SCRATCH)]
    return ops


def dma_transfers():
    ops = [dma_pattern(b"\x11\x22\x33\x44", 0, 1)]
    ops += dma(H2D, RAM, 0, 0x1000)
    ops += dma(D2H, 0x10, RAM + 0x2000, 0x800)
    ops += dma(H2H, RAM, RAM + 0x800, 0x1800)  # overlapping: memmove
    ops += dma(H2D, RAM, 0xFF000, 0x1000)  # the last page of device memory
    return ops


def dma_errors():
    ops = dma(H2D, RAM, 0, 0)  # length 0: error 2
    ops += dma(3, RAM, 0, 16)  # direction 3: error 2
    ops += dma(H2D | 0x100, RAM, 0, 16)  # reserved bit: error 2
    ops += dma(H2D, RAM, 0xFFFFFFFFFFFFFFF0, 0x100)  # overflow: error 3
    ops += dma(H2D, 0xFFFFFFFFFFFFF000, 0, 0x100)  # unassigned: error 1
    ops += [cfg_w(W, COMMAND, CMD_MEM)] + dma(H2D, RAM, 0, 16)  # error 4
    ops += [cfg_w(W, COMMAND, CMD_MEM | CMD_MASTER)]
    return ops


def interrupts_msix():
    ops = [cfg_w(W, MSIX_CAP + 2, 0x8000)]  # MSI-X enable
    for vector in range(3):
        entry = vector * 16
        ops += [write(L, MSIX_TABLE, entry, 0xFEE00000), write(L, MSIX_TABLE, entry + 4, 0),
                write(L, MSIX_TABLE, entry + 8, 0x30 + vector), write(L, MSIX_TABLE, entry + 12, 0)]
    ops += [reg_w(IRQ_ENABLE, 7), reg_w(IRQ_RAISE, SOFT), reg_r(IRQ_COUNT), reg_w(IRQ_ACK, SOFT)]
    ops += [write(L, MSIX_TABLE, 2 * 16 + 12, 1), reg_w(IRQ_RAISE, SOFT),  # masked: PBA bit
            read(Q, MSIX_PBA, 0), write(L, MSIX_TABLE, 2 * 16 + 12, 0), read(Q, MSIX_PBA, 0)]
    ops += [cfg_w(W, MSIX_CAP + 2, 0xC000), reg_w(IRQ_RAISE, SOFT),  # function mask
            cfg_w(W, MSIX_CAP + 2, 0x8000)]
    ops += dma(H2D, RAM, 0, 64)
    return ops


def interrupts_msi_intx():
    ops = [cfg_w(L, MSI_CAP + 4, 0xFEE00000), cfg_w(L, MSI_CAP + 8, 0),
           cfg_w(W, MSI_CAP + 12, 0x41), cfg_w(W, MSI_CAP + 2, 0x1)]  # MSI enable
    ops += [reg_w(IRQ_ENABLE, 7), reg_w(IRQ_RAISE, SOFT | DMA_DONE), reg_w(IRQ_ACK, 7)]
    ops += [cfg_w(W, MSI_CAP + 2, 0x0)]  # back to INTx
    ops += [reg_w(IRQ_RAISE, SOFT), cfg_w(W, COMMAND, CMD_MEM | CMD_MASTER | CMD_INTX_DISABLE),
            reg_w(IRQ_ACK, SOFT), cfg_w(W, COMMAND, CMD_MEM | CMD_MASTER), reg_r(IRQ_STATUS)]
    return ops


def vendor_cap():
    ops = [cfg_r(B, VNDR_CAP), cfg_r(B, VNDR_CAP + 2), cfg_r(L, VNDR_CAP + 4)]
    ops += [cfg_w(L, VNDR_CAP + 8, 0x5A5A0001), cfg_r(L, VNDR_CAP + 12),
            cfg_r(L, VNDR_CAP + 16), cfg_w(L, VNDR_CAP + 16, 1), cfg_w(B, VNDR_CAP + 9, 0xFF),
            cfg_w(W, VNDR_CAP + 6, 0xFFFF)]
    return ops


def flr_during_dma():
    """Function-level reset (Device Control bit 15) with a transfer started."""
    ops = [reg_w(SCRATCH, 0xAA55), reg_w(IRQ_ENABLE, 7)]
    ops += [reg_w(DMA_SRC, RAM), reg_w(DMA_DST, 0), reg_w(DMA_LEN, 0x10000), reg_w(DMA_CMD, H2D)]
    ops += [cfg_w(W, EXP_CAP + 8, 0x8000), clock_step(), reg_r(DMA_STATUS), reg_r(SCRATCH)]
    ops += [cfg_w(W, COMMAND, CMD_MEM | CMD_MASTER)] + dma(H2D, RAM, 0, 16)
    return ops


def bar_remap_during_dma():
    """BAR and Command writes that move or drop the BARs while a transfer is pending."""
    ops = [reg_w(DMA_SRC, RAM), reg_w(DMA_DST, 0), reg_w(DMA_LEN, 0x1000), reg_w(DMA_CMD, H2D)]
    ops += [cfg_w(L, BAR2, 0xE0400000), cfg_w(L, BAR0, 0xE0200000), clock_step(),
            reg_r(DMA_STATUS)]
    ops += [cfg_w(W, COMMAND, CMD_MASTER), reg_w(DMA_CMD, D2H), clock_step(),
            cfg_w(W, COMMAND, CMD_MEM | CMD_MASTER), reg_r(DMA_STATUS)]
    ops += [cfg_w(L, BAR0, 0xFFFFFFFF), cfg_r(L, BAR0), cfg_w(L, BAR0, BAR0_ADDR)]
    return ops


def dma_into_own_bars():
    """DMA aimed at BAR0's registers, the MSI-X table and PBA, and BAR2."""
    ops = [cfg_w(W, MSIX_CAP + 2, 0x8000), dma_pattern(b"\x00\x00\xe0\xfe\x00\x00\x00\x00", 0, 0)]
    ops += dma(H2H, RAM, BAR0_ADDR + 0x1000, 0x30)  # into the MSI-X table
    ops += dma(D2H, 0, BAR0_ADDR + 0x1800, 8)  # into the PBA
    ops += dma(D2H, 0, BAR0_ADDR + SCRATCH, 4)  # into our own registers
    ops += dma(H2H, BAR0_ADDR + 0x1000, RAM, 0x40)  # from the table
    ops += dma(H2H, RAM, BAR2_ADDR + 0x100, 0x100)  # into BAR2 (device memory)
    ops += dma(D2H, 0, BAR2_ADDR + 0x80, 0x100)  # device memory onto itself
    ops += dma(H2H, BAR0_ADDR, BAR0_ADDR + 0x40, 0x40)  # registers onto registers
    return ops


def tutorial():
    """mypci_minimal (region 0) and mypci_configurable (region 1): one register."""
    ops = []
    for region in (0, 1):
        ops += [read(L, region, 0), write(L, region, 0, 0xDEADBEEF), read(B, region, 1),
                write(W, region, 2, 0x1234), read(L, region, 0), read(L, region, 0xFFC),
                write(L, region, 0x10, 1)]
    ops += [cfg_r(L, 0, 0), cfg_r(L, 0, 1), cfg_w(L, BAR0, 0xE0300000, 1), cfg_r(L, BAR0, 1),
            cfg_w(W, COMMAND, 0, 0)]
    return ops


SEEDS = {
    "mypci": [registers, dma_transfers, dma_errors, interrupts_msix, interrupts_msi_intx,
              vendor_cap, flr_during_dma, bar_remap_during_dma, dma_into_own_bars],
    "mypci-variants": [registers, dma_transfers, dma_errors, interrupts_msi_intx,
                       vendor_cap, flr_during_dma, bar_remap_during_dma, dma_into_own_bars],
    "mypci-tutorial": [tutorial],
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
    for target, scenarios in SEEDS.items():
        folder = os.path.join(out, target)
        os.makedirs(folder, exist_ok=True)
        for scenario in scenarios:
            data = SEP.join(scenario())
            assert data.count(SEP) == len(scenario()) - 1, f"{scenario.__name__}: a FUZZ inside an operation"
            with open(os.path.join(folder, scenario.__name__), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
