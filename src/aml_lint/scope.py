"""``--changed-files``: which other files could link to a changed file, from their text alone.

A deployment or environment YAML links to a file by a path relative to its own
folder: the file itself (``conda_file: env/conda.yaml``) or a folder that holds it
(``code: ./src``, ``build.path: docker``). Dockerfiles and requirements files name
the files they copy or include the same way, SDK code names them in string
literals, and a Python file links to a module beside it by importing it. So a
file can only link to a changed file if one of its words, joined to its folder,
is that file or one of its folders; a file linked to a file found that way (a
deployment sharing the conda file) is found in the next round the same way. Jobs and
components link the same way (``code: src`` holds the entry script their ``command:`` runs,
``environment: file:...``, ``component: file:...``), and a file that names a file found so (a
pipeline naming the component file, a job naming the environment YAML) is found next too.

Dockerfiles are the exception: whether one is checked at all, and from which build
context, depends on the scripts that build it (``docker build -f X .`` in a workflow, a
shell script, a devcontainer.json) and on an environment beside it whose ``build.path`` is
a placeholder. So a changed Dockerfile brings those in, read as the graph reads them, and a
changed script brings in the Dockerfiles it builds.

Reading the files and looking for the changed files' names in them is the text
scan; only the files that pass are parsed. Letting a file through costs time,
never findings, so every test here errs on the side of yes.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from aml_lint.documents import Kind
from aml_lint.documents.classify import kind_from_name
from aml_lint.graph import (
    dev_container_dockerfiles,
    docker_builds,
    is_build_script,
    may_build_image,
)

MAX_READ = 1 << 20  # definition files are small; a larger file's head is enough to decide
MAX_ROUNDS = 8  # links of links; real repositories settle in two or three
DOTS = frozenset({".", ".."})
SDK_NAMES = ("CodeConfiguration", "Environment", "InferenceConfig", "from_conda_specification",
             "ManagedOnlineDeployment", "KubernetesOnlineDeployment", "BatchDeployment")
# Words that can be paths: split on whitespace, quotes, brackets, commas, comments.
_WORD_RE = re.compile(r"""(?:file:)?([^\s'"`\[\](){},#=]+)""")
# Path parts: words split on "/" too; a set of them answers "is this name mentioned" in C.
_PART_RE = re.compile(r"""[^\s'"`\[\](){},#=/]+""")
# Whole YAML values, for paths with spaces in them: "key: value" or "- value" up to a comment.
_VALUE_RE = re.compile(r"""^[ \t-]*(?:[^\s:#'"][^:#\n]*:[ \t]+)?['"]?([^'"#\n]*[^'"#\s])['"]?""", re.M)


def _parent(rel: str) -> str:
    return rel.rpartition("/")[0]


def _ancestors(rel: str) -> list[str]:
    out = []
    parent = _parent(rel)
    while parent:
        out.append(parent)
        parent = _parent(parent)
    return out


def _with_ancestors(rels: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for rel in rels:
        out.add(rel)
        out.update(_ancestors(rel))
    return out


def _is_code(rel: str) -> bool:
    return rel.endswith(".py")


def _is_yaml(rel: str) -> bool:
    return rel.lower().endswith((".yml", ".yaml"))


def _can_link(rel: str) -> bool:
    """YAML, Python, Dockerfiles and requirements files are the only files that name other files."""
    return _is_yaml(rel) or _is_code(rel) or kind_from_name(rel) is not None


def _may_build(rel: str, text: str) -> bool:
    """A script or CI YAML that may run ``docker build`` / ``az acr build`` (the graph's own test)."""
    return (is_build_script(rel) or _is_yaml(rel)) and may_build_image(text)


def _built(rel: str, text: str, dockerfiles: set[str]) -> set[str]:
    """Which of ``dockerfiles`` the script ``rel`` builds, as the graph reads it."""
    if rel.endswith("devcontainer.json"):
        return set(dev_container_dockerfiles(rel, text)) & dockerfiles
    return {dockerfile for dockerfile, _ in docker_builds(text, rel, dockerfiles)}


def _sdk_hint(text: str) -> bool:
    """Might call the AzureML SDK with file paths (plain substring tests: faster than a regex)."""
    return "(" in text and any(name in text for name in SDK_NAMES)


def _read(path: str) -> str | None:
    """The head of a regular file as text; None for anything else (a FIFO would block a read)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # opening a FIFO must not wait
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        # One read call of the right size: a buffered file object per file costs more than the read.
        return os.read(fd, min(info.st_size, MAX_READ) + 1)[:MAX_READ].decode("utf-8", "replace")
    except OSError:
        return None
    finally:
        os.close(fd)


def path_words(rel: str, text: str) -> dict[str, list[str]]:
    """The words of ``text`` that could be relative paths, by their last part ('code' for './code/')."""
    words = set(_WORD_RE.findall(text))
    if _is_yaml(rel):
        words.update(_VALUE_RE.findall(text))
    out: dict[str, list[str]] = {}
    for word in words:
        out.setdefault(word.rstrip("/:").rpartition("/")[2], []).append(word)
    return out


def _resolve(folder: str, word: str) -> str | None:
    word = word.rstrip(":")  # "code:" is a key, but a path never ends in ':' either
    if word.startswith("file:"):
        word = word[5:]
    if not word or word.startswith("/") or "://" in word or word.startswith("azureml:"):
        return None
    resolved = posixpath.normpath(posixpath.join(folder, word))
    if resolved in DOTS or resolved.startswith("../"):
        return None  # the root itself, or outside it
    return resolved


class _Candidate:
    """A file that could link to the changed files; its words are split out when first needed."""

    __slots__ = ("rel", "folder", "text", "_parts", "_words")

    def __init__(self, rel: str, text: str) -> None:
        self.rel = rel
        self.folder = _parent(rel)
        self.text = text
        self._parts: set[str] | None = None
        self._words: dict[str, list[str]] | None = None

    @property
    def parts(self) -> set[str]:
        if self._parts is None:
            self._parts = set(_PART_RE.findall(self.text))
        return self._parts

    @property
    def words(self) -> dict[str, list[str]]:
        if self._words is None:
            self._words = path_words(self.rel, self.text)
        return self._words

    def might_name(self, names: set[str], targets: set[str]) -> bool:
        """Cheap tests first (set operations on path parts, no path arithmetic).

        A word without '..' resolves inside this file's folder, so unless the folder is a
        target or holds one (``targets`` includes every target's folders), only '..' can lead
        to a target. Then one of the wanted names must be a path part of the text.
        """
        parts = self.parts
        if self.folder and self.folder not in targets and ".." not in parts:
            return False
        return not parts.isdisjoint(names) or not parts.isdisjoint(DOTS)

    def names_any(self, names: set[str], targets: set[str]) -> bool:
        for base in self.words.keys() & (names | DOTS):
            for word in self.words[base]:
                if _resolve(self.folder, word) in targets:
                    return True
        return False

    def named(self, existing: set[str]) -> set[str]:
        out = set()
        for words in self.words.values():
            for word in words:
                resolved = _resolve(self.folder, word)
                if resolved is not None and resolved in existing:
                    out.add(resolved)
        return out


def files_in_scope(root: Path, candidates: Sequence[str], changed: Iterable[str]) -> list[str]:
    """The candidates (repository-relative paths) a ``--changed-files`` run must load: the changed
    files themselves, and the files that could link to them (directly, or through files found so)."""
    changed = set(changed)
    root_text = os.fspath(root)
    rels = {rel: os.path.join(root_text, rel) for rel in candidates}  # rel -> path to read
    existing: set[str] = set()
    for rel in rels:
        existing.add(rel)
        parent = _parent(rel)
        while parent and parent not in existing:
            existing.add(parent)
            parent = _parent(parent)

    # Round 0: the changed files and their folders (a code folder or build context holds them).
    targets = _with_ancestors(changed)
    # A changed module is imported by its neighbours: folder -> module names.
    modules: dict[str, set[str]] = {}
    for rel in changed:
        if _is_code(rel):
            folder, _, name = rel.rpartition("/")
            if name == "__init__.py":
                folder, _, name = folder.rpartition("/")
            modules.setdefault(folder, set()).add(name.removesuffix(".py"))
    module_patterns = {folder: re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names)) + r")\b")
                       for folder, names in modules.items()}

    # Dockerfiles: a script that builds one decides whether it is checked and from which context,
    # and so does an environment beside it whose build.path is a placeholder (see the graph).
    changed_dockerfiles = {rel for rel in changed if rel in rels and kind_from_name(rel) is Kind.DOCKERFILE}
    every_dockerfile: list[set[str]] = []  # listed only when a changed script asks

    def dockerfiles() -> set[str]:
        if not every_dockerfile:
            every_dockerfile.append({rel for rel in rels if kind_from_name(rel) is Kind.DOCKERFILE})
        return every_dockerfile[0]

    dockerfile_folders = {folder for rel in changed_dockerfiles for folder in _ancestors(rel)}

    built_by_changed: set[str] = set()
    chosen: list[str] = []
    pending: dict[str, _Candidate] = {}
    for rel, path in rels.items():
        script = is_build_script(rel)
        if not _can_link(rel) and not script:
            if rel in changed:
                chosen.append(rel)
            continue
        if script and rel not in changed and not changed_dockerfiles:
            continue  # scripts matter only to a changed Dockerfile, or when they change
        text = _read(path)
        if rel in changed:
            chosen.append(rel)
            # What a changed file names belongs to its unit too (a conda file it shares).
            if text is not None and (not _is_code(rel) or _sdk_hint(text)) and not script:
                targets |= _with_ancestors(_Candidate(rel, text).named(existing))
            if text is not None and (_may_build(rel, text) or rel.endswith("devcontainer.json")):
                built = _built(rel, text, dockerfiles())
                targets |= _with_ancestors(built)
                built_by_changed |= built  # nothing else would load them: a script is not followed
            continue
        if text is None:
            continue
        if changed_dockerfiles and (_may_build(rel, text) or rel.endswith("devcontainer.json")) \
                and _built(rel, text, changed_dockerfiles):
            chosen.append(rel)
            continue
        if changed_dockerfiles and _is_yaml(rel) and _parent(rel) in dockerfile_folders and "build" in text:
            chosen.append(rel)
            continue
        if script:
            continue
        if _is_code(rel):
            pattern = module_patterns.get(_parent(rel))
            if pattern is not None and pattern.search(text):
                chosen.append(rel)
                continue
            if not _sdk_hint(text):
                continue  # plain Python links to nothing but the modules it imports
        pending[rel] = _Candidate(rel, text)

    for rel in sorted(built_by_changed - set(chosen)):
        chosen.append(rel)
        pending.pop(rel, None)
    new_targets = set(targets)
    for _ in range(MAX_ROUNDS):
        if not new_targets or not pending:
            break
        names = {t.rpartition("/")[2] for t in new_targets}
        found: set[str] = set()
        for rel, candidate in list(pending.items()):
            if candidate.might_name(names, targets) and candidate.names_any(names, targets):
                chosen.append(rel)
                del pending[rel]
                # What it names belongs to its unit; and what names it (a pipeline naming a
                # component file, a job naming an environment YAML) links to the change through it.
                found |= candidate.named(existing) | {rel}
        new_targets = _with_ancestors(found) - targets
        targets |= new_targets
    return chosen


def repository_root(start: Path) -> Path:
    """The root a file belongs to: the git top level, else the nearest folder holding an aml-lint
    config (``.aml-lint.yml``, or ``pyproject.toml`` with ``[tool.aml-lint]``), else its folder."""
    from aml_lint.config import ConfigError, find_config
    from aml_lint.workspace import find_root

    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    git_root = find_root(folder)
    if (git_root / ".git").exists():
        return git_root
    for candidate in (folder, *folder.parents):
        try:
            if find_config(candidate) is not None:
                return candidate
        except ConfigError:
            continue
    return folder


def explicit_scope(paths: Sequence[Path]) -> tuple[Path, frozenset[str]]:
    """Files named on the command line (pre-commit passes the staged ones): the root to walk, and
    the files to report on, as ``--changed-files`` would. A folder named beside them adds the
    files under it. Only the files' links are looked at beyond them, never the whole report."""
    from aml_lint.workspace import is_inside, relpath, walk

    first = next(p for p in paths if p.is_file())
    root = repository_root(first)
    changed: set[str] = set()
    for path in paths:
        absolute = path.absolute()
        if path.is_file():
            if is_inside(absolute, root):
                changed.add(relpath(absolute, root))
        elif path.is_dir():
            changed.update(walk(root, [absolute]))
    return root, frozenset(changed)
