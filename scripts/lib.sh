# Shared settings for mypci's scripts. The one place versions are pinned.
# shellcheck shell=bash

# QEMU: Debian's source package, pinned. 10.2.2 has the vfio-user client.
QEMU_VERSION=10.2.2
QEMU_DEB_VERSION="1:10.2.2+ds-1"
QEMU_SUITE=sid
MESON_MIN=1.5

# Guest kernel, selected by --kernel: 6.1 is Debian's stock kernel; 6.12 is
# built from Debian's linux-source package with guest-image/kernel-6.12.config
# (IOMMUFD and the vfio cdev, which no Debian amd64 kernel enables).
DEFAULT_KERNEL=6.1
KERNEL_SOURCE_6_12=6.12.117-1~deb12u1

MYPCI_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MYPCI_CACHE=${MYPCI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mypci}

# /usr/bin/python3 on purpose: a pyenv python3 may come first on PATH.
PYTHON=/usr/bin/python3

log() { printf 'mypci: %s\n' "$*" >&2; }
die() { printf 'mypci: error: %s\n' "$*" >&2; exit 1; }
