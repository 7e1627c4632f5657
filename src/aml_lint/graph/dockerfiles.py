"""Dockerfiles: which ones an AzureML asset builds, from which context, and the scripts
(shell, Makefiles, CI pipelines, dev containers) that build images."""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from aml_lint.documents import JOB_KINDS, Document, Kind
from aml_lint.documents.classify import is_yaml_name
from aml_lint.documents.placeholders import is_placeholder
from aml_lint.graph.links import Link
from aml_lint.graph.paths import ASSET_PREFIXES, exists_as, is_absolute_path
from aml_lint.workspace import is_inside, relpath

if TYPE_CHECKING:
    from aml_lint.graph.project import Project


def settle_dockerfiles(project: Project) -> None:
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
    built = {env.dockerfile_doc.rel for envs in (*project.environments.values(), *project.script_envs.values())
             for env in envs if env.dockerfile_doc is not None}
    templated: list[str] = []  # folders of environments whose build.path a pipeline fills in
    for other in project.of_kind(Kind.OTHER_YAML, Kind.ENVIRONMENT, *JOB_KINDS):
        if other.text is not None and "build" in other.text:
            for build in _environment_builds(other.data if other.yaml is not None else None):
                job_build(project, other, build, built, templated)
    for path, text in project.sdk_sources:  # SDK v2 `Environment(build=BuildContext(path=...))`
        for context, dockerfile in sdk_build_contexts(text):
            for base in (path.parent, project.root):
                if built_from(project, relpath(path, project.root), (base / context).absolute(), dockerfile, built):
                    break
    dockerfiles = project.of_kind(Kind.DOCKERFILE)
    if all(doc.rel in built for doc in dockerfiles):
        return
    wanted = {doc.rel for doc in dockerfiles}
    for_azureml: set[str] = set()
    dev_containers: set[str] = set()
    for rel, text in build_script_texts(project, ):
        if rel.endswith("devcontainer.json"):
            dev_containers.update(dev_container_dockerfiles(rel, text))
            continue
        talks_to_azureml = _AZUREML_RE.search(text) is not None
        for dockerfile, context in docker_builds(text, rel, wanted):
            project.link(Link(rel, dockerfile, "build_script"))
            contexts = project.build_contexts.setdefault(dockerfile, [])
            if (project.root / context) not in contexts:
                contexts.append(project.root / context)
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
        project.out_of_scope[doc.rel] = why
        del project.documents[doc.rel]


def job_build(project: Project, doc: Document, build: dict[str, object], built: set[str], templated: list[str]) -> None:
    """An ``environment.build`` of YAML that is not linked as a job (a job kind of aml-lint's own
    links it, and reports its problems, in graph.jobs), and an environment's whose ``path`` is a
    placeholder: the Dockerfile it names is built by AzureML. Not reported on here."""
    path, dockerfile = build.get("path"), build.get("dockerfile_path", "Dockerfile")
    folder = doc.rel.rpartition("/")[0]
    if is_placeholder(path) or is_placeholder(dockerfile):
        templated.append(f"{folder}/" if folder else "")
        return
    if doc.kind is Kind.ENVIRONMENT or project.linked(doc.rel) or not isinstance(path, str) or not isinstance(dockerfile, str) \
            or path.startswith(ASSET_PREFIXES) or is_absolute_path(path):
        return
    built_from(project, doc.rel, (doc.path.parent / path).absolute(), dockerfile, built)


def built_from(project: Project, source: str, context: Path, dockerfile: str, built: set[str]) -> bool:
    """``source`` builds ``context/dockerfile`` (when it exists): note it and its context."""
    target = (context / dockerfile).absolute()
    if not (is_inside(target, project.root) and exists_as(target)):
        return False
    dockerfile_doc = project.add(target, Kind.DOCKERFILE)  # loaded here when a --changed-files run left it out
    if dockerfile_doc is None or dockerfile_doc.kind is not Kind.DOCKERFILE:
        return False
    rel = dockerfile_doc.rel
    built.add(rel)
    project.link(Link(source, rel, "dockerfile"))
    contexts = project.build_contexts.setdefault(rel, [])
    if context not in contexts:
        contexts.append(context)
    return True


def build_script_texts(project: Project) -> Iterator[tuple[str, str]]:
    """Scripts and pipelines that may build a Dockerfile: the loaded YAML that looks like it,
    then the scripts of the listing (note_scripts); each read once."""
    for rel in dict.fromkeys(project.build_yaml):
        text = project.script_text(rel)
        if text is not None:
            yield rel, text
    for rel in project.listed_scripts:
        if rel in project.build_yaml:
            continue
        text = project.script_text(rel)
        if text is not None and (not is_yaml_name(rel) or "build" in text):
            yield rel, text


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


def is_script(rel: str) -> bool:
    """A script or CI pipeline, by name (note_scripts): build scripts, Jenkins, batch files, CI YAML."""
    name = rel.rpartition("/")[2]
    return is_build_script(rel) or name.endswith(DEPLOY_SCRIPT_SUFFIXES) or name.startswith("Jenkinsfile") \
        or (is_yaml_name(rel) and _CI_YAML_RE.search(rel) is not None)


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
