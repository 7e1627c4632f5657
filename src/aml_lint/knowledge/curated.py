"""What AzureML's curated environments and prebuilt inference images install, offline.

`lookup(reference)` answers for an environment reference or an image name: None when it is
not curated (a workspace environment `azureml:my-env:3`, a team's image), else a
CuratedLookup with the environment's status in aml-lint's table, and, when the table holds
its definition, its Python, base image and packages. The table (curated.json) is derived from
a snapshot of Azure/azureml-assets by tools/build_curated.py; see README.md here.

Forms understood:

- `azureml://registries/azureml/environments/<name>/labels/<label>` and `.../versions/<n>`;
- `azureml:AzureML-<name>@latest`, `azureml:AzureML-<name>:<n>`, `azureml:AzureML-<name>`:
  the names workspaces show curated environments under (legacy, e.g.
  `AzureML-sklearn-1.0-ubuntu20.04-py38-cpu`); their workspace version numbers are not the
  registry's, so they are not judged;
- `mcr.microsoft.com/azureml/curated/<name>[:<n>|:latest]` (the image tag is the version);
- the prebuilt inference images (`mcr.microsoft.com/azureml/minimal-py312-inference:latest`).

Loaded on first use and cached; a version's package list is rebuilt from the stored changes
the first time it is asked for.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_TABLE = Path(__file__).with_name("curated.json")

KNOWN = "known"
UNKNOWN_NAME = "unknown-name"
REMOVED = "removed"
UNKNOWN_VERSION = "unknown-version"

REGISTRY = "registry"
LEGACY = "legacy"
IMAGE = "image"

_REGISTRY_REF = re.compile(
    r"^azureml://registries/(?P<registry>[^/]+)/environments/(?P<name>[^/]+)/(?P<kind>versions|labels)/(?P<v>[^/]+)$")
_ARM_NAME = re.compile(r"/environments/(?P<name>[^/]+)(?:/versions/(?P<v>[^/]+))?/?$", re.IGNORECASE)
_CURATED_IMAGE = re.compile(r"^mcr\.microsoft\.com/azureml/curated/(?P<name>[^:@/]+)(?::(?P<tag>[^@]+))?(?:@.+)?$",
                            re.IGNORECASE)
_LEGACY_PREFIX = "azureml-"


@dataclass(frozen=True, slots=True)
class CuratedPackage:
    name: str  # conda-side name for conda packages, PEP 503-normalized PyPI name for pip ones
    specifier: str  # conda version constraint or PEP 440 specifier; "" when unpinned
    source: str  # "conda" | "pip"
    extras: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CuratedLookup:
    """What aml-lint's table says about one curated reference."""

    reference: str
    form: str  # REGISTRY | LEGACY | IMAGE
    name: str  # the name as written (without "AzureML-" for legacy names)
    status: str  # KNOWN | UNKNOWN_NAME | REMOVED | UNKNOWN_VERSION
    environment: str | None = None  # the table's name for it
    version: str | None = None  # the version asked for; None for a label (latest) or none given
    resolved_version: int | None = None  # the version whose definition is given; None when untagged
    latest: int | None = None  # the newest version the table lists
    version_note: str = ""  # UNKNOWN_VERSION: "newer" | "older" | "unlisted"; KNOWN: "unread" (released,
    # but its definition is not in the snapshot the table was built from)
    removed_on: str | None = None  # date the definition was deleted from azureml-assets
    python: str | None = None
    base_image: str | None = None
    packages: tuple[CuratedPackage, ...] = ()
    complete: bool = False  # the packages are the whole Python environment (no base image extras)
    defined: bool = False  # the table holds a definition for it (python and packages above)
    image: str | None = None  # the environment's image on mcr (without tag)
    table_date: str = ""  # the source commit's date (YYYY-MM-DD)
    # Every distribution the version installs, (name, version), resolved when the table was built
    # (tools/build_curated.py --resolve); None when that version has no resolved closure.
    installed: tuple[tuple[str, str], ...] | None = None

    @property
    def visible(self) -> bool:
        """Its contents are known well enough to check imports and the Python against."""
        return self.defined and self.status in (KNOWN, REMOVED)


@functools.cache
def table() -> dict[str, Any]:
    with _TABLE.open("rb") as f:
        data: dict[str, Any] = json.load(f)
    return data


def source() -> dict[str, str]:
    """{"repository", "commit", "date"} of the azureml-assets snapshot the table was built from."""
    return dict(table()["source"])


def table_date() -> str:
    return str(table()["source"]["date"])[:10]


@functools.cache
def _names_folded() -> dict[str, str]:
    return {name.lower(): name for name in table()["environments"]}


@functools.lru_cache(maxsize=256)
def _replay(name: str, version: int | None) -> tuple[int | None, str | None, str | None, bool, frozenset[int]]:
    """(version, python, base image, complete, package ids) of ``version`` (None: the latest)."""
    entry = table()["environments"][name]
    python: str | None = None
    base: str | None = None
    complete = False
    have: set[int] = set()
    found: int | None = None
    for step in entry["versions"]:
        python = step.get("python", python)
        base = step.get("base_image", base)
        complete = step.get("complete", complete)
        have = (have - set(step.get("-", ()))) | set(step.get("+", ()))
        found = step["v"]
        if version is not None and step["v"] == version:
            break
    return (found or None), python, base, complete, frozenset(have)


def _package(row: list[str]) -> CuratedPackage:
    name, spec, src = row
    extras: tuple[str, ...] = ()
    if "[" in name:
        name, _, rest = name.partition("[")
        extras = tuple(e for e in rest.rstrip("]").split(",") if e)
    return CuratedPackage(name, spec, src, extras)


def _versions(entry: dict[str, Any]) -> list[int]:
    return [step["v"] for step in entry["versions"]] if entry.get("tagged") else []


def _result(reference: str, form: str, written: str, name: str | None, version: str | None,
            judge_version: bool) -> CuratedLookup:
    date = table_date()
    if name is None:
        return CuratedLookup(reference, form, written, UNKNOWN_NAME, version=version, table_date=date)
    entry = table()["environments"][name]
    tagged = _versions(entry)
    latest = max(tagged) if tagged else None
    status = REMOVED if entry["status"] == "removed" and form != LEGACY else KNOWN
    note = ""
    want: int | None = None
    if version is not None and judge_version and tagged:
        if not version.isdigit():
            note = "unlisted"
        elif int(version) in tagged:
            want = int(version)
        elif int(version) in entry.get("unread", ()):
            note = "unread"
        else:
            note = "newer" if int(version) > max(tagged) else "older" if int(version) < min(tagged) else "unlisted"
        if note and note != "unread" and status == KNOWN:
            status = UNKNOWN_VERSION
    base = CuratedLookup(reference, form, written, status, environment=name, version=version, latest=latest,
                         version_note=note, removed_on=entry.get("removed"), image=entry.get("image"),
                         table_date=date)
    if note:
        return base  # another version's contents are not this one's
    found, python, base_image, complete, ids = _replay(name, want)
    packages = table()["packages"]
    return CuratedLookup(
        reference, form, written, status, environment=name, version=version,
        resolved_version=found if tagged else None, latest=latest, removed_on=entry.get("removed"),
        python=python, base_image=base_image, packages=tuple(_package(packages[i]) for i in sorted(ids)),
        complete=complete, defined=bool(ids) or python is not None, image=entry.get("image"), table_date=date,
        installed=_installed(name, found if tagged else 0))


@functools.lru_cache(maxsize=256)
def _installed(name: str, version: int | None) -> tuple[tuple[str, str], ...] | None:
    """The resolved closure of ``version`` of ``name`` (only the version it was resolved for)."""
    closure = table()["environments"][name].get("closure")
    if closure is None or closure["v"] != (version or 0):
        return None
    pins = [table()["installed"][i].partition("==") for i in closure["+"]]
    return tuple((name, version) for name, _, version in pins)


def _image_result(reference: str, repository: str) -> CuratedLookup | None:
    info = table()["images"].get(repository)
    if info is None:
        return None
    if info.get("environment"):
        return _result(reference, IMAGE, repository, info["environment"], None, False)
    server = info.get("server")
    packages = (CuratedPackage("azureml-inference-server-http", server, "pip"),) if server is not None else ()
    return CuratedLookup(reference, IMAGE, repository, KNOWN, python=info.get("python"), packages=packages,
                         complete=False, defined=True, image=repository, table_date=table_date())


def lookup(reference: str) -> CuratedLookup | None:
    """The table's answer for a curated reference or image; None for anything not curated."""
    ref = reference.strip()
    m = _REGISTRY_REF.match(ref)
    if m:
        if m.group("registry").lower() != "azureml":
            return None  # another registry: a team's own environments
        written = m.group("name")
        asked = m.group("v") if m.group("kind") == "versions" else None
        return _result(ref, REGISTRY, written, _names_folded().get(written.lower()), asked, True)
    if ref.startswith("azureml:") and not ref.startswith("azureml://"):
        body = ref[len("azureml:"):]
        version: str | None = None
        if body.startswith("/"):  # an ARM id: .../environments/<name>/versions/<v>
            arm = _ARM_NAME.search(body)
            if arm is None:
                return None
            written, version = arm.group("name"), arm.group("v")
        else:
            written, _, label = body.partition("@")
            written, _, version_text = written.partition(":")
            version = version_text or None
            del label
        if not written.lower().startswith(_LEGACY_PREFIX):
            return None  # a workspace environment of the user's own
        bare = written[len(_LEGACY_PREFIX):]
        return _result(ref, LEGACY, bare, _names_folded().get(bare.lower()), version, False)
    image = ref.split("://", 1)[-1] if ref.startswith(("http://", "https://", "docker://")) else ref
    m = _CURATED_IMAGE.match(image)
    if m:
        written = m.group("name")
        tag = m.group("tag")
        name = _names_folded().get(written.lower())
        return _result(ref, IMAGE, written, name, tag if tag and tag.lower() != "latest" else None, True)
    repository = re.split(r"[@]", image, maxsplit=1)[0]
    if ":" in repository.rsplit("/", 1)[-1]:
        repository = repository.rsplit(":", 1)[0]
    if repository.lower().startswith("mcr.microsoft.com/azureml/"):
        return _image_result(ref, repository.lower())
    return None
