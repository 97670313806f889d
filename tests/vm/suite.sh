# Running mypci-vfio-test in a guest and relaying its TAP (sourced after
# tap.sh by the conformance VM tests; they set $tmp).
# shellcheck shell=bash
# shellcheck disable=SC2154 # tmp: set by the sourcing script

# Relays mypci-vfio-test --tap output: its results become ours, its SKIP
# lines TAP skips, everything else comments.
relay_suite() { # PREFIX < output
    local prefix=$1 line name
    while IFS= read -r line; do
        case $line in
        "mypci-bench:"* | "operation "* | "BAR0 "* | "IRQ_RAISE"* | "DMA 4 KiB"*)
            echo "# latency: $line" ;;
        "real"*) echo "# conformance suite time in the guest: ${line#real}" ;;
        "ok "*)
            name=${line#ok * - }
            name=${name#*.c:}
            ok 0 "$prefix: ${name%: Passed}"
            ;;
        "not ok "*)
            name=${line#not ok * - }
            name=${name#*.c:}
            ok 1 "$prefix: ${name%%: *}" "${name#*: }"
            ;;
        "SKIP "*)
            tap_n=$((tap_n + 1))
            name=${line#SKIP }
            echo "ok $tap_n - $prefix: ${name%%: *} # SKIP ${name#*: }"
            ;;
        "1.."*) ;;
        *) echo "# $line" ;;
        esac
    done
}

# run_suite NAME EXPECTED-STATUS GUEST-SCRIPT VM-OPTIONS...
# The guest's output (stdout and stderr both) ends up in $tmp/NAME.
run_suite() {
    local name=$1 want=$2 script=$3 status
    shift 3
    "$MYPCI" exec "$@" -- sh -c "$script" >"$tmp/$name" 2>"$tmp/$name.err"
    status=$?
    relay_suite "$name" <"$tmp/$name"
    [ "$status" = "$want" ]
    ok $? "$name: mypci-vfio-test exit status $want (got $status)" \
        "$(tail -n 20 "$tmp/$name.err")"
}

# A guest command printing the device's driver ("" if none).
# shellcheck disable=SC2016,SC2034 # expanded in the guest; used by sourcers
driver_of='basename "$(readlink /sys/bus/pci/devices/$(lspci -D -n -d 1af4:1236 | cut -d" " -f1)/driver 2>/dev/null)" 2>/dev/null'

# check_backend NAME KIND NODE-REGEX: the tool said which backend it used.
check_backend() {
    grep -q "^# mypci-vfio-test: 0000:..:..\.. via $2 ($3)\$" "$tmp/$1"
    ok $? "$1: mypci-vfio-test went through $2 and said so" \
        "$(grep -m 3 'mypci-vfio-test:\|^# device' "$tmp/$1")"
}

# check_all_ran NAME: as many results as --list has tests (guest printed
# "tests-listed: N").
check_all_ran() {
    local listed ran
    listed=$(sed -n 's/^tests-listed: *//p' "$tmp/$1")
    ran=$(grep -c '^ok ' "$tmp/$1")
    [ -n "$listed" ] && [ "$ran" = "$listed" ]
    ok $? "$1: all $listed tests passed ($ran)"
}
