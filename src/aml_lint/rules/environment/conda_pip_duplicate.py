"""The same package in a conda file's conda list and its pip list.

What it finds: a package installed both by conda and by pip in one conda spec (file or
inline `conda_file:`), comparing names the way the two sides spell them: normalized
(`scikit_learn` = `scikit-learn`) and with the usual conda aliases (`pytorch` is
`torch`, `py-xgboost` is `xgboost`, `msgpack-python` is `msgpack`). Pins that cannot
both hold are AML211's business; this rule reports the compatible duplicates.

Why it matters: little, when the pins agree: conda installs the package, then pip finds
it installed at a version its requirement accepts ("Requirement already satisfied") and
leaves it alone, so the build works and gives the same environment. The second entry is
a trap for the next edit: change one pin and not the other and pip replaces conda's copy
(that case is AML211). Information, not a warning.

Fails:
    dependencies:
      - python=3.11
      - numpy=1.26
      - pip
      - pip:
          - numpy==1.26.4

Passes:
    dependencies:
      - python=3.11
      - numpy=1.26
      - pip
      - pip:
          - azureml-inference-server-http==1.4.1

Fix: install each package once: keep it in the conda list (compiled packages) or in the
pip list, not both.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.documents.conda import CondaEnv
from aml_lint.documents.requirements import Declared
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.environment.common import (
    conda_declared,
    conda_envs,
    pins_conflict,
    specifier_of,
)

ID = "AML210"
NAME = "conda-pip-duplicate"
SEVERITY = "info"
KINDS = (Kind.CONDA, Kind.ENVIRONMENT, *DEPLOYMENT_KINDS)


def pairs(conda: CondaEnv) -> Iterator[tuple[Declared, Declared]]:
    """(conda side, pip side) for every package on both lists."""
    declared = conda_declared(conda)
    on_conda = {d.name: d for d in declared if d.source == "conda"}
    for pip in declared:
        if pip.source != "conda" and pip.name in on_conda:
            yield on_conda[pip.name], pip


def conflict(a: Declared, b: Declared) -> bool:
    sa, sb = specifier_of(a), specifier_of(b)
    return sa is not None and sb is not None and pins_conflict(sa, sb)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    for conda in conda_envs(doc, ctx):
        for on_conda, on_pip in pairs(conda):
            if conflict(on_conda, on_pip):
                continue
            yield Hit(f"'{on_pip.spec}' is also installed by conda as '{on_conda.spec}' (line "
                      f"{on_conda.location.line}); the pins agree, so the build works, but list it once so "
                      "they cannot drift apart", on_pip.location)
