# Shared settings for mypci's scripts. The one place versions are pinned.
# shellcheck shell=bash

# QEMU: Debian's source package, pinned. 10.2.2 has the vfio-user client.
QEMU_VERSION=10.2.2
QEMU_DEB_VERSION="1:10.2.2+ds-1"
QEMU_SUITE=sid
MESON_MIN=1.5

# Guest kernel, selected by --kernel: 6.1 is Debian's stock kernel; 6.12 is
# built from Debian's linux-source package with guest-image/kernel-6.12.config
# (IOMMUFD and the vfio cdev, which no Debian amd64 kernel enables).
DEFAULT_KERNEL=6.1
KERNEL_SOURCE_6_12=6.12.117-1~deb12u1

# The kernel's VFIO selftests (./mypci kselftest) come from the newest Linux
# tree Debian serves: sid's binary package linux-source-SERIES (sid's source
# package files for it 404 soon after each upload; the binary stays). Fetched
# through a private apt configuration in the cache, never added to the
# machine's sources. kselftest/build.sh names what sid offers when this goes;
# the environment may name another tree to try.
KSELFTEST_LINUX_SERIES=${KSELFTEST_LINUX_SERIES:-7.2}
KSELFTEST_LINUX_VERSION=${KSELFTEST_LINUX_VERSION:-7.2.13-1}
KSELFTEST_SUITE=sid

# Free space a cold build needs in the cache, with margin: QEMU's source and
# build take ~0.7 GiB (the ASan build ~0.5 GiB more), the 6.12 kernel's tree
# and objects ~2 GiB while it builds (then only vmlinux is kept).
QEMU_BUILD_GIB=4
KERNEL_BUILD_GIB=4

MYPCI_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MYPCI_CACHE=${MYPCI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mypci}

# /usr/bin/python3 on purpose: a pyenv python3 may come first on PATH.
PYTHON=/usr/bin/python3

log() { printf 'mypci: %s\n' "$*" >&2; }
die() { printf 'mypci: error: %s\n' "$*" >&2; exit 1; }

# ---- the set-up path: named steps, progress, and no silent failure -----------

# A failing command that no explicit check caught still names itself: the
# script, the line, the command and its status. The set-up scripts call
# trap_errors; errtrace carries it into functions and command substitutions,
# so the innermost failure speaks and the assignment around it stays quiet.
on_error() {
    local status=$? cmd=$BASH_COMMAND
    trap - ERR
    if [[ ! $cmd =~ ^[A-Za-z_][A-Za-z0-9_]*=\$\( ]]; then
        printf 'mypci: error: %s line %s: `%s` failed with status %d\n' \
            "${BASH_SOURCE[1]##*/}" "${BASH_LINENO[0]}" "$cmd" "$status" >&2
    fi
    exit "$status"
}
trap_errors() {
    set -eE -o pipefail
    trap on_error ERR
}

# m:ss of a number of seconds.
fmt_duration() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }

# The progress of a step from its log: ninja's "[N/M]" status, else a count
# of what make compiled, else the log's last line.
step_progress() {
    local logf=$1 line
    line=$(tail -c 4096 "$logf" 2>/dev/null | tr '\r' '\n' | grep -v '^[[:space:]]*$' | tail -n 1) || true
    if [[ $line =~ ^\[([0-9]+/[0-9]+)\] ]]; then
        echo "[${BASH_REMATCH[1]}]"
    elif [[ $line =~ ^\ \ (CC|LD|AR|AS)\  ]]; then
        echo "$(grep -c '^  CC ' "$logf") objects compiled"
    else
        printf '%s' "${line:0:60}"
    fi
}

# Watches a step until PID ends: a live line on a terminal, a line every
# MYPCI_PROGRESS_EVERY (30) seconds in a log.
watch_step() {
    local what=$1 logf=$2 pid=$3 start=$4 last=$SECONDS every=${MYPCI_PROGRESS_EVERY:-30}
    local tty=0
    [ -t 2 ] && tty=1
    what=${what%% (*}
    while kill -0 "$pid" 2>/dev/null; do
        sleep 1
        kill -0 "$pid" 2>/dev/null || break
        if [ "$tty" = 1 ]; then
            printf '\rmypci: %s %s %s\033[K' "$what" "$(fmt_duration $((SECONDS - start)))" \
                "$(step_progress "$logf")" >&2
        elif [ $((SECONDS - last)) -ge "$every" ]; then
            last=$SECONDS
            log "$what: $(fmt_duration $((SECONDS - start))) elapsed $(step_progress "$logf")"
        fi
    done
    [ "$tty" = 0 ] || printf '\r\033[K' >&2
}

# step WHAT LOG CMD...: runs a long set-up step with its output in LOG,
# shows its progress and records its time in MYPCI_TIMINGS (when set);
# returns the command's status.
step() {
    local what=$1 logf=$2 start=$SECONDS pid status=0
    shift 2
    mkdir -p "$(dirname "$logf")"
    [ -n "${MYPCI_QUIET_STEP:-}" ] || log "$what (log: $logf)"
    "$@" >"$logf" 2>&1 </dev/null &
    pid=$!
    watch_step "$what" "$logf" "$pid" "$start"
    wait "$pid" || status=$?
    [ -z "${MYPCI_TIMINGS:-}" ] || printf '%s\t%s\n' "$what" "$((SECONDS - start))" >>"$MYPCI_TIMINGS"
    [ "$status" != 0 ] || [ $((SECONDS - start)) -lt 10 ] ||
        log "${what%% (*}: done in $(fmt_duration $((SECONDS - start)))"
    return "$status"
}

# run_step WHAT LOG CMD...: step, and a failure names the step, the command,
# its status and the tail of its output.
run_step() {
    local status=0
    step "$@" || status=$?
    [ "$status" = 0 ] || step_failed "$1" "$status" "$2" "${@:3}"
}

# step_failed WHAT STATUS LOG CMD...
step_failed() {
    local what=$1 status=$2 logf=$3
    shift 3
    log "error: $what failed: \`$*\` exited with status $status; last lines of $logf:"
    tail -n "${MYPCI_TAIL_LINES:-25}" "$logf" | sed 's/^/  | /' >&2
    exit 1
}

# The cache must be a folder this user can write; say so before any step.
ensure_cache_writable() {
    local probe
    mkdir -p "$MYPCI_CACHE" 2>/dev/null && probe=$(mktemp "$MYPCI_CACHE/.write-test.XXXXXX" 2>/dev/null) ||
        die "the cache folder $MYPCI_CACHE is not writable (set MYPCI_CACHE to a folder you can write)"
    rm -f "$probe"
}

# need_disk WHAT GIB: the cache's file system must have GIB free for WHAT.
need_disk() {
    local what=$1 gib=$2 avail_kib
    avail_kib=$(df -Pk "$MYPCI_CACHE" | awk 'NR == 2 { print $4 }')
    [ "$avail_kib" -ge $((gib * 1024 * 1024)) ] ||
        die "$what needs $gib GiB free in $MYPCI_CACHE; $(df -Ph "$MYPCI_CACHE" | awk 'NR == 2 { print $4 " are free on " $6 }') (free some space or set MYPCI_CACHE elsewhere)"
}

# Runs a command as root: directly, or through sudo where it may be used
# without a password prompt; otherwise says why root is needed.
as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        sudo -n "$@"
    else
        die "${AS_ROOT_WHY:-this step} needs root: run as root (or with sudo, which is not available here without a password)"
    fi
}
