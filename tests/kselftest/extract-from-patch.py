#!/usr/bin/python3
"""Prints a file that a patch creates, as the patch creates it.

usage: extract-from-patch.py PATCH PATH-IN-TREE
"""
import sys


def new_file(patch_text, path):
    lines, inside, found = [], False, False
    for line in patch_text.splitlines():
        if line.startswith("diff --git "):
            inside = line.endswith(" b/" + path)
            found = found or inside
            continue
        if not inside or line.startswith(("+++", "---", "@@", "new file", "index ")):
            continue
        if line.startswith("+"):
            lines.append(line[1:])
        elif line.startswith(" ") or line.startswith("-"):
            sys.exit(f"extract-from-patch: {path} is not a new file in the patch")
    if not found:
        sys.exit(f"extract-from-patch: the patch creates no {path}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.stdout.write(new_file(open(sys.argv[1]).read(), sys.argv[2]))
