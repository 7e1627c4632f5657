"""A deprecated or retired AzureML base image or curated environment.

What it finds: `image:` of environment YAMLs and inline environments, Dockerfile `FROM`
lines, and curated environment references in deployments (`azureml:AzureML-...`,
`azureml://registries/azureml/environments/...`) that match the table of deprecated
images in `knowledge/base_images.json` (each entry with its date and source): Ubuntu
16.04 and 18.04 images (retired: an error), Ubuntu 20.04 images (deprecated
2025-02-24), `openmpi4.1.0-cuda11.8-cudnn8-ubuntu22.04` (2025-09-09), removed curated
environments such as `tensorflow-2.12-cuda11` (2024-09-06).

Why it matters: "AzureML images can be deprecated at any time without notice ... no
new versions will be released": no security patches, and old Pythons that current
packages no longer ship wheels for. Ubuntu 16.04 and 18.04 images have been out of
support for years (unsafe to serve from). AzureML's environment check reports "Base
image is deprecated".

Fails:
    image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest

Passes:
    image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250601.v1

Fix: move to the replacement the message names (for inference,
`mcr.microsoft.com/azureml/minimal-py312-inference`) and re-test your pins on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.findings import Location, Severity
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.env_common import curated_env_status, image_status, parse_image
from aml_lint.rules.env_image_unpinned import images

ID = "AML217"
NAME = "image-deprecated"
SEVERITY = "warning"
KINDS = (Kind.ENVIRONMENT, Kind.DOCKERFILE, *DEPLOYMENT_KINDS)

_REGISTRY_ENV = re.compile(r"^azureml://registries/azureml/environments/([^/]+)", re.I)
_CURATED_REF = re.compile(r"^azureml:(AzureML-[^:@/]+)", re.I)


def curated_name(reference: str) -> str | None:
    m = _REGISTRY_ENV.match(reference) or _CURATED_REF.match(reference)
    return m.group(1) if m else None


def _hit(what: str, entry: dict[str, Any], location: Location) -> Hit:
    retired = entry["status"] == "retired"
    state = "retired (out of support, no security patches)" if retired else "deprecated (no new versions)"
    return Hit(f"{what} is {state} since {entry['since']}: use {entry['replacement']}", location,
               severity=Severity.ERROR if retired else Severity.WARNING)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    for text, location in images(doc):
        image = parse_image(text)
        entry = image_status(image) if image is not None else None
        if entry is not None:
            yield _hit(f"base image '{text}'", entry, location)
    if doc.kind in DEPLOYMENT_KINDS and doc.yaml is not None:
        value = doc.yaml.get(("environment",))
        name = curated_name(value.strip()) if isinstance(value, str) else None
        entry = curated_env_status(name) if name else None
        if entry is not None:
            yield _hit(f"curated environment '{name}'", entry, doc.yaml.loc(("environment",)))
