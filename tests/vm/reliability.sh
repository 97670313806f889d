#!/usr/bin/env bash
# VM test: the reliability programs in one guest. mypci-fuzz (a hostile
# driver: random MMIO, config writes, DMA at its own BARs, resets) must
# leave a device that passes every between-batch health check; mypci-storm
# (10^6 verified DMA transfers with resets, IOMMU remaps and provoked
# faults) must see no mismatch, no unexpected fault, and every provoked
# fault. A 6.12 guest repeats shorter runs through iommufd. Seeds come from
# the clock unless RELIABILITY_SEED is set; they are printed so a failure
# can be rerun (see tools/reliability/README.md).
set -u
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostile.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

seed=${RELIABILITY_SEED:-$(date +%s)}
fuzz_ops=${RELIABILITY_FUZZ_OPS:-20000}
transfers=${RELIABILITY_TRANSFERS:-1000000}
echo "# seed $seed: fuzz --ops $fuzz_ops, storm --transfers $transfers"

# The second mypci (00:10.0) is slowed with x-dma-delay-us: mypci-fuzz's
# races (unmap, Command.Memory, FLR, masks) find its transfers pending.
"$MYPCI" exec --timeout 600 --device mypci \
    --device mypci,x-dma-delay-us=1000,addr=0x10 -- sh -c "
    mypci-fuzz --bind --busy-device 00:10.0 --ops $fuzz_ops --seed $seed; echo \"fuzz-exit: \$?\"
    mypci-storm --bind --transfers $transfers --seed $seed; echo \"storm-exit: \$?\"
    mypci-storm --bind --soak 5 --seed $((seed + 1)); echo \"soak-exit: \$?\"
    " >"$tmp/out" 2>"$tmp/err"
status=$?
grep -v '^mypci-fuzz: batch' "$tmp/out" | sed 's/^/# /'
ok "$status" "the guest ran both programs (exec status $status)" \
    "$(tail -n 20 "$tmp/err")"
# QEMU's intel-iommu reports the provoked faults; anything else is news.
grep -v -E '^qemu-system-x86_64: (vtd_[a-z_]+: detected |New fault is not recorded)|^mypci: ' \
    "$tmp/err" >"$tmp/qemu-err"
[ ! -s "$tmp/qemu-err" ]
ok $? "QEMU printed nothing unexpected on stderr" "$(head -n 20 "$tmp/qemu-err")"

# field NAME PROGRAM [FILE]: a key=value of PROGRAM's SUMMARY line.
field() {
    sed -n "s/^$2: SUMMARY .*\<$1=\([^ ]*\).*/\1/p" "${3:-$tmp/out}" | head -n 1
}

# 1. mypci-fuzz
grep -qx 'fuzz-exit: 0' "$tmp/out"
ok $? "mypci-fuzz exit status 0" "$(grep -i 'fail\|busy' "$tmp/out" | head)"
[ "$(field ops mypci-fuzz)" = "$fuzz_ops" ]
ok $? "mypci-fuzz ran all $fuzz_ops operations ($(field ops mypci-fuzz))"
batches=$(grep -c '^mypci-fuzz: batch [0-9]*: [0-9]* ops: device OK$' "$tmp/out")
[ "$(field checks mypci-fuzz)" = "$batches" ] && [ "$batches" -gt 0 ] &&
    [ "$(field checks_failed mypci-fuzz)" = 0 ]
ok $? "mypci-fuzz: device OK after every batch ($batches checks)"
# type1 maps a BAR's mmap for DMA; a backend that cannot says so instead.
own=$(field dma_own_bar_ok mypci-fuzz)
[ "$(field bar_dma mypci-fuzz)" = iommu-mapped ] && [ "${own:-0}" -gt 0 ]
ok $? "mypci-fuzz: DMA reached the device's own BARs ($own transfers)" \
    "$(grep 'IOMMU-mapp' "$tmp/out")"

# Every hostile operation kind really happened, the races with a transfer
# still pending included (tests/vm/hostile.sh names the counters).
hostile_ok 6.1 "$tmp/out" "$HOSTILE_COUNTERS_TYPE1"

# 2. mypci-storm, counted run
grep -qx 'storm-exit: 0' "$tmp/out"
ok $? "mypci-storm exit status 0"
summary=$(grep '^mypci-storm: SUMMARY' "$tmp/out" | head -n 1)
[ "$(field transfers mypci-storm)" = "$transfers" ]
ok $? "mypci-storm: $transfers transfers" "$summary"
[ "$(field mismatches mypci-storm)" = 0 ]
ok $? "mypci-storm: 0 mismatches" "$summary"
[ "$(field unexpected_faults mypci-storm)" = 0 ]
ok $? "mypci-storm: 0 unexpected faults" "$summary"
provoked=$(field expected_faults_provoked mypci-storm)
[ -n "$provoked" ] && [ "$provoked" -gt 0 ] &&
    [ "$provoked" = "$(field expected_faults_seen mypci-storm)" ]
ok $? "mypci-storm: every provoked fault seen ($provoked)" "$summary"

# 3. mypci-storm --soak: the time-bounded mode ends on its own, clean.
grep -qx 'soak-exit: 0' "$tmp/out"
ok $? "mypci-storm --soak 5 exit status 0" \
    "$(grep '^mypci-storm: SUMMARY' "$tmp/out" | tail -n 1)"
# 4. The 6.12 guest: the same programs through iommufd, shorter.
"$MYPCI" exec --kernel 6.12 --timeout 600 --device mypci \
    --device mypci,x-dma-delay-us=1000,addr=0x10 -- sh -c "
    mypci-fuzz --bind --busy-device 00:10.0 --ops $((fuzz_ops / 4)) --seed $seed; echo \"fuzz-exit: \$?\"
    mypci-storm --bind --transfers $((transfers / 5)) --seed $seed; echo \"storm-exit: \$?\"
    " >"$tmp/out612" 2>"$tmp/err612"
status=$?
grep -v '^mypci-fuzz: batch' "$tmp/out612" | sed 's/^/# 6.12: /'
ok "$status" "6.12: the guest ran both programs (exec status $status)" \
    "$(tail -n 20 "$tmp/err612")"
grep -q '^mypci-storm: .* via iommufd' "$tmp/out612"
ok $? "6.12: the programs went through iommufd"
grep -qx 'fuzz-exit: 0' "$tmp/out612" && [ "$(field checks_failed mypci-fuzz "$tmp/out612")" = 0 ]
ok $? "6.12: mypci-fuzz exit status 0, every health check passed" \
    "$(grep -i 'fail' "$tmp/out612" | head)"
hostile_ok 6.12 "$tmp/out612" "$HOSTILE_COUNTERS_IOMMUFD"
provoked=$(field expected_faults_provoked mypci-storm "$tmp/out612")
grep -qx 'storm-exit: 0' "$tmp/out612" &&
    [ "$(field mismatches mypci-storm "$tmp/out612")" = 0 ] &&
    [ "$(field unexpected_faults mypci-storm "$tmp/out612")" = 0 ] &&
    [ -n "$provoked" ] && [ "$provoked" -gt 0 ] &&
    [ "$provoked" = "$(field expected_faults_seen mypci-storm "$tmp/out612")" ]
ok $? "6.12: mypci-storm $((transfers / 5)) transfers: 0 mismatches, 0 unexpected faults, every provoked fault seen" \
    "$(grep '^mypci-storm: SUMMARY' "$tmp/out612")"
tap_done
