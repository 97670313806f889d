#!/usr/bin/env bash
# Builds qemu-system-x86_64 with mypci's devices compiled in, from Debian's
# source package, into the cache. --arch aarch64: qemu-system-aarch64
# instead (virt with gpex, SMMUv3, GICv3 and ITS; device/qemu/devices-aarch64.mak),
# a build of its own beside the x86_64 one, from the same source tree. Idempotent; a device-only change rebuilds in
# seconds because the build directory is kept and only ninja runs again.
# Prints the path of the QEMU binary on stdout.
#
# --fuzz: QEMU's libFuzzer build instead (clang, ASan, UBSan), which builds
# qemu-fuzz-x86_64 with QEMU's generic-fuzz targets and ours
# (tests/fuzz/qemu/); its path is printed. --fuzz-coverage: the same fuzzer
# with clang's source-based coverage instead of the sanitizers, to measure
# what a corpus reaches (tests/fuzz/qemu/coverage.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
trap_errors

FUZZ=0 COVERAGE=0 ARCH=x86_64
USAGE="usage: build-qemu.sh [--fuzz | --fuzz-coverage | --arch x86_64|aarch64]"
case "${1:-}" in
"") ;;
--fuzz) FUZZ=1 ;;
--fuzz-coverage) FUZZ=1 COVERAGE=1 ;;
--arch)
    case ${2:-} in
    x86_64 | aarch64) ARCH=$2 ;;
    *) die "build-qemu.sh: unknown architecture '${2:-}' (want x86_64 or aarch64)" ;;
    esac
    ;;
*) die "build-qemu.sh: unknown argument '$1' ($USAGE)" ;;
esac

QEMU_CONFIGURE_OPTS=(
    --target-list="$ARCH-softmmu"
    --without-default-features
    --without-default-devices
    --with-devices-"$ARCH"=mypci
    --disable-download
    --python="$PYTHON"
    --enable-virtfs --enable-attr
    --enable-trace-backends=log
    --disable-install-blobs
    ${MYPCI_QEMU_EXTRA_CONFIGURE:-}
)
# virt is described to the guest by a device tree (Debian's libfdt).
[ "$ARCH" = x86_64 ] || QEMU_CONFIGURE_OPTS+=(--enable-fdt=system)
# QEMU's fuzzer needs clang (Debian's, with libclang-rt for libFuzzer).
[ "$FUZZ" = 0 ] || QEMU_CONFIGURE_OPTS+=(--cc=clang --cxx=clang++ --enable-fuzzing)
if [ "$COVERAGE" = 1 ]; then
    QEMU_CONFIGURE_OPTS+=("--extra-cflags=-fprofile-instr-generate -fcoverage-mapping"
        --extra-ldflags=-fprofile-instr-generate)
elif [ "$FUZZ" = 1 ]; then
    QEMU_CONFIGURE_OPTS+=(--enable-asan --enable-ubsan)
fi

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

# Our QEMU sources are copied into QEMU's tree, a file only when its content
# changed: clones of the same code (CI's fresh clone, a worktree) share one
# cached build without recompiling, and ninja sees exactly what changed.
# (Compiler messages therefore name the copy, hw/mypci/..., in the cache.)
mirror_file() {
    local from=$1 to=$2
    [ ! -L "$to" ] || rm -f "$to"
    cmp -s "$from" "$to" 2>/dev/null || cp "$from" "$to"
}

mirror_dir() {
    local from=$1 to=$2 rel
    [ ! -L "$to" ] || rm -f "$to"
    mkdir -p "$to"
    (cd "$from" && find -L . -type f -printf '%P\n') | LC_ALL=C sort >"$to.want"
    while read -r rel; do
        mkdir -p "$to/$(dirname "$rel")"
        mirror_file "$from/$rel" "$to/$rel"
    done <"$to.want"
    # What the clone no longer has goes too.
    (cd "$to" && find . ! -type d -printf '%P\n') | LC_ALL=C sort |
        comm -23 - "$to.want" | while read -r rel; do rm -f "$to/$rel"; done
    rm -f "$to.want"
}

hook_devices() {
    mirror_dir "$MYPCI_ROOT/device/qemu" "$src_dir/hw/mypci"
    mirror_file "$MYPCI_ROOT/device/qemu/devices.mak" \
        "$src_dir/configs/devices/x86_64-softmmu/mypci.mak"
    mirror_file "$MYPCI_ROOT/device/qemu/devices-aarch64.mak" \
        "$src_dir/configs/devices/aarch64-softmmu/mypci.mak"
    add_line_after "$src_dir/hw/meson.build" "^subdir\('misc'\)" "subdir('mypci')"
    add_line_after "$src_dir/hw/Kconfig" "^source misc/Kconfig" "source mypci/Kconfig"
    add_line_after "$src_dir/meson.build" "^    'hw/misc',$" "    'hw/mypci',"
    mirror_file "$MYPCI_ROOT/tests/qtest/mypci-test.c" "$src_dir/tests/qtest/mypci-test.c"
    add_line_after "$src_dir/tests/qtest/meson.build" "^qtests_x86_64 = qtests_i386$" \
        "qtests_x86_64 += ['mypci-test']"
    # Our generic-fuzz targets join QEMU's own list (predefined_configs[]).
    mirror_file "$MYPCI_ROOT/tests/fuzz/qemu/mypci_fuzz_configs.h" \
        "$src_dir/tests/qtest/fuzz/mypci_fuzz_configs.h"
    add_line_after "$src_dir/tests/qtest/fuzz/generic_fuzz_configs.h" \
        "^const generic_fuzz_config predefined_configs\[\] = \{$" '#include "mypci_fuzz_configs.h"'
}

build_key() {
    printf '%s\n' "$QEMU_DEB_VERSION" "${QEMU_CONFIGURE_OPTS[@]}" |
        sha256sum | cut -c1-12
}

# What one build flavour builds: its binary and ninja targets.
if [ "$FUZZ" = 1 ]; then
    QEMU_BINARY=qemu-fuzz-x86_64
    NINJA_TARGETS=(qemu-fuzz-x86_64)
    BUILD_WHAT="building QEMU's fuzzer (clang, ASan, UBSan; ninja, ~1,500 steps; 5-8 minutes on 2 cores)"
    [ "$COVERAGE" = 0 ] ||
        BUILD_WHAT="building QEMU's fuzzer with coverage (clang; ninja, ~1,500 steps; 4-7 minutes on 2 cores)"
elif [ "$ARCH" = aarch64 ]; then
    QEMU_BINARY=qemu-system-aarch64
    NINJA_TARGETS=(qemu-system-aarch64)
    BUILD_WHAT="building QEMU for aarch64 (ninja, ~1,400 steps; 3-6 minutes on 2 cores)"
else
    QEMU_BINARY=qemu-system-x86_64
    NINJA_TARGETS=(qemu-system-x86_64 tests/qtest/mypci-test)
    BUILD_WHAT="building QEMU (ninja, ~1,450 steps; 3-6 minutes on 2 cores)"
fi

configure_tree() {
    local build_dir=$1
    # QEMU's configure only sets up the x86 option ROMs (pvh.bin and friends,
    # stripped from Debian's tarball) when gcc can build 32-bit code. The
    # fuzzer boots no kernel and needs none.
    local roms="$build_dir/pc-bios/optionrom/config.mak"
    [ "$FUZZ" = 0 ] && [ "$ARCH" = x86_64 ] || roms=$build_dir/build.ninja
    [ -f "$build_dir/build.ninja" ] && [ -f "$roms" ] && return 0
    need_disk "QEMU's build" "$QEMU_BUILD_GIB"
    mkdir -p "$build_dir"
    step "configuring QEMU $QEMU_VERSION in $build_dir" "$build_dir/configure.log" \
        sh -c 'cd "$1" && shift && exec "$@"' sh "$build_dir" "$src_dir/configure" "${QEMU_CONFIGURE_OPTS[@]}" ||
        { rm -f "$build_dir/build.ninja"; step_failed "QEMU configure" $? "$build_dir/configure.log" configure; }
    [ -f "$roms" ] ||
        die "QEMU configure found no 32-bit x86 compiler for the option ROMs (install gcc-12-multilib)"
}

configure_and_build() {
    local build_dir=$1
    configure_tree "$build_dir"
    # ninja's no-op check of QEMU's ~1,450 targets costs ~1.5 s of every
    # warm command: skipped while nothing it builds from has changed since
    # the last good build (our sources copied into the tree, the tree's
    # configuration).
    local inputs
    inputs=$(qemu_inputs_key "$build_dir")
    if [ -x "$build_dir/$QEMU_BINARY" ] && [ -f "$build_dir/.mypci-inputs" ] &&
        [ "$(cat "$build_dir/.mypci-inputs")" = "$inputs" ]; then
        return 0
    fi
    rm -f "$build_dir/.mypci-inputs"
    # A built tree only needs ninja's check (or a rebuild of what changed):
    # that is said only when it takes long enough to show progress.
    local what=$BUILD_WHAT quiet=""
    [ ! -x "$build_dir/$QEMU_BINARY" ] || { what="QEMU build (ninja)"; quiet=1; }
    MYPCI_QUIET_STEP=$quiet run_step "$what" "$build_dir/ninja.log" \
        ninja -C "$build_dir" "${NINJA_TARGETS[@]}"
    # Our device code must build clean under QEMU's own warning flags.
    if grep -E "(hw/mypci|tests/qtest/mypci-test|mypci_fuzz_configs)[^ ]*: warning:" "$build_dir/ninja.log" >&2; then
        die "mypci's QEMU sources build with warnings (above); fix them"
    fi
    if [ "$FUZZ" = 0 ] && [ "$ARCH" = x86_64 ]; then
        MYPCI_QUIET_STEP=1 run_step "building QEMU's option ROMs" "$build_dir/optionrom.log" \
            make -C "$build_dir/pc-bios/optionrom"
    fi
    # QEMU run from its build tree looks for firmware in its qemu-bundle data
    # dir: put Debian's SeaBIOS and the option ROMs there, so QEMU (and the
    # qtests, and the fuzzer's q35) find them without -L.
    local datadir="$build_dir/qemu-bundle/usr/local/share/qemu"
    mkdir -p "$datadir"
    ln -sf /usr/share/seabios/*.bin "$datadir/"
    [ "$FUZZ" = 1 ] || [ "$ARCH" != x86_64 ] || ln -sf "$build_dir"/pc-bios/optionrom/*.bin "$datadir/"
    echo "$inputs" >"$build_dir/.mypci-inputs"
}

# What QEMU's build depends on that can change under a built tree: every
# file of ours copied into it (name, time, size; a copy changes only with
# its content) and the build's own configuration.
qemu_inputs_key() {
    local build_dir=$1
    {
        find "$src_dir/hw/mypci" "$src_dir/tests/qtest/mypci-test.c" \
            "$src_dir/tests/qtest/fuzz/mypci_fuzz_configs.h" \
            "$src_dir/configs/devices/$ARCH-softmmu/mypci.mak" \
            -type f -printf '%p %T@ %s\n' | LC_ALL=C sort
        stat -c '%n %Y %s' "$build_dir/build.ninja" "$src_dir/hw/meson.build" "$src_dir/hw/Kconfig" \
            "$src_dir/tests/qtest/meson.build" "$src_dir/tests/qtest/fuzz/generic_fuzz_configs.h" \
            /usr/share/seabios/*.bin
    } | sha256sum | cut -c1-16
}

main() {
    ensure_cache_writable
    fetch_source
    hook_devices
    local arch_tag=""
    [ "$ARCH" = x86_64 ] || arch_tag=$ARCH-
    local build_dir="$MYPCI_CACHE/qemu-$QEMU_VERSION-$arch_tag$(build_key)"
    configure_and_build "$build_dir"
    echo "$build_dir/$QEMU_BINARY"
}

main "$@"
