#!/bin/sh
# In the guest (busybox sh): runs the kernel's VFIO selftests against one
# device bound to vfio-pci and frames each program's TAP output with marker
# lines for kselftest/report.py on the host.
#
# usage: guest-run.sh BDF MODE TEST...
#   BDF: auto for every mypci (1af4:1236) bound to vfio-pci; the tests take
#   the first, vfio_pci_device_init_perf_test all of them.
#   MODE: all, or one of the selftests' IOMMU modes (vfio_type1_iommu, ...):
#   only the fixture variants of that mode run, and the programs without
#   mode variants run only for the default mode (iommufd).
#   TEST: program names in /opt/vfio-selftests (all of them when none).
set -u
dir=/opt/vfio-selftests
bdf=$1 mode=$2
shift 2

# vfio_dma_mapping_test reads the Intel IOMMU's page tables here.
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
# vfio_pci_driver_test maps 1 GiB of shared anonymous memory for each test:
# huge pages for shmem make that 512 faults (under TCG) instead of 262,144.
thp=/sys/kernel/mm/transparent_hugepage/shmem_enabled
[ ! -w "$thp" ] || echo always >"$thp"

modes="vfio_type1_iommu vfio_type1v2_iommu iommufd_compat_type1 iommufd_compat_type1v2 iommufd"

# The variants a program defines, from its -l listing (the harness prints
# "%-20s %-25s %s": fixture, variant, test; a fixture name may overflow its
# column, then one space follows it).
variants() {
    "$dir/$1" -l "$bdf" 2>&1 >/dev/null | awk '
        /^# FIXTURE/ || /^---/ { next }
        /^[^ ]/ { sub(/^[^ ]+/, ""); if ($0 ~ /^ [^ ]/) print $1; next }
        substr($0, 22, 1) != " " { print $1 }'
}

# The mode a variant belongs to: the longest mode name it starts with, as
# the whole name or followed by "_" (iommufd_compat_type1 is not iommufd).
variant_mode() {
    best=""
    for m in $modes; do
        case $1 in
        "$m" | "$m"_*) [ ${#m} -gt ${#best} ] && best=$m ;;
        esac
    done
    echo "$best"
}

# Harness options selecting MODE's variants, or "none". A program whose
# variants name no mode (or that has none) runs in the default mode only.
mode_filter() {
    args="" moded=0
    for v in $(variants "$1"); do
        m=$(variant_mode "$v")
        [ -n "$m" ] || continue
        moded=1
        [ "$m" = "$mode" ] && args="$args -v $v"
    done
    if [ "$moded" = 0 ]; then
        [ "$mode" = iommufd ] && echo "" || echo none
    else
        echo "${args:-none}"
    fi
}

all_bdfs=$bdf
if [ "$bdf" = auto ]; then
    all_bdfs=""
    for d in /sys/bus/pci/drivers/vfio-pci/0000:*; do
        [ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x1af4:0x1236 ] && all_bdfs="$all_bdfs ${d##*/}"
    done
    [ -n "$all_bdfs" ] || { echo "MYPCI-KSELFTEST: no mypci bound to vfio-pci"; exit 1; }
    bdf=$(echo $all_bdfs | cut -d' ' -f1)
fi
echo "MYPCI-KSELFTEST: KERNEL $(uname -r)"
echo "MYPCI-KSELFTEST: DEVICE $bdf"

[ $# -gt 0 ] || set -- $(ls "$dir" | grep -v '\.sh$')
status=0
for prog in "$@"; do
    if [ ! -x "$dir/$prog" ]; then
        echo "MYPCI-KSELFTEST: NOPROGRAM $prog"
        status=1
        continue
    fi
    filter=""
    if [ "$mode" != all ]; then
        filter=$(mode_filter "$prog")
        if [ "$filter" = none ]; then
            echo "MYPCI-KSELFTEST: NOVARIANT $prog"
            continue
        fi
    fi
    echo "MYPCI-KSELFTEST: BEGIN $prog"
    start=$(cut -d' ' -f1 /proc/uptime)
    # shellcheck disable=SC2086
    bdfs=$bdf
    [ "$prog" != vfio_pci_device_init_perf_test ] || bdfs=$all_bdfs
    "$dir/$prog" $filter $bdfs 2>&1
    rc=$?
    end=$(cut -d' ' -f1 /proc/uptime)
    echo "MYPCI-KSELFTEST: END $prog $rc $(awk "BEGIN { printf \"%.1f\", $end - $start }")"
    [ "$rc" = 0 ] || [ "$rc" = 4 ] || status=1
done
exit $status
