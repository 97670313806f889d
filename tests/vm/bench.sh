#!/usr/bin/env bash
# VM test: ./mypci bench end to end, with few iterations: one guest with
# mypci, edu and pci-testdev; the JSON must have the documented shape with
# every figure measured (scripts/bench-report.py check), and the table and
# the plot must come out. Then mypci-bench --quick --json, as the main job
# runs it. Benchmarks measure: no timing is judged here.
set -u
. "$(dirname "$0")/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
report=$MYPCI_ROOT/scripts/bench-report.py
PYTHON=/usr/bin/python3

start=$SECONDS
"$MYPCI" bench --iterations 200 --sizes 64,4K,1M --json "$tmp/bench.json" \
    --plot "$tmp/bench.png" >"$tmp/out" 2>"$tmp/err"
status=$?
ok "$status" "./mypci bench exits 0 (status $status, $((SECONDS - start)) s)" \
    "$(tail -n 20 "$tmp/err")"
"$PYTHON" "$report" check --require-run --require-available "$tmp/bench.json" \
    >"$tmp/check" 2>&1
ok $? "bench JSON: documented shape, every figure measured, run config" \
    "$(head -n 20 "$tmp/check")"
"$PYTHON" - "$tmp/bench.json" >"$tmp/devs" 2>&1 <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
present = {d["name"] for d in doc["devices"] if d["present"]}
assert present == {"mypci", "edu", "pci-testdev"}, present
assert any(d.startswith("pci-testdev,membar=") for d in doc["run"]["devices"])
assert doc["options"]["sizes"] == [64, 4096, 1048576], doc["options"]
assert doc["options"]["iterations"] == 200
assert doc["clocksource"] == "tsc", doc["clocksource"]
PY
ok $? "bench JSON: three devices in one guest, the options asked for, tsc" \
    "$(cat "$tmp/devs")"
grep -q '^== targets' "$tmp/out" &&
    grep -q '^  edu raise (0x60) -> MSI eventfd ' "$tmp/out" &&
    grep -q '^  pci-testdev BAR0 read (count) ' "$tmp/out" &&
    grep -q '^1 MiB ' "$tmp/out"
ok $? "bench table: mypci beside edu and pci-testdev, DMA sizes, targets" \
    "$(head -n 40 "$tmp/out")"
png_magic=$(head -c 8 "$tmp/bench.png" | od -An -tx1 | tr -d ' \n')
[ "$png_magic" = 89504e470d0a1a0a ]
ok $? "bench plot: a PNG" "$(ls -l "$tmp")"

# The main job's summary, with its JSON through the share.
mkdir "$tmp/share"
"$MYPCI" exec --share "$tmp/share" --device mypci -- \
    mypci-bench --quick --bind --json quick.json >"$tmp/quick" 2>&1
status=$?
ok "$status" "mypci-bench --quick --json exits 0 (status $status)" \
    "$(tail -n 20 "$tmp/quick")"
grep -q '^IRQ_RAISE(SOFT) -> MSI-X eventfd ' "$tmp/quick" &&
    grep -q '^DMA 4 KiB doorbell -> DONE (polled) ' "$tmp/quick"
ok $? "mypci-bench --quick still prints its summary" "$(cat "$tmp/quick")"
"$PYTHON" "$report" check --require-available "$tmp/share/quick.json" \
    >"$tmp/check" 2>&1
ok $? "quick JSON: documented shape, every figure measured" \
    "$(cat "$tmp/check")"
tap_done
