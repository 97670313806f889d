#!/usr/bin/env bash
# Runs mypci's fuzz targets: QEMU's generic-fuzz on our devices
# (qemu/mypci_fuzz_configs.h; QEMU's libFuzzer build with clang, ASan and
# UBSan, built on first use) and `core`, the QEMU-free core's harness
# (fuzz_core.c). For `./mypci fuzz` and meson's fuzz suite; qemu/README.md
# says more.
#
# usage: fuzz.sh [--target NAME]... [--time S] [--jobs N] [--timeout S]
#            [--corpus DIR | --scratch] [--artifacts DIR] [--list]
#            [-- LIBFUZZER-OPTION...]
#
# Each target runs for S seconds (default 60) on DIR/NAME (default
# $MYPCI_CACHE/fuzz-corpus/NAME), where libFuzzer keeps what it finds, with
# the repository's seeds (qemu/corpus/NAME; for core: corpus/ and
# regressions/); --scratch uses a temporary corpus instead. An input that
# runs longer than --timeout seconds (default 10) is a hang; libFuzzer
# measures wall-clock time, so on a host where a build starves the fuzzer
# give it more (a 0.96 s input was reported at 11 s beside a kernel build). Exit 1 if any
# target crashed, hung, leaked or had a sanitizer report; the input is kept
# in the artifacts folder, with how to replay it.
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/lib.sh"

CONFIGS=$here/qemu/mypci_fuzz_configs.h
BUILD_DIR=${MYPCI_BUILDDIR:-$MYPCI_ROOT/build}

usage() {
    sed -n '8,10p' "$0" | sed 's/^# \{0,1\}//'
    echo "targets: $(known_targets | tr '\n' ' ')"
}

# The generic-fuzz target names, in the order of the configs file.
generic_targets() { sed -n 's/^ *\.name = "\([^"]*\)",$/\1/p' "$CONFIGS"; }
known_targets() { generic_targets; echo core; }

# The memory regions generic-fuzz must find for a target: the scoping works
# only if the fuzzer reaches each of them. Stated here, not read from the
# device: mypci's BAR0 registers, QEMU's MSI-X table and PBA laid over BAR0,
# the tutorial devices' BAR0 (named after their type).
expected_regions() {
    case $1 in
    mypci | mypci-variants) echo "mypci-bar0 msix-table msix-pba" ;;
    mypci-tutorial) echo "mypci_minimal mypci_configurable" ;;
    esac
}

TARGETS=() TIME=60 JOBS=1 HANG_TIMEOUT=10 CORPUS="$MYPCI_CACHE/fuzz-corpus" SCRATCH=0
ARTIFACTS="" EXTRA=()
while [ $# -gt 0 ]; do
    case $1 in
    --target) TARGETS+=("${2:?--target needs a name}"); shift ;;
    --time) TIME=${2:?--time needs seconds}; shift ;;
    --jobs) JOBS=${2:?--jobs needs a number}; shift ;;
    --timeout) HANG_TIMEOUT=${2:?--timeout needs seconds}; shift ;;
    --corpus) CORPUS=${2:?--corpus needs a folder}; shift ;;
    --scratch) SCRATCH=1 ;;
    --artifacts) ARTIFACTS=${2:?--artifacts needs a folder}; shift ;;
    --list) known_targets; exit 0 ;;
    -h | --help) usage; exit 0 ;;
    --) shift; EXTRA=("$@"); break ;;
    *) die "fuzz: unknown argument '$1' (--help lists them)" ;;
    esac
    shift
done
[[ $TIME =~ ^[1-9][0-9]*$ ]] || die "fuzz: --time must be a whole number of seconds, not '$TIME'"
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "fuzz: --jobs must be a positive number, not '$JOBS'"
[[ $HANG_TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "fuzz: --timeout must be a whole number of seconds, not '$HANG_TIMEOUT'"
[ ${#TARGETS[@]} -gt 0 ] || mapfile -t TARGETS < <(known_targets)
KNOWN=$(known_targets)
WANTS_QEMU=0
for t in "${TARGETS[@]}"; do
    grep -qxF -- "$t" <<<"$KNOWN" || die "fuzz: no target '$t' (targets: $(echo $KNOWN))"
    [ "$t" = core ] || WANTS_QEMU=1
done

src_dir=$MYPCI_CACHE/src/qemu-${QEMU_VERSION}+ds
QEMU_FUZZ=""
if [ "$WANTS_QEMU" = 1 ]; then
    QEMU_FUZZ=$("$MYPCI_ROOT/mypci" prepare --fuzz | sed -n 's/^QEMU_FUZZ=//p')
    [ -x "$QEMU_FUZZ" ] || die "fuzz: ./mypci prepare --fuzz gave no fuzzer binary"
fi

# Leaks of QEMU's own start-up are not ours (QEMU's OSS-Fuzz list); UBSan
# stops at the first report, as ASan does, so libFuzzer keeps the input;
# the UBSan findings of QEMU itself we know are suppressed by name. Set
# here, over whatever the caller (meson test) had.
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1
lsan_supp=$src_dir/scripts/oss-fuzz/lsan_suppressions.txt
if [ -f "$lsan_supp" ]; then export LSAN_OPTIONS=suppressions=$lsan_supp; else unset LSAN_OPTIONS; fi
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$MYPCI_ROOT/scripts/qemu-ubsan.supp

work=$(mktemp -d "${TMPDIR:-/tmp}/mypci-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# The numbers of one run, from libFuzzer's log: executions (all jobs),
# their rate, the last coverage line.
summarize() { # NAME LOG SECONDS
    local name=$1 logf=$2 secs=$3 execs cov
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logf" | awk '{s += $1} END {print s + 0}')
    cov=$(grep -E '^#[0-9]+[[:space:]]+(DONE|REDUCE|NEW|pulse|INITED)' "$logf" | tail -n 1 |
        sed -n 's/.*\(cov: [0-9]*\) \(ft: [0-9]*\) \(corp: [^ ]*\).*/\1 \2 \3/p')
    echo "fuzz $name: $execs executions in ${secs}s ($((execs / (secs > 0 ? secs : 1)))/s), ${cov:-no coverage line}"
}

# The regions the fuzzer said it would fuzz must include the expected ones.
check_regions() { # NAME LOG
    local name=$1 logf=$2 want have
    [ "$name" != core ] || return 0
    have=$(sed -n 's/^  \* \([^ ]*\) (size .*/\1/p' "$logf" | sed 's/\[[0-9]*\]$//' | sort -u)
    for want in $(expected_regions "$name"); do
        grep -qxF "$want" <<<"$have" || {
            log "error: fuzz $name: the fuzzer does not reach $want (it fuzzes: $(echo $have))"
            return 1
        }
    done
}

report_findings() { # NAME ARTIFACT-DIR FUZZER
    local name=$1 dir=$2 fuzzer=$3 f found=0
    for f in "$dir"/crash-* "$dir"/timeout-* "$dir"/leak-* "$dir"/oom-*; do
        [ -f "$f" ] || continue
        found=1
        log "error: fuzz $name found $(basename "$f"): the input is $f"
    done
    [ "$found" = 0 ] && return 0
    if [ "$name" = core ]; then
        log "replay it step by step: MYPCI_FUZZ_VERBOSE=1 $BUILD_DIR/tests/fuzz/fuzz_core_replay FILE (tests/fuzz/README.md)"
    else
        cat >&2 <<EOF
mypci: replay it as a qtest trace, then as a qtest (tests/fuzz/qemu/README.md):
  QEMU_FUZZ_TIMEOUT=0 QTEST_LOG=1 FUZZ_SERIALIZE_QTEST=1 $fuzzer --fuzz-target=generic-fuzz-$name FILE &>trace
  $PYTHON $src_dir/scripts/oss-fuzz/reorder_fuzzer_qtest_trace.py trace >reproducer
EOF
    fi
    return 1
}

# The fuzzer binary and the seed folders of a target.
fuzzer_of() {
    if [ "$1" = core ]; then
        local bin=$BUILD_DIR/tests/fuzz/fuzz_core
        [ -x "$bin" ] || die "fuzz: no $bin (run ./mypci prepare; it needs clang and libclang-rt-14-dev)"
        echo "$bin"
    else
        echo "$QEMU_FUZZ"
    fi
}
seeds_of() {
    if [ "$1" = core ]; then
        echo "$here/corpus" "$here/regressions"
    else
        echo "$here/qemu/corpus/$1"
    fi
}

run_target() { # NAME
    local name=$1 corpus art logf start status=0 fuzzer seeds
    fuzzer=$(fuzzer_of "$name")
    read -r -a seeds <<<"$(seeds_of "$name")"
    corpus=$CORPUS/$name
    [ "$SCRATCH" = 0 ] || corpus=$work/corpus-$name
    art=${ARTIFACTS:-$work/artifacts}/$name
    mkdir -p "$corpus" "$art"
    rm -f "$art"/fuzz-*.log
    logf=$art/fuzz.log
    local args=(-max_total_time="$TIME" -timeout="$HANG_TIMEOUT" -print_final_stats=1 -artifact_prefix="$art/")
    # LeakSanitizer's check after every input that allocated more than it
    # freed scans QEMU's whole heap: 5 times fewer inputs a second (47 vs
    # 230 measured). Leaks are still found: LeakSanitizer checks once at
    # exit (with QEMU's start-up suppressed) and fails the run, only without
    # naming the input. `-- -detect_leaks=1` turns it back on.
    [ "$name" = core ] || args=(--fuzz-target="generic-fuzz-$name" "${args[@]}" -detect_leaks=0)
    [ "$JOBS" = 1 ] || args+=(-jobs="$JOBS" -workers="$JOBS")
    log "fuzz $name: ${TIME}s, $JOBS job(s), corpus $corpus ($(find "$corpus" -type f | wc -l) inputs), seeds ${seeds[*]}"
    start=$SECONDS
    # With -jobs, libFuzzer writes each job's output to fuzz-N.log in the
    # current folder.
    (cd "$art" && "$fuzzer" "${args[@]}" "${EXTRA[@]}" "$corpus" "${seeds[@]}" >"$logf" 2>&1) || status=$?
    [ "$JOBS" = 1 ] || cat "$art"/fuzz-*.log >>"$logf"
    summarize "$name" "$logf" $((SECONDS - start))
    check_regions "$name" "$logf" || status=1
    report_findings "$name" "$art" "$fuzzer" || status=1
    if [ "$status" != 0 ]; then
        log "error: fuzz $name failed (status $status); the end of its log ($logf):"
        grep -v '^#[0-9]' "$logf" | tail -n 40 | sed 's/^/  | /' >&2
        if [ -z "$ARTIFACTS" ]; then
            cp -r "$art" "$MYPCI_CACHE/fuzz-failed-$name-$(date +%s)"
            log "its artifacts are kept in $MYPCI_CACHE/fuzz-failed-$name-*"
        fi
    fi
    return "$status"
}

failed=0
for t in "${TARGETS[@]}"; do
    run_target "$t" || failed=$((failed + 1))
done
[ "$failed" = 0 ] || die "fuzz: $failed of ${#TARGETS[@]} target(s) failed"
