"""A conda environment that lists Python more than once.

What it finds: conda specs (files and inline `conda_file:` mappings) with two or more
`python` dependencies.

Why it matters: conda merges the specs of one package before solving. Two pins that
cannot both hold (`python=3.10` and `python=3.11`) leave nothing to install: the image
build fails ("UnsatisfiableError", "conflicting requests"), an error. Pins that agree
(`python=3.11` twice, `python` and `python=3.11`) merge into one and the build works:
information only, a trap for the next edit. AzureML's environment check reports
"Multiple Python versions".

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
from aml_lint.documents.conda import CondaDep
from aml_lint.findings import Severity
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.environment.common import conda_envs, conda_specifier, pins_conflict

ID = "AML207"
NAME = "python-pinned-twice"
SEVERITY = "error"
KINDS = (Kind.CONDA, Kind.ENVIRONMENT, *DEPLOYMENT_KINDS)


def _clash(a: CondaDep, b: CondaDep) -> bool:
    sa, sb = conda_specifier(a.version), conda_specifier(b.version)
    return sa is not None and sb is not None and pins_conflict(sa, sb)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    for conda in conda_envs(doc, ctx):
        pins = conda.python
        for dep in pins[1:]:
            first = pins[0]
            if any(_clash(other, dep) for other in pins if other is not dep):
                yield Hit(f"Python is listed again as '{dep.text}' (first as '{first.text}' on line "
                          f"{first.location.line}): no Python satisfies both, so conda cannot build the "
                          "environment; keep one python dependency", dep.location)
            else:
                yield Hit(f"Python is listed again as '{dep.text}' (first as '{first.text}' on line "
                          f"{first.location.line}); conda merges the two, but keep one python dependency",
                          dep.location, severity=Severity.INFO)
