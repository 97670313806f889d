#!/usr/bin/python3
"""kselftest/report.py judges the guest's selftest output: a failure is a
failure unless kselftest/known-failures lists it for an older kernel, a
program that stops early or never runs fails, skips are counted apart.
The outputs here are written by hand in the selftests' TAP format."""
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.environ.get("MYPCI_ROOT") or os.path.join(os.path.dirname(__file__), "../..")
REPORT = os.path.join(ROOT, "kselftest", "report.py")

KNOWN = """# comment
vfio_dma_map_limit_test.vfio_type1_iommu.overflow  7.2  type1 returns -EINVAL
"""


def run(output, programs, known=KNOWN):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        kf = os.path.join(tmp, "known")
        for path, text in ((out, output), (kf, known)):
            with open(path, "w") as f:
                f.write(text)
        p = subprocess.run([sys.executable, REPORT, out, "--known", kf, "--programs", programs],
                           capture_output=True, text=True)
        return p.returncode, p.stdout + p.stderr


def program(name, lines, status=0, plan=None):
    plan = len([l for l in lines if "ok " in l]) if plan is None else plan
    body = "\n".join(lines)
    return (f"MYPCI-KSELFTEST: BEGIN {name}\nTAP version 13\n1..{plan}\n{body}\n"
            f"MYPCI-KSELFTEST: END {name} {status} 1.0\n")


HEAD = "MYPCI-KSELFTEST: KERNEL {}\nMYPCI-KSELFTEST: DEVICE 0000:00:01.0\n"
OVERFLOW_FAILS = ["ok 1 vfio_dma_map_limit_test.iommufd.overflow",
                  "not ok 2 vfio_dma_map_limit_test.vfio_type1_iommu.overflow"]


class Report(unittest.TestCase):
    def test_all_pass(self):
        rc, out = run(HEAD.format("6.12.117") + program("t", [
            "ok 1 fx.vfio_type1_iommu.a", "ok 2 fx.iommufd.a"]), "t")
        self.assertEqual(rc, 0, out)
        self.assertIn("summary: 2 passed, 0 skipped, 0 known kernel failures", out)
        self.assertRegex(out, r"fx\.a +ok +- +- +- +ok")

    def test_unlisted_failure_fails(self):
        rc, out = run(HEAD.format("6.12.117") + program("t", [
            "ok 1 fx.iommufd.a", "not ok 2 fx.iommufd.b"], status=1), "t")
        self.assertEqual(rc, 1, out)
        self.assertIn("fx.iommufd.b: failed", out)
        self.assertIn("kselftest: FAIL", out)

    def test_known_failure_on_older_kernel(self):
        rc, out = run(HEAD.format("6.12.117") + program("t", OVERFLOW_FAILS, status=1), "t")
        self.assertEqual(rc, 0, out)
        self.assertIn("1 known kernel failures", out)
        self.assertIn("(kernel 6.12.117 < 7.2)", out)
        self.assertRegex(out, r"vfio_dma_map_limit_test\.overflow +known +- +- +- +ok")

    def test_known_failure_counts_on_fixed_kernel(self):
        rc, out = run(HEAD.format("7.2.13") + program("t", OVERFLOW_FAILS, status=1), "t")
        self.assertEqual(rc, 1, out)
        self.assertIn("vfio_dma_map_limit_test.vfio_type1_iommu.overflow: failed", out)

    def test_listed_test_that_passes_is_noted(self):
        rc, out = run(HEAD.format("6.12.117") + program("t", [
            "ok 1 vfio_dma_map_limit_test.vfio_type1_iommu.overflow"]), "t")
        self.assertEqual(rc, 0, out)
        self.assertIn("listed as known kernel failures but passed", out)

    def test_skips_are_counted_with_reason(self):
        rc, out = run(HEAD.format("6.12.117") + program("t", [
            "ok 1 fx.iommufd_anonymous_hugetlb_1gb.m # SKIP mmap() failed",
            "ok 2 fx.iommufd.a"]) + program("s", ["1..0 # SKIP no SR-IOV"], status=4, plan=0), "t s")
        self.assertEqual(rc, 0, out)
        self.assertIn("1 passed, 2 skipped", out)
        self.assertIn("1 x mmap() failed", out)
        self.assertRegex(out, r"fx\.anonymous_hugetlb_1gb\.m +- +- +- +- +skip")

    def test_compat_mode_is_not_iommufd(self):
        rc, out = run(HEAD.format("6.12.117") + program("t", [
            "ok 1 fx.iommufd_compat_type1_anonymous.m"]), "t")
        self.assertRegex(out, r"fx\.anonymous\.m +- +- +ok +- +-")

    def test_program_that_did_not_run_fails(self):
        rc, out = run(HEAD.format("6.12.117") + program("t", ["ok 1 fx.iommufd.a"]), "t u")
        self.assertEqual(rc, 1, out)
        self.assertIn("u: did not run", out)

    def test_program_that_stopped_early_fails(self):
        rc, out = run(HEAD.format("6.12.117") + program("t", ["ok 1 fx.iommufd.a"], plan=3), "t")
        self.assertEqual(rc, 1, out)
        self.assertIn("reported 1 of the 3 tests it planned", out)

    def test_program_without_end_fails(self):
        text = HEAD.format("6.12.117") + "MYPCI-KSELFTEST: BEGIN t\n1..2\nok 1 fx.iommufd.a\n"
        rc, out = run(text, "t")
        self.assertEqual(rc, 1, out)
        self.assertIn("t: did not finish", out)

    def test_crash_without_failed_test_fails(self):
        rc, out = run(HEAD.format("6.12.117") + program("t", ["ok 1 fx.iommufd.a"], status=139), "t")
        self.assertEqual(rc, 1, out)
        self.assertIn("exited with status 139", out)

    def test_nothing_run_is_not_a_pass(self):
        rc, out = run(HEAD.format("6.12.117") + "MYPCI-KSELFTEST: NOVARIANT t\n", "t")
        self.assertEqual(rc, 1, out)

    def test_program_without_mode_variant_is_noted(self):
        rc, out = run(HEAD.format("6.12.117") + "MYPCI-KSELFTEST: NOVARIANT t\n" +
                      program("u", ["ok 1 fx.vfio_type1_iommu.a"]), "t u")
        self.assertEqual(rc, 0, out)
        self.assertIn("t: no variant for the selected mode", out)


if __name__ == "__main__":
    unittest.main()
