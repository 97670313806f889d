#!/bin/sh
# Usage: no_core_header.sh CORE_DIR DIR...
# Fails if any C file under the DIRs includes a header of the device core
# (a file name found in CORE_DIR, or a path through device/core): the driver,
# the tools and the guest-side tests take the device's layout from the ABI
# header (include/mypci/abi.h), never from the device they judge.
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu

core=$1
shift
names=$(cd "$core" && ls -- *.h | sed 's/\./\\./g' | paste -sd '|' -)
bad="^[[:space:]]*#[[:space:]]*include[[:space:]]*[\"<]([^\">]*/)?($names)[\">]|^[[:space:]]*#[[:space:]]*include.*device/core/"

status=0
checked=0
for f in $(find "$@" -name '*.[ch]' | sort); do
    checked=$((checked + 1))
    if grep -nE "$bad" "$f" >&2; then
        echo "$f: includes a device core header; use mypci/abi.h" >&2
        status=1
    fi
done
if [ "$checked" -eq 0 ]; then
    echo "no C files in $*" >&2
    exit 1
fi
echo "$checked files, none includes a header of $core"
exit $status
