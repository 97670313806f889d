/*
 * The register header of our VFIO selftests driver (inside the patch in
 * kselftest/patches, written in the kernel's style for upstream) must say
 * what the ABI says: every constant it defines is compared with the one of
 * include/mypci/abi.h (itself pinned to docs/abi.md by abi_pin).
 */
#include <stdio.h>
#include <string.h>

#include <mypci/abi.h>

#include "ks_registers.h"

struct expected {
    const char *name;
    unsigned long long value;
};

/* §6: with MSI-X, cause n signals on vector n; SOFT is bit 2. */
#define SOFT_VECTOR 2

static const struct expected expected[] = {
    {"MYPCI_VENDOR_ID", MYPCI_VENDOR_ID},
    {"MYPCI_DEVICE_ID", MYPCI_DEVICE_ID},
    {"MYPCI_BAR_REGS", MYPCI_BAR_REGS},
    {"MYPCI_ID_OFFSET", MYPCI_REG_ID},
    {"MYPCI_VERSION_OFFSET", MYPCI_REG_VERSION},
    {"MYPCI_FEATURES_OFFSET", MYPCI_REG_FEATURES},
    {"MYPCI_CONTROL_OFFSET", MYPCI_REG_CONTROL},
    {"MYPCI_IRQ_STATUS_OFFSET", MYPCI_REG_IRQ_STATUS},
    {"MYPCI_IRQ_ENABLE_OFFSET", MYPCI_REG_IRQ_ENABLE},
    {"MYPCI_IRQ_RAISE_OFFSET", MYPCI_REG_IRQ_RAISE},
    {"MYPCI_IRQ_ACK_OFFSET", MYPCI_REG_IRQ_ACK},
    {"MYPCI_DMA_SRC_OFFSET", MYPCI_REG_DMA_SRC},
    {"MYPCI_DMA_DST_OFFSET", MYPCI_REG_DMA_DST},
    {"MYPCI_DMA_LEN_OFFSET", MYPCI_REG_DMA_LEN},
    {"MYPCI_DMA_CMD_OFFSET", MYPCI_REG_DMA_CMD},
    {"MYPCI_DMA_STATUS_OFFSET", MYPCI_REG_DMA_STATUS},
    {"MYPCI_ID_VALUE", MYPCI_ID_VALUE},
    {"MYPCI_ABI_MAJOR", MYPCI_ABI_MAJOR},
    {"MYPCI_VERSION_MAJOR(0x00010000u)", 1},
    {"MYPCI_FEATURES_MSIX", MYPCI_FEATURE_MSIX},
    {"MYPCI_FEATURES_DMA", MYPCI_FEATURE_DMA},
    {"MYPCI_FEATURES_MEM_LOG2(0x00140000u)",
     (0x00140000u & MYPCI_FEATURE_MEM_LOG2_MASK) >> MYPCI_FEATURE_MEM_LOG2_SHIFT},
    {"MYPCI_CONTROL_RESET", MYPCI_CONTROL_RESET},
    {"MYPCI_IRQ_DMA_DONE", MYPCI_IRQ_DMA_DONE},
    {"MYPCI_IRQ_DMA_ERROR", MYPCI_IRQ_DMA_ERROR},
    {"MYPCI_IRQ_SOFT", MYPCI_IRQ_SOFT},
    {"MYPCI_MSIX_VECTOR_SOFT", SOFT_VECTOR},
    {"MYPCI_DMA_CMD_HOST_TO_HOST", MYPCI_DMA_DIR_HOST_TO_HOST},
    {"MYPCI_DMA_STATUS_BUSY", MYPCI_DMA_STATUS_BUSY},
    {"MYPCI_DMA_STATUS_DONE", MYPCI_DMA_STATUS_DONE},
    {"MYPCI_DMA_STATUS_ERROR(0x0301u)",
     (0x0301u & MYPCI_DMA_STATUS_ERR_MASK) >> MYPCI_DMA_STATUS_ERR_SHIFT},
    {"MYPCI_DMA_ERROR_FAULT", MYPCI_DMA_ERR_FAULT},
};

int main(void)
{
    size_t n_expected = sizeof(expected) / sizeof(expected[0]);
    size_t i, j, checked = 0;
    int failures = 0;

    for (i = 0; ks_constants[i].name; i++) {
        for (j = 0; j < n_expected; j++) {
            if (strcmp(ks_constants[i].name, expected[j].name) == 0) {
                break;
            }
        }
        if (j == n_expected) {
            printf("%s: not known to this test\n", ks_constants[i].name);
            failures++;
        } else if (ks_constants[i].value != expected[j].value) {
            printf("%s: the selftests driver says %#llx, the ABI %#llx\n",
                   ks_constants[i].name, ks_constants[i].value,
                   expected[j].value);
            failures++;
        }
        checked++;
    }
    if (checked != n_expected) {
        printf("compared %zu of %zu constants\n", checked, n_expected);
        failures++;
    }
    printf("%zu constants compared, %d mismatches\n", checked, failures);
    return failures ? 1 : 0;
}
