#!/usr/bin/env python3
"""Do the bundled facts agree with a real resolver? A maintainer check for knowledge/releases.json.

    python tools/check_resolver_agreement.py [--tool auto|uv|pip] [--index-url URL] [--jobs 3]
                                            [--only installable,server-pins,numpy-caps] [--json FILE]

Rules AML209/AML504 (can this pin install on this Python?), AML214 (does the server release accept
this pin?) and AML215 (does this pin cap numpy below 2?) decide from the releases' own metadata
without resolving. This script asks `uv pip compile` (or `pip install --dry-run --report`) the
same questions, for the entries those rules use, and prints how often the two agree:

- installable: `NAME==V` alone, for every release of the inference server and of azureml-defaults
  1.36 and later, on Python 3.8-3.13 (the newest patch of each, as the rules judge it);
- server-pins: `azureml-inference-server-http==V` with a `==` pin of each package it requires among
  those AML214 checks (and Jinja2/itsdangerous/click through flask), at the newest release inside the
  server's requirement and the newest outside it, on a Python the release installs on;
- numpy-caps: `NAME==V` with `numpy>=2`, for releases of the packages AML215 reads caps from.

By default (`--tool auto`) installability is asked of pip, the resolver AzureML's image build runs:
uv ignores the upper bound of a Requires-Python (`inference-schema 1.5.1` says `<3.11`, and
`uv pip compile --python-version 3.11` still picks it), pip does not. The other two are asked of uv,
which evaluates environment markers for the target Python (pip, resolving for another Python,
evaluates them for the Python it runs on). A resolver failure that is only about a package without
wheels (the resolver would have to build it, which runs its code) is counted as inconclusive, not as
a disagreement. Every disagreement is listed. The script needs
network access to the index (PyPI by default); the test suite runs it against a local index
(tests/knowledge/test_resolver_agreement.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from packaging.version import Version

from aml_lint.documents.requirements import Declared
from aml_lint.findings import Location
from aml_lint.knowledge import deps
from aml_lint.resolve import find_uv
from aml_lint.rules.environment import inference_server_pins as aml214
from aml_lint.rules.environment import numpy2_abi as aml215

SERVER = "azureml-inference-server-http"
DEFAULTS = "azureml-defaults"
PYTHONS = tuple((3, m) for m in range(8, 14))
PIN_PACKAGES = ("flask", "werkzeug", "pydantic", "gunicorn", "jinja2", "itsdangerous", "click")
CAP_PACKAGES = ("scipy", "pandas", "scikit-learn", "tensorflow", "numba")
INCONCLUSIVE = re.compile(r"no usable wheels|Wheels are required|only source distributions|"
                          r"has no wheels|metadata-generation-failed|building .* failed", re.I)
# pip: the requirement it could not find; inconclusive when that package has no wheel at all
_PIP_NOT_FOUND = re.compile(r"No matching distribution found for ([A-Za-z0-9._-]+)")
# the tool each kind of question goes to with --tool auto (see the module docstring)
AUTO_TOOL = {"installable": "pip", "server-pins": "uv", "numpy-caps": "uv"}


@dataclass(frozen=True)
class Case:
    kind: str
    requirements: tuple[str, ...]
    python: tuple[int, int, int]
    table: bool  # what the table says: resolvable?


@dataclass
class Outcome:
    case: Case
    resolver: bool | None  # None: inconclusive
    detail: str


def _full(python: deps.PythonVersion) -> deps.PythonFull:
    return deps.python_full(None, python)


def _decl(name: str, specifier: str) -> Declared:
    return Declared(name, f"{name}{specifier}", "", Location(1, 1), "pip", specifier=specifier)


def installable_cases(pythons: Sequence[deps.PythonVersion] = PYTHONS,
                      releases: Iterable[tuple[str, str]] | None = None) -> list[Case]:
    chosen = releases if releases is not None else [
        *((SERVER, str(v)) for v in deps.known_versions(SERVER) or ()),
        *((DEFAULTS, str(v)) for v in deps.known_versions(DEFAULTS) or () if v >= Version("1.36")),
    ]
    out = []
    for name, version in chosen:
        for python in pythons:
            if name == DEFAULTS and releases is None and python[1] not in (8, 10, 12):
                continue
            full = _full(python)
            ok = deps.python_blocker(name, f"=={version}", full) is None
            out.append(Case("installable", (f"{name}=={version}",), full, ok))
    return out


def _python_for(version: Version) -> deps.PythonFull | None:
    """The newest Python (3.8-3.12) the server release installs on and declares."""
    declared = deps.release_classifiers(SERVER, version) or ()
    for python in sorted(PYTHONS, reverse=True):
        full = _full(python)
        if python[1] in declared and deps.python_blocker(SERVER, f"=={version}", full) is None:
            return full
    return None


def server_pin_cases(versions: Iterable[str] | None = None,
                     packages: Sequence[str] = PIN_PACKAGES) -> list[Case]:
    out = []
    for text in versions if versions is not None else [str(v) for v in deps.known_versions(SERVER) or ()]:
        version = Version(text)
        python = _python_for(version)
        if python is None:
            continue
        stacks = aml214.stacks(SERVER, f"=={version}", python)
        if not stacks:
            continue
        stack = stacks[-1]
        for name in packages:
            known = deps.known_versions(name) or ()
            probes: list[Version] = []
            inside = [v for v in known if aml214.conflict(stack, _decl(name, f"=={v}"), python[:2]) is None]
            outside = [v for v in known if v not in inside]
            if not stack.on(name) and len(outside) == 0:
                continue  # the release says nothing about this package
            probes += inside[-1:] + outside[-1:]
            for probe in probes:
                verdict = aml214.conflict(stack, _decl(name, f"=={probe}"), python[:2])
                if verdict == "?":
                    continue
                out.append(Case("server-pins", (f"{SERVER}=={version}", f"{name}=={probe}"), python,
                                verdict is None))
    return out


def numpy_cap_cases(python: deps.PythonVersion = (3, 10), packages: Sequence[str] = CAP_PACKAGES,
                    per_package: int = 30) -> list[Case]:
    out = []
    full = _full(python)
    for name in packages:
        versions = [v for v in deps.known_versions(name) or ()
                    if deps.python_blocker(name, f"=={v}", full) is None][-per_package:]
        for version in versions:
            caps = aml215.caps_numpy(_decl(name, f"=={version}"), full)
            out.append(Case("numpy-caps", (f"{name}=={version}", "numpy>=2"), full, not caps))
    return out


def _wheel_less(name: str, index_url: str | None) -> bool:
    """Does the index hold no wheel at all of `name` (pip, wheels only, cannot decide then)?"""
    import urllib.request

    url = (index_url or "https://pypi.org/simple/").rstrip("/") + f"/{deps.normalize(name)}/"
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            page = resp.read().decode("utf-8", "replace")
    except OSError:
        return False
    return ".whl" not in page


def resolve(case: Case, tool: str, index_url: str | None, cache: Path,
            build: Sequence[str] = ()) -> Outcome:
    tool = AUTO_TOOL[case.kind] if tool == "auto" else tool
    with tempfile.TemporaryDirectory(prefix="aml-lint-agree-") as tmp:
        reqfile = Path(tmp) / "requirements.txt"
        reqfile.write_text("\n".join(case.requirements) + "\n")
        py = deps.format_full(case.python)
        if tool == "uv":
            cmd = [find_uv() or "uv", "pip", "compile", str(reqfile), "--python-version", py,
                   "--python-platform", "x86_64-manylinux_2_28", "--only-binary", ":all:", "--no-header",
                   "--no-annotate", "--color", "never", "--no-python-downloads", "--cache-dir", str(cache)]
            for name in build:  # allowed to build (runs its build code): --build-sdists only
                cmd += ["--no-binary", name]
            if index_url:
                cmd += ["--no-config", "--index-url", index_url]
        else:
            cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--no-input",
                   "--disable-pip-version-check", "--report", str(Path(tmp) / "r.json"), "--python-version",
                   py, "--implementation", "cp", "--only-binary=:all:", "--platform",
                   "manylinux_2_28_x86_64", "--platform", "manylinux2014_x86_64", "--target",
                   str(Path(tmp) / "t"), "-r", str(reqfile)]
            if index_url:
                cmd += ["--index-url", index_url]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_")) or not index_url}
        if index_url:
            env["PIP_CONFIG_FILE"] = os.devnull  # only that index, not the machine's extra ones
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    output = (proc.stderr + proc.stdout).strip()
    if proc.returncode == 0:
        return Outcome(case, True, "")
    errors = [ln.strip() for ln in output.splitlines()
              if ln.strip().startswith(("ERROR", "error:", "cause:", "Because", "And because"))]
    last = " ".join(" ".join(errors or [output]).split())[-400:]
    if tool == "uv" and INCONCLUSIVE.search(output):
        return Outcome(case, None, last)
    probes = [r.split("==")[0] for r in case.requirements[1:]]
    if any(re.search(rf"\b{re.escape(p)}==\S+ depends on Python", output) for p in probes):
        return Outcome(case, None, last)  # the probe release itself needs another Python
    if tool == "pip" and (m := _PIP_NOT_FOUND.search(output)) and _wheel_sdist_only(m.group(1), index_url):
        return Outcome(case, None, last)
    if tool == "pip" and any(_wheel_sdist_only(n, index_url) for n in _pip_conflict_names(output)):
        return Outcome(case, None, last)
    return Outcome(case, False, last)


def _pip_conflict_names(output: str) -> set[str]:
    """The packages named after 'depends on' in pip's 'The conflict is caused by:' block."""
    block = output.split("The conflict is caused by:", 1)[1].split("\n\n", 1)[0] if \
        "The conflict is caused by:" in output else ""
    return {deps.normalize(n) for n in re.findall(r"depends on ([A-Za-z0-9._-]+)", block)}


_SDIST_ONLY: dict[str, bool] = {}


def _wheel_sdist_only(name: str, index_url: str | None) -> bool:
    """pip cannot find `name` because it (in the versions asked) ships no wheel: a release list
    without any wheel of the versions a pin allows is decided by looking for a wheel at all."""
    key = deps.normalize(name)
    if key not in _SDIST_ONLY:
        _SDIST_ONLY[key] = _wheel_less(key, index_url) or key in SDIST_ONLY_RELEASES
    return _SDIST_ONLY[key]


# Packages whose releases the old servers pin have no wheel (wrapt<=1.12.1, json-logging-py 0.2):
# pip in the image builds them; pip here, wheels only, cannot say more.
SDIST_ONLY_RELEASES = frozenset({"wrapt", "json-logging-py"})


def run(cases: Sequence[Case], tool: str, index_url: str | None, jobs: int,
        resolver: Callable[[Case], Outcome] | None = None, build: Sequence[str] = ()) -> list[Outcome]:
    cache = Path(tempfile.gettempdir()) / "aml-lint-agreement-cache"
    ask = resolver or (lambda c: resolve(c, tool, index_url, cache, build))
    with ThreadPoolExecutor(jobs) as pool:
        return list(pool.map(ask, cases))


def summarize(outcomes: Sequence[Outcome]) -> dict[str, dict[str, int]]:
    out: dict[str, Counter[str]] = {}
    for o in outcomes:
        c = out.setdefault(o.case.kind, Counter())
        c["cases"] += 1
        if o.resolver is None:
            c["inconclusive"] += 1
        elif o.resolver == o.case.table:
            c["agree"] += 1
        else:
            c["disagree"] += 1
            c["table says resolvable, resolver fails" if o.case.table else
              "table says unresolvable, resolver resolves"] += 1
    return {k: dict(v) for k, v in out.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tool", choices=["auto", "uv", "pip"], default="auto")
    ap.add_argument("--index-url")
    ap.add_argument("--jobs", type=int, default=3)
    ap.add_argument("--only", default="installable,server-pins,numpy-caps")
    ap.add_argument("--json", type=Path, help="write every outcome here")
    ap.add_argument("--build-sdists", default="",
                    help="uv only: packages it may build from source to read their metadata (this runs "
                         "their build code), e.g. wrapt,json-logging-py, which the old servers pin and "
                         "which ship no wheel; without it those cases are inconclusive")
    args = ap.parse_args(argv)
    kinds = set(args.only.split(","))
    cases: list[Case] = []
    if "installable" in kinds:
        cases += installable_cases()  # the server on 3.8-3.13, azureml-defaults on 3.8, 3.10, 3.12
    if "server-pins" in kinds:
        cases += server_pin_cases()
    if "numpy-caps" in kinds:
        cases += numpy_cap_cases()
    build = [n for n in args.build_sdists.split(",") if n]
    outcomes = run(cases, args.tool, args.index_url, args.jobs, build=build)
    for kind, counts in summarize(outcomes).items():
        print(f"{kind}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for o in outcomes:
        if o.resolver is not None and o.resolver != o.case.table:
            print(f"  DISAGREE {o.case.kind} Python {deps.format_full(o.case.python)} "
                  f"{' '.join(o.case.requirements)}: table {'ok' if o.case.table else 'fails'}, "
                  f"{args.tool} {'ok' if o.resolver else 'fails'} {o.detail[-200:]}")
    if args.json:
        args.json.write_text(json.dumps([{**asdict(o.case), "resolver": o.resolver, "detail": o.detail}
                                         for o in outcomes], indent=1))
    disagreements = sum(1 for o in outcomes if o.resolver is not None and o.resolver != o.case.table)
    return 1 if disagreements else 0


if __name__ == "__main__":
    raise SystemExit(main())
