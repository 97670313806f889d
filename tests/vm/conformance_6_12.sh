#!/usr/bin/env bash
# VM test: the whole mypci conformance suite in the 6.12 guest once per
# IOMMU backend it offers: iommufd with the VFIO device cdev (what "auto"
# picks there) and type1 (the kernel also has VFIO_CONTAINER). The MSI and
# INTx variants and the broken devices run only in conformance.sh (6.1):
# they test the device and the suite, not the backend.
set -u
. "$(dirname "$0")/tap.sh"
# shellcheck source=tests/vm/suite.sh
. "$(dirname "$0")/suite.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. auto: /dev/iommu and /dev/vfio/devices/vfioN exist, so iommufd. The
# tool binds the device itself and restores it; the bench forces iommufd.
run_suite iommufd 0 "
    echo \"tests-listed: \$(mypci-vfio-test --list | wc -l)\"
    time mypci-vfio-test --bind --tap; s=\$?
    echo \"driver-after: [\$($driver_of)]\"
    mypci-bench --quick --bind --iommu iommufd; echo \"bench-status: \$?\"
    exit \$s" --kernel 6.12 --device mypci
check_backend iommufd iommufd '/dev/vfio/devices/vfio[0-9]*'
check_all_ran iommufd
grep -qx 'driver-after: \[\]' "$tmp/iommufd"
ok $? "iommufd: --bind restored the device's original driver (none)" \
    "$(grep driver-after "$tmp/iommufd")"
grep -qx 'bench-status: 0' "$tmp/iommufd" &&
    grep -q '^mypci-bench: 0000:..:..\.. via iommufd' "$tmp/iommufd"
ok $? "iommufd: mypci-bench --iommu iommufd ran through iommufd and said so" \
    "$(grep -E -A6 '^(mypci-bench|bench-status)' "$tmp/iommufd")"

# 2. type1 forced, device bound by the launcher: the container and group
# interface on the same kernel.
run_suite type1 0 "
    echo \"tests-listed: \$(mypci-vfio-test --list | wc -l)\"
    time mypci-vfio-test --iommu type1 --tap; s=\$?
    mypci-bench --quick --iommu type1; echo \"bench-status: \$?\"
    exit \$s" --kernel 6.12 --device mypci --bind 1af4:1236
check_backend type1 type1 '/dev/vfio/[0-9]*'
check_all_ran type1
grep -qx 'bench-status: 0' "$tmp/type1" &&
    grep -q '^mypci-bench: 0000:..:..\.. via type1' "$tmp/type1"
ok $? "type1: mypci-bench --iommu type1 ran through type1 and said so" \
    "$(grep -E -A6 '^(mypci-bench|bench-status)' "$tmp/type1")"
tap_done
