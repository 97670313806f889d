"""What the unit tests of the host scripts (scripts/*.py) share: the source
tree, loading a script (its name has a dash) as a module, a measure by id."""

import importlib.util
import json
import os

ROOT = os.environ.get("MYPCI_ROOT") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..")


def load(filename):
    """scripts/FILENAME as a module."""
    name = os.path.splitext(filename)[0].replace("-", "_")
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(ROOT, "scripts", filename))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fixture(filename):
    return os.path.join(ROOT, "tests", "unit", filename)


def measure(doc, mid):
    return next(m for m in doc["measures"] if m["id"] == mid)


def read_json(filename):
    """A fixture of tests/unit, parsed."""
    with open(fixture(filename)) as f:
        return json.load(f)
