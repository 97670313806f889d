#!/usr/bin/env bash
# VM test (suite sanitize): QEMU built with ASan and UBSan hosts mypci while
# guest programs built with ASan and UBSan drive it: the seed checks with
# mmio_rw, the conformance suite, the latency summary, the guest fuzzer and
# a DMA storm. Every sanitizer stops at its first report
# (QEMU: halt_on_error; the guest programs likewise, with LeakSanitizer on),
# so a clean run means no invalid access, no undefined behaviour and no
# guest-side leak on any path these programs take. First it checks that
# both sides really are instrumented, so the test cannot pass vacuously.
set -u
. "$(dirname "$0")/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

seed=${SANITIZE_SEED:-$(date +%s)}
fuzz_ops=${SANITIZE_FUZZ_OPS:-20000}
transfers=${SANITIZE_TRANSFERS:-300000}
echo "# seed $seed: fuzz --ops $fuzz_ops, storm --transfers $transfers"
export MYPCI_SANITIZE=1
builddir=${MYPCI_BUILDDIR:?MYPCI_BUILDDIR must name the meson build}
guest_builddir=$builddir-sanitize

# 1. Both sides are instrumented.
qemu=$("$MYPCI" prepare 2>"$tmp/prepare.err" | sed -n 's/^QEMU=//p')
ok $? "the sanitize flavour is prepared" "$(tail -n 20 "$tmp/prepare.err")"
ASAN_OPTIONS=help=1 "$qemu" -version 2>&1 | grep -q '^Available flags for AddressSanitizer'
ok $? "QEMU ($qemu) runs with AddressSanitizer"
nm -D "$qemu" | grep -q ' U __ubsan_handle_'
ok $? "QEMU calls UBSan's handlers"
for prog in driver/mmio_rw tests/conformance/mypci-vfio-test \
    tests/conformance/mypci-bench tests/reliability/mypci-fuzz \
    tests/reliability/mypci-storm; do
    nm -u "$guest_builddir/$prog" >"$tmp/nm" 2>&1
    grep -q ' __asan_init' "$tmp/nm" && grep -q ' __ubsan_handle_' "$tmp/nm"
    ok $? "${prog##*/} is built with ASan and UBSan" "$(head -n 5 "$tmp/nm")"
done

# 2. The programs against QEMU, in one guest. 1 GiB: ASan's shadow memory.
# The devices of ./mypci run: the seed devices too (mmio_rw's checks).
"$MYPCI" exec --timeout 1500 --memory 1G --device mypci_minimal \
    --device pcie-root-port,id=rp1,chassis=1,slot=1 \
    --device mypci_configurable,reg=0x42,bus=rp1 --device mypci -- sh -c "
    echo \"asan-runtime: \$(ASAN_OPTIONS=help=1 mypci-vfio-test --list 2>&1 |
        grep -c '^Available flags for AddressSanitizer')\"
    mypci-seed-check >/tmp/seed; echo \"seed-exit: \$?\"; sed 's/^ok /seed ok /' /tmp/seed
    echo \"tests-listed: \$(mypci-vfio-test --list | wc -l)\"
    mypci-vfio-test --bind --tap; echo \"suite-exit: \$?\"
    mypci-bench --quick --bind; echo \"bench-exit: \$?\"
    mypci-fuzz --bind --ops $fuzz_ops --seed $seed; echo \"fuzz-exit: \$?\"
    mypci-storm --bind --transfers $transfers --seed $seed; echo \"storm-exit: \$?\"
    " >"$tmp/out" 2>"$tmp/err"
status=$?
grep -v '^mypci-fuzz: batch\|^ok ' "$tmp/out" | sed 's/^/# /'
ok "$status" "the guest ran the programs (exec status $status)" "$(tail -n 20 "$tmp/err")"
grep -qx 'asan-runtime: 1' "$tmp/out"
ok $? "the guest programs run with ASan's runtime in the guest"

# Any report from either side: QEMU's on stderr, the guest's on the console.
reports='AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:'
! grep -E "$reports" "$tmp/err" >"$tmp/qemu-reports"
ok $? "QEMU: no sanitizer report" "$(head -n 40 "$tmp/qemu-reports")"
grep -v '^Available flags\|^asan-runtime' "$tmp/out" | grep -E "$reports" >"$tmp/guest-reports"
[ ! -s "$tmp/guest-reports" ]
ok $? "guest programs: no sanitizer report" "$(head -n 40 "$tmp/guest-reports")"
# QEMU's coroutines switch stacks with swapcontext; ASan warns once that it
# cannot follow that fully (QEMU annotates its own switches).
grep -v -E '^qemu-system-x86_64: (vtd_[a-z_]+: detected |New fault is not recorded)|^mypci: ' \
    "$tmp/err" | grep -v -E "^==[0-9]+==WARNING: ASan doesn't fully support makecontext/swapcontext functions" \
    >"$tmp/qemu-err"
[ ! -s "$tmp/qemu-err" ]
ok $? "QEMU printed nothing unexpected on stderr" "$(head -n 20 "$tmp/qemu-err")"

# 3. What each program found.
seed_ok=$(grep -c '^seed ok ' "$tmp/out")
grep -qx 'seed-exit: 0' "$tmp/out" && [ "$seed_ok" -gt 0 ]
ok $? "mypci-seed-check and mmio_rw: $seed_ok checks passed" "$(grep 'not ok' "$tmp/out")"
grep -qx 'bench-exit: 0' "$tmp/out"
ok $? "mypci-bench --quick ran to the end"
listed=$(sed -n 's/^tests-listed: *//p' "$tmp/out")
passed=$(grep -c '^ok ' "$tmp/out")
grep -qx 'suite-exit: 0' "$tmp/out" && [ -n "$listed" ] && [ "$passed" = "$listed" ]
ok $? "mypci-vfio-test: all $listed tests passed ($passed)" "$(grep '^not ok' "$tmp/out")"
summary() { grep -m 1 "^$1: SUMMARY" "$tmp/out"; }
grep -qx 'fuzz-exit: 0' "$tmp/out" &&
    summary mypci-fuzz | grep -q "\<ops=$fuzz_ops\>.*\<checks_failed=0\>"
ok $? "mypci-fuzz: $fuzz_ops operations, the device healthy after every batch" \
    "$(summary mypci-fuzz)"
grep -qx 'storm-exit: 0' "$tmp/out" &&
    summary mypci-storm | grep -q "\<transfers=$transfers\>.*\<mismatches=0\>.*\<unexpected_faults=0\>"
ok $? "mypci-storm: $transfers transfers, no mismatch, no unexpected fault" \
    "$(summary mypci-storm)"
provoked=$(summary mypci-storm | sed -n 's/.*\<expected_faults_provoked=\([0-9]*\).*/\1/p')
summary mypci-storm | grep -q "\<expected_faults_provoked=[1-9][0-9]* expected_faults_seen=$provoked\>"
ok $? "mypci-storm: every provoked fault seen ($provoked)" "$(summary mypci-storm)"
tap_done
