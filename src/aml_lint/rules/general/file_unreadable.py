"""A file that should be linted cannot be read.

What it finds: a definition file or scoring script that is binary, not UTF-8 (UTF-16
included), or unreadable (an error); or one too large to check — over 512 KiB for a YAML,
conda, requirements file or Dockerfile, over 1 MiB for Python — a warning: the file may be
fine, but aml-lint has not looked at it. The limits keep the time and memory one file can
cost bounded (checking 512 KiB of pip list takes ~1.5 s; parsing 1 MiB of Python takes
~230 MB).

Why it matters: AzureML and conda read these files as UTF-8 text; a file saved by an
editor as UTF-16 fails the image build with "UTF-8 decoding error", and a binary file
with a YAML name fails `az ml ... create` before anything is deployed.

Fails:
    requirements.txt saved as UTF-16 (starts with the bytes FF FE)

Passes:
    requirements.txt saved as UTF-8

Fix: re-save the file as UTF-8 text, or exclude it with `exclude:` if it is not a definition file.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.findings import Severity
from aml_lint.rules.base import Context, Hit

ID = "AML001"
NAME = "file-unreadable"
SEVERITY = "error"
KINDS = tuple(Kind)
ACCEPTS_BROKEN = True


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    if doc.read_problem is not None:
        problem = doc.read_problem
        yield Hit(problem.message, problem.location, severity=Severity.WARNING if problem.too_large else None)
