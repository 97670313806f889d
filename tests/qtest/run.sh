#!/usr/bin/env bash
# Runs the qtest device tests (mypci-test.c, built inside QEMU's tree by
# scripts/build-qemu.sh) against the QEMU that ./mypci builds.
set -euo pipefail
eval "$("${MYPCI_ROOT:?}/mypci" prepare | grep '^QEMU=')"
cd "$(dirname "$QEMU")"
QTEST_QEMU_BINARY=./qemu-system-x86_64 exec tests/qtest/mypci-test --tap -k
