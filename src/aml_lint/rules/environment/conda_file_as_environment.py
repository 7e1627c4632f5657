"""A conda file used where an AzureML environment definition is expected.

What it finds: an environment YAML with top-level `channels` or `dependencies`, and a
deployment whose `environment: file:...` points at a conda file.

Why it matters: the CLI stops with "It looks like you are trying to specify a conda file
for the --file/-f argument. --file/-f is reserved for the Azure ML Environment
definition"; the conda file belongs under the environment's `conda_file:` key.

Fails:
    environment: file:environment/conda.yml    # a conda file

Passes:
    environment:
      image: mcr.microsoft.com/azureml/minimal-py312-inference:latest
      conda_file: environment/conda.yml

Fix: reference the conda file from `conda_file:` of an environment that also names an `image`.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.rules.base import Context, Hit

ID = "AML202"
NAME = "conda-file-as-environment"
SEVERITY = "error"
KINDS = (*DEPLOYMENT_KINDS, Kind.ENVIRONMENT)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    assert doc.yaml is not None
    if doc.kind is Kind.ENVIRONMENT:
        for key in ("channels", "dependencies"):
            if key in (doc.yaml.data or {}):
                yield Hit(f"'{key}' belongs in a conda file: put the conda spec in its own file and "
                          "name it with 'conda_file:'", doc.yaml.loc((key,), key=True))
        return
    for link in ctx.project.links_from(doc.rel):
        target = ctx.project.documents.get(link.target)
        if link.role == "environment" and target is not None and target.kind is Kind.CONDA:
            yield Hit(f"'{target.rel}' is a conda file, not an AzureML environment: use "
                      "'environment: {image: ..., conda_file: ...}' instead of 'file:'",
                      doc.yaml.loc(("environment",)))
