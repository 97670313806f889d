# Handing the launcher's VM over to a fresh QEMU while the guest's command
# runs: ./mypci exec --migrate N live-migrates it N times (the same command
# line plus -incoming on a UNIX socket), --savevm N saves it to a qcow2
# snapshot N times and resumes it with -loadvm; both driven over QMP by
# scripts/qmp.py. One console filter reads every QEMU's serial output from
# one FIFO, so the command's output, status and timeout carry on as if
# nothing happened. Sourced by ./mypci.
# shellcheck shell=bash

# The qcow2 scratch disk that savevm stores its snapshots in (no device
# uses it; savevm needs a block device that can hold snapshots).
snapshot_disk() {
    local dir=$1
    qemu-img create -q -f qcow2 "$dir/snapshots.qcow2" 64M ||
        die "qemu-img could not create the snapshot disk (is qemu-utils installed? ./mypci prepare installs it)"
    QEMU_ARGS+=(-drive "if=none,id=mypci-snapshots,format=qcow2,file=$dir/snapshots.qcow2")
}

# start_qemu DIR N OUT_FD [EXTRA ARGS...]: QEMU number N in the background,
# its serial console into OUT_FD, its QMP socket DIR/qmpN.sock, its stderr
# shown and kept in DIR/qemuN.err; sets QEMU_PID.
start_qemu() {
    local dir=$1 n=$2 out_fd=$3
    shift 3
    "$QEMU" "${QEMU_ARGS[@]}" -qmp "unix:$dir/qmp$n.sock,server=on,wait=off" "$@" \
        </dev/null >&"$out_fd" 2> >(tee "$dir/qemu$n.err" >&2) &
    QEMU_PID=$!
}

# Waits until PATH exists while PID lives, at most S seconds.
wait_for_file() {
    local path=$1 pid=$2 tenths=$(($3 * 10))
    while [ ! -e "$path" ] && kill -0 "$pid" 2>/dev/null && [ "$tenths" -gt 0 ]; do
        sleep 0.1
        tenths=$((tenths - 1))
    done
    [ -e "$path" ]
}

# Sleeps S seconds unless the command ends, QEMU ends or the deadline comes;
# true when the whole time passed with the guest still running its command.
guest_runs_for() {
    local dir=$1 seconds=$2 deadline=$3 tenths=$(($2 * 10))
    while [ "$tenths" -gt 0 ]; do
        [ ! -f "$dir/status" ] && kill -0 "$QEMU_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ] ||
            return 1
        sleep 0.1
        tenths=$((tenths - 1))
    done
}

# migrate_once DIR N TOTAL START: moves the VM from QEMU N-1 to a new QEMU N
# by live migration over a UNIX socket.
migrate_once() {
    local dir=$1 n=$2 total=$3 start=$4 old_pid=$QEMU_PID figures
    start_qemu "$dir" "$n" "$CONSOLE_FD" -incoming "unix:$dir/mig$n.sock"
    local new_pid=$QEMU_PID
    if ! wait_for_file "$dir/mig$n.sock" "$new_pid" 30; then
        handover_failed "$dir" migration "$n" "$total" "the destination QEMU did not listen on $dir/mig$n.sock" "$old_pid" "$new_pid"
    fi
    if ! figures=$("$PYTHON" "$MYPCI_ROOT/scripts/qmp.py" migrate "$dir/qmp$((n - 1)).sock" \
        "unix:$dir/mig$n.sock" --timeout 120 --json "$dir/migrations.jsonl" 2>"$dir/qmp$n.err"); then
        handover_failed "$dir" migration "$n" "$total" "$(sed 's/^qmp.py: //' "$dir/qmp$n.err")" "$old_pid" "$new_pid"
    fi
    wait "$old_pid" 2>/dev/null || true
    log "migration $n/$total at $((SECONDS - start)) s: $figures"
}

# snapshot_once DIR N TOTAL START: savevm in QEMU N-1 (an internal snapshot
# of the run's qcow2 disk), which then quits; QEMU N resumes from it with
# -loadvm.
snapshot_once() {
    local dir=$1 n=$2 total=$3 start=$4 old_pid=$QEMU_PID figures
    if ! figures=$("$PYTHON" "$MYPCI_ROOT/scripts/qmp.py" savevm "$dir/qmp$((n - 1)).sock" \
        "mypci-$n" --timeout 120 --json "$dir/snapshots.jsonl" 2>"$dir/qmp$n.err"); then
        handover_failed "$dir" "savevm" "$n" "$total" "$(sed 's/^qmp.py: //' "$dir/qmp$n.err")" "$old_pid" ""
    fi
    wait "$old_pid" 2>/dev/null || true
    start_qemu "$dir" "$n" "$CONSOLE_FD" -loadvm "mypci-$n"
    if ! wait_for_file "$dir/qmp$n.sock" "$QEMU_PID" 30; then
        handover_failed "$dir" loadvm "$n" "$total" "QEMU did not start with -loadvm mypci-$n" "" "$QEMU_PID"
    fi
    log "snapshot $n/$total at $((SECONDS - start)) s: $figures; resumed in a new QEMU with -loadvm"
}

# handover_failed DIR WHAT N TOTAL WHY OLD_PID NEW_PID
handover_failed() {
    local dir=$1 what=$2 n=$3 total=$4 why=$5 old_pid=$6 new_pid=$7 f
    log "error: $what $n/$total failed: $why"
    for f in "$dir/qemu$((n - 1)).err" "$dir/qemu$n.err"; do
        [ -s "$f" ] || continue
        log "last lines of ${f##*/} (QEMU $([ "$f" = "$dir/qemu$n.err" ] && echo destination || echo source)):"
        tail -n 10 "$f" | sed 's/^/  | /' >&2
    done
    kill $old_pid $new_pid 2>/dev/null
    wait $old_pid $new_pid 2>/dev/null
    exit 1
}

# vm_run_migrating DIR TIMEOUT CONSOLE_LOG HOW N EVERY: the VM run of
# vm_exec with N handovers to a new QEMU (HOW: migrate or snapshot), EVERY
# seconds apart once the command has started. Leaves the same files as the
# plain run (status, qemu-status, boot-timeout); fails when a handover fails
# or the command ended before all of them.
vm_run_migrating() {
    local dir=$1 timeout=$2 console_log=$3 how=$4 total=$5 every=$6
    local deadline=$((SECONDS + timeout)) n=0 start filter_pid
    mkfifo "$dir/console.fifo"
    console_filter "$dir/status" "$console_log" "$VM_VERBOSE" "$dir/started" <"$dir/console.fifo" &
    filter_pid=$!
    # Held open by the launcher: the filter sees one stream across QEMUs.
    exec {CONSOLE_FD}>"$dir/console.fifo"
    start_qemu "$dir" 0 "$CONSOLE_FD"
    if ! wait_for_file "$dir/started" "$QEMU_PID" "$BOOT_TIMEOUT"; then
        kill -0 "$QEMU_PID" 2>/dev/null && { touch "$dir/boot-timeout"; kill "$QEMU_PID"; }
    fi
    start=$SECONDS
    while [ -f "$dir/started" ] && [ "$n" -lt "$total" ]; do
        guest_runs_for "$dir" "$every" "$deadline" || break
        n=$((n + 1))
        "${how}_once" "$dir" "$n" "$total" "$start"
    done
    while kill -0 "$QEMU_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    if kill -0 "$QEMU_PID" 2>/dev/null; then
        kill "$QEMU_PID"
        echo 124 >"$dir/qemu-status"
    fi
    local qemu_status=0
    wait "$QEMU_PID" 2>/dev/null || qemu_status=$?
    [ -f "$dir/qemu-status" ] || echo "$qemu_status" >"$dir/qemu-status"
    exec {CONSOLE_FD}>&-
    wait "$filter_pid" 2>/dev/null
    if [ -f "$dir/status" ] && [ "$n" -lt "$total" ]; then
        log "error: the command ended after $n of $total ${how/migrate/migration}s (every $every s): give it longer, or hand over more often"
        echo 1 >"$dir/migrate-short"
    fi
}
