#!/usr/bin/python3
"""Checks a kernel image given with --kernel-image before the guest boots it.

usage: kernel-image.py PATH [--need SYM,...] [--want SYM,...] [--config FILE]

PATH must be an x86-64 bzImage, or an ELF vmlinux with a PVH entry note
(QEMU's -kernel boots an ELF only through PVH). Its configuration comes from
the image itself (CONFIG_IKCONFIG), else --config FILE, else a .config of
the build tree it sits in, else Debian's /boot/config-VERSION beside a
/boot/vmlinuz-VERSION. Every --need symbol must be built in (=y): the guest
loads no modules from a --kernel-image. A missing --want symbol is a
warning. Prints what it found; exit 1 names what is missing.
"""
import argparse
import gzip
import io
import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
extract_vmlinux = __import__("extract-vmlinux")

EM_X86_64 = 62
PT_NOTE = 4
XEN_ELFNOTE_PHYS32_ENTRY = 18

# Why the guest needs each symbol, for the message that names a missing one.
WHY = {
    "PCI": "PCI",
    "PCI_MSI": "MSI/MSI-X interrupts",
    "INTEL_IOMMU": "the vIOMMU (intel-iommu)",
    "IRQ_REMAP": "interrupt remapping, which VFIO type1 requires",
    "VFIO": "VFIO",
    "VFIO_PCI": "vfio-pci",
    "VFIO_IOMMU_TYPE1": "the type1 IOMMU backend",
    "VFIO_GROUP": "VFIO groups (/dev/vfio/N)",
    "VFIO_CONTAINER": "VFIO containers (type1 modes)",
    "IOMMUFD": "iommufd (/dev/iommu)",
    "VFIO_DEVICE_CDEV": "the VFIO device cdev (/dev/vfio/devices), used with iommufd",
    "BLK_DEV_INITRD": "booting our initramfs",
    "DEVTMPFS": "/dev in the initramfs",
    "SERIAL_8250_CONSOLE": "the serial console the launcher reads",
    "PVH": "QEMU's -kernel boot of an ELF vmlinux",
    "NET_9P_VIRTIO": "--share (9p over virtio)",
    "9P_FS": "--share (9p)",
    "VIRTIO_PCI": "--share (virtio-pci)",
    "HUGETLBFS": "hugetlb pages (the hugetlb variants of vfio_dma_mapping_test)",
    "INTEL_IOMMU_DEBUGFS": "the IOMMU page-table check of vfio_dma_mapping_test",
}


class NotAKernel(Exception):
    pass


def elf_has_pvh_note(elf):
    """True if the ELF has a Xen PHYS32_ENTRY note (the PVH entry point)."""
    if elf[4] != 2 or elf[5] != 1:
        raise NotAKernel("an ELF file, but not a 64-bit little-endian one")
    (machine,) = struct.unpack_from("<H", elf, 18)
    if machine != EM_X86_64:
        raise NotAKernel(f"an ELF file for machine {machine}, not x86-64")
    phoff, = struct.unpack_from("<Q", elf, 32)
    phentsize, phnum = struct.unpack_from("<HH", elf, 54)
    for i in range(phnum):
        ptype, _, offset, _, _, filesz = struct.unpack_from("<IIQQQQ", elf, phoff + i * phentsize)
        if ptype != PT_NOTE:
            continue
        pos, end = offset, offset + filesz
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", elf, pos)
            name = elf[pos + 12:pos + 12 + namesz].rstrip(b"\0")
            if name == b"Xen" and ntype == XEN_ELFNOTE_PHYS32_ENTRY:
                return True
            pos += 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
    return False


def kernel_elf(data):
    """(kind, the uncompressed ELF kernel or None). Raises NotAKernel."""
    if data[:4] == b"\x7fELF":
        if b"Linux version " not in data:
            raise NotAKernel("an ELF file but not a Linux kernel (no 'Linux version' string)")
        if not elf_has_pvh_note(data):
            raise NotAKernel("an ELF vmlinux without a PVH entry note (CONFIG_PVH), which "
                             "QEMU's -kernel cannot boot; pass its bzImage "
                             "(arch/x86/boot/bzImage) instead")
        return "ELF vmlinux", data
    if len(data) > 0x206 and data[0x202:0x206] == b"HdrS":
        return "bzImage", extract_vmlinux.extract(data)
    raise NotAKernel("not a kernel image: neither a bzImage (no 'HdrS' boot header "
                     "at 0x202) nor an ELF vmlinux")


def embedded_config(elf):
    """The configuration CONFIG_IKCONFIG stores in the kernel, or None."""
    if elf is None:
        return None
    start = elf.find(b"IKCFG_ST")
    end = elf.find(b"IKCFG_ED", start)
    if start < 0 or end < 0:
        return None
    try:
        return gzip.GzipFile(fileobj=io.BytesIO(elf[start + 8:end])).read().decode()
    except (OSError, EOFError, UnicodeDecodeError):
        return None


def config_beside(path):
    """(file, text) of a configuration found next to the image, or None."""
    path = os.path.abspath(path)
    here = os.path.dirname(path)
    candidates = [os.path.join(here, ".config"),
                  os.path.join(here, "../../../.config")]  # arch/x86/boot/bzImage
    base = os.path.basename(path)
    for prefix in ("vmlinuz-", "vmlinux-"):
        if base.startswith(prefix):
            candidates.append(os.path.join(here, "config-" + base[len(prefix):]))
    for candidate in candidates:
        if os.path.isfile(candidate):
            return os.path.normpath(candidate), open(candidate, errors="replace").read()
    return None


def parse_config(text):
    values = {}
    for line in text.splitlines():
        m = re.match(r"CONFIG_([A-Za-z0-9_]+)=(.*)", line)
        if m:
            values[m.group(1)] = m.group(2)
    return values


def describe(sym, values):
    """Why SYM is not built in, or None if it is."""
    value = values.get(sym)
    if value == "y":
        return None
    why = WHY.get(sym, "")
    state = "built as a module (=m); modules are not loaded from a --kernel-image, build it in (=y)" \
        if value == "m" else "not set"
    return f"CONFIG_{sym} {state}" + (f" (needed for {why})" if why else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--need", default="")
    parser.add_argument("--want", default="")
    parser.add_argument("--config")
    args = parser.parse_args()
    say = lambda msg: print(f"mypci: --kernel-image: {msg}", file=sys.stderr)
    try:
        data = open(args.path, "rb").read()
    except OSError as e:
        say(f"cannot read {args.path}: {e.strerror}")
        return 1
    try:
        kind, elf = kernel_elf(data)
    except NotAKernel as e:
        say(f"{args.path} is {e}")
        return 1
    config, source = None, None
    if args.config:
        config, source = open(args.config, errors="replace").read(), args.config
    else:
        config = embedded_config(elf)
        source = "its embedded configuration (CONFIG_IKCONFIG)"
        if config is None:
            found = config_beside(args.path)
            if found:
                source, config = found
    version = re.search(rb"Linux version (\S+)", elf or data)
    release = version.group(1).decode(errors="replace") if version else "unknown version"
    if config is None:
        say(f"{args.path}: {kind}, {release}; no configuration found (not embedded with "
            "CONFIG_IKCONFIG, no .config or config-VERSION beside it, no --config): "
            "cannot check what it has, booting it as it is")
        return 0
    values = parse_config(config)
    need = [s for s in args.need.split(",") if s]
    want = [s for s in args.want.split(",") if s]
    if kind == "ELF vmlinux":
        need.append("PVH")
    missing = [m for m in (describe(s, values) for s in need) if m]
    say(f"{args.path}: {kind}, {release}; configuration from {source}")
    for sym in want:
        problem = describe(sym, values)
        if problem:
            say(f"warning: {problem}")
    if missing:
        say(f"{args.path} lacks what the guest needs:")
        for m in missing:
            print(f"  {m}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
