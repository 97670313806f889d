#!/usr/bin/env bash
# VM test (suite sanitize): QEMU built with ASan and UBSan runs the qtest
# device tests, then hosts mypci while guest programs built with ASan and
# UBSan drive it: the seed checks with mmio_rw, the conformance suite, the
# latency summary, the guest fuzzer and a DMA storm, on the 6.1 guest
# (type1) and, shorter, on the 6.12 guest (iommufd). Every sanitizer stops
# at its first report (QEMU: halt_on_error, with the upstream findings in
# scripts/qemu-ubsan.supp suppressed; the guest programs likewise, with
# LeakSanitizer on), so a clean run means no invalid access, no undefined
# behaviour and no guest-side leak on any path these programs take. First
# it checks that both sides really are instrumented, so the test cannot
# pass vacuously.
set -u
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostile.sh"
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
for prog in tools/mmio_rw/mmio_rw tests/conformance/mypci-vfio-test \
    tools/bench/mypci-bench tools/reliability/mypci-fuzz \
    tools/reliability/mypci-storm; do
    nm -u "$guest_builddir/$prog" >"$tmp/nm" 2>&1
    grep -q ' __asan_init' "$tmp/nm" && grep -q ' __ubsan_handle_' "$tmp/nm"
    ok $? "${prog##*/} is built with ASan and UBSan" "$(head -n 5 "$tmp/nm")"
done

# 2. The qtest device tests (tests/qtest, no guest) against that QEMU; the
# test for DMA into the device's own RAM BAR needs ASan to see the bug it
# guards against.
"$(dirname "$0")/../qtest/run.sh" >"$tmp/qtest" 2>&1
status=$?
while IFS= read -r line; do
    case $line in
    "ok "*) ok 0 "qtest: ${line#ok * }" ;;
    "not ok "*) ok 1 "qtest: ${line#not ok * }" ;;
    esac
done <"$tmp/qtest"
ok "$status" "qtest: exit status 0 (got $status)" "$(tail -n 20 "$tmp/qtest")"
! grep -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' \
    "$tmp/qtest" >"$tmp/reports"
ok $? "qtest: QEMU: no sanitizer report" "$(head -n 40 "$tmp/reports")"

# The guest script: ASan's runtime present, then the programs; each prints
# "NAME-exit: STATUS". EXTRA runs first.
guest_script() { # EXTRA OPS TRANSFERS
    cat <<EOF
echo "asan-runtime: \$(ASAN_OPTIONS=help=1 mypci-vfio-test --list 2>&1 |
    grep -c '^Available flags for AddressSanitizer')"
$1
echo "tests-listed: \$(mypci-vfio-test --list | wc -l)"
mypci-vfio-test --bind --tap; echo "suite-exit: \$?"
mypci-fuzz --bind --busy-device 00:10.0 --ops $2 --seed $seed; echo "fuzz-exit: \$?"
mypci-storm --bind --transfers $3 --seed $seed; echo "storm-exit: \$?"
EOF
}

# The guest ran, and neither QEMU (its stderr) nor the guest programs (the
# console) reported anything.
check_clean() { # NAME OUT ERR EXEC-STATUS
    local name=$1 out=$2 err=$3 status=$4
    local reports='AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:'
    grep -v '^mypci-fuzz: batch\|^ok ' "$out" | sed "s/^/# $name: /"
    ok "$status" "$name: the guest ran the programs (exec status $status)" \
        "$(tail -n 20 "$err")"
    grep -qx 'asan-runtime: 1' "$out"
    ok $? "$name: the guest programs run with ASan's runtime in the guest"
    ! grep -E "$reports" "$err" >"$tmp/reports"
    ok $? "$name: QEMU: no sanitizer report" "$(head -n 40 "$tmp/reports")"
    grep -v '^Available flags\|^asan-runtime' "$out" | grep -E "$reports" >"$tmp/reports"
    [ ! -s "$tmp/reports" ]
    ok $? "$name: guest programs: no sanitizer report" "$(head -n 40 "$tmp/reports")"
    # QEMU's coroutines switch stacks with swapcontext; ASan warns once that
    # it cannot follow that fully (QEMU annotates its own switches).
    grep -v -E '^qemu-system-x86_64: (vtd_[a-z_]+: detected |New fault is not recorded)|^mypci: ' "$err" |
        grep -v -E "^==[0-9]+==WARNING: ASan doesn't fully support makecontext/swapcontext functions" \
            >"$tmp/unexpected"
    [ ! -s "$tmp/unexpected" ]
    ok $? "$name: QEMU printed nothing unexpected on stderr" "$(head -n 20 "$tmp/unexpected")"
}

# The suite, the fuzzer and the storm passed.
check_results() { # NAME OUT OPS TRANSFERS HOSTILE-COUNTERS
    local name=$1 out=$2 ops=$3 transfers=$4 listed passed provoked storm
    listed=$(sed -n 's/^tests-listed: *//p' "$out")
    passed=$(grep -c '^ok ' "$out")
    grep -qx 'suite-exit: 0' "$out" && [ -n "$listed" ] && [ "$passed" = "$listed" ]
    ok $? "$name: mypci-vfio-test: all $listed tests passed ($passed)" \
        "$(grep '^not ok' "$out")"
    grep -qx 'fuzz-exit: 0' "$out" &&
        grep -m 1 '^mypci-fuzz: SUMMARY' "$out" | grep -q "\<ops=$ops\>.*\<checks_failed=0\>"
    ok $? "$name: mypci-fuzz: $ops operations, the device healthy after every batch" \
        "$(grep '^mypci-fuzz: SUMMARY' "$out")"
    hostile_ok "$name" "$out" "$5"
    storm=$(grep -m 1 '^mypci-storm: SUMMARY' "$out")
    provoked=$(sed -n 's/.*\<expected_faults_provoked=\([0-9]*\).*/\1/p' <<<"$storm")
    grep -qx 'storm-exit: 0' "$out" && [ "${provoked:-0}" -gt 0 ] &&
        grep -q "\<transfers=$transfers\>.*\<mismatches=0\>.*\<unexpected_faults=0\>.*\<expected_faults_seen=$provoked\>" <<<"$storm"
    ok $? "$name: mypci-storm: $transfers transfers, no mismatch, no unexpected fault, every provoked fault seen ($provoked)" \
        "$storm"
}

# 3. Debian's 6.1 guest (type1) with the devices of ./mypci run (the slowed
# second mypci at 00:10.0 is mypci-fuzz's --busy-device), so the seed checks
# (mmio_rw) and the latency summary run too. 1 GiB: ASan's shadow.
# shellcheck disable=SC2016 # expanded in the guest
seed_and_bench='
mypci-seed-check >/tmp/seed; echo "seed-exit: $?"; sed "s/^ok /seed ok /" /tmp/seed
mypci-bench --quick --bind; echo "bench-exit: $?"'
"$MYPCI" exec --timeout 1500 --memory 1G --device mypci_minimal \
    --device pcie-root-port,id=rp1,chassis=1,slot=1 \
    --device mypci_configurable,reg=0x42,bus=rp1 --device mypci \
    --device mypci,x-dma-delay-us=1000,addr=0x10 \
    -- sh -c "$(guest_script "$seed_and_bench" "$fuzz_ops" "$transfers")" \
    >"$tmp/out" 2>"$tmp/err"
check_clean 6.1 "$tmp/out" "$tmp/err" $?
seed_ok=$(grep -c '^seed ok ' "$tmp/out")
grep -qx 'seed-exit: 0' "$tmp/out" && [ "$seed_ok" -gt 0 ]
ok $? "6.1: mypci-seed-check and mmio_rw: $seed_ok checks passed" "$(grep 'not ok' "$tmp/out")"
grep -qx 'bench-exit: 0' "$tmp/out"
ok $? "6.1: mypci-bench --quick ran to the end"
check_results 6.1 "$tmp/out" "$fuzz_ops" "$transfers" "$HOSTILE_COUNTERS_TYPE1"

# 4. The 6.12 guest: the library's iommufd backend, shorter runs.
ops612=$((fuzz_ops / 4)) transfers612=$((transfers / 3))
"$MYPCI" exec --kernel 6.12 --timeout 1500 --memory 1G --device mypci \
    --device mypci,x-dma-delay-us=1000,addr=0x10 -- sh -c "$(guest_script '' "$ops612" "$transfers612")" \
    >"$tmp/out612" 2>"$tmp/err612"
check_clean 6.12 "$tmp/out612" "$tmp/err612" $?
grep -q '^# mypci-vfio-test: .* via iommufd' "$tmp/out612"
ok $? "6.12: the programs went through iommufd" "$(grep -m 2 ' via ' "$tmp/out612")"
check_results 6.12 "$tmp/out612" "$ops612" "$transfers612" "$HOSTILE_COUNTERS_IOMMUFD"
tap_done
