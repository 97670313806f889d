#!/usr/bin/python3
"""mypci-bench's JSON on the host: shape check, run configuration, table, plot.

usage:
  bench-report.py finish GUEST.json --out FILE.json [--plot FILE.png]
        [--qemu QEMU] [--kernel SERIES] [--device SPEC]... [--append ARGS]
        [--command CMD] [--wall-s S] [--load-before "1 5 15"]
      Checks the guest's JSON, adds the run's configuration ("run": QEMU
      version from QEMU --version, kernel, device properties, host CPU and
      load, host memcpy bandwidth), writes FILE.json, prints the table and
      draws the plot.
  bench-report.py table FILE.json        the readable table
  bench-report.py plot FILE.json --out FILE.png
  bench-report.py check FILE.json [--require-run] [--require-available]
      Exit 0 if the JSON has the documented shape (keys, types, ordered
      percentiles, every measure its options call for), else 1 with one line
      per problem. Timings are not judged.

Standard library only (/usr/bin/python3); the plot needs gnuplot.
"""

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

SCHEMA = "mypci-bench/1"
DIRS = ("h2d", "d2h", "h2h")
DIR_LABELS = {"h2d": "host->dev", "d2h": "dev->host", "h2h": "host->host"}
COMPLETIONS = ("poll", "msix")
DEVICES = ("mypci", "edu", "pci-testdev", "guest", "harness")
GROUPS = ("mmio", "irq", "dma", "iommu", "cpu", "harness")
MODES = ("msix", "msi", "intx")
PCTS = ("min", "p50", "p90", "p99", "max")

MYPCI_MMIO = ("bar0_read", "bar0_write", "bar2_read", "bar2_write",
              "bar2_read_bw", "bar2_write_bw")
TESTDEV_MMIO = MYPCI_MMIO
EDU_MMIO = ("bar0_read", "bar0_write")
# The references each mypci MMIO/interrupt figure must name.
MYPCI_REFS = {
    "mypci/mmio/bar0_read": ["edu/mmio/bar0_read",
                             "pci-testdev/mmio/bar0_read"],
    "mypci/mmio/bar0_write": ["edu/mmio/bar0_write",
                              "pci-testdev/mmio/bar0_write"],
    "mypci/mmio/bar2_read": ["pci-testdev/mmio/bar2_read"],
    "mypci/mmio/bar2_write": ["pci-testdev/mmio/bar2_write"],
    "mypci/mmio/bar2_read_bw": ["pci-testdev/mmio/bar2_read_bw"],
    "mypci/mmio/bar2_write_bw": ["pci-testdev/mmio/bar2_write_bw"],
    "mypci/irq/msix": ["edu/irq/msi"],
    "mypci/irq/msi": ["edu/irq/msi"],
    "mypci/irq/intx": ["edu/irq/intx"],
}


# ---- shape check ------------------------------------------------------------

def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return (isinstance(v, (int, float))) and not isinstance(v, bool)


def expected_ids(doc):
    """The measure ids a JSON of this mode and these options must hold."""
    opts = doc.get("options", {})
    if doc.get("mode") == "quick":
        mode = "msix"
        for d in doc.get("devices", []):
            if isinstance(d, dict) and d.get("name") == "mypci":
                props = d.get("properties", {})
                if isinstance(props, dict) and props.get("msix") is False:
                    mode = "msi"
        return ["harness/empty_loop", "mypci/mmio/bar0_read",
                "mypci/mmio/bar0_write", "mypci/irq/" + mode,
                "mypci/dma/h2d/4096/poll"]
    refs = opts.get("refs") is True
    modes = [m for m in MODES if m in (opts.get("modes") or [])]
    sizes = [s for s in (opts.get("sizes") or []) if is_int(s)]
    ids = ["harness/empty_loop"]
    ids += ["mypci/mmio/" + n for n in MYPCI_MMIO]
    if refs:
        ids += ["edu/mmio/" + n for n in EDU_MMIO]
        ids += ["pci-testdev/mmio/" + n for n in TESTDEV_MMIO]
    ids += ["mypci/irq/" + m for m in modes]
    if refs:
        if "msix" in modes or "msi" in modes:
            ids.append("edu/irq/msi")
        if "intx" in modes:
            ids.append("edu/irq/intx")
    ids += ["guest/cpu/memcpy/%d" % s for s in sizes]
    ids += ["mypci/dma/%s/%d/%s" % (d, s, c)
            for s in sizes for d in DIRS for c in COMPLETIONS]
    ids += ["mypci/iommu/%s/%s" % (op, kind)
            for op in ("map", "unmap") for kind in ("4k", "huge")]
    return ids


class Checker:
    def __init__(self):
        self.problems = []

    def fail(self, where, msg):
        self.problems.append("%s: %s" % (where, msg))

    def need(self, obj, key, test, what, where):
        if not isinstance(obj, dict) or key not in obj:
            self.fail(where, "missing key '%s'" % key)
            return None
        if not test(obj[key]):
            self.fail(where, "'%s' should be %s, is %r" %
                      (key, what, obj[key]))
            return None
        return obj[key]

    def check_stats(self, ns, where):
        if not isinstance(ns, dict):
            self.fail(where, "'ns' should be an object")
            return
        vals = []
        for k in PCTS:
            v = self.need(ns, k, lambda x: is_num(x) and x >= 0,
                          "a number >= 0", where + ".ns")
            vals.append(v)
        mean = self.need(ns, "mean", lambda x: is_num(x) and x >= 0,
                         "a number >= 0", where + ".ns")
        if None in vals:
            return
        if any(a > b for a, b in zip(vals, vals[1:])):
            self.fail(where, "percentiles out of order: " + ", ".join(
                "%s %s" % (k, v) for k, v in zip(PCTS, vals)))
        if mean is not None and not vals[0] <= mean <= vals[-1]:
            self.fail(where, "mean %s outside [min, max]" % mean)

    def check_measure(self, m, ids, where):
        s = str
        if not isinstance(m, dict):
            self.fail(where, "a measure should be an object")
            return
        mid = self.need(m, "id", lambda x: isinstance(x, s) and x, "a string",
                        where)
        where = "measure %s" % mid if mid else where
        self.need(m, "device", lambda x: x in DEVICES, "one of %s" %
                  (DEVICES,), where)
        self.need(m, "group", lambda x: x in GROUPS, "one of %s" % (GROUPS,),
                  where)
        self.need(m, "label", lambda x: isinstance(x, s) and x, "a string",
                  where)
        self.need(m, "params", lambda x: isinstance(x, dict), "an object",
                  where)
        avail = self.need(m, "available", lambda x: isinstance(x, bool),
                          "true or false", where)
        self.need(m, "bytes", lambda x: is_int(x) and x >= 0,
                  "an integer >= 0", where)
        it = self.need(m, "iterations", is_int, "an integer", where)
        self.need(m, "warmup", lambda x: is_int(x) and x >= 0,
                  "an integer >= 0", where)
        if avail is True:
            if it is not None and it <= 0:
                self.fail(where, "available but 'iterations' is %d" % it)
            self.check_stats(m.get("ns"), where)
            if m.get("bytes", 0) > 0:
                self.need(m, "mib_per_s", lambda x: is_num(x) and x >= 0,
                          "a number >= 0", where)
            if "round_p50" in m:
                self.need(m, "round_p50", lambda x: isinstance(x, list) and
                          len(x) >= 2 and all(is_num(v) and v >= 0
                                              for v in x),
                          "a list of at least 2 numbers", where)
        elif avail is False:
            self.need(m, "reason", lambda x: isinstance(x, s) and x,
                      "a non-empty string", where)
            if "ns" in m:
                self.fail(where, "unavailable but has 'ns'")
        refs = self.need(m, "references", lambda x: isinstance(x, list),
                         "a list", where)
        for r in refs or []:
            rid = self.need(r, "id", lambda x: isinstance(x, s), "a string",
                            where + ".references")
            if rid is not None and rid not in ids:
                self.fail(where, "reference %s is not a measure" % rid)
            for k in ("ratio_p50", "ratio_p99"):
                v = self.need(r, k, lambda x: x is None or
                              (is_num(x) and x >= 0), "a number or null",
                              where + ".references")
                both = avail is True and rid in ids and \
                    ids[rid].get("available") is True
                if v is None and both:
                    self.fail(where, "%s of %s is null though both are "
                              "available" % (k, rid))
                if v is not None and not both:
                    self.fail(where, "%s of %s given though one is not "
                              "available" % (k, rid))

    def check(self, doc, require_run=False, require_available=False):
        s = str
        if not isinstance(doc, dict):
            self.fail("top", "not a JSON object")
            return self.problems
        self.need(doc, "schema", lambda x: x == SCHEMA, repr(SCHEMA), "top")
        mode = self.need(doc, "mode", lambda x: x in ("quick", "full"),
                         "quick or full", "top")
        self.need(doc, "clock", lambda x: x == "CLOCK_MONOTONIC",
                  "CLOCK_MONOTONIC", "top")
        self.need(doc, "unit", lambda x: x == "ns", "ns", "top")
        self.need(doc, "percentiles", lambda x: isinstance(x, s), "a string",
                  "top")
        self.need(doc, "clocksource", lambda x: isinstance(x, s) and x,
                  "a string", "top")
        self.need(doc, "clock_granularity_ns", lambda x: is_int(x) and x >= 0,
                  "an integer >= 0", "top")
        self.need(doc, "duration_s", lambda x: is_num(x) and x >= 0,
                  "a number >= 0", "top")
        guest = self.need(doc, "guest", lambda x: isinstance(x, dict),
                          "an object", "top")
        for k in ("kernel", "machine", "cpu", "thp", "iommu_backend"):
            self.need(guest, k, lambda x: isinstance(x, s), "a string",
                      "guest")
        for k in ("cpus", "page_size"):
            self.need(guest, k, lambda x: is_int(x) and x > 0,
                      "an integer > 0", "guest")
        opts = self.need(doc, "options", lambda x: isinstance(x, dict),
                         "an object", "top")
        self.need(opts, "iterations", lambda x: is_int(x) and x > 0,
                  "an integer > 0", "options")
        self.need(opts, "warmup", lambda x: is_int(x) and x >= 0,
                  "an integer >= 0", "options")
        self.need(opts, "sizes", lambda x: isinstance(x, list) and x and
                  all(is_int(v) and v > 0 for v in x),
                  "a list of sizes", "options")
        self.need(opts, "modes", lambda x: isinstance(x, list) and
                  all(v in MODES for v in x), "a list of modes", "options")
        self.need(opts, "map_size", lambda x: is_int(x) and x > 0,
                  "an integer > 0", "options")
        self.need(opts, "refs", lambda x: isinstance(x, bool),
                  "true or false", "options")
        devs = self.need(doc, "devices", lambda x: isinstance(x, list) and x,
                         "a non-empty list", "top")
        for i, d in enumerate(devs or []):
            w = "devices[%d]" % i
            self.need(d, "name", lambda x: isinstance(x, s), "a string", w)
            self.need(d, "spec", lambda x: isinstance(x, s), "a string", w)
            present = self.need(d, "present", lambda x: isinstance(x, bool),
                                "true or false", w)
            if present:
                self.need(d, "bdf", lambda x: isinstance(x, s), "a string", w)
                self.need(d, "properties", lambda x: isinstance(x, dict),
                          "an object", w)
            elif present is False:
                self.need(d, "reason", lambda x: isinstance(x, s) and x,
                          "a non-empty string", w)
        huge = self.need(doc, "hugetlb", lambda x: isinstance(x, dict),
                         "an object", "top")
        avail = self.need(huge, "available", lambda x: isinstance(x, bool),
                          "true or false", "hugetlb")
        if avail:
            self.need(huge, "page_size", lambda x: is_int(x) and x > 0,
                      "an integer > 0", "hugetlb")
        elif avail is False:
            self.need(huge, "reason", lambda x: isinstance(x, s) and x,
                      "a non-empty string", "hugetlb")
        measures = self.need(doc, "measures", lambda x: isinstance(x, list),
                             "a list", "top") or []
        ids = {}
        for m in measures:
            if isinstance(m, dict) and isinstance(m.get("id"), s):
                if m["id"] in ids:
                    self.fail("measure %s" % m["id"], "id given twice")
                ids[m["id"]] = m
        for i, m in enumerate(measures):
            self.check_measure(m, ids, "measures[%d]" % i)
        if mode and opts and isinstance(devs, list):
            for want in expected_ids(doc):
                if want not in ids:
                    self.fail("measures", "missing %s" % want)
                elif (require_available and not ids[want].get("available")
                      and not want.endswith("/huge")):
                    # Huge pages may be missing from a guest; they then
                    # say why (hugetlb.reason), checked above.
                    self.fail("measure %s" % want, "not available: %s" %
                              ids[want].get("reason"))
        if mode == "full" and opts and opts.get("refs") is True:
            for mid, refs in MYPCI_REFS.items():
                if mid in ids:
                    have = [r.get("id") for r in ids[mid].get("references", [])
                            if isinstance(r, dict)]
                    for r in refs:
                        if r not in have:
                            self.fail("measure %s" % mid,
                                      "does not name its reference %s" % r)
        if require_run or "run" in doc:
            self.check_run(doc.get("run"))
        return self.problems

    def check_run(self, run):
        s = str
        if not isinstance(run, dict):
            self.fail("run", "missing or not an object")
            return
        for k in ("qemu_version", "kernel_series", "host_cpu", "date",
                  "command", "kernel_append"):
            self.need(run, k, lambda x: isinstance(x, s) and x, "a string",
                      "run")
        self.need(run, "devices", lambda x: isinstance(x, list) and x and
                  all(isinstance(v, s) for v in x), "a list of -device specs",
                  "run")
        self.need(run, "host_cpus", lambda x: is_int(x) and x > 0,
                  "an integer > 0", "run")
        for k in ("host_load_before", "host_load_after"):
            self.need(run, k, lambda x: isinstance(x, list) and len(x) == 3 and
                      all(is_num(v) for v in x), "three load averages", "run")
        self.need(run, "host_memcpy_mib_per_s", lambda x: is_num(x) and x > 0,
                  "a number > 0", "run")
        self.need(run, "wall_s", lambda x: x is None or is_num(x),
                  "a number or null", "run")


def check_doc(doc, require_run=False, require_available=False):
    return Checker().check(doc, require_run, require_available)


# ---- run configuration ------------------------------------------------------

def host_cpu():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def load_avg():
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return [0.0, 0.0, 0.0]


def host_memcpy_mib_per_s(size=1 << 20, iters=300):
    """p50 bandwidth of a 1 MiB copy on the host (bytearray slice: memcpy)."""
    src = bytearray(os.urandom(size))
    dst = bytearray(size)
    times = []
    for _ in range(iters):
        t0 = time.perf_counter_ns()
        dst[:] = src
        times.append(time.perf_counter_ns() - t0)
    times.sort()
    p50 = times[(len(times) + 1) // 2 - 1]
    return round(size / (1 << 20) / (p50 / 1e9), 1)


def qemu_version(qemu):
    if not qemu:
        return "unknown"
    try:
        out = subprocess.run([qemu, "--version"], capture_output=True,
                             text=True, timeout=30).stdout
        return out.splitlines()[0].strip() if out else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def add_run(doc, args):
    doc["run"] = {
        "command": args.command or "",
        "date": datetime.datetime.now(datetime.timezone.utc)
        .strftime("%Y-%m-%dT%H:%M:%SZ"),
        "qemu": args.qemu or "",
        "qemu_version": qemu_version(args.qemu),
        "accel": "tcg",
        "kernel_series": args.kernel or "unknown",
        "kernel_append": args.append or "unknown",
        "devices": args.device or ["unknown"],
        "host_cpu": host_cpu(),
        "host_cpus": os.cpu_count() or 1,
        "host_load_before": [float(v) for v in args.load_before.split()]
        if args.load_before else load_avg(),
        "host_load_after": load_avg(),
        "host_memcpy_mib_per_s": host_memcpy_mib_per_s(),
        "wall_s": args.wall_s,
    }


# ---- the table --------------------------------------------------------------

def us(ns):
    return "%.2f" % (ns / 1000.0)


def fmt_size(n):
    if n >= 1 << 20 and n % (1 << 20) == 0:
        return "%d MiB" % (n >> 20)
    if n >= 1024 and n % 1024 == 0:
        return "%d KiB" % (n >> 10)
    return "%d B" % n


def by_id(doc):
    return {m["id"]: m for m in doc["measures"]}


def stats_row(m, name=None):
    label = name or m["label"]
    if not m.get("available"):
        return "%-44s n/a: %s" % (label, m.get("reason", ""))
    ns = m["ns"]
    return "%-44s %6d %9s %9s %9s %9s %9s" % (
        label, m["iterations"], us(ns["min"]), us(ns["p50"]), us(ns["p90"]),
        us(ns["p99"]), us(ns["max"]))


def ratio(m, ref_id, key="ratio_p50"):
    for r in m.get("references", []):
        if r["id"] == ref_id:
            return r.get(key)
    return None


def round_spread(m, ref):
    """(min, max) of the per-round p50 ratios of two interleaved figures."""
    a, b = m.get("round_p50"), ref.get("round_p50")
    if not a or not b or len(a) != len(b) or not all(b):
        return None
    rs = [x / y for x, y in zip(a, b)]
    return min(rs), max(rs)


def targets(doc):
    """(met, text) for each target of the issue."""
    ms = by_id(doc)
    out = []

    def p50(mid):
        m = ms.get(mid)
        return m["ns"]["p50"] if m and m.get("available") else None

    for mid, ref, what in (
            ("mypci/mmio/bar0_read", "edu/mmio/bar0_read", "register read"),
            ("mypci/mmio/bar0_write", "edu/mmio/bar0_write",
             "register write"),
            ("mypci/irq/msix", "edu/irq/msi", "interrupt MSI-X (edu: MSI)"),
            ("mypci/irq/msi", "edu/irq/msi", "interrupt MSI"),
            ("mypci/irq/intx", "edu/irq/intx", "interrupt INTx")):
        if mid not in ms:
            continue
        r = ratio(ms[mid], ref)
        if r is None:
            out.append((None, "mypci %s p50 / edu <= 1.0: not measured" %
                        what))
            continue
        text = "mypci %s p50 / edu <= 1.0: %.3f (%s vs %s us" % (
            what, r, us(p50(mid)), us(p50(ref)))
        spread = round_spread(ms[mid], ms[ref])
        if spread:
            text += "; per round %.3f to %.3f" % spread
        out.append((r <= 1.0, text + ")"))
    vals = [(d, p50("mypci/dma/%s/4096/msix" % d)) for d in DIRS]
    if all(v is not None for _, v in vals):
        out.append((all(v <= 10000 for _, v in vals),
                    "DMA 4 KiB doorbell -> MSI-X p50 <= 10 us: " +
                    ", ".join("%s %s" % (d, us(v)) for d, v in vals)))
    else:
        out.append((None, "DMA 4 KiB doorbell -> MSI-X p50 <= 10 us: not "
                    "measured"))
    # The ceiling is the host's own memcpy, measured in the same run; the
    # guest's memcpy is TCG emulating rep movsb, no ceiling. Judged on the
    # single-copy directions: host->host copies twice (the core's bounce
    # buffer keeps overlapping ranges memmove()-exact).
    # The engine's throughput is the polled figure; an MSI-X completion
    # adds the interrupt's delivery (~6 us under TCG) to every transfer,
    # reported beside it.
    host = doc.get("run", {}).get("host_memcpy_mib_per_s")

    def mib(d, c):
        m = ms.get("mypci/dma/%s/1048576/%s" % (d, c))
        return m["mib_per_s"] if m and m.get("available") else None

    vals = [("%s poll" % d, mib(d, "poll")) for d in ("h2d", "d2h")]
    vals = [(d, v) for d, v in vals if v is not None]
    if host and vals:
        half = host / 2
        text = ("1 MiB DMA throughput (polled) >= half the host's memcpy "
                "(%.0f/2 = %.0f MiB/s): " % (host, half) +
                ", ".join("%s %.0f (%.0f%%)" % (d, v, 100 * v / host)
                          for d, v in vals))
        irq = [(d, mib(d, "msix")) for d in ("h2d", "d2h")]
        irq = [(d, v) for d, v in irq if v is not None]
        if irq:
            text += "; MSI-X completion: " + ", ".join(
                "%s %.0f (%.0f%%)" % (d, v, 100 * v / host) for d, v in irq)
        small = [(d, ms.get("mypci/dma/%s/1048576/poll-4k" % d))
                 for d in ("h2d", "d2h")]
        small = [(d, m["mib_per_s"]) for d, m in small if m and m.get("available")]
        if small:
            text += "; from 4 KiB-page buffers: " + ", ".join(
                "%s poll %.0f (%.0f%%)" % (d, v, 100 * v / host) for d, v in small)
        out.append((all(v >= half for _, v in vals), text))
    else:
        out.append((None, "1 MiB DMA throughput: not measured (sizes without "
                    "1M, or no host memcpy figure)"))
    return out


def print_table(doc, f=sys.stdout):
    ms = by_id(doc)
    run = doc.get("run", {})
    g = doc["guest"]
    o = doc["options"]
    w = f.write
    w("mypci-bench (%s): %s\n" % (doc["mode"], run.get("qemu_version",
                                                        "QEMU ?")))
    w("  guest kernel %s, %s CPU (%s), IOMMU backend %s, clocksource %s "
      "(steps of %d ns)\n" % (g["kernel"], g["cpus"], g["cpu"],
                              g["iommu_backend"], doc["clocksource"],
                              doc["clock_granularity_ns"]))
    if run:
        w("  host: %s, %d CPUs, load %s before / %s after; devices: %s\n" % (
            run["host_cpu"], run["host_cpus"],
            " ".join("%.2f" % v for v in run["host_load_before"]),
            " ".join("%.2f" % v for v in run["host_load_after"]),
            " ".join(run["devices"])))
    w("  %d iterations per figure (copies over 4 KiB fewer, at least 100), "
      "%d warm-up; guest run %.0f s\n" % (o["iterations"], o["warmup"],
                                          doc["duration_s"]))
    hdr = "%-44s %6s %9s %9s %9s %9s %9s" % ("latency, us", "iters", "min",
                                             "p50", "p90", "p99", "max")

    w("\n== harness\n" + hdr + "\n")
    w(stats_row(ms["harness/empty_loop"]) + "\n")

    w("\n== MMIO and interrupts: mypci, then its references (ratio = mypci "
      "p50 / reference p50)\n")
    w(hdr + "    MiB/s  ratio\n")
    for m in doc["measures"]:
        if m["device"] != "mypci" or m["group"] not in ("mmio", "irq"):
            continue
        line = stats_row(m)
        if m.get("available") and m["bytes"]:
            line += " %8.0f" % m["mib_per_s"]
        w(line + "\n")
        for r in m.get("references", []):
            ref = ms.get(r["id"])
            if not ref:
                continue
            line = stats_row(ref, "  " + ref["label"])
            if ref.get("available") and ref["bytes"]:
                line += " %8.0f" % ref["mib_per_s"]
            elif ref.get("available"):
                line += " %8s" % ""
            if r.get("ratio_p50") is not None:
                line += "  x%.2f" % r["ratio_p50"]
            w(line + "\n")

    sizes = o["sizes"]
    w("\n== DMA: DMA_CMD doorbell -> completion (polled DMA_STATUS or "
      "DMA_DONE MSI-X), p50 / p99 us\n")
    cols = [(d, c) for d in DIRS for c in COMPLETIONS]
    w("%-8s" % "size" + "".join("%17s" % ("%s %s" % (d, c)) for d, c in cols)
      + "%17s\n" % "guest CPU memcpy")
    for s in sizes:
        line = "%-8s" % fmt_size(s)
        for d, c in cols:
            m = ms.get("mypci/dma/%s/%d/%s" % (d, s, c))
            line += "%17s" % (("%s/%s" % (us(m["ns"]["p50"]),
                                          us(m["ns"]["p99"])))
                              if m and m.get("available") else "n/a")
        m = ms.get("guest/cpu/memcpy/%d" % s)
        line += "%17s" % (("%s/%s" % (us(m["ns"]["p50"]), us(m["ns"]["p99"])))
                          if m and m.get("available") else "n/a")
        w(line + "\n")
    big = [s for s in sizes if s >= 65536]
    if big:
        w("\n== DMA throughput, MiB/s from p50 (bytes / p50 latency)\n")
        w("%-8s" % "size" + "".join("%12s" % ("%s %s" % (d, c))
                                   for d, c in cols) + "%14s\n" %
          "guest CPU cpy")
        for s in big:
            line = "%-8s" % fmt_size(s)
            for d, c in cols:
                m = ms.get("mypci/dma/%s/%d/%s" % (d, s, c))
                line += "%12s" % ("%.0f" % m["mib_per_s"]
                                  if m and m.get("available") else "n/a")
            m = ms.get("guest/cpu/memcpy/%d" % s)
            line += "%14s" % ("%.0f" % m["mib_per_s"]
                              if m and m.get("available") else "n/a")
            w(line + "\n")
        for d in ("h2d", "d2h"):
            m = ms.get("mypci/dma/%s/%d/poll-4k" % (d, big[-1]))
            if m and m.get("available"):
                w("%s poll from 4 KiB-page buffers, %s: %.0f MiB/s\n" %
                  (d, fmt_size(big[-1]), m["mib_per_s"]))
        if run.get("host_memcpy_mib_per_s"):
            w("host memcpy, 1 MiB (the ceiling; measured on the host in this "
              "run): %.0f MiB/s\n" % run["host_memcpy_mib_per_s"])
        w("(guest CPU memcpy: TCG's emulation of the guest's memcpy "
          "instructions, not a ceiling)\n")

    w("\n== IOMMU: map and unmap %s through %s\n" % (
        fmt_size(o["map_size"]), g["iommu_backend"]))
    w(hdr + "  ratio\n")
    for mid in ("mypci/iommu/map/4k", "mypci/iommu/map/huge",
                "mypci/iommu/unmap/4k", "mypci/iommu/unmap/huge"):
        m = ms.get(mid)
        if not m:
            continue
        line = stats_row(m)
        r = m.get("references") or []
        if r and r[0].get("ratio_p50") is not None:
            line += "  x%.2f" % r[0]["ratio_p50"]
        w(line + "\n")
    if not doc["hugetlb"]["available"]:
        w("huge pages: %s\n" % doc["hugetlb"].get("reason"))

    if doc["mode"] == "full":
        w("\n== targets\n")
        for met, text in targets(doc):
            tag = "n/a" if met is None else ("met" if met else "NOT met")
            w("[%-7s] %s\n" % (tag, text))


# ---- the plot ---------------------------------------------------------------

PLOT_GROUPS = (
    ("BAR0 read", "mmio/bar0_read"),
    ("BAR0 write", "mmio/bar0_write"),
    ("BAR2 read", "mmio/bar2_read"),
    ("BAR2 write", "mmio/bar2_write"),
    ("IRQ MSI-X", "irq/msix"),
    ("IRQ MSI", "irq/msi"),
    ("IRQ INTx", "irq/intx"),
)
PLOT_DEVICES = ("mypci", "edu", "pci-testdev")


def gnuplot_terminal():
    try:
        r = subprocess.run(["gnuplot", "-e", "set terminal pngcairo"],
                           capture_output=True, text=True, timeout=30)
        if r.returncode == 0 and not r.stderr.strip():
            return "pngcairo size 1200,1000 font 'sans,10'"
    except (OSError, subprocess.SubprocessError):
        pass
    return "png size 1200,1000"


def plot_data(doc, d):
    """Writes the gnuplot data files into directory d; returns the xtics."""
    ms = by_id(doc)
    xtics = []
    rows = {dev: [] for dev in PLOT_DEVICES}
    for gi, (label, suffix) in enumerate(PLOT_GROUPS):
        m = ms.get("mypci/" + suffix)
        if not m:
            continue
        xtics.append((label, gi))
        devs = [m] + [ms[r["id"]] for r in m.get("references", [])
                      if r["id"] in ms]
        for mm in devs:
            if mm["device"] not in PLOT_DEVICES or not mm.get("available"):
                continue
            di = PLOT_DEVICES.index(mm["device"])
            ns = mm["ns"]
            rows[mm["device"]].append("%.2f %s %s %s %s %s\n" % (
                gi + (di - 1) * 0.27, us(ns["p50"]), us(ns["min"]),
                us(ns["max"]), us(ns["p99"]), us(ns["p90"])))
    # One file per device: its own colour and key entry.
    for di, dev in enumerate(PLOT_DEVICES):
        with open(os.path.join(d, "lat%d.dat" % di), "w") as f:
            f.writelines(rows[dev])
    for d_ in DIRS:
        for c in COMPLETIONS:
            with open(os.path.join(d, "dma_%s_%s.dat" % (d_, c)), "w") as f:
                f.write("# bytes p50 p90 p99 (us)\n")
                for s in doc["options"]["sizes"]:
                    m = ms.get("mypci/dma/%s/%d/%s" % (d_, s, c))
                    if m and m.get("available"):
                        f.write("%d %s %s %s\n" % (s, us(m["ns"]["p50"]),
                                                   us(m["ns"]["p90"]),
                                                   us(m["ns"]["p99"])))
    with open(os.path.join(d, "memcpy.dat"), "w") as f:
        for s in doc["options"]["sizes"]:
            m = ms.get("guest/cpu/memcpy/%d" % s)
            if m and m.get("available"):
                f.write("%d %s\n" % (s, us(m["ns"]["p50"])))
    return xtics


def gnuplot_script(doc, d, out, xtics):
    run = doc.get("run", {})
    title = "mypci-bench: %s, guest %s, clocksource %s" % (
        run.get("qemu_version", "QEMU"), doc["guest"]["kernel"],
        doc["clocksource"])
    tics = ", ".join('"%s" %d' % (label, x) for label, x in xtics)
    colors = ("#1f77b4", "#ff7f0e", "#2ca02c")
    lat = []
    for di, dev in enumerate(PLOT_DEVICES):
        path = os.path.join(d, "lat%d.dat" % di)
        if os.path.getsize(path) == 0:
            continue
        lat.append("'%s' using 1:2:3:4:5 with candlesticks whiskerbars 0.5 "
                   "lc rgb '%s' fs solid 0.35 title '%s'" %
                   (path, colors[di], dev))
        lat.append("'%s' using 1:6:6:6:6 with candlesticks lc rgb '%s' lw 2 "
                   "notitle" % (path, colors[di]))
    dma = []
    dcol = {"h2d": "#1f77b4", "d2h": "#d62728", "h2h": "#2ca02c"}
    for d_ in DIRS:
        for c in COMPLETIONS:
            path = os.path.join(d, "dma_%s_%s.dat" % (d_, c))
            if os.path.getsize(path) > len("# bytes p50 p90 p99 (us)\n"):
                dma.append("'%s' using 1:2 with linespoints lc rgb '%s' "
                           "dt %d pt %d title '%s %s'" %
                           (path, dcol[d_], 1 if c == "msix" else 2,
                            7 if c == "msix" else 6, DIR_LABELS[d_],
                            "MSI-X" if c == "msix" else "polled"))
    if os.path.getsize(os.path.join(d, "memcpy.dat")):
        dma.append("'%s' using 1:2 with linespoints lc rgb 'black' dt 3 pt 2 "
                   "title 'guest memcpy'" % os.path.join(d, "memcpy.dat"))
    return "\n".join([
        "set terminal %s" % gnuplot_terminal(),
        "set output '%s'" % out,
        "set multiplot layout 2,1 title \"%s\"" % title.replace('"', "'"),
        "set logscale y",
        "set grid ytics mytics",
        "set ylabel 'latency (us, log)'",
        "set xtics (%s)" % tics,
        "set xrange [-0.6:%f]" % (len(PLOT_GROUPS) - 0.4),
        "set boxwidth 0.22",
        "set key top left",
        "set title 'Latency per measure: box p50-p99, whiskers min-max, "
        "thick line p90'",
        "plot " + ", \\\n     ".join(lat) if lat else "plot 1 notitle",
        "unset xrange",
        "set logscale x 2",
        "set xtics (%s)" % ", ".join(
            '"%s" %d' % (fmt_size(v).replace(" ", ""), v)
            for v in doc["options"]["sizes"]),
        "set xlabel 'transfer size (bytes)'",
        "set ylabel 'p50 latency (us, log)'",
        "set key top left",
        "set title 'DMA doorbell -> completion vs size (p50)'",
        "plot " + ", \\\n     ".join(dma) if dma else "plot 1 notitle",
        "unset multiplot",
        ""])


def make_plot(doc, out):
    if not shutil.which("gnuplot"):
        print("bench-report: gnuplot not found; no plot", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="mypci-bench-plot.") as d:
        xtics = plot_data(doc, d)
        script = gnuplot_script(doc, d, out, xtics)
        with open(os.path.join(d, "plot.gp"), "w") as f:
            f.write(script)
        r = subprocess.run(["gnuplot", os.path.join(d, "plot.gp")],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.stderr.write(r.stderr)
            print("bench-report: gnuplot failed", file=sys.stderr)
            return 1
    return 0


# ---- commands ---------------------------------------------------------------

def load(path):
    with open(path) as f:
        return json.load(f)


def report_problems(path, problems):
    for p in problems:
        print("%s: %s" % (path, p), file=sys.stderr)
    return 1 if problems else 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("finish")
    p.add_argument("guest_json")
    p.add_argument("--out", required=True)
    p.add_argument("--plot")
    p.add_argument("--qemu")
    p.add_argument("--kernel")
    p.add_argument("--append")
    p.add_argument("--device", action="append")
    p.add_argument("--command")
    p.add_argument("--wall-s", type=float)
    p.add_argument("--load-before")
    p = sub.add_parser("table")
    p.add_argument("json")
    p = sub.add_parser("plot")
    p.add_argument("json")
    p.add_argument("--out", required=True)
    p = sub.add_parser("check")
    p.add_argument("json")
    p.add_argument("--require-run", action="store_true")
    p.add_argument("--require-available", action="store_true")
    args = ap.parse_args(argv)

    if args.cmd == "check":
        try:
            doc = load(args.json)
        except (OSError, ValueError) as e:
            print("%s: %s" % (args.json, e), file=sys.stderr)
            return 1
        status = report_problems(args.json, check_doc(
            doc, args.require_run, args.require_available))
        if status == 0:
            print("%s: shape OK (%d measures)" % (args.json,
                                                 len(doc["measures"])))
        return status
    if args.cmd == "finish":
        doc = load(args.guest_json)
        problems = check_doc(doc)
        if problems:
            return report_problems(args.guest_json, problems)
        add_run(doc, args)
        tmp = args.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        os.replace(tmp, args.out)
        print_table(doc)
        status = 0
        if args.plot:
            status = make_plot(doc, args.plot)
        return status
    doc = load(args.json)
    problems = check_doc(doc)
    if problems:
        return report_problems(args.json, problems)
    if args.cmd == "table":
        print_table(doc)
        return 0
    return make_plot(doc, args.out)


if __name__ == "__main__":
    sys.exit(main())
