"""A conda environment that lists Python more than once.

What it finds: conda specs (files and inline `conda_file:` mappings) with two or more
`python` dependencies.

Why it matters: two different pins cannot both hold: conda fails with
"UnsatisfiableError" or "conflicting requests", and even equal pins are a trap for the
next edit. AzureML's environment check reports "Multiple Python versions".

Fails:
    dependencies:
      - python=3.10
      - numpy=1.26
      - python=3.11

Passes:
    dependencies:
      - python=3.11
      - numpy=1.26

Fix: keep one `python` line with the version you want.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.env_common import conda_envs

ID = "AML207"
NAME = "python-pinned-twice"
SEVERITY = "error"
KINDS = (Kind.CONDA, Kind.ENVIRONMENT, *DEPLOYMENT_KINDS)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    for conda in conda_envs(doc, ctx):
        pins = conda.python
        for dep in pins[1:]:
            yield Hit(f"Python is listed again as '{dep.text}' (first as '{pins[0].text}' on line "
                      f"{pins[0].location.line}): keep one python dependency", dep.location)
