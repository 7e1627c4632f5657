#!/usr/bin/env python3
"""Rebuild aml-lint's dependency knowledge: src/aml_lint/knowledge/*.json.

Two steps, so that the second one is offline and byte-for-byte reproducible:

    # 1. gather (network: PyPI through pip and uv, the PyPI simple API, HTTP range reads of wheels)
    python tools/build_knowledge.py gather --cache .cache/knowledge

    # 2. build (offline; same inputs -> same bytes)
    python tools/build_knowledge.py build --cache .cache/knowledge \
        --shared-data ../shared/data --out src/aml_lint/knowledge

`gather` downloads two pinned wheels (pigar: its bundled SQLite database of top-level module names;
stdlibs: standard-library module names per Python release), resolves a curated seed list of
AzureML scoring packages with uv for a few Python versions, reads the METADATA of every resolved
(name, version) from one of its wheels by HTTP range requests (only the zip directory and the
METADATA member are fetched), and fetches the simple-API pages of the handful of packages whose
Python-version support we record. It never iterates over PyPI's project list.

`build` reads those files plus two files passed with --shared-data (pypi-top15000.tsv: download
ranks; conda-pypi-map.json: parselmouth's conda-forge -> PyPI names) and
tools/knowledge_overrides.yaml, and writes the JSON tables. The transform functions are pure and
tested on small fixtures (tests/knowledge/test_build.py).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from aml_lint.knowledge import markers as target_markers  # the platform markers are judged for

SCHEMA = 1
# The date the inputs were gathered; bump it with every rebuild (never the clock: reproducibility).
SOURCE_DATE = "2026-11-23"
PIGAR = "pigar==2.2.0"
STDLIBS = "stdlibs==2026.9.3"
PYTHON_MINORS = tuple(range(7, 15))  # 3.7 .. 3.14
RESOLVE_PYTHONS = ("3.8", "3.10", "3.12")
RANK_LIMIT = 15000
MAX_CANDIDATES = 6
SIMPLE_URL = "https://pypi.org/simple/{name}/"
HERE = Path(__file__).resolve().parent
OVERRIDES = HERE / "knowledge_overrides.yaml"

# What AzureML scoring environments install (the samples, the curated images, the inference
# server and its dependencies). Resolved one by one for each Python in RESOLVE_PYTHONS.
SEEDS: tuple[str, ...] = (
    "azureml-inference-server-http", "azureml-defaults", "azureml-core", "azureml-mlflow",
    "azureml-contrib-services", "azureml-ai-monitoring", "azureml-dataset-runtime",
    "inference-schema[numpy-support,pandas-support]",
    "azure-ai-ml", "azure-identity", "azure-core", "azure-storage-blob", "azure-keyvault-secrets",
    "azure-ai-contentsafety", "azure-search-documents", "azure-cosmos", "azure-monitor-opentelemetry",
    "openai", "tiktoken", "mlflow", "mlflow-skinny", "numpy", "pandas", "scipy", "scikit-learn",
    "joblib", "cloudpickle", "xgboost", "lightgbm", "catboost", "torch", "torchvision", "torchaudio",
    "pytorch-lightning", "tensorflow", "keras", "transformers", "datasets", "accelerate", "optimum",
    "sentencepiece", "sentence-transformers", "onnx", "onnxruntime", "opencv-python-headless",
    "pillow", "matplotlib", "seaborn", "scikit-image", "pyyaml", "requests", "flask", "fastapi",
    "pydantic", "pyarrow", "statsmodels", "nltk", "tenacity", "dask", "psutil", "setuptools",
)
# Packages whose supported Python versions we record (for "this pin cannot install here").
SUPPORT_PACKAGES: tuple[str, ...] = (
    "azureml-inference-server-http", "numpy", "pandas", "scikit-learn", "scipy", "torch",
    "tensorflow", "xgboost", "lightgbm", "mlflow",
)
# Packages whose every final release's own requirements we record (releases.json), read from the
# METADATA of one wheel per release: the inference server and azureml-defaults (which pins it), the
# server's dependencies that limit its Python (inference-schema) or pin what it serves with (flask:
# Jinja2, Werkzeug, itsdangerous, click), and the packages whose pins can
# cap numpy below 2 (rule AML215) or were built for numpy 1.x.
RELEASE_PACKAGES: tuple[str, ...] = (
    "azureml-inference-server-http", "azureml-defaults", "inference-schema", "flask",
    "scipy", "pandas", "scikit-learn", "matplotlib", "pyarrow", "h5py", "statsmodels", "numba",
    "tensorflow", "tensorflow-cpu",
)
# Packages whose release numbers alone we record (releases.json `known_versions`): the ones the
# inference server pins, so that a user's pin is compared with the server's requirement over the
# real releases, not over a few probe versions.
VERSION_PACKAGES: tuple[str, ...] = (
    "flask", "werkzeug", "jinja2", "itsdangerous", "markupsafe", "click", "pydantic", "gunicorn",
    "flask-cors", "numpy",
)
# The date RELEASE_PACKAGES were gathered (releases.json); bump it when you gather them again.
RELEASES_DATE = "2026-12-06"
# A Requires-Python is judged against the newest patch of each minor (markers.NEWEST_PATCH), the
# Python an unpinned micro gets, never X.Y.0 (`>=3.7.1` holds on `python=3.7`).
NEWEST_PATCH = target_markers.NEWEST_PATCH
# pigar rows that are never an import name of interest: packaging debris, and generic names
# that some ranked dist happens to ship at top level (vastai ships `utils`, llama-models ships
# `models`) but that in a scoring script are almost always the user's own module.
JUNK_MODULES = frozenset({
    "test", "tests", "testing", "src", "doc", "docs", "example", "examples", "__init__", "setup",
    "lib", "bin", "build", "dist", "scripts", "benchmarks", "benchmark", "conftest",
    "utils", "util", "common", "config", "configs", "models", "model", "core", "main", "app",
    "settings", "constants", "helpers", "helper", "api", "server", "client", "base", "modules",
    "module", "tools", "data", "inference", "predict", "score", "scoring", "train", "preprocess",
    "preprocessing", "pipeline", "pipelines", "components", "schemas", "schema", "plugins",
    "internal", "shared", "misc", "resources", "assets", "templates", "services", "service", "run",
})
DEV_EXTRAS = frozenset({
    "test", "tests", "testing", "dev", "develop", "development", "doc", "docs", "documentation",
    "lint", "linting", "typing", "style", "quality", "build", "benchmark", "benchmarks", "examples",
    "maintenance", "all", "complete", "full",
})
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_EXTRA = re.compile(r"""extra\s*==\s*['"]([^'"]+)['"]""")


def normalize(name: str) -> str:
    """PEP 503 normalized distribution name."""
    return str(canonicalize_name(name))


# --------------------------------------------------------------------------- pure transforms


def dumps(obj: Any) -> bytes:
    """Deterministic compact JSON: sorted keys, no spaces, ASCII, one trailing newline."""
    return (json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True) + "\n").encode()


def read_ranks(lines: Iterable[str]) -> dict[str, int]:
    """Parse pypi-top15000.tsv (header `name<TAB>rank`)."""
    ranks: dict[str, int] = {}
    for i, line in enumerate(lines):
        line = line.rstrip("\n")
        if i == 0 or not line:
            continue
        name, rank = line.split("\t")
        ranks[normalize(name)] = int(rank)
    return ranks


def import_table(
    rows: Iterable[tuple[str, str]],
    ranks: Mapping[str, int],
    overrides: Mapping[str, Any],
    limit: int = RANK_LIMIT,
) -> dict[str, Any]:
    """(distribution, top-level module) rows -> the import table.

    Only ranked distributions (rank <= limit) are kept. A top-level name that is a namespace root
    (azure, google, ...) is not attributed as a whole; a dist `root-a-b` that ships it yields the
    dotted key `root.a.b`. Top-level identity entries (module `foo_bar` provided only by dist
    `foo-bar`) are left out: the query API treats identity as a rule.
    """
    namespaces = sorted(set(overrides.get("namespaces", [])))
    roots = {n for n in namespaces if "." not in n}
    exclude = {(m, normalize(d)) for m, d in overrides.get("exclude", [])}
    found: dict[str, set[str]] = {}
    for dist, module in rows:
        d = normalize(dist)
        rank = ranks.get(d)
        if rank is None or rank > limit or module in JUNK_MODULES or not _IDENT.match(module):
            continue
        if (module, d) in exclude:
            continue
        if module in roots:
            if d.startswith(module + "-"):
                found.setdefault(d.replace("-", "."), set()).add(d)
            continue
        found.setdefault(module, set()).add(d)
    modules: dict[str, list[str]] = {}
    for module, dists in found.items():
        ordered = _order(module, dists, ranks, limit)
        # Identity entries are a rule at query time; dotted (namespace) keys are kept so that a
        # known distribution beats the dots-to-dashes guess for deeper imports.
        if "." in module or ordered != [normalize(module)]:
            modules[module] = ordered
    for module, dists in overrides.get("modules", {}).items():
        modules[module] = [normalize(d) for d in dists]
    return {
        "schema": SCHEMA,
        "source_date": SOURCE_DATE,
        "modules": modules,
        "namespaces": namespaces,
        "shims": {k: sorted(normalize(d) for d in v) for k, v in overrides.get("shims", {}).items()},
        "module_requires": {
            k: sorted(normalize(d) for d in v) for k, v in overrides.get("module_requires", {}).items()
        },
        "backports": {k: [normalize(d) for d in v] for k, v in overrides.get("backports", {}).items()},
    }


def _order(module: str, dists: set[str], ranks: Mapping[str, int], limit: int) -> list[str]:
    """Candidates by download rank; the same-named distribution first when it is about as popular
    as the best one (mlflow before mlflow-skinny), not when it is a stale namesake (docx, jose)."""
    ordered = sorted(dists, key=lambda x: (ranks.get(x, limit + 1), x))
    ident = normalize(module)
    if ident in dists and ranks.get(ident, limit + 1) <= 2 * ranks.get(ordered[0], limit + 1):
        ordered.remove(ident)
        ordered.insert(0, ident)
    return ordered[:MAX_CANDIDATES]


def conda_table(
    conda_map: Mapping[str, list[str] | None],
    ranks: Mapping[str, int],
    overrides: Mapping[str, Any],
) -> dict[str, Any]:
    """conda-forge name -> PyPI names, reduced to what identity gets wrong.

    Kept: conda names whose PyPI names differ from the conda name and include a ranked dist, and
    conda names that are also ranked PyPI names but hold no Python distribution (null: the conda
    `graphviz` is the C tool, not the Python binding). Everything else is identity at query time.
    """
    names: dict[str, list[str] | None] = {}
    for conda, pypi in conda_map.items():
        key = conda.lower()
        if pypi is None:
            if normalize(conda) in ranks:
                names[key] = None
            continue
        pypi_n = sorted({normalize(p) for p in pypi}, key=lambda x: (ranks.get(x, RANK_LIMIT + 1), x))
        if pypi_n != [normalize(conda)] and any(p in ranks for p in pypi_n):
            names[key] = pypi_n
    for conda, pypi in overrides.get("conda", {}).items():
        names[conda.lower()] = [normalize(p) for p in pypi]
    return {"schema": SCHEMA, "source_date": SOURCE_DATE, "names": names}


def stdlib_table(per_version: Mapping[int, Iterable[str]]) -> dict[str, Any]:
    """{minor: module names} for Python 3.<minor> -> {module: [first minor, last minor]}.

    A module missing in some middle release would be misrepresented by a range; CPython has none
    in 3.7-3.14 (checked here, the build fails otherwise).
    """
    minors = sorted(per_version)
    sets = {m: set(per_version[m]) for m in minors}
    spans: dict[str, list[int]] = {}
    for name in sorted(set().union(*sets.values())):
        present = [m for m in minors if name in sets[m]]
        if present != list(range(present[0], present[-1] + 1)):
            raise ValueError(f"stdlib module {name} has a gap: {present}")
        spans[name] = [present[0], present[-1]]
    return {
        "schema": SCHEMA,
        "source_date": SOURCE_DATE,
        "minors": [minors[0], minors[-1]],
        "modules": spans,
    }


def _keep_requirement(req: Requirement) -> bool:
    marker = str(req.marker) if req.marker else ""
    return not any(e in DEV_EXTRAS for e in _EXTRA.findall(marker))


def requires_table(metas: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """METADATA records {name, version, requires_dist} -> per-dist requirements by version.

    Each dist lists the versions seen (sorted), their Requires-Python, and its requirements
    pre-split for a cheap load as [name, extras (comma-separated), specifier, marker, mask]: bit
    i of mask is set when versions[i] declares it. The query API picks
    the versions a pin allows (the newest that fits the Python when unpinned). Dev/test/doc
    extras are dropped.

    `python_fits[k]` is the bitmask of the versions whose Requires-Python admits Python
    3.(first + k) of `marker_minors` (a Requires-Python that does not parse admits every Python).
    `specifier_fits[dist][specifier]` is the bitmask of the versions of dist that a specifier
    used in the table allows (null: the specifier does not parse; dists with one version left out).
    `markers` holds every marker evaluated in advance for Linux x86_64 CPython: marker ->
    {extra: bitmask over `marker_minors` (bit k: Python 3.(first + k))} for no extra ('') and
    each extra the marker names, or null when the marker must be evaluated at run time.
    """
    seen: dict[str, dict[str, set[str]]] = {}  # dist -> version -> requirement strings
    pythons: dict[tuple[str, str], str] = {}  # (dist, version) -> Requires-Python
    for meta in metas:
        name = normalize(meta["name"])
        reqs = seen.setdefault(name, {}).setdefault(str(meta["version"]), set())
        pythons[(name, str(meta["version"]))] = meta.get("requires_python") or ""
        for raw in meta.get("requires_dist") or []:
            try:
                req = Requirement(raw)
            except InvalidRequirement:
                continue
            if not _keep_requirement(req):
                continue
            reqs.add(json.dumps([normalize(req.name), ",".join(sorted(normalize(e) for e in req.extras)),
                                 str(req.specifier), str(req.marker) if req.marker else ""]))
    out: dict[str, Any] = {}
    for name, by_version in seen.items():
        versions = sorted(by_version, key=_version_key)
        masks: dict[str, int] = {}
        for i, version in enumerate(versions):
            for req_key in by_version[version]:
                masks[req_key] = masks.get(req_key, 0) | (1 << i)
        requires_python = [pythons[(name, v)] for v in versions]
        out[name] = {"versions": versions,
                     "requires": sorted([*json.loads(k), m] for k, m in masks.items()),
                     "requires_python": requires_python,
                     "python_fits": [_python_fits(requires_python, minor) for minor in PYTHON_MINORS]}
    texts = sorted({r[3] for dist in out.values() for r in dist["requires"] if r[3]})
    fits: dict[str, dict[str, int | None]] = {}
    for dist in out.values():
        for name, _, spec, _, _ in dist["requires"]:
            target = out.get(name)
            if spec and target is not None and len(target["versions"]) > 1:
                fits.setdefault(name, {})[spec] = _specifier_fits(spec, target["versions"])
    return {"schema": SCHEMA, "source_date": SOURCE_DATE, "dists": out,
            "marker_minors": [PYTHON_MINORS[0], PYTHON_MINORS[-1]],
            "markers": {t: target_markers.masks(t, PYTHON_MINORS) for t in texts},
            "specifier_fits": fits}


def _specifier_fits(specifier: str, versions: list[str]) -> int | None:
    try:
        spec = SpecifierSet(specifier)
    except InvalidSpecifier:
        return None
    fits = 0
    for i, text in enumerate(versions):
        try:
            ok = spec.contains(Version(text), prereleases=True)
        except InvalidVersion:
            ok = True  # a version we cannot compare may be the one
        fits |= ok << i
    return fits


def _python_fits(requires_python: list[str], minor: int) -> int:
    python = newest_python(minor)
    fits = 0
    for i, text in enumerate(requires_python):
        try:
            ok = not text or SpecifierSet(text).contains(python, prereleases=True)
        except InvalidSpecifier:
            ok = True
        fits |= ok << i
    return fits


def newest_python(minor: int) -> Version:
    """The newest patch release of Python 3.<minor> (what an unpinned micro installs)."""
    return Version(f"3.{minor}.{NEWEST_PATCH.get(minor, 0)}")


def _version_key(v: str) -> tuple[int, Any]:
    try:
        return (1, Version(v))
    except InvalidVersion:
        return (0, v)


def _wheel_minors(filename: str, requires_python: str | None) -> set[int] | None:
    """Python 3 minors a wheel installs on (manylinux x86_64 or pure); None if not such a wheel."""
    try:
        _, _, _, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename:
        return None
    try:
        spec = SpecifierSet(requires_python or "")
    except InvalidSpecifier:
        spec = SpecifierSet()
    minors: set[int] = set()
    for tag in tags:
        plat_ok = tag.platform == "any" or (
            tag.platform.endswith("_x86_64") and "linux" in tag.platform
        )
        if not plat_ok:
            continue
        m = re.fullmatch(r"cp3(\d+)", tag.interpreter)
        if tag.abi == "abi3" and m:
            minors.update(x for x in PYTHON_MINORS if x >= int(m.group(1)))
        elif m and tag.abi != "none":
            minors.add(int(m.group(1)))
        elif tag.interpreter in ("py3", "py2.py3") or tag.interpreter.startswith("py3"):
            minors.update(PYTHON_MINORS)
        elif m:
            minors.add(int(m.group(1)))
    return {x for x in minors if spec.contains(newest_python(x), prereleases=True)}


def python_support_table(pages: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """PEP 691 simple pages -> {dist: {version: [minors with an installable wheel]}}.

    Only final, non-yanked releases with at least one manylinux-x86_64 or pure wheel are listed;
    a release known only as an sdist is left out (whether it builds is not knowable here).
    """
    out: dict[str, dict[str, list[int]]] = {}
    for name, page in pages.items():
        versions: dict[str, set[int]] = {}
        for f in page.get("files", []):
            if f.get("yanked") or not f["filename"].endswith(".whl"):
                continue
            try:
                _, version, _, _ = parse_wheel_filename(f["filename"])
            except InvalidWheelFilename:
                continue
            if version.is_prerelease or version.is_devrelease:
                continue
            minors = _wheel_minors(f["filename"], f.get("requires-python"))
            if minors is None:
                continue
            versions.setdefault(str(version), set()).update(minors)
        out[normalize(name)] = {
            v: sorted(m) for v, m in sorted(versions.items(), key=lambda kv: Version(kv[0])) if m
        }
    return {
        "schema": SCHEMA,
        "source_date": RELEASES_DATE,  # gathered with releases.json
        "platform": "manylinux x86_64 (binary wheels only)",
        "minors": [PYTHON_MINORS[0], PYTHON_MINORS[-1]],
        "dists": out,
    }


def _names_extra(req: Requirement) -> bool:
    return bool(req.marker) and bool(_EXTRA.search(str(req.marker)))


def releases_table(metas: Iterable[Mapping[str, Any]],
                   pages: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """METADATA of every release of RELEASE_PACKAGES -> what each release itself requires.

    Per dist: its versions (sorted), each one's Requires-Python and wheel file, and its base
    requirements (those that need no extra) as [name, extras, specifier, marker, mask], bit i of
    mask set when versions[i] declares it. `markers` holds each marker evaluated in advance for
    Linux x86_64 CPython as a bitmask over `marker_minors` (the newest patch of each minor), or
    null when it must be evaluated at run time. Unlike requires.json (the versions a resolver
    picked), every final release with a usable wheel is here: a release missing from this table
    is one aml-lint does not know, never one it may describe with another release's data.
    `known_versions` lists the final, non-yanked releases (any file) of the simple `pages` given.
    """
    seen: dict[str, dict[str, Mapping[str, Any]]] = {}
    for meta in metas:
        seen.setdefault(normalize(meta["name"]), {})[str(Version(str(meta["version"])))] = meta
    out: dict[str, Any] = {}
    markers: set[str] = set()
    for name in sorted(seen):
        versions = sorted(seen[name], key=_version_key)
        masks: dict[str, int] = {}
        for i, version in enumerate(versions):
            for raw in seen[name][version].get("requires_dist") or []:
                try:
                    req = Requirement(raw)
                except InvalidRequirement:
                    continue
                if _names_extra(req):
                    continue
                marker = str(req.marker) if req.marker else ""
                key = json.dumps([normalize(req.name), ",".join(sorted(normalize(e) for e in req.extras)),
                                  str(req.specifier), marker])
                masks[key] = masks.get(key, 0) | (1 << i)
                if marker:
                    markers.add(marker)
        out[name] = {
            "versions": versions,
            "requires_python": [seen[name][v].get("requires_python") or "" for v in versions],
            "wheels": [seen[name][v].get("wheel") or "" for v in versions],
            # the Python 3 minors each release's classifiers declare ([] when it declares none)
            "classifiers": [sorted(int(c.split(".")[1]) for c in seen[name][v].get("python_classifiers") or [])
                            for v in versions],
            "requires": sorted([*json.loads(k), m] for k, m in masks.items()),
        }
    return {
        "schema": SCHEMA,
        "source_date": RELEASES_DATE,
        "source": "METADATA (Requires-Dist, Requires-Python) of one wheel of each final, non-yanked release "
                  "on PyPI (PEP 658 metadata file), pure or manylinux x86_64, gathered by "
                  "tools/build_knowledge.py gather-releases",
        "marker_minors": [PYTHON_MINORS[0], PYTHON_MINORS[-1]],
        "newest_patch": {f"3.{m}": f"3.{m}.{NEWEST_PATCH[m]}" for m in PYTHON_MINORS},
        "markers": {t: (target_markers.masks(t, PYTHON_MINORS) or {}).get("") for t in sorted(markers)},
        "dists": out,
        "known_versions": {normalize(n): final_versions(page) for n, page in sorted((pages or {}).items())},
    }


def final_versions(page: Mapping[str, Any]) -> list[str]:
    """Final, non-yanked versions with at least one file on a simple page, sorted."""
    found: set[Version] = set()
    for f in page.get("files", []):
        if f.get("yanked"):
            continue
        name = f["filename"]
        try:
            if name.endswith(".whl"):
                version = parse_wheel_filename(name)[1]
            else:
                from packaging.utils import parse_sdist_filename

                version = parse_sdist_filename(name)[1]
        except (InvalidWheelFilename, ValueError):
            continue
        if not (version.is_prerelease or version.is_devrelease):
            found.add(version)
    return [str(v) for v in sorted(found)]


def release_versions(page: Mapping[str, Any]) -> list[str]:
    """Final, non-yanked versions of a simple page that have a pure or manylinux x86_64 wheel."""
    found: set[Version] = set()
    for f in page.get("files", []):
        if f.get("yanked") or not f["filename"].endswith(".whl"):
            continue
        try:
            _, version, _, tags = parse_wheel_filename(f["filename"])
        except InvalidWheelFilename:
            continue
        if version.is_prerelease or version.is_devrelease:
            continue
        if any(t.platform == "any" or ("linux" in t.platform and t.platform.endswith("_x86_64")) for t in tags):
            found.add(version)
    return [str(v) for v in sorted(found)]


# --------------------------------------------------------------------------- input readers


def pigar_rows(db_path: Path) -> list[tuple[str, str]]:
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return con.execute(
            "SELECT d.name, t.name FROM top_level_module_names t "
            "JOIN distributions d ON d.id = t.distribution_id ORDER BY d.name, t.name"
        ).fetchall()
    finally:
        con.close()


def stdlib_sets(stdlibs_wheel: Path) -> dict[int, set[str]]:
    """Read `module_names` from stdlibs' pyXY.py files without importing them (they are literals)."""
    import ast

    out: dict[int, set[str]] = {}
    with zipfile.ZipFile(stdlibs_wheel) as zf:
        for minor in PYTHON_MINORS:
            tree = ast.parse(zf.read(f"stdlibs/py3{minor}.py"))
            for node in ast.walk(tree):
                if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "module_names":
                    call = node.value
                    assert isinstance(call, ast.Call)
                    out[minor] = set(ast.literal_eval(call.args[0]))
    return out


def load_overrides(path: Path = OVERRIDES) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict)
    return data


# --------------------------------------------------------------------------- gather (network)


class _RangeFile(io.RawIOBase):
    """A read-only, seekable view of a remote file through HTTP range requests (for zipfile)."""

    def __init__(self, url: str, size: int) -> None:
        self.url, self.size, self.pos = url, size, 0
        self.requests = 0

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self.pos, 2: self.size}[whence]
        self.pos = max(0, base + offset)
        return self.pos

    def _fetch(self, start: int, end: int) -> bytes:
        req = urllib.request.Request(self.url, headers={"Range": f"bytes={start}-{end - 1}"})
        self.requests += 1
        with urllib.request.urlopen(req, timeout=60) as resp:
            data: bytes = resp.read()
        return data

    def readinto(self, b: Any) -> int:
        n = min(len(b), self.size - self.pos)
        if n <= 0:
            return 0
        data = self._fetch(self.pos, self.pos + n)
        b[: len(data)] = data
        self.pos += len(data)
        return len(data)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{threading.get_ident()}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def _simple_page(name: str, cache: Path, folder: str = "simple") -> dict[str, Any]:
    path = cache / folder / f"{normalize(name)}.json"
    if not path.exists():
        req = urllib.request.Request(
            SIMPLE_URL.format(name=normalize(name)),
            headers={"Accept": "application/vnd.pypi.simple.v1+json"},
        )
        with urllib.request.urlopen(req, timeout=60) as resp:
            page = json.load(resp)
        keep = {"name": page["name"], "files": [
            {k: f.get(k) for k in ("filename", "url", "size", "requires-python", "yanked")}
            for f in page["files"]
        ]}
        _write_atomic(path, json.dumps(keep, sort_keys=True))
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _pick_wheel(page: Mapping[str, Any], version: str) -> dict[str, Any] | None:
    best: tuple[int, dict[str, Any]] | None = None
    for f in page["files"]:
        if not f["filename"].endswith(".whl"):
            continue
        try:
            _, v, _, tags = parse_wheel_filename(f["filename"])
        except InvalidWheelFilename:
            continue
        if str(v) != str(Version(version)):
            continue
        plats = {t.platform for t in tags}
        score = 0 if "any" in plats else 1 if any("manylinux" in p and "x86_64" in p for p in plats) else 2
        if best is None or score < best[0]:
            best = (score, f)
    return best[1] if best else None


def _metadata(name: str, version: str, cache: Path, folder: str = "metadata") -> dict[str, Any] | None:
    path = cache / folder / f"{normalize(name)}-{version}.json"
    if path.exists():
        cached: dict[str, Any] = json.loads(path.read_text())
        return cached
    wheel = _pick_wheel(_simple_page(name, cache, "simple-releases" if folder == "releases" else "simple"),
                        version)
    if wheel is None:
        return None
    from email.parser import HeaderParser

    msg = HeaderParser().parsestr(_wheel_metadata(wheel))
    meta = {
        "name": msg["Name"],
        "version": msg["Version"],
        "requires_dist": msg.get_all("Requires-Dist") or [],
        "requires_python": msg.get("Requires-Python"),
        "wheel": wheel["filename"],
    }
    if folder == "releases":  # the Python versions a release says it supports
        meta["python_classifiers"] = sorted(
            c.rsplit("::", 1)[1].strip() for c in msg.get_all("Classifier") or []
            if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c.strip()))
    _write_atomic(path, json.dumps(meta, sort_keys=True))
    return meta


def _wheel_metadata(wheel: Mapping[str, Any]) -> str:
    """The METADATA of a wheel: PyPI's copy beside it (PEP 658) when served, else read from the zip
    by HTTP range requests."""
    try:
        with urllib.request.urlopen(wheel["url"] + ".metadata", timeout=60) as resp:
            return str(resp.read().decode("utf-8", "replace"))
    except OSError:
        pass
    rf = _RangeFile(wheel["url"], int(wheel["size"]))
    with zipfile.ZipFile(io.BufferedReader(rf, buffer_size=1 << 16)) as zf:  # type: ignore[arg-type]
        member = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        return zf.read(member).decode("utf-8", "replace")


def _resolve_seed(seed: str, python: str, uv: str) -> list[tuple[str, str]]:
    proc = subprocess.run(
        [uv, "pip", "compile", "-", "--python-version", python,
         "--python-platform", "x86_64-manylinux_2_28", "--only-binary", ":all:",
         "--no-header", "--no-annotate", "--no-python-downloads"],
        input=seed + "\n", capture_output=True, text=True, timeout=600,
    )
    if proc.returncode != 0:
        print(f"  {seed} @ {python}: unresolvable ({proc.stderr.strip().splitlines()[-1:]})")
        return []
    pins = []
    for line in proc.stdout.splitlines():
        m = re.match(r"^([A-Za-z0-9._-]+)==([^\s;]+)", line.strip())
        if m:
            pins.append((normalize(m.group(1)), m.group(2)))
    return pins


def _download(spec: str, dest: Path) -> Path:
    name = spec.split("==")[0]
    found = sorted(dest.glob(f"{name}-*.whl"))
    if found:
        return found[0]
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d",
         str(dest), spec], check=True,
    )
    return sorted(dest.glob(f"{name}-*.whl"))[0]


def gather(cache: Path) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    _download(PIGAR, cache)
    _download(STDLIBS, cache)
    uv = shutil.which("uv")
    if uv is None:
        raise SystemExit("gather needs uv (pip install uv) to resolve the seed list")
    pins: set[tuple[str, str]] = set()
    from concurrent.futures import ThreadPoolExecutor

    jobs = [(seed, python) for seed in SEEDS for python in RESOLVE_PYTHONS]
    with ThreadPoolExecutor(4) as pool:
        for found in pool.map(lambda job: _resolve_seed(job[0], job[1], uv), jobs):
            pins.update(found)
    print(f"resolved {len(SEEDS)} seeds x {len(RESOLVE_PYTHONS)} Pythons: {len(pins)} pins")
    resolutions = sorted(pins)
    (cache / "pins.json").write_text(json.dumps(resolutions))

    def fetch(pin: tuple[str, str]) -> str | None:
        try:
            return None if _metadata(pin[0], pin[1], cache) else f"{pin[0]}=={pin[1]}"
        except Exception as exc:  # noqa: BLE001 - report and go on; the build lists what it has
            return f"{pin[0]}=={pin[1]} ({exc})"

    with ThreadPoolExecutor(4) as pool:
        missing = [m for m in pool.map(fetch, resolutions) if m]
    for name in SUPPORT_PACKAGES:
        _simple_page(name, cache)
    print(f"metadata for {len(resolutions) - len(missing)} pins; without: {missing}")
    print(f"gather took {time.monotonic() - t0:.1f} s")


def gather_releases(cache: Path) -> None:
    """METADATA of every release of RELEASE_PACKAGES (for releases.json), into cache/releases."""
    from concurrent.futures import ThreadPoolExecutor

    t0 = time.monotonic()
    jobs = []
    for name in RELEASE_PACKAGES:
        jobs += [(name, v) for v in release_versions(_simple_page(name, cache, "simple-releases"))]
    for name in VERSION_PACKAGES:
        _simple_page(name, cache, "simple-releases")

    def fetch(job: tuple[str, str]) -> str | None:
        try:
            return None if _metadata(job[0], job[1], cache, "releases") else f"{job[0]}=={job[1]}"
        except Exception as exc:  # noqa: BLE001 - report and go on; the build lists what it has
            return f"{job[0]}=={job[1]} ({exc})"

    with ThreadPoolExecutor(8) as pool:
        missing = [m for m in pool.map(fetch, jobs) if m]
    print(f"metadata for {len(jobs) - len(missing)} releases of {len(RELEASE_PACKAGES)} packages; "
          f"without: {missing}; {time.monotonic() - t0:.1f} s")


def gather_table_pins(cache: Path, table: Path) -> None:
    """METADATA of exactly the (name, version) pairs a committed requires.json holds, for
    rebuilding it without resolving the seeds again (same inputs, so only a changed transform
    changes the output)."""
    from concurrent.futures import ThreadPoolExecutor

    dists = json.loads(table.read_text())["dists"]
    pins = sorted((name, v) for name, entry in dists.items() for v in entry["versions"])
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(lambda p: _metadata(*p, cache), pins))
    missing = [f"{n}=={v}" for (n, v), m in zip(pins, found, strict=True) if m is None]
    for name in SUPPORT_PACKAGES:
        _simple_page(name, cache)
    print(f"metadata for {len(pins) - len(missing)} of {len(pins)} pins; without: {missing}")


# --------------------------------------------------------------------------- build (offline)


def build(cache: Path, shared: Path, out: Path) -> dict[str, bytes]:
    ranks = read_ranks((shared / "pypi-top15000.tsv").read_text(encoding="utf-8").splitlines())
    overrides = load_overrides()
    pigar_wheel = sorted(cache.glob("pigar-*.whl"))[0]
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(pigar_wheel) as zf:
        db = Path(zf.extract("pigar/.db.sqlite3", tmp))
        rows = pigar_rows(db)
    conda_map = json.loads((shared / "conda-pypi-map.json").read_text(encoding="utf-8"))
    metas = [json.loads(p.read_text()) for p in sorted((cache / "metadata").glob("*.json"))]
    pages = {n: json.loads((cache / "simple" / f"{normalize(n)}.json").read_text())
             for n in SUPPORT_PACKAGES}
    files = {
        "imports.json": dumps(import_table(rows, ranks, overrides)),
        "conda.json": dumps(conda_table(conda_map, ranks, overrides)),
        "stdlib.json": dumps(stdlib_table(stdlib_sets(sorted(cache.glob("stdlibs-*.whl"))[0]))),
        "requires.json": dumps(requires_table(metas)),
        "python_support.json": dumps(python_support_table(pages)),
        "releases.json": dumps(_releases(cache)),
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
        print(f"{name}: {len(data):,} bytes")
    return files


def _releases(cache: Path) -> dict[str, Any]:
    pages = {n: json.loads((cache / "simple-releases" / f"{normalize(n)}.json").read_text())
             for n in VERSION_PACKAGES}
    return releases_table((json.loads(p.read_text()) for p in sorted((cache / "releases").glob("*.json"))), pages)


def build_offline(cache: Path, out: Path, only: Iterable[str]) -> dict[str, bytes]:
    """The tables that need no --shared-data: requires.json, python_support.json, releases.json."""
    makers = {
        "requires.json": lambda: requires_table(
            json.loads(p.read_text()) for p in sorted((cache / "metadata").glob("*.json"))),
        "python_support.json": lambda: python_support_table(
            {n: json.loads((cache / "simple" / f"{normalize(n)}.json").read_text()) for n in SUPPORT_PACKAGES}),
        "releases.json": lambda: _releases(cache),
    }
    files = {name: dumps(makers[name]()) for name in only}
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
        print(f"{name}: {len(data):,} bytes")
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", choices=["gather", "build", "all", "gather-releases", "gather-table-pins",
                                     "build-offline"])
    ap.add_argument("--only", default="requires.json,python_support.json,releases.json",
                    help="build-offline: the tables to write (comma-separated)")
    ap.add_argument("--cache", type=Path, default=Path(".cache/knowledge"))
    ap.add_argument("--shared-data", type=Path, help="folder with pypi-top15000.tsv and conda-pypi-map.json")
    ap.add_argument("--out", type=Path, default=HERE.parent / "src" / "aml_lint" / "knowledge")
    args = ap.parse_args(argv)
    if args.step in ("gather", "all"):
        gather(args.cache)
    if args.step in ("gather", "gather-releases", "all"):
        gather_releases(args.cache)
    if args.step == "gather-table-pins":
        gather_table_pins(args.cache, args.out / "requires.json")
    if args.step == "build-offline":
        build_offline(args.cache, args.out, args.only.split(","))
        return 0
    if args.step in ("build", "all"):
        if args.shared_data is None:
            ap.error("build needs --shared-data")
        build(args.cache, args.shared_data, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
