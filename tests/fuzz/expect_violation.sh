#!/bin/sh
# Proves an invariant is live: with the core's test-only breakage bits set
# (MYPCI_FUZZ_BREAK), replaying the inputs must abort and name the invariant.
#
#   expect_violation.sh REPLAY BITS INVARIANT INPUT...
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -u
replay=$1
bits=$2
want=$3
shift 3
ulimit -c 0 2>/dev/null || true
out=$(MYPCI_FUZZ_BREAK=$bits "$replay" "$@" 2>&1)
status=$?
if [ "$status" -eq 0 ]; then
    echo "FAIL: breakage $bits went unnoticed"
    exit 1
fi
case $out in
*"invariant \"$want"*)
    echo "ok: breakage $bits caught by \"$want\" (exit $status)"
    exit 0
    ;;
esac
printf '%s\n' "$out" | tail -n 5
echo "FAIL: breakage $bits did not report \"$want\""
exit 1
