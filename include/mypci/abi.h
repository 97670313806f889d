/*
 * The mypci device ABI 1.0 (docs/abi.md) as C constants, and nothing else:
 * IDs, BAR layout, registers, bits, DMA error codes and the vendor
 * capability's layout. The device core, the QEMU glue, the guest driver and
 * the tests all include this header; none of them includes another's.
 *
 * The register and vendor-capability tables below are pinned to the tables
 * of docs/abi.md by tests/unit/test_abi_pin.c: a typo in either fails it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MYPCI_ABI_H
#define MYPCI_ABI_H

#define MYPCI_ABI_MAJOR 1
#define MYPCI_ABI_MINOR 0

/* §1: the mypci row of the devices table. */
#define MYPCI_VENDOR_ID 0x1af4
#define MYPCI_DEVICE_ID 0x1236
#define MYPCI_REVISION 0x01
#define MYPCI_CLASS 0x00ff
#define MYPCI_SUBSYS_VENDOR_ID 0x1af4
#define MYPCI_SUBSYS_ID 0x1100

/* §1, §3, §5: BAR0 holds the registers and MSI-X, BAR2 device memory. */
#define MYPCI_BAR_REGS 0
#define MYPCI_BAR_MEM 2
#define MYPCI_BAR0_SIZE 0x2000
#define MYPCI_REG_PAGE_SIZE 0x1000
#define MYPCI_MSIX_TABLE_OFFSET 0x1000
#define MYPCI_MSIX_PBA_OFFSET 0x1800
#define MYPCI_MSIX_VECTORS 3

/* §2: the mem-size property. */
#define MYPCI_MEM_SIZE_MIN (4u * 1024)
#define MYPCI_MEM_SIZE_MAX (256u * 1024 * 1024)
#define MYPCI_MEM_SIZE_DEFAULT (1u * 1024 * 1024)

/* How a register may be accessed (the access column of §3 and §8). */
enum mypci_access {
    MYPCI_ACC_RO,
    MYPCI_ACC_RW,
    MYPCI_ACC_WO,
    MYPCI_ACC_RW1C, /* §8 EVENTS: bit 0 RW1C, other bits RO 0 */
};

/* What a register reads after reset (the reset column of §3). */
enum mypci_reset_rule {
    MYPCI_RV_FIXED,       /* the value given in the table */
    MYPCI_RV_SCRATCH,     /* the scratch property */
    MYPCI_RV_NOT_SCRATCH, /* ~SCRATCH */
    MYPCI_RV_FEATURES,    /* computed from the properties (§3 FEATURES) */
    MYPCI_RV_NONE,        /* write-only: no value */
};

#define MYPCI_ID_VALUE 0x4d504349u /* "MPCI" */
#define MYPCI_VERSION_VALUE ((MYPCI_ABI_MAJOR << 16) | MYPCI_ABI_MINOR)

/*
 * §3: every BAR0 register, X(NAME, offset, width in bits, access, reset rule,
 * reset value). A 64-bit register is two dwords, the low half first.
 */
// clang-format off
#define MYPCI_ABI_REGS(X)                                              \
    X(ID,             0x000, 32, RO, FIXED,       MYPCI_ID_VALUE)      \
    X(VERSION,        0x004, 32, RO, FIXED,       MYPCI_VERSION_VALUE) \
    X(SCRATCH,        0x008, 32, RW, SCRATCH,     0)                   \
    X(INVERT,         0x00c, 32, RO, NOT_SCRATCH, 0)                   \
    X(FEATURES,       0x010, 32, RO, FEATURES,    0)                   \
    X(CONTROL,        0x014, 32, RW, FIXED,       0)                   \
    X(IRQ_STATUS,     0x020, 32, RO, FIXED,       0)                   \
    X(IRQ_ENABLE,     0x024, 32, RW, FIXED,       0)                   \
    X(IRQ_RAISE,      0x028, 32, WO, NONE,        0)                   \
    X(IRQ_ACK,        0x02c, 32, WO, NONE,        0)                   \
    X(IRQ_COUNT,      0x030, 32, RO, FIXED,       0)                   \
    X(DMA_SRC,        0x040, 64, RW, FIXED,       0)                   \
    X(DMA_DST,        0x048, 64, RW, FIXED,       0)                   \
    X(DMA_LEN,        0x050, 32, RW, FIXED,       0)                   \
    X(DMA_CMD,        0x054, 32, WO, NONE,        0)                   \
    X(DMA_STATUS,     0x058, 32, RO, FIXED,       0)                   \
    X(DMA_COUNT,      0x05c, 32, RO, FIXED,       0)                   \
    X(DMA_FAULT_ADDR, 0x060, 64, RO, FIXED,       0)
// clang-format on

#define MYPCI_REG_ENUM_(name, offset, width, access, rule, value)              \
    MYPCI_REG_##name = (offset),
enum mypci_reg { MYPCI_ABI_REGS(MYPCI_REG_ENUM_) };
#undef MYPCI_REG_ENUM_

/* FEATURES */
#define MYPCI_FEATURE_INTX (1u << 0)
#define MYPCI_FEATURE_MSI (1u << 1)
#define MYPCI_FEATURE_MSIX (1u << 2)
#define MYPCI_FEATURE_DMA (1u << 3)
#define MYPCI_FEATURE_MEM_LOG2_SHIFT 16
#define MYPCI_FEATURE_MEM_LOG2_MASK (0xffu << MYPCI_FEATURE_MEM_LOG2_SHIFT)

/* CONTROL */
#define MYPCI_CONTROL_RESET (1u << 0)

/* IRQ_STATUS / IRQ_ENABLE / IRQ_RAISE / IRQ_ACK bits; bit n is cause n. */
#define MYPCI_IRQ_DMA_DONE (1u << 0)
#define MYPCI_IRQ_DMA_ERROR (1u << 1)
#define MYPCI_IRQ_SOFT (1u << 2)
#define MYPCI_IRQ_ALL                                                          \
    (MYPCI_IRQ_DMA_DONE | MYPCI_IRQ_DMA_ERROR | MYPCI_IRQ_SOFT)

/* DMA_CMD bits 1:0; 3 is not a valid direction. */
#define MYPCI_DMA_DIR_MASK 0x3u
#define MYPCI_DMA_DIR_HOST_TO_DEV 0
#define MYPCI_DMA_DIR_DEV_TO_HOST 1
#define MYPCI_DMA_DIR_HOST_TO_HOST 2

/* DMA_STATUS */
#define MYPCI_DMA_STATUS_BUSY (1u << 0)
#define MYPCI_DMA_STATUS_DONE (1u << 1)
#define MYPCI_DMA_STATUS_DROPPED (1u << 2)
#define MYPCI_DMA_STATUS_ERR_SHIFT 8
#define MYPCI_DMA_STATUS_ERR_MASK (0xffu << MYPCI_DMA_STATUS_ERR_SHIFT)

/* §3: the error codes in DMA_STATUS bits 15:8. */
enum mypci_dma_err {
    MYPCI_DMA_OK = 0,
    MYPCI_DMA_ERR_FAULT = 1,     /* IOMMU or bus fault */
    MYPCI_DMA_ERR_BAD_CMD = 2,   /* bad command or length */
    MYPCI_DMA_ERR_RANGE = 3,     /* device-memory range out of bounds */
    MYPCI_DMA_ERR_NO_MASTER = 4, /* Command.BusMaster is 0 */
    MYPCI_DMA_ERR_LAST = MYPCI_DMA_ERR_NO_MASTER,
};

/* §8: the vendor-specific capability; offsets inside the capability. */
#define MYPCI_VCAP_ID 0x09
#define MYPCI_VCAP_LEN 0x14
#define MYPCI_VCAP_VERSION 0x01
#define MYPCI_VCAP_SIGNATURE_VALUE 0x4d504349u

/* Its body, X(NAME, offset, access); every field is 32 bits wide. */
// clang-format off
#define MYPCI_ABI_VCAP(X)      \
    X(SIGNATURE, 0x04, RO)     \
    X(MAILBOX,   0x08, RW)     \
    X(RESULT,    0x0c, RO)     \
    X(EVENTS,    0x10, RW1C)
// clang-format on

#define MYPCI_VCAP_ENUM_(name, offset, access) MYPCI_VCAP_##name = (offset),
enum mypci_vcap_reg { MYPCI_ABI_VCAP(MYPCI_VCAP_ENUM_) };
#undef MYPCI_VCAP_ENUM_

#define MYPCI_VCAP_EVENT_MAILBOX (1u << 0)

#endif
