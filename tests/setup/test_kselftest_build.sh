#!/usr/bin/env bash
# kselftest/build.sh without building: the pinned tree gone from sid, no
# archive, a patch that no longer applies, and the shim only where needed,
# each with a clear message and a non-zero exit. Reads sid's package index
# (~11 MB) into a scratch cache. TAP.
set -u
root=${MYPCI_ROOT:?MYPCI_ROOT must point at the source tree}
. "$root/tests/vm/tap.sh"
build="$root/kselftest/build.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

out=$(MYPCI_CACHE=$tmp/c1 KSELFTEST_LINUX_VERSION=0.0-1 "$build" fetch_deb 2>&1)
status=$?
[ "$status" = 1 ] &&
    grep -q "sid no longer offers linux-source-7.2 0.0-1 (pinned in scripts/lib.sh" <<<"$out" &&
    grep -qE "it offers: .*linux-source-[0-9]+\.[0-9]+ [0-9]" <<<"$out"
ok $? "a pinned tree sid no longer offers: named, with what sid offers (status $status)" "$out"

if unshare --net true 2>/dev/null; then
    out=$(MYPCI_CACHE=$tmp/c2 unshare --net "$build" fetch_deb 2>&1)
    status=$?
    [ "$status" = 1 ] && grep -q "is unreachable or has no sid" <<<"$out"
    ok $? "no network to the archive: a clear message (status $status)" "$out"
else
    echo "ok $((tap_n += 1)) - # SKIP no network namespaces here"
fi

# A tree whose vfio_pci_driver.c is not the one the patch was made for.
src=$tmp/tree/src
mkdir -p "$src/tools/testing/selftests/vfio/lib"
printf 'LIBVFIO_C += other.c\n' >"$src/tools/testing/selftests/vfio/lib/libvfio.mk"
printf 'int changed;\n' >"$src/tools/testing/selftests/vfio/lib/vfio_pci_driver.c"
out=$("$build" apply_patches "$src" 2>&1)
status=$?
[ "$status" = 1 ] && grep -q "0001-selftests-vfio-Add-a-driver-for-the-mypci-QEMU-device.patch no longer applies to linux-source-7.2" <<<"$out" &&
    [ ! -e "$src/tools/testing/selftests/vfio/lib/drivers/mypci/mypci.c" ]
ok $? "a patch that no longer applies stops the build, naming the patch, and changes nothing (status $status)" "$out"

# The shim: only for a tree that calls calloc_assert() without defining it.
vfio=$tmp/shim/tools/testing/selftests/vfio
mkdir -p "$vfio/lib"
: >"$tmp/shim/tools/testing/selftests/kselftest.h"
printf 'void f(void) { p = calloc_assert(1, 2); }\n' >"$vfio/lib/vfio_pci_device.c"
out=$("$build" shim_cflags "$tmp/shim")
[[ $out == "-include $root/kselftest/compat/calloc_assert.h" ]]
ok $? "the calloc_assert shim applies to a tree that calls it without defining it" "got: '$out'"
printf '#define calloc_assert(n, s) calloc(n, s)\n' >"$vfio/lib/assert.h"
out=$("$build" shim_cflags "$tmp/shim")
[ -z "$out" ]
ok $? "the shim stays out of a tree that defines calloc_assert" "got: '$out'"
tap_done
