#!/bin/sh
# Runs the libFuzzer binary for meson's 'fuzz' suite. The seed directories
# are copied into a temporary corpus, so what the fuzzer adds never lands in
# the repository; a crashing input is kept in ARTIFACT_DIR (crash-<sha1>).
#
#   run_fuzz.sh FUZZER ARTIFACT_DIR SEED_DIR... -- LIBFUZZER_OPTION...
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu
fuzzer=$1
artifacts=$2
shift 2
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz_core.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$artifacts"
while [ $# -gt 0 ] && [ "$1" != -- ]; do
    for f in "$1"/*; do
        [ -f "$f" ] && cp "$f" "$work/$(basename "$1")-$(basename "$f")"
    done
    shift
done
if [ $# -gt 0 ]; then
    shift
fi
echo "run_fuzz: $(ls "$work" | wc -l) seed inputs in $work"
"$fuzzer" -artifact_prefix="$artifacts/" "$@" "$work"
