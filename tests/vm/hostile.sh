# mypci-fuzz's hostile-guest counters, for the VM tests that run it with
# --busy-device (sourced after tap.sh).
# shellcheck shell=bash

# type1 maps all of BAR0 and BAR2 into the IOMMU: every kind must happen,
# and the races must have found transfers pending (the *_busy counters) and
# faulting (BAR2 gone under them).
# shellcheck disable=SC2034 # used by the scripts that source this
HOSTILE_COUNTERS_TYPE1="dma_table_rd dma_table_wr dma_pba_rd dma_pba_wr
    bar2_remaps_busy bar2_remaps_faulted mem_toggles_busy mem_toggles_faulted
    flr_mid_dma_busy msix_toggles vec_detaches vec_table_masks masked_pending"
# iommufd refuses the BAR mmaps (DMA at the table and PBA then aims at their
# bus addresses, no BAR2 to unmap or lose); its runs are shorter, so only the
# kinds expected dozens of times in them are required.
# shellcheck disable=SC2034
HOSTILE_COUNTERS_IOMMUFD="dma_table_rd dma_table_wr dma_pba_rd dma_pba_wr
    mem_toggles_busy msix_toggles vec_detaches vec_table_masks"

# hostile_ok NAME OUT COUNTERS: one TAP line, each counter of mypci-fuzz's
# SUMMARY in OUT must be > 0.
hostile_ok() {
    local name=$1 out=$2 c v summary seen="" zero=""
    summary=$(grep -m 1 '^mypci-fuzz: SUMMARY' "$out")
    for c in $3; do
        v=$(sed -n "s/.*\<$c=\([0-9]*\).*/\1/p" <<<"$summary")
        seen="$seen $c=${v:-missing}"
        [ "${v:-0}" -gt 0 ] || zero="$zero $c"
    done
    [ -n "$summary" ] && [ -z "$zero" ]
    ok $? "$name: mypci-fuzz: every hostile operation kind happened:$seen" \
        "zero or missing:$zero; $summary"
}
