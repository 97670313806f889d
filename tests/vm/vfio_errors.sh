#!/usr/bin/env bash
# VM test of the VFIO library's error reporting through mypci-vfio-test:
# every environment problem ends with exit status 2 and one message naming
# the cause (missing device, bad address, not bound, bound elsewhere, no
# vfio modules, iommufd unavailable (6.1), group not viable, no interrupt
# remapping through type1 (6.1) and through iommufd (6.12), IOVAs outside the
# IOMMU's ranges, a BAR mmap refused).
set -u
. "$(dirname "$0")/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Each case prints "=== NAME", the command's output, then "--- status N".
# shellcheck disable=SC2016 # expanded in the guest
guest_cases='
run() { name=$1; shift; echo "=== $name"; "$@" 2>&1; echo "--- status $?"; }
run missing mypci-vfio-test --device 1af4:9999
run missing-bdf mypci-vfio-test --device 0000:00:1f.5
run bad-bdf mypci-vfio-test --device 00:1z.0
run bad-option mypci-vfio-test --frob
run not-bound mypci-vfio-test
run bound-elsewhere mypci-vfio-test --device 1af4:1009
run iommufd mypci-vfio-test --bind --iommu iommufd
echo "=== driver-after-iommufd"
link=$(readlink /sys/bus/pci/devices/$(lspci -D -n -d 1af4:1236 | cut -d" " -f1)/driver)
echo "driver: [${link##*/}]"
echo "--- status 0"
run iova-beyond mypci-vfio-test --bind --iova-base 0x1000000000000000
run bench-iova-beyond mypci-bench --quick --bind --iova-base 0x1000000000000000
run iova-high-dma mypci-vfio-test --bind --iova-base 0x100000000 --run dma
run iova-high-iommu mypci-vfio-test --bind --iova-base 0x100000000 --run iommu
run bench-missing mypci-bench --device 1af4:9999
run bench-iommufd mypci-bench --bind --iommu iommufd
rmmod vfio_pci vfio_pci_core vfio_virqfd vfio_iommu_type1 vfio
run no-vfio mypci-vfio-test
run no-vfio-bind mypci-vfio-test --bind
'

# case_output NAME FILE: the lines between "=== NAME" and its status line.
case_output() {
    awk -v n="$1" '$0 == "=== " n { f = 1; next } /^=== / { f = 0 } f' "$2"
}

check_case() { # FILE NAME STATUS MESSAGE
    local out
    out=$(case_output "$2" "$1")
    grep -qx -- "--- status $3" <<<"$out" && grep -qF -- "$4" <<<"$out"
    ok $? "$2: status $3, '$4'" "$out"
}

mkdir "$tmp/share"
"$MYPCI" exec --device mypci --share "$tmp/share" -- sh -c "$guest_cases" >"$tmp/out" 2>&1
ok $? "guest script ran" "$(tail -n 20 "$tmp/out")"
f=$tmp/out
check_case "$f" missing 2 "PCI device not found: no PCI device matches '1af4:9999'"
check_case "$f" missing-bdf 2 "PCI device not found: no PCI device matches '0000:00:1f.5'"
check_case "$f" bad-bdf 2 "bad --device '00:1z.0' (want a BDF"
check_case "$f" bad-option 2 "unknown option '--frob'"
check_case "$f" not-bound 2 "device not bound to vfio-pci: 0000:00:"
check_case "$f" not-bound 2 "has no driver"
check_case "$f" bound-elsewhere 2 "is bound to virtio-pci, not vfio-pci"
check_case "$f" iommufd 2 "not supported: iommufd backend requested but /dev/iommu does not exist (kernel without iommufd)"
check_case "$f" driver-after-iommufd 0 "driver: []"
check_case "$f" iova-beyond 2 "IOVA outside the IOMMU's ranges: no usable IOVA at or above 0x1000000000000000; the IOMMU's ranges are 0-0xfedfffff, 0xfef00000-0x"
check_case "$f" bench-iova-beyond 2 "IOVA outside the IOMMU's ranges: no usable IOVA at or above 0x1000000000000000"
# The same option in range: DMA above 4 GiB works (ABI §4 takes 64-bit addresses).
check_case "$f" iova-high-dma 0 "Failures: 0, Errors: 0"
check_case "$f" iova-high-iommu 0 "Failures: 0, Errors: 0"
check_case "$f" bench-missing 2 "no PCI device matches '1af4:9999'"
check_case "$f" bench-iommufd 2 "not supported: iommufd backend requested but /dev/iommu does not exist"
check_case "$f" no-vfio 2 "vfio modules not loaded: /sys/bus/pci/drivers/vfio-pci does not exist"
check_case "$f" no-vfio-bind 2 "vfio modules not loaded"

# Two functions of one slot without ACS share an IOMMU group; the other one
# is on virtio-pci, so the group is not viable.
"$MYPCI" exec --device mypci,addr=05.0,multifunction=on \
    --qemu-arg -fsdev --qemu-arg "local,id=fs9,path=$tmp/share,security_model=none" \
    --device virtio-9p-pci,fsdev=fs9,mount_tag=x9,addr=05.1 \
    -- sh -c 'echo "=== not-viable"; mypci-vfio-test --bind 2>&1; echo "--- status $?"' \
    >"$tmp/group" 2>&1
check_case "$tmp/group" not-viable 2 "IOMMU group not viable: IOMMU group"
check_case "$tmp/group" not-viable 2 "also holds 0000:00:05.1 (driver virtio-pci)"

# A BAR the process cannot map: a 256 MiB BAR2 under a 64 MiB address-space
# limit. (The other refusal, a region VFIO offers no mmap for, has the same
# cause; no mypci BAR is like that.)
"$MYPCI" exec --device mypci,mem-size=256M \
    -- sh -c 'echo "=== mmap-refused"; (ulimit -v 65536; mypci-vfio-test --bind 2>&1); echo "--- status $?"' \
    >"$tmp/mmap" 2>&1
check_case "$tmp/mmap" mmap-refused 2 "not a usable mypci device: BAR mmap refused: reserving 268435456 bytes of address space for BAR 2 of 0000:00:"
check_case "$tmp/mmap" mmap-refused 2 "(Cannot allocate memory)"

# Interrupt remapping off. The launcher's -device intel-iommu,intremap=on
# wins over -global, so the guest kernel is told intremap=off instead.
"$MYPCI" exec --device mypci \
    --qemu-arg -append --qemu-arg "console=ttyS0 quiet loglevel=3 panic=-1 intel_iommu=on intremap=off no_timer_check" \
    -- sh -c 'echo "=== no-intremap"; mypci-vfio-test --bind 2>&1; echo "--- status $?"' \
    >"$tmp/intremap" 2>&1
check_case "$tmp/intremap" no-intremap 2 "IOMMU without interrupt remapping: VFIO_SET_IOMMU refused"
check_case "$tmp/intremap" no-intremap 2 "(Operation not permitted)"

# The same on 6.12: iommufd refuses to bind the device (EPERM) where type1
# refuses VFIO_SET_IOMMU; auto picks iommufd there.
"$MYPCI" exec --kernel 6.12 --device mypci \
    --qemu-arg -append --qemu-arg "console=ttyS0 quiet loglevel=3 panic=-1 intel_iommu=on intremap=off no_timer_check" \
    -- sh -c '
    echo "=== no-intremap-iommufd"; mypci-vfio-test --bind 2>&1; echo "--- status $?"
    echo "=== no-intremap-type1"; mypci-vfio-test --bind --iommu type1 2>&1; echo "--- status $?"' \
    >"$tmp/intremap612" 2>&1
check_case "$tmp/intremap612" no-intremap-iommufd 2 "IOMMU without interrupt remapping: VFIO_DEVICE_BIND_IOMMUFD refused for 0000:00:"
check_case "$tmp/intremap612" no-intremap-iommufd 2 "(Operation not permitted)"
check_case "$tmp/intremap612" no-intremap-iommufd 2 "allow_unsafe_interrupts=1 on vfio_iommu_type1 (type1) or iommufd (iommufd)"
check_case "$tmp/intremap612" no-intremap-type1 2 "IOMMU without interrupt remapping: VFIO_SET_IOMMU refused"
tap_done
