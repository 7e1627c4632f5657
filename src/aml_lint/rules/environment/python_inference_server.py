"""Python pinned to a version the pinned inference server cannot install on.

What it finds: a conda spec (file or inline `conda_file:`) that pins `python` and declares
`azureml-inference-server-http` or `azureml-defaults` (conda or pip list) where no release its
pin allows installs on that Python: the release's own Requires-Python excludes it (server 1.4.0
and later need Python 3.9), or one of its dependencies has no release for it (server 0.8.4 needs
`inference-schema~=1.5.0`, whose releases need Python < 3.11). The message names that blocker.
The Python is the pinned micro (`python=3.7.11`), else the newest patch of the minor. An
installable release that none of whose classifiers lists the Python (server 1.5.1 on Python 3.13)
is a warning: pip installs it, but Microsoft has not tested it there. The data are the wheels'
METADATA of every release (`knowledge/releases.json`).

Why it matters: pip finds no release ("No matching distribution found for
inference-schema~=1.5.0", an image build failure), or installs a server that was never tested on
that Python.

Fails:
    dependencies:
      - python=3.11
      - pip
      - pip:
          - azureml-inference-server-http==0.8.4

Passes:
    dependencies:
      - python=3.12
      - pip
      - pip:
          - azureml-inference-server-http==1.5.1

Fix: pin Python to a version the server release supports (3.9–3.12 for 1.4.0 and later), or
pin a server release that supports your Python.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.documents.requirements import Declared
from aml_lint.findings import Severity
from aml_lint.knowledge import deps
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.environment.common import conda_declared, conda_envs, fmt, python_pins

ID = "AML209"
NAME = "python-inference-server"
SEVERITY = "error"
KINDS = (Kind.CONDA, Kind.ENVIRONMENT, *DEPLOYMENT_KINDS)
SERVER = "azureml-inference-server-http"
DEFAULTS = "azureml-defaults"


def _span(minors: list[int]) -> str:
    return f"3.{minors[0]}–3.{minors[-1]}" if len(minors) > 1 else f"3.{minors[0]}"


def blocker_message(declared: str, python: deps.PythonFull, blocker: deps.PythonBlocker) -> str:
    """'... needs Python >=3.7,<3.11 through its dependency inference-schema~=1.5.0' (the blocker)."""
    py = deps.format_full(python)
    needs = f"Python {blocker.requires_python}" if blocker.requires_python else "another Python"
    if len(blocker.chain) == 1:
        return f"no release of '{declared}' installs on Python {py}: it requires {needs}"
    path = " -> ".join(blocker.chain[1:])
    return (f"no release of '{declared}' installs on Python {py}: its dependency '{blocker.blocker}' "
            f"requires {needs}" + (f" (through {path})" if len(blocker.chain) > 2 else ""))


def _untested(dep: Declared, python: deps.PythonFull) -> tuple[str, list[int]] | None:
    """(release, the Pythons its classifiers declare) for the server release pip installs here (the
    newest that installs), when it does not declare `python`."""
    server = dep.specifier
    if dep.name == DEFAULTS:
        releases = [v for v in deps.matching_releases(DEFAULTS, dep.specifier) or ()
                    if deps.python_blocker(DEFAULTS, f"=={v}", python) is None]
        reqs = deps.release_requires(DEFAULTS, releases[-1], python[:2]) if releases else None
        spec = next((r.specifier for r in reqs or () if r.name == SERVER), None)
        if spec is None:
            return None  # an azureml-defaults from before the server package
        server = spec
    installable = [v for v in deps.matching_releases(SERVER, server) or ()
                   if deps.python_blocker(SERVER, f"=={v}", python) is None]
    if not installable:
        return None
    minors = list(deps.release_classifiers(SERVER, installable[-1]) or ())
    return None if not minors or python[1] in minors else (f"{SERVER} {installable[-1]}", minors)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    for conda in conda_envs(doc, ctx):
        servers = [d for d in conda_declared(conda) if d.name in (SERVER, DEFAULTS)]
        if not servers:
            continue
        for pin, minor in python_pins(conda):
            if minor is None or minor[0] != 3:
                continue
            python = deps.python_full(pin.version, minor)
            for dep in servers:
                where = f"Python {fmt(minor)} ('{pin.text.strip()}')"
                blocker = deps.python_blocker(dep.name, dep.specifier, python)
                if blocker is not None:
                    yield Hit(f"{blocker_message(dep.spec, python, blocker)}: pip fails the image build on "
                              f"{where}; pin a Python it supports or another release", pin.location,
                              related=(dep.path,))
                    continue
                untested = _untested(dep, python)
                if untested is not None:
                    release, minors = untested
                    yield Hit(f"{where} is not among the Pythons {release} declares ({_span(minors)}), the "
                              f"release '{dep.spec}' installs there: pip installs it, but it is untested on "
                              f"this Python; pin Python {_span(minors)}", pin.location,
                              severity=Severity.WARNING, related=(dep.path,))
