/*
 * The constants of the selftests driver's registers.h (as the patch in
 * kselftest/patches creates it), by name. Compiled apart from the ABI
 * header: both use the same names for some constants.
 */
#include <stddef.h>

#include "ks_registers.h"

#define BIT(n) (1ull << (n))
#ifndef KS_REGISTERS_HEADER
#define KS_REGISTERS_HEADER "kselftest_registers.h"
#endif
#include KS_REGISTERS_HEADER

#define KS(name) {#name, (unsigned long long)(name)}
const struct ks_constant ks_constants[] = {
    KS(MYPCI_VENDOR_ID),
    KS(MYPCI_DEVICE_ID),
    KS(MYPCI_BAR_REGS),
    KS(MYPCI_ID_OFFSET),
    KS(MYPCI_VERSION_OFFSET),
    KS(MYPCI_FEATURES_OFFSET),
    KS(MYPCI_CONTROL_OFFSET),
    KS(MYPCI_IRQ_STATUS_OFFSET),
    KS(MYPCI_IRQ_ENABLE_OFFSET),
    KS(MYPCI_IRQ_RAISE_OFFSET),
    KS(MYPCI_IRQ_ACK_OFFSET),
    KS(MYPCI_DMA_SRC_OFFSET),
    KS(MYPCI_DMA_DST_OFFSET),
    KS(MYPCI_DMA_LEN_OFFSET),
    KS(MYPCI_DMA_CMD_OFFSET),
    KS(MYPCI_DMA_STATUS_OFFSET),
    KS(MYPCI_ID_VALUE),
    KS(MYPCI_ABI_MAJOR),
    KS(MYPCI_VERSION_MAJOR(0x00010000u)),
    KS(MYPCI_FEATURES_MSIX),
    KS(MYPCI_FEATURES_DMA),
    KS(MYPCI_FEATURES_MEM_LOG2(0x00140000u)),
    KS(MYPCI_CONTROL_RESET),
    KS(MYPCI_IRQ_DMA_DONE),
    KS(MYPCI_IRQ_DMA_ERROR),
    KS(MYPCI_IRQ_SOFT),
    KS(MYPCI_MSIX_VECTOR_SOFT),
    KS(MYPCI_DMA_CMD_HOST_TO_HOST),
    KS(MYPCI_DMA_STATUS_BUSY),
    KS(MYPCI_DMA_STATUS_DONE),
    KS(MYPCI_DMA_STATUS_ERROR(0x0301u)),
    KS(MYPCI_DMA_ERROR_FAULT),
    {NULL, 0},
};
