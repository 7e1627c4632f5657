"""The project graph: which deployment or job uses which script, environment, conda file,
Dockerfile and requirements file, resolved the way AzureML resolves them.

Relative paths are resolved from the folder of the YAML file that names them
(``build.dockerfile_path`` from the build context); ``file:`` environment
references are followed. Every problem met while resolving (a missing file, a
path leaving the repository) is recorded as a LinkProblem for the rules to report.

This module holds the documents, the links and path resolution; what a document of each
kind links to is the business of its linker (``LINKERS`` in aml_lint.graph.linkers).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath

from aml_lint.documents import Document, Kind, read_head, read_text
from aml_lint.documents.classify import (
    is_yaml_name,
    kind_from_name,
    kind_from_yaml,
    looks_like_azureml_yaml,
    looks_like_scoring_script,
)
from aml_lint.documents.command import ParsedCommand
from aml_lint.documents.placeholders import is_placeholder
from aml_lint.documents.yaml_doc import Path_
from aml_lint.findings import Location, Severity
from aml_lint.graph import dockerfiles, environments, scripts
from aml_lint.graph.dockerfiles import is_script, may_build_image
from aml_lint.graph.environments import EnvSpec
from aml_lint.graph.linkers import LINKERS
from aml_lint.graph.links import Link, LinkProblem
from aml_lint.graph.paths import (
    ASSET_PREFIXES,
    exists_as,
    is_absolute_path,
    missing_folder,
    near_miss,
    submodule_paths,
)
from aml_lint.graph.scripts import SDK_CALL_NAMES
from aml_lint.ignored import excluded_from_upload, generated_by
from aml_lint.workspace import is_inside, relpath

# Commands that make a file or folder appear: downloads, archives, copies, generators.
_PRODUCE_RE = re.compile(r"\b(?:wget|curl|tar|unzip|gunzip|7z|cp|mv|rsync|mkdir|ln|azcopy|gsutil|"
                         r"dvc\s+(?:pull|repro|checkout)|git\s+lfs\s+pull|az\s+ml\s+\w+\s+download|"
                         r"az\s+storage\s+blob\s+download(?:-batch)?|huggingface-cli\s+download|"
                         r"pip-compile|uv\s+(?:pip\s+compile|export)|poetry\s+export)\b")


class Project:
    """All documents of one run, loaded once, and the links between them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.documents: dict[str, Document] = {}
        self.links: list[Link] = []
        self.problems: list[LinkProblem] = []
        self._recorded: set[LinkProblem] = set()  # a file resolved twice records each problem once
        self.environments: dict[str, list[EnvSpec]] = {}  # owner rel -> envs it defines
        self.script_envs: dict[str, list[EnvSpec]] = {}  # scoring script rel -> envs it runs in
        self.script_deployments: dict[str, list[Document]] = {}
        self.script_jobs: dict[str, list[Document]] = {}  # entry script rel -> jobs/components running it
        self.code_roots: dict[str, list[Path]] = {}  # entry script rel -> code folders it runs from
        self.commands: list[tuple[str, Path_, ParsedCommand]] = []  # every job `command:` parsed
        self._linked: set[str] = set()  # documents whose linker has run
        self._linked_from: dict[str, list[Link]] = {}
        self._linked_to: dict[str, list[Link]] = {}
        self.sdk_sources: list[tuple[Path, str]] = []  # Python files that call the AzureML SDK
        self.module_cache: dict[str, list[Document]] = {}  # script rel -> its local modules
        self._submodules: list[str] | None = None  # paths of the git submodules (.gitmodules), read once
        self.build_yaml: list[str] = []  # loaded YAML, not AzureML's, that may build a Dockerfile
        self.build_contexts: dict[str, list[Path]] = {}  # Dockerfile rel -> contexts its CI scripts use
        self.out_of_scope: dict[str, str] = {}  # Dockerfile rel -> why no rule checks it
        self.listed_scripts: list[str] = []  # every script and CI pipeline (read only when a path is missing)
        self._script_texts: dict[str, str | None] = {}  # their texts, each read once per run

    # -- loading -----------------------------------------------------------------------------

    def add(self, path: Path, hint: Kind | None = None) -> Document | None:
        """Read and classify a file once; None when it is not something we lint."""
        path = Path(os.path.normpath(path.absolute()))  # 'a/../b/score.py' is 'b/score.py': one document
        rel = relpath(path, self.root)
        if rel.startswith("/") or rel.split("/", 1)[0] == "..":
            return None  # outside the repository: never read (callers check symlinks with is_inside)
        return self._add(path, rel, hint)

    def note_scripts(self, listing: Iterable[str]) -> None:
        """Remember, by name only, the repository's scripts and CI pipelines (shell, PowerShell,
        Makefiles, devcontainer.json, workflow and pipeline YAML, Jenkins, batch files): what
        they download, generate or set at deploy time explains a missing path, whatever part of
        the repository a run loads."""
        self.listed_scripts.extend(rel for rel in listing if is_script(rel))

    def add_listed(self, rel: str) -> Document | None:
        """add() for a path from the workspace listing (clean, relative, inside the root).

        Most files of a repository are neither YAML, Python nor a known environment file:
        those are turned away by name before any path arithmetic.
        """
        if rel not in self.documents and not rel.endswith(".py") and not is_yaml_name(rel) \
                and kind_from_name(rel) is None:
            return None
        return self._add(self.root / rel, rel, None)

    def _add(self, path: Path, rel: str, hint: Kind | None) -> Document | None:
        if rel in self.documents:
            doc = self.documents[rel]
            if hint is not None and doc.kind in (Kind.OTHER_YAML, Kind.PYTHON) and hint != doc.kind:
                doc = self.reclassify(doc, hint)
            return doc
        kind = hint or kind_from_name(rel)
        if kind is None and not is_yaml_name(rel) and not rel.endswith(".py"):
            return None
        text, problem = read_text(path)
        if kind is None and problem is not None and problem.too_large:
            # Too large to check: worth a finding only if it is one of ours, as far as its head tells.
            head = read_head(path)
            if not (looks_like_scoring_script(head) if rel.endswith(".py") else looks_like_azureml_yaml(head)):
                return None
        if kind is None:
            if rel.endswith(".py"):
                if text is not None and any(f"{n}(" in text for n in SDK_CALL_NAMES[:4]):
                    self.sdk_sources.append((path, text))
                if text is None and not (problem is not None and problem.too_large):
                    return None  # unreadable, and nothing says it is a scoring script
                if text is not None and not looks_like_scoring_script(text):
                    return None
                kind = Kind.SCORING_SCRIPT
            else:
                if text is not None and not looks_like_azureml_yaml(text):
                    if may_build_image(text):
                        self.build_yaml.append(rel)  # a CI pipeline may build a Dockerfile
                    if may_build_image(text) or is_script(rel):
                        self._script_texts[rel] = text  # read now: not read again for the scripts
                    return None  # unrelated YAML: not parsed, not reported on
                kind = Kind.OTHER_YAML
        doc = Document(path, rel, kind, text, problem)
        if kind is Kind.OTHER_YAML and text is not None:
            doc = self.reclassify(doc, kind_from_yaml(doc.data))
        self.documents[rel] = doc
        return doc

    def reclassify(self, doc: Document, kind: Kind) -> Document:
        if kind == doc.kind:
            return doc
        new = Document(doc.path, doc.rel, kind, doc.text, doc.read_problem)
        if kind.is_yaml and doc.kind.is_yaml:
            new.__dict__["yaml_result"] = doc.yaml_result  # keep the one parse
        self.documents[doc.rel] = new
        return new

    def of_kind(self, *kinds: Kind) -> list[Document]:
        return [d for d in self.documents.values() if d.kind in kinds]

    # -- links ---------------------------------------------------------------------------------

    def link(self, link: Link) -> None:
        self.links.append(link)
        self._linked_from.setdefault(link.source, []).append(link)
        self._linked_to.setdefault(link.target, []).append(link)

    def links_from(self, rel: str) -> list[Link]:
        return self._linked_from.get(rel, [])

    def links_to(self, rel: str) -> list[Link]:
        return self._linked_to.get(rel, [])

    def problem(self, doc: Document, role: str, value: str, key: Path_, message: str,
                 severity: Severity = Severity.ERROR, **extra: str | None) -> None:
        loc = doc.yaml.loc(key) if doc.yaml else Location()
        problem = LinkProblem(doc.rel, role, value, loc, message, severity, **extra)
        if problem not in self._recorded:
            self._recorded.add(problem)
            self.problems.append(problem)

    def resolve(self, doc: Document, base_dir: Path, value: object, key: Path_, role: str,
                 want: str, base_name: str | None = None, uploaded: bool = False) -> Path | None:
        """Resolve a local path value; record a problem when it is missing or escapes the root.

        ``base_name`` says what the path is relative to in messages ("the code folder 'src'");
        by default the folder of the YAML file. ``uploaded``: ``base_dir`` is a folder AzureML
        uploads (a code folder, a build context), whose own ignore file keeps files out of it.
        A placeholder (``$(condaFile)``, ``{{ dir }}``) is not a path yet: it is left alone. An
        absolute path is not checked (a warning: it only exists on one machine).
        """
        if not isinstance(value, str) or not value.strip():
            return None
        text = value.strip()
        if text.startswith(ASSET_PREFIXES) or is_placeholder(text):
            return None
        base_name = base_name or f"the folder of {doc.rel}"
        if text.startswith("file:"):
            # Only `environment: file:x.yml` still loads: every other key keeps the prefix as part
            # of the path (azure-ai-ml 1.35: "No such file or directory: .../file:env.yml").
            stripped = text[5:]
            target = None if is_absolute_path(stripped) else (base_dir / stripped).absolute()
            found = target is not None and is_inside(target, self.root) and exists_as(target, want)
            self.problem(doc, role, text, key,
                          f"{role} '{text}' starts with the preview `file:` prefix, which the current CLI "
                          f"no longer strips here (it looks for a path named 'file:...'): drop the preview "
                          f"`file:` prefix and write '{stripped}'"
                          + ("" if found else f" (which does not exist either, from {base_name})"))
            return target if found else None
        what = {"dir": "folder", "file": "file"}.get(want, "path")
        if is_absolute_path(text):
            self.problem(doc, role, text, key,
                          f"{role} '{text}' is an absolute path: not portable (it exists on one machine "
                          f"only) and not checked; write it relative to {base_name}", Severity.WARNING)
            return None
        target = (base_dir / text).absolute()
        if not is_inside(target, self.root):
            self.problem(doc, role, text, key, f"{role} path '{text}' leads outside the repository")
            return None
        if exists_as(target, want):
            return target
        where = relpath(target, self.root)
        if self.in_submodule(where):
            # A git submodule's files are there in a recursive clone only (actions/checkout leaves
            # them out by default): whether this one exists cannot be told from here.
            return None
        missing = f"{role} {what} '{text}' does not exist (resolved to '{where}' from {base_name})"
        # An ignore file that also covers the YAML itself is about something else (`mlops/` in an
        # .amlignore keeps a folder out of uploads): the YAML is committed, so it is not generated.
        ignore = generated_by(self, where, doc.rel, {"dir": True, "file": False}.get(want))
        excluded = excluded_from_upload(self, base_dir, text) if ignore is not None and uploaded else None
        if excluded is not None:
            self.problem(doc, role, text, key,
                          f"{missing}; {excluded} keeps it out of what AzureML uploads from {base_name}, so "
                          "even once an earlier step writes it, it is not there: write it elsewhere or "
                          f"stop {excluded} from excluding it", target=where)
            return None
        if ignore is not None:
            self.problem(doc, role, text, key,
                          f"{missing}; {ignore} ignores it, so an earlier step (training, a build "
                          "script) must produce it: make sure that step runs before this file is "
                          "used", Severity.WARNING, target=where, missing_folder=missing_folder(target, self.root))
            return None
        producer = self._producer(PurePosixPath(where).name)
        if producer is not None:
            self.problem(doc, role, text, key,
                          f"{missing}; {producer[0]} creates it ('{producer[1]}'), so make sure that step "
                          "runs before this file is used", Severity.WARNING, target=where)
            return None
        hint = ""
        from_root = written_from = None
        # Written from a folder above the YAML's (the repository root, most often)?
        for above in base_dir.parents:
            if not is_inside(above, self.root):
                break
            there = (above / text).absolute()
            if is_inside(there, self.root) and exists_as(there, want):
                at = " (from the repository root)" if above == self.root else ""
                kind = "file or folder" if want == "any" else what
                if uploaded:
                    # '../x' from an uploaded folder is not in the upload: no path to write here.
                    hint = (f"; a {kind} exists at '{relpath(there, self.root)}'{at}, outside {base_name}, "
                            f"which is all AzureML uploads: move it into {base_name}")
                    break
                from_root = Path(os.path.relpath(there, base_dir)).as_posix()
                written_from = relpath(above, self.root) if above != self.root else ""
                hint = f"; a {kind} exists at '{relpath(there, self.root)}'{at}: from here write '{from_root}'"
                break
        if not hint:
            near = near_miss(base_dir, text, want, self.root)
            if near is not None:
                hint = f"; did you mean '{near}'?"
        self.problem(doc, role, text, key, missing + hint, target=where,
                      missing_folder=missing_folder(target, self.root), from_root=from_root,
                      written_from=written_from)
        return None

    def in_submodule(self, rel: str) -> bool:
        """True when ``rel`` lies in a git submodule the root's ``.gitmodules`` declares."""
        if self._submodules is None:
            self._submodules = submodule_paths(self.root)
        return any(rel == path or rel.startswith(f"{path}/") for path in self._submodules)

    def _producer(self, name: str) -> tuple[str, str] | None:
        """(script, line) of a repository script that downloads, extracts, copies or generates a
        file or folder called ``name`` (``wget .../half_plus_two.tar.gz``, ``az ml model download``,
        ``dvc pull``): then a missing path of that name is made by an earlier step."""
        if not name or name in (".", ".."):
            return None
        word = re.compile(rf"(?<![\w.-]){re.escape(name)}(?![\w-])")
        for rel, text in self.scripts():
            if name not in text:
                continue
            for m in word.finditer(text):  # the lines that name it, not every line
                start = text.rfind("\n", 0, m.start()) + 1
                end = text.find("\n", m.end())
                line = text[start:end if end >= 0 else len(text)]
                if _PRODUCE_RE.search(line) and not line.lstrip().startswith("#"):
                    return rel, line.strip()[:120]
        return None

    def resolve_links(self) -> None:
        """Each document's links, by its kind's linker (a template YAML links nothing)."""
        for doc in list(self.documents.values()):
            self.link_document(doc)

    def link_document(self, doc: Document) -> None:
        """Run ``doc``'s linker once (a component file is reached from its pipelines too)."""
        linker = LINKERS.get(doc.kind)
        if linker is not None and doc.yaml is not None and not doc.template_marker and self.claim(doc.rel):
            linker(self, doc)

    def claim(self, rel: str) -> bool:
        """True the first time ``rel`` is to be linked (by its linker, or followed from a pipeline)."""
        if rel in self._linked:
            return False
        self._linked.add(rel)
        return True

    def linked(self, rel: str) -> bool:
        return rel in self._linked

    # The other passes, in the order the engine runs them (their code lives with what they link).

    def follow_requirement_includes(self) -> None:
        environments.follow_requirement_includes(self)

    def link_local_modules(self) -> None:
        scripts.link_local_modules(self)

    def local_modules(self, doc: Document) -> list[Document]:
        return scripts.local_modules(self, doc)

    def add_explicit_link(self, script: Path, environment: Path, source: str) -> None:
        scripts.add_explicit_link(self, script, environment, source)

    def link_sdk_usage(self) -> None:
        scripts.link_sdk_usage(self)

    def settle_dockerfiles(self) -> None:
        dockerfiles.settle_dockerfiles(self)

    # -- the repository's scripts --------------------------------------------------------------

    def scripts(self) -> Iterator[tuple[str, str]]:
        """(file, text) of the repository's scripts and CI pipelines (note_scripts), each read
        once per run and shared by every question asked of them."""
        for rel in self.listed_scripts:
            text = self.script_text(rel)
            if text is not None:
                yield rel, text

    def script_text(self, rel: str) -> str | None:
        """A script's text, read once per run (several questions are asked of the same scripts)."""
        if rel not in self._script_texts:
            doc = self.documents.get(rel)  # a pipeline YAML that is also an AzureML file: read already
            text = doc.text if doc is not None else None
            self._script_texts[rel] = text if text is not None else read_text(self.root / rel)[0]
        return self._script_texts[rel]

    # -- traversal -----------------------------------------------------------------------------

    def neighbourhood(self, start: Iterable[str]) -> set[str]:
        """The files whose findings a change to ``start`` can alter.

        Up first: the changed files and everything that links to them, transitively (the
        requirements file's Dockerfile, its environment, the deployments using that). Then down:
        everything those link to (the deployments' scoring scripts, which are checked against the
        changed environment). A sibling that merely shares a file with a changed deployment is
        not included: nothing it is checked against has changed.
        """
        up = _reach(start, lambda rel: [link.source for link in self.links_to(rel)]
                    # A changed file inside a code folder or build context belongs to that unit.
                    + [link.source for link in self._folder_links_containing(rel)])
        return _reach(up, lambda rel: [link.target for link in self.links_from(rel)])

    def _folder_links_containing(self, rel: str) -> Iterator[Link]:
        # By the folders above `rel` (a handful), not by every link: a PR can change every file.
        folder = rel.rstrip("/").rpartition("/")[0]
        while folder:
            for link in self.links_to(folder):
                if link.role in ("code", "build"):
                    yield link
            folder = folder.rpartition("/")[0]


def _reach(start: Iterable[str], step: Callable[[str], list[str]]) -> set[str]:
    """Everything reachable from ``start`` by repeating ``step``."""
    seen: set[str] = set()
    todo = list(start)
    while todo:
        rel = todo.pop()
        if rel not in seen:
            seen.add(rel)
            todo.extend(step(rel))
    return seen
