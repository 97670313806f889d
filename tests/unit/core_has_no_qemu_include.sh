#!/bin/sh
# Fails unless every #include in the mypci core (device/core/*.[ch], or the
# directory given as $1) names a standard C header, mypci_core.h or the ABI
# header mypci/abi.h: the core must build and be tested without QEMU.
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu

dir=${1:-$(dirname "$0")/../../device/core}
allowed='assert|complex|ctype|errno|fenv|float|inttypes|iso646|limits|locale'
allowed="$allowed|math|setjmp|signal|stdalign|stdarg|stdatomic|stdbool|stddef"
allowed="$allowed|stdint|stdio|stdlib|stdnoreturn|string|tgmath|threads|time"
allowed="$allowed|uchar"
good="[[:space:]]*#[[:space:]]*include[[:space:]]*(<($allowed)\\.h>|\"(mypci_core|mypci/abi)\\.h\")[[:space:]]*(/[*/].*)?$"

status=0
checked=0
for f in "$dir"/*.c "$dir"/*.h; do
    [ -f "$f" ] || continue
    checked=$((checked + 1))
    # Every line that is an include directive, however it is spaced.
    if grep -nE '^[[:space:]]*#[[:space:]]*include' "$f" |
        grep -vE "^[0-9]+:$good" >&2; then
        echo "$f: includes something other than standard C, mypci_core.h or mypci/abi.h" >&2
        status=1
    fi
done
if [ "$checked" -eq 0 ]; then
    echo "no C files in $dir" >&2
    exit 1
fi
exit $status
