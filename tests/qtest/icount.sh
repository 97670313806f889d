#!/usr/bin/env bash
# ./mypci bench --instructions, twice on the same QEMU binary with the same
# input: every instruction count of the second run must equal the first's
# (the mode's point: figures no load or noise can move), and both must be
# sane (counts > 0, the 2N run counting more than the N run, every interrupt
# delivered). The counts must also tell the operations apart. TAP. The
# figures themselves are measurements and are not judged.
set -u
. "$MYPCI_ROOT/tests/vm/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
icount=$MYPCI_ROOT/scripts/bench-icount.py
PYTHON=/usr/bin/python3

for run in 1 2; do
    start=$SECONDS
    "$MYPCI" bench --instructions --ops 20 --json "$tmp/run$run.json" \
        >"$tmp/out$run" 2>"$tmp/err$run"
    status=$?
    ok "$status" "run $run: ./mypci bench --instructions exits 0 (status $status, $((SECONDS - start)) s)" \
        "$(tail -n 20 "$tmp/err$run")"
    "$PYTHON" "$icount" check "$tmp/run$run.json" >"$tmp/check" 2>&1
    ok $? "run $run: every measure counted, 2N > N > 0, interrupts delivered" \
        "$(cat "$tmp/check")"
done
"$PYTHON" "$icount" compare "$tmp/run1.json" "$tmp/run2.json" >"$tmp/cmp" 2>&1
ok $? "the second run counted exactly what the first did" "$(cat "$tmp/cmp")"
"$PYTHON" - "$tmp/run1.json" >"$tmp/distinct" 2>&1 <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
per_op = {m["id"]: m["per_op"] for m in doc["measures"]}
kinds = ["mypci/mmio/bar0_read", "mypci/mmio/bar0_write", "mypci/irq/msix",
         "mypci/dma/h2d/4096/poll", "edu/mmio/bar0_read", "edu/irq/msi"]
values = [per_op[k] for k in kinds]
assert len(set(values)) == len(values), dict(zip(kinds, values))
PY
ok $? "different operations count differently" "$(cat "$tmp/distinct")"
grep -q '^== targets (on these counts)' "$tmp/out1" &&
    grep -q 'mypci register read / edu <= 1.0: ' "$tmp/out1" &&
    grep -q '^  edu raise (0x60) + ack (0x64) -> MSI ' "$tmp/out1"
ok $? "table: mypci beside its references, the targets" "$(head -n 30 "$tmp/out1")"
tap_done
