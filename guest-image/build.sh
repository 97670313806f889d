#!/usr/bin/env bash
# Builds the guest: a Debian kernel (x86_64: uncompressed vmlinux, booted via
# PVH; aarch64: the arm64 Image) and an uncompressed initramfs with
# busybox-static, pciutils, the VFIO and 9p modules and mypci's guest
# programs. Everything is cached per architecture; the initramfs is rebuilt
# only when one of its inputs changes.
#
# usage: build.sh KERNEL_SERIES PROGRAM...
#        build.sh image PROGRAM...   no kernel, no modules (--kernel-image)
# MYPCI_ARCH=aarch64: the arm64 guest (Debian's arm64 kernel, busybox-static
# and pciutils unpacked from their arm64 packages, the libraries from the
# host's multiarch arm64 ones; PROGRAM... cross-compiled).
# prints: KERNEL=<kernel image> INITRD=<cpio>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../scripts/lib.sh"
trap_errors

ARCH=${MYPCI_ARCH:-x86_64}
case $ARCH in
x86_64)
    DEB_ARCH=amd64
    GUEST_MODULES=(irqbypass vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci
                   virtio_pci 9pnet_virtio 9p)
    ;;
aarch64)
    DEB_ARCH=arm64
    # arm64's 6.1 has irqbypass built in; the SMMUv3 and ITS drivers too.
    GUEST_MODULES=(vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci
                   virtio_pci 9pnet_virtio 9p)
    ;;
*) die "build.sh: unknown architecture '$ARCH' (want x86_64 or aarch64)" ;;
esac
GUEST_HOST_FILES=(/bin/busybox /usr/bin/lspci /usr/bin/setpci /usr/share/misc/pci.ids)
# The arm64 guest's userland: these packages' files, unpacked into the cache.
ARM64_USERLAND_PACKAGES=(busybox-static pciutils)
# Where the arm64 loader looks for libraries (Debian's multiarch paths).
ARM64_LIB_DIRS=(/lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu)

# Newest Debian image package of a series: "6.1" -> linux-image-6.1.0-NN-amd64-unsigned
# (aarch64: -arm64-unsigned).
kernel_package() {
    local series=$1 re
    re="^linux-image-${series//./\\.}[.0-9]*-[0-9]+(~bpo[0-9]+)?-$DEB_ARCH-unsigned\$"
    # No match is an answer (the caller names it), not a failure.
    { apt-cache pkgnames "linux-image-$series" | grep -E "$re" || true; } | sort -V | tail -n 1
}

# A series with a config fragment here (kernel-SERIES.config) is built from
# Debian's linux-source package; the others are Debian's binary kernels.
fetch_kernel() {
    local series=$1
    if [ -f "$here/kernel-$series.config" ] && [ "$ARCH" != x86_64 ]; then
        die "kernel $series is built from source for x86_64 guests only; the $ARCH guest boots Debian's $DEB_ARCH kernels (--kernel 6.1)"
    fi
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
    local series=$1 memo="$MYPCI_CACHE/kernels/debian-$series-$DEB_ARCH.resolved" pkg version
    if [ -s "$memo" ] && [ "$memo" -nt /var/cache/apt/pkgcache.bin ] &&
        [ "$memo" -nt /var/lib/apt/lists ]; then
        cat "$memo"
        return
    fi
    pkg=$(kernel_package "$series")
    [ -n "$pkg" ] || die "no Debian kernel package for --kernel $series (try 6.1; is the apt index current? apt-get update)"
    version=$(apt-cache policy "$pkg:$DEB_ARCH" | sed -n 's/^  Candidate: //p')
    [ "$version" != "(none)" ] || version=""
    [ -n "$version" ] || die "apt has no installable version of $pkg"
    mkdir -p "$(dirname "$memo")"
    echo "$pkg $version" | tee "$memo"
}

fetch_debian_kernel() {
    local series=$1 pkg version dir resolved
    resolved=$(resolve_debian_kernel "$series")
    read -r pkg version <<<"$resolved"
    dir="$MYPCI_CACHE/kernels/${pkg}_$version"
    if [ ! -f "$dir/vmlinux" ] && [ ! -f "$dir/Image" ]; then
        rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/debs"
        run_step "downloading $pkg $version" "$dir.tmp/download.log" \
            sh -c 'cd "$1" && apt-get download "$2"' sh "$dir.tmp/debs" "$pkg:$DEB_ARCH=$version"
        dpkg-deb -x "$dir.tmp"/debs/*.deb "$dir.tmp/root"
        local kver
        kver=$(ls "$dir.tmp/root/lib/modules")
        depmod -b "$dir.tmp/root" "$kver"
        if [ "$ARCH" = aarch64 ]; then
            check_arm64_kernel "$dir.tmp/root/boot/config-$kver" "$pkg"
            # QEMU's -kernel boots the arm64 Image as Debian ships it.
            cp "$dir.tmp/root/boot/vmlinuz-$kver" "$dir.tmp/Image"
        else
            "$PYTHON" "$here/extract-vmlinux.py" "$dir.tmp/root/boot/vmlinuz-$kver" "$dir.tmp/vmlinux"
        fi
        echo "$kver" >"$dir.tmp/kver"
        rm -rf "$dir.tmp/debs" "$dir" && mv "$dir.tmp" "$dir"
    fi
    echo "$dir"
}

# What the arm64 guest cannot do without, from the kernel's configuration:
# the vIOMMU (SMMUv3), MSIs through the GICv3 ITS, the PCIe host bridge of
# virt (gpex), the PL011 console the launcher reads, VFIO.
ARM64_KERNEL_NEEDS=(ARM_SMMU_V3:"the SMMUv3 vIOMMU (-machine virt,iommu=smmuv3)"
    ARM_GIC_V3_ITS:"MSI/MSI-X through the GICv3 ITS"
    PCI_HOST_GENERIC:"virt's PCIe host bridge (gpex)"
    SERIAL_AMBA_PL011_CONSOLE:"the PL011 serial console the launcher reads"
    VFIO_PCI:"vfio-pci" VFIO_IOMMU_TYPE1:"the type1 IOMMU backend")
check_arm64_kernel() {
    local config=$1 pkg=$2 entry sym missing=()
    [ -f "$config" ] || die "$pkg has no /boot/config-*: cannot tell what the kernel supports"
    for entry in "${ARM64_KERNEL_NEEDS[@]}"; do
        sym=${entry%%:*}
        grep -qE "^CONFIG_$sym=[ym]\$" "$config" || missing+=("CONFIG_$sym (${entry#*:})")
    done
    [ ${#missing[@]} -eq 0 ] ||
        die "$pkg cannot run the aarch64 guest: it lacks $(printf '%s; ' "${missing[@]}" | sed 's/; $//')"
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

# The arm64 guest's copy: ldd cannot run an arm64 binary here, so the
# libraries come from its ELF dynamic section (NEEDED, and the interpreter),
# found in the host's multiarch arm64 directories, recursively.
# usage: copy_arm64 STAGE SRC DEST (DEST: the path in the guest)
copy_arm64() {
    local stage=$1 src=$2 dest=$3
    mkdir -p "$stage$(dirname "$dest")"
    cp -L "$src" "$stage$dest"
    copy_arm64_libs "$stage" "$src"
}
copy_arm64_libs() {
    local stage=$1 elf=$2 interp lib dir found
    local headers dynamic
    # Not an ELF file, or a static one: nothing to add (readelf says so with 1).
    headers=$(readelf -l "$elf" 2>/dev/null) || return 0
    dynamic=$(readelf -d "$elf" 2>/dev/null) || return 0
    interp=$(sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p' <<<"$headers")
    if [ -n "$interp" ] && [ ! -e "$stage$interp" ]; then
        mkdir -p "$stage$(dirname "$interp")"
        cp -L "$interp" "$stage$interp"
    fi
    for lib in $(sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' <<<"$dynamic"); do
        found=""
        for dir in "${ARM64_LIB_DIRS[@]}"; do
            [ -e "$dir/$lib" ] && { found=$dir/$lib; break; }
        done
        [ -n "$found" ] || die "$elf needs $lib, which no arm64 package on this host provides (scripts/setup-host.sh aarch64 installs them)"
        [ ! -e "$stage$found" ] || continue
        mkdir -p "$stage$(dirname "$found")"
        cp -L "$found" "$stage$found"
        copy_arm64_libs "$stage" "$found"
    done
}

# busybox-static and pciutils for arm64, unpacked from their packages (they
# cannot be installed beside the host's own); prints the folder.
arm64_userland() {
    local pkg version key="" dir
    for pkg in "${ARM64_USERLAND_PACKAGES[@]}"; do
        version=$(apt-cache policy "$pkg:arm64" 2>/dev/null | sed -n 's/^  Candidate: //p')
        [ -n "$version" ] && [ "$version" != "(none)" ] ||
            die "the archive offers no $pkg:arm64 (is arm64 a dpkg architecture here? scripts/setup-host.sh aarch64 adds it)"
        key+="${key:++}${pkg}_$version"
    done
    dir="$MYPCI_CACHE/userland-arm64/${key//:/%}"
    if [ ! -d "$dir" ]; then
        rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/debs"
        for pkg in "${ARM64_USERLAND_PACKAGES[@]}"; do
            run_step "downloading $pkg:arm64" "$dir.tmp/download.log" \
                sh -c 'cd "$1" && apt-get download "$2"' sh "$dir.tmp/debs" "$pkg:arm64"
        done
        for deb in "$dir.tmp"/debs/*.deb; do dpkg-deb -x "$deb" "$dir.tmp/root"; done
        rm -rf "$dir.tmp/debs" && mv "$dir.tmp" "$dir"
    fi
    echo "$dir/root"
}

# The guest's own files from the host (x86_64) or the arm64 packages, with
# their libraries.
copy_userland() {
    local stage=$1 file uroot
    if [ "$ARCH" = x86_64 ]; then
        copy_with_libs "$stage" "${GUEST_HOST_FILES[@]}"
        return
    fi
    uroot=$(arm64_userland)
    for file in "${GUEST_HOST_FILES[@]}"; do
        if [ -e "$uroot$file" ]; then
            copy_arm64 "$stage" "$uroot$file" "$file"
        else # data (pci.ids) is the host's
            mkdir -p "$stage$(dirname "$file")" && cp -L "$file" "$stage$file"
        fi
    done
}

copy_program() {
    local stage=$1 prog=$2
    if [ "$ARCH" = x86_64 ]; then
        copy_with_libs "$stage" "$prog"
        mv "$stage$prog" "$stage/usr/local/bin/"
    else
        copy_arm64 "$stage" "$prog" "/usr/local/bin/${prog##*/}"
    fi
}

inputs_hash() {
    local kdir=$1
    shift
    {
        echo "$kdir $ARCH"
        sha256sum "$here/init" "$here/vfio-bind" "$here/build.sh" "$@" "${GUEST_HOST_FILES[@]}"
        [ "$ARCH" = x86_64 ] || arm64_userland
    } | sha256sum | cut -c1-16
}

build_initramfs() {
    local kdir=$1 out=$2 kver="" stage m modules
    shift 2
    [ -z "$kdir" ] || kver=$(cat "$kdir/kver")
    stage=$(mktemp -d "$MYPCI_CACHE/stage.XXXXXX")
    mkdir -p "$stage/etc/mypci" "$stage/usr/local/bin" "$stage/bin"
    copy_userland "$stage"
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
        copy_program "$stage" "$prog"
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
    local arch_tag="" kernel_file=vmlinux
    [ "$ARCH" = x86_64 ] || arch_tag=$ARCH- kernel_file=Image
    local name="initramfs-$arch_tag$series${MYPCI_IMAGE_TAG:+-$MYPCI_IMAGE_TAG}"
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
    echo "KERNEL=${kdir:+$kdir/$kernel_file} INITRD=$out"
}

# One function by name (the set-up tests), else the build.
case ${1:-} in
check_arm64_kernel) "$@" ;;
*) main "$@" ;;
esac
