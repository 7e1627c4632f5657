"""A scoring script that does not parse.

What it finds: a scoring script (or a local module it imports) with a syntax error, or that
cannot be parsed at all (null bytes, absurdly nested expressions).

Why it matters: azure-ai-ml parses the scoring script before it submits a deployment and
stops with "Failed to submit deployment ... due to syntax errors in scoring script"; in a
container the inference server fails with "Failed to import user script".

Fails:
    def init():
        global model
        model = load(

Passes:
    def init():
        global model
        model = load()

Fix: correct the syntax at the reported line.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.rules.base import Context, Hit

ID = "AML006"
NAME = "python-syntax"
SEVERITY = "error"
KINDS = (Kind.SCORING_SCRIPT, Kind.ENTRY_SCRIPT, Kind.PYTHON)
ACCEPTS_BROKEN = True


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    script = doc.script
    if script is not None and script.error is not None:
        yield Hit(script.error, script.error_location)
