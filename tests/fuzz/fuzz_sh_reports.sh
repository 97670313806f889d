#!/bin/sh
# fuzz.sh must fail, and keep and name the input, when its fuzzer finds
# something: the core harness with a test-only breakage (MYPCI_FUZZ_BREAK=1,
# INVERT wrong) aborts on its first input, as on a real finding.
#
#   fuzz_sh_reports.sh FUZZ_SH
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -u
fuzz_sh=$1
art=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-sh-reports.XXXXXX")
trap 'rm -rf "$art"' EXIT
ulimit -c 0 2>/dev/null || true
# A bad hang limit is refused before anything runs, naming the option.
if bad=$("$fuzz_sh" --target core --timeout 0 --scratch 2>&1); then
    echo "FAIL: fuzz.sh accepted --timeout 0"
    exit 1
fi
case $bad in
*"--timeout must be"*) ;;
*) printf '%s\n' "$bad"; echo "FAIL: --timeout 0 refused without naming it"; exit 1 ;;
esac
err=$(MYPCI_FUZZ_BREAK=1 "$fuzz_sh" --target core --time 30 --scratch --artifacts "$art" 2>&1)
status=$?
crash=$(ls "$art"/core/crash-* 2>/dev/null | head -n 1)
if [ "$status" -eq 0 ]; then
    echo "FAIL: fuzz.sh exited 0 on a broken core"
    exit 1
fi
if [ -z "$crash" ]; then
    echo "FAIL: no crash input kept in $art/core"
    exit 1
fi
case $err in
*"found $(basename "$crash")"*) echo "ok: exit $status, $(basename "$crash") kept and named" ;;
*) printf '%s\n' "$err" | tail -n 5; echo "FAIL: the crash input is not named"; exit 1 ;;
esac
