#!/usr/bin/env bash
# Runs the qtest device tests (mypci-test.c, built inside QEMU's tree by
# scripts/build-qemu.sh) against the QEMU that ./mypci builds.
set -euo pipefail
# With MYPCI_SANITIZE=1: the ASan+UBSan QEMU and the options it runs with.
prepared=$("${MYPCI_ROOT:?}/mypci" prepare)
while IFS='=' read -r name value; do
    case $name in
    QEMU) QEMU=$value ;;
    ASAN_OPTIONS | UBSAN_OPTIONS) export "$name=$value" ;;
    esac
done <<<"$prepared"
cd "$(dirname "$QEMU")"
QTEST_QEMU_BINARY=./qemu-system-x86_64 exec tests/qtest/mypci-test --tap -k
