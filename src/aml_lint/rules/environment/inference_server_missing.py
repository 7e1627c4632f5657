"""An online deployment with a scoring script whose environment lacks the inference server.

What it finds: managed and Kubernetes online deployments with `code_configuration`
(a scoring script) whose environment, as written in the repository, installs neither
`azureml-inference-server-http` nor `azureml-defaults` (which depends on it): the
conda file, its pip list, the requirements files and the `pip install` / `conda
install` lines of a Dockerfile are all searched. Not reported: deployments without a
scoring script (custom containers, MLflow and Triton no-code models), registered or
curated environments (their contents are not in the repository), image-only
environments, Dockerfiles built on a prebuilt AzureML inference image (it ships the
server), and environments that install from files or projects aml-lint cannot see (`-r`
includes it could not resolve, `pip install .`, wheels, VCS URLs, `conda env create -f`). A conda file on top of a prebuilt
`*-inference` image is a warning, not an error: AzureML builds a new conda environment
from the file, and the image's start script then installs the server from PyPI at
container start, which fails when the deployment has no outbound network access
(`egress_public_network_access: disabled`, reported as an error). A base image from a registry
aml-lint cannot see (a team's `*.azurecr.io` image, not Docker Hub, MCR or another public
registry) may ship the server itself: a warning, not an error.

Why it matters: the container starts, looks for the server and stops: "A required
package azureml-inference-server-http is missing"; the deployment ends in
"ResourceNotReady" after the liveness probe fails with 502.

Fails:
    # deployment.yml
    code_configuration: {code: src, scoring_script: score.py}
    environment:
      image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250601.v1
      conda_file: conda.yml
    # conda.yml
    dependencies:
      - python=3.12
      - pip
      - scikit-learn

Fixed:
    # deployment.yml
    code_configuration: {code: src, scoring_script: score.py}
    environment:
      image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250601.v1
      conda_file: conda.yml
    # conda.yml
    dependencies:
      - python=3.12
      - pip
      - scikit-learn
      - pip:
          - azureml-inference-server-http==1.5.1

Passes:
    # conda.yml
    dependencies:
      - python=3.12
      - pip
      - pip:
          - azureml-inference-server-http==1.5.1
          - scikit-learn==1.5.2

Fix: add `azureml-inference-server-http` to the pip list (or the Dockerfile's `pip
install`), or build on a prebuilt inference image such as
`mcr.microsoft.com/azureml/minimal-py312-inference`. `--fix` (safe: the deployment cannot start
without it) adds `azureml-inference-server-http`, pinned to the newest release that installs on
the environment's pinned Python and agrees with the environment's own pins of the server's
requirements (bundled release data), preferring a release that declares that Python among its
classifiers, to the conda spec's pip list (created, with `- pip`, when
there is none) or to the requirements file that list includes. No fix for a Dockerfile
environment, an unpinned Python, or when no release fits. Where no release declares the Python
(3.13 today), the fix still adds the newest that installs, and AML209 says it is untested there:
a warning in place of a deployment that cannot start.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from packaging.version import Version

from aml_lint.documents import Document, Kind
from aml_lint.findings import Severity
from aml_lint.fix import Fix
from aml_lint.graph import EnvSpec
from aml_lint.knowledge import deps
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.environment.common import (
    is_prebuilt_inference,
    own_envs,
    parse_image,
    pypi_name,
    table,
)
from aml_lint.rules.fix_helpers import add_to_environment, installable_pin
from aml_lint.rules.imports.verdict import python_of

ID = "AML212"
NAME = "inference-server-missing"
SEVERITY = "error"
FIX = "safe"
KINDS = (Kind.ONLINE_DEPLOYMENT, Kind.K8S_DEPLOYMENT)

_CONDA_FROM_FILE = re.compile(r"\b(conda|mamba|micromamba)\s+(env\s+)?(create|update|install)\b.*\s(-f|--file)\b")
_OTHER_INSTALLERS = re.compile(r"\b(poetry\s+install|uv\s+sync|pipenv\s+install|pdm\s+install|setup\.py\s+install)\b")


def env_names(env: EnvSpec) -> set[str]:
    """PyPI-side names of everything the environment declares."""
    return {pypi_name(d.name) for d in env.declared()}


def provides_server(env: EnvSpec) -> bool:
    return bool(env_names(env) & set(table("inference_server.json")["providers"]))


def opaque_installs(env: EnvSpec) -> bool:
    """The environment installs from files, projects or bases we cannot read: do not guess."""
    if env.conda is not None and any(line.include or line.url for line in env.conda.pip_lines):
        return True
    doc = env.dockerfile_doc
    if doc is None or doc.dockerfile is None:
        return False
    for base in doc.dockerfile.external_bases():
        image = parse_image(base.image)
        if image is None or is_prebuilt_inference(image):
            return True
    for ins in doc.dockerfile.instructions:
        if ins.keyword == "RUN" and (_CONDA_FROM_FILE.search(ins.args) or _OTHER_INSTALLERS.search(ins.args)):
            return True
    if any(line.url for line in doc.dockerfile.pip_installs()):
        return True  # `pip install .`, a wheel, a VCS URL: its dependencies are unknown
    found = {PurePosixPath(r.rel).name for r in env.requirements_docs}
    return any(line.include and PurePosixPath(line.include).name not in found
               for line in doc.dockerfile.pip_installs())


# Public registries: their images are known not to ship the server unless they say so (AzureML's
# prebuilt inference images). Any other registry holds a team's own image, which may.
_PUBLIC_REGISTRIES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io", "mcr.microsoft.com",
                                "nvcr.io", "ghcr.io", "quay.io", "gcr.io", "public.ecr.aws"})


def unseen_base(env: EnvSpec) -> str | None:
    """The environment's base image when it comes from a registry aml-lint cannot see."""
    doc = env.dockerfile_doc
    if doc is not None and doc.dockerfile is not None:
        images = [base.image for base in doc.dockerfile.external_bases()]
    else:
        images = [env.image] if env.image else []
    for text in images:
        image = parse_image(text)
        host = image.repository.split("/", 1)[0] if image is not None and "/" in image.repository else ""
        if ("." in host or ":" in host or host == "localhost") and host not in _PUBLIC_REGISTRIES:
            return text
    return None


def has_scoring_script(doc: Document) -> bool:
    code = doc.yaml.get(("code_configuration",)) if doc.yaml else None
    return isinstance(code, dict) and bool(code.get("scoring_script"))


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    if doc.yaml is None or not has_scoring_script(doc):
        return
    egress_off = str(doc.yaml.get(("egress_public_network_access",), "")).lower() == "disabled"
    for env in own_envs(doc, ctx):
        if env.reference or not env.visible or provides_server(env) or opaque_installs(env):
            continue
        where = doc.yaml.loc(("environment",), key=True)
        related = tuple(d.rel for d in env.files)
        if (private := unseen_base(env)) is not None:
            yield Hit(f"the environment {env.label} installs neither azureml-inference-server-http nor "
                      f"azureml-defaults: unless its base image {private} ships the server, the container "
                      "stops at start; add 'azureml-inference-server-http'", where,
                      severity=Severity.WARNING, related=related)
            continue
        if env.dockerfile_doc is not None:
            yield Hit(f"the scoring script runs in the environment built from {env.dockerfile_doc.rel}, "
                      "which installs neither azureml-inference-server-http nor azureml-defaults: add "
                      "'azureml-inference-server-http' to its pip install", where, related=related)
            continue
        image = parse_image(env.image) if env.image else None
        label = env.label
        fix = _server_fix(env, ctx)
        if image is not None and is_prebuilt_inference(image):
            if egress_off:
                yield Hit(f"the conda environment {label} lacks azureml-inference-server-http, and with "
                          "egress_public_network_access disabled the inference image cannot install it "
                          "at start: add 'azureml-inference-server-http' to its pip list", where,
                          related=related, fix=fix)
            else:
                yield Hit(f"the conda environment {label} lacks azureml-inference-server-http: AzureML "
                          f"builds a new environment on {image.repository} and the server is then "
                          "installed from PyPI at every container start; add "
                          "'azureml-inference-server-http' to its pip list", where,
                          severity=Severity.WARNING, related=related, fix=fix)
            continue
        yield Hit(f"the conda environment {label} installs neither azureml-inference-server-http nor "
                  "azureml-defaults, so the container stops with 'A required package "
                  "azureml-inference-server-http is missing': add 'azureml-inference-server-http' to "
                  "its pip list", where, related=related, fix=fix)


SERVER = "azureml-inference-server-http"


def _server_fix(env: EnvSpec, ctx: Context) -> Fix | None:
    """The server added, pinned to the newest release that installs here and fits the env's pins."""
    python, _source = python_of(env)
    if python is None:
        return None
    pins: dict[str, list[str]] = {}
    for d in env.declared():
        spec = d.specifier.replace(" ", "")
        if d.source != "conda" and spec:
            pins.setdefault(pypi_name(d.name), []).append(spec)

    def tested(version: Version) -> bool:
        minors = deps.release_classifiers(SERVER, version)
        return not minors or python[1] in minors

    def fits(version: Version) -> bool:
        for req in deps.release_requires(SERVER, str(version), python) or ():
            for spec in pins.get(deps.normalize(req.name), []):
                allowed = deps.matching_releases(req.name, f"{req.specifier},{spec}".strip(","))
                if not allowed:
                    return False  # no release satisfies both, or the data cannot tell
        return True

    micro = next((d.version for d in env.conda.python), None) if env.conda is not None else None
    full = deps.python_full(micro, python)
    # A release that declares this Python first; else the newest that installs (AML209 then warns
    # that it is untested there: a warning instead of a deployment that cannot start).
    pin = installable_pin(SERVER, full, accept=lambda v: fits(v) and tested(v)) \
        or installable_pin(SERVER, full, accept=fits)
    edits = add_to_environment(env, ctx.project.documents, [f"{SERVER}=={pin}"]) if pin else None
    return Fix(f"add '{SERVER}=={pin}' to {edits[0].path}", tuple(edits)) if edits else None
