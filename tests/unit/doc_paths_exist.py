#!/usr/bin/python3
"""Usage: doc_paths_exist.py ROOT DOC...

Fails if a path a document names in backticks (anything with a slash, or a
file name with an extension, relative to ROOT; NAME stands for any
directory, * globs) does not exist, so docs/architecture.md keeps matching
the tree.
"""
import glob
import os
import re
import sys

PATH = re.compile(r"`(\.?/?[A-Za-z0-9_.*-]+(?:/[A-Za-z0-9_.*{},-]*)+|[A-Za-z0-9_-]+\.(?:c|h|md|sh|py|build))`")


def candidates(name):
    """The path, with {a,b} alternatives and NAME as a wildcard."""
    name = name.lstrip("./").replace("NAME", "*")
    m = re.search(r"\{([^}]*)\}", name)
    if not m:
        return [name]
    return [name[: m.start()] + alt + name[m.end():] for alt in m.group(1).split(",")]


def missing(root, doc):
    text = open(doc, encoding="utf-8").read()
    for name in sorted(set(PATH.findall(text))):
        for path in candidates(name):
            where = path if "/" in path else os.path.join("**", path)
            if not glob.glob(os.path.join(root, where), recursive=True):
                yield name


def main():
    root, docs = sys.argv[1], sys.argv[2:]
    bad = [(d, n) for d in docs for n in missing(root, d)]
    for doc, name in bad:
        print(f"{doc}: names `{name}`, which does not exist", file=sys.stderr)
    print(f"{len(docs)} document(s): {'paths missing' if bad else 'every path exists'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
