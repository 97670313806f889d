# TAP helpers for the VM tests (sourced).
# shellcheck shell=bash
tap_n=0
tap_failed=0

ok() { # ok CONDITION-STATUS DESCRIPTION [DIAGNOSTIC]
    tap_n=$((tap_n + 1))
    if [ "$1" = 0 ]; then
        echo "ok $tap_n - $2"
    else
        echo "not ok $tap_n - $2"
        [ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/# /'
        tap_failed=$((tap_failed + 1))
    fi
}

# Re-numbers a guest program's TAP lines into this script's plan.
relay_guest_tap() {
    local line
    while IFS= read -r line; do
        case $line in
        "ok "*) ok 0 "guest: ${line#ok * - }" ;;
        "not ok "*) ok 1 "guest: ${line#not ok * - }" ;;
        "1.."*) ;;
        *) echo "# $line" ;;
        esac
    done
}

tap_done() {
    echo "1..$tap_n"
    [ "$tap_failed" = 0 ]
}

MYPCI=${MYPCI_ROOT:?MYPCI_ROOT must point at the source tree}/mypci
