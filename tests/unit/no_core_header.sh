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

files=$(find "$@" -name '*.[ch]' | sort)
if [ -z "$files" ]; then
    echo "no C files in $*" >&2
    exit 1
fi
# shellcheck disable=SC2086 # one word per file: the paths have no spaces
if grep -nHE "$bad" $files >&2; then
    echo "the files above include a device core header; use mypci/abi.h" >&2
    exit 1
fi
echo "$(echo "$files" | wc -l) files, none includes a header of $core"
