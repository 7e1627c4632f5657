"""A package pinned differently in a conda file's conda list and its pip list.

What it finds: a package in both lists of one conda spec (file or inline
`conda_file:`) whose pins cannot both hold, decided with `packaging` specifiers after
reading conda's syntax the way conda does: `=1.2` is `==1.2.*`, `1.2.*` is
`==1.2.*`, `==1.2` is exactly 1.2, a build string (`=1.2.3=py311_0`) is ignored.
Names are compared normalized and with the usual aliases (`pytorch` = `torch`).

Why it matters: conda installs one version, then pip replaces it with the other; the
packages conda installed against the first version are now broken (typically
"numpy.dtype size changed, may indicate binary incompatibility" or an
`ImportError` from a compiled module), or pip fails the build with
"ResolutionImpossible".

Fails:
    dependencies:
      - python=3.11
      - numpy=1.26
      - pip
      - pip:
          - numpy==2.1.0

Passes:
    dependencies:
      - python=3.11
      - numpy=1.26
      - pip
      - pip:
          - pandas==2.2.2

Fix: keep the package on one list, with the version you mean.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.env_common import conda_envs
from aml_lint.rules.env_conda_pip_duplicate import conflict, pairs

ID = "AML211"
NAME = "conda-pip-conflict"
SEVERITY = "error"
KINDS = (Kind.CONDA, Kind.ENVIRONMENT, *DEPLOYMENT_KINDS)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    for conda in conda_envs(doc, ctx):
        for on_conda, on_pip in pairs(conda):
            if conflict(on_conda, on_pip):
                yield Hit(f"'{on_pip.spec}' in the pip list contradicts '{on_conda.spec}' in the conda "
                          f"list (line {on_conda.location.line}): no version satisfies both; keep the "
                          "package on one list", on_pip.location)
