/*
 * A user-space driver for QEMU's pci-testdev (1b36:0005,
 * hw/misc/pci-testdev.c), one of the benchmark's references: BAR0 (4 KiB)
 * holds a header per I/O test; writing a test number to offset 0 selects it.
 * In test 0 ("mmio-no-eventfd") a byte write of 0xfa at the header's offset
 * (2048) counts in the header's count (offset 12). Its handler takes one
 * byte per call, so a 32-bit access is four calls. With -device
 * pci-testdev,membar=SIZE,membar-backed=on it also has a RAM-backed BAR2.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PCI_TESTDEV_DRIVER_H
#define PCI_TESTDEV_DRIVER_H

#include "refdev.h"

#define TESTDEV_VENDOR_ID 0x1b36
#define TESTDEV_DEVICE_ID 0x0005
#define TESTDEV_REG_TEST 0x00  /* header byte 0: select a test */
#define TESTDEV_REG_COUNT 0x0c /* header: writes counted */
#define TESTDEV_MMIO_NO_EVENTFD 0
#define TESTDEV_HIT_OFFSET 2048 /* IOTEST_MEMSIZE + test 0 */
#define TESTDEV_HIT_DATA 0xfa   /* IOTEST_DATAMATCH */

extern const struct vfio_pci_driver_ops pci_testdev_driver_ops;

#endif
