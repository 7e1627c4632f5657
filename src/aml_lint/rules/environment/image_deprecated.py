"""A deprecated AzureML base image or curated environment.

What it finds: `image:` of environment YAMLs and inline environments, Dockerfile `FROM`
lines (of the stages the final image needs, as for AML216: an unused first stage is not
part of the image), and curated environment references in deployments (`azureml:AzureML-...`,
`azureml://registries/azureml/environments/...`) that match the table of deprecated
images in `knowledge/base_images.json`, each dated by the image's own notice: Ubuntu
16.04 images (2022-02-18, also the whole `azureml/base` and `base-gpu` repositories),
Ubuntu 18.04 images (January 2023; an `azureml/base` tag on 18.04 counts as 18.04),
Ubuntu 20.04 images (2025-02-24), `openmpi4.1.0-cuda11.8-cudnn8-ubuntu22.04`
(2025-09-09), curated environments removed from the registry's sources such as
`tensorflow-2.12-cuda11` (2024-09-06).

Why it matters: "AzureML images can be deprecated at any time without notice ... All
released image versions remain available after the deprecation date, but no new
versions will be released": the image still pulls and the build still works, but it
gets no more security patches, and its old Ubuntu and Python fall behind the wheels
current packages ship. So this is a warning. It would be an error only for a reference
that can no longer resolve, and then the message says so (no entry of the table is
known to be gone today). The advice names a successor of the same kind: a CUDA image
gets a CUDA image, a framework image or curated environment (TensorFlow, PyTorch,
scikit-learn, MLflow ...) a current one of that framework, and the inference or the
training successor is chosen from what uses the environment (an online deployment:
inference; a batch deployment: the general image; an environment no deployment uses:
both are named).

Fails:
    image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest

Passes:
    image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250601.v1

Fix: move to the successor the message names, and re-test your pins on it.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from typing import Any

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.findings import Location, Severity
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.environment.common import curated_env_status, image_status, parse_image, table
from aml_lint.rules.environment.image_unpinned import images

ID = "AML217"
NAME = "image-deprecated"
SEVERITY = "warning"
KINDS = (Kind.ENVIRONMENT, Kind.DOCKERFILE, *DEPLOYMENT_KINDS)

_REGISTRY_ENV = re.compile(r"^azureml://registries/azureml/environments/([^/]+)", re.I)
_CURATED_REF = re.compile(r"^azureml:(AzureML-[^:@/]+)", re.I)
_ONLINE = (Kind.ONLINE_DEPLOYMENT, Kind.K8S_DEPLOYMENT)
_BATCH = (Kind.BATCH_DEPLOYMENT, Kind.PIPELINE_BATCH_DEPLOYMENT)


def curated_name(reference: str) -> str | None:
    m = _REGISTRY_ENV.match(reference) or _CURATED_REF.match(reference)
    return m.group(1) if m else None


def use_of(doc: Document, ctx: Context) -> str | None:
    """'inference' when an online deployment uses this document's environment (directly, or through
    an environment YAML for a Dockerfile), 'training' when only batch deployments do, None when unknown."""
    if doc.kind in _ONLINE:
        return "inference"
    if doc.kind in _BATCH:
        return "training"
    users: set[Kind] = set()
    seen, todo = {doc.rel}, [doc.rel]
    while todo:
        for link in ctx.project.links_to(todo.pop()):
            source = ctx.project.documents.get(link.source)
            if source is None or source.rel in seen:
                continue
            seen.add(source.rel)
            users.add(source.kind)
            if source.kind is Kind.ENVIRONMENT:
                todo.append(source.rel)
    if users & set(_ONLINE):
        return "inference"
    if users & set(_BATCH):
        return "training"
    return None


def successor(name: str, use: str | None, form: str) -> str:
    """The advice for a deprecated image or curated environment ``name``: a successor of the same
    kind (CUDA, framework), for inference, for training, or both named when the use is unknown."""
    lowered = name.lower()
    cuda = "cuda" in lowered or "gpu" in lowered
    if use is None and lowered.rsplit(":", 1)[0].endswith("-inference"):
        use = "inference"  # an inference image is used for inference, whoever names it
    for rule in table("base_images.json")["successors"]:
        if not any(fnmatch.fnmatchcase(lowered, g) for g in rule["match"]):
            continue
        if rule.get("cuda") is not None and rule["cuda"] != cuda:
            continue
        pick = {k: _form(rule[k], form) for k in ("training", "inference")}
        if use is not None:
            return pick[use]
        if pick["training"] == pick["inference"]:
            return pick["training"]
        return f"{pick['training']} (training) or {pick['inference']} (inference)"
    return "a supported image from the AzureML-Containers list"


def _form(options: dict[str, str], form: str) -> str:
    if form in options:
        return options[form]
    return f"an environment on {options['image']}"


def _hit(what: str, entry: dict[str, Any], advice: str, location: Location) -> Hit:
    if entry.get("resolves") is False:
        return Hit(f"{what} can no longer be resolved: {entry['notice']}, so the build or the deployment "
                   f"fails; use {advice}", location, severity=Severity.ERROR)
    still = ("its released tags still pull and build, but it gets no security patches"
             if what.startswith("base image") else "it gets no new versions or security patches")
    return Hit(f"{what} is deprecated ({entry['notice']}): {still}; move to {advice}", location)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    use: str | None = None
    decided = False
    for text, location in images(doc):
        image = parse_image(text)
        entry = image_status(image) if image is not None else None
        if entry is None or image is None:
            continue
        if not decided:
            use, decided = use_of(doc, ctx), True
        yield _hit(f"base image '{text}'", entry, successor(image.reference, use, "image"), location)
    if doc.kind in DEPLOYMENT_KINDS and doc.yaml is not None:
        value = doc.yaml.get(("environment",))
        name = curated_name(value.strip()) if isinstance(value, str) else None
        entry = curated_env_status(name) if name else None
        if name and entry is not None:
            advice = successor(name, "inference" if doc.kind in _ONLINE else "training", "environment")
            yield _hit(f"curated environment '{name}'", entry, advice, doc.yaml.loc(("environment",)))
