#!/usr/bin/env bash
# VM test of the aarch64 guest (./mypci --arch aarch64): QEMU's virt with
# its PCIe host bridge (gpex), SMMUv3 and GICv3 + ITS, Debian's arm64
# kernel, the guest programs cross-compiled. The seed's layout and trace
# lines, the whole main job through SMMUv3, and what --arch refuses.
set -u
. "$(dirname "$0")/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The seed's machine: lspci shows virt's host bridge at 00:00.0 and
# mypci_minimal at 00:01.0; its trace lines are the seed's (ABI 1.1).
"$MYPCI" exec --arch aarch64 --device mypci_minimal \
    --device pcie-root-port,id=rp1,chassis=1,slot=2 \
    --device mypci_configurable,reg=0x42,bus=rp1 \
    --trace 'mypci_minimal_*' --trace 'mypci_configurable_*' --log "$tmp/qemu.log" \
    -- sh -c 'uname -m; lspci; mypci-seed-check' >"$tmp/out" 2>"$tmp/err"
status=$?
ok "$status" "aarch64 guest: mypci-seed-check exits 0" "$(tail -n 20 "$tmp/err")"
grep -qx aarch64 "$tmp/out"
ok $? "the guest is aarch64 (uname -m)" "$(head -n 3 "$tmp/out")"
expect_out() {
    grep -qxF -- "$1" "$tmp/out"
    ok $? "lspci: $1" "$(grep -E '^[0-9a-f]{2}:' "$tmp/out")"
}
expect_out "00:00.0 Host bridge: Red Hat, Inc. QEMU PCIe Host bridge"
expect_out "00:01.0 Unclassified device [00ff]: Red Hat, Inc. Device 1234 (rev 01)"
expect_out "01:00.0 Unclassified device [00ff]: Red Hat, Inc. Device 1235 (rev 01)"
relay_guest_tap < <(grep -E '^(ok|not ok|1\.\.)' "$tmp/out")
expect_log() {
    grep -qxF -- "$1" <(sed 's/^[^ ]* //' "$tmp/qemu.log")
    ok $? "trace log has: $1"
}
expect_log "[mypci_minimal] MMIO READ: addr=0x0 size=4 -> value=0x0"
expect_log "[mypci_minimal] MMIO WRITE: addr=0x0 size=4 value=0x12345678"
expect_log "[mypci_minimal] MMIO READ: addr=0x0 size=2 -> value=0x5678"
expect_log "[mypci_minimal] MMIO READ: addr=0x0 size=1 -> value=0x78"
expect_log "[mypci_configurable] MMIO READ: addr=0x0 size=4 -> value=0x42"

# The main job: seed check, the whole conformance suite through SMMUv3
# (DMA faults, MSI-X through the ITS, INTx, FLR), the latency summary.
"$MYPCI" run --arch aarch64 >"$tmp/run" 2>&1
status=$?
ok "$status" "./mypci run --arch aarch64 exits 0" "$(tail -n 30 "$tmp/run")"
grep -qE '^verdict: PASS' "$tmp/run"
ok $? "the main job's verdict is PASS" "$(tail -n 5 "$tmp/run")"
grep -q 'virt + SMMUv3 + GICv3 ITS' "$tmp/run"
ok $? "the main job says it runs on virt with SMMUv3" "$(head -n 2 "$tmp/run")"
suite=$(sed -n 's/^# \([0-9]*\) of \([0-9]*\) tests passed$/\1 \2/p' "$tmp/run")
read -r passed total <<<"${suite:-0 -1}"
[ "$passed" = "$total" ] && [ "$total" -ge 70 ]
ok $? "the conformance suite passes whole through SMMUv3 ($passed of $total)" \
    "$(grep -E '^#|:F:|:E:' "$tmp/run" | tail -n 20)"
grep -q '^# 20 passed, 0 failed' "$tmp/run"
ok $? "the seed check passes in the main job (20 of 20)"

# The hostile guest on arm64: aligned MMIO, gpex's background for a peer
# BAR that is off, every device check passing.
"$MYPCI" exec --arch aarch64 --device mypci --device mypci,x-dma-delay-us=1000,addr=0x10 \
    -- mypci-fuzz --bind --busy-device 00:10.0 --ops 5000 --seed 7 >"$tmp/fuzz" 2>&1
status=$?
summary=$(grep 'SUMMARY' "$tmp/fuzz")
ok "$status" "mypci-fuzz: 5000 ops on aarch64 with every device check passing" "$(tail -n 5 "$tmp/fuzz")"
grep -qE ' checks=[1-9][0-9]* checks_failed=0( |$)' <<<"$summary" &&
    grep -qE ' dma_own_bar_ok=[1-9]' <<<"$summary" && grep -qE ' flr_mid_dma_busy=[1-9]' <<<"$summary"
ok $? "mypci-fuzz on aarch64: health checks, DMA into its own BAR2, FLRs mid-transfer all seen" "$summary"

# What the aarch64 guest does not have is named, with a non-zero exit.
refused() { # DESCRIPTION EXPECTED-TEXT ./mypci ARGS...
    local what=$1 want=$2 out status
    shift 2
    out=$("$MYPCI" "$@" 2>&1 </dev/null)
    status=$?
    [ "$status" != 0 ] && grep -qF -- "$want" <<<"$out"
    ok $? "$what" "status $status: $out"
}
refused "an unknown --arch is named" "unknown architecture 'sparc64' for --arch" \
    run --arch sparc64
refused "--arch without a value" "option --arch needs a value" exec --arch
refused "fuzz is x86_64's" "fuzz is for the x86_64 guest only" fuzz --arch aarch64 --list
refused "test names the aarch64 suite instead" "./mypci test --suite aarch64" test --arch aarch64
refused "kselftest is x86_64's" "kselftest is for the x86_64 guest only" \
    kselftest --arch aarch64
refused "--kernel-image is x86_64's" "--kernel-image boots x86_64 guests only" \
    exec --arch aarch64 --kernel-image /dev/null -- true
refused "the 6.12 kernel built here is x86_64's" "kernel 6.12 is built from source for x86_64 guests only" \
    exec --arch aarch64 --kernel 6.12 -- true
MYPCI_SANITIZE=1 refused "MYPCI_SANITIZE is x86_64's" "MYPCI_SANITIZE is for the x86_64 guest only" \
    run --arch aarch64
tap_done
