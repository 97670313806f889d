#!/usr/bin/env bash
# The first-contact check: a fresh Debian 12 root (debootstrap minbase), this
# machine's apt settings, a clean clone of the commit under test, an empty
# cache, root, no terminal; then one of the README's commands in there. It
# proves every package, download and build step from nothing. TAP output.
#
# usage: fresh-root.sh [--timeout S] [--keep] [-- COMMAND...]
#   COMMAND runs in the clone (default: ./mypci run; it must then end in
#   "verdict: PASS"); any other command must exit 0.
#   --timeout S  stop the command after S seconds (default 3000)
#   --keep       keep the root afterwards (for a look inside; unmounted)
# Environment: MYPCI_FRESH_DIR (default /var/tmp) holds the root;
# debootstrap's downloaded .debs are kept in MYPCI_CACHE/fresh-debs.
#
# Every mount lives in a private mount namespace and every process in a PID
# namespace of its own: when this script ends, however it ends, the kernel
# drops both, so nothing stays mounted or running; the root is then removed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/lib.sh"

FRESH_DIR=${MYPCI_FRESH_DIR:-/var/tmp}
FRESH_GIB=14 # packages ~2 GiB, QEMU ~4 GiB, the 6.12 kernel and ASan QEMU for "test"

usage() {
    sed -n '/^# usage:/,/^# Environment/p' "$0" | sed 's/^# \{0,1\}//' | head -n -1
}

# Inside the namespaces: build the root, run the command there. Mounts made
# here vanish with the namespace; the explicit unmount is for tidiness.
inner() {
    local root=$1 timeout=$2
    shift 2
    local mirror t0 status
    mirror=$("$MYPCI_ROOT/scripts/setup-host.sh" machine_mirror)
    [ -n "$mirror" ] || { echo "no Debian mirror in this machine's apt sources" >&2; return 3; }
    mkdir -p "$MYPCI_CACHE/fresh-debs"
    t0=$SECONDS
    echo "# debootstrap --variant=minbase bookworm from $mirror"
    if ! debootstrap --variant=minbase --cache-dir="$MYPCI_CACHE/fresh-debs" \
        bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1; then
        echo "not ok 1 - debootstrap minbase bookworm"
        tail -n 20 "$root.debootstrap.log" | sed 's/^/# /'
        return 1
    fi
    echo "ok 1 - debootstrap minbase bookworm ($((SECONDS - t0)) s)"

    # This machine's apt settings (its archive needs them), less the entry
    # that mypci's set-up adds: the fresh root must add it itself.
    rm -rf "$root/etc/apt" && cp -a /etc/apt "$root/etc/apt"
    rm -f "$root/etc/apt/sources.list.d/mypci.sources"
    cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    INNER_ROOT=$root
    trap 'umount -R "$INNER_ROOT/dev" "$INNER_ROOT/sys" "$INNER_ROOT/proc" 2>/dev/null' EXIT
    mount -t proc proc "$root/proc" && mount --rbind /sys "$root/sys" &&
        mount --rbind /dev "$root/dev" || { echo "not ok 2 - mounting /proc, /sys, /dev"; return 1; }

    # A clean clone of the commit under test (HEAD, even a detached one).
    local rev clone="$root/root/mypci"
    rev=$(git -C "$MYPCI_ROOT" rev-parse HEAD) && git init --quiet "$clone" &&
        git -C "$MYPCI_ROOT" push --quiet "$clone" "$rev:refs/heads/under-test" &&
        git -C "$clone" checkout --quiet under-test ||
        { echo "not ok 2 - cloning $MYPCI_ROOT"; return 1; }
    echo "# clone of $rev; in /root/mypci: $*"

    t0=$SECONDS
    local quoted
    quoted=$(printf '%q ' "$@")
    timeout -k 10 "$timeout" chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin CI=true \
        bash -c "cd /root/mypci && $quoted" </dev/null 2>&1 | tee "$root.command.log" | sed -u 's/^/# /'
    status=${PIPESTATUS[0]}
    local wall=$((SECONDS - t0))
    echo "# wall time of '$*' in the fresh root: $wall s ($(fmt_duration "$wall"))"
    if [ "$status" = 124 ]; then
        echo "not ok 2 - '$*' did not finish within $timeout s"
        return 1
    fi
    if [ "$*" = "./mypci run" ]; then
        [ "$status" = 0 ] && tail -n 1 "$root.command.log" | grep -q '^verdict: PASS'
        ok_line $? "'$*' ends in verdict: PASS (status $status, $(fmt_duration "$wall"))"
    else
        [ "$status" = 0 ]
        ok_line $? "'$*' exits 0 (status $status, $(fmt_duration "$wall"))"
    fi
}

ok_line() {
    if [ "$1" = 0 ]; then echo "ok 2 - $2"; else echo "not ok 2 - $2"; return 1; fi
}

main() {
    local timeout=3000 keep=0
    while [ $# -gt 0 ]; do
        case $1 in
        --timeout) [ $# -ge 2 ] || die "--timeout needs a value"; timeout=$2; shift ;;
        --keep) keep=1 ;;
        --inner) shift; inner "$@"; return ;;
        -h | --help) usage; return 0 ;;
        --) shift; break ;;
        *) die "unknown option '$1' (see --help)" ;;
        esac
        shift
    done
    [[ $timeout =~ ^[1-9][0-9]*$ ]] || die "bad --timeout '$timeout'"
    [ $# -gt 0 ] || set -- ./mypci run
    [ "$(id -u)" = 0 ] || die "the fresh-root test needs root (debootstrap, chroot, mounts)"
    command -v debootstrap >/dev/null || die "the fresh-root test needs debootstrap (apt-get install debootstrap; ./mypci prepare installs it)"
    command -v unshare >/dev/null || die "the fresh-root test needs unshare (util-linux)"
    ensure_cache_writable
    mkdir -p "$FRESH_DIR"
    local avail_kib
    avail_kib=$(df -Pk "$FRESH_DIR" | awk 'NR == 2 { print $4 }')
    [ "$avail_kib" -ge $((FRESH_GIB * 1024 * 1024)) ] ||
        die "the fresh root needs $FRESH_GIB GiB free in $FRESH_DIR (MYPCI_FRESH_DIR); $((avail_kib / 1024 / 1024)) GiB are free"
    if [ -n "$(git -C "$MYPCI_ROOT" status --porcelain --untracked-files=no)" ]; then
        echo "# note: uncommitted changes in $MYPCI_ROOT are not part of the clone (HEAD is tested)"
    fi
    local status=0
    FRESH_START=$SECONDS FRESH_KEEP=$keep
    FRESH_ROOT=$(mktemp -d "$FRESH_DIR/mypci-fresh.XXXXXX")
    chmod 755 "$FRESH_ROOT" # it becomes /: mktemp's 0700 would lock out non-root users
    trap cleanup EXIT
    trap 'exit 143' TERM
    trap 'exit 130' INT
    echo "1..2"
    # In the background, so that a signal reaches the trap at once (bash
    # runs traps only between commands); unshare's --kill-child takes the
    # namespace's processes with it when it ends.
    unshare --mount --propagation private --pid --fork --kill-child -- \
        "$0" --inner "$FRESH_ROOT" "$timeout" "$@" &
    FRESH_PID=$!
    wait "$FRESH_PID" || status=$?
    FRESH_PID=""
    return "$status"
}

# However the script ends: the namespaces are gone, and their mounts with
# them; check anyway before deleting, so a mount can never take host files
# with it.
cleanup() {
    local status=$?
    trap - EXIT TERM INT
    if [ -n "${FRESH_PID:-}" ]; then
        # unshare --fork ignores TERM and INT while it waits for its child,
        # and so does a PID namespace's init: only KILL ends them.
        kill -KILL "$FRESH_PID" 2>/dev/null
        wait "$FRESH_PID" 2>/dev/null
    fi
    if findmnt -rn -o TARGET | grep -q "^$FRESH_ROOT/"; then
        echo "# error: mounts are left under $FRESH_ROOT; not removing it"
        status=1
    elif [ "$FRESH_KEEP" = 1 ]; then
        echo "# kept: $FRESH_ROOT"
    else
        rm -rf --one-file-system "$FRESH_ROOT" "$FRESH_ROOT.debootstrap.log" "$FRESH_ROOT.command.log"
    fi
    echo "# fresh-root test: $(fmt_duration $((SECONDS - FRESH_START))) in all"
    exit "$status"
}

main "$@"
