"""A conda file with a `pip:` list but without `pip` among its conda dependencies.

What it finds: conda specs (files and inline `conda_file:` mappings) whose
`dependencies` hold a `pip:` sub-list but not the `pip` package itself.

Why it matters: conda then warns "you have pip-installed dependencies in your
environment file, but you do not list pip itself as one of your conda dependencies.
Conda may not use the correct pip to install your packages", and the pip packages
can land in the base image's Python instead of the environment AzureML runs.
AzureML's own environment check reports it as "Pip not specified".

Fails:
    dependencies:
      - python=3.11
      - pip:
          - azureml-inference-server-http==1.4.1

Passes:
    dependencies:
      - python=3.11
      - pip=24.2
      - pip:
          - azureml-inference-server-http==1.4.1

Fix: add `- pip` (better, pinned: `- pip=24.2`) to the conda dependencies, before the
`pip:` list.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.env_common import conda_envs

ID = "AML205"
NAME = "pip-not-listed"
SEVERITY = "warning"
KINDS = (Kind.CONDA, Kind.ENVIRONMENT, *DEPLOYMENT_KINDS)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    for conda in conda_envs(doc, ctx):
        if conda.pip_list_location is not None and not conda.has_pip:
            yield Hit("the conda dependencies have a 'pip:' list but not 'pip' itself: add '- pip' "
                      "(pinned, e.g. '- pip=24.2') so conda installs these packages with the "
                      "environment's own pip", conda.pip_list_location)
