"""Environments: what an environment YAML, a deployment's or a job's ``environment`` installs.

An EnvSpec gathers the conda file (inline or linked), the Dockerfile of ``build`` with its
context, and the requirements files both pull in (``-r`` lines, ``COPY`` + ``pip install -r``).
A reference (``azureml:name:version``, a registry URI) is kept as such: its contents are not
in the repository, unless it names a curated environment (or the environment is just a curated
or prebuilt inference image), whose contents aml-lint's table knows (knowledge/curated.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from aml_lint.documents import Document, Kind
from aml_lint.documents.conda import CondaEnv, read_conda
from aml_lint.documents.requirements import Declared
from aml_lint.documents.yaml_doc import Path_
from aml_lint.findings import Location
from aml_lint.graph.links import Link
from aml_lint.graph.paths import exists_as
from aml_lint.knowledge import curated
from aml_lint.workspace import is_inside, relpath

if TYPE_CHECKING:
    from aml_lint.graph.project import Project
    from aml_lint.knowledge.curated import CuratedLookup


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
    curated: CuratedLookup | None = None  # the table's answer when the reference or the lone image is curated

    @property
    def curated_contents(self) -> bool:
        """The environment is a curated one whose packages the table holds. A lone image whose
        table entry is partial (a prebuilt image, a framework base) is not: nothing else says
        what it installs, so its absences would be guesses."""
        c = self.curated
        return c is not None and c.visible and (self.reference is not None or c.complete)

    @property
    def curated_complete(self) -> bool:
        """Its packages are the whole Python environment (a fresh conda env, nothing from a base image)."""
        return self.curated_contents and self.curated is not None and self.curated.complete

    @property
    def visible(self) -> bool:
        """True when we can see what the environment installs."""
        if self.curated_contents:
            return True
        return self.reference is None and (self.conda is not None or self.dockerfile_doc is not None)

    @property
    def label(self) -> str:
        if self.reference:
            return self.reference
        if self.curated_contents and self.image:
            return self.image  # a lone curated image: the image is the environment
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
        if self.curated_contents and self.curated is not None:
            # Declared where the deployment or job names the environment.
            loc = self.reference_location if self.reference else self.image_location
            for p in self.curated.packages:
                extras = f"[{','.join(p.extras)}]" if p.extras else ""
                out.append(Declared(p.name, f"{p.name}{extras}{p.specifier}", self.owner.rel, loc, p.source,
                                    specifier=p.specifier, extras=p.extras))
            return out
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
        if self.curated_contents and self.curated is not None and self.curated.python:
            return (self.curated.python, self.owner.rel,
                    self.reference_location if self.reference else self.image_location)
        if self.conda is None:
            return None
        for dep in self.conda.python:
            version = dep.version.lstrip("=<>!~ ").split(",")[0].strip()
            if version:
                return version, self.conda.path, dep.location
        return None


def link_environment(project: Project, doc: Document) -> None:
    """An environment YAML: the environment it defines."""
    env = read_environment(project, doc, (), doc.path.parent)
    if env is not None:
        project.environments.setdefault(doc.rel, []).append(env)


def unit_environment(project: Project, doc: Document, value: object, key: Path_, folder: Path) -> EnvSpec | None:
    """The ``environment`` of a deployment or a job's command unit at ``key`` (inline, ``file:``,
    or a reference), recorded among the environments ``doc`` defines."""
    env: EnvSpec | None = None
    if isinstance(value, dict):
        env = read_environment(project, doc, key, folder)
    elif isinstance(value, str) and value.strip():
        env = environment_ref(project, doc, value.strip(), folder, key)
    if env is not None:
        project.environments.setdefault(doc.rel, []).append(env)
    return env


def environment_ref(project: Project, doc: Document, value: str, folder: Path,
                    key: Path_ = ("environment",)) -> EnvSpec | None:
    """``environment: file:env.yml`` (followed) or a reference (``azureml:...``, a registry URI)."""
    loc = doc.yaml.loc(key) if doc.yaml else Location()
    if value.startswith("file:"):
        target = project.resolve(doc, folder, value[5:], key, "environment", "file")
        if target is None:
            return None
        env_doc = project.add(target)
        if env_doc is not None and env_doc.kind is Kind.OTHER_YAML:
            env_doc = project.reclassify(env_doc, Kind.ENVIRONMENT)
        if env_doc is None or env_doc.yaml is None:
            return None
        project.link(Link(doc.rel, env_doc.rel, "environment", key, loc))
        if env_doc.kind is not Kind.ENVIRONMENT:
            return None
        return read_environment(project, env_doc, (), target.parent)
    return EnvSpec(owner=doc, base=key, reference=value, reference_location=loc,
                   curated=_curated(value))


def _curated(reference: str) -> CuratedLookup | None:
    return curated.lookup(reference)  # the table is read on the first curated reference


def read_environment(project: Project, doc: Document, base: Path_, folder: Path) -> EnvSpec | None:
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
        target = project.resolve(doc, folder, conda_value, (*base, "conda_file"), "conda_file", "file")
        if target is not None:
            conda_doc = project.add(target, Kind.CONDA)
            if conda_doc is not None:
                project.link(Link(doc.rel, conda_doc.rel, "conda_file", (*base, "conda_file")))
                env.conda_doc = conda_doc
                env.conda = conda_doc.conda
    conda_includes(project, env)
    build = data.get("build")
    if isinstance(build, dict):
        context = project.resolve(doc, folder, build.get("path"), (*base, "build", "path"), "build.path", "dir")
        if context is not None:
            env.build_context = context
            project.link(Link(doc.rel, relpath(context, project.root), "build", (*base, "build", "path")))
            dockerfile_rel = build.get("dockerfile_path", "Dockerfile")
            target = project.resolve(doc, context, dockerfile_rel, (*base, "build", "dockerfile_path")
                                   if "dockerfile_path" in build else (*base, "build", "path"),
                                   "build.dockerfile_path", "file",
                                   f"the build context '{relpath(context, project.root)}'", uploaded=True)
            if target is not None:
                env.dockerfile_doc = project.add(target, Kind.DOCKERFILE)
                if env.dockerfile_doc is not None:
                    project.link(Link(doc.rel, env.dockerfile_doc.rel, "dockerfile", (*base, "build")))
                    dockerfile_requirements(project, env)
    if env.image and env.conda is None and not isinstance(build, dict):
        # An image alone runs what the image holds (with a conda file, AzureML builds a new env).
        env.curated = _curated(env.image)
    return env


def dockerfile_requirements(project: Project, env: EnvSpec) -> None:
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
        if exists_as(target) and is_inside(target, project.root):
            req = project.add(target, Kind.REQUIREMENTS)
            if req is not None:
                env.requirements_docs.append(req)
                project.link(Link(doc.rel, req.rel, "requirements", (), line.location))
                follow_includes(project, req, env)
    # `COPY conda.yml /tmp/` then `conda env create|update -f /tmp/conda.yml`.
    for file, location in doc.dockerfile.conda_env_files():
        if env.conda is not None:
            break
        name = Path(file).name
        target = (env.build_context / copied.get(name, name)).absolute()
        if exists_as(target) and is_inside(target, project.root):
            conda_doc = project.add(target, Kind.CONDA)
            if conda_doc is not None and conda_doc.kind is Kind.CONDA:
                env.conda_doc, env.conda = conda_doc, conda_doc.conda
                project.link(Link(doc.rel, conda_doc.rel, "conda_file", (), location))
                conda_includes(project, env)


def conda_includes(project: Project, env: EnvSpec) -> None:
    """``-r file`` lines in a conda pip list, resolved from the conda file's folder as conda does."""
    if env.conda is None:
        return
    folder = env.conda_doc.path.parent if env.conda_doc is not None else env.owner.path.parent
    for line in env.conda.pip_lines:
        if not line.include:
            continue
        target = (folder / line.include).absolute()
        if exists_as(target) and is_inside(target, project.root):
            req = project.add(target, Kind.REQUIREMENTS)
            if req is not None and req not in env.requirements_docs:
                env.requirements_docs.append(req)
                project.link(Link(env.conda.path, req.rel, "requirements", (), line.location))
                follow_includes(project, req, env)


def follow_includes(project: Project, req: Document, env: EnvSpec, depth: int = 0) -> None:
    if req.requirements is None or depth > 10:
        return
    for line in req.requirements.includes:
        target = (req.path.parent / str(line.include)).absolute()
        if exists_as(target) and is_inside(target, project.root):
            sub = project.add(target, Kind.REQUIREMENTS)
            if sub is not None and sub not in env.requirements_docs:
                env.requirements_docs.append(sub)
                project.link(Link(req.rel, sub.rel, "requirements", (), line.location))
                follow_includes(project, sub, env, depth + 1)


def follow_requirement_includes(project: Project) -> None:
    """requirements files link to the files they ``-r`` include."""
    for doc in project.of_kind(Kind.REQUIREMENTS):
        if doc.requirements is None:
            continue
        for line in doc.requirements.includes:
            target = (doc.path.parent / str(line.include)).absolute()
            if exists_as(target) and is_inside(target, project.root):
                sub = project.add(target, Kind.REQUIREMENTS)
                if sub is not None:
                    project.link(Link(doc.rel, sub.rel, "requirements", (), line.location))


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
