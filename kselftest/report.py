#!/usr/bin/python3
"""Reads the guest's output of kselftest/guest-run.sh (TAP framed by
"MYPCI-KSELFTEST:" lines) and prints a table of every test against every
IOMMU mode, the known kernel failures and a summary. Exit 0 only when
nothing failed that should pass.

usage: report.py OUTPUT --known FILE --programs "PROG ..." [--tree NAME]
"""
import argparse
import fnmatch
import re
import sys

# The selftests' IOMMU modes (lib/iommu.c), in the table's column order.
MODES = ["vfio_type1_iommu", "vfio_type1v2_iommu", "iommufd_compat_type1",
         "iommufd_compat_type1v2", "iommufd"]
SHORT = {"vfio_type1_iommu": "type1", "vfio_type1v2_iommu": "type1v2",
         "iommufd_compat_type1": "compat_type1", "iommufd_compat_type1v2": "compat_type1v2",
         "iommufd": "iommufd"}
# A test whose variant names no mode runs in the selftests' default mode.
DEFAULT_MODE = "iommufd"

RESULT = re.compile(r"^(not )?ok (\d+)(?: (\S+))?(?: # (\w+)\b ?(.*))?$")
PLAN = re.compile(r"^1\.\.(\d+)(?: # SKIP ?(.*))?$")


def version_key(version):
    return tuple(int(x) for x in re.findall(r"\d+", version)[:3])


def split_mode(variant):
    """(mode, rest of the variant): the longest mode the variant starts with."""
    best = ""
    for mode in MODES:
        if (variant == mode or variant.startswith(mode + "_")) and len(mode) > len(best):
            best = mode
    if not best:
        return DEFAULT_MODE, variant
    return best, variant[len(best) + 1:]


def parse(lines):
    """Per program: results [(name, outcome, note)], plan, exit status, seconds."""
    programs, kernel, bdf, current, skipped_modes = {}, "unknown", "", None, {}
    for line in lines:
        line = line.rstrip("\r\n")
        m = re.match(r"^MYPCI-KSELFTEST: (\w+) ?(.*)$", line)
        if m:
            what, rest = m.groups()
            if what == "KERNEL":
                kernel = rest
            elif what == "DEVICE":
                bdf = rest
            elif what == "BEGIN":
                current = programs.setdefault(rest, {"results": [], "plan": None,
                                                     "status": None, "seconds": None})
            elif what == "END":
                name, status, seconds = rest.split()
                programs[name]["status"] = int(status)
                programs[name]["seconds"] = float(seconds)
                current = None
            elif what == "NOVARIANT":
                skipped_modes[rest] = True
            continue
        if current is None:
            continue
        m = PLAN.match(line)
        if m:
            current["plan"] = int(m.group(1))
            if m.group(2) is not None:
                current["results"].append(("(whole program)", "skip", m.group(2)))
            continue
        m = RESULT.match(line)
        if m:
            failed, _, name, directive, note = m.groups()
            directive = (directive or "").upper()
            if failed:
                outcome = "fail"
            elif directive == "SKIP":
                outcome = "skip"
            elif directive == "XFAIL":
                outcome = "xfail"
            else:
                outcome = "pass"
            current["results"].append((name or "(whole program)", outcome, note or ""))
    return programs, kernel, bdf, skipped_modes


def load_known(path):
    known = []
    for line in open(path):
        line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if not line:
            continue
        pattern, fixed_in, why = line.split(None, 2)
        known.append((pattern, fixed_in, why))
    return known


def known_failure(name, kernel, known):
    for pattern, fixed_in, why in known:
        if fnmatch.fnmatchcase(name, pattern) and version_key(kernel) < version_key(fixed_in):
            return fixed_in, why
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("output")
    ap.add_argument("--known", required=True)
    ap.add_argument("--programs", required=True)
    ap.add_argument("--tree", default="")
    args = ap.parse_args()
    programs, kernel, bdf, skipped_modes = parse(open(args.output, errors="replace"))
    known = load_known(args.known)

    rows, order, failures, known_hits, cured, skips = {}, [], [], [], [], {}
    counts = {"pass": 0, "skip": 0, "known": 0, "fail": 0, "xfail": 0}
    for prog in args.programs.split():
        if prog in skipped_modes:
            continue
        info = programs.get(prog)
        if info is None:
            failures.append(f"{prog}: did not run (the guest stopped before it)")
            counts["fail"] += 1
            continue
        judged = []
        for name, outcome, note in info["results"]:
            parts = name.split(".")
            if len(parts) == 3:
                fixture, variant, test = parts
            elif len(parts) == 2:
                (fixture, test), variant = parts, ""
            else:
                fixture, variant, test = prog, "", name
            mode, rest = split_mode(variant)
            row = f"{fixture}" + (f".{rest}" if rest else "") + f".{test}"
            if outcome == "fail":
                hit = known_failure(name, kernel, known)
                if hit:
                    outcome = "known"
                    known_hits.append(f"{name}: {hit[1]} (kernel {kernel} < {hit[0]})")
                else:
                    failures.append(f"{name}: failed")
            elif outcome == "pass" and known_failure(name, kernel, known):
                cured.append(name)
            elif outcome == "skip":
                skips[note] = skips.get(note, 0) + 1
            counts[outcome] += 1
            judged.append(outcome)
            if row not in rows:
                rows[row] = {}
                order.append(row)
            rows[row][mode] = {"pass": "ok", "fail": "FAIL", "skip": "skip",
                               "known": "known", "xfail": "xfail"}[outcome]
        info["judged"] = judged
        reported = len(info["results"])
        if info["status"] is None:
            failures.append(f"{prog}: did not finish (no END line)")
            counts["fail"] += 1
        elif info["plan"] is not None and reported < info["plan"] and info["plan"] > 0:
            failures.append(f"{prog}: reported {reported} of the {info['plan']} tests it planned "
                            f"(exit status {info['status']})")
            counts["fail"] += 1
        elif info["status"] not in (0, 4) and not any(o == "fail" for _, o, _ in info["results"]):
            failures.append(f"{prog}: exited with status {info['status']} without a failed test")
            counts["fail"] += 1

    print(f"\nkselftest: {args.tree}, guest kernel {kernel}, mypci at {bdf or '?'}")
    width = max([len(r) for r in order] + [20])
    print(f"{'test':<{width}}  " + "  ".join(f"{SHORT[m]:<{len(SHORT[m])}}" for m in MODES))
    for row in order:
        cells = "  ".join(f"{rows[row].get(m, '-'):<{len(SHORT[m])}}" for m in MODES)
        print(f"{row:<{width}}  {cells}")
    print("\nper program:")
    for prog in args.programs.split():
        if prog in skipped_modes:
            print(f"  {prog}: no variant for the selected mode")
            continue
        info = programs.get(prog)
        if info is None:
            print(f"  {prog}: did not run")
            continue
        outcomes = info["judged"]
        print(f"  {prog}: {outcomes.count('pass')} ok, {outcomes.count('skip')} skipped, "
              f"{outcomes.count('known')} known kernel failures, {outcomes.count('fail')} failed "
              f"of {len(outcomes)}; exit {info['status']}, {info['seconds']} s")
    if skips:
        print("\nskipped (the reason the test gave):")
        for note, n in skips.items():
            print(f"  {n} x {note}")
    if known_hits:
        print("\nknown failures of the guest kernel, not of the device (kselftest/known-failures):")
        for line in known_hits:
            print(f"  {line}")
    if cured:
        print("\nlisted as known kernel failures but passed on this kernel:")
        for name in cured:
            print(f"  {name}")
    if failures:
        print("\nfailed:")
        for line in failures:
            print(f"  {line}")
    print(f"\nsummary: {counts['pass']} passed, {counts['skip']} skipped, "
          f"{counts['known']} known kernel failures, {counts['xfail']} expected failures, "
          f"{counts['fail']} failed")
    verdict = "PASS" if counts["fail"] == 0 and counts["pass"] > 0 else "FAIL"
    print(f"kselftest: {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
