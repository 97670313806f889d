#!/usr/bin/env bash
# The set-up path on someone else's machine: the package check, the mirror,
# and a clear message (and a non-zero exit) for each first thing that goes
# wrong: a failing command, not root, not Debian 12, no archive, too little
# disk, an unwritable cache. Runs on the host without building anything. TAP.
set -u
root=${MYPCI_ROOT:?MYPCI_ROOT must point at the source tree}
. "$root/tests/vm/tap.sh"
setup="$root/scripts/setup-host.sh"
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT

# A dpkg database of our own: bash installed, hello removed (config files
# left), everything else unknown to dpkg.
fake_dpkg() {
    local d=$1
    mkdir -p "$d/updates" "$d/info"
    cat >"$d/status" <<'EOF'
Package: bash
Status: install ok installed
Version: 5.2.15-2+b2
Architecture: amd64
Maintainer: nobody
Description: shell

Package: hello
Status: deinstall ok config-files
Version: 2.10-3
Architecture: amd64
Maintainer: nobody
Description: greeting

EOF
}
fake_dpkg "$tmp/dpkg"
mkdir -p "$tmp/empty-dpkg/updates" "$tmp/empty-dpkg/info"
: >"$tmp/empty-dpkg/status"

# ---- the package check ------------------------------------------------------

out=$(MYPCI_DPKG_ADMINDIR=$tmp/dpkg "$setup" missing_packages bash hello no-such-package-mypci 2>&1)
status=$?
[ "$status" = 0 ] && [ "$out" = $'hello\nno-such-package-mypci' ]
ok $? "missing_packages: an installed package is not listed; a removed one and an unknown one are (status $status)" "$out"

out=$(MYPCI_DPKG_ADMINDIR=$tmp/dpkg "$setup" missing_packages bash 2>&1)
[ $? = 0 ] && [ -z "$out" ]
ok $? "missing_packages: nothing missing prints nothing and succeeds" "$out"

out=$("$setup" missing_packages bash coreutils 2>&1)
[ $? = 0 ] && [ -z "$out" ]
ok $? "missing_packages on this machine's dpkg: bash and coreutils are installed" "$out"

# The archive has bash; nobody has packaged this name.
out=$("$setup" unavailable_packages bash no-such-package-mypci 2>&1)
[ "$out" = no-such-package-mypci ]
ok $? "unavailable_packages names the package the archive does not offer" "$out"

# ---- the mirror ----------------------------------------------------------------

mkdir -p "$tmp/apt/sources.list.d"
cat >"$tmp/apt/sources.list.d/local.sources" <<'EOF'
Types: deb
URIs: http://mirror.example.internal/debian
Suites: bookworm bookworm-updates
Components: main

Types: deb
URIs: http://security.example.internal/debian-security
Suites: bookworm-security
Components: main
EOF
: >"$tmp/apt/sources.list"
apt_fixture=(-o "Dir::Etc::SourceList=$tmp/apt/sources.list" -o "Dir::Etc::SourceParts=$tmp/apt/sources.list.d")
out=$("$setup" machine_mirror "${apt_fixture[@]}" 2>&1)
[ "$out" = http://mirror.example.internal/debian ]
ok $? "machine_mirror: a machine set up for a local mirror keeps it (got '$out')"

echo 'deb http://old-style.example.internal/debian bookworm main' >"$tmp/apt/sources.list"
rm "$tmp/apt/sources.list.d/local.sources"
out=$("$setup" machine_mirror "${apt_fixture[@]}" 2>&1)
[ "$out" = http://old-style.example.internal/debian ]
ok $? "machine_mirror reads one-line sources.list entries too (got '$out')"

out=$("$setup" sources_text http://mirror.example.internal/debian 2>&1)
[ "$(grep -c '^URIs: http://mirror.example.internal/debian$' <<<"$out")" = 2 ] &&
    ! grep -q deb.debian.org <<<"$out"
ok $? "the deb-src and backports entries use the machine's mirror" "$out"

# ---- no silent failure -------------------------------------------------------

cat >"$tmp/failing-step.sh" <<EOF
#!/usr/bin/env bash
. "$root/scripts/lib.sh"
trap_errors
demo() { ls /no/such/file/mypci; }
demo
echo "not reached"
EOF
out=$(bash "$tmp/failing-step.sh" 2>&1)
status=$?
[ "$status" != 0 ] && grep -q 'failing-step.sh line [0-9]*: `ls /no/such/file/mypci` failed with status 2' <<<"$out" &&
    ! grep -q 'not reached' <<<"$out"
ok $? "a command that fails in a set-up script is named with its status (status $status)" "$out"

cat >"$tmp/failing-run-step.sh" <<EOF
#!/usr/bin/env bash
. "$root/scripts/lib.sh"
trap_errors
run_step "demo step" "$tmp/demo.log" sh -c 'echo line-one; echo line-two; exit 3'
EOF
out=$(bash "$tmp/failing-run-step.sh" 2>&1)
status=$?
[ "$status" != 0 ] && grep -q 'error: demo step failed: `sh -c .*` exited with status 3' <<<"$out" &&
    grep -q '^  | line-two$' <<<"$out"
ok $? "a failing step says which, its command, its status and the tail of its output" "$out"

cat >"$tmp/pipefail.sh" <<EOF
#!/usr/bin/env bash
. "$root/scripts/lib.sh"
trap_errors
MYPCI_DPKG_ADMINDIR=$tmp/empty-dpkg
. <(sed -n '/^missing_packages()/,/^}/p' "$setup")
missing=\$(missing_packages bash no-such-package-mypci)
echo "missing: \$missing"
EOF
out=$(bash "$tmp/pipefail.sh" 2>&1)
[ $? = 0 ] && grep -q 'missing: bash' <<<"$out"
ok $? "the package check under set -eE -o pipefail with missing packages goes on (the bug of issue 11)" "$out"

# ---- the first things that go wrong on someone else's machine -------------------

not_debian_12() { # PRETTY_NAME ID VERSION_ID: the set-up refuses, naming it
    printf 'PRETTY_NAME="%s"\nID=%s\nVERSION_ID="%s"\n' "$1" "$2" "$3" >"$tmp/os-release"
    out=$(MYPCI_OS_RELEASE=$tmp/os-release "$setup" 2>&1)
    status=$?
    [ "$status" != 0 ] && grep -qF "mypci needs Debian 12 (bookworm); this machine is '$1'" <<<"$out"
    ok $? "not Debian 12 ($1): the message names what was found (status $status)" "$out"
}
not_debian_12 "Ubuntu 24.04.1 LTS" ubuntu 24.04
not_debian_12 "Debian GNU/Linux 13 (trixie)" debian 13

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    # As nobody, everything looks missing: installing needs root, no sudo.
    # nobody runs a copy of the launcher and its scripts: the clone itself
    # may sit where nobody cannot read it (/root).
    mkdir -p "$tmp/nobody-cache" "$tmp/tree" && chown 65534 "$tmp/nobody-cache"
    cp -r "$root/mypci" "$root/scripts" "$tmp/tree/"
    chmod -R a+rX "$tmp/empty-dpkg" "$tmp/tree"
    out=$(env -u SUDO_USER PATH=/usr/sbin:/usr/bin:/sbin:/bin MYPCI_CACHE=$tmp/nobody-cache \
        MYPCI_DPKG_ADMINDIR=$tmp/empty-dpkg MYPCI_APT_SOURCES_FILE=$tmp/nobody-cache/mypci.sources \
        setpriv --reuid=65534 --regid=65534 --clear-groups "$tmp/tree/scripts/setup-host.sh" 2>&1)
    status=$?
    [ "$status" != 0 ] && grep -q 'needs root: run as root' <<<"$out"
    ok $? "not root and no sudo: the set-up says root is needed, and for what (status $status)" "$out"

    out=$(setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent MYPCI_CACHE= \
        "$tmp/tree/mypci" prepare 2>&1)
    status=$?
    [ "$status" != 0 ] && grep -q 'the cache folder /nonexistent/.cache/mypci is not writable' <<<"$out"
    ok $? "a cache folder that cannot be written is named (status $status)" "$out"
else
    ok 0 "# SKIP not root: the not-root checks need setpriv as root"
    ok 0 "# SKIP not root"
fi

if [ "$(id -u)" = 0 ] && unshare --mount true 2>/dev/null; then
    # with_cache_tmpfs OPTS DIR CMD...: CMD with MYPCI_CACHE=DIR, a tmpfs
    # mounted with OPTS in a mount namespace of its own; sets out, status.
    with_cache_tmpfs() {
        local opts=$1 dir=$2
        shift 2
        mkdir -p "$dir"
        out=$(unshare --mount sh -c 'mount -t tmpfs -o "$1" tmpfs "$2" && MYPCI_CACHE=$2 &&
            export MYPCI_CACHE && shift 2 && exec "$@"' sh "$opts" "$dir" "$@" 2>&1)
        status=$?
    }
    with_cache_tmpfs ro,size=1m "$tmp/ro-cache" "$root/mypci" prepare
    [ "$status" != 0 ] && grep -q "the cache folder $tmp/ro-cache is not writable" <<<"$out"
    ok $? "a read-only cache folder: named, before anything is built (status $status)" "$out"

    # Too little disk: a 64 MiB cache, a QEMU source not yet fetched.
    with_cache_tmpfs size=64m "$tmp/small-cache" "$root/scripts/build-qemu.sh"
    [ "$status" != 0 ] && grep -q "QEMU's source and build needs [0-9]* GiB free in $tmp/small-cache; 64M are free" <<<"$out"
    ok $? "too little disk for the QEMU build: how much is needed and where (status $status)" "$out"

    # No network: only loopback in a new network namespace. Everything
    # looks missing, so the set-up goes to the archive, and cannot reach it.
    out=$(MYPCI_DPKG_ADMINDIR=$tmp/empty-dpkg MYPCI_CACHE=$tmp/net-cache \
        unshare --net "$setup" 2>&1)
    status=$?
    [ "$status" != 0 ] && grep -q 'cannot reach the package archive http' <<<"$out"
    ok $? "the archive unreachable: said as such, with the archive's address (status $status)" "$out"
else
    # e.g. in a chroot, where the kernel refuses new mount namespaces.
    for t in read-only disk network; do ok 0 "# SKIP $t: needs root and unshare --mount, refused here"; done
fi

# ---- the aarch64 guest's set-up (--arch aarch64) ----------------------------

out=$("$setup" --arch sparc64 2>&1)
status=$?
[ "$status" != 0 ] && grep -qF "unknown architecture 'sparc64' (want x86_64 or aarch64)" <<<"$out"
ok $? "setup-host --arch with an unknown architecture names it (status $status)" "$out"
out=$("$root/scripts/build-qemu.sh" --arch sparc64 2>&1)
status=$?
[ "$status" != 0 ] && grep -qF "unknown architecture 'sparc64'" <<<"$out"
ok $? "build-qemu --arch with an unknown architecture names it (status $status)" "$out"
out=$(MYPCI_ARCH=sparc64 "$root/guest-image/build.sh" 6.1 2>&1)
status=$?
[ "$status" != 0 ] && grep -qF "unknown architecture 'sparc64'" <<<"$out"
ok $? "the guest image with an unknown architecture names it (status $status)" "$out"

# A missing cross compiler or arm64 package is found as such (the
# architecture-qualified names dpkg and apt know them by).
out=$(MYPCI_DPKG_ADMINDIR=$tmp/dpkg "$setup" missing_packages bash gcc-aarch64-linux-gnu libpci-dev:arm64 2>&1)
[ "$out" = $'gcc-aarch64-linux-gnu\nlibpci-dev:arm64' ]
ok $? "missing_packages lists a missing cross compiler and arm64 package" "$out"
out=$("$setup" unavailable_packages no-such-package-mypci:arm64 2>&1)
[ "$out" = no-such-package-mypci:arm64 ]
ok $? "unavailable_packages names an arm64 package the archive does not offer" "$out"

# A kernel without what the arm64 guest needs: named, symbol and reason.
printf 'CONFIG_ARM_GIC_V3_ITS=y\nCONFIG_PCI_HOST_GENERIC=y\nCONFIG_SERIAL_AMBA_PL011_CONSOLE=y\nCONFIG_VFIO_PCI=m\nCONFIG_VFIO_IOMMU_TYPE1=m\n# CONFIG_ARM_SMMU_V3 is not set\n' >"$tmp/config-nosmmu"
out=$(MYPCI_ARCH=aarch64 "$root/guest-image/build.sh" check_arm64_kernel "$tmp/config-nosmmu" linux-image-test 2>&1)
status=$?
[ "$status" != 0 ] && grep -qF "linux-image-test cannot run the aarch64 guest: it lacks CONFIG_ARM_SMMU_V3 (the SMMUv3 vIOMMU" <<<"$out"
ok $? "an arm64 kernel without SMMUv3: named, with why (status $status)" "$out"
sed -i 's/^# CONFIG_ARM_SMMU_V3 is not set$/CONFIG_ARM_SMMU_V3=y/' "$tmp/config-nosmmu"
out=$(MYPCI_ARCH=aarch64 "$root/guest-image/build.sh" check_arm64_kernel "$tmp/config-nosmmu" linux-image-test 2>&1)
ok $? "an arm64 kernel with everything passes the check" "$out"

tap_done
