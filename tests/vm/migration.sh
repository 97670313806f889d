#!/usr/bin/env bash
# Live migration of a running guest (ABI 10): ./mypci exec --migrate N moves
# the VM to a fresh QEMU N times while the command runs; --savevm N saves it
# to a qcow2 snapshot N times and resumes it in a fresh QEMU. Checked from inside
# the guest: DMA in flight (x-dma-delay-us) survives with every transfer
# checksummed, the conformance suite passes, and registers, the vendor
# capability, device memory and the seed devices' reg keep their values.
# Also: an unmigratable command line (a mounted 9p share) is refused with
# QEMU's reason, and bad --migrate values. TAP.
set -u
. "$(dirname "$0")/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

migration_lines() { grep -c '^mypci: migration [0-9]*/[0-9]* at [0-9]* s: total [0-9]* ms, downtime [0-9]* ms, [0-9.]* MiB transferred$' "$1"; }

# 1. DMA in flight across migrations: every transfer is checksummed.
"$MYPCI" exec --migrate 5 --device mypci,x-dma-delay-us=200 -- \
    mypci-storm --bind --soak 20 >"$tmp/storm" 2>&1
status=$?
summary=$(grep 'SUMMARY' "$tmp/storm")
[ "$status" = 0 ] && [ "$(migration_lines "$tmp/storm")" = 5 ] &&
    grep -q ' mismatches=0 unexpected_faults=0 ' <<<"$summary" &&
    [ "$(sed -n 's/.* expected_faults_provoked=\([0-9]*\).*/\1/p' <<<"$summary")" = \
      "$(sed -n 's/.* expected_faults_seen=\([0-9]*\).*/\1/p' <<<"$summary")" ]
ok $? "mypci-storm with DMA in flight across 5 migrations: 0 mismatches, every expected fault seen (status $status)" \
    "$(grep -v '^qemu-system' "$tmp/storm" | tail -n 12)"
grep '^mypci: migration' "$tmp/storm" | sed 's/^/# /'

# 2. The conformance suite in a guest migrated 3 times during the run. The
# suite takes ~2 s and a migration comes every 2 s: six runs span three.
"$MYPCI" exec --migrate 3 --device mypci -- \
    sh -c 'for i in 1 2 3 4 5 6; do mypci-vfio-test --bind || exit 1; done' >"$tmp/suite" 2>&1
status=$?
[ "$status" = 0 ] && [ "$(migration_lines "$tmp/suite")" = 3 ] &&
    [ "$(grep -c '^100%: Checks: [0-9]*, Failures: 0, Errors: 0' "$tmp/suite")" = 6 ]
ok $? "the conformance suite passes across 3 migrations (status $status)" \
    "$(grep -v '^qemu-system\|:P:' "$tmp/suite" | tail -n 12)"

# 3. State written before and read after two migrations.
cat >"$tmp/state.sh" <<'EOF'
bdf_of() { lspci -D -n -d "$1" | cut -d' ' -f1 | head -n 1; }
bar_of() { printf '0x%x' $(($(sed -n "$(($2 + 1))p" "/sys/bus/pci/devices/$1/resource" | cut -d' ' -f1))); }
minimal=$(bdf_of 1af4:1234) configurable=$(bdf_of 1af4:1235) dev=$(bdf_of 1af4:1236)
for d in $minimal $configurable $dev; do setpci -s "$d" COMMAND=0x0002; done
mmio_rw "$(bar_of "$minimal" 0)" w 32 0x1234abcd
mmio_rw "$(bar_of "$configurable" 0)" w 32 0x77
bar0=$(bar_of "$dev" 0) bar2=$(bar_of "$dev" 2)
mmio_rw $((bar0 + 0x8)) w 32 0x5ca7c4ed     # SCRATCH (ABI 3)
mmio_rw $((bar0 + 0x24)) w 32 0x5           # IRQ_ENABLE: DMA_DONE | SOFT
mmio_rw "$bar2" w 32 0xcafef00d             # device memory, first word
mmio_rw $((bar2 + 0xffffc)) w 32 0x0badc0de # and the last of 1 MiB
setpci -s "$dev" 0xc8.L=0x600dcafe          # vendor cap MAILBOX (sets EVENTS bit 0)
echo "written; waiting for the migrations"
sleep 7
echo "minimal_reg=$(mmio_rw "$(bar_of "$minimal" 0)" r 32)"
echo "configurable_reg=$(mmio_rw "$(bar_of "$configurable" 0)" r 32)"
echo "scratch=$(mmio_rw $((bar0 + 0x8)) r 32)"
echo "irq_enable=$(mmio_rw $((bar0 + 0x24)) r 32)"
echo "mem_first=$(mmio_rw "$bar2" r 32)"
echo "mem_last=$(mmio_rw $((bar2 + 0xffffc)) r 32)"
echo "mailbox=$(setpci -s "$dev" 0xc8.L)"
echo "result=$(setpci -s "$dev" 0xcc.L)"
echo "events=$(setpci -s "$dev" 0xd0.L)"
EOF
expect() { # FILE WHEN NAME VALUE WHAT
    grep -qx "$3=$4" "$1"
    ok $? "after $2: $5 is $4" "$(grep "^$3=" "$1")"
}
state_check() { # OPTION COUNT WHAT LINE-PATTERN
    local out="$tmp/state-$1"
    "$MYPCI" exec "--$1" "$2" --migrate-every 2 --device mypci_minimal \
        --device mypci_configurable,reg=0x42 --device mypci \
        -- sh -c "$(cat "$tmp/state.sh")" >"$out" 2>&1
    status=$?
    ok "$([ "$status" = 0 ] && [ "$(grep -c "$4" "$out")" = "$2" ]; echo $?)" \
        "state check ran across $2 $3 (status $status)" "$(tail -n 15 "$out")"
    local when="$2 $3"
    expect "$out" "$when" minimal_reg 0x1234abcd "mypci_minimal's reg"
    expect "$out" "$when" configurable_reg 0x00000077 "mypci_configurable's reg"
    expect "$out" "$when" scratch 0x5ca7c4ed "mypci's SCRATCH"
    expect "$out" "$when" irq_enable 0x00000005 "mypci's IRQ_ENABLE"
    expect "$out" "$when" mem_first 0xcafef00d "device memory's first word"
    expect "$out" "$when" mem_last 0x0badc0de "device memory's last word"
    expect "$out" "$when" mailbox 600dcafe "the vendor capability's MAILBOX"
    expect "$out" "$when" result 9ff23501 "the vendor capability's RESULT (~MAILBOX)"
    expect "$out" "$when" events 00000001 "the vendor capability's EVENTS bit 0"
}
state_check migrate 2 migrations '^mypci: migration [0-9]/[0-9] at '
# savevm/loadvm of the booted guest: saved to the qcow2 disk, QEMU quits,
# a fresh QEMU resumes from the snapshot.
state_check savevm 2 "savevm/loadvm round trips" '^mypci: snapshot [0-9]/[0-9] at [0-9]* s: savevm [0-9]* ms; resumed'

# DMA in flight across savevm/loadvm.
"$MYPCI" exec --savevm 3 --device mypci,x-dma-delay-us=200 -- \
    mypci-storm --bind --soak 12 >"$tmp/storm-savevm" 2>&1
status=$?
summary=$(grep 'SUMMARY' "$tmp/storm-savevm")
[ "$status" = 0 ] && [ "$(grep -c '^mypci: snapshot [0-9]/3 at' "$tmp/storm-savevm")" = 3 ] &&
    grep -q ' mismatches=0 unexpected_faults=0 ' <<<"$summary"
ok $? "mypci-storm with DMA in flight across 3 savevm/loadvm: 0 mismatches (status $status)" \
    "$(grep -v '^qemu-system' "$tmp/storm-savevm" | tail -n 8)"

# Interrupts: a cause held pending (IRQ_ENABLE off, or its MSI-X vector
# masked so the PBA holds it) while the VM moves is delivered exactly once
# afterwards; MSI-X, MSI and INTx. The holds fill ~97% of the run.
irq_hold_check() { # OPTION COUNT WHAT PATTERN
    local out="$tmp/irq-$1"
    "$MYPCI" exec "--$1" "$2" --device mypci -- \
        mypci-irq-hold --bind --rounds 3 --hold-ms 2000 >"$out" 2>&1
    status=$?
    [ "$status" = 0 ] && [ "$(grep -c "$4" "$out")" = "$2" ] &&
        [ "$(grep -c '^mypci-irq-hold: .*: 3/3 rounds delivered exactly once$' "$out")" = 4 ] &&
        grep -qx 'mypci-irq-hold: SUMMARY failures=0' "$out"
    ok $? "held interrupt causes delivered exactly once across $2 $3 (MSI-X, MSI-X masked, MSI, INTx; status $status)" \
        "$(grep -v '^qemu-system' "$out" | tail -n 16)"
}
irq_hold_check migrate 8 migrations '^mypci: migration [0-9]/[0-9] at '
irq_hold_check savevm 4 "savevm/loadvm round trips" '^mypci: snapshot [0-9]/[0-9] at '

# 4. An unmigratable command line: QEMU refuses, the launcher says why.
mkdir -p "$tmp/share"
"$MYPCI" exec --migrate 1 --share "$tmp/share" -- sleep 30 >"$tmp/refused" 2>&1
status=$?
[ "$status" != 0 ] && grep -q "^mypci: error: migration 1/1 failed: Migration is disabled when VirtFS export path" "$tmp/refused"
ok $? "a mounted 9p share cannot migrate: status $status, QEMU's reason shown" "$(tail -n 8 "$tmp/refused")"

# 5. A command that ends before its migrations: said, and not a success.
"$MYPCI" exec --migrate 3 -- true >"$tmp/short" 2>&1
status=$?
[ "$status" = 1 ] && grep -q "the command ended after 0 of 3 migrations" "$tmp/short"
ok $? "a command that ends before its migrations fails and says so (status $status)" "$(cat "$tmp/short")"

for bad in "--migrate x" "--migrate-every 0" "--savevm -1"; do
    # shellcheck disable=SC2086
    "$MYPCI" exec $bad -- true >"$tmp/bad" 2>&1
    status=$?
    [ "$status" != 0 ] && grep -q "bad ${bad% *}" "$tmp/bad"
    ok $? "exec $bad is refused (status $status)" "$(cat "$tmp/bad")"
done

tap_done
