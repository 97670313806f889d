#!/usr/bin/env bash
# VM test: --kernel-image, a kernel the user brings. The project's own 6.12
# kernel passed as a path boots for exec, run and kselftest; Debian's 6.1
# bzImage boots (its VFIO is modular, so not with --bind); what is not a
# kernel, or lacks what the guest needs, is refused before anything boots.
set -u
. "$(dirname "$0")/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

k612=$("$MYPCI" prepare 6.12 | sed -n 's/^KERNEL=//p')
k61_dir=$(dirname "$("$MYPCI" prepare 6.1 | sed -n 's/^KERNEL=//p')")
bz61=$(ls "$k61_dir"/root/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -f "$k612" ] && [ -f "$bz61" ]
ok $? "the 6.12 vmlinux and Debian's 6.1 bzImage are at hand" "6.12: $k612; 6.1: $bz61"

refused() { # refused DESCRIPTION PATTERN COMMAND...
    local what=$1 pattern=$2
    shift 2
    "$@" >"$tmp/out" 2>&1
    local status=$?
    [ "$status" = 1 ] && grep -q -- "$pattern" "$tmp/out" && ! grep -q 'MYPCI-BEGIN\|guest kernel 6' "$tmp/out"
    ok $? "$what" "status $status: $(cat "$tmp/out")"
}
refused "a text file is refused: not a kernel image" "is not a kernel image" \
    "$MYPCI" exec --kernel-image "$MYPCI_ROOT/README.md" -- true
refused "an ELF program is refused: not a Linux kernel" "an ELF file but not a Linux kernel" \
    "$MYPCI" exec --kernel-image /bin/ls -- true
refused "a missing file is refused" "cannot read" \
    "$MYPCI" exec --kernel-image "$tmp/none" -- true
refused "Debian's 6.1 with --bind is refused: VFIO is a module there" \
    "CONFIG_VFIO built as a module (=m)" \
    "$MYPCI" exec --kernel-image "$bz61" --bind 1af4:1236 -- true
refused "kselftest on Debian's 6.1 is refused: no IOMMUFD" "CONFIG_IOMMUFD not set" \
    "$MYPCI" kselftest --kernel-image "$bz61"
refused "--kernel with --kernel-image is refused" "go one at a time" \
    "$MYPCI" exec --kernel 6.1 --kernel-image "$k612" -- true

"$MYPCI" exec --kernel-image "$bz61" -- uname -r >"$tmp/bz" 2>&1
[ $? = 0 ] && grep -qx '6\.1\.0-[0-9]*-amd64' "$tmp/bz"
ok $? "Debian's 6.1 bzImage boots by path" "$(tail -n 5 "$tmp/bz")"

"$MYPCI" exec --kernel-image "$k612" --device mypci --bind 1af4:1236 \
    -- sh -c 'uname -r; ls /dev/vfio/devices' >"$tmp/k612" 2>&1
[ $? = 0 ] && grep -qx '6\.12\.[0-9]*' "$tmp/k612" && grep -qx 'vfio0' "$tmp/k612"
ok $? "the 6.12 vmlinux boots by path, mypci bound with the vfio cdev" "$(tail -n 8 "$tmp/k612")"

"$MYPCI" run --kernel-image "$k612" >"$tmp/run" 2>&1
[ $? = 0 ] && grep -q '^verdict: PASS' "$tmp/run" && grep -q 'guest kernel .*vmlinux' "$tmp/run"
ok $? "./mypci run --kernel-image (6.12): verdict PASS" "$(tail -n 10 "$tmp/run")"

"$MYPCI" kselftest --kernel-image "$k612" --test vfio_pci_device_test --log "$tmp/ks.log" >"$tmp/ks" 2>&1
[ $? = 0 ] && grep -qx 'kselftest: PASS' "$tmp/ks" && grep -q 'guest kernel 6\.12' "$tmp/ks"
ok $? "./mypci kselftest --kernel-image (6.12) --test vfio_pci_device_test: PASS" "$(tail -n 12 "$tmp/ks")"
tap_done
