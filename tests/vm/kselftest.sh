#!/usr/bin/env bash
# VM test: ./mypci kselftest, the kernel's own VFIO selftests against mypci
# in the 6.12 guest with our selftests driver: every program, every IOMMU
# mode, the hugetlb variants running (not skipping), the kernel's known
# failures shown as such. Then one mode alone: only its variants run.
set -u
. "$(dirname "$0")/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/all.log

"$MYPCI" kselftest --log "$tmp/guest-all.log" >"$log" 2>&1
status=$?
ok $status "./mypci kselftest exits 0" "$(tail -n 30 "$log")"
grep -qx 'kselftest: PASS' "$log"
ok $? "the report's verdict is PASS" "$(grep -E '^(summary|kselftest):' "$log")"

# Every program the tree builds ran and reported every test it planned.
programs=$(sed -n 's/^MYPCI-KSELFTEST: BEGIN //p' "$log" | sort | tr '\n' ' ')
for prog in vfio_dma_mapping_mmio_test vfio_dma_mapping_test vfio_iommufd_setup_test \
    vfio_pci_device_init_perf_test vfio_pci_device_test vfio_pci_driver_test; do
    [[ " $programs " == *" $prog "* ]]
    ok $? "$prog ran" "ran: $programs"
done
# The driver test is ours to pass: 7 tests x 5 modes, none skipped.
grep -q '^  vfio_pci_driver_test: 35 ok, 0 skipped, 0 known kernel failures, 0 failed of 35;' "$log"
ok $? "vfio_pci_driver_test: 35 of 35 pass (memcpy, unmapped IOVAs, MSI, storm; 5 modes)" \
    "$(grep -A0 '^  vfio_pci_driver_test:' "$log")"
grep -q '^  vfio_pci_device_test: 5 ok, 0 skipped' "$log" &&
    grep -q '^  vfio_iommufd_setup_test: 6 ok, 0 skipped' "$log"
ok $? "vfio_pci_device_test 5/5 and vfio_iommufd_setup_test 6/6" \
    "$(grep -E '^  vfio_(pci_device|iommufd_setup)_test:' "$log")"

# The table: five mode columns; the hugetlb rows pass in every mode.
grep -qE '^test +type1 +type1v2 +compat_type1 +compat_type1v2 +iommufd *$' "$log"
ok $? "the table has a column per IOMMU mode" "$(grep '^test ' "$log")"
for size in 2mb 1gb; do
    grep -qE "^vfio_dma_mapping_test\.anonymous_hugetlb_$size\.dma_map_unmap +ok +ok +ok +ok +ok *$" "$log"
    ok $? "hugetlb $size variants run and pass in all five modes" \
        "$(grep "hugetlb_$size" "$log" | grep -v '^#' | head -n 3)"
done
# The page-size check of the IOMMU mapping ran (debugfs of intel-iommu).
grep -q 'Found IOMMU mappings for IOVA' "$tmp/guest-all.log"
ok $? "vfio_dma_mapping_test read the IOMMU's page tables (huge pages checked)"

# 6.12 lacks a type1 fix its selftests test: shown as known, not as pass.
grep -qE '^vfio_dma_map_limit_test\.overflow +known +known +ok +ok +ok *$' "$log" &&
    grep -q '^  vfio_dma_map_limit_test.vfio_type1_iommu.overflow: .*(kernel 6\.12\.[0-9]* < 7\.2)' "$log"
ok $? "the type1 overflow failures of 6.12 are reported as known kernel failures" \
    "$(grep -E 'overflow' "$log" | grep -v '^#' | head -n 5)"
grep -q 'Testing parallel initialization of 2 devices' "$tmp/guest-all.log"
ok $? "vfio_pci_device_init_perf_test initialised both mypci devices"

# One mode: only its variants (iommufd_compat_type1 is not iommufd, nor
# type1); programs without mode variants run in the default mode only.
one=$tmp/one.log
"$MYPCI" kselftest --iommu-mode iommufd_compat_type1 --test vfio_dma_mapping_test \
    --test vfio_pci_device_test --log "$tmp/guest-one.log" >"$one" 2>&1
ok $? "./mypci kselftest --iommu-mode iommufd_compat_type1 exits 0" "$(tail -n 20 "$one")"
grep -qE '^vfio_dma_mapping_test\.anonymous\.dma_map_unmap +- +- +ok +- +- *$' "$one"
ok $? "--iommu-mode: only the iommufd_compat_type1 column ran" "$(grep -E '^(test|vfio_dma)' "$one")"
grep -q '^  vfio_pci_device_test: no variant for the selected mode' "$one"
ok $? "--iommu-mode: the default-mode program is left out and said so"

"$MYPCI" kselftest --test no_such_test >"$tmp/bad" 2>&1
[ $? = 1 ] && grep -q "no selftest named 'no_such_test'" "$tmp/bad"
ok $? "--test with an unknown name: a clear error" "$(cat "$tmp/bad")"
"$MYPCI" kselftest --iommu-mode type3 >"$tmp/bad" 2>&1
[ $? = 1 ] && grep -q "bad --iommu-mode 'type3'" "$tmp/bad"
ok $? "--iommu-mode with an unknown mode: a clear error" "$(cat "$tmp/bad")"
tap_done
