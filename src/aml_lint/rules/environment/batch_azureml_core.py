"""A batch model deployment whose custom environment lacks `azureml-core`.

What it finds: batch deployments of a model with a scoring script (`type: model` or
the older layout without `type`) whose environment, as written in the repository
(conda file, pip list, requirements files, Dockerfile installs), installs neither
`azureml-core` nor `azureml-defaults` (which depends on it). Registered environments,
image-only environments and MLflow deployments without a scoring script are skipped.

Why it matters: the batch driver that calls your `init()`/`run()` uses `azureml-core`;
Microsoft's batch scoring docs list it as required "for batch deployments to work", and
jobs without it fail early in the first mini-batch with a `ModuleNotFoundError` for an
`azureml` module. A warning, not an error: the driver's needs are documented, not a
contract aml-lint can check, and an environment can bring the package in ways it cannot
see (a wheel, a transitive dependency).

Fails:
    dependencies:
      - python=3.11
      - pip
      - pip:
          - scikit-learn==1.5.2

Passes:
    dependencies:
      - python=3.11
      - pip
      - pip:
          - azureml-core==1.60.0
          - scikit-learn==1.5.2

Fix: add `azureml-core` (or `azureml-defaults`) to the environment's pip list.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.environment.common import own_envs
from aml_lint.rules.environment.inference_server_missing import (
    env_names,
    has_scoring_script,
    opaque_installs,
)

ID = "AML213"
NAME = "batch-azureml-core"
SEVERITY = "warning"
KINDS = (Kind.BATCH_DEPLOYMENT,)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    if doc.yaml is None or not has_scoring_script(doc) or doc.yaml.get(("type",)) == "pipeline":
        return
    for env in own_envs(doc, ctx):
        if env.reference or not env.visible or opaque_installs(env):
            continue
        if env_names(env) & {"azureml-core", "azureml-defaults"}:
            continue
        yield Hit(f"the batch environment {env.label} installs neither azureml-core nor azureml-defaults, "
                  "which batch scoring needs: add 'azureml-core' to its pip list",
                  doc.yaml.loc(("environment",), key=True), related=tuple(d.rel for d in env.files))
