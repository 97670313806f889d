/*
 * mypci's generic-fuzz targets, in the shape of QEMU's own predefined
 * configs (tests/qtest/fuzz/generic_fuzz_configs.h). scripts/build-qemu.sh
 * copies this file next to that header and includes it at the top of
 * predefined_configs[], so each entry is a fuzz target of
 * qemu-fuzz-x86_64: --fuzz-target=generic-fuzz-NAME.
 *
 * .objects are QOM type names: generic-fuzz then fuzzes every I/O memory
 * region the device owns (BAR0's registers, the MSI-X table and PBA
 * overlaid on it), its config space through 0xcf8/0xcfc (the PCI core's
 * handlers, our vendor capability hook, BAR and Command writes that remap
 * or disable the BARs while DMA may be pending), and answers every DMA read
 * from guest RAM with fuzzer-chosen patterns. BAR2 is RAM, which
 * generic-fuzz does not write directly; the DMA engine reaches it (and
 * BAR0) when the fuzzer aims DMA_SRC/DMA_DST at the BARs.
 *
 * generic-fuzz addresses config space on bus 0 only (type 1 cycles with
 * bus 0) and maps the BARs of bus-0 devices only, so every device here sits
 * on the root bus: behind a root port its BARs would never be assigned.
 * The devices' code is the same on either bus.
 *
 * tests/fuzz/qemu/README.md says how they are run.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
    {
        /* The device as ./mypci run has it: MSI-X, MSI, INTx, 1 MiB BAR2. */
        .name = "mypci",
        .args = "-machine q35 -nodefaults "
        "-device intel-iommu,intremap=on "
        "-device mypci",
        .objects = "mypci",
    },{
        /*
         * The other configurations: no MSI-X (MSI, then INTx) with the
         * smallest BAR2 and a DMA engine that completes on a timer (the
         * fuzzer's clock_step runs it, so BAR, Command and reset writes land
         * while a transfer is pending); no MSI with a large BAR2.
         */
        .name = "mypci-variants",
        .args = "-machine q35 -nodefaults "
        "-device intel-iommu,intremap=on "
        "-device mypci,msix=off,mem-size=4K,x-dma-delay-us=100 "
        "-device mypci,msi=off,mem-size=16M",
        .objects = "mypci",
    },{
        /* The tutorial devices of ./mypci run. */
        .name = "mypci-tutorial",
        .args = "-machine q35 -nodefaults "
        "-device mypci_minimal "
        "-device mypci_configurable,reg=0x42",
        .objects = "mypci_minimal mypci_configurable",
    },
