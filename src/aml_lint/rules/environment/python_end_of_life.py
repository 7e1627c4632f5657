"""Python pinned to a version that has reached end of life.

What it finds: a `python` pin in a conda spec (file or inline `conda_file:`), or an
official `python:X.Y` image (Dockerfile `FROM`, environment `image:`), whose minor version is past its end of
life (2.7, 3.5–3.10 as of the table's date: 3.7 ended 2023-06-27, 3.8 2024-10-07,
3.9 2025-10-31, 3.10 2026-10). Dates are in `knowledge/python_eol.json` with their
sources, and are compared with the table's own date, not the clock.

Why it matters: an end-of-life Python gets no security fixes, and packages stop
shipping wheels for it, so the next rebuild fails with "No matching distribution
found"; the inference server dropped Python 3.8 in 1.4.0 and Python 3.7 in 1.0.0.
AzureML's environment check reports "Python version not supported".

Fails:
    dependencies:
      - python=3.8.5

Passes:
    dependencies:
      - python=3.12

Fix: move to a supported Python (3.12 works with the current inference server) and
re-pin the packages that need it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.findings import Location
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.environment.common import conda_envs, fmt, parse_image, python_pins, table
from aml_lint.rules.environment.image_unpinned import images

ID = "AML208"
NAME = "python-end-of-life"
SEVERITY = "warning"
KINDS = (Kind.CONDA, Kind.DOCKERFILE, Kind.ENVIRONMENT, *DEPLOYMENT_KINDS)
_PYTHON_IMAGES = ("python", "docker.io/python", "docker.io/library/python", "library/python")


def end_of_life(version: tuple[int, int]) -> str | None:
    """The end-of-life date when it is on or before the table's date."""
    data = table("python_eol.json")
    date = data["end_of_life"].get(fmt(version))
    if date is None:
        return "long ago (before 2020)" if version < (3, 5) else None
    return str(date) if date <= data["as_of"] else None


def _hit(text: str, version: tuple[int, int], location: Location) -> Hit | None:
    date = end_of_life(version)
    if date is None:
        return None
    when = f"in {date}" if len(date) == 7 else date if date.startswith("long") else f"on {date}"
    return Hit(f"'{text}': Python {fmt(version)} reached end of life {when} and gets no security "
               "fixes; move to a supported Python (3.12 works with the current inference server)",
               location)


def _python_image(text: str) -> tuple[int, int] | None:
    """The Python of an official ``python:X.Y...`` image."""
    image = parse_image(text)
    if image is None or image.tag is None or image.repository not in _PYTHON_IMAGES:
        return None
    m = re.match(r"(\d+)\.(\d+)", image.tag)
    return (int(m.group(1)), int(m.group(2))) if m else None


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    for text, location in images(doc):
        version = _python_image(text)
        hit = _hit(text, version, location) if version else None
        if hit:
            yield hit
    for conda in conda_envs(doc, ctx):
        for dep, version in python_pins(conda):
            if version is not None:
                hit = _hit(dep.text, version, dep.location)
                if hit:
                    yield hit
