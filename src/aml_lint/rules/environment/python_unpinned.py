"""A conda environment that does not pin Python.

What it finds: conda specs (files and inline `conda_file:` mappings) with no `python`
dependency, or with `python` and no version.

Why it matters: conda then installs whatever Python is newest the day the image is
built. A rebuild can move the environment to a Python that your pins have no wheels
for ("No matching distribution found", "Incompatible Python version") or that the
inference server does not support. AzureML's environment check calls it "Python
version missing".

Fails:
    dependencies:
      - pip
      - pip:
          - azureml-inference-server-http

Passes:
    dependencies:
      - python=3.12
      - pip
      - pip:
          - azureml-inference-server-http

Fix: add `- python=3.12` (a minor version is enough) as the first dependency.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.findings import WHOLE_FILE
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.environment.common import conda_envs, python_pins

ID = "AML206"
NAME = "python-unpinned"
SEVERITY = "warning"
KINDS = (Kind.CONDA, Kind.ENVIRONMENT, *DEPLOYMENT_KINDS)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    for conda in conda_envs(doc, ctx):
        if not conda.shape_ok or not (conda.conda_deps or conda.pip_lines):
            continue
        pins = python_pins(conda)
        if not pins:
            where = doc.yaml.loc((*conda.base, "dependencies"), key=True) if doc.yaml else WHOLE_FILE
            yield Hit("the conda environment does not pin Python: conda will pick the newest one at "
                      "build time; add '- python=3.12' (the minor version you tested)", where)
        elif all(not dep.version.strip() for dep, _ in pins):
            dep = pins[0][0]
            yield Hit(f"'{dep.text}' does not pin a version: write '- python=3.12' (the minor version "
                      "you tested)", dep.location)
