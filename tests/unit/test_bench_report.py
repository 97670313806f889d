#!/usr/bin/python3
"""Unit tests of scripts/bench-report.py on a real run's JSON (a fixture).

The shape check must accept what mypci-bench writes and reject each way the
JSON can be wrong; the table and the plot must be produced from it. No
timing is judged. Standard library only.
"""

import copy
import io
import json
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from host_script import fixture, load, measure  # noqa: E402

FIXTURE = fixture("bench-fixture.json")
br = load("bench-report.py")


class Shape(unittest.TestCase):
    def setUp(self):
        with open(FIXTURE) as f:
            self.doc = json.load(f)

    def problems(self, doc, **kw):
        return br.check_doc(doc, **kw)

    def assertRejected(self, doc, needle):
        probs = self.problems(doc)
        self.assertTrue(any(needle in p for p in probs),
                        "no problem mentions %r: %s" % (needle, probs))

    def test_fixture_is_a_full_run_with_its_configuration(self):
        self.assertEqual(self.problems(self.doc, require_run=True,
                                       require_available=True), [])
        self.assertEqual(self.doc["mode"], "full")
        self.assertTrue(self.doc["options"]["refs"])

    def test_every_expected_measure_is_there(self):
        ids = {m["id"] for m in self.doc["measures"]}
        want = br.expected_ids(self.doc)
        self.assertIn("mypci/dma/h2h/1048576/msix", want)
        self.assertIn("edu/irq/intx", want)
        self.assertIn("pci-testdev/mmio/bar2_read", want)
        self.assertEqual(sorted(set(want) - ids), [])

    def test_percentiles_out_of_order(self):
        doc = copy.deepcopy(self.doc)
        ns = measure(doc, "mypci/irq/msix")["ns"]
        ns["p90"], ns["p99"] = ns["p99"] + 1, ns["p90"]
        self.assertRejected(doc, "percentiles out of order")

    def test_min_above_p50(self):
        doc = copy.deepcopy(self.doc)
        ns = measure(doc, "mypci/mmio/bar0_read")["ns"]
        ns["min"] = ns["p50"] + 1
        self.assertRejected(doc, "percentiles out of order")

    def test_missing_measure(self):
        doc = copy.deepcopy(self.doc)
        doc["measures"] = [m for m in doc["measures"]
                           if m["id"] != "mypci/dma/d2h/4096/msix"]
        self.assertRejected(doc, "missing mypci/dma/d2h/4096/msix")

    def test_missing_reference_device_figure(self):
        doc = copy.deepcopy(self.doc)
        doc["measures"] = [m for m in doc["measures"]
                           if m["id"] != "edu/irq/msi"]
        self.assertRejected(doc, "missing edu/irq/msi")
        self.assertRejected(doc, "reference edu/irq/msi is not a measure")

    def test_mypci_figure_without_its_reference(self):
        doc = copy.deepcopy(self.doc)
        measure(doc, "mypci/mmio/bar0_write")["references"] = []
        self.assertRejected(doc, "does not name its reference "
                            "edu/mmio/bar0_write")

    def test_wrong_types(self):
        for key, value, needle in (
                ("iterations", "5000", "'iterations' should be"),
                ("available", 1, "'available' should be"),
                ("bytes", -1, "'bytes' should be"),
                ("group", "gpu", "'group' should be")):
            doc = copy.deepcopy(self.doc)
            measure(doc, "mypci/irq/msi")[key] = value
            self.assertRejected(doc, needle)
        doc = copy.deepcopy(self.doc)
        measure(doc, "mypci/irq/msi")["ns"]["p50"] = "7.0"
        self.assertRejected(doc, "'p50' should be")
        doc = copy.deepcopy(self.doc)
        doc["options"]["sizes"] = "64,4096"
        self.assertRejected(doc, "'sizes' should be")

    def test_missing_top_level_keys(self):
        for key in ("schema", "guest", "options", "devices", "hugetlb",
                    "measures", "clocksource"):
            doc = copy.deepcopy(self.doc)
            del doc[key]
            self.assertRejected(doc, "missing key '%s'" % key)

    def test_other_schema(self):
        doc = copy.deepcopy(self.doc)
        doc["schema"] = "mypci-bench/0"
        self.assertRejected(doc, "'schema' should be")

    def test_duplicate_id(self):
        doc = copy.deepcopy(self.doc)
        doc["measures"].append(copy.deepcopy(doc["measures"][0]))
        self.assertRejected(doc, "id given twice")

    def test_unavailable_needs_a_reason_and_no_numbers(self):
        doc = copy.deepcopy(self.doc)
        m = measure(doc, "mypci/iommu/map/huge")
        m["available"] = False
        self.assertRejected(doc, "missing key 'reason'")
        self.assertRejected(doc, "unavailable but has 'ns'")

    def test_ratio_only_when_both_are_available(self):
        doc = copy.deepcopy(self.doc)
        ref = measure(doc, "edu/irq/intx")
        ref["available"] = False
        ref["reason"] = "gone"
        del ref["ns"]
        self.assertRejected(doc, "ratio_p50 of edu/irq/intx given though")
        doc = copy.deepcopy(self.doc)
        measure(doc, "mypci/irq/intx")["references"][0]["ratio_p50"] = None
        self.assertRejected(doc, "ratio_p50 of edu/irq/intx is null")

    def test_unavailable_huge_pages_are_fine_with_a_reason(self):
        doc = copy.deepcopy(self.doc)
        for mid in ("mypci/iommu/map/huge", "mypci/iommu/unmap/huge"):
            m = measure(doc, mid)
            m.update(available=False, reason="not available: no hugetlbfs",
                     iterations=0, warmup=0)
            del m["ns"]
            m.pop("mib_per_s", None)
            m.pop("round_p50", None)
            for r in m["references"]:
                r["ratio_p50"] = r["ratio_p99"] = None
        doc["hugetlb"] = {"available": False, "reason": "no hugetlbfs"}
        self.assertEqual(self.problems(doc, require_available=True), [])
        doc["hugetlb"] = {"available": False}
        self.assertRejected(doc, "missing key 'reason'")

    def test_require_available(self):
        doc = copy.deepcopy(self.doc)
        m = measure(doc, "mypci/dma/h2d/64/poll")
        m.update(available=False, reason="failed", iterations=0, warmup=0)
        for k in ("ns", "mib_per_s"):
            m.pop(k, None)
        for r in m["references"]:
            r["ratio_p50"] = r["ratio_p99"] = None
        self.assertEqual(self.problems(doc), [])
        self.assertTrue(any("not available: failed" in p for p in
                            self.problems(doc, require_available=True)))

    def test_run_configuration(self):
        doc = copy.deepcopy(self.doc)
        run = doc.pop("run")
        self.assertEqual(self.problems(doc), [])
        self.assertTrue(any("run: missing" in p for p in
                            self.problems(doc, require_run=True)))
        doc["run"] = dict(run, host_load_before=[1.0])
        self.assertRejected(doc, "'host_load_before' should be")
        doc["run"] = dict(run, qemu_version="")
        self.assertRejected(doc, "'qemu_version' should be")

    def test_quick_mode(self):
        doc = copy.deepcopy(self.doc)
        keep = ["harness/empty_loop", "mypci/mmio/bar0_read",
                "mypci/mmio/bar0_write", "mypci/irq/msix",
                "mypci/dma/h2d/4096/poll"]
        doc["mode"] = "quick"
        doc["measures"] = [dict(measure(doc, k), references=[])
                           for k in keep]
        self.assertEqual(self.problems(doc), [])
        doc["measures"].pop()
        self.assertRejected(doc, "missing mypci/dma/h2d/4096/poll")


class Output(unittest.TestCase):
    def setUp(self):
        with open(FIXTURE) as f:
            self.doc = json.load(f)

    def test_table(self):
        out = io.StringIO()
        br.print_table(self.doc, out)
        text = out.getvalue()
        for needle in ("== harness", "== MMIO and interrupts", "== DMA:",
                       "== DMA throughput", "== IOMMU", "== targets",
                       "  edu raise (0x60) -> MSI eventfd",
                       "mypci BAR0 read (ID)", "1 MiB"):
            self.assertIn(needle, text)

    def test_targets(self):
        t = br.targets(self.doc)
        self.assertEqual(len(t), 7)
        for met, text in t:
            self.assertIn(met, (True, False))
            self.assertTrue(text)

    def test_plot_data(self):
        with tempfile.TemporaryDirectory() as d:
            xtics = br.plot_data(self.doc, d)
            self.assertEqual([x[0] for x in xtics],
                             [g[0] for g in br.PLOT_GROUPS])
            with open(os.path.join(d, "lat0.dat")) as f:
                rows = [line.split() for line in f]
            self.assertEqual(len(rows), len(br.PLOT_GROUPS))  # mypci
            for row in rows:  # x p50 min max p99 p90
                p50, lo, hi, p99, p90 = map(float, row[1:])
                self.assertTrue(lo <= p50 <= p90 <= p99 <= hi, row)
            with open(os.path.join(d, "dma_h2d_msix.dat")) as f:
                self.assertEqual(len([line for line in f
                                      if not line.startswith("#")]),
                                 len(self.doc["options"]["sizes"]))

    @unittest.skipUnless(shutil.which("gnuplot"), "no gnuplot")
    def test_plot_png(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "bench.png")
            self.assertEqual(br.make_plot(self.doc, out), 0)
            with open(out, "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

    def test_cli_check(self):
        with tempfile.TemporaryDirectory() as d:
            bad = os.path.join(d, "bad.json")
            doc = copy.deepcopy(self.doc)
            doc["measures"][1]["ns"]["max"] = -1
            with open(bad, "w") as f:
                json.dump(doc, f)
            err = io.StringIO()
            saved, sys.stderr = sys.stderr, err
            try:
                self.assertEqual(br.main(["check", bad]), 1)
                with open(os.path.join(d, "junk.json"), "w") as f:
                    f.write("{not json")
                self.assertEqual(br.main(["check", f.name]), 1)
            finally:
                sys.stderr = saved
            self.assertIn("'max' should be", err.getvalue())
            out = io.StringIO()
            saved, sys.stdout = sys.stdout, out
            try:
                self.assertEqual(br.main(["check", FIXTURE,
                                          "--require-run"]), 0)
            finally:
                sys.stdout = saved
            self.assertIn("shape OK", out.getvalue())


if __name__ == "__main__":
    unittest.main(verbosity=2)
