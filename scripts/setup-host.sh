#!/usr/bin/env bash
# Installs what mypci needs on a Debian 12 host: the deb-src entry for QEMU's
# source package, bookworm-backports for meson >= 1.5 and for UAPI headers
# with iommufd (linux-libc-dev 6.12), and the build/test packages.
# Idempotent: a second run only checks.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

need_root() {
    [ "$(id -u)" = 0 ] || die "setup needs root (apt-get); run as root or with sudo"
}

write_sources() {
    local f=/etc/apt/sources.list.d/mypci.sources
    local want
    want=$(cat <<SRC
# Added by mypci (scripts/setup-host.sh): QEMU's source package and meson >= 1.5.
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $QEMU_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
)
    if [ ! -f "$f" ] || [ "$(cat "$f")" != "$want" ]; then
        printf '%s\n' "$want" >"$f"
        return 0
    fi
    return 1
}

HOST_PACKAGES=(
    build-essential gcc-multilib pkg-config ninja-build dpkg-dev python3-venv
    libglib2.0-dev libpixman-1-dev libfdt-dev zlib1g-dev flex bison
    check libpci-dev pciutils cpio xz-utils zstd seabios
    busybox-static kmod pci.ids gnuplot-nox clang-format
    bc libelf-dev libssl-dev clang libclang-rt-14-dev
)

missing_packages() {
    dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>&1 |
        awk '!/install ok installed$/ { sub(/^dpkg-query: no packages found matching /, ""); print $1 }'
}

# Debian 12's linux-libc-dev (6.1) lacks <linux/iommufd.h> and the VFIO
# device cdev ioctls that the VFIO library's iommufd backend uses.
iommufd_headers_ok() {
    [ -f /usr/include/linux/iommufd.h ]
}

# From dpkg when meson is Debian's (running meson costs 0.4 s a call).
meson_ok() {
    local version
    command -v meson >/dev/null || return 1
    if [ "$(command -v meson)" = /usr/bin/meson ]; then
        version=$(dpkg-query -W -f='${Version}' meson 2>/dev/null)
    fi
    dpkg --compare-versions "${version:-$(meson --version)}" ge "$MESON_MIN"
}

main() {
    local updated=0 missing
    if write_sources; then
        need_root
        log "apt: adding deb-src ($QEMU_SUITE) and bookworm-backports"
        apt-get update -qq
        updated=1
    fi
    missing=$(missing_packages "${HOST_PACKAGES[@]}")
    if [ -n "$missing" ] || ! meson_ok; then
        need_root
        [ "$updated" = 1 ] || apt-get update -qq
        updated=1
        log "apt: installing ${missing//$'\n'/ } meson(backports)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            $missing >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            -t bookworm-backports meson >/dev/null
    fi
    meson_ok || die "meson >= $MESON_MIN is required (bookworm-backports has it)"
    if ! iommufd_headers_ok; then
        need_root
        [ "$updated" = 1 ] || apt-get update -qq
        log "apt: installing linux-libc-dev(backports) for <linux/iommufd.h>"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            -t bookworm-backports linux-libc-dev >/dev/null
    fi
    iommufd_headers_ok || die "<linux/iommufd.h> is required (linux-libc-dev from bookworm-backports has it)"
}

main "$@"
