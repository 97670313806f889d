#!/usr/bin/python3
"""Unit tests of scripts/bench-icount.py's checks, on a real run's JSON.

The sanity check must accept what a run writes and reject each way a count
can be wrong; the repeatability check (compare) must accept a run against
itself and reject any count that moved, by a single instruction. The
profile parser is tried on a small callgrind file. No figure is judged.
Standard library only.
"""

import copy
import io
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import host_script  # noqa: E402

bi = host_script.load("bench-icount.py")
measure = host_script.measure


class Fixture(unittest.TestCase):
    def setUp(self):
        self.doc = host_script.read_json("icount-fixture.json")

    def assertRejected(self, problems, needle):
        self.assertTrue(any(needle in p for p in problems),
                        "no problem mentions %r: %s" % (needle, problems))


class Check(Fixture):
    def test_fixture_is_sane_and_complete(self):
        self.assertEqual(bi.check_doc(self.doc), [])
        ids = {m["id"] for m in self.doc["measures"]}
        self.assertEqual(ids, {m.id for m in bi.all_measures()})

    def test_rejects_a_2n_run_that_counted_no_more(self):
        runs = measure(self.doc, "mypci/mmio/bar0_read")["runs"]
        runs[1]["instructions"] = runs[0]["instructions"]
        self.assertRejected(bi.check_doc(self.doc), "did not count more")

    def test_rejects_an_empty_count(self):
        measure(self.doc, "edu/mmio/bar0_write")["runs"][0]["instructions"] = 0
        self.assertRejected(bi.check_doc(self.doc), "counted 0 instructions")

    def test_rejects_a_lost_interrupt(self):
        measure(self.doc, "mypci/irq/msix")["runs"][1]["delivered"] -= 1
        self.assertRejected(bi.check_doc(self.doc), "MSI deliveries")

    def test_rejects_a_per_op_figure_not_from_the_runs(self):
        measure(self.doc, "edu/irq/msi")["per_op"] += 1
        self.assertRejected(bi.check_doc(self.doc), "per_op is not")

    def test_rejects_a_measure_not_measured(self):
        m = measure(self.doc, "edu/dma/h2d/4096/poll")
        m.update(available=False, reason="QEMU ended")
        self.assertRejected(bi.check_doc(self.doc), "not measured: QEMU ended")

    def test_rejects_duplicates_and_missing_keys(self):
        self.doc["measures"].append(copy.deepcopy(self.doc["measures"][0]))
        self.assertRejected(bi.check_doc(self.doc), "duplicate")
        del self.doc["toggles"]
        self.assertRejected(bi.check_doc(self.doc), "missing key 'toggles'")
        self.doc["schema"] = "other/1"
        self.assertRejected(bi.check_doc(self.doc), "schema")


class Compare(Fixture):
    def test_a_run_repeats_itself(self):
        self.assertEqual(bi.compare(self.doc, copy.deepcopy(self.doc)), [])

    def test_one_instruction_more_is_a_difference(self):
        other = copy.deepcopy(self.doc)
        measure(other, "mypci/dma/h2d/4096/poll")["runs"][1]["instructions"] += 1
        probs = bi.compare(self.doc, other)
        self.assertEqual(len(probs), 1, probs)
        self.assertRejected(probs, "mypci/dma/h2d/4096/poll: 2N run")

    def test_runs_with_nothing_in_common_prove_nothing(self):
        other = copy.deepcopy(self.doc)
        for m in other["measures"]:
            m["id"] += "-other"
        self.assertRejected(bi.compare(self.doc, other), "no measure in common")

    def test_a_measure_measured_once_is_a_difference(self):
        other = copy.deepcopy(self.doc)
        measure(other, "edu/irq/msi").update(available=False, reason="x")
        self.assertRejected(bi.compare(self.doc, other),
                            "edu/irq/msi: measured in one run only")

    def test_different_n_is_not_compared(self):
        other = copy.deepcopy(self.doc)
        measure(other, "edu/mmio/bar0_read")["ops"] *= 2
        self.assertRejected(bi.compare(self.doc, other), "different N")


class Report(Fixture):
    def test_table_names_every_measure_and_the_targets(self):
        out = io.StringIO()
        bi.print_table(self.doc, out)
        text = out.getvalue()
        for m in self.doc["measures"]:
            self.assertIn(m["label"], text)
        self.assertIn("== targets (on these counts)", text)
        self.assertEqual(text.count("mypci register read / edu <= 1.0"), 1)

    def test_target_verdict_follows_the_counts(self):
        measure(self.doc, "mypci/mmio/bar0_write")["per_op"] = 1.0
        line = next(t for t in bi.targets(self.doc) if "write" in t)
        self.assertTrue(line.startswith("[met    ]"), line)
        measure(self.doc, "mypci/mmio/bar0_write")["per_op"] = 1e9
        line = next(t for t in bi.targets(self.doc) if "write" in t)
        self.assertTrue(line.startswith("[NOT met]"), line)


PROFILE = """\
# callgrind format
version: 1
creator: callgrind-3.19.0
desc: Trigger: --dump-before=g_base64_decode_inplace
events: Ir
fl=apic.c
fn=apic_mem_write
20 30
cfn=apic_send_msi
calls=3 10
10 300
fl=./malloc/./malloc/malloc.c
fn=malloc
5 40
fl=apic.c
fn=apic_send_msi
10 120
totals: 190
"""


class Profile(unittest.TestCase):
    def write(self, text):
        f = tempfile.NamedTemporaryFile("w", suffix=".callgrind", delete=False)
        self.addCleanup(os.unlink, f.name)
        f.write(text)
        f.close()
        return f.name

    def test_totals_and_deliveries(self):
        path = self.write(PROFILE)
        # A call's inclusive cost (300) is not the caller's own; malloc's
        # 40 are collected but not counted.
        self.assertEqual(bi.parse_profile(path, "--dump-before=" + bi.DUMP_AT),
                         (150, 190, 3, {"apic_mem_write", "malloc", "apic_send_msi"}))

    def test_a_profile_whose_costs_do_not_add_up_is_refused(self):
        path = self.write(PROFILE.replace("totals: 190", "totals: 490"))
        with self.assertRaises(bi.QtestError):
            bi.parse_profile(path, "--dump-before=" + bi.DUMP_AT)

    def test_a_dump_of_another_trigger_is_refused(self):
        path = self.write(PROFILE.replace("--dump-before=g_base64_decode_inplace",
                                          "Program termination"))
        with self.assertRaises(bi.QtestError):
            bi.parse_profile(path, "--dump-before=" + bi.DUMP_AT)

    def test_a_profile_without_totals_is_refused(self):
        path = self.write(PROFILE.replace("totals: 190\n", ""))
        with self.assertRaises(bi.QtestError):
            bi.parse_profile(path, "--dump-before=" + bi.DUMP_AT)


if __name__ == "__main__":
    unittest.main()
