#!/usr/bin/env python3
"""Build src/aml_lint/knowledge/curated.json from a snapshot of Azure/azureml-assets (MIT).

    python tools/build_curated.py --git-dir PATH/TO/azureml-assets.git \
        --out src/aml_lint/knowledge/curated.json

The snapshot is read with git plumbing only (ls-tree, cat-file, for-each-ref, log): no
checkout, no network. What it records, and where each fact comes from:

- environments: every `asset.yaml` with `type: environment` at the snapshot's HEAD (active),
  every one that the history shows was deleted since (removed, with the deleting commit's
  date), and every name a release tag shows but no asset has any more (renamed in place:
  removed, date unknown). An environment's definition is its context folder: the Dockerfile
  (`FROM`, `conda create ... python=X pkgs`, `conda install`, `pip install` lines),
  the conda file the Dockerfile creates its environment from (or `spec.yaml`'s
  `conda_file`), and the requirements files `pip install -r` names. They are read with
  aml-lint's own parsers (aml_lint.documents.dockerfile / conda / requirements), so a
  package is the same thing here as in a user's repository.
- versions: the registry's version numbers are not in the files (`version: auto`); the
  release pipeline tags each published version `environment/<name>/<version>`. Each
  tagged version's definition is read at its tag's commit, so a pinned old version is
  judged by what it installed. Versions published before tagging began are not known.
- legacy names: older asset names (`sklearn-1.0-ubuntu20.04-py38-cpu`, which workspaces
  show as `AzureML-sklearn-1.0-ubuntu20.04-py38-cpu`) are recorded like any removed one.
- images: the curated inference environments' images (mcr.microsoft.com/azureml/curated/
  <name>) with their Python and inference server pin, and the prebuilt inference images
  that are NOT defined in azureml-assets (minimal-py312-inference ...): Python from their
  documented name only, contents unknown (`complete: false`).

`complete` tells whether the package list is the whole Python environment the job or
deployment runs in: true when the Dockerfile creates a fresh conda environment (whose
packages the base image cannot add to) and installs nothing aml-lint cannot see into
(a local path, a URL, a missing requirements file); false for environments built on a
framework image (ACPT, vLLM ...), whose base brings packages not listed here.

Output: compact JSON, sorted keys, no timestamp other than the source commit's date, so
two builds of the same snapshot give the same bytes.

Installed closures (opt-in, network): with `--resolve`, each complete environment's current
version (the latest release of an active one, the last one of a removed one) is resolved with
`uv pip compile` for its Python on x86_64 manylinux: its pip packages plus the PyPI names of
its conda packages (aml-lint's conda->PyPI data), wheels only, `--exclude-newer` the snapshot's
date (a removed environment: the date it was removed), so the answer is close to what the
image was built with and the same every time PyPI's history up to that date is. The resolved
distributions (name==version) are the environment's `closure`. The Dockerfile installs in
layers (conda, then pip, then later security upgrades) and pip lets a later layer break an
earlier package's constraint, so when the whole set does not resolve at once it is resolved
"layered": one requirement per package (pip over conda, the highest floor) given as uv
overrides too, and dependencies two packages disagree on freed (`closure.note` says so). Old
packages published only as source are resolved from their sdists (uv may build them to read
their metadata: run it where that is acceptable). An environment that still does not resolve
keeps no closure and records why (`closure_error`), and
an environment on a framework base (`complete: false`) is not resolved: its base brings
packages no file here lists. `--from-table` re-runs this step on an existing table without the
snapshot:

    python tools/build_curated.py --from-table src/aml_lint/knowledge/curated.json --resolve
"""

from __future__ import annotations

import argparse
import json
import posixpath
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml
from packaging.utils import canonicalize_name

from aml_lint.documents.conda import CondaDep, parse_match_spec, read_conda
from aml_lint.documents.dockerfile import Dockerfile, _commands, read_dockerfile
from aml_lint.documents.requirements import PipLine, read_requirements
from aml_lint.documents.yaml_doc import YamlReadError, load_yaml
from aml_lint.findings import Location
from aml_lint.knowledge import deps
from aml_lint.resolve import explain_failure

FORMAT = 1
REPOSITORY = "https://github.com/Azure/azureml-assets"
TAG_PREFIX = "refs/tags/environment/"
MCR = "mcr.microsoft.com"

# Prebuilt inference images that azureml-assets does not define (they are built from
# Azure/AzureML-Containers). Their names are documented on
# learn.microsoft.com/azure/machine-learning/concept-prebuilt-docker-images-inference; the
# Python is the one their name states, the server is there (the point of the image), its
# version and the rest of the contents are not known here.
DOCUMENTED_IMAGES = (
    "mcr.microsoft.com/azureml/minimal-py312-inference",
    "mcr.microsoft.com/azureml/minimal-py311-inference",
    "mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cpu-inference",
    "mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cuda11.8-gpu-inference",
    "mcr.microsoft.com/azureml/minimal-ubuntu20.04-py38-cpu-inference",
    "mcr.microsoft.com/azureml/minimal-ubuntu20.04-py38-cuda11.6.2-gpu-inference",
)
DOCUMENTED_SOURCE = "learn.microsoft.com/azure/machine-learning/concept-prebuilt-docker-images-inference"
SERVER = "azureml-inference-server-http"

_IMAGE_PY = re.compile(r"(?:^|[-_/.])py(?:thon)?-?3\.?(\d{1,2})(?!\d)", re.IGNORECASE)
_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")
_CONDA_PROGRAMS = ("conda", "mamba", "micromamba")
_CONDA_VALUE_OPTIONS = frozenset({"-c", "--channel", "-n", "--name", "-p", "--prefix", "-f", "--file",
                                  "--override-channels", "--solver"})


class Git:
    """Read-only access to a (bare) git directory through plumbing commands."""

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir
        self._batch: subprocess.Popen[bytes] | None = None
        self._trees: dict[str, dict[str, str]] = {}
        self._blobs: dict[str, bytes] = {}

    def run(self, *args: str) -> str:
        out = subprocess.run(["git", "--git-dir", str(self.git_dir), *args], check=True,
                             capture_output=True)
        return out.stdout.decode("utf-8", "replace")

    def tree(self, commit: str) -> dict[str, str]:
        """path -> blob id of every file at ``commit``."""
        if commit not in self._trees:
            files: dict[str, str] = {}
            for line in self.run("ls-tree", "-r", "-z", commit).split("\0"):
                if not line:
                    continue
                meta, _, path = line.partition("\t")
                parts = meta.split()
                if len(parts) == 3 and parts[1] == "blob":
                    files[path] = parts[2]
            self._trees = {commit: files}  # one commit at a time: the trees are large
        return self._trees[commit]

    def blob(self, sha: str) -> bytes:
        if sha in self._blobs:
            return self._blobs[sha]
        if self._batch is None:
            self._batch = subprocess.Popen(["git", "--git-dir", str(self.git_dir), "cat-file", "--batch"],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self._batch.stdin is not None and self._batch.stdout is not None
        self._batch.stdin.write(sha.encode() + b"\n")
        self._batch.stdin.flush()
        header = self._batch.stdout.readline().split()
        if len(header) < 3 or header[1] != b"blob":
            return b""
        data = self._batch.stdout.read(int(header[2]))
        self._batch.stdout.readline()
        if len(data) < 200_000:
            self._blobs[sha] = data
        return data

    def text(self, commit: str, path: str) -> str | None:
        sha = self.tree(commit).get(path)
        return None if sha is None else self.blob(sha).decode("utf-8", "replace")

    def close(self) -> None:
        if self._batch is not None:
            assert self._batch.stdin is not None
            self._batch.stdin.close()
            self._batch.wait()
            self._batch = None


def _yaml(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        data = yaml.safe_load(_TEMPLATE.sub("x", text) if text.lstrip().startswith("{{") else text)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def environment_assets(git: Git, commit: str) -> dict[str, str]:
    """name -> folder of every environment asset at ``commit``."""
    out: dict[str, str] = {}
    for path in sorted(git.tree(commit)):
        if posixpath.basename(path) != "asset.yaml" or path.startswith("test/"):
            continue
        data = _yaml(git.text(commit, path))
        if data.get("type") == "environment" and isinstance(data.get("name"), str):
            out.setdefault(data["name"], posixpath.dirname(path))
    return out


@dataclass
class Definition:
    python: str | None = None
    python_source: str = ""
    base_image: str | None = None
    image: str | None = None
    packages: set[tuple[str, str, str]] = field(default_factory=set)
    fresh_env: bool = False
    opaque: bool = False


def _python_of_pin(version: str) -> str | None:
    m = re.match(r"^[=\s]*(3)\.(\d{1,2})(?:\.[\d*]+)?$", version.strip())
    return f"3.{m.group(2)}" if m else None


def _conda_package(dep: CondaDep) -> tuple[str, str, str] | None:
    if not dep.valid or dep.name in ("python",):
        return None
    return (dep.name, dep.version, "conda")


def _pip_package(line: PipLine) -> tuple[str, str, str] | None:
    if line.requirement is None:
        return None
    req = line.requirement
    name: str = canonicalize_name(req.name)
    if req.extras:
        name += "[" + ",".join(sorted(req.extras)) + "]"
    return (name, str(req.specifier), "pip")


def _strip_template(image: str) -> str:
    """`mcr.microsoft.com/azureml/openmpi5.0-ubuntu24.04:{{latest-image-tag}}` -> without the tag."""
    if "{{" in image:
        image = image.split("{{", 1)[0].rstrip(":@")
    return image


def _conda_creates(dockerfile: Dockerfile) -> tuple[list[CondaDep], bool]:
    """Match specs given to `conda create` on the command line, and whether any env is created."""
    deps: list[CondaDep] = []
    created = False
    for ins in dockerfile.instructions:
        if ins.keyword != "RUN":
            continue
        for words in _commands(ins.args):
            at = next((i for i, w in enumerate(words) if w.rsplit("/", 1)[-1] in _CONDA_PROGRAMS), None)
            if at is None:
                continue
            rest = words[at + 1:]
            if rest[:2] in (["env", "create"],) or (rest[:1] == ["env"] and "create" in rest[:3]):
                created = True
                continue
            if "create" not in rest[:2]:
                continue
            created = True
            skip = False
            for word in rest[rest.index("create") + 1:]:
                if skip:
                    skip = False
                    continue
                if word in _CONDA_VALUE_OPTIONS:
                    skip = True
                    continue
                if word.startswith("-") or word.startswith("$"):
                    continue
                deps.append(parse_match_spec(word, ins.location))
    return deps, created


def read_definition(git: Git, commit: str, folder: str) -> Definition:
    files = git.tree(commit)
    spec = _yaml(git.text(commit, f"{folder}/spec.yaml"))
    extra = _yaml(git.text(commit, f"{folder}/environment.yaml"))
    image: dict[str, Any] = extra["image"] if isinstance(extra.get("image"), dict) else {}
    out = Definition()
    if isinstance(image.get("name"), str) and (image.get("publish") or {}).get("location", "mcr") == "mcr":
        out.image = f"{MCR}/{image['name']}"
    context: dict[str, Any] = image["context"] if isinstance(image.get("context"), dict) else {}
    context_dir = posixpath.normpath(f"{folder}/{context.get('dir', 'context')}")
    dockerfile_name = context.get("dockerfile", "Dockerfile") if isinstance(context.get("dockerfile"), str) \
        else "Dockerfile"
    conda_paths: list[str] = []
    req_paths: list[str] = []
    python_pins: list[str] = []
    dockerfile_text = git.text(commit, f"{context_dir}/{dockerfile_name}")
    if dockerfile_text is not None:
        dockerfile = read_dockerfile(dockerfile_text, dockerfile_name)
        bases = dockerfile.external_bases()
        if bases:
            out.base_image = _strip_template(bases[-1].image)
        created, fresh = _conda_creates(dockerfile)
        out.fresh_env = fresh
        for dep in created:
            if dep.name == "python":
                python_pins.append(dep.version)
            elif (p := _conda_package(dep)) is not None:
                out.packages.add(p)
        for word, _loc in dockerfile.conda_installs():
            dep = parse_match_spec(word, Location())
            if dep.name != "python" and (p := _conda_package(dep)) is not None:
                out.packages.add(p)
        for name, _loc in dockerfile.conda_env_files():
            conda_paths.append(posixpath.normpath(f"{context_dir}/{posixpath.basename(name)}"))
        for line in dockerfile.pip_installs():
            if line.include is not None:
                if line.option in ("-r", "--requirement"):
                    req_paths.append(posixpath.normpath(f"{context_dir}/{posixpath.basename(line.include)}"))
            elif line.url is not None:
                out.opaque = True
            elif (p := _pip_package(line)) is not None:
                out.packages.add(p)
    conda_value = spec.get("conda_file")
    if isinstance(conda_value, str) and "{{" not in conda_value:
        conda_paths.append(posixpath.normpath(f"{folder}/{conda_value}"))
        out.fresh_env = True  # image + conda_file: AzureML builds a new conda env from it
    for path in conda_paths:
        text = git.text(commit, path)
        if text is None:
            out.opaque = True
            continue
        try:
            conda = read_conda(load_yaml(text), path)
        except YamlReadError:
            out.opaque = True
            continue
        for dep in conda.conda_deps:
            if dep.name == "python":
                python_pins.append(dep.version)
            elif (p := _conda_package(dep)) is not None:
                out.packages.add(p)
        for line in conda.pip_lines:
            if line.include is not None and line.option in ("-r", "--requirement"):
                req_paths.append(posixpath.normpath(posixpath.join(posixpath.dirname(path), line.include)))
            elif line.url is not None:
                out.opaque = True
            elif (p := _pip_package(line)) is not None:
                out.packages.add(p)
    for path in req_paths:
        text = git.text(commit, path) if path in files else None
        if text is None:
            out.opaque = True
            continue
        for line in read_requirements(text, path).lines:
            if line.url is not None:
                out.opaque = True
            elif (p := _pip_package(line)) is not None:
                out.packages.add(p)
    for pin in python_pins:
        if (py := _python_of_pin(pin)) is not None:
            out.python, out.python_source = py, "conda"
            break
    if out.python is None and out.base_image:
        m = _IMAGE_PY.search(out.base_image.rsplit("/", 1)[-1])
        if m:
            out.python, out.python_source = f"3.{m.group(1)}", "base_image"
    tags: dict[str, Any] = spec["tags"] if isinstance(spec.get("tags"), dict) else {}
    if out.python is None and isinstance(tags.get("Python"), (str, float)):
        py = _python_of_pin(str(tags["Python"]))
        if py:
            out.python, out.python_source = py, "spec_tag"
    return out


def release_tags(git: Git) -> dict[str, dict[int, str]]:
    """name -> {version: commit} from the release pipeline's `environment/<name>/<version>` tags."""
    out: dict[str, dict[int, str]] = {}
    listing = git.run("for-each-ref", "--format=%(refname) %(objectname) %(*objectname)", TAG_PREFIX)
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        rest = parts[0][len(TAG_PREFIX):]
        name, _, version = rest.rpartition("/")
        if not name or not version.isdigit():
            continue
        commit = parts[2] if len(parts) > 2 and parts[2] else parts[1]
        out.setdefault(name, {})[int(version)] = commit
    return out


def removed_assets(git: Git, head: str, active: set[str]) -> dict[str, tuple[str, str, str]]:
    """name -> (folder, last commit holding it, date it was deleted) of environments deleted since."""
    out: dict[str, tuple[str, str, str]] = {}
    log = git.run("log", "--diff-filter=D", "--name-only", "--format=C %H %P %cs", head, "--", "*asset.yaml")
    commit = parent = date = ""
    for line in log.splitlines():
        if line.startswith("C "):
            parts = line.split()
            commit, parent, date = parts[1], parts[2] if len(parts) > 3 else "", parts[-1]
            continue
        path = line.strip()
        if not path.endswith("asset.yaml") or not parent or path.startswith("test/"):
            continue
        try:
            data = _yaml(git.text(parent, path))
        except subprocess.CalledProcessError:
            continue
        name = data.get("name")
        if data.get("type") != "environment" or not isinstance(name, str) or name in active or name in out:
            continue
        out[name] = (posixpath.dirname(path), parent, date)  # the log runs newest first: the last deletion
    del commit
    return out


def _folder_at(git: Git, commit: str, name: str, hint: str | None) -> str | None:
    if (hint is not None and f"{hint}/asset.yaml" in git.tree(commit)
            and _yaml(git.text(commit, f"{hint}/asset.yaml")).get("name") == name):
        return hint
    return environment_assets(git, commit).get(name)


def build(git_dir: Path, repository: str = REPOSITORY) -> dict[str, Any]:
    """The table (see the module docstring); versions are stored as changes from the previous one."""
    git = Git(git_dir)
    try:
        head = git.run("rev-parse", "HEAD").strip()
        stamp = int(git.run("log", "-1", "--format=%ct", head).strip())
        date = datetime.fromtimestamp(stamp, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        active = environment_assets(git, head)
        removed: dict[str, tuple[str, str, str | None]] = dict(removed_assets(git, head, set(active)))
        tags = release_tags(git)
        # Released under a name no asset has any more, without a deletion to show it (the asset
        # was renamed in place): found at its last tag's commit; the date it went is not known.
        for name in sorted(set(tags) - set(active) - set(removed)):
            last = tags[name][max(tags[name])]
            try:
                folder = environment_assets(git, last).get(name)
            except subprocess.CalledProcessError:
                folder = None
            if folder is not None:
                removed[name] = (folder, last, None)
        raw: dict[str, tuple[dict[str, Any], list[tuple[int, Definition]], Definition]] = {}
        for name in sorted(set(active) | set(removed)):
            folder = active.get(name) or removed[name][0]
            entry: dict[str, Any] = {"folder": folder}
            if name in active:
                entry["status"] = "active"
                current = read_definition(git, head, folder)
            else:
                entry["status"] = "removed"
                entry["removed"] = removed[name][2]
                current = read_definition(git, removed[name][1], folder)
            entry["image"] = current.image
            versions: list[tuple[int, Definition]] = []
            unread: list[int] = []
            hint = folder
            # Oldest first: each version's folder is looked for where the previous one was.
            for version, commit in sorted(tags.get(name, {}).items()):
                try:
                    where = _folder_at(git, commit, name, hint)
                except subprocess.CalledProcessError:
                    where = None  # the tagged commit is not in the snapshot
                if where is None:
                    unread.append(version)  # released, but its definition is not in the snapshot
                    continue
                hint = where
                versions.append((version, read_definition(git, commit, where)))
            if unread:
                entry["unread"] = unread
            raw[name] = (entry, versions, current)
        return encode(raw, {"repository": repository, "commit": head, "date": date})
    finally:
        git.close()


def encode(raw: dict[str, tuple[dict[str, Any], list[tuple[int, Definition]], Definition]],
           source: dict[str, str]) -> dict[str, Any]:
    """Compact form: one sorted package list; each version lists what changed from the one before
    ("+"/"-" package indexes, and "python", "base_image", "complete" when they change)."""
    packages = sorted({p for _e, versions, current in raw.values()
                       for defn in [current, *(d for _v, d in versions)] for p in defn.packages})
    number = {p: i for i, p in enumerate(packages)}
    environments: dict[str, Any] = {}
    for name, (entry, versions, current) in raw.items():
        history: list[dict[str, Any]] = []
        before: dict[str, Any] = {"python": None, "base_image": None, "complete": False}
        have: set[int] = set()
        # An environment without release tags is recorded by its current definition as version 0.
        for version, defn in versions or [(0, current)]:
            now = {"python": defn.python, "base_image": defn.base_image,
                   "complete": defn.fresh_env and not defn.opaque}
            ids = {number[p] for p in defn.packages}
            step: dict[str, Any] = {"v": version}
            step.update({k: v for k, v in now.items() if before[k] != v})
            if ids - have:
                step["+"] = sorted(ids - have)
            if have - ids:
                step["-"] = sorted(have - ids)
            history.append(step)
            before, have = now, ids
        entry = dict(entry)
        entry["versions"] = history
        entry["tagged"] = bool(versions)
        environments[name] = entry
    table = {"format": FORMAT, "source": source, "environments": environments,
             "packages": [list(p) for p in packages]}
    table["images"] = _images(table)
    return table


def _latest(table: dict[str, Any], name: str) -> dict[str, Any]:
    """python / server pin of the latest version (replaying the changes)."""
    entry = table["environments"][name]
    python: str | None = None
    have: set[int] = set()
    for step in entry["versions"]:
        python = step.get("python", python)
        have = (have - set(step.get("-", []))) | set(step.get("+", []))
    server = [table["packages"][i][1] for i in sorted(have) if table["packages"][i][0] == SERVER]
    return {"python": python, "server": server[0] if server else None}


def _images(table: dict[str, Any]) -> dict[str, Any]:
    """Inference images: the curated inference environments', and the documented prebuilt ones."""
    out: dict[str, Any] = {}
    for name, entry in table["environments"].items():
        if not entry["folder"].startswith(("assets/inference/", "inference/")) or not entry["image"]:
            continue
        out[entry["image"]] = {"environment": name, **_latest(table, name), "status": entry["status"],
                               "source": "azureml-assets"}
    for image in DOCUMENTED_IMAGES:
        if image in out:
            continue
        m = _IMAGE_PY.search(image.rsplit("/", 1)[-1])
        out[image] = {"environment": None, "python": f"3.{m.group(1)}" if m else None, "server": "",
                      "status": "documented", "source": DOCUMENTED_SOURCE}
    return out


# --------------------------------------------------------------------------- installed closures

UV_PLATFORM = "x86_64-manylinux_2_28"
RESOLVE_TIMEOUT = 300.0
Runner = Any  # subprocess.run's signature; a test passes its own


def current_requirements(table: dict[str, Any], name: str) -> tuple[int, str | None, bool, list[tuple[str, str]]]:
    """(version, python, complete, [(requirement line, source)]) of the environment's last recorded
    version: pip packages as written, conda packages by their PyPI names (conda-only ones left out)."""
    entry = table["environments"][name]
    python: str | None = None
    complete = False
    have: set[int] = set()
    version = 0
    for step in entry["versions"]:
        python = step.get("python", python)
        complete = step.get("complete", complete)
        have = (have - set(step.get("-", []))) | set(step.get("+", []))
        version = step["v"]
    known = deps.known_pypi_names()
    lines: list[tuple[str, str]] = []
    for i in sorted(have):
        pkg, spec, src = table["packages"][i]
        if src == "pip":
            lines.append((pkg + spec, "pip"))
            continue
        if pkg in ("pip", "python"):
            continue
        for pypi in deps.conda_to_pypi(pkg):
            if pypi in known:
                lines.append((pypi + _conda_pep440(spec), "conda"))
    return version, python, complete, sorted(dict.fromkeys(lines))


def _conda_pep440(version: str) -> str:
    from aml_lint.rules.environment.common import conda_specifier

    spec = conda_specifier(version)
    return str(spec) if spec is not None else ""


_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")


def _version_key(line: str) -> tuple[int, ...]:
    """The highest version a requirement line mentions, for picking the floor a later layer raised."""
    found = [tuple(int(x) for x in v.split(".")) for v in re.findall(r"\d+(?:\.\d+)*", line[len(_key(line)):])]
    return max(found, default=())


def _key(line: str) -> str:
    m = _NAME.match(line)
    return m.group(1) if m else line


def layered(lines: list[tuple[str, str]]) -> list[str]:
    """One requirement per distribution, as the image's layers leave it: the Dockerfile installs conda
    first and pip after (pip wins), and a later `pip install` raising a floor (a security fix,
    `setuptools>=82.0.1` after `setuptools==78.1.1`) wins over the earlier pin."""
    best: dict[str, tuple[int, tuple[int, ...], str]] = {}
    for line, src in lines:
        name = deps.normalize(_key(line))
        rank = (1 if src == "pip" else 0, _version_key(line), line)
        if name not in best or rank > best[name]:
            best[name] = rank
    return sorted(rank[2] for rank in best.values())


def uv_compile(uv: str, lines: list[str], python: str, exclude_newer: str, runner: Runner = subprocess.run,
               overrides: list[str] | None = None) -> tuple[dict[str, str] | None, str]:
    """({name: version}, "") resolved, or (None, reason). Wheels only, unless a package has
    none (old pure-Python sdists such as py-cpuinfo 5): then source distributions are allowed."""
    found, reason = _uv_compile(uv, lines, python, exclude_newer, runner, True, overrides)
    if found is None and ("no usable wheels" in reason or "Wheels are required" in reason):
        return _uv_compile(uv, lines, python, exclude_newer, runner, False, overrides)
    return found, reason


def _uv_compile(uv: str, lines: list[str], python: str, exclude_newer: str, runner: Runner,
                binary_only: bool, overrides: list[str] | None) -> tuple[dict[str, str] | None, str]:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="aml-lint-curated-") as tmp:
        req = Path(tmp) / "requirements.in"
        req.write_text("\n".join(lines) + "\n", encoding="utf-8")
        cmd = [uv, "pip", "compile", str(req), "--python-version", python, "--python-platform", UV_PLATFORM,
               "--exclude-newer", exclude_newer, "--no-header", "--no-annotate",
               "--no-config", "--color", "never", "--no-python-downloads", "--quiet"]
        if binary_only:
            cmd += ["--only-binary", ":all:"]
        if overrides:
            over = Path(tmp) / "overrides.txt"
            over.write_text("\n".join(overrides) + "\n", encoding="utf-8")
            cmd += ["--override", str(over)]
        try:
            proc = runner(cmd, capture_output=True, text=True, timeout=RESOLVE_TIMEOUT, stdin=subprocess.DEVNULL,
                          cwd=tmp)
        except subprocess.TimeoutExpired:
            return None, f"uv did not finish within {RESOLVE_TIMEOUT:.0f} s"
    if proc.returncode != 0:
        return None, explain_failure(proc.stderr + "\n" + proc.stdout, "uv", lines)[1]
    out: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line.strip())
        if m:
            out[canonicalize_name(m.group(1))] = m.group(2)
    return (out, "") if out else (None, "uv printed no packages")


def _conflicting(reason: str, overrides: list[str]) -> list[str]:
    """Dependencies the resolver's reason says packages disagree on, not yet overridden."""
    done = {deps.normalize(_key(line)) for line in overrides}
    found = [deps.normalize(n) for n in re.findall(r"depends on ([A-Za-z0-9][A-Za-z0-9._-]*)", reason)]
    return sorted(set(found) - done)


def _unavailable(reason: str) -> list[str]:
    """Packages whose pinned release the index does not have, from uv's reason."""
    found = re.findall(r"there (?:is|are) no versions? of ([A-Za-z0-9][A-Za-z0-9._-]*)", reason)
    found += re.findall(r"only ([A-Za-z0-9][A-Za-z0-9._-]*?)(?:[<>=!~]|\s+is available)", reason)
    found += re.findall(r"([A-Za-z0-9][A-Za-z0-9._-]*) was not found in the package registry", reason)
    return sorted({deps.normalize(n) for n in found})


def _unpinned(line: str) -> str:
    m = re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?", line)
    return m.group(0) if m else line


LAYERED_NOTE = ("resolved as layered: one requirement per package (pip over conda, the highest floor), "
                "overriding what its dependencies ask for, as the image's successive installs do")


def resolve_closures(table: dict[str, Any], uv: str, runner: Runner = subprocess.run,
                     only: set[str] | None = None, log: Any = None) -> dict[str, Any]:
    """The table with each complete environment's resolved closure (see the module docstring)."""
    table = json.loads(json.dumps(table))  # a copy: the input stays as built
    snapshot_day = str(table["source"]["date"])[:10]
    closures: dict[str, tuple[int, dict[str, str], str]] = {}
    old_pins: list[str] = table.pop("installed", [])
    for name, entry in sorted(table["environments"].items()):
        kept = entry.pop("closure", None)
        if only is not None and name not in only:
            if kept is not None:  # not asked for: kept as it was
                closures[name] = (kept["v"], dict(old_pins[i].split("==", 1) for i in kept["+"]),
                                  kept.get("note", ""))
            continue
        entry.pop("closure_error", None)
        version, python, complete, sourced = current_requirements(table, name)
        if not complete or not sourced:
            continue  # a framework base (or nothing to install): its contents stay partial
        if python is None:
            entry["closure_error"] = "the environment's Python is not known"
            continue
        # The day the image was last built from this definition, at the latest: the snapshot's
        # (a removed environment: the day it was removed), the whole day included.
        stamp = f"{entry.get('removed') or snapshot_day}T23:59:59Z"
        lines = [line for line, _src in sourced]
        note = ""
        installed, reason = uv_compile(uv, lines, python, stamp, runner)
        if installed is None:
            # The Dockerfile installs in layers; pip lets a later layer break an earlier
            # package's constraint (with a warning) where a single resolution refuses.
            flat = layered(sourced)
            overrides = list(flat)
            installed, again = uv_compile(uv, flat, python, stamp, runner, overrides=overrides)
            # Two of its packages' own dependencies may still disagree (responsibleai wants
            # networkx<=2.5, torch networkx>=2.5.1): pip installs both and warns; free that package.
            for _round in range(6):
                freed = _conflicting(again, overrides) if installed is None else []
                if not freed:
                    break
                overrides += freed
                installed, again = uv_compile(uv, flat, python, stamp, runner, overrides=overrides)
            note = LAYERED_NOTE
            # A pinned release PyPI no longer has (onnxruntime-gpu 1.9, deleted) or never had
            # (torch==1.7.1+cu101, from PyTorch's own index): the package by name, said in the note.
            gone: list[str] = []
            for _round in range(4):
                missing = _unavailable(again) if installed is None else []
                pinned = {deps.normalize(_key(line)) for line in flat if _unpinned(line) != line}
                missing = [n for n in missing if n not in gone and n in pinned]
                if not missing:
                    break
                gone += missing
                flat = [_unpinned(line) if deps.normalize(_key(line)) in gone else line for line in flat]
                overrides = [_unpinned(line) if deps.normalize(_key(line)) in gone else line for line in overrides]
                installed, again = uv_compile(uv, flat, python, stamp, runner, overrides=overrides)
            if gone:
                note += f"; pins PyPI does not have relaxed to the name: {', '.join(sorted(gone))}"
            if installed is None:
                reason = f"{reason} (and resolved as layered: {again})"
        if installed is None:
            entry["closure_error"] = reason
        else:
            closures[name] = (version, installed, note)
        if log is not None:
            print(f"{name}: {len(installed) if installed else 'FAILED ' + reason[:300]}{' (layered)' if note else ''}",
                  file=log, flush=True)
    pins = sorted({f"{n}=={v}" for _ver, inst, _note in closures.values() for n, v in inst.items()})
    number = {p: i for i, p in enumerate(pins)}
    for name, (version, installed, note) in closures.items():
        closure: dict[str, Any] = {"v": version, "+": sorted(number[f"{n}=={v}"] for n, v in installed.items())}
        if note:
            closure["note"] = note
        table["environments"][name]["closure"] = closure
    if pins:
        table["installed"] = pins
        table["source"]["resolved"] = {"tool": "uv pip compile", "platform": UV_PLATFORM,
                                       "exclude_newer": "source date (removed: removal date)"}
    return table


def dump(table: dict[str, Any]) -> bytes:
    return (json.dumps(table, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--git-dir", type=Path, help="git directory of an azureml-assets snapshot")
    parser.add_argument("--from-table", type=Path, help="start from this built table instead of a snapshot")
    parser.add_argument("--out", type=Path, default=Path("src/aml_lint/knowledge/curated.json"))
    parser.add_argument("--repository", default=REPOSITORY)
    parser.add_argument("--resolve", action="store_true",
                        help="resolve each complete environment's installed closure with uv (network: PyPI)")
    parser.add_argument("--uv", default=str(Path(sys.executable).with_name("uv")), help="the uv to resolve with")
    parser.add_argument("--only", action="append", help="resolve only these environments (repeatable)")
    args = parser.parse_args(argv)
    if (args.git_dir is None) == (args.from_table is None):
        parser.error("give exactly one of --git-dir and --from-table")
    if args.from_table is not None:
        table = json.loads(args.from_table.read_text(encoding="utf-8"))
    else:
        table = build(args.git_dir, args.repository)
    if args.resolve:
        table = resolve_closures(table, args.uv, only=set(args.only) if args.only else None, log=sys.stderr)
    args.out.write_bytes(dump(table))
    envs = table["environments"]
    print(f"{len(envs)} environments ({sum(e['status'] == 'active' for e in envs.values())} active, "
          f"{sum(len(e['versions']) for e in envs.values() if e['tagged'])} tagged versions), "
          f"{len(table['packages'])} package specs, {len(table['images'])} images, "
          f"{sum('closure' in e for e in envs.values())} closures ({len(table.get('installed', []))} pins), "
          f"source {table['source']['commit'][:10]} {table['source']['date']} -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
