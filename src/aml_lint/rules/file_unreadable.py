"""A file that should be linted cannot be read.

What it finds: a definition file or scoring script that is binary, not UTF-8 (UTF-16
included), larger than 5 MiB, or unreadable.

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
from aml_lint.rules.base import Context, Hit

ID = "AML001"
NAME = "file-unreadable"
SEVERITY = "error"
KINDS = tuple(Kind)
ACCEPTS_BROKEN = True


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    if doc.read_problem is not None:
        yield Hit(doc.read_problem.message, doc.read_problem.location)
