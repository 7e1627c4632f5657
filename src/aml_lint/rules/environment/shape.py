"""An environment that is neither image-based nor Dockerfile-based, or both at once.

What it finds: AzureML environments (environment YAMLs and inline `environment:`
mappings of deployments) with neither `image` nor `build`, with both, or with
`conda_file` but no `image`. Files written in the 2021 preview syntax (a `docker:`
mapping holding the image or build, an environment `path:`) are left to AML007, which
reports them once with the current key for each old one.

Why it matters: the SDK refuses the first two before upload (`Environment.validate()`,
which `create` runs): "Docker image or Dockerfile is required for environments",
"Docker image or Dockerfile should be provided not both": errors. AzureML builds the
conda environment on top of `image`, so `conda_file` alone is the first case again. A
`conda_file` beside `build` (and no `image`) passes the SDK, and the reference says
`conda_file` needs `image`: the service ignores it or refuses it, so it is a warning
(install the packages in the Dockerfile instead).

Fails:
    name: my-env
    conda_file: conda.yml

Passes:
    name: my-env
    image: mcr.microsoft.com/azureml/minimal-py312-inference:latest
    conda_file: conda.yml

Fix: give exactly one of `image` (optionally with `conda_file`) or `build`
(with a Dockerfile that installs your packages).
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.findings import Severity
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.general.preview_syntax import old_keys

ID = "AML201"
NAME = "environment-shape"
SEVERITY = "error"
KINDS = (*DEPLOYMENT_KINDS, Kind.ENVIRONMENT)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    assert doc.yaml is not None
    base: tuple[str, ...] = () if doc.kind is Kind.ENVIRONMENT else ("environment",)
    env = doc.yaml.get(base)
    if not isinstance(env, dict) or old_keys(doc):
        return  # not a mapping, or the 2021 preview syntax: AML007 reports the file once
    where = doc.yaml.loc(base, key=bool(base))
    has_image, has_build = "image" in env, "build" in env
    if "conda_file" in env and not has_image and not has_build:
        yield Hit("'conda_file' needs 'image': AzureML builds the conda environment on top of that "
                  "image", doc.yaml.loc((*base, "conda_file"), key=True))
    elif not has_image and not has_build:
        yield Hit("the environment has neither 'image' nor 'build': AzureML needs a Docker image "
                  "or a Dockerfile build context", where)
    elif has_image and has_build:
        yield Hit("the environment has both 'image' and 'build': give one (AzureML refuses both)",
                  doc.yaml.loc((*base, "build"), key=True))
    elif "conda_file" in env and not has_image:
        yield Hit("'conda_file' is given with 'build' and no 'image': AzureML builds a conda file only on top "
                  "of an image, so it is ignored or refused here; install the packages in the Dockerfile",
                  doc.yaml.loc((*base, "conda_file"), key=True), severity=Severity.WARNING)
