"""Python pinned to a version the pinned inference server does not support.

What it finds: a conda spec (file or inline `conda_file:`) that pins `python` and
declares `azureml-inference-server-http` (conda or pip list) where no release of the
server allowed by its pin supports that Python: Python 3.13 with any release (none
supports it), Python 3.8 with `>=1.4.0` (1.4.0 dropped 3.8), Python 3.12 with
`<1.3` (3.12 came in 1.3.0), Python 3.7 with `>=1.0`. The support table, with its
sources, is `knowledge/inference_server.json`.

Why it matters: pip either finds no release ("No matching distribution found for
azureml-inference-server-http>=1.4.0", an image build failure) or installs one that
crashes at start, e.g. "ModuleNotFoundError: No module named 'distutils'" on
Python 3.12+ with server 1.3.4 or older.

Fails:
    dependencies:
      - python=3.13
      - pip
      - pip:
          - azureml-inference-server-http==1.5.1

Passes:
    dependencies:
      - python=3.12
      - pip
      - pip:
          - azureml-inference-server-http==1.5.1

Fix: pin Python to a version the server supports (3.9–3.12 for 1.4.0 and later), or
pin a server release that supports your Python.
"""

from __future__ import annotations

from collections.abc import Iterator

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.env_common import (
    conda_declared,
    conda_envs,
    fmt,
    minor,
    python_pins,
    specifier_of,
    table,
)

ID = "AML209"
NAME = "python-inference-server"
SEVERITY = "error"
KINDS = (Kind.CONDA, Kind.ENVIRONMENT, *DEPLOYMENT_KINDS)
SERVER = "azureml-inference-server-http"


def supported_range(specifier: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """(lowest, highest) Python minor of the known server releases that ``specifier`` allows."""
    try:
        spec = SpecifierSet(specifier)
    except InvalidSpecifier:
        return None
    lows, highs = [], []
    for version, info in table("inference_server.json")["releases"].items():
        if spec.contains(Version(version), prereleases=True):
            low, high = minor(info["python"][0]), minor(info["python"][1])
            if low and high:
                lows.append(low)
                highs.append(high)
    return (min(lows), max(highs)) if lows else None


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    for conda in conda_envs(doc, ctx):
        server = next((d for d in conda_declared(conda) if d.name == SERVER), None)
        if server is None or specifier_of(server) is None:
            continue
        span = supported_range(server.specifier)
        if span is None:
            continue
        for dep, version in python_pins(conda):
            if version is None:
                continue
            if not span[0] <= version <= span[1]:
                pin = f"'{server.spec}'" if server.specifier else f"'{SERVER}' (any release)"
                yield Hit(f"Python {fmt(version)} ('{dep.text}') is not supported by {pin}: its releases "
                          f"support Python {fmt(span[0])} to {fmt(span[1])}; pin Python in that range or "
                          "a server release that supports your Python", dep.location,
                          related=(server.path,))
