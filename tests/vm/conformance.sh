#!/usr/bin/env bash
# VM test: the mypci conformance suite (mypci-vfio-test, ABI sections 2-8
# through VFIO) in Debian's 6.1 guest, whose only IOMMU backend is type1:
# binding itself via libpci and bound by the launcher, with MSI-X off (MSI
# mode) and with MSI and MSI-X off (INTx); devices broken on purpose
# (x-break) must make it fail naming the clause; the racing tests must win
# on a second mypci slowed with x-dma-delay-us. Also prints the latency
# summary (mypci-bench --quick). conformance_6_12.sh covers the 6.12 guest
# and its iommufd backend.
set -u
. "$(dirname "$0")/tap.sh"
# shellcheck source=tests/vm/suite.sh
. "$(dirname "$0")/suite.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. The tool binds the device itself through libpci, then restores it.
# (The guest's stdout and stderr both arrive on our stdout.)
run_suite bind-self 0 "
    echo \"tests-listed: \$(mypci-vfio-test --list | wc -l)\"
    time mypci-vfio-test --bind --tap; s=\$?
    echo \"driver-after: [\$($driver_of)]\"
    mypci-bench --quick --bind
    exit \$s" --device mypci
grep -q '^# device 0000:..:..\.. (IOMMU group [0-9]*) via type1 IOMMU backend' "$tmp/bind-self"
ok $? "bind-self: auto picked the type1 backend" "$(head -n 3 "$tmp/bind-self")"
check_backend bind-self type1 '/dev/vfio/[0-9]*'
check_all_ran bind-self
grep -q '^mypci-bench: 0000:..:..\.. via type1' "$tmp/bind-self"
ok $? "bind-self: mypci-bench went through type1 and said so"
grep -qx 'driver-after: \[\]' "$tmp/bind-self"
ok $? "bind-self: --bind restored the device's original driver (none)" \
    "$(grep driver-after "$tmp/bind-self")"
grep -q '^DMA 4 KiB doorbell -> DONE (polled) ' "$tmp/bind-self" &&
    grep -q '^IRQ_RAISE(SOFT) -> MSI-X eventfd ' "$tmp/bind-self"
ok $? "bind-self: mypci-bench --quick printed every latency" \
    "$(grep -A6 '^mypci-bench' "$tmp/bind-self")"

# 2. Bound by the launcher (vfio-bind); type1 forced; binding left alone.
run_suite launcher-bind 0 "
    mypci-vfio-test --iommu type1 --tap; s=\$?
    echo \"driver-after: [\$($driver_of)]\"
    exit \$s" --device mypci --bind 1af4:1236
grep -qx 'driver-after: \[vfio-pci\]' "$tmp/launcher-bind"
ok $? "launcher-bind: a device already on vfio-pci stays there" \
    "$(grep driver-after "$tmp/launcher-bind")"

# 3. msix=off: MSI mode runs, MSI-X tests are skipped with the reason.
run_suite msix-off 0 "mypci-vfio-test --bind --tap" --device mypci,msix=off
grep -q '^ok .*msi:msi_two_causes_two_messages' "$tmp/msix-off"
ok $? "msix-off: the MSI tests ran"
grep -q '^SKIP msix/msix_mask_and_pending: .*msix=off' "$tmp/msix-off" &&
    ! grep -q '^ok .*:msix:' "$tmp/msix-off"
ok $? "msix-off: the MSI-X tests were skipped, naming msix=off"

# 4. msi=off,msix=off: INTx only.
run_suite intx-only 0 "mypci-vfio-test --bind --tap" --device mypci,msi=off,msix=off
grep -q '^ok .*intx:intx_masked_rise_counts' "$tmp/intx-only" &&
    grep -q '^ok .*dma_done_irq_intx' "$tmp/intx-only"
ok $? "intx-only: the INTx tests ran"
grep -q '^SKIP msi/msi_edge_rule: .*msi=off' "$tmp/intx-only" &&
    ! grep -q '^ok .*:msix\?:' "$tmp/intx-only"
ok $? "intx-only: the MSI and MSI-X tests were skipped, naming the property"

# 5, 6. A device that breaks one rule must fail the suite, naming the rule.
# Their failures are expected: they are checked here, not relayed.
check_broken() { # BREAK PATTERN
    local brk=$1 pattern=$2 status
    "$MYPCI" exec --device "mypci,x-break=$brk" -- mypci-vfio-test --bind --tap \
        >"$tmp/$brk" 2>&1
    status=$?
    [ "$status" = 1 ]
    ok $? "x-break=$brk: the suite fails (status 1, got $status)" \
        "$(tail -n 20 "$tmp/$brk")"
    grep -q "^not ok .*$pattern" "$tmp/$brk"
    ok $? "x-break=$brk: a failure names the clause ($pattern)" \
        "$(grep '^not ok' "$tmp/$brk" | head -n 5)"
    grep -q '^ok .*regs:regs_id_version' "$tmp/$brk"
    ok $? "x-break=$brk: unrelated tests still pass"
    echo "# x-break=$brk: $(grep -c '^not ok' "$tmp/$brk") tests failed, e.g.:"
    grep '^not ok' "$tmp/$brk" | head -n 3 | sed 's/^/#   /'
}
check_broken invert 'ABI §3 INVERT: expected 0x[0-9a-f]*, got 0x[0-9a-f]*'
check_broken dma-count 'ABI §[34] [^:]*DMA_COUNT[^:]*: expected 0x[0-9a-f]*, got 0x[0-9a-f]*'

# 7. The busy window. The device runs a transfer on the writing vCPU right
# after DMA_CMD returns, so a guest rarely catches the engine BUSY; with
# x-dma-delay-us it stays BUSY long enough that the racing tests must reach
# DROPPED (ABI 3) and the abandoned transfer (ABI 7), not just allow them.
"$MYPCI" exec --device mypci,x-dma-delay-us=200 -- sh -c '
    export MYPCI_BUSY_WINDOW=1
    mypci-vfio-test --bind --run dma_dropped_while_busy &&
    mypci-vfio-test --bind --run reset_control_abandons_transfer' >"$tmp/busy" 2>&1
ok $? "x-dma-delay-us: DMA_CMD while BUSY is dropped and CONTROL.RESET abandons a transfer" \
    "$(grep -v ':P:' "$tmp/busy" | tail -n 10)"
grep -q "DROPPED on attempt" "$tmp/busy" && grep -q "transfer pending at the reset" "$tmp/busy"
ok $? "x-dma-delay-us: both races were won, as the suite reported" "$(grep '^#' "$tmp/busy")"

# 8. --busy-device, as the main job runs the suite: the two racing tests run
# on a second mypci with x-dma-delay-us and must win their race; pointed at
# a default device, the abandon test must fail, naming the clause (the
# engine finishes before the reset there: 0 of 100 tries in a run).
run_suite busy-device 0 "mypci-vfio-test --bind --busy-device 00:10.0 --tap" \
    --device mypci --device mypci,x-dma-delay-us=1000,addr=0x10
grep -q '^# dma_dropped_while_busy: DROPPED on attempt [0-9]* (busy window)' "$tmp/busy-device" &&
    grep -q '^# reset_control_abandons_transfer: transfer pending at the reset on attempt [0-9]* (busy window)' "$tmp/busy-device"
ok $? "busy-device: both races were won on the busy device" "$(grep '^# [dr]' "$tmp/busy-device")"
"$MYPCI" exec --device mypci --device mypci,addr=0x10 -- \
    mypci-vfio-test --bind --busy-device 00:10.0 --run reset_control_abandons_transfer --tap \
    >"$tmp/busy-default" 2>&1
status=$?
[ "$status" = 1 ] &&
    grep -q '^not ok .*reset_control_abandons_transfer: ABI §7 CONTROL.RESET during a transfer: the transfer always finished' "$tmp/busy-default"
ok $? "busy-device: a default device as the busy one fails the abandon test (status $status)" \
    "$(grep -v '^qemu-system' "$tmp/busy-default" | tail -n 5)"
tap_done
