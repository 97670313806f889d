#!/usr/bin/python3
"""Extracts the uncompressed ELF vmlinux from a bzImage (vmlinuz).

QEMU boots an ELF vmlinux through its PVH entry point, which skips the
in-guest decompression that costs seconds under TCG.
usage: extract-vmlinux.py VMLINUZ OUTPUT
"""
import gzip
import lzma
import subprocess
import sys

MAGICS = [
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x1f\x8b\x08", "gzip"),
]


def decompress(data, kind):
    if kind == "gzip":
        return gzip.GzipFile(fileobj=__import__("io").BytesIO(data)).read()
    if kind == "xz":
        return lzma.LZMADecompressor().decompress(data)
    # zstd is not in the standard library: use the zstd command.
    out = subprocess.run(["zstd", "-dc"], input=data, capture_output=True)
    return out.stdout


def extract(data):
    """The ELF kernel compressed inside a bzImage's bytes, or None."""
    for magic, kind in MAGICS:
        start = data.find(magic)
        while start >= 0:
            try:
                elf = decompress(data[start:], kind)
            except (OSError, EOFError, lzma.LZMAError):
                elf = b""
            if elf.startswith(b"\x7fELF"):
                return elf
            start = data.find(magic, start + 1)
    return None


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    elf = extract(open(sys.argv[1], "rb").read())
    if elf is None:
        sys.exit(f"extract-vmlinux: no compressed ELF kernel found in {sys.argv[1]}")
    open(sys.argv[2], "wb").write(elf)


if __name__ == "__main__":
    main()
