#!/usr/bin/env bash
# Builds qemu-system-x86_64 with mypci's devices compiled in, from Debian's
# source package, into the cache. Idempotent; a device-only change rebuilds in
# seconds because the build directory is kept and only ninja runs again.
# Prints the path of the QEMU binary on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
trap_errors

QEMU_CONFIGURE_OPTS=(
    --target-list=x86_64-softmmu
    --without-default-features
    --without-default-devices
    --with-devices-x86_64=mypci
    --disable-download
    --python="$PYTHON"
    --enable-virtfs --enable-attr
    --enable-trace-backends=log
    --disable-install-blobs
    ${MYPCI_QEMU_EXTRA_CONFIGURE:-}
)

src_dir="$MYPCI_CACHE/src/qemu-${QEMU_VERSION}+ds"

fetch_source() {
    [ -f "$src_dir/.mypci-fetched" ] && return 0
    need_disk "QEMU's source and build" "$QEMU_BUILD_GIB"
    mkdir -p "$MYPCI_CACHE/src"
    rm -rf "$src_dir"
    if ! step "fetching QEMU's source package qemu=$QEMU_DEB_VERSION (apt-get source)" \
        "$MYPCI_CACHE/src/apt-get-source.log" \
        sh -c 'cd "$1" && apt-get source "qemu=$2"' sh "$MYPCI_CACHE/src" "$QEMU_DEB_VERSION"; then
        local have logf="$MYPCI_CACHE/src/apt-get-source.log"
        tail -n 10 "$logf" | sed 's/^/  | /' >&2
        have=$(apt-cache showsrc qemu 2>/dev/null | sed -n 's/^Version: //p' | tr '\n' ' ') || true
        die "QEMU source qemu=$QEMU_DEB_VERSION could not be fetched (the archive offers: ${have:-no qemu source; is the deb-src entry there? run scripts/setup-host.sh}). See $logf"
    fi
    [ -d "$src_dir" ] || die "apt-get source unpacked no $src_dir (see $MYPCI_CACHE/src/apt-get-source.log)"
    touch "$src_dir/.mypci-fetched"
}

# Adds a line to a file once, after the first line matching an anchor.
add_line_after() {
    local file=$1 anchor=$2 line=$3
    grep -qxF "$line" "$file" && return 0
    grep -qE "$anchor" "$file" || die "cannot hook into $file: no line matches '$anchor'"
    ANCHOR=$anchor LINE=$line awk \
        '{ print } !done && $0 ~ ENVIRON["ANCHOR"] { print ENVIRON["LINE"]; done = 1 }' \
        "$file" >"$file.mypci-tmp" && mv "$file.mypci-tmp" "$file"
}

hook_devices() {
    ln -sfn "$MYPCI_ROOT/device/qemu" "$src_dir/hw/mypci"
    ln -sfn "$MYPCI_ROOT/device/qemu/devices.mak" \
        "$src_dir/configs/devices/x86_64-softmmu/mypci.mak"
    add_line_after "$src_dir/hw/meson.build" "^subdir\('misc'\)" "subdir('mypci')"
    add_line_after "$src_dir/hw/Kconfig" "^source misc/Kconfig" "source mypci/Kconfig"
    add_line_after "$src_dir/meson.build" "^    'hw/misc',$" "    'hw/mypci',"
    ln -sfn "$MYPCI_ROOT/tests/qtest/mypci-test.c" "$src_dir/tests/qtest/mypci-test.c"
    add_line_after "$src_dir/tests/qtest/meson.build" "^qtests_x86_64 = qtests_i386$" \
        "qtests_x86_64 += ['mypci-test']"
}

build_key() {
    printf '%s\n' "$QEMU_DEB_VERSION" "${QEMU_CONFIGURE_OPTS[@]}" |
        sha256sum | cut -c1-12
}

configure_and_build() {
    local build_dir=$1
    # QEMU's configure only sets up the x86 option ROMs (pvh.bin and friends,
    # stripped from Debian's tarball) when gcc can build 32-bit code.
    if [ ! -f "$build_dir/build.ninja" ] ||
        [ ! -f "$build_dir/pc-bios/optionrom/config.mak" ]; then
        need_disk "QEMU's build" "$QEMU_BUILD_GIB"
        mkdir -p "$build_dir"
        step "configuring QEMU $QEMU_VERSION in $build_dir" "$build_dir/configure.log" \
            sh -c 'cd "$1" && shift && exec "$@"' sh "$build_dir" "$src_dir/configure" "${QEMU_CONFIGURE_OPTS[@]}" ||
            { rm -f "$build_dir/build.ninja"; step_failed "QEMU configure" $? "$build_dir/configure.log" configure; }
        [ -f "$build_dir/pc-bios/optionrom/config.mak" ] ||
            die "QEMU configure found no 32-bit x86 compiler for the option ROMs (install gcc-multilib)"
    fi
    # ninja's no-op check of QEMU's ~1,450 targets costs ~1.5 s of every
    # warm command: skipped while nothing it builds from has changed since
    # the last good build (our sources hooked into the tree, which clone
    # they come from, the tree's configuration).
    local inputs
    inputs=$(qemu_inputs_key "$build_dir")
    if [ -x "$build_dir/qemu-system-x86_64" ] && [ -f "$build_dir/.mypci-inputs" ] &&
        [ "$(cat "$build_dir/.mypci-inputs")" = "$inputs" ]; then
        return 0
    fi
    rm -f "$build_dir/.mypci-inputs"
    # A built tree only needs ninja's check (or a rebuild of what changed):
    # that is said only when it takes long enough to show progress.
    local what="building QEMU (ninja, ~1,450 steps; 3-6 minutes on 2 cores)" quiet=""
    [ ! -x "$build_dir/qemu-system-x86_64" ] || { what="QEMU build (ninja)"; quiet=1; }
    MYPCI_QUIET_STEP=$quiet run_step "$what" "$build_dir/ninja.log" \
        ninja -C "$build_dir" qemu-system-x86_64 tests/qtest/mypci-test
    # Our device code must build clean under QEMU's own warning flags.
    if grep -E "(hw/mypci|tests/qtest/mypci-test)[^ ]*: warning:" "$build_dir/ninja.log" >&2; then
        die "mypci's QEMU sources build with warnings (above); fix them"
    fi
    MYPCI_QUIET_STEP=1 run_step "building QEMU's option ROMs" "$build_dir/optionrom.log" \
        make -C "$build_dir/pc-bios/optionrom"
    # QEMU run from its build tree looks for firmware in its qemu-bundle data
    # dir: put Debian's SeaBIOS and the option ROMs there, so QEMU (and the
    # qtests) find them without -L.
    local datadir="$build_dir/qemu-bundle/usr/local/share/qemu"
    mkdir -p "$datadir"
    ln -sf /usr/share/seabios/*.bin "$build_dir"/pc-bios/optionrom/*.bin "$datadir/"
    echo "$inputs" >"$build_dir/.mypci-inputs"
}

# What QEMU's build depends on that can change under a built tree: every
# file of ours it compiles (name, time, size), the clone they come from, and
# the build's own configuration.
qemu_inputs_key() {
    local build_dir=$1
    {
        echo "$MYPCI_ROOT"
        find -L "$MYPCI_ROOT/device/qemu" "$MYPCI_ROOT/include" "$MYPCI_ROOT/tests/qtest/mypci-test.c" \
            -type f -printf '%p %T@ %s\n' | LC_ALL=C sort
        stat -c '%n %Y %s' "$build_dir/build.ninja" "$src_dir/hw/meson.build" "$src_dir/hw/Kconfig" \
            "$src_dir/tests/qtest/meson.build" /usr/share/seabios/*.bin
    } | sha256sum | cut -c1-16
}

main() {
    ensure_cache_writable
    fetch_source
    hook_devices
    local build_dir="$MYPCI_CACHE/qemu-$QEMU_VERSION-$(build_key)"
    configure_and_build "$build_dir"
    ln -sfn "$build_dir" "$MYPCI_CACHE/qemu-build"
    echo "$build_dir/qemu-system-x86_64"
}

main "$@"
