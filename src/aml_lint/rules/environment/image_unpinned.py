"""A base image without a tag, or with a moving tag such as `:latest`.

What it finds: `image:` of environment YAMLs and of inline environments in deployments,
and `FROM` lines of Dockerfiles (build-stage names skipped, `ARG` defaults
substituted; in a multi-stage file only the stages the final image needs: the last, the
stages it builds `FROM`, and those a needed stage copies from with `COPY --from=`),
whose image has no tag and no digest, or a tag that moves (`latest`,
`latest-cpu`). The prebuilt AzureML inference images (`mcr.microsoft.com/azureml/
*-inference`) are reported as info only: Microsoft's documentation tells you to use
them with `:latest` and supports dated tags for only six months, so pinning one trades
drift for falling out of support. Operating-system and CUDA images that ship no Python
(`ubuntu`, `debian`, `alpine`, `nvidia/cuda` ...; list in `knowledge/base_images.json`)
are reported as info too: the Python the environment runs comes from the conda file or
the Dockerfile on top, so the moving tag changes system libraries, not the interpreter.
Unless the Dockerfile installs Python from the distribution (`apt-get install python3`):
then a new release of the image is a new Python, and it stays a warning.

Why it matters: the image changes under you. A rebuild picks a new Python or new
system libraries without any change in your repository:
`openmpi4.1.0-ubuntu20.04:latest` moved from Python 3.8 to 3.10 and broke package
resolution (Azure/AzureML-Containers#170), `openmpi4.1.0-ubuntu22.04` moved from 3.10
to 3.12 (#232). AzureML's environment check calls it "No tag or digest".

Fails:
    image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest

Passes:
    image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250601.v1

Fix: pin a dated tag (`:20250601.v1`) or a digest (`@sha256:...`) and update it on
purpose; for the prebuilt inference images `:latest` is what Microsoft recommends.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.findings import Location, Severity
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.environment.common import (
    ImageRef,
    env_body,
    is_prebuilt_inference,
    parse_image,
    table,
)

ID = "AML216"
NAME = "image-unpinned"
SEVERITY = "warning"
KINDS = (Kind.ENVIRONMENT, Kind.DOCKERFILE, *DEPLOYMENT_KINDS)


def images(doc: Document) -> Iterator[tuple[str, Location]]:
    """Every base image a document names: its environment's `image:` or its FROM lines."""
    if doc.kind is Kind.DOCKERFILE:
        if doc.dockerfile is not None:
            for base in doc.dockerfile.external_bases():
                yield base.image, base.location
        return
    found = env_body(doc)
    if found is not None and doc.yaml is not None:
        path, body = found
        if isinstance(body.get("image"), str):
            yield body["image"], doc.yaml.loc((*path, "image"))


_DISTRO_PYTHON = re.compile(r"\b(apt-get|apt|apk|yum|dnf|tdnf|microdnf)\b.*\b(install|add)\b.*\bpython3?(\.\d+)?(-dev|-pip|-venv|-full)?(?=\s|$|;|&)")


def carries_no_python(image: ImageRef) -> bool:
    """An OS or CUDA image without a Python interpreter of its own."""
    repository = image.repository.removeprefix("docker.io/").removeprefix("library/")
    return any(fnmatch.fnmatchcase(repository, p) for p in table("base_images.json")["no_python"]["patterns"])


def python_from_distro(doc: Document) -> bool:
    """The Dockerfile installs Python with the distribution's package manager."""
    return doc.dockerfile is not None and any(
        ins.keyword == "RUN" and _DISTRO_PYTHON.search(ins.args) for ins in doc.dockerfile.instructions)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    for text, location in images(doc):
        image = parse_image(text)
        if image is None or image.digest or image.repository == "scratch":
            continue
        moving = image.tag is None or image.tag == "latest" or image.tag.startswith("latest-")
        if not moving:
            continue
        if is_prebuilt_inference(image):
            yield Hit(f"'{text}' follows a moving tag; for AzureML's prebuilt inference images Microsoft "
                      "recommends ':latest' and supports dated tags for six months, so keep it, and expect "
                      "rebuilds to change the image", location, severity=Severity.INFO)
            continue
        what = "has no tag (Docker uses ':latest')" if image.tag is None else f"uses the moving tag ':{image.tag}'"
        if carries_no_python(image) and not python_from_distro(doc):
            yield Hit(f"base image '{text}' {what}; it ships no Python (the environment's comes from conda or "
                      "the Dockerfile on top), so a rebuild changes system libraries only: pin a tag to "
                      "control those too", location, severity=Severity.INFO)
            continue
        yield Hit(f"base image '{text}' {what}: every rebuild takes whatever the tag points to then (new "
                  "system libraries, sometimes a new Python); pin a dated tag or a digest", location)
