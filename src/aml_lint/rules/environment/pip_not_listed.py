"""A conda file with a `pip:` list but without `pip` among its conda dependencies.

What it finds: conda specs (files and inline `conda_file:` mappings) whose
`dependencies` hold a `pip:` sub-list but not the `pip` package itself.

Why it matters: little. The build works: conda warns "you have pip-installed
dependencies in your environment file, but you do not list pip itself as one of your
conda dependencies ... I'm adding one for you, but still nagging you", and installs the
newest pip into the environment before the pip list (conda's `env` loader inserts `pip`
itself). What you lose is a pinned pip: the pip version, and with it the resolver's
behaviour, follows the build date. AzureML's own environment check reports it as "Pip
not specified". Information, not a warning: nothing fails or drifts that a pinned pip
would not also let drift.

Fails:
    dependencies:
      - python=3.11
      - pip:
          - azureml-inference-server-http==1.4.1

Fixed:
    dependencies:
      - python=3.11
      - pip
      - pip:
          - azureml-inference-server-http==1.4.1

Passes:
    dependencies:
      - python=3.11
      - pip=24.2
      - pip:
          - azureml-inference-server-http==1.4.1

Fix: add `- pip` (better, pinned: `- pip=24.2`) to the conda dependencies, before the
`pip:` list. `--fix` inserts `- pip` (unpinned, what conda adds anyway) on its own line just
before the `- pip:` item, with that item's indentation (safe: the build installs what it did).
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.documents.conda import CondaEnv
from aml_lint.fix import Fix
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.environment.common import conda_envs
from aml_lint.rules.fix_helpers import conda_doc, insert_item_before

ID = "AML205"
NAME = "pip-not-listed"
SEVERITY = "info"
FIX = "safe"
KINDS = (Kind.CONDA, Kind.ENVIRONMENT, *DEPLOYMENT_KINDS)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    for conda in conda_envs(doc, ctx):
        if conda.pip_list_location is not None and not conda.has_pip:
            yield Hit("the conda dependencies have a 'pip:' list but not 'pip' itself: conda adds the "
                      "newest pip for you (and warns); list it, pinned ('- pip=24.2'), to choose the "
                      "version", conda.pip_list_location, fix=_fix(conda, ctx))


def _fix(conda: CondaEnv, ctx: Context) -> Fix | None:
    doc = conda_doc(conda, ctx.project.documents)
    if doc is None or doc.text is None or conda.pip_list_location is None:
        return None
    edit = insert_item_before(doc.rel, doc.text, conda.pip_list_location, "pip")
    return Fix("add '- pip' before the 'pip:' list", (edit,)) if edit else None
