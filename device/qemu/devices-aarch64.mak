# QEMU devices for mypci's aarch64-softmmu build (--without-default-devices):
# the virt machine (gpex PCIe host bridge, SMMUv3, GICv3 with ITS, PL011;
# ARM_VIRT selects them) and what the guest runs on it.
# scripts/build-qemu.sh --arch aarch64 copies this file to
# configs/devices/aarch64-softmmu/mypci.mak.
CONFIG_ARM_VIRT=y
CONFIG_PCIE_PORT=y
CONFIG_EDU=y
CONFIG_PCI_TESTDEV=y
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_9P=y
CONFIG_MYPCI=y
# 10.2: virt's ACPI tables call into CXL, whose stubs are incomplete; as on
# x86_64 the real CXL code must link (it depends on PXB).
CONFIG_PXB=y
CONFIG_CXL=y
CONFIG_CXL_MEM_DEVICE=y
