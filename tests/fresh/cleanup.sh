#!/usr/bin/env bash
# The fresh-root test leaves nothing behind when its command fails or runs
# out of time, or when the test itself is killed: no mount, no process, no
# root folder. TAP.
set -u
root=${MYPCI_ROOT:?MYPCI_ROOT must point at the source tree}
. "$root/tests/vm/tap.sh"
fresh="$root/tests/fresh/fresh-root.sh"
export MYPCI_FRESH_DIR=${MYPCI_FRESH_DIR:-/var/tmp}/mypci-cleanup-test.$$
mkdir -p "$MYPCI_FRESH_DIR"
trap 'rm -rf --one-file-system "$MYPCI_FRESH_DIR"' EXIT

left_behind() {
    findmnt -rn -o TARGET | grep -F "$MYPCI_FRESH_DIR/" || true
    find "$MYPCI_FRESH_DIR" -mindepth 1 -maxdepth 1 | head -n 3
    pgrep -f "mypci-cleanup-test.$$/mypci-fresh" || true
}

# fails_cleanly WHAT EXPECTED ARGS...: the test fails with EXPECTED in its
# output, and leaves nothing behind.
fails_cleanly() {
    local what=$1 expected=$2 out status left
    shift 2
    out=$("$fresh" "$@" 2>&1)
    status=$?
    [ "$status" != 0 ] && grep -qF "$expected" <<<"$out"
    ok $? "$what fails the test (status $status)" "$out"
    left=$(left_behind)
    [ -z "$left" ]
    ok $? "after $what: no mount, no process, no root left" "$left"
}
fails_cleanly "a command past --timeout" "not ok 2 - 'sleep 600' did not finish within 5 s" \
    --timeout 5 -- sleep 600
fails_cleanly "a failing command" "not ok 2 - 'false' exits 0 (status 1" -- false

# The test itself killed while its command runs in the root.
"$fresh" -- sleep 600 >"$MYPCI_FRESH_DIR.out" 2>&1 &
pid=$!
for _ in $(seq 120); do
    grep -q 'in /root/mypci: sleep 600' "$MYPCI_FRESH_DIR.out" 2>/dev/null && break
    sleep 1
done
mounted=$(findmnt -rn -o TARGET | grep -cF "$MYPCI_FRESH_DIR/")
kill -TERM "$pid"
wait "$pid"
status=$?
left=$(left_behind)
[ "$status" != 0 ] && [ "$mounted" = 0 ] && [ -z "$left" ]
ok $? "killed mid-run (status $status): nothing left; the host never saw the root's mounts ($mounted)" \
    "$(cat "$MYPCI_FRESH_DIR.out"; echo "left: $left")"
rm -f "$MYPCI_FRESH_DIR.out"

tap_done
