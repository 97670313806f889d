#!/usr/bin/env bash
# Builds the guest: a Debian kernel (uncompressed vmlinux, booted via PVH) and
# an uncompressed initramfs with busybox-static, pciutils, the VFIO and 9p
# modules and mypci's guest programs. Everything is cached; the initramfs is
# rebuilt only when one of its inputs changes.
#
# usage: build.sh KERNEL_SERIES PROGRAM...
#        build.sh image PROGRAM...   no kernel, no modules (--kernel-image)
# prints: KERNEL=<vmlinux> INITRD=<cpio>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../scripts/lib.sh"
trap_errors

GUEST_MODULES=(irqbypass vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci
               virtio_pci 9pnet_virtio 9p)
GUEST_HOST_FILES=(/bin/busybox /usr/bin/lspci /usr/bin/setpci /usr/share/misc/pci.ids)

# Newest Debian image package of a series: "6.1" -> linux-image-6.1.0-NN-amd64-unsigned.
kernel_package() {
    local series=$1 re
    re="^linux-image-${series//./\\.}[.0-9]*-[0-9]+(~bpo[0-9]+)?-amd64-unsigned\$"
    # No match is an answer (the caller names it), not a failure.
    { apt-cache pkgnames "linux-image-$series" | grep -E "$re" || true; } | sort -V | tail -n 1
}

# A series with a config fragment here (kernel-SERIES.config) is built from
# Debian's linux-source package; the others are Debian's binary kernels.
fetch_kernel() {
    local series=$1
    if [ -f "$here/kernel-$series.config" ]; then
        build_source_kernel "$series"
    else
        fetch_debian_kernel "$series"
    fi
}

build_source_kernel() {
    local series=$1 frag="$here/kernel-$series.config" pkg version dir key
    pkg=linux-source-$series
    version=$(kernel_source_version "$series")
    key=$(sha256sum "$frag" | cut -c1-12)
    dir="$MYPCI_CACHE/kernels/${pkg}_${version}_$key"
    if [ ! -f "$dir/vmlinux" ]; then
        need_disk "building kernel $series" "$KERNEL_BUILD_GIB"
        rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/deb" "$dir.tmp/src"
        run_step "downloading $pkg $version" "$dir.tmp/download.log" \
            sh -c 'cd "$1" && apt-get download "$2"' sh "$dir.tmp/deb" "$pkg=$version"
        run_step "unpacking $pkg" "$dir.tmp/unpack.log" unpack_kernel_source "$dir.tmp"
        configure_source_kernel "$dir.tmp/src" "$frag"
        run_step "building kernel $series from $pkg $version (about 5 minutes on 2 cores, once)" \
            "$dir.tmp/build.log" make -C "$dir.tmp/src" -j"$(nproc)" vmlinux
        cp "$dir.tmp/src/vmlinux" "$dir.tmp/vmlinux"
        make -s -C "$dir.tmp/src" kernelrelease >"$dir.tmp/kver"
        rm -rf "$dir.tmp/src" "$dir" && mv "$dir.tmp" "$dir"
    fi
    echo "$dir"
}

# The kernel tree inside Debian's linux-source .deb (a tarball in /usr/src).
unpack_kernel_source() {
    local dir=$1
    dpkg-deb --fsys-tarfile "$dir"/deb/*.deb |
        tar -xO --wildcards '*/linux-source-*.tar.xz' |
        tar -xJ -C "$dir/src" --strip-components=1
    rm -rf "$dir/deb"
}

kernel_source_version() {
    local var="KERNEL_SOURCE_${1//./_}"
    [ -n "${!var:-}" ] || die "no pinned linux-source version for kernel $1 (scripts/lib.sh)"
    echo "${!var}"
}

# allnoconfig plus the fragment; every symbol the fragment asks for must
# survive, or the guest would silently lack it.
configure_source_kernel() {
    local src=$1 frag=$2 sym
    (cd "$src" && ./scripts/kconfig/merge_config.sh -n "$frag") >"$src/../config.log" 2>&1 ||
        { tail -n 20 "$src/../config.log" >&2; die "kernel configuration failed"; }
    for sym in $(grep -o '^CONFIG_[A-Z0-9_]*=y' "$frag"); do
        grep -qx "$sym" "$src/.config" || die "kernel config: $sym did not stick (see $src/../config.log)"
    done
}

# "PACKAGE VERSION" of the series' newest kernel. Asking apt takes ~1.5 s,
# most of a warm exec's set-up, and the answer only changes with the apt
# index: it is kept until the index is newer.
resolve_debian_kernel() {
    local series=$1 memo="$MYPCI_CACHE/kernels/debian-$series.resolved" pkg version
    if [ -s "$memo" ] && [ "$memo" -nt /var/cache/apt/pkgcache.bin ] &&
        [ "$memo" -nt /var/lib/apt/lists ]; then
        cat "$memo"
        return
    fi
    pkg=$(kernel_package "$series")
    [ -n "$pkg" ] || die "no Debian kernel package for --kernel $series (try 6.1; is the apt index current? apt-get update)"
    version=$(apt-cache policy "$pkg" | sed -n 's/^  Candidate: //p')
    [ -n "$version" ] || die "apt has no installable version of $pkg"
    mkdir -p "$(dirname "$memo")"
    echo "$pkg $version" | tee "$memo"
}

fetch_debian_kernel() {
    local series=$1 pkg version dir resolved
    resolved=$(resolve_debian_kernel "$series")
    read -r pkg version <<<"$resolved"
    dir="$MYPCI_CACHE/kernels/${pkg}_$version"
    if [ ! -f "$dir/vmlinux" ]; then
        rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/debs"
        run_step "downloading $pkg $version" "$dir.tmp/download.log" \
            sh -c 'cd "$1" && apt-get download "$2"' sh "$dir.tmp/debs" "$pkg=$version"
        dpkg-deb -x "$dir.tmp"/debs/*.deb "$dir.tmp/root"
        local kver
        kver=$(ls "$dir.tmp/root/lib/modules")
        depmod -b "$dir.tmp/root" "$kver"
        "$PYTHON" "$here/extract-vmlinux.py" "$dir.tmp/root/boot/vmlinuz-$kver" "$dir.tmp/vmlinux"
        echo "$kver" >"$dir.tmp/kver"
        rm -rf "$dir.tmp/debs" "$dir" && mv "$dir.tmp" "$dir"
    fi
    echo "$dir"
}

# The modules to insmod, dependencies first, one path (inside the guest) a line.
# A kernel built here has everything built in and no modules.
module_list() {
    local root=$1 kver=$2 m
    [ -d "$root/lib/modules/$kver" ] || return 0
    for m in "${GUEST_MODULES[@]}"; do
        modprobe -d "$root" -S "$kver" --show-depends "$m" ||
            die "kernel $kver has no module $m"
    done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }'
}

copy_with_libs() {
    local stage=$1 file lib
    shift
    for file in "$@"; do
        mkdir -p "$stage$(dirname "$file")"
        cp -L "$file" "$stage$file"
        if file_is_dynamic "$file"; then
            for lib in $(ldd "$file" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }'); do
                [ -e "$stage$lib" ] && continue
                mkdir -p "$stage$(dirname "$lib")"
                cp -L "$lib" "$stage$lib"
            done
        fi
    done
}

file_is_dynamic() {
    ldd "$1" >/dev/null 2>&1
}

inputs_hash() {
    local kdir=$1
    shift
    {
        echo "$kdir"
        sha256sum "$here/init" "$here/vfio-bind" "$here/build.sh" "$@" "${GUEST_HOST_FILES[@]}"
    } | sha256sum | cut -c1-16
}

build_initramfs() {
    local kdir=$1 out=$2 kver="" stage m modules
    shift 2
    [ -z "$kdir" ] || kver=$(cat "$kdir/kver")
    stage=$(mktemp -d "$MYPCI_CACHE/stage.XXXXXX")
    mkdir -p "$stage/etc/mypci" "$stage/usr/local/bin" "$stage/bin"
    copy_with_libs "$stage" "${GUEST_HOST_FILES[@]}"
    modules=""
    if [ -n "$kdir" ]; then modules=$(module_list "$kdir/root" "$kver"); fi
    for m in $modules; do
        mkdir -p "$stage/$(dirname "${m#"$kdir/root"}")"
        cp "$m" "$stage/${m#"$kdir/root"}"
        echo "${m#"$kdir/root"}" >>"$stage/etc/mypci/modules"
    done
    # lspci looks module names up through libkmod's index files.
    if [ -n "$kdir" ] && [ -d "$kdir/root/lib/modules/$kver" ]; then
        mkdir -p "$stage/lib/modules/$kver"
        cp "$kdir/root/lib/modules/$kver"/modules.* "$stage/lib/modules/$kver/"
    fi
    touch "$stage/etc/mypci/modules"
    install -m 0755 "$here/init" "$stage/init"
    install -m 0755 "$here/vfio-bind" "$stage/usr/local/bin/vfio-bind"
    for prog in "$@"; do
        copy_with_libs "$stage" "$prog"
        mv "$stage$prog" "$stage/usr/local/bin/"
    done
    (cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$out.tmp"
    mv "$out.tmp" "$out"
    rm -rf "$stage"
}

main() {
    [ $# -ge 1 ] || die "usage: build.sh KERNEL_SERIES PROGRAM..."
    local series=$1 kdir="" hash out
    shift
    # A kernel image the user brings has what it needs built in.
    [ "$series" = image ] || kdir=$(fetch_kernel "$series")
    hash=$(inputs_hash "$kdir" "$@")
    # MYPCI_IMAGE_TAG names a flavour (e.g. sanitize) kept beside the others.
    local name="initramfs-$series${MYPCI_IMAGE_TAG:+-$MYPCI_IMAGE_TAG}"
    out="$MYPCI_CACHE/guest/$name-$hash.cpio"
    if [ ! -f "$out" ]; then
        log "building guest initramfs for kernel $series"
        mkdir -p "$MYPCI_CACHE/guest"
        build_initramfs "$kdir" "$out" "$@"
        # Older images of this flavour go, but not the newest four nor any
        # made in the last hour: clones of the project (or worktrees) share
        # the cache, and one must not delete the image another is booting.
        local stale
        for stale in $(ls -t "$MYPCI_CACHE/guest/$name"-????????????????.cpio | tail -n +5); do
            [ -z "$(find "$stale" -mmin +60)" ] || rm -f "$stale"
        done
    fi
    echo "KERNEL=${kdir:+$kdir/vmlinux} INITRD=$out"
}

main "$@"
