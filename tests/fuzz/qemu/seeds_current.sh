#!/bin/sh
# The seed corpus in the repository must be what gen_corpus.py writes now:
# a change to the generator (or to a seed by hand) without the other fails.
#
#   seeds_current.sh QEMU_FUZZ_DIR
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -u
dir=$1
out=$(mktemp -d "${TMPDIR:-/tmp}/seeds.XXXXXX")
trap 'rm -rf "$out"' EXIT
/usr/bin/python3 "$dir/gen_corpus.py" "$out" || { echo "FAIL: gen_corpus.py failed"; exit 1; }
if ! diff -r "$dir/corpus" "$out" >"$out.diff" 2>&1; then
    cat "$out.diff"
    rm -f "$out.diff"
    echo "FAIL: tests/fuzz/qemu/corpus differs from gen_corpus.py's output (rerun it)"
    exit 1
fi
rm -f "$out.diff"
echo "ok: $(find "$dir/corpus" -type f | wc -l) seeds match gen_corpus.py"
