#!/usr/bin/env bash
# Installs what mypci needs on a Debian 12 host: the deb-src entry for QEMU's
# source package, bookworm-backports for meson >= 1.5 and for UAPI headers
# with iommufd (linux-libc-dev 6.12), and the build/test packages. Both apt
# entries use the mirror the machine's own apt sources name.
# Idempotent: a second run only checks.
#
# usage: setup-host.sh            check, and install what is missing
#        setup-host.sh FUNCTION ARGS...   run one function (the unit tests)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
trap_errors

MYPCI_SOURCES=${MYPCI_APT_SOURCES_FILE:-/etc/apt/sources.list.d/mypci.sources}
OS_RELEASE=${MYPCI_OS_RELEASE:-/etc/os-release}
AS_ROOT_WHY="installing the host packages (apt-get)"

HOST_PACKAGES=(
    build-essential gcc-12-multilib pkg-config ninja-build dpkg-dev python3-venv
    libglib2.0-dev libpixman-1-dev libfdt-dev zlib1g-dev flex bison
    check libpci-dev pciutils cpio xz-utils zstd seabios
    busybox-static kmod pci.ids gnuplot-nox clang-format
    bc libelf-dev libssl-dev clang libclang-rt-14-dev llvm-14
    debootstrap qemu-utils uuid-dev git valgrind
)

# --arch aarch64 (./mypci --arch aarch64) adds the arm64 guest's: Debian's
# cross compiler and, as arm64 packages beside the host's own (multiarch),
# what the guest programs link and what the guest's lspci loads. Not
# gcc-multilib: that metapackage conflicts with every cross gcc (its
# /usr/include/asm link); gcc-12-multilib, which QEMU's 32-bit option ROMs
# need, does not.
AARCH64_PACKAGES=(gcc-aarch64-linux-gnu libpci-dev:arm64 check:arm64 libkmod2:arm64)
ARCH=x86_64

# The kit builds against Debian 12's toolchain and archive; say what this is.
check_os() {
    local id="" version="" pretty=""
    [ -r "$OS_RELEASE" ] || die "cannot read $OS_RELEASE: mypci needs Debian 12 (bookworm)"
    id=$(. "$OS_RELEASE" && echo "${ID:-}")
    version=$(. "$OS_RELEASE" && echo "${VERSION_ID:-}")
    pretty=$(. "$OS_RELEASE" && echo "${PRETTY_NAME:-$id $version}")
    [ "$id" = debian ] && [ "$version" = 12 ] ||
        die "mypci needs Debian 12 (bookworm); this machine is '$pretty' (ID=$id VERSION_ID=$version, from $OS_RELEASE)"
}

# The Debian mirror the machine's own apt sources use for bookworm, so that a
# machine set up for a local mirror keeps using it. Extra arguments go to
# apt-get (the unit tests point it at other sources).
machine_mirror() {
    apt-get "$@" indextargets --no-release-info \
        --format '$(SITE) $(RELEASE) $(TARGET_OF) $(SOURCESENTRY)' 2>/dev/null |
        awk -v ours="$MYPCI_SOURCES" '$3 == "deb" && ($2 == "bookworm" || $2 == "stable") &&
            index($4, ours ":") != 1 { print $1; exit }'
}

sources_text() {
    local mirror=$1
    cat <<SRC
# Added by mypci (scripts/setup-host.sh), on this machine's mirror:
# QEMU's source package, and bookworm-backports for meson >= 1.5.
Types: deb-src
URIs: $mirror
Suites: $QEMU_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $mirror
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
}

# Writes the apt entries when they are missing or differ; true if it wrote.
write_sources() {
    local mirror want
    mirror=$(machine_mirror)
    [ -n "$mirror" ] ||
        die "no Debian bookworm mirror in this machine's apt sources (/etc/apt/sources.list, /etc/apt/sources.list.d): add one, e.g. 'deb http://deb.debian.org/debian bookworm main'"
    want=$(sources_text "$mirror")
    if [ -f "$MYPCI_SOURCES" ] && [ "$(cat "$MYPCI_SOURCES")" = "$want" ]; then
        return 1
    fi
    log "apt: adding deb-src ($QEMU_SUITE) and bookworm-backports on $mirror"
    printf '%s\n' "$want" | as_root tee "$MYPCI_SOURCES" >/dev/null
}

# The packages of the list that are not installed, one a line, in the
# list's order. dpkg-query exits 1 when any of them is unknown to dpkg: that
# is the answer, not a failure; its stderr (warnings) is not parsed.
# MYPCI_DPKG_ADMINDIR points it at another dpkg database (the unit tests).
missing_packages() {
    local installed
    installed=$(dpkg-query ${MYPCI_DPKG_ADMINDIR:+--admindir="$MYPCI_DPKG_ADMINDIR"} -W \
        -f='${db:Status-Status} ${Package} ${binary:Package}\n' "$@" 2>/dev/null) || true
    awk 'FNR == NR { if ($1 == "installed") { have[$2] = 1; have[$3] = 1 } next }
         !($0 in have) { print }' - <(printf '%s\n' "$@") <<<"$installed"
}

# Of the packages named, those the archive does not offer (no candidate).
unavailable_packages() {
    local pkg policy
    for pkg in "$@"; do
        # Not "apt-cache | grep -q": under pipefail grep's early exit fails it.
        policy=$(apt-cache policy "$pkg" 2>/dev/null) || true
        grep -q '^  Candidate: [^(]' <<<"$policy" || echo "$pkg"
    done
}

# Debian 12's linux-libc-dev (6.1) lacks <linux/iommufd.h> and the VFIO
# device cdev ioctls that the VFIO library's iommufd backend uses.
iommufd_headers_ok() {
    [ -f /usr/include/linux/iommufd.h ]
}

# From dpkg when meson is Debian's (running meson costs 0.4 s a call).
meson_ok() {
    local version=""
    command -v meson >/dev/null || return 1
    if [ "$(command -v meson)" = /usr/bin/meson ]; then
        version=$(dpkg-query -W -f='${Version}' meson 2>/dev/null) || true
    fi
    dpkg --compare-versions "${version:-$(meson --version)}" ge "$MESON_MIN"
}

# The lines of an apt log that say the archive could not be reached.
unreachable_lines() {
    grep -E 'Could not resolve|Temporary failure resolving|Could not connect|Unable to connect|Network is unreachable|No route to host|Connection (timed out|refused|failed)' "$1" || true
}

# apt_step WHAT APT-GET-ARGS...: apt-get as a named step; a failure that is
# the network's is said as such, with the archive it could not reach.
apt_step() {
    local what=$1 logf="$MYPCI_CACHE/logs/apt.log" status=0 mirror host unreachable
    shift
    AS_ROOT_WHY="$what" as_root true
    step "$what" "$logf" as_root env DEBIAN_FRONTEND=noninteractive apt-get "$@" || status=$?
    # apt-get update exits 0 when it could fetch nothing: read what it said.
    # Only the Debian mirror counts; another source being down is not ours.
    mirror=$(machine_mirror)
    host=${mirror#*://}
    host=${host%%/*}
    unreachable=$(unreachable_lines "$logf" | grep -F "${host:-deb.debian.org}" || true)
    if [ -n "$unreachable" ]; then
        log "error: $what: the package archive $mirror is unreachable from this machine; apt said:"
        awk '!seen[$0]++' <<<"$unreachable" | head -n 5 | sed 's/^/  | /' >&2
        die "cannot reach the package archive $mirror; check the network, or the machine's apt sources and proxy"
    fi
    [ "$status" = 0 ] || step_failed "$what" "$status" "$logf" apt-get "$@"
}

apt_install() {
    local what=$1
    shift
    apt_step "$what" install -y -q --no-install-recommends "$@"
}

# The last successful check, kept while nothing it looked at has changed:
# the packages installed (dpkg's status), the apt sources, this script and
# its pins. Asking apt and dpkg again costs ~0.5 s of every warm command.
# Not used when a test points the script at other files.
checked_stamp() { echo "$MYPCI_CACHE/setup-host${ARCH#x86_64}.checked"; }
checked_key() {
    cat "$here/setup-host.sh" "$here/lib.sh" | sha256sum | cut -c1-16
}
still_checked() {
    local stamp
    stamp=$(checked_stamp)
    [ -z "${MYPCI_DPKG_ADMINDIR:-}${MYPCI_OS_RELEASE:-}${MYPCI_APT_SOURCES_FILE:-}" ] &&
        [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(checked_key)" ] &&
        [ "$stamp" -nt /var/lib/dpkg/status ] && [ "$stamp" -nt /etc/apt/sources.list.d ] &&
        { [ ! -e /etc/apt/sources.list ] || [ "$stamp" -nt /etc/apt/sources.list ]; }
}

main() {
    local updated=0 missing unavailable
    check_os
    ensure_cache_writable
    still_checked && return 0
    if write_sources; then
        apt_step "apt: updating the package index" update
        updated=1
    fi
    missing=$(missing_packages "${HOST_PACKAGES[@]}")
    if [ -n "$missing" ] || ! meson_ok || ! iommufd_headers_ok; then
        [ "$updated" = 1 ] || apt_step "apt: updating the package index" update
        # shellcheck disable=SC2086
        unavailable=$(unavailable_packages $missing)
        [ -z "$unavailable" ] ||
            die "the package archive offers no package named: ${unavailable//$'\n'/ } (is the apt index current? apt-get update)"
    fi
    if [ -n "$missing" ]; then
        log "apt: missing: ${missing//$'\n'/ }"
        # shellcheck disable=SC2086
        local count
        count=$(wc -l <<<"$missing")
        apt_install "apt: installing $count package$([ "$count" = 1 ] || echo s)" $missing
    fi
    meson_ok || apt_install "apt: installing meson from bookworm-backports" -t bookworm-backports meson
    meson_ok || die "meson >= $MESON_MIN is required (bookworm-backports has it)"
    iommufd_headers_ok ||
        apt_install "apt: installing linux-libc-dev from bookworm-backports (<linux/iommufd.h>)" \
            -t bookworm-backports linux-libc-dev
    iommufd_headers_ok || die "<linux/iommufd.h> is required (linux-libc-dev from bookworm-backports has it)"
    # After the UAPI headers: bookworm-backports' linux-libc-dev is
    # Architecture: all and so serves the arm64 libc6-dev too; installed
    # before it, apt would pick bookworm's linux-libc-dev:arm64, whose
    # Multi-Arch: same pins the host's to 6.1 and removes the toolchain.
    [ "$ARCH" = x86_64 ] || setup_arm64
    [ -n "${MYPCI_DPKG_ADMINDIR:-}${MYPCI_OS_RELEASE:-}${MYPCI_APT_SOURCES_FILE:-}" ] ||
        checked_key >"$(checked_stamp)"
}

setup_arm64() {
    local missing count unavailable
    if ! grep -qx arm64 <<<"$(dpkg --print-foreign-architectures)"; then
        log "apt: adding arm64 as a dpkg architecture (multiarch), for the aarch64 guest"
        as_root dpkg --add-architecture arm64
        apt_step "apt: updating the package index (arm64)" update
    fi
    missing=$(missing_packages "${AARCH64_PACKAGES[@]}")
    [ -n "$missing" ] || return 0
    # shellcheck disable=SC2086
    unavailable=$(unavailable_packages $missing)
    [ -z "$unavailable" ] ||
        die "the package archive offers no package named: ${unavailable//$'\n'/ } (the aarch64 guest needs them; is the apt index current? apt-get update)"
    count=$(wc -l <<<"$missing")
    # shellcheck disable=SC2086
    apt_install "apt: installing $count package$([ "$count" = 1 ] || echo s) for the aarch64 guest (${missing//$'\n'/ })" $missing
}

case ${1:-} in
"") main ;;
--arch)
    case ${2:-} in
    x86_64 | aarch64) ARCH=$2 ;;
    *) die "setup-host.sh: unknown architecture '${2:-}' (want x86_64 or aarch64)" ;;
    esac
    main
    ;;
*) "$@" ;;
esac
