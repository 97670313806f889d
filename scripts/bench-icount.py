#!/usr/bin/python3
"""Host instructions QEMU executes per guest operation, counted by callgrind.

usage:
  bench-icount.py run --qemu QEMU [--json FILE] [--ops N] [--only ID,...]
        [--keep DIR] [--command CMD]
      For each measure (operation x device), starts QEMU twice under
      valgrind's callgrind, driven by the qtest protocol (no guest CPU runs),
      does N and then 2N operations, and reports (count(2N) - count(N)) / N
      instructions per operation; prints the table, writes FILE.json.
  bench-icount.py table FILE.json
  bench-icount.py compare A.json B.json
      Exit 0 if both runs measured the same measures (at least one) and
      counted exactly the same instructions in each, else 1 with one line
      per difference: the repeatability check.
  bench-icount.py check FILE.json
      Exit 0 if the JSON has the documented shape and its counts are sane
      (counts > 0, the 2N run counted more than the N run, every operation
      delivered what it must), else 1 with one line per problem.

What is counted: callgrind collects only inside the functions of TOGGLES
(QEMU's MMIO dispatch, the two devices' deferred DMA work), so qtest's own
parsing and the main loop are outside, and only between two qtest commands
that bracket the operations, so boot, set-up and the final checks are
outside too; what the window holds once cancels in the difference. See
docs/bench.md, "Instruction counts".

Standard library only (/usr/bin/python3); needs valgrind and setarch.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

SCHEMA = "mypci-icount/1"
DEVICES = ("mypci", "edu", "pci-testdev,membar=1M,membar-backed=on")

# Where callgrind counts. The MMIO dispatch is the part of a guest's
# register access that is the same under TCG and qtest (TCG's slow path and
# qtest's command both end in it); the DMA work runs later, off the MMIO
# write, in a bottom half (mypci without a vCPU: device/qemu/mypci.c's
# mypci_schedule) or a timer (edu). Callgrind toggles collection on entry
# to and exit from each of these, except a recursive entry: an MSI, a
# memory write made inside the raising MMIO write, goes through
# memory_region_dispatch_write again into the APIC and is counted with it.
# Two different functions of the list must never run one inside the other
# (the inner one would toggle collection off): none of these operations
# does.
TOGGLES = ("memory_region_dispatch_read", "memory_region_dispatch_write",
           "mypci_dma_bh", "edu_dma_timer")
# ... and the one excluded on purpose, by the same rule: a toggle inside a
# counted region turns counting off until it returns. An interrupt the APIC
# accepts sets the vCPU's interrupt_request and kicks its thread (qtest: an
# idle one); what the kick costs depends on whether that thread has run
# since the last kick (no pthread_kill if not; a condition variable with or
# without a waiter): thread scheduling, not the device. Counted, it made
# edu's interrupt figure differ from run to run by up to 150 instructions
# per operation. (qemu_cpu_kick itself is inlined into this function.)
UNCOUNTED = ("generic_handle_interrupt",)
# The window counted: callgrind forgets what it counted so far on entry to
# ZERO_AT, which only qtest's b64read command calls, and writes what it
# counted since on entry to DUMP_AT, which only b64write calls. Before the
# window, the set-up (BARs mapped, flat views rebuilt, memory freed by the
# RCU thread at times of its own) is not repeatable to the instruction;
# after it, QEMU's exit kicks the vCPU threads (see UNCOUNTED).
ZERO_AT = "g_base64_encode"
DUMP_AT = "g_base64_decode_inplace"
# The function whose calls prove an MSI/MSI-X message reached the APIC.
DELIVERY = "apic_send_msi"

MSI_ADDR = 0xfee00000  # the local APIC's MSI window
MSI_VECTOR = 0x41
RAM_SRC = 0x100000     # guest RAM the DMA reads from
RAM_DST = 0x200000     # and where a final check copies back to
DMA_LEN = 4096
MMIO_BASE = 0xe0000000  # where BARs go (libqos's 32-bit PCI hole)
CLOCK_EDU_DMA_NS = 100 * 1000 * 1000  # edu starts its DMA 100 ms after CMD

MYPCI_ID = 0x4d504349
MYPCI = {"vendor": 0x1af4, "device": 0x1236}
EDU = {"vendor": 0x1234, "device": 0x11e8}
TESTDEV = {"vendor": 0x1b36, "device": 0x0005}

PCI_COMMAND_MEM_MASTER = 0x6
PCI_CAP_MSI = 0x05
PCI_CAP_MSIX = 0x11


class QtestError(Exception):
    pass


class Qtest:
    """One QEMU under callgrind, spoken to over qtest on stdin/stdout."""

    def __init__(self, qemu, out, log):
        cmd = ["setarch", platform.machine(), "-R",
               "valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
               "--collect-atstart=no", "--compress-strings=no",
               "--compress-pos=no"]
        cmd += ["--toggle-collect=" + f for f in TOGGLES + UNCOUNTED]
        cmd += ["--zero-before=" + ZERO_AT, "--dump-before=" + DUMP_AT]
        cmd += [qemu, "-machine", "q35", "-accel", "qtest", "-qtest", "stdio",
                "-qtest-log", "/dev/null", "-display", "none", "-nodefaults",
                "-monitor", "none", "-serial", "none", "-m", "128M"]
        for spec in DEVICES:
            cmd += ["-device", spec]
        # The same environment every time: nothing of the caller's leaks in.
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"}
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=log,
                                     env=env, text=True, bufsize=1)
        self.mmio_next = MMIO_BASE

    def cmd(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        while True:
            reply = self.proc.stdout.readline()
            if not reply:
                raise QtestError("QEMU ended during '%s'" % line)
            words = reply.split()
            if words and words[0] == "OK":
                return words[1:]
            if words and words[0] == "FAIL":
                raise QtestError("'%s': %s" % (line, reply.strip()))
            # "IRQ raise/lower" lines are asynchronous: not ours.

    # Fixed-width numbers: qtest parses every command the same way.
    def readl(self, addr):
        return int(self.cmd("readl 0x%016x" % addr)[0], 16)

    def writel(self, addr, value):
        self.cmd("writel 0x%016x 0x%08x" % (addr, value))

    def writeb(self, addr, value):
        self.cmd("writeb 0x%016x 0x%02x" % (addr, value))

    def memset(self, addr, size, value):
        self.cmd("memset 0x%016x 0x%x 0x%02x" % (addr, size, value))

    def start_counting(self):
        """b64read calls ZERO_AT: callgrind's counts start again from 0."""
        self.cmd("b64read 0x%016x 0x1" % RAM_SRC)

    def stop_counting(self):
        """b64write calls DUMP_AT: callgrind writes the window's profile."""
        self.cmd("b64write 0x%016x 0x1 AA==" % RAM_DST)

    def clock_step(self, ns):
        self.cmd("clock_step %d" % ns)

    def sync(self):
        """A round trip that touches no device: the main loop runs the
        bottom halves scheduled by the previous command before it reads the
        next one (see docs/bench.md)."""
        self.cmd("endianness")

    # PCI configuration space through the 0xcf8/0xcfc ports, bus 0.
    def _cfg_addr(self, devfn, off):
        self.cmd("outl 0xcf8 0x%08x" % (0x80000000 | devfn << 8 | (off & 0xfc)))

    def cfg_read(self, devfn, off, size=4):
        self._cfg_addr(devfn, off)
        op = {1: "inb", 2: "inw", 4: "inl"}[size]
        return int(self.cmd("%s 0x%x" % (op, 0xcfc + (off & 3)))[0], 16)

    def cfg_write(self, devfn, off, value, size=4):
        self._cfg_addr(devfn, off)
        op = {1: "outb", 2: "outw", 4: "outl"}[size]
        self.cmd("%s 0x%x 0x%x" % (op, 0xcfc + (off & 3), value))

    def find(self, ids):
        for slot in range(32):
            devfn = slot << 3
            v = self.cfg_read(devfn, 0)
            if v == ids["vendor"] | ids["device"] << 16:
                return devfn
        raise QtestError("no device %04x:%04x on bus 0"
                         % (ids["vendor"], ids["device"]))

    def map_bar(self, devfn, bar):
        off = 0x10 + 4 * bar
        old = self.cfg_read(devfn, off)
        self.cfg_write(devfn, off, 0xffffffff)
        size = (~self.cfg_read(devfn, off) | 0xf) + 1 & 0xffffffff
        if old & 1 or size == 0:
            raise QtestError("BAR%d of %02x.%d is not memory" % (bar, devfn >> 3,
                                                               devfn & 7))
        addr = (self.mmio_next + size - 1) & ~(size - 1)
        self.mmio_next = addr + size
        self.cfg_write(devfn, off, addr)
        if old & 0x4:  # 64-bit: the upper half
            self.cfg_write(devfn, off + 4, 0)
        return addr

    def enable(self, devfn):
        cmd = self.cfg_read(devfn, 0x04, 2)
        self.cfg_write(devfn, 0x04, cmd | PCI_COMMAND_MEM_MASTER, 2)

    def find_cap(self, devfn, cap_id):
        pos = self.cfg_read(devfn, 0x34, 1)
        while pos:
            if self.cfg_read(devfn, pos, 1) == cap_id:
                return pos
            pos = self.cfg_read(devfn, pos + 1, 1)
        raise QtestError("no capability 0x%02x at %02x.%d"
                         % (cap_id, devfn >> 3, devfn & 7))

    def msi_enable(self, devfn):
        cap = self.find_cap(devfn, PCI_CAP_MSI)
        flags = self.cfg_read(devfn, cap + 2, 2)
        self.cfg_write(devfn, cap + 4, MSI_ADDR)
        data = cap + 8
        if flags & 0x80:  # 64-bit address
            self.cfg_write(devfn, cap + 8, 0)
            data = cap + 12
        self.cfg_write(devfn, data, MSI_VECTOR, 2)
        self.cfg_write(devfn, cap + 2, flags | 1, 2)

    def msix_enable(self, devfn, bars, vector):
        cap = self.find_cap(devfn, PCI_CAP_MSIX)
        table = self.cfg_read(devfn, cap + 4)
        entry = bars[table & 7] + (table & ~7) + 16 * vector
        self.writel(entry, MSI_ADDR)
        self.writel(entry + 4, 0)
        self.writel(entry + 8, MSI_VECTOR)
        self.writel(entry + 12, 0)  # unmasked
        ctl = self.cfg_read(devfn, cap + 2, 2)
        self.cfg_write(devfn, cap + 2, (ctl | 0x8000) & ~0x4000, 2)

    def quit(self, timeout=120):
        """SIGTERM, as libqtest ends QEMU: a clean exit, so callgrind writes
        its profile."""
        self.proc.stdin.close()
        self.proc.terminate()
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise QtestError("QEMU did not end within %d s" % timeout)
        if rc not in (0, -15):
            raise QtestError("QEMU (under valgrind) exited with status %d" % rc)


def expect(what, got, want):
    if got != want:
        raise QtestError("%s: 0x%x, expected 0x%x" % (what, got, want))


# ---- the measures -----------------------------------------------------------
# Each: set-up (once per run), the operation (N or 2N times), the final check
# (once per run). Anything done once per run cancels in the difference, so
# the checks that need an extra access go at the end, not into the
# operation; a read's value is checked in the operation itself (free).

class Measure:
    id = ""
    label = ""
    refs = ()
    deliveries = 0  # MSI messages each operation must deliver
    ids = MYPCI
    # What the profile must have counted in: a QEMU without the symbol (no
    # debug info for a static function) would count nothing there, silently.
    counted_in = ("memory_region_dispatch_write",)

    def setup(self, q):
        self.devfn = q.find(self.ids)
        self.bars = {0: q.map_bar(self.devfn, 0)}
        q.enable(self.devfn)
        self.bar0 = self.bars[0]

    def check(self, q, n):
        pass


class RegRead(Measure):
    """A 32-bit BAR0 read whose value is known: `value`, or whatever the
    register holds after set-up (value None); `init` = (offset, value) is
    written first."""

    counted_in = ("memory_region_dispatch_read",)

    def __init__(self, mid, label, ids, offset, value, init=None, refs=()):
        self.id, self.label, self.ids, self.refs = mid, label, ids, refs
        self.offset, self.value, self.init = offset, value, init

    def setup(self, q):
        super().setup(q)
        if self.init:
            q.writel(self.bar0 + self.init[0], self.init[1])
        self.want = self.value
        if self.want is None:
            self.want = q.readl(self.bar0 + self.offset)

    def op(self, q):
        expect(self.label, q.readl(self.bar0 + self.offset), self.want)


class RegWrite(Measure):
    """A 32-bit BAR0 write; at the end `check` = (offset, value) must read
    back, or (counted) the device's write counter at `check` must have
    grown by the number of writes."""

    def __init__(self, mid, label, ids, offset, value, check, counted=False,
                 refs=()):
        self.id, self.label, self.ids, self.refs = mid, label, ids, refs
        self.offset, self.value = offset, value
        self.check_at, self.counted = check, counted

    def setup(self, q):
        super().setup(q)
        if self.counted:
            q.writeb(self.bar0, 0)  # pci-testdev test 0: no eventfd, counted
            self.before = q.readl(self.bar0 + self.check_at[0])

    def op(self, q):
        q.writel(self.bar0 + self.offset, self.value)

    def check(self, q, n):
        want = self.before + n if self.counted else self.check_at[1]
        expect(self.label, q.readl(self.bar0 + self.check_at[0]), want)


# The registers mypci-bench times (tools/bench/fig_mmio.c, mmio_figs[]).
REGS = (
    RegRead("mypci/mmio/bar0_read", "mypci BAR0 read (ID)", MYPCI, 0x000,
            MYPCI_ID, refs=("edu/mmio/bar0_read",
                            "pci-testdev/mmio/bar0_read")),
    RegRead("edu/mmio/bar0_read", "edu BAR0 read (0x04 liveness)", EDU, 0x04,
            0xf0f0f0f0, init=(0x04, 0x0f0f0f0f)),
    RegRead("pci-testdev/mmio/bar0_read", "pci-testdev BAR0 read (count)",
            TESTDEV, 0x0c, None),
    RegWrite("mypci/mmio/bar0_write", "mypci BAR0 write (SCRATCH)", MYPCI,
             0x008, 0x5a5a5a5a, (0x00c, 0xa5a5a5a5),
             refs=("edu/mmio/bar0_write", "pci-testdev/mmio/bar0_write")),
    RegWrite("edu/mmio/bar0_write", "edu BAR0 write (0x04 liveness)", EDU,
             0x04, 0x5a5a5a5a, (0x04, 0xa5a5a5a5)),
    RegWrite("pci-testdev/mmio/bar0_write", "pci-testdev BAR0 write (hit)",
             TESTDEV, 2048, 0xfa, (0x0c, None), counted=True),
)


class MypciIrq(Measure):
    """IRQ_RAISE(SOFT), then IRQ_ACK: a message is sent only when the cause
    becomes pending (ABI section 6), so each raise needs its ack."""
    deliveries = 1
    refs = ("edu/irq/msi",)

    def __init__(self, mode):
        self.mode = mode
        self.id = "mypci/irq/" + mode
        self.label = "mypci IRQ_RAISE(SOFT) + IRQ_ACK -> %s" % (
            "MSI-X" if mode == "msix" else "MSI")

    def setup(self, q):
        super().setup(q)
        if self.mode == "msix":
            q.msix_enable(self.devfn, self.bars, 2)  # vector 2: SOFT
        else:
            q.msi_enable(self.devfn)
        q.writel(self.bar0 + 0x024, 0x4)  # IRQ_ENABLE: SOFT

    def op(self, q):
        q.writel(self.bar0 + 0x028, 0x4)
        q.writel(self.bar0 + 0x02c, 0x4)

    def check(self, q, n):
        expect("IRQ_COUNT", q.readl(self.bar0 + 0x030), n)


class EduIrq(Measure):
    id, label = "edu/irq/msi", "edu raise (0x60) + ack (0x64) -> MSI"
    ids = EDU
    deliveries = 1

    def setup(self, q):
        super().setup(q)
        q.msi_enable(self.devfn)

    def op(self, q):
        q.writel(self.bar0 + 0x60, 1)
        q.writel(self.bar0 + 0x64, 1)


class MypciDma(Measure):
    """DMA_CMD (host -> device) to DONE, polled; SRC/DST/LEN set once, as
    mypci-bench does."""
    id = "mypci/dma/h2d/4096/poll"
    label = "mypci DMA 4 KiB host->dev, DMA_CMD -> DONE"
    refs = ("edu/dma/h2d/4096/poll",)
    counted_in = Measure.counted_in + RegRead.counted_in + ("mypci_dma_bh",)

    def setup(self, q):
        super().setup(q)
        q.memset(RAM_SRC, DMA_LEN, 0xa5)
        q.writel(self.bar0 + 0x040, RAM_SRC)
        q.writel(self.bar0 + 0x044, 0)
        q.writel(self.bar0 + 0x048, 0)
        q.writel(self.bar0 + 0x04c, 0)
        q.writel(self.bar0 + 0x050, DMA_LEN)
        self.count = q.readl(self.bar0 + 0x05c)

    def op(self, q):
        q.writel(self.bar0 + 0x054, 0)  # h2d
        q.sync()
        expect("DMA_STATUS", q.readl(self.bar0 + 0x058), 0x2)

    def check(self, q, n):
        expect("DMA_COUNT", q.readl(self.bar0 + 0x05c), self.count + n)


class EduDma(Measure):
    """edu's DMA command (RAM -> its buffer) to the status bit clearing: the
    transfer runs in edu's timer, 100 ms of virtual time after the command."""
    id = "edu/dma/h2d/4096/poll"
    label = "edu DMA 4 KiB RAM->dev, 0x98 -> done"
    ids = EDU
    counted_in = Measure.counted_in + RegRead.counted_in + ("edu_dma_timer",)

    def setup(self, q):
        super().setup(q)
        q.memset(RAM_SRC, DMA_LEN, 0x5a)
        q.writel(self.bar0 + 0x80, RAM_SRC)
        q.writel(self.bar0 + 0x88, 0x40000)
        q.writel(self.bar0 + 0x90, DMA_LEN)

    def op(self, q):
        q.writel(self.bar0 + 0x98, 1)  # run, RAM -> device
        q.clock_step(CLOCK_EDU_DMA_NS)
        expect("DMA command", q.readl(self.bar0 + 0x98), 0)

    def check(self, q, n):
        # The buffer is not in edu's BAR: copy it back to RAM to look at it.
        q.memset(RAM_DST, 4, 0)
        q.writel(self.bar0 + 0x80, 0x40000)
        q.writel(self.bar0 + 0x88, RAM_DST)
        q.writel(self.bar0 + 0x98, 3)  # run, device -> RAM
        q.clock_step(CLOCK_EDU_DMA_NS)
        expect("DMA buffer", q.readl(RAM_DST), 0x5a5a5a5a)


def all_measures():
    return list(REGS) + [MypciIrq("msix"), MypciIrq("msi"), EduIrq(),
                         MypciDma(), EduDma()]


# The targets the issue sets on these counts: mypci <= 1.0 x edu.
TARGETS = (
    ("mypci register read / edu <= 1.0", "mypci/mmio/bar0_read",
     "edu/mmio/bar0_read"),
    ("mypci register write / edu <= 1.0", "mypci/mmio/bar0_write",
     "edu/mmio/bar0_write"),
    ("mypci interrupt MSI-X (edu: MSI) / edu <= 1.0", "mypci/irq/msix",
     "edu/irq/msi"),
    ("mypci interrupt MSI / edu <= 1.0", "mypci/irq/msi", "edu/irq/msi"),
)


# ---- callgrind's output -----------------------------------------------------

# Not counted, by file: glibc's allocator. The APIC allocates and frees a
# bitmask on every delivery (apic_deliver_irq's g_new), and what malloc and
# free cost depends on the heap's state, which QEMU's other threads (RCU,
# the main loop) change whenever they get to run: an MSI measure counted
# 2,031 instructions more in one run of twelve, all of them in malloc.c.
# (Not a toggle: malloc runs outside the window too, where a toggle would
# turn counting on.) Neither device's own path allocates; mypci's DMA
# bounce buffer lives in its state.
UNCOUNTED_FILES = ("/malloc/malloc.c",)


def parse_profile(path, trigger):
    """Instructions collected outside UNCOUNTED_FILES, all instructions
    collected, the calls into DELIVERY and the functions that have costs,
    from a dump that TRIGGER wrote.

    The file was written with --compress-strings=no --compress-pos=no, so
    every fl=/fn=/cfn= line names its file or function in full. A cost line
    right after a calls= line is that call's inclusive cost, not the
    function's own."""
    total = None
    calls = 0
    cfn = None
    seen_trigger = False
    functions = set()
    fl = fn_file = ""
    own = uncounted = 0
    after_call = False
    with open(path) as f:
        for line in f:
            if line[:1].isdigit() or line[:1] in "+-*":
                if after_call:
                    after_call = False
                    continue
                parts = line.split()
                cost = int(parts[1]) if len(parts) > 1 else 0
                own += cost
                if fn_file.endswith(UNCOUNTED_FILES):
                    uncounted += cost
                continue
            after_call = False
            if line.startswith("fl="):
                fl = line[3:].strip()
            elif line.startswith("fn="):
                functions.add(line[3:].strip())
                fn_file = fl
            elif line.startswith("desc: Trigger:"):
                seen_trigger = line.split(":", 2)[2].strip() == trigger
            elif line.startswith("totals:"):
                total = int(line.split()[1])
            elif line.startswith("cfn="):
                cfn = line[4:].strip()
            elif line.startswith("calls="):
                after_call = True
                if cfn == DELIVERY:
                    calls += int(line[6:].split()[0])
    if not seen_trigger:
        raise QtestError("%s: not written by %s" % (path, trigger))
    if total is None:
        raise QtestError("%s: no totals line" % path)
    if own != total:
        raise QtestError("%s: its functions' own costs add up to %d, its "
                         "total is %d" % (path, own, total))
    return total - uncounted, total, calls, functions


def run_once(qemu, m, n, workdir):
    out = os.path.join(workdir, "%s.%d.callgrind" % (m.id.replace("/", "_"), n))
    logpath = out + ".log"
    with open(logpath, "w") as log:
        q = Qtest(qemu, out, log)
        try:
            m.setup(q)
            q.start_counting()
            for _ in range(n):
                m.op(q)
            q.stop_counting()
            m.check(q, n)
        finally:
            q.quit()
    # Dump 1 is the window's (DUMP_AT); the file without a suffix holds
    # what came after it, up to QEMU's exit, and is not used.
    counted, total, delivered, functions = parse_profile(
        out + ".1", "--dump-before=" + DUMP_AT)
    missing = [f for f in m.counted_in if f not in functions]
    if missing:
        raise QtestError("callgrind counted nothing in %s (does %s have "
                         "its symbols?)" % (", ".join(missing), qemu))
    return {"instructions": counted, "with_malloc": total,
            "delivered": delivered}


def measure(qemu, m, n, workdir):
    r = {"id": m.id, "device": m.id.split("/")[0], "group": m.id.split("/")[1],
         "label": m.label, "ops": n, "available": True,
         "deliveries_per_op": m.deliveries}
    try:
        r["runs"] = [run_once(qemu, m, k, workdir) for k in (n, 2 * n)]
    except (QtestError, OSError) as e:
        r.update(available=False, reason=str(e))
        return r
    c1, c2 = (x["instructions"] for x in r["runs"])
    r["per_op"] = (c2 - c1) / n
    return r


def add_refs(doc):
    by = {r["id"]: r for r in doc["measures"]}
    for r in doc["measures"]:
        refs = []
        for m in all_measures():
            if m.id == r["id"]:
                for ref in m.refs:
                    o = by.get(ref)
                    ok = r.get("available") and o and o.get("available") and o["per_op"]
                    refs.append({"id": ref,
                                 "ratio": r["per_op"] / o["per_op"] if ok else None})
        r["references"] = refs


def valgrind_version():
    try:
        return subprocess.run(["valgrind", "--version"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as e:
        return "unknown (%s)" % e


def qemu_version(qemu):
    try:
        out = subprocess.run([qemu, "--version"], capture_output=True,
                             text=True, check=True).stdout
        return out.splitlines()[0]
    except (OSError, subprocess.CalledProcessError, IndexError) as e:
        return "unknown (%s)" % e


# ---- report -----------------------------------------------------------------

def fmt_ratio(r):
    return "x%.3f" % r if r is not None else "-"


def print_table(doc, f=sys.stdout):
    run = doc["run"]
    print("mypci bench --instructions: %s, %s" % (run["qemu_version"],
                                                  run["valgrind"]), file=f)
    print("  qtest accelerator (no guest CPU), devices: %s; %d and %d "
          "operations per measure" % (" ".join(run["devices"]), doc["ops"],
                                      2 * doc["ops"]), file=f)
    print("  counted inside: %s; not inside: %s" % (
        ", ".join(doc["toggles"]), ", ".join(doc["uncounted"])), file=f)
    print(file=f)
    print("%-46s %12s %12s %10s  %s" % ("instructions per operation",
                                        "N run", "2N run", "per op",
                                        "ratio to references"), file=f)
    for r in doc["measures"]:
        indent = "" if r["device"] == "mypci" else "  "
        name = indent + r["label"]
        if not r.get("available"):
            print("%-46s  not measured: %s" % (name, r.get("reason")), file=f)
            continue
        c1, c2 = (x["instructions"] for x in r["runs"])
        refs = "  ".join("%s %s" % (x["id"].split("/")[0], fmt_ratio(x["ratio"]))
                         for x in r["references"])
        print("%-46s %12d %12d %10.1f  %s" % (name, c1, c2, r["per_op"], refs),
              file=f)
    print(file=f)
    print("== targets (on these counts)", file=f)
    for line in targets(doc):
        print(line, file=f)


def targets(doc):
    by = {r["id"]: r for r in doc["measures"]}
    lines = []
    for label, mine, ref in TARGETS:
        a, b = by.get(mine), by.get(ref)
        if not (a and b and a.get("available") and b.get("available")):
            lines.append("[not run] %s" % label)
            continue
        ratio = a["per_op"] / b["per_op"]
        lines.append("[%s] %s: %.3f (%.1f vs %.1f instructions)"
                     % ("met    " if ratio <= 1.0 else "NOT met", label, ratio,
                        a["per_op"], b["per_op"]))
    return lines


# ---- checks -----------------------------------------------------------------

def check_doc(doc):
    """Shape and sanity; the figures themselves are not judged."""
    problems = []
    if doc.get("schema") != SCHEMA:
        return ["schema is %r, not %r" % (doc.get("schema"), SCHEMA)]
    for key in ("ops", "toggles", "measures", "run"):
        if key not in doc:
            problems.append("missing key %r" % key)
    if problems:
        return problems
    ids = [r.get("id") for r in doc["measures"]]
    if len(set(ids)) != len(ids):
        problems.append("duplicate measure ids")
    if not doc["measures"]:
        problems.append("no measures")
    for r in doc["measures"]:
        rid = r.get("id")
        if not r.get("available"):
            problems.append("%s: not measured: %s" % (rid, r.get("reason")))
            continue
        runs = r.get("runs")
        if not isinstance(runs, list) or len(runs) != 2:
            problems.append("%s: want two runs (N and 2N)" % rid)
            continue
        c1, c2 = runs[0]["instructions"], runs[1]["instructions"]
        if c1 <= 0:
            problems.append("%s: the N run counted %d instructions" % (rid, c1))
        if c2 <= c1:
            problems.append("%s: the 2N run (%d) did not count more than the "
                            "N run (%d)" % (rid, c2, c1))
        n = r["ops"]
        for run, k in zip(runs, (n, 2 * n)):
            want = k * r.get("deliveries_per_op", 0)
            if run["delivered"] != want:
                problems.append("%s: %d of %d ops: %d MSI deliveries, want %d"
                                % (rid, k, k, run["delivered"], want))
        if r.get("per_op") != (c2 - c1) / n:
            problems.append("%s: per_op is not (2N - N) / N" % rid)
    return problems


def compare(a, b):
    """Every count of every measure both ran must be equal."""
    problems = []
    ra = {r["id"]: r for r in a["measures"] if r.get("available")}
    rb = {r["id"]: r for r in b["measures"] if r.get("available")}
    shared = sorted(set(ra) & set(rb))
    if not shared:
        return ["no measure in common"]
    for rid in sorted(set(ra) ^ set(rb)):
        problems.append("%s: measured in one run only" % rid)
    for rid in shared:
        if ra[rid]["ops"] != rb[rid]["ops"]:
            problems.append("%s: different N (%d, %d)" % (rid, ra[rid]["ops"],
                                                           rb[rid]["ops"]))
            continue
        for x, y, k in zip(ra[rid]["runs"], rb[rid]["runs"], ("N", "2N")):
            if x["instructions"] != y["instructions"]:
                problems.append("%s: %s run counted %d, then %d (%+d)"
                                % (rid, k, x["instructions"], y["instructions"],
                                   y["instructions"] - x["instructions"]))
    return problems


def report_problems(path, problems):
    for p in problems:
        print("%s: %s" % (path, p), file=sys.stderr)
    return 1 if problems else 0


def cmd_run(args):
    wanted = args.only.split(",") if args.only else None
    ms = [m for m in all_measures() if not wanted or m.id in wanted]
    if wanted and len(ms) != len(wanted):
        known = ", ".join(m.id for m in all_measures())
        print("bench-icount: --only names unknown measures (known: %s)" % known,
              file=sys.stderr)
        return 2
    for tool in ("valgrind", "setarch"):
        if not shutil.which(tool):
            print("bench-icount: %s not found (scripts/setup-host.sh installs "
                  "it)" % tool, file=sys.stderr)
            return 1
    start = time.monotonic()
    workdir = args.keep or tempfile.mkdtemp(prefix="mypci-icount.")
    os.makedirs(workdir, exist_ok=True)
    doc = {"schema": SCHEMA, "ops": args.ops, "toggles": list(TOGGLES),
           "uncounted": list(UNCOUNTED),
           "delivery_function": DELIVERY, "measures": []}
    try:
        for m in ms:
            r = measure(args.qemu, m, args.ops, workdir)
            doc["measures"].append(r)
            print("bench-icount: %s: %s" % (
                m.id, "%.1f instructions/op" % r["per_op"] if r["available"]
                else "not measured: " + r["reason"]), file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    add_refs(doc)
    doc["run"] = {"command": args.command or " ".join(sys.argv),
                  "date": datetime.datetime.now(datetime.timezone.utc)
                  .strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "qemu": args.qemu, "qemu_version": qemu_version(args.qemu),
                  "valgrind": valgrind_version(), "accel": "qtest",
                  "machine": "q35", "devices": list(DEVICES),
                  "wall_s": round(time.monotonic() - start, 1)}
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
    print_table(doc)
    if args.json:
        print("bench: JSON %s (%.0f s in all)" % (args.json, doc["run"]["wall_s"]))
    return report_problems(args.json or "run", check_doc(doc))


def load(path):
    with open(path) as f:
        return json.load(f)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("run")
    p.add_argument("--qemu", required=True)
    p.add_argument("--json")
    p.add_argument("--ops", type=int, default=50)
    p.add_argument("--only")
    p.add_argument("--keep", help="keep callgrind's profiles in this directory")
    p.add_argument("--command")
    p = sub.add_parser("table")
    p.add_argument("file")
    p = sub.add_parser("compare")
    p.add_argument("a")
    p.add_argument("b")
    p = sub.add_parser("check")
    p.add_argument("file")
    args = ap.parse_args(argv)
    if args.cmd == "run":
        if args.ops < 1:
            ap.error("--ops must be at least 1")
        return cmd_run(args)
    if args.cmd == "table":
        print_table(load(args.file))
        return 0
    if args.cmd == "compare":
        problems = compare(load(args.a), load(args.b))
        if not problems:
            print("bench-icount: %s and %s: every count identical"
                  % (args.a, args.b))
        return report_problems("compare", problems)
    return report_problems(args.file, check_doc(load(args.file)))


if __name__ == "__main__":
    sys.exit(main())
