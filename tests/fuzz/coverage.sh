#!/usr/bin/env bash
# What the fuzzers' corpora reach of our code: each corpus is replayed once
# through a build with clang's source-based coverage, and llvm-cov reports
# lines and branches of device/core and device/qemu.
#
# usage: coverage.sh [--target NAME]... [--corpus DIR]
#
# Targets as in fuzz.sh (default: all); DIR as there (default
# $MYPCI_CACHE/fuzz-corpus), plus the repository's seeds. The generic-fuzz
# targets use QEMU's fuzzer built with coverage (./mypci prepare
# --fuzz-coverage: another QEMU build, no sanitizers); core is compiled here
# with clang in seconds.
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/lib.sh"

LLVM_COV=llvm-cov-14 LLVM_PROFDATA=llvm-profdata-14
TARGETS=() CORPUS="$MYPCI_CACHE/fuzz-corpus"
while [ $# -gt 0 ]; do
    case $1 in
    --target) TARGETS+=("${2:?--target needs a name}"); shift ;;
    --corpus) CORPUS=${2:?--corpus needs a folder}; shift ;;
    -h | --help) sed -n '6p' "$0" | sed 's/^# //'; exit 0 ;;
    *) die "coverage: unknown argument '$1' (usage: coverage.sh [--target NAME]... [--corpus DIR])" ;;
    esac
    shift
done
known=$("$here/fuzz.sh" --list)
[ ${#TARGETS[@]} -gt 0 ] || mapfile -t TARGETS <<<"$known"
for t in "${TARGETS[@]}"; do
    grep -qxF -- "$t" <<<"$known" || die "coverage: no target '$t' (targets: $(echo $known))"
done
for tool in "$LLVM_COV" "$LLVM_PROFDATA" clang; do
    command -v "$tool" >/dev/null || die "coverage: $tool is missing (scripts/setup-host.sh installs llvm-14 and clang)"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/mypci-coverage.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Every input of the folders that exist, once.
inputs_of() { local d; for d in "$@"; do [ -d "$d" ] && echo "$d"; done; }

# The core harness with its replay main, instrumented for coverage.
build_core() {
    local root=$MYPCI_ROOT
    clang -std=c11 -O1 -g -fprofile-instr-generate -fcoverage-mapping \
        -I"$root/tests/fuzz" -I"$root/tests/unit" -I"$root/tests/common" \
        -I"$root/device/core" -I"$root/include" \
        "$root/tests/fuzz/fuzz_core.c" "$root/tests/fuzz/replay.c" \
        "$root/tests/unit/fake_host.c" "$root/tests/common/abi_regs.c" \
        "$root/device/core/mypci_core.c" -o "$work/fuzz_core_cov"
}

# Replays one target's corpus; leaves NAME.profdata and the binary's path.
replay() { # NAME
    local name=$1 bin dirs
    if [ "$name" = core ]; then
        [ -x "$work/fuzz_core_cov" ] || build_core
        bin=$work/fuzz_core_cov
        mapfile -t dirs < <(inputs_of "$CORPUS/core" "$here/corpus" "$here/regressions")
        LLVM_PROFILE_FILE="$work/$name-%p.profraw" "$bin" "${dirs[@]}" >"$work/$name.log" 2>&1 ||
            die "coverage: the core replay failed: $(tail -n 5 "$work/$name.log")"
    else
        bin=$QEMU_COV
        mapfile -t dirs < <(inputs_of "$CORPUS/$name" "$here/qemu/corpus/$name")
        LLVM_PROFILE_FILE="$work/$name-%p.profraw" "$bin" --fuzz-target="generic-fuzz-$name" \
            -runs=0 "${dirs[@]}" >"$work/$name.log" 2>&1 ||
            die "coverage: replaying $name failed: $(grep -v '^#' "$work/$name.log" | tail -n 5)"
    fi
    "$LLVM_PROFDATA" merge -sparse "$work/$name"-*.profraw -o "$work/$name.profdata"
    echo "$bin" >"$work/$name.bin"
    echo "$(find "${dirs[@]}" -type f | wc -l)" >"$work/$name.inputs"
}

# One line per file of ours (device/core, device/qemu as copied into QEMU's
# tree), then the two folders' totals: lines and branches covered.
report() { # NAME
    local name=$1
    "$LLVM_COV" report "$(cat "$work/$name.bin")" -instr-profile="$work/$name.profdata" 2>/dev/null |
        awk -v t="$name" -v n="$(cat "$work/$name.inputs")" '
            # Filename Regions Missed Cover Functions Missed Executed
            # Lines Missed Cover Branches Missed Cover
            function line(what, l, lm, b, bm) {
                printf "%-15s %-33s %6d inputs  lines %6.2f%% (%d/%d)  branches %6.2f%% (%d/%d)\n",
                    t, what, n, l ? 100 * (l - lm) / l : 0, l - lm, l, b ? 100 * (b - bm) / b : 0, b - bm, b
            }
            $1 ~ /(device\/core|hw\/mypci\/core)\/[^\/]*\.c$/ { d = "device/core" }
            $1 ~ /hw\/mypci\/[^\/]*\.c$/ { d = "device/qemu" }
            d != "" {
                f = $1; sub(/.*\//, "", f)
                line(d "/" f, $8, $9, $11, $12)
                L[d] += $8; LM[d] += $9; BR[d] += $11; BM[d] += $12
                d = ""
            }
            END { for (d in L) line(d " (all)", L[d], LM[d], BR[d], BM[d]) }'
}

QEMU_COV=""
for t in "${TARGETS[@]}"; do
    [ "$t" = core ] && continue
    [ -n "$QEMU_COV" ] || QEMU_COV=$("$MYPCI_ROOT/mypci" prepare --fuzz-coverage | sed -n 's/^QEMU_FUZZ=//p')
done
for t in "${TARGETS[@]}"; do
    replay "$t"
    report "$t"
done
