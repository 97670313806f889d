# QEMU devices for mypci's x86_64-softmmu build (--without-default-devices).
# scripts/build-qemu.sh links this file as configs/devices/x86_64-softmmu/mypci.mak.
CONFIG_Q35=y
CONFIG_VTD=y
CONFIG_PCIE_PORT=y
CONFIG_PXB=y
CONFIG_CXL=y
# 10.2: the CXL type-3 stubs are incomplete, so the real device must link.
CONFIG_CXL_MEM_DEVICE=y
CONFIG_EDU=y
CONFIG_PCI_TESTDEV=y
CONFIG_SERIAL_ISA=y
CONFIG_ISA_DEBUG=y
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_9P=y
CONFIG_MYPCI=y
