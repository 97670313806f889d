#!/usr/bin/env bash
# VM test of the seed devices (ABI 1.1, 1.2): the guest-side checks of
# mypci-seed-check, then the trace log lines they produced.
set -u
. "$(dirname "$0")/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$MYPCI" exec --device mypci_minimal \
    --device pcie-root-port,id=rp1,chassis=1,slot=1 \
    --device mypci_configurable,reg=0x42,bus=rp1 \
    --trace 'mypci_minimal_*' --trace 'mypci_configurable_*' --log "$tmp/qemu.log" \
    -- mypci-seed-check >"$tmp/out" 2>"$tmp/err"
status=$?
relay_guest_tap <"$tmp/out"
ok "$status" "mypci-seed-check exits 0" "$(cat "$tmp/err")"

expect_log() {
    grep -qxF -- "$1" <(sed 's/^[^ ]* //' "$tmp/qemu.log")
    ok $? "log has: $1"
}
expect_log "[mypci_minimal] MMIO READ: addr=0x0 size=4 -> value=0x0"
expect_log "[mypci_minimal] MMIO WRITE: addr=0x0 size=4 value=0x12345678"
expect_log "[mypci_minimal] MMIO READ: addr=0x0 size=2 -> value=0x5678"
expect_log "[mypci_minimal] MMIO READ: addr=0x0 size=1 -> value=0x78"
expect_log "[mypci_minimal] MMIO WRITE: addr=0x0 size=1 value=0xab"
expect_log "[mypci_minimal] MMIO WRITE: addr=0x4 size=4 value=0xffffffff"
expect_log "[mypci_configurable] MMIO READ: addr=0x0 size=4 -> value=0x42"
expect_log "[mypci_configurable] MMIO WRITE: addr=0x0 size=4 value=0xdeadbeef"

# Tracing is switchable: without --trace nothing is logged.
"$MYPCI" exec --device mypci_minimal --log "$tmp/quiet.log" -- \
    sh -c 'mmio_rw $(printf "0x%x" $(($(head -n1 /sys/bus/pci/devices/$(lspci -D -n -d 1af4:1234 | cut -d" " -f1)/resource | cut -d" " -f1)))) r 32' \
    >"$tmp/out2" 2>&1
ok $? "an access without --trace runs" "$(cat "$tmp/out2")"
! grep -q mypci_minimal "$tmp/quiet.log" 2>/dev/null
ok $? "without --trace the log has no mypci lines"
tap_done
