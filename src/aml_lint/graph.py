"""The project graph: which deployment uses which scoring script, environment, conda file,
Dockerfile and requirements file, resolved the way AzureML resolves them.

Relative paths are resolved from the folder of the YAML file that names them
(``build.dockerfile_path`` from the build context); ``file:`` environment
references are followed. Every problem met while resolving (a missing file, a
path leaving the repository) is recorded as a LinkProblem for the rules to report.
"""

from __future__ import annotations

import ast
import json
import os
import posixpath
import re
import shlex
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from aml_lint.documents import Document, Kind, read_head, read_text
from aml_lint.documents.classify import (
    is_yaml_name,
    kind_from_name,
    kind_from_yaml,
    looks_like_azureml_yaml,
    looks_like_scoring_script,
)
from aml_lint.documents.conda import CondaEnv, read_conda
from aml_lint.documents.placeholders import is_placeholder
from aml_lint.documents.requirements import Declared
from aml_lint.documents.yaml_doc import Path_
from aml_lint.findings import Location, Severity
from aml_lint.ignored import excluded_from_upload, generated_by
from aml_lint.workspace import is_inside, relpath

ASSET_PREFIXES = ("azureml:", "azureml://", "http://", "https://", "wasbs://", "abfss://", "adl://")


def _is(path: Path, want: str = "file") -> bool:
    """``is_file`` / ``is_dir`` / ``exists`` that answer False for a path the OS refuses
    (a name over NAME_MAX, a NUL byte, a loop) instead of raising: paths come from PR text."""
    try:
        return path.is_file() if want == "file" else path.is_dir() if want == "dir" else path.exists()
    except (OSError, ValueError):
        return False


@dataclass(frozen=True, slots=True)
class Link:
    source: str  # repo-relative file that names the target
    target: str  # repo-relative file or folder
    role: str  # code | scoring_script | conda_file | build | dockerfile | model | environment | requirements | module
    key: Path_ = ()  # where in the source (YAML path); () for non-YAML sources
    location: Location = field(default_factory=Location)


@dataclass(frozen=True, slots=True)
class LinkProblem:
    source: str
    role: str
    value: str
    location: Location
    message: str
    severity: Severity = Severity.ERROR
    target: str | None = None  # repository-relative path it resolved to, when it is missing
    missing_folder: str | None = None  # the outermost missing folder holding ``target``, if any
    from_root: str | None = None  # what to write instead when the path was written from a folder above
    written_from: str | None = None  # that folder ("" for the repository root)


@dataclass
class EnvSpec:
    """An environment as a deployment or environment YAML defines it."""

    owner: Document
    base: Path_  # where the environment mapping sits in owner's YAML
    reference: str | None = None  # "azureml:..." when registered/curated: contents unknown
    reference_location: Location = field(default_factory=Location)
    image: str | None = None
    image_location: Location = field(default_factory=Location)
    conda: CondaEnv | None = None
    conda_doc: Document | None = None  # None when the conda spec is inline or absent
    dockerfile_doc: Document | None = None
    build_context: Path | None = None
    requirements_docs: list[Document] = field(default_factory=list)

    @property
    def visible(self) -> bool:
        """True when we can see what the environment installs."""
        return self.reference is None and (self.conda is not None or self.dockerfile_doc is not None)

    @property
    def label(self) -> str:
        if self.reference:
            return self.reference
        if self.conda_doc is not None:
            return self.conda_doc.rel
        if self.dockerfile_doc is not None:
            return self.dockerfile_doc.rel
        return self.owner.rel

    @property
    def files(self) -> list[Document]:
        docs = [d for d in (self.conda_doc, self.dockerfile_doc) if d is not None]
        return docs + self.requirements_docs

    def declared(self) -> list[Declared]:
        """Every package the environment installs by name: conda list, pip list, Dockerfile, requirements."""
        out: list[Declared] = []
        if self.conda is not None:
            for dep in self.conda.conda_deps:
                if dep.valid:
                    out.append(Declared(dep.name, dep.text, self.conda.path, dep.location, "conda",
                                        specifier=dep.version))
            out.extend(self.conda.pip_declared)
        if self.dockerfile_doc is not None and self.dockerfile_doc.dockerfile is not None:
            out.extend(self.dockerfile_doc.dockerfile.declared)
            for name, loc in self.dockerfile_doc.dockerfile.conda_installs():
                m = re.match(r"[A-Za-z0-9_.\-]+", name.split("::")[-1])
                if m:
                    out.append(Declared(m.group().lower(), name, self.dockerfile_doc.rel, loc, "conda"))
        for doc in self.requirements_docs:
            if doc.requirements is not None:
                out.extend(doc.requirements.declared)
        return out

    def python_version(self) -> tuple[str, str, Location] | None:
        """(version text, file, location) of the first ``python`` pin in the conda list."""
        if self.conda is None:
            return None
        for dep in self.conda.python:
            version = dep.version.lstrip("=<>!~ ").split(",")[0].strip()
            if version:
                return version, self.conda.path, dep.location
        return None


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
        self._linked_from: dict[str, list[Link]] = {}
        self._linked_to: dict[str, list[Link]] = {}
        self.sdk_sources: list[tuple[Path, str]] = []
        self._local_modules: dict[str, list[Document]] = {}  # Python files that call the AzureML SDK
        self._build_yaml: list[str] = []  # loaded YAML, not AzureML's, that may build a Dockerfile
        self.build_contexts: dict[str, list[Path]] = {}  # Dockerfile rel -> contexts its CI scripts use
        self.out_of_scope: dict[str, str] = {}  # Dockerfile rel -> why no rule checks it
        self._scripts: list[str] = []  # every script and CI pipeline (read only when a path is missing)
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
        self._scripts.extend(rel for rel in listing if _is_script(rel))

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
                doc = self._reclassify(doc, hint)
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
                        self._build_yaml.append(rel)  # a CI pipeline may build a Dockerfile
                    if may_build_image(text) or _is_script(rel):
                        self._script_texts[rel] = text  # read now: not read again for the scripts
                    return None  # unrelated YAML: not parsed, not reported on
                kind = Kind.OTHER_YAML
        doc = Document(path, rel, kind, text, problem)
        if kind is Kind.OTHER_YAML and text is not None:
            doc = self._reclassify(doc, kind_from_yaml(doc.data))
        self.documents[rel] = doc
        return doc

    def _reclassify(self, doc: Document, kind: Kind) -> Document:
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

    def _link(self, link: Link) -> None:
        self.links.append(link)
        self._linked_from.setdefault(link.source, []).append(link)
        self._linked_to.setdefault(link.target, []).append(link)

    def links_from(self, rel: str) -> list[Link]:
        return self._linked_from.get(rel, [])

    def links_to(self, rel: str) -> list[Link]:
        return self._linked_to.get(rel, [])

    def _problem(self, doc: Document, role: str, value: str, key: Path_, message: str,
                 severity: Severity = Severity.ERROR, **extra: str | None) -> None:
        loc = doc.yaml.loc(key) if doc.yaml else Location()
        problem = LinkProblem(doc.rel, role, value, loc, message, severity, **extra)
        if problem not in self._recorded:
            self._recorded.add(problem)
            self.problems.append(problem)

    def _resolve(self, doc: Document, base_dir: Path, value: object, key: Path_, role: str,
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
            found = target is not None and is_inside(target, self.root) and _is(target, want)
            self._problem(doc, role, text, key,
                          f"{role} '{text}' starts with the preview `file:` prefix, which the current CLI "
                          f"no longer strips here (it looks for a path named 'file:...'): drop the preview "
                          f"`file:` prefix and write '{stripped}'"
                          + ("" if found else f" (which does not exist either, from {base_name})"))
            return target if found else None
        what = {"dir": "folder", "file": "file"}.get(want, "path")
        if is_absolute_path(text):
            self._problem(doc, role, text, key,
                          f"{role} '{text}' is an absolute path: not portable (it exists on one machine "
                          f"only) and not checked; write it relative to {base_name}", Severity.WARNING)
            return None
        target = (base_dir / text).absolute()
        if not is_inside(target, self.root):
            self._problem(doc, role, text, key, f"{role} path '{text}' leads outside the repository")
            return None
        if _is(target, want):
            return target
        where = relpath(target, self.root)
        missing = f"{role} {what} '{text}' does not exist (resolved to '{where}' from {base_name})"
        # An ignore file that also covers the YAML itself is about something else (`mlops/` in an
        # .amlignore keeps a folder out of uploads): the YAML is committed, so it is not generated.
        ignore = generated_by(self, where, doc.rel, {"dir": True, "file": False}.get(want))
        excluded = excluded_from_upload(self, base_dir, text) if ignore is not None and uploaded else None
        if excluded is not None:
            self._problem(doc, role, text, key,
                          f"{missing}; {excluded} keeps it out of what AzureML uploads from {base_name}, so "
                          "even once an earlier step writes it, it is not there: write it elsewhere or "
                          f"stop {excluded} from excluding it", target=where)
            return None
        if ignore is not None:
            self._problem(doc, role, text, key,
                          f"{missing}; {ignore} ignores it, so an earlier step (training, a build "
                          "script) must produce it: make sure that step runs before this file is "
                          "used", Severity.WARNING, target=where, missing_folder=_missing_folder(target, self.root))
            return None
        producer = self._producer(PurePosixPath(where).name)
        if producer is not None:
            self._problem(doc, role, text, key,
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
            if is_inside(there, self.root) and _is(there, want):
                from_root = Path(os.path.relpath(there, base_dir)).as_posix()
                written_from = relpath(above, self.root) if above != self.root else ""
                at = " (from the repository root)" if above == self.root else ""
                kind = "file or folder" if want == "any" else what
                hint = f"; a {kind} exists at '{relpath(there, self.root)}'{at}: from here write '{from_root}'"
                break
        if not hint:
            near = near_miss(base_dir, text, want, self.root)
            if near is not None:
                hint = f"; did you mean '{near}'?"
        self._problem(doc, role, text, key, missing + hint, target=where,
                      missing_folder=_missing_folder(target, self.root), from_root=from_root,
                      written_from=written_from)
        return None

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
        for doc in list(self.documents.values()):
            if doc.kind.is_deployment and doc.yaml is not None and not doc.template_marker:
                self._deployment_links(doc)
            elif doc.kind is Kind.ENVIRONMENT and doc.yaml is not None and not doc.template_marker:
                env = self._environment(doc, doc, (), doc.path.parent)
                if env is not None:
                    self.environments.setdefault(doc.rel, []).append(env)

    def _deployment_links(self, doc: Document) -> None:
        data = doc.data
        assert isinstance(data, dict)
        folder = doc.path.parent
        script_doc: Document | None = None
        code = data.get("code_configuration")
        if isinstance(code, dict):
            code_dir = self._resolve(doc, folder, code.get("code"), ("code_configuration", "code"),
                                     "code_configuration.code", "dir")
            if code_dir is not None:
                self._link(Link(doc.rel, relpath(code_dir, self.root), "code", ("code_configuration", "code"),
                                doc.yaml.loc(("code_configuration", "code")) if doc.yaml else Location()))
                target = self._resolve(doc, code_dir, code.get("scoring_script"),
                                       ("code_configuration", "scoring_script"),
                                       "code_configuration.scoring_script", "file",
                                       f"the code folder '{relpath(code_dir, self.root)}'", uploaded=True)
                if target is not None:
                    script_doc = self.add(target, Kind.SCORING_SCRIPT)
                    if script_doc is not None:
                        self._link(Link(doc.rel, script_doc.rel, "scoring_script",
                                        ("code_configuration", "scoring_script")))
                        self.script_deployments.setdefault(script_doc.rel, []).append(doc)
        model = data.get("model")
        if isinstance(model, dict) and "path" in model:
            target = self._resolve(doc, folder, model.get("path"), ("model", "path"), "model.path", "any")
            if target is not None:
                self._link(Link(doc.rel, relpath(target, self.root), "model", ("model", "path")))
        env_value = data.get("environment")
        env: EnvSpec | None = None
        if isinstance(env_value, dict):
            env = self._environment(doc, doc, ("environment",), folder)
        elif isinstance(env_value, str):
            env = self._environment_ref(doc, env_value.strip(), folder)
        if env is not None:
            self.environments.setdefault(doc.rel, []).append(env)
            if script_doc is not None:
                self.script_envs.setdefault(script_doc.rel, []).append(env)

    def _environment_ref(self, doc: Document, value: str, folder: Path) -> EnvSpec | None:
        loc = doc.yaml.loc(("environment",)) if doc.yaml else Location()
        if value.startswith("file:"):
            target = self._resolve(doc, folder, value[5:], ("environment",), "environment", "file")
            if target is None:
                return None
            env_doc = self.add(target)
            if env_doc is not None and env_doc.kind is Kind.OTHER_YAML:
                env_doc = self._reclassify(env_doc, Kind.ENVIRONMENT)
            if env_doc is None or env_doc.yaml is None:
                return None
            self._link(Link(doc.rel, env_doc.rel, "environment", ("environment",), loc))
            if env_doc.kind is not Kind.ENVIRONMENT:
                return None
            return self._environment(env_doc, env_doc, (), target.parent)
        return EnvSpec(owner=doc, base=("environment",), reference=value, reference_location=loc)

    def _environment(self, owner: Document, doc: Document, base: Path_, folder: Path) -> EnvSpec | None:
        data = doc.yaml.get(base) if doc.yaml else None
        if not isinstance(data, dict):
            return None
        env = EnvSpec(owner=doc, base=base)
        if isinstance(data.get("image"), str):
            env.image = data["image"]
            env.image_location = doc.yaml.loc((*base, "image")) if doc.yaml else Location()
        conda_value = data.get("conda_file")
        if isinstance(conda_value, dict) and doc.yaml is not None:
            env.conda = read_conda(doc.yaml, doc.rel, (*base, "conda_file"))
        elif isinstance(conda_value, str):
            target = self._resolve(doc, folder, conda_value, (*base, "conda_file"), "conda_file", "file")
            if target is not None:
                conda_doc = self.add(target, Kind.CONDA)
                if conda_doc is not None:
                    self._link(Link(doc.rel, conda_doc.rel, "conda_file", (*base, "conda_file")))
                    env.conda_doc = conda_doc
                    env.conda = conda_doc.conda
        self._conda_includes(env)
        build = data.get("build")
        if isinstance(build, dict):
            context = self._resolve(doc, folder, build.get("path"), (*base, "build", "path"), "build.path", "dir")
            if context is not None:
                env.build_context = context
                self._link(Link(doc.rel, relpath(context, self.root), "build", (*base, "build", "path")))
                dockerfile_rel = build.get("dockerfile_path", "Dockerfile")
                target = self._resolve(doc, context, dockerfile_rel, (*base, "build", "dockerfile_path")
                                       if "dockerfile_path" in build else (*base, "build", "path"),
                                       "build.dockerfile_path", "file",
                                       f"the build context '{relpath(context, self.root)}'", uploaded=True)
                if target is not None:
                    env.dockerfile_doc = self.add(target, Kind.DOCKERFILE)
                    if env.dockerfile_doc is not None:
                        self._link(Link(doc.rel, env.dockerfile_doc.rel, "dockerfile", (*base, "build")))
                        self._dockerfile_requirements(env)
        return env

    def _dockerfile_requirements(self, env: EnvSpec) -> None:
        doc = env.dockerfile_doc
        if doc is None or doc.dockerfile is None or env.build_context is None:
            return
        copied = _copy_sources(doc)
        for line in doc.dockerfile.pip_installs():
            if not line.include:
                continue
            # `COPY requirements.txt /tmp/` then `pip install -r /tmp/requirements.txt`: match by name.
            name = Path(line.include).name
            source = copied.get(name, name)
            target = (env.build_context / source).absolute()
            if _is(target) and is_inside(target, self.root):
                req = self.add(target, Kind.REQUIREMENTS)
                if req is not None:
                    env.requirements_docs.append(req)
                    self._link(Link(doc.rel, req.rel, "requirements", (), line.location))
                    self._follow_includes(req, env)
        # `COPY conda.yml /tmp/` then `conda env create|update -f /tmp/conda.yml`.
        for file, location in doc.dockerfile.conda_env_files():
            if env.conda is not None:
                break
            name = Path(file).name
            target = (env.build_context / copied.get(name, name)).absolute()
            if _is(target) and is_inside(target, self.root):
                conda_doc = self.add(target, Kind.CONDA)
                if conda_doc is not None and conda_doc.kind is Kind.CONDA:
                    env.conda_doc, env.conda = conda_doc, conda_doc.conda
                    self._link(Link(doc.rel, conda_doc.rel, "conda_file", (), location))
                    self._conda_includes(env)

    def _conda_includes(self, env: EnvSpec) -> None:
        """``-r file`` lines in a conda pip list, resolved from the conda file's folder as conda does."""
        if env.conda is None:
            return
        folder = env.conda_doc.path.parent if env.conda_doc is not None else env.owner.path.parent
        for line in env.conda.pip_lines:
            if not line.include:
                continue
            target = (folder / line.include).absolute()
            if _is(target) and is_inside(target, self.root):
                req = self.add(target, Kind.REQUIREMENTS)
                if req is not None and req not in env.requirements_docs:
                    env.requirements_docs.append(req)
                    self._link(Link(env.conda.path, req.rel, "requirements", (), line.location))
                    self._follow_includes(req, env)

    def _follow_includes(self, req: Document, env: EnvSpec, depth: int = 0) -> None:
        if req.requirements is None or depth > 10:
            return
        for line in req.requirements.includes:
            target = (req.path.parent / str(line.include)).absolute()
            if _is(target) and is_inside(target, self.root):
                sub = self.add(target, Kind.REQUIREMENTS)
                if sub is not None and sub not in env.requirements_docs:
                    env.requirements_docs.append(sub)
                    self._link(Link(req.rel, sub.rel, "requirements", (), line.location))
                    self._follow_includes(sub, env, depth + 1)

    def follow_requirement_includes(self) -> None:
        """requirements files link to the files they ``-r`` include."""
        for doc in self.of_kind(Kind.REQUIREMENTS):
            if doc.requirements is None:
                continue
            for line in doc.requirements.includes:
                target = (doc.path.parent / str(line.include)).absolute()
                if _is(target) and is_inside(target, self.root):
                    sub = self.add(target, Kind.REQUIREMENTS)
                    if sub is not None:
                        self._link(Link(doc.rel, sub.rel, "requirements", (), line.location))

    def link_local_modules(self) -> None:
        """A scoring script's imports of modules in its own folder link to those modules."""
        for doc in self.of_kind(Kind.SCORING_SCRIPT):
            modules = self.local_modules(doc)
            for module in modules:
                self._link(Link(doc.rel, module.rel, "module"))
            # The rules parse them again, one unit at a time: holding every syntax tree from
            # here to there would set the run's peak memory.
            for unit_doc in (doc, *modules):
                unit_doc.release_tree()

    def local_modules(self, doc: Document) -> list[Document]:
        """The code folder's own modules that a script imports, directly or through one another.

        Imports resolve from the script's folder and from the code folders of the deployments that
        use it (the inference server puts the code folder on ``sys.path``).
        """
        if doc.rel in self._local_modules:
            return self._local_modules[doc.rel]
        roots = [doc.path.parent]
        for deployment in self.script_deployments.get(doc.rel, []):
            for link in self.links_from(deployment.rel):
                if link.role == "code":
                    folder = self.root / link.target
                    if folder not in roots:
                        roots.append(folder)
        if not any(_may_hold_modules(folder, doc.path) for folder in {doc.path.parent, *roots}):
            self._local_modules[doc.rel] = []  # nothing it could import: no need to parse it here
            return []
        found: list[Document] = []
        seen = {doc.rel}
        todo = [doc]
        while todo and len(found) < MAX_LOCAL_MODULES:
            current = todo.pop()
            script = current.script
            if script is None or not script.ok:
                continue
            # init() and run() are called, so the script's own imports all run; another module's
            # functions may never be, so only what it imports on loading drags modules in.
            deferred = _function_import_lines(script.tree) if current is not doc else set()
            for ref in script.imports:
                if ref.location.line in deferred:
                    continue
                for cand in _module_candidates(current.path.parent, ref.module, ref.level, ref.names, roots):
                    if not (_is(cand) and is_inside(cand, self.root)):
                        continue
                    module = self.add(cand, Kind.PYTHON)
                    if module is not None and module.rel not in seen:
                        seen.add(module.rel)
                        found.append(module)
                        todo.append(module)
        self._local_modules[doc.rel] = found
        return found

    def add_explicit_link(self, script: Path, environment: Path, source: str) -> None:
        """A ``links:`` entry of the config (or an SDK call found in Python code)."""
        script_doc = self.add(script, Kind.SCORING_SCRIPT)
        env_doc = self.add(environment)
        if script_doc is None or env_doc is None:
            return
        env: EnvSpec | None = None
        if env_doc.kind is Kind.ENVIRONMENT:
            envs = self.environments.get(env_doc.rel) or []
            env = envs[0] if envs else self._environment(env_doc, env_doc, (), env_doc.path.parent)
        elif env_doc.kind in (Kind.CONDA, Kind.OTHER_YAML):
            env_doc = self._reclassify(env_doc, Kind.CONDA)
            env = EnvSpec(owner=env_doc, base=(), conda=env_doc.conda, conda_doc=env_doc)
        elif env_doc.kind is Kind.REQUIREMENTS:
            env = EnvSpec(owner=env_doc, base=(), requirements_docs=[env_doc])
        elif env_doc.kind is Kind.DOCKERFILE:
            env = EnvSpec(owner=env_doc, base=(), dockerfile_doc=env_doc, build_context=env_doc.path.parent)
            self._dockerfile_requirements(env)
        if env is not None:
            self.script_envs.setdefault(script_doc.rel, []).append(env)
            self._link(Link(source, script_doc.rel, "scoring_script"))
            self._link(Link(source, env_doc.rel, "environment"))
            self._link(Link(script_doc.rel, env_doc.rel, "environment"))

    def link_sdk_usage(self) -> None:
        """Deployments written in Python: literal CodeConfiguration/Environment arguments."""
        for path, text in self.sdk_sources:
            try:
                with warnings.catch_warnings():  # no SyntaxWarning about PR code on stderr
                    warnings.simplefilter("ignore")
                    tree = ast.parse(text)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
            usage = find_sdk_usage(tree)
            if len(usage.scripts) != 1 or not usage.env_files:
                continue  # ambiguous pairing: leave it to an explicit `links:` entry
            code, script = usage.scripts[0]
            script_path = (path.parent / code / script).absolute()
            source = relpath(path, self.root)
            for env_file in usage.env_files:
                env_path = (path.parent / env_file).absolute()
                if (_is(script_path) and _is(env_path) and is_inside(script_path, self.root)
                        and is_inside(env_path, self.root)):
                    self.add_explicit_link(script_path, env_path, source)

    # -- Dockerfiles: which ones AzureML builds, and from which context -------------------------

    def settle_dockerfiles(self) -> None:
        """Drop the Dockerfiles no AzureML asset builds; note the build context CI scripts use.

        A Dockerfile is checked (by every rule on Dockerfiles) when an AzureML asset builds it
        (``build.path`` of an environment, deployment, job or component YAML, ``BuildContext(path=)``
        in SDK code, a ``links:`` entry naming it), when a CI script that also talks to AzureML (``az ml``, ``azureml``,
        ``azure.ai.ml``) builds it with ``docker build`` / ``az acr build``, or when it starts
        FROM an AzureML base image (``mcr.microsoft.com/azureml/...``). Anything else, a dev
        container's or a CI tool's image, is not an AzureML environment and is left alone: its
        base image, pins and COPY lines are its owners' business. Run after every link is made.

        The context of a Dockerfile an environment builds is the environment's ``build.path``; for
        the others it is the one ``docker build -f X CONTEXT`` / ``az acr build --file X CONTEXT``
        gives in the repository's scripts (``build_contexts``), else unknown.
        """
        built = {env.dockerfile_doc.rel for envs in (*self.environments.values(), *self.script_envs.values())
                 for env in envs if env.dockerfile_doc is not None}
        templated: list[str] = []  # folders of environments whose build.path a pipeline fills in
        for other in self.of_kind(Kind.OTHER_YAML, Kind.ENVIRONMENT):
            if other.text is not None and "build" in other.text:
                for build in _environment_builds(other.data if other.yaml is not None else None):
                    self._job_build(other, build, built, templated)
        for path, text in self.sdk_sources:  # SDK v2 `Environment(build=BuildContext(path=...))`
            for context, dockerfile in sdk_build_contexts(text):
                for base in (path.parent, self.root):
                    if self._built_from(relpath(path, self.root), (base / context).absolute(), dockerfile, built):
                        break
        dockerfiles = self.of_kind(Kind.DOCKERFILE)
        if all(doc.rel in built for doc in dockerfiles):
            return
        wanted = {doc.rel for doc in dockerfiles}
        for_azureml: set[str] = set()
        dev_containers: set[str] = set()
        for rel, text in self._build_script_texts():
            if rel.endswith("devcontainer.json"):
                dev_containers.update(dev_container_dockerfiles(rel, text))
                continue
            talks_to_azureml = _AZUREML_RE.search(text) is not None
            for dockerfile, context in docker_builds(text, rel, wanted):
                self._link(Link(rel, dockerfile, "build_script"))
                contexts = self.build_contexts.setdefault(dockerfile, [])
                if (self.root / context) not in contexts:
                    contexts.append(self.root / context)
                if talks_to_azureml:
                    for_azureml.add(dockerfile)
        for doc in dockerfiles:
            if doc.rel in built or doc.rel in for_azureml or doc.text is None:
                continue  # (unread: what it builds cannot be told, and its read problem is reported)
            if doc.rel in dev_containers or "/.devcontainer/" in f"/{doc.rel}":
                why = "a dev container's image"
            elif _from_azureml_image(doc) or any(doc.rel.startswith(folder) for folder in templated):
                continue
            else:
                why = "no AzureML environment builds it"
            self.out_of_scope[doc.rel] = why
            del self.documents[doc.rel]

    def _job_build(self, doc: Document, build: dict[str, object], built: set[str], templated: list[str]) -> None:
        """A job's or component's ``environment.build`` (and an environment's whose ``path`` is a
        placeholder): the Dockerfile it names is built by AzureML. Not reported on here: what a
        job names is not what aml-lint checks (AML101 looks at deployments and environments)."""
        path, dockerfile = build.get("path"), build.get("dockerfile_path", "Dockerfile")
        folder = doc.rel.rpartition("/")[0]
        if is_placeholder(path) or is_placeholder(dockerfile):
            templated.append(f"{folder}/" if folder else "")
            return
        if doc.kind is Kind.ENVIRONMENT or not isinstance(path, str) or not isinstance(dockerfile, str) \
                or path.startswith(ASSET_PREFIXES) or is_absolute_path(path):
            return
        self._built_from(doc.rel, (doc.path.parent / path).absolute(), dockerfile, built)

    def _built_from(self, source: str, context: Path, dockerfile: str, built: set[str]) -> bool:
        """``source`` builds ``context/dockerfile`` (when it exists): note it and its context."""
        target = (context / dockerfile).absolute()
        if not (is_inside(target, self.root) and _is(target)):
            return False
        dockerfile_doc = self.add(target, Kind.DOCKERFILE)  # loaded here when a --changed-files run left it out
        if dockerfile_doc is None or dockerfile_doc.kind is not Kind.DOCKERFILE:
            return False
        rel = dockerfile_doc.rel
        built.add(rel)
        self._link(Link(source, rel, "dockerfile"))
        contexts = self.build_contexts.setdefault(rel, [])
        if context not in contexts:
            contexts.append(context)
        return True

    def _build_script_texts(self) -> Iterator[tuple[str, str]]:
        """Scripts and pipelines that may build a Dockerfile: the loaded YAML that looks like it,
        then the scripts of the listing (note_scripts); each read once."""
        for rel in dict.fromkeys(self._build_yaml):
            text = self._script_text(rel)
            if text is not None:
                yield rel, text
        for rel in self._scripts:
            if rel in self._build_yaml:
                continue
            text = self._script_text(rel)
            if text is not None and (not is_yaml_name(rel) or "build" in text):
                yield rel, text

    def scripts(self) -> Iterator[tuple[str, str]]:
        """(file, text) of the repository's scripts and CI pipelines (note_scripts), each read
        once per run and shared by every question asked of them."""
        for rel in self._scripts:
            text = self._script_text(rel)
            if text is not None:
                yield rel, text

    def _script_text(self, rel: str) -> str | None:
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


MAX_LOCAL_MODULES = 500
MAX_SIBLINGS = 2000  # names compared for a near miss: a folder of generated files is not read whole


def is_absolute_path(text: str) -> bool:
    """POSIX ``/x``, Windows ``C:\\x`` / ``C:/x`` and UNC ``\\\\host\\x`` paths."""
    return text.startswith(("/", "\\\\")) or re.match(r"[A-Za-z]:[\\/]", text) is not None


def _missing_folder(target: Path, root: Path) -> str | None:
    """The outermost folder on the way to ``target`` that does not exist (None when its folder does)."""
    folder = target.parent
    if _is(folder, "dir"):
        return None
    while folder.parent != folder and not _is(folder.parent, "dir"):
        folder = folder.parent
    return relpath(folder, root)


def near_miss(base: Path, text: str, want: str, root: Path) -> str | None:
    """``text`` with each missing part replaced by a close name that exists in its folder
    (``conda.yaml`` for ``conda.yml``, ``src`` for ``scr``), when that leads to an existing path."""
    parts = text.replace("\\", "/").split("/")
    current, changed = base, False
    out: list[str] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part in ("", ".", ".."):
            current, out = current / part if part else current, [*out, part]
            continue
        kind = want if last else "dir"
        if _is(current / part, kind):
            current, out = current / part, [*out, part]
            continue
        try:
            with os.scandir(current) as entries:
                names = [e.name for _, e in zip(range(MAX_SIBLINGS), entries, strict=False)
                         if kind == "any" or (e.is_dir() if kind == "dir" else e.is_file())]
        except OSError:
            return None
        import difflib  # only for a path that is missing: not worth importing at every start

        lower = {n.lower(): n for n in names}
        match = lower.get(part.lower()) or next(iter(difflib.get_close_matches(part, names, n=1, cutoff=0.75)), None)
        if match is None:
            return None
        current, out, changed = current / match, [*out, match], True
    if changed and _is(current, want) and is_inside(current, root):
        return "/".join(out)
    return None


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


def _module_candidates(folder: Path, module: str, level: int, names: tuple[str, ...],
                       roots: list[Path]) -> list[Path]:
    """Files that ``import module`` / ``from module import names`` may load from the code folder."""
    parts = [p for p in module.split(".") if p]
    if level:
        base = folder
        for _ in range(level - 1):
            base = base.parent
        bases = [base]
    else:
        bases = roots
    out: list[Path] = []
    for base in bases:
        for i in range(1, len(parts) + 1):  # every package on the way is imported too
            out += [base.joinpath(*parts[:i]).with_suffix(".py"), base.joinpath(*parts[:i], "__init__.py")]
        for name in names:
            if name != "*":
                out.append(base.joinpath(*parts, f"{name}.py"))
    return out


def _function_import_lines(tree: ast.Module | None) -> set[int]:
    """Lines of the import statements inside functions (methods too): they run when called, not
    when the module is loaded."""
    lines: set[int] = set()
    if tree is None:
        return lines
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines.update(n.lineno for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom)))
    return lines


def _may_hold_modules(folder: Path, script: Path) -> bool:
    """A .py file (other than ``script``) or a subfolder in ``folder``: something an import could name."""
    try:
        with os.scandir(folder) as entries:
            return any(e.name != script.name and (e.name.endswith(".py") or e.is_dir()) for e in entries)
    except OSError:
        return True


def _copy_sources(doc: Document) -> dict[str, str]:
    """COPY/ADD sources by their base name (``COPY env/req.txt /tmp/``: 'req.txt' -> 'env/req.txt')."""
    out: dict[str, str] = {}
    if doc.dockerfile is None:
        return out
    for ins in doc.dockerfile.instructions:
        if ins.keyword in ("COPY", "ADD"):
            words = [w for w in ins.args.split() if not w.startswith("--")]
            for src in words[:-1]:
                out.setdefault(Path(src).name, src)
    return out


# -- scripts that build images -------------------------------------------------------------------

BUILD_SCRIPT_SUFFIXES = (".sh", ".bash", ".ps1", ".mk", "devcontainer.json")
BUILD_SCRIPT_NAMES = frozenset({"Makefile", "makefile", "GNUmakefile", "Justfile", "justfile"})
# Scripts that may deploy (`az ml ... --set`) besides those: Jenkins (Groovy, Jenkinsfile*),
# batch files, zsh and PowerShell modules.
DEPLOY_SCRIPT_SUFFIXES = (".groovy", ".gvy", ".jenkinsfile", ".zsh", ".cmd", ".bat", ".psm1")
_AZUREML_RE = re.compile(r"azureml|azure\.ai\.ml|\baz\s+ml\b", re.I)
_BUILD_RE = re.compile(r"\b(?:(?:docker|podman)(?:\s+buildx)?\s+build|buildah\s+bud|az\s+acr\s+build)\b")
# Options that take no value; every other option takes one (unless written --opt=value).
_FLAGS = frozenset({"--no-cache", "--pull", "-q", "--quiet", "--rm", "--force-rm", "--squash", "--load",
                    "--push", "--compress", "--no-logs", "--no-push", "--no-wait", "--no-format", "--debug",
                    "--verbose", "--only-show-errors", "--disable-content-trust"})
_TEMPLATED = ("$", "{{", "%", "<")
_CI_YAML_RE = re.compile(r"(?:^|/)(?:\.github/workflows|\.azure-pipelines|\.gitlab-ci)|pipeline", re.I)


def is_build_script(rel: str) -> bool:
    """Shell/PowerShell scripts, Makefiles and devcontainer.json: they may build a Dockerfile."""
    return rel.endswith(BUILD_SCRIPT_SUFFIXES) or rel.rpartition("/")[2] in BUILD_SCRIPT_NAMES


def may_build_image(text: str) -> bool:
    """Text that may run ``docker build`` / ``az acr build`` / ``podman build`` (a quick test)."""
    return "build" in text and ("docker" in text or "acr" in text or "podman" in text)


def _is_script(rel: str) -> bool:
    """A script or CI pipeline, by name (note_scripts): build scripts, Jenkins, batch files, CI YAML."""
    name = rel.rpartition("/")[2]
    return is_build_script(rel) or name.endswith(DEPLOY_SCRIPT_SUFFIXES) or name.startswith("Jenkinsfile") \
        or (is_yaml_name(rel) and _CI_YAML_RE.search(rel) is not None)
# Commands that make a file or folder appear: downloads, archives, copies, generators.
_PRODUCE_RE = re.compile(r"\b(?:wget|curl|tar|unzip|gunzip|7z|cp|mv|rsync|mkdir|ln|azcopy|gsutil|"
                         r"dvc\s+(?:pull|repro|checkout)|git\s+lfs\s+pull|az\s+ml\s+\w+\s+download|"
                         r"az\s+storage\s+blob\s+download(?:-batch)?|huggingface-cli\s+download|"
                         r"pip-compile|uv\s+(?:pip\s+compile|export)|poetry\s+export)\b")
# NAME=value (shell, export) and $NAME = "value" (PowerShell) with a plain value.
_ASSIGN_RE = re.compile(r"""^[ \t]*(?:export[ \t]+|\$)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(["']?)([^"'\s$`;|&]+)\2[ \t]*$""",
                        re.M)
_VAR_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def _environment_builds(data: object) -> Iterator[dict[str, object]]:
    """``build`` mappings of a job, component or environment YAML: at the top (an environment),
    under ``environment:`` (a command job or component), and under each of ``jobs:`` (a pipeline)."""
    if not isinstance(data, dict):
        return
    jobs = data.get("jobs")
    holders = [data, data.get("environment")]
    if isinstance(jobs, dict):
        holders += [job.get("environment") for job in jobs.values() if isinstance(job, dict)]
    for holder in holders:
        if isinstance(holder, dict) and isinstance(holder.get("build"), dict):
            yield holder["build"]


# A step's working directory, or a `cd` anywhere in the script: the build's context is relative
# to a folder this scan does not follow.
_MOVED_RE = re.compile(r"(?:working-directory|workingDirectory|working_directory)\s*:"
                       r"|(?:^|[;&|(]|\s)(?:cd|pushd|Set-Location)\s+\S", re.M)


def docker_builds(text: str, script: str, dockerfiles: set[str]) -> list[tuple[str, str]]:
    """(Dockerfile, context) pairs, repository-relative, that ``docker build`` / ``az acr build``
    commands of ``script`` build, among ``dockerfiles``.

    ``docker build -f X CTX`` reads X from the working folder, ``az acr build -f X CTX`` from
    CTX; the working folder is taken to be the repository root (where CI jobs start), else the
    script's own folder. Paths holding variables are skipped: their value is not known here.
    """
    out: list[tuple[str, str]] = []
    if "build" not in text and "bud" not in text or _BUILD_RE.search(text) is None:
        return out
    text = re.sub(r"\\\r?\n|`\r?\n", " ", text)  # shell and PowerShell line continuations
    variables = {m.group(1): m.group(3) for m in _ASSIGN_RE.finditer(text)}
    if _MOVED_RE.search(text):
        return out  # a context relative to a folder not followed is left out, not checked against a guess
    for line in text.splitlines():
        for m in _BUILD_RE.finditer(line):
            command = re.split(r"&&|\|\||;|\s\|\s|\s#", line[m.end():])[0]
            # BASE_PATH=endpoints/x ... -f $BASE_PATH/x.dockerfile: plain assignments of the same script.
            command = _VAR_RE.sub(lambda v: variables.get(v.group(1) or v.group(2), v.group()), command)
            try:
                words = shlex.split(command)
            except ValueError:
                words = command.split()
            file, context = _build_operands(words)
            if context is None or any(t in (file or "") + context for t in _TEMPLATED) or context == "-":
                continue
            acr = m.group().startswith("az")
            found = None
            for base in ("", script.rpartition("/")[0]):
                ctx = posixpath.normpath(posixpath.join(base, context))
                if file is None:
                    names = [posixpath.join(ctx, "Dockerfile")]
                else:  # az acr build also finds --file from the source folder
                    names = [posixpath.join(base, file)] + ([posixpath.join(ctx, file)] if acr else [])
                found = next(((posixpath.normpath(n), ctx) for n in names if posixpath.normpath(n) in dockerfiles
                              and not ctx.startswith("../")), None)
                if found is not None:
                    out.append((found[0], "" if ctx == "." else ctx))
                    break
    return out


def _build_operands(words: list[str]) -> tuple[str | None, str | None]:
    """(the -f/--file value, the first positional word) of a build command's arguments."""
    file: str | None = None
    context: str | None = None
    i = 0
    while i < len(words):
        word = words[i]
        if word.startswith("-") and word != "-":
            name, eq, value = word.partition("=")
            if not eq and name not in _FLAGS and i + 1 < len(words):
                value = words[i + 1]
                i += 1
            if name in ("-f", "--file"):
                file = value
        elif context is None:
            context = word
        i += 1
    return file, context


_SDK_BUILD_RE = re.compile(r"BuildContext\(([^()]*)\)")
_KWARG_RE = re.compile(r"""\b(path|dockerfile_path)\s*=\s*(["'])([^"'\n]+)\2""")


def sdk_build_contexts(text: str) -> list[tuple[str, str]]:
    """(context, Dockerfile) pairs of ``BuildContext(path="ctx", dockerfile_path="x")`` calls with
    literal arguments in Python code (SDK v2); the Dockerfile defaults to ``Dockerfile``."""
    out = []
    for m in _SDK_BUILD_RE.finditer(text):
        kwargs = {k.group(1): k.group(3) for k in _KWARG_RE.finditer(m.group(1))}
        if "path" in kwargs and not is_placeholder(kwargs["path"]) and "://" not in kwargs["path"]:
            out.append((kwargs["path"], kwargs.get("dockerfile_path", "Dockerfile")))
    return out


def dev_container_dockerfiles(rel: str, text: str) -> list[str]:
    """The Dockerfile a ``devcontainer.json`` builds (``build.dockerfile``, or the older ``dockerFile``)."""
    try:
        data = json.loads(re.sub(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', lambda m: m.group(1) or "", text,
                                 flags=re.S))
    except (ValueError, RecursionError):
        return []
    if not isinstance(data, dict):
        return []
    build = data.get("build")
    name = build.get("dockerfile") if isinstance(build, dict) else data.get("dockerFile")
    if not isinstance(name, str):
        return []
    return [posixpath.normpath(posixpath.join(rel.rpartition("/")[0], name))]


def _from_azureml_image(doc: Document) -> bool:
    if doc.dockerfile is None:
        return False
    # Every FROM line counts, an unused stage's too: it tells who the file is written for.
    return any(base.image.lower().startswith("mcr.microsoft.com/azureml/") for base in doc.dockerfile.bases)


# -- Python code that deploys (SDK v2 and v1 calls with literal arguments) ------------------------

SDK_CALL_NAMES = ("CodeConfiguration", "Environment", "InferenceConfig", "from_conda_specification",
                  "ManagedOnlineDeployment", "KubernetesOnlineDeployment", "BatchDeployment",
                  "ModelBatchDeployment")


@dataclass
class SdkUsage:
    scripts: list[tuple[str, str]] = field(default_factory=list)  # (code dir, script) literals
    env_files: list[str] = field(default_factory=list)  # conda/requirements/Dockerfile literals


def find_sdk_usage(tree: ast.Module) -> SdkUsage:
    usage = SdkUsage()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name not in SDK_CALL_NAMES:
            continue
        kwargs = {k.arg: k.value.value for k in node.keywords
                  if k.arg and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)}
        script = kwargs.get("scoring_script") or kwargs.get("entry_script")
        if script:
            code = kwargs.get("code") or kwargs.get("code_path") or kwargs.get("source_directory") or "."
            usage.scripts.append((code, script))
        for key in ("conda_file", "file_path", "pip_requirements_file"):
            if key in kwargs:
                usage.env_files.append(kwargs[key])
        if name == "from_conda_specification" and "file_path" not in kwargs and len(node.args) >= 2:
            arg = node.args[1]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                usage.env_files.append(arg.value)
    return usage
