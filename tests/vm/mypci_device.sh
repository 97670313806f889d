#!/usr/bin/env bash
# VM test of mypci's PCI face in a real guest (ABI 1.3, 5, 8): lspci decodes
# every capability, on the q35 root bus and behind a pcie-root-port; BAR0 and
# BAR2 answer through /dev/mem.
set -u
. "$(dirname "$0")/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

guest_script='
for bdf in $(lspci -D -n -d 1af4:1236 | cut -d" " -f1); do
    echo "=== $bdf"
    lspci -vvv -s "$bdf"
    echo "config-size $(stat -c %s /sys/bus/pci/devices/$bdf/config)"
    setpci -s "$bdf" COMMAND=0x0006
    bar0=$(printf "0x%x" $(($(sed -n 1p /sys/bus/pci/devices/$bdf/resource | cut -d" " -f1))))
    bar2=$(printf "0x%x" $(($(sed -n 3p /sys/bus/pci/devices/$bdf/resource | cut -d" " -f1))))
    echo "id $(mmio_rw $bar0 r 32)"
    mmio_rw $bar0 w 32 0x0f0f1234
    mmio_rw $((bar0 + 8)) w 32 0x0f0f1234
    echo "invert $(mmio_rw $((bar0 + 12)) r 32)"
    mmio_rw $((bar2 + 0x100)) w 64 0x1122334455667788
    echo "bar2-64 $(mmio_rw $((bar2 + 0x100)) r 64)"
    echo "bar2-8 $(mmio_rw $((bar2 + 0x101)) r 8)"
    echo "bar2-16 $(mmio_rw $((bar2 + 0x102)) r 16)"
    echo "bar2-32 $(mmio_rw $((bar2 + 0x104)) r 32)"
    setpci -s "$bdf" CAP_PM+4.w=0x0003
    echo "d3hot-state $(setpci -s "$bdf" CAP_PM+4.w) id $(mmio_rw $bar0 r 32)"
    setpci -s "$bdf" CAP_PM+4.w=0x0000
    echo "d0-state $(setpci -s "$bdf" CAP_PM+4.w) scratch $(mmio_rw $((bar0 + 8)) r 32)"
done
'
"$MYPCI" exec --device mypci \
    --device pcie-root-port,id=rp1,chassis=1,slot=1 --device mypci,bus=rp1,mem-size=64K \
    -- sh -c "$guest_script" >"$tmp/out" 2>&1
ok $? "guest script ran" "$(tail -n 20 "$tmp/out")"

# Split the output per device: root bus first (00:), then the root port's.
awk '/^=== 0000:00:/ { f = "root" } /^=== 0000:01:/ { f = "port" } f { print > (dir "/" f) }' \
    dir="$tmp" "$tmp/out"

check_device() { # NAME FILE EXPRESS-TYPE BAR2-SIZE
    local name=$1 f=$2 type=$3 size=$4
    [ -s "$f" ]
    ok $? "$name: device present" "$(cat "$tmp/out")"
    ! grep -v 'Vendor Specific Information' "$f" | grep -q '<?>'
    ok $? "$name: lspci decodes every capability (only the vendor one is opaque)" "$(cat "$f")"
    for cap in "\[40\] Power Management version 3" "\[50\] MSI: Enable- Count=1/1 Maskable- 64bit+" \
        "\[70\] Express (v2) $type" "\[b0\] MSI-X: Enable- Count=3" \
        "\[c0\] Vendor Specific Information: Len=14"; do
        grep -q "Capabilities: $cap" "$f"
        ok $? "$name: capability $cap"
    done
    grep -q "Status: D0 NoSoftRst+" "$f"
    ok $? "$name: PM status D0, NoSoftRst+"
    grep -q "^d3hot-state 000b id " "$f" && ! grep -q "^d3hot-state .* id 0x4d504349" "$f"
    ok $? "$name: in D3hot BAR0 no longer decodes" "$(grep d3hot "$f")"
    grep -qx "d0-state 0008 scratch 0x0f0f1234" "$f"
    ok $? "$name: back in D0 the registers kept their state" "$(grep d0-state "$f")"
    grep -q "FLReset+" "$f"
    ok $? "$name: FLReset+ in DevCap"
    grep -q "Vector table: BAR=0 offset=00001000" "$f" && grep -q "PBA: BAR=0 offset=00001800" "$f"
    ok $? "$name: MSI-X table and PBA in BAR0 page 1"
    grep -q "Region 0: Memory at .* (32-bit, non-prefetchable) \[size=8K\]" "$f"
    ok $? "$name: BAR0 8K 32-bit non-prefetchable"
    grep -q "Region 2: Memory at .* (64-bit, prefetchable) \[size=$size\]" "$f"
    ok $? "$name: BAR2 $size 64-bit prefetchable"
    grep -qx "config-size 4096" "$f"
    ok $? "$name: 4 KiB extended configuration space"
    grep -qx "id 0x4d504349" "$f"
    ok $? "$name: BAR0 ID register reads MPCI"
    grep -qx "invert 0xf0f0edcb" "$f"
    ok $? "$name: INVERT is ~SCRATCH"
    grep -qx "bar2-64 0x1122334455667788" "$f" && grep -qx "bar2-8 0x77" "$f" &&
        grep -qx "bar2-16 0x5566" "$f" && grep -qx "bar2-32 0x11223344" "$f"
    ok $? "$name: BAR2 device memory at 8/16/32/64 bits" "$(grep bar2 "$f")"
}
check_device "root bus" "$tmp/root" "Root Complex Integrated Endpoint" 1M
check_device "root port" "$tmp/port" "Endpoint" 64K
tap_done
