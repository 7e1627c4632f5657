"""A pin of Flask, Werkzeug, Jinja2, pydantic ... that the inference server's own requirements exclude.

What it finds: in a conda spec, requirements file or Dockerfile that installs
`azureml-inference-server-http` or `azureml-defaults`, a version constraint on a package the
server pins itself (flask, werkzeug, jinja2, itsdangerous, markupsafe, click, pydantic, gunicorn)
that the server release's real requirement excludes, compared over the package's real releases.
The requirements of each release of the server and of azureml-defaults (which pins the server)
come from their wheels' METADATA (`knowledge/releases.json`): server 1.0.0 requires
`pydantic<1.11,>=1.9`, 1.1.0 and later pydantic 2. An error when no release the declaration allows
accepts the pin (pip cannot resolve); a warning when only older releases do (pip falls back to
one of them), or when the pin is in the conda list (pip, which runs after conda, replaces the
package). Also a warning: an old server or azureml-defaults that installs Flask 1.x while
nothing holds Jinja2 below 3.1 or itsdangerous below 2.1 (nor MarkupSafe below 2.1 under Jinja2
2.x), in its own pins or yours, on a Python those releases install on (they need Python 3.7:
on `python=3.6` pip takes Jinja2 3.0 and itsdangerous 2.0, and Flask 1.x starts). A pin the server accepts is fine, in any file; in a lock file or
`pip freeze` output (hash-pinned, or every line `==`-pinned) the advice is to regenerate the
lock, never to remove one pin.

Why it matters: pip fails the build ("ResolutionImpossible ... azureml-inference-server-http 1.5.1
depends on pydantic~=2.12.0"), quietly installs an older server, or installs a Flask 1.x stack
that crashes at start: "cannot import name 'escape' from 'jinja2'".

Fails:
    dependencies:
      - python=3.12
      - pip
      - pip:
          - azureml-inference-server-http==1.5.1
          - pydantic<2

Passes:
    dependencies:
      - python=3.12
      - pip
      - pip:
          - azureml-inference-server-http==1.5.1
          - pydantic==2.12.3

Fix: remove the constraint or move it into the range the server requires; if your own code
needs pydantic 1, it cannot share the process with a current server.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.documents.requirements import Declared
from aml_lint.findings import Severity
from aml_lint.knowledge import deps
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.environment.common import conda_envs, declared_groups, python_pins, table

ID = "AML214"
NAME = "inference-server-pins"
SEVERITY = "warning"
KINDS = (Kind.CONDA, Kind.REQUIREMENTS, Kind.DOCKERFILE, Kind.ENVIRONMENT, *DEPLOYMENT_KINDS)
SERVER = "azureml-inference-server-http"
DEFAULTS = "azureml-defaults"
_LOCK_MIN = 5  # an all-'==' list this long reads as a freeze or lock output


@dataclass(frozen=True)
class Stack:
    """What one installable choice of releases requires: `label` names it ('azureml-inference-
    server-http 1.5.1', 'azureml-defaults 1.38.0 + azureml-inference-server-http 0.4.14')."""

    label: str
    version: Version
    requires: tuple[deps.ReleaseReq, ...]

    def on(self, name: str) -> list[deps.ReleaseReq]:
        return [r for r in self.requires if r.name == name]


def _installs(dist: str, version: Version, python: deps.PythonFull | None) -> bool:
    return python is None or deps.python_blocker(dist, f"=={version}", python) is None


@cache
def stacks(name: str, specifier: str, python: deps.PythonFull | None) -> tuple[Stack, ...] | None:
    """The release choices pip has for a server declaration, oldest first; None when the data do
    not hold a release it allows (then nothing is decided)."""
    releases = deps.matching_releases(name, specifier)
    if releases is None:
        return None
    out: list[Stack] = []
    minor = python[:2] if python else None
    for version in releases:
        if not _installs(name, version, python):
            continue
        reqs = deps.release_requires(name, version, minor)
        if reqs is None:
            return None
        server = next((r for r in reqs if r.name == SERVER), None) if name == DEFAULTS else None
        if server is None:
            out.append(Stack(f"{name} {version}", version, reqs))
            continue
        for sv in deps.matching_releases(SERVER, server.specifier) or ():
            sreqs = deps.release_requires(SERVER, sv, minor)
            if sreqs is None:
                return None
            if _installs(SERVER, sv, python):
                out.append(Stack(f"{name} {version} (with {SERVER} {sv})", version, reqs + sreqs))
    return tuple(out)


@cache
def _spec(text: str) -> SpecifierSet | None:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


def allowed(name: str, specs: Sequence[str]) -> list[Version] | None:
    """The real releases of `name` that every specifier allows; None when unknown."""
    versions = deps.known_versions(name)
    parsed = [_spec(s) for s in specs]
    if versions is None or any(p is None for p in parsed):
        return None
    return [v for v in versions if all(p.contains(v, prereleases=True) for p in parsed if p is not None)]


_UNKNOWN = "?"


def conflict(stack: Stack, dep: Declared, python: deps.PythonVersion | None) -> str | None:
    """What in the stack excludes the pin ("'pydantic~=2.12.0'", or "'Jinja2>=3.1.2' of every
    flask~=3.1.0"), None when some real release satisfies both, _UNKNOWN when the data cannot
    tell. Looks at the stack's own requirements, then one level down for the dependencies whose
    every release the data hold (flask's own pins of Jinja2, Werkzeug, itsdangerous, click)."""
    reqs = stack.on(dep.name)
    if reqs:
        found = allowed(dep.name, [dep.specifier, *(r.specifier for r in reqs)])
        if found is None:
            return _UNKNOWN
        return None if found else ", ".join(f"'{r.name}{r.specifier}'" for r in reqs)
    for parent in stack.requires:
        if parent.name == dep.name or not deps.has_releases(parent.name):
            continue
        wanted: set[str] = set()
        for version in deps.matching_releases(parent.name, parent.specifier) or ():
            inner = deps.release_requires(parent.name, version, python)
            if inner is None:
                return _UNKNOWN
            specs = [r.specifier for r in inner if r.name == dep.name]
            found = allowed(dep.name, [dep.specifier, *specs])
            if found is None:
                return _UNKNOWN
            if found:
                break  # this release of the parent accepts the pin
            wanted.update(specs)
        else:
            if wanted:
                return (", ".join(f"'{dep.name}{s}'" for s in sorted(wanted))
                        + f" (through '{parent.name}{parent.specifier}')")
    return None


def is_lock(own: Sequence[Declared], lines: Sequence[str]) -> bool:
    """A freeze or lock output: hash-pinned lines, or a long list where every pin is '=='."""
    if any("--hash" in line for line in lines):
        return True
    return len(own) >= _LOCK_MIN and all(_exact(d) for d in own)


def _exact(dep: Declared) -> bool:
    """'==1.2.3', or a conda 'name=1.2.3=build' as `conda env export` writes it."""
    spec = dep.specifier
    if not spec.startswith("==") or "," in spec:
        return False
    return "*" not in spec or (dep.source == "conda" and dep.spec.count("=") >= 2)


def environment_python(doc: Document, ctx: Context) -> deps.PythonFull | None:
    """The Python of the conda spec this document is (or holds) when it pins one; for a
    requirements file or Dockerfile, that of the environments installing it, when they agree."""
    specs = conda_envs(doc, ctx)
    if doc.kind in (Kind.REQUIREMENTS, Kind.DOCKERFILE):
        specs = [env.conda for envs in ctx.project.environments.values() for env in envs
                 if env.conda is not None and (doc is env.dockerfile_doc or any(doc is r for r in env.requirements_docs))]
    found = {deps.python_full(pin.version, minor) for conda in specs for pin, minor in python_pins(conda)
             if minor is not None and minor[0] == 3}
    return found.pop() if len(found) == 1 else None


def _lines(doc: Document) -> list[str]:
    if doc.requirements is not None:
        return [line.text for line in doc.requirements.lines]
    if doc.conda is not None:
        return [line.text for line in doc.conda.pip_lines]
    return []


def _pin_hits(dep: Declared, choices: tuple[Stack, ...], lock: bool,
              python: deps.PythonVersion | None) -> Iterator[Hit]:
    verdicts = [conflict(s, dep, python) for s in choices]
    if not choices or _UNKNOWN in verdicts or verdicts[-1] is None:
        return  # the newest choice accepts it (pip takes that one), or the data cannot tell
    newest = choices[-1]
    wanted = verdicts[-1]
    fix = ("regenerate the lock file with a version the server accepts" if lock
           else "remove the pin or move it into that range")
    fallback = next((s for s, v in zip(reversed(choices), reversed(verdicts), strict=True) if v is None), None)
    if dep.source == "conda":
        # pip installs after conda and replaces a conda-installed package it must change: it resolves
        yield Hit(f"'{dep.spec}' (conda list) excludes {wanted}, which {newest.label} requires: pip "
                  f"replaces conda's {dep.name} with one the server accepts; drop it from the conda list",
                  dep.location)
        return
    if fallback is None:
        more = "" if len(choices) == 1 else " (and no other release allowed here accepts it)"
        yield Hit(f"'{dep.spec}' excludes {wanted}, which {newest.label} requires{more}: pip cannot "
                  f"resolve the environment (ResolutionImpossible); {fix}", dep.location,
                  severity=Severity.ERROR)
        return
    yield Hit(f"'{dep.spec}' excludes {wanted}, which {newest.label} requires: pip falls back to "
              f"{fallback.label}; {fix}", dep.location)


def _newest(vs: list[Version] | None) -> Version | None:
    return vs[-1] if vs else None


def _flask1_hit(server: Declared, stack: Stack, context: Sequence[Declared],
                python: deps.PythonFull | None) -> Hit | None:
    """An old stack that installs Flask 1.x while nothing holds its companions back (on a Python
    the breaking releases install on: Jinja2 3.1 needs 3.7, so on 3.6 pip keeps 3.0)."""
    flask = _newest(allowed("flask", [r.specifier for r in stack.on("flask")]))
    if flask is None or flask >= Version("2") or not stack.on("flask"):
        return None
    data = table("inference_server.json")
    breaks: list[str] = []
    floors = data["breaks_requires_python"]

    def installs(name: str) -> bool:
        floor = _spec(floors[name]) if name in floors else None
        return python is None or floor is None or floor.contains(Version(deps.format_full(python)))

    def newest(name: str) -> Version | None:
        specs = [r.specifier for r in stack.on(name)] + [d.specifier for d in context if d.name == name]
        return _newest(allowed(name, specs))

    for name, bad in data["flask1_breaks"].items():
        if not name.startswith("_") and installs(name) and (v := newest(name)) is not None \
                and v >= Version(bad):
            breaks.append(f"{name}<{bad}")
    jinja2 = newest("jinja2")
    if jinja2 is not None and jinja2 < Version("3"):
        for name, bad in data["jinja2_2_breaks"].items():
            if not name.startswith("_") and installs(name) and (v := newest(name)) is not None \
                    and v >= Version(bad):
                breaks.append(f"{name}<{bad}")
    if not breaks:
        return None
    pins = " and ".join(f"'{b}'" for b in breaks)
    return Hit(f"'{server.spec}' installs Flask {flask} ({stack.label}), and nothing holds {pins}: "
               "pip installs newer releases Flask 1.x cannot import (\"cannot import name 'escape' from "
               f"'jinja2'\"); pin {pins} or upgrade the server", server.location)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    managed = set(table("inference_server.json")["server_managed"]["packages"])
    python = environment_python(doc, ctx)
    for group in declared_groups(doc, ctx):
        server = next((d for d in group.context if d.name == SERVER), None) \
            or next((d for d in group.context if d.name == DEFAULTS), None)
        if server is None:
            continue
        choices = stacks(server.name, server.specifier, python)
        if choices is None:
            continue
        if any(d is server for d in group.own) and choices:
            hit = _flask1_hit(server, choices[-1], group.context, python)
            if hit is not None:
                yield hit
        lock = is_lock(group.own, _lines(doc))
        for dep in group.own:
            if dep.name in managed and dep.specifier:
                yield from _pin_hits(dep, choices, lock, python[:2] if python else None)
