"""A registered or curated environment: its contents cannot be checked from the repository.

What it finds: deployments whose `environment:` is an `azureml:` or registry reference.

Why it matters: aml-lint checks imports and pins against what an environment installs; for
a registered environment that list lives in the workspace, not in the pull request, so
those checks are skipped for this deployment rather than guessed.

Fails:
    environment: azureml://registries/azureml/environments/sklearn-1.5/labels/latest

Passes:
    environment:
      image: mcr.microsoft.com/azureml/minimal-py312-inference:latest
      conda_file: env/conda.yml

Fix: nothing to fix. To have the environment checked, keep its definition in the
repository (inline or `file:`), or add a `links:` entry to a local copy of it.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, Document
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.links.environment_reference import problem

ID = "AML103"
NAME = "environment-not-visible"
SEVERITY = "info"
KINDS = tuple(DEPLOYMENT_KINDS)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    for env in ctx.project.environments.get(doc.rel, []):
        if env.reference and problem(env.reference) is None:
            yield Hit(f"environment '{env.reference}' is registered in the workspace; its packages "
                      "are not visible here, so import and pin checks skip this deployment",
                      env.reference_location)
