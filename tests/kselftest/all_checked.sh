#!/bin/sh
# Every constant the selftests driver's registers.h defines is in the table
# of ks_registers.c, so test_kselftest_registers compares it.
# usage: all_checked.sh REGISTERS_H KS_REGISTERS_C
set -eu
missing=0
for name in $(sed -n 's/^#define \(MYPCI_[A-Z0-9_]*\).*/\1/p' "$1"); do
    grep -q "KS($name[()]" "$2" || { echo "not compared: $name"; missing=1; }
done
[ "$missing" = 0 ] && echo "every constant of $(basename "$1") is compared"
exit "$missing"
