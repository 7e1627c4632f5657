"""What the environment and deployment rules share (not a rule: no ID).

Reading the knowledge tables (base images, Python end of life, inference server),
finding the conda specs a document holds, turning conda match specs into PEP 440
specifiers, comparing pins, and telling a secret from a reference.
"""

from __future__ import annotations

import fnmatch
import json
import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.documents.conda import CondaDep, CondaEnv
from aml_lint.documents.placeholders import (
    find_delimited_placeholder,
    is_whole_placeholder,
    strip_placeholders,
)
from aml_lint.documents.requirements import Declared
from aml_lint.graph import EnvSpec, Project
from aml_lint.rules.base import Context

# -- knowledge tables --------------------------------------------------------------------------


@cache
def table(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (Path(__file__).parents[2] / "knowledge" / name).read_text(encoding="utf-8"))
    return data


# Used only when the dependency knowledge (knowledge/deps.py with its conda table) is absent.
_CONDA_ALIASES = {"pytorch": "torch", "py-xgboost": "xgboost", "msgpack-python": "msgpack",
                  "pytorch-cpu": "torch", "pytorch-gpu": "torch", "tensorflow-gpu": "tensorflow"}


@cache
def pypi_name(conda_name: str) -> str:
    """The PyPI name a conda package installs ('pytorch' -> 'torch'), normalized."""
    try:
        from aml_lint.knowledge.deps import conda_to_pypi

        names = conda_to_pypi(conda_name)
        if names:
            return canonicalize_name(names[0])
    except (ImportError, OSError, KeyError, ValueError):
        pass
    key = canonicalize_name(conda_name)
    return _CONDA_ALIASES.get(key, key)


# -- documents ---------------------------------------------------------------------------------


def conda_envs(doc: Document, ctx: Context) -> list[CondaEnv]:
    """Conda specs written in this document: the file itself, or inline ``conda_file:`` mappings."""
    if doc.kind is Kind.CONDA:
        return [doc.conda] if doc.conda is not None else []
    out = []
    for env in ctx.project.environments.get(doc.rel, []):
        if env.conda is not None and env.conda_doc is None and env.conda.path == doc.rel:
            out.append(env.conda)
    return out


def own_envs(doc: Document, ctx: Context) -> list[EnvSpec]:
    return ctx.project.environments.get(doc.rel, [])


def env_body(doc: Document) -> tuple[tuple[str, ...], dict[str, Any]] | None:
    """(YAML path, mapping) of the environment written in an environment or deployment YAML."""
    if doc.yaml is None:
        return None
    base: tuple[str, ...] = ("environment",) if doc.kind in DEPLOYMENT_KINDS else ()
    body = doc.yaml.get(base)
    return (base, body) if isinstance(body, dict) else None


def conda_declared(conda: CondaEnv) -> list[Declared]:
    """conda and pip packages of a conda spec, with PyPI-side names and PEP 440 specifiers."""
    out: list[Declared] = []
    for dep in conda.conda_deps:
        if dep.valid and dep.name not in ("python", "pip"):
            spec = conda_specifier(dep.version)
            out.append(Declared(pypi_name(dep.name), dep.text, conda.path, dep.location, "conda",
                                specifier=str(spec) if spec is not None else ""))
    out.extend(conda.pip_declared)
    return out


@dataclass
class DeclaredGroup:
    """Packages declared in one document (reported there) and everything installed beside them."""

    own: list[Declared]
    context: list[Declared]


def _pypi(declared: Iterable[Declared]) -> list[Declared]:
    """Conda-side declarations with PyPI names and PEP 440 specifiers, as conda_declared gives them."""
    out = []
    for d in declared:
        if d.source == "conda":
            spec = conda_specifier(d.specifier)
            d = replace(d, name=pypi_name(d.name), specifier=str(spec) if spec is not None else "")
        out.append(d)
    return out


def _included(doc: Document, ctx: Context, seen: set[str]) -> list[Declared]:
    """What the requirements files this one ``-r`` includes declare, recursively."""
    out: list[Declared] = []
    for link in ctx.project.links_from(doc.rel):
        target = ctx.project.documents.get(link.target)
        if link.role == "requirements" and target is not None and target.rel not in seen \
                and target.requirements is not None:
            seen.add(target.rel)
            out.extend(target.requirements.declared)
            out.extend(_included(target, ctx, seen))
    return out


def declared_groups(doc: Document, ctx: Context) -> list[DeclaredGroup]:
    """Per conda spec, requirements file or Dockerfile: its own declarations and their context
    (its includes, and the whole of every environment that uses it)."""
    users = _env_users(ctx.project)
    if doc.kind is Kind.REQUIREMENTS and doc.requirements is not None:
        own = doc.requirements.declared
        beside = _included(doc, ctx, {doc.rel})
        beside += [d for env in users.get(id(doc), []) for d in env.declared()]
        return [DeclaredGroup(own, _pypi(own + beside))]
    if doc.kind is Kind.DOCKERFILE and doc.dockerfile is not None:
        own = doc.dockerfile.declared
        beside = [d for env in users.get(id(doc), []) for d in env.declared()]
        return [DeclaredGroup(own, _pypi(own + beside))]
    groups = []
    for conda in conda_envs(doc, ctx):
        own = conda_declared(conda)
        beside = [d for env in users.get(id(conda), []) for d in env.declared()]
        groups.append(DeclaredGroup(own, _pypi(own + beside)))
    return groups


_USERS: weakref.WeakKeyDictionary[Project, dict[int, list[EnvSpec]]] = weakref.WeakKeyDictionary()


def _env_users(project: Project) -> dict[int, list[EnvSpec]]:
    """id of a conda spec, Dockerfile or requirements document -> the environments using it.

    Built once per run: scanning every environment for every document was quadratic.
    """
    users = _USERS.get(project)
    if users is None:
        users = {}
        for envs in project.environments.values():
            for env in envs:
                used = {id(env.conda), id(env.dockerfile_doc), *(id(d) for d in env.requirements_docs)}
                for key in used - {id(None)}:
                    users.setdefault(key, []).append(env)
        _USERS[project] = users
    return users


# -- versions ----------------------------------------------------------------------------------

def conda_specifier(version: str) -> SpecifierSet | None:
    """A conda version constraint as a PEP 440 SpecifierSet; None when it cannot be expressed.

    Takes CondaDep.version (conda's grammar, spaces and build already split off) and, for
    older callers, text that still holds them. '' and '*' -> any; '=1.2' -> '==1.2.*';
    '==1.2' -> '==1.2'; '1.2.*' and '1.2' -> '==1.2.*'; '=1.2.3=py38_0' -> '==1.2.3.*';
    '>=1,<2' unchanged; '>=1.2.*' -> '>=1.2'. A bare version is read as a prefix, looser than
    conda's exact match, so that a pin comparison never reports a conflict conda would not
    see. '|' (or) and parentheses have no PEP 440 form: None.
    """
    text = version.strip()
    if not text:
        return SpecifierSet()
    if any(c in text for c in "|()^$"):
        return None
    text = re.sub(r"\s*([,<>=!~])\s*", r"\1", text).split()[0]  # "1.2.3 py38_0": drop the build
    parts = []
    for clause in text.split(","):
        clause = clause.strip()
        if clause in ("*", "=*", "==*"):
            continue
        if clause.startswith("=") and not clause.startswith("=="):
            clause = clause[1:].split("=")[0]  # =1.2.3=build
            parts.append(f"=={_prefix(clause)}")
        elif clause.startswith("=="):
            parts.append(f"=={clause[2:].split('=')[0]}")
        elif clause.startswith("!="):
            parts.append(clause)
        elif clause[:1] in "<>~":
            parts.append(clause.rstrip("*").rstrip("."))
        else:
            parts.append(f"=={_prefix(clause.split('=')[0])}")
    try:
        return SpecifierSet(",".join(parts))
    except InvalidSpecifier:
        return None


def _prefix(version: str) -> str:
    version = version.rstrip("*").rstrip(".")
    return f"{version}.*" if version else "0.*"


def specifier_of(declared: Declared) -> SpecifierSet | None:
    try:
        return SpecifierSet(declared.specifier)
    except InvalidSpecifier:
        return None


def literals(spec: SpecifierSet) -> list[Version]:
    out = []
    for s in spec:
        try:
            out.append(Version(s.version.rstrip("*").rstrip(".") or "0"))
        except InvalidVersion:
            continue
    return out


def _candidates(specs: Iterable[SpecifierSet]) -> list[Version]:
    """Versions around every literal of the specifiers: enough to test whether two pins meet."""
    out: set[Version] = set()
    for spec in specs:
        for v in literals(spec):
            rel = list(v.release)
            out.add(v)
            out.add(Version(".".join(map(str, [*rel, 0, 1]))))
            out.add(Version(".".join(map(str, [*rel[:-1], rel[-1] + 1]))))
            if rel[-1] > 0:
                out.add(Version(".".join(map(str, [*rel[:-1], rel[-1] - 1, 99]))))
    return sorted(out)


def is_pin(spec: SpecifierSet) -> bool:
    return any(s.operator in ("==", "===", "~=") for s in spec)


def pins_conflict(a: SpecifierSet, b: SpecifierSet) -> bool:
    """True when no version satisfies both (decided when at least one side is a pin)."""
    if not str(a) or not str(b) or not (is_pin(a) or is_pin(b)):
        return False
    return not any(a.contains(v, prereleases=True) and b.contains(v, prereleases=True)
                   for v in _candidates((a, b)))


def allows_any(spec: SpecifierSet, versions: Iterable[str]) -> bool:
    return any(spec.contains(Version(v), prereleases=True) for v in versions)


def only_below(spec: SpecifierSet, version: str) -> bool:
    """The (non-empty) specifier allows no release at or after ``version``."""
    if not str(spec):
        return False
    later = [version, "999.0"] + [str(v) for v in literals(spec) if v >= Version(version)]
    return not allows_any(spec, later)


def minor(text: str) -> tuple[int, int] | None:
    m = re.match(r"\s*(\d+)\.(\d+)", text)
    return (int(m.group(1)), int(m.group(2))) if m else None


def python_pins(conda: CondaEnv) -> list[tuple[CondaDep, tuple[int, int] | None]]:
    """Every ``python`` dependency with the minor version it pins.

    None when it pins nothing, or nothing one version can stand for ('3.9|3.10', '>=3.9').
    """
    out = []
    for dep in conda.python:
        text = dep.version.strip()
        version = text.lstrip("=<>!~ ").split(",")[0].strip()
        fixed = version and "|" not in text and not text.startswith((">", "!"))
        out.append((dep, minor(version) if fixed else None))
    return out


def fmt(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


# -- images ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageRef:
    text: str
    repository: str  # lower case, registry included, no tag or digest
    tag: str | None
    digest: str | None

    @property
    def reference(self) -> str:
        return f"{self.repository}:{self.tag}" if self.tag else self.repository


def parse_image(text: str) -> ImageRef | None:
    """'registry/repo:tag@digest'; None for references we cannot judge (variables, templates)."""
    text = text.strip()
    if not text or any(c in text for c in "${}<> "):
        return None
    name, _, digest = text.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = None
    if ":" in last:
        name, _, tag = name.rpartition(":")
    if not name or name.endswith("/"):
        return None
    return ImageRef(text, name.lower(), tag or None, digest or None)


def _glob(value: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(value, pattern.lower())


def is_prebuilt_inference(image: ImageRef) -> bool:
    """An AzureML prebuilt or curated inference image: it ships the inference server."""
    return _any_glob(image.repository, table("base_images.json")["prebuilt_inference"]["patterns"])


def _any_glob(value: str, patterns: Iterable[str]) -> bool:
    return any(_glob(value, p) for p in patterns)


_UBUNTU = re.compile(r"ubuntu(\d\d\.\d\d)", re.I)


def _pick(found: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    """The entry for the Ubuntu release the name says, else the first match: an azureml/base tag on
    Ubuntu 18.04 is dated by the 18.04 notice, not by the repository-wide (16.04-era) list."""
    m = _UBUNTU.search(name)
    own = [e for e in found if m and e.get("ubuntu") == m.group(1)]
    return (own or found)[0] if found else None


def image_status(image: ImageRef) -> dict[str, Any] | None:
    """The deprecation entry matching an image, if any."""
    found = [e for e in table("base_images.json")["images"]
             if _glob(image.repository, e["pattern"]) or _glob(image.reference.lower(), e["pattern"])]
    return _pick(found, image.reference)


def curated_env_status(name: str) -> dict[str, Any] | None:
    found = [e for e in table("base_images.json")["curated_environments"] if _glob(name.lower(), e["pattern"])]
    return _pick(found, name)


# -- secrets -----------------------------------------------------------------------------------

# Names that say "this is a secret": any literal value of six characters or more is reported.
_SECRET_WORDS = re.compile(
    r"(^|[_\-.])(PASSWORD|PASSWD|SECRET|TOKEN|APIKEY|API_KEY|ACCESS_?KEY|ACCOUNT_?KEY|PRIVATE_?KEY|"
    r"CREDENTIALS?|CONNECTION_?STRING|CONN_?STR)([_\-.]|$)", re.I)
# Names that may hold a secret or something else (PARTITION_KEY, SAS_EXPIRY_DAYS): only random-looking values.
_MAYBE_SECRET_WORDS = re.compile(r"(^|[_\-.])(KEY|SAS|PWD)$", re.I)
_SECRET_VALUES = [
    (re.compile(r"AccountKey=[^;\s]{8,}", re.I), "a storage account key (AccountKey=...)"),
    (re.compile(r"SharedAccessKey=[^;\s]{8,}", re.I), "a shared access key (SharedAccessKey=...)"),
    (re.compile(r"[?&]sig=[A-Za-z0-9%+/=]{10,}"), "a SAS token (sig=...)"),
    (re.compile(r"://[^/\s:@$<{]+:(?![$<{%])[^/\s@]+@"), "a password inside a URL"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}"), "a GitHub token"),
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), "an AWS access key id"),
    (re.compile(r"\bsk-[A-Za-z0-9_\-]{20,}"), "an API key (sk-...)"),
]
_REFERENCE = re.compile(
    r"^\$\{\{.*\}\}$|^\$\{?\w+\}?$|^<[^>]*>$|^\{\{.*\}\}$|@https://[^/\s]+\.vault\.azure\.net|"
    r"^@?Microsoft\.KeyVault\(|^azureml://|^keyvault:|^kv:", re.I)
_PLACEHOLDER = re.compile(r"^(x+|\*+|\.+|-+|changeme|change_me|placeholder|none|null|todo|dummy|example|"
                          r"your[_\- ].*|<.*>|\[.*\]|redacted)$", re.I)


def secret_in_value(value: str) -> str | None:
    """What kind of secret a literal value carries, whatever its name."""
    value = strip_placeholders(value)  # `AccountKey=#{key}#`: the pipeline fills it in, nothing in clear
    for pattern, what in _SECRET_VALUES:
        if pattern.search(value):
            return what
    return None


# A name ending in one of these holds something about a secret (its name, where it lives, what a
# token is for: SECRET_SCOPE, TOKEN_AUDIENCE, API_KEY_ENV naming the variable), not the secret.
_NOT_SECRET_SUFFIX = re.compile(
    r"[_\-.](NAME|ID|URL|URI|ENDPOINT|PATH|FILE|DIR|VERSION|HEADER|VAULT|TYPE|ALGORITHM|COLUMN|FIELD|"
    r"LENGTH|SIZE|LIMIT|COUNT|EXPIRY|TTL|ENABLED|SCOPE|AUDIENCE|ISSUER|HOST|REGION|ENV|VAR)$", re.I)


def secret_name(name: str) -> bool:
    return bool(_SECRET_WORDS.search(name)) and not _NOT_SECRET_SUFFIX.search(name)


def _random_looking(text: str) -> bool:
    kinds = sum(bool(re.search(p, text)) for p in (r"[a-z]", r"[A-Z]", r"\d"))
    return len(text) >= 16 and kinds >= 2 and not re.search(r"\s", text)


def literal_secret(name: str, value: object) -> str | None:
    """Why ``name: value`` is a credential written in clear, or None (a reference, a placeholder)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or _REFERENCE.search(text) or _PLACEHOLDER.match(text):
        return None
    what = secret_in_value(text)
    if what:
        return what
    if is_whole_placeholder(text) or find_delimited_placeholder(text):
        return None  # `$(db_password)`, `#{token}#`: filled in by the release pipeline
    if re.fullmatch(r"[\d.]+|true|false|yes|no|/.*", text, re.I):
        return None  # numbers, flags and paths
    if secret_name(name) and len(text) >= 6 or _MAYBE_SECRET_WORDS.search(name) and _random_looking(text):
        return f"a literal value for '{name}'"
    return None
