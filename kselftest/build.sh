#!/usr/bin/env bash
# Builds the kernel's VFIO selftests (tools/testing/selftests/vfio) for the
# guest, statically, with the kernel's own Makefile and our driver for mypci
# (kselftest/patches/, applied with git apply). The tree is sid's
# linux-source-SERIES binary package (pinned in scripts/lib.sh), downloaded
# through a private apt configuration kept in the cache; the machine's own
# apt sources are left alone. Everything is cached; a change to a patch, the
# shim or this script builds again.
#
# usage: build.sh          prints KSELFTEST_DIR=<folder with the test binaries>
#        build.sh FUNCTION ARGS...   run one function (the tests)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../scripts/lib.sh"
trap_errors

PKG=linux-source-$KSELFTEST_LINUX_SERIES
APT_DIR=$MYPCI_CACHE/apt-$KSELFTEST_SUITE
KS_CACHE=$MYPCI_CACHE/kselftest
# The unpacked tree and its build take ~1.6 GiB while it builds.
KSELFTEST_BUILD_GIB=3

# apt-get and apt-cache see only the private sources, index and download
# cache; the machine's apt.conf.d still applies (its archive settings matter).
APT_OPTS=(-o Dir::Etc::SourceList="$APT_DIR/sources.list"
    -o Dir::Etc::SourceParts=/dev/null
    -o Dir::State::Lists="$APT_DIR/lists"
    -o Dir::State::status=/dev/null
    -o Dir::Cache="$APT_DIR/cache")
private_apt() {
    apt-get "${APT_OPTS[@]}" -o APT::Sandbox::User=root "$@"
}

private_apt_update() {
    local mirror
    mirror=$("$MYPCI_ROOT/scripts/setup-host.sh" machine_mirror)
    [ -n "$mirror" ] || die "found no bookworm mirror in this machine's apt sources (apt-get indextargets)"
    mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $KSELFTEST_SUITE main" \
        >"$APT_DIR/sources.list"
    run_step "apt: reading $KSELFTEST_SUITE's package index for $PKG (private, in $APT_DIR)" \
        "$APT_DIR/update.log" private_apt update
    if grep -q '^\(Err\|W: Failed to fetch\)' "$APT_DIR/update.log"; then
        die "the package archive $mirror is unreachable or has no $KSELFTEST_SUITE; apt said: $(grep -m1 -A1 '^\(Err\|W:\)' "$APT_DIR/update.log" | tr -s ' \n' ' ')"
    fi
}

# "linux-source-7.3 7.3.1-1, ..." : what the suite offers, for the message
# when the pin is gone.
offered_sources() {
    private_apt_cache_show 'linux-source-[0-9]*' |
        awk '/^Package:/ { p = $2 } /^Version:/ { printf "%s%s %s", sep, p, $2; sep = ", " }'
}
private_apt_cache_show() {
    apt-cache "${APT_OPTS[@]}" show "$@" 2>/dev/null || true
}

# The pinned .deb, downloaded once.
fetch_deb() {
    local deb="$KS_CACHE/deb/${PKG}_${KSELFTEST_LINUX_VERSION}_all.deb"
    if [ ! -s "$deb" ]; then
        private_apt_update
        if ! private_apt_cache_show "$PKG=$KSELFTEST_LINUX_VERSION" | grep -q '^Package:'; then
            die "$KSELFTEST_SUITE no longer offers $PKG $KSELFTEST_LINUX_VERSION (pinned in scripts/lib.sh as KSELFTEST_LINUX_SERIES/VERSION); it offers: $(offered_sources)"
        fi
        mkdir -p "$KS_CACHE/deb"
        run_step "downloading $PKG $KSELFTEST_LINUX_VERSION from $KSELFTEST_SUITE (~160 MB, once)" \
            "$KS_CACHE/download.log" sh -c 'cd "$1" && "$2" download "$3"' sh \
            "$KS_CACHE/deb" "$here/build.sh" "$PKG=$KSELFTEST_LINUX_VERSION"
    fi
    echo "$deb"
}

# For fetch_deb through run_step: apt-get download with the private config.
download() {
    private_apt download "$@"
}

# Only what `make headers` and the selftests read (a tenth of the tree),
# then the files the selftests' drivers link to elsewhere in the tree (DSA's
# and IOAT's register headers live in drivers/dma).
unpack_tree() {
    local deb=$1 src=$2 top=linux-source-$KSELFTEST_LINUX_SERIES part parts=() link
    mkdir -p "$src"
    dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards '*/linux-source-*.tar.xz' >"$src.tar.xz"
    for part in Makefile Kbuild Kconfig arch include scripts tools; do parts+=("$top/$part"); done
    tar -xJf "$src.tar.xz" -C "$src" --strip-components=1 "${parts[@]}"
    parts=()
    while read -r link; do
        parts+=("$top/$(realpath -m --relative-to="$src" "$(dirname "$link")/$(readlink "$link")")")
    done < <(find "$src/tools/testing/selftests/vfio" -xtype l)
    [ ${#parts[@]} -eq 0 ] || tar -xJf "$src.tar.xz" -C "$src" --strip-components=1 "${parts[@]}"
    rm -f "$src.tar.xz"
}

# Our patches, in order; each must apply to the pinned tree as it is.
apply_patches() {
    local src=$1 patch
    for patch in "$here"/patches/*.patch; do
        in_tree "$src" git apply --check "$patch" 2>"$src/../apply.log" ||
            die "$(basename "$patch") no longer applies to $PKG $KSELFTEST_LINUX_VERSION: $(head -n 3 "$src/../apply.log" | tr '\n' ' ')(update the patch in kselftest/patches)"
        in_tree "$src" git apply "$patch"
    done
}

# git apply, run in the tree; the ceiling keeps it from taking a repository
# around the cache for the tree's own.
in_tree() {
    local src=$1
    shift
    (cd "$src" && GIT_CEILING_DIRECTORIES=$(dirname "$src") "$@")
}

# The compatibility shim, only for a tree that calls calloc_assert() without
# defining it (7.2's lib/vfio_pci_device.c); an -include for every file.
shim_cflags() {
    local vfio=$1/tools/testing/selftests/vfio
    if grep -rq 'calloc_assert(' "$vfio" &&
        ! grep -rqE '(define|void \*) *calloc_assert' "$vfio" "$1/tools/testing/selftests/kselftest.h"; then
        echo "-include $here/compat/calloc_assert.h"
    fi
}

build_tree() {
    local src=$1 out=$2 extra
    extra="-static $(shim_cflags "$src")"
    echo "$extra" >"$out/cflags"
    run_step "installing the UAPI headers of $PKG (make headers)" "$out/headers.log" \
        make -C "$src" -j"$(nproc)" headers
    run_step "building the VFIO selftests of $PKG $KSELFTEST_LINUX_VERSION (static, with the mypci driver)" \
        "$out/build.log" make -C "$src/tools/testing/selftests/vfio" -j"$(nproc)" EXTRA_CFLAGS="$extra"
    local prog progs
    progs=$(make -s -C "$src/tools/testing/selftests/vfio" --no-print-directory \
        -f Makefile -f "$here/print-progs.mk" print-progs)
    mkdir -p "$out/bin"
    for prog in $progs; do
        cp "$src/tools/testing/selftests/vfio/$prog" "$out/bin/"
    done
    [ -n "$progs" ] || die "the VFIO selftests Makefile of $PKG lists no test programs"
}

inputs_key() {
    sha256sum "$here"/patches/*.patch "$here"/compat/* "$here/build.sh" "$here/print-progs.mk" |
        { echo "$PKG $KSELFTEST_LINUX_VERSION"; cat; } | sha256sum | cut -c1-12
}

main() {
    ensure_cache_writable
    local key dir deb
    key=$(inputs_key)
    dir="$KS_CACHE/${PKG}_${KSELFTEST_LINUX_VERSION}_$key"
    if [ ! -d "$dir/bin" ]; then
        need_disk "the VFIO selftests' kernel tree" "$KSELFTEST_BUILD_GIB"
        deb=$(fetch_deb)
        rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
        run_step "unpacking $PKG $KSELFTEST_LINUX_VERSION" "$dir.tmp/unpack.log" \
            "$here/build.sh" unpack_tree "$deb" "$dir.tmp/src"
        apply_patches "$dir.tmp/src"
        build_tree "$dir.tmp/src" "$dir.tmp"
        rm -rf "$dir.tmp/src" "$dir"
        mv "$dir.tmp" "$dir"
        # One build is kept: older keys go.
        find "$KS_CACHE" -maxdepth 1 -name "${PKG}_*" ! -name "${dir##*/}" -exec rm -rf {} +
    fi
    echo "KSELFTEST_DIR=$dir/bin"
}

if [ $# -gt 0 ]; then
    "$@"
else
    # One build at a time: parallel tests may all ask for it.
    ensure_cache_writable
    mkdir -p "$KS_CACHE"
    (flock 9 && main) 9>"$KS_CACHE/build.lock"
fi
