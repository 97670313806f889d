#!/usr/bin/env bash
# Builds qemu-system-x86_64 with mypci's devices compiled in, from Debian's
# source package, into the cache. Idempotent; a device-only change rebuilds in
# seconds because the build directory is kept and only ninja runs again.
# Prints the path of the QEMU binary on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

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
    log "fetching QEMU source package qemu=$QEMU_DEB_VERSION (apt-get source)"
    mkdir -p "$MYPCI_CACHE/src"
    rm -rf "$src_dir"
    if ! (cd "$MYPCI_CACHE/src" && apt-get source -qq "qemu=$QEMU_DEB_VERSION") \
        >"$MYPCI_CACHE/src/apt-get-source.log" 2>&1; then
        local have
        have=$(apt-cache showsrc qemu 2>/dev/null | sed -n 's/^Version: //p' | tr '\n' ' ')
        die "QEMU source qemu=$QEMU_DEB_VERSION is not in the archive (available: ${have:-none}; is the deb-src entry there? run scripts/setup-host.sh). See $MYPCI_CACHE/src/apt-get-source.log"
    fi
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
        log "configuring QEMU $QEMU_VERSION in $build_dir"
        mkdir -p "$build_dir"
        (cd "$build_dir" && "$src_dir/configure" "${QEMU_CONFIGURE_OPTS[@]}") \
            >"$build_dir/configure.log" 2>&1 ||
            { tail -n 30 "$build_dir/configure.log" >&2; rm -f "$build_dir/build.ninja"; \
              die "QEMU configure failed; full log: $build_dir/configure.log"; }
        [ -f "$build_dir/pc-bios/optionrom/config.mak" ] ||
            die "QEMU configure found no 32-bit x86 compiler for the option ROMs (install gcc-multilib)"
    fi
    if [ ! -x "$build_dir/qemu-system-x86_64" ]; then
        log "building QEMU (ninja; the first build takes ~5 minutes)"
    fi
    if ! ninja -C "$build_dir" qemu-system-x86_64 tests/qtest/mypci-test \
        >"$build_dir/ninja.log" 2>&1; then
        grep -E 'error|FAILED' -A5 "$build_dir/ninja.log" | head -n 40 >&2
        die "QEMU build failed; full log: $build_dir/ninja.log"
    fi
    # Our device code must build clean under QEMU's own warning flags.
    if grep -E "(hw/mypci|tests/qtest/mypci-test)[^ ]*: warning:" "$build_dir/ninja.log" >&2; then
        die "mypci's QEMU sources build with warnings (above); fix them"
    fi
    make -C "$build_dir/pc-bios/optionrom" >"$build_dir/optionrom.log" 2>&1 ||
        { tail -n 20 "$build_dir/optionrom.log" >&2; die "building QEMU's option ROMs failed"; }
    # QEMU run from its build tree looks for firmware in its qemu-bundle data
    # dir: put Debian's SeaBIOS and the option ROMs there, so QEMU (and the
    # qtests) find them without -L.
    local datadir="$build_dir/qemu-bundle/usr/local/share/qemu"
    mkdir -p "$datadir"
    ln -sf /usr/share/seabios/*.bin "$build_dir"/pc-bios/optionrom/*.bin "$datadir/"
}

main() {
    fetch_source
    hook_devices
    local build_dir="$MYPCI_CACHE/qemu-$QEMU_VERSION-$(build_key)"
    configure_and_build "$build_dir"
    ln -sfn "$build_dir" "$MYPCI_CACHE/qemu-build"
    echo "$build_dir/qemu-system-x86_64"
}

main "$@"
