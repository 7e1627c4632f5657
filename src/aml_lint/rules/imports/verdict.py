"""Shared analysis of the import rules (AML5xx): what each import of a scoring script or a job's
entry script gets from each environment the script runs in. Not a rule itself (no ID).

For one script and one visible environment, every absolute import is judged once:
stdlib (for the environment's Python), local (a module in the code folder), provided directly
by a declared package, provided by the inference server's runtime shim, provided only
transitively (through the Requires-Dist closure, or the exact set when --resolve ran), a
removed stdlib module, missing, or unknown (a bare namespace such as `import azure`). The rules
turn the verdicts into findings; the analysis is cached per project so it runs once.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from aml_lint.documents import Document, Kind
from aml_lint.documents.python_script import ImportRef
from aml_lint.documents.requirements import Declared, PipLine
from aml_lint.knowledge import deps
from aml_lint.knowledge.deps import Closure, PythonVersion
from aml_lint.rules.environment import common as env_common

if TYPE_CHECKING:
    from aml_lint.graph import EnvSpec, Project
    from aml_lint.resolve import Resolution
    from aml_lint.rules.base import Context

STDLIB = "stdlib"
LOCAL = "local"
DIRECT = "direct"
SHIM = "shim"
TRANSITIVE = "transitive"
REMOVED = "removed"
MISSING = "missing"
UNKNOWN = "unknown"

# Conda packages that are the toolchain itself, not something a script imports.
_NOT_PACKAGES = frozenset({"python"})
# What conda's `pip` package has long depended on: most conda environments that install pip hold
# them too, but not every build of pip brings them, so an import of them is neither given nor missing.
_CONDA_PIP_BRINGS = frozenset({"setuptools", "wheel"})
_IMAGE_PY = re.compile(r"py(?:thon)?-?(3)\.?(\d{1,2})(?!\d)", re.IGNORECASE)


@dataclass(frozen=True)
class Role:
    """How messages name a script and what runs it: serving and training differ."""

    script: str  # "scoring script" / "entry script"
    env: str  # "the environment" / "the job's environment"
    runner: str  # "deployment" / "job"


SCORING = Role("scoring script", "the environment", "deployment")
ENTRY = Role("entry script", "the job's environment", "job")


def role_of(doc: Document) -> Role:
    return ENTRY if doc.kind is Kind.ENTRY_SCRIPT else SCORING


def jobs_for_script(doc: Document, ctx: Context) -> list[Document]:
    """The jobs and components whose command runs this entry script."""
    project = ctx.project
    found: list[Document] = list(project.script_jobs.get(doc.rel, []))
    for link in project.links_to(doc.rel):
        source = project.documents.get(link.source)
        if source is not None and source.kind.is_job and source not in found:
            found.append(source)
    return found


def installs_at_start(doc: Document, ctx: Context) -> str | None:
    """What a job running this entry script does that aml-lint cannot see into: a package install
    in the command that runs the script (`pip install -r requirements.txt && python train.py`),
    or a PYTHONPATH the job sets (modules from elsewhere in the code folder). None for scoring
    scripts."""
    if doc.kind is not Kind.ENTRY_SCRIPT:
        return None
    from aml_lint.rules.job._bindings import commands
    from aml_lint.rules.script.runtime_install import command_line_install

    texts: list[str] = []
    for link in ctx.project.links_to(doc.rel):
        source = ctx.project.documents.get(link.source)
        command = source.yaml.get(link.key) if source is not None and source.yaml is not None else None
        if link.role == "entry_script" and isinstance(command, str):
            texts.append(command)  # the very command that runs the script (one step of a pipeline)
    for job in jobs_for_script(doc, ctx):
        if job.text is not None and "PYTHONPATH" in job.text:
            return "PYTHONPATH"
        if not texts:
            texts.extend(c.text for c in commands(job))
    for text in texts:
        found = command_line_install(text)
        if found:
            return found
    return None


@dataclass
class EnvView:
    """One visible environment, reduced to what the import rules need."""

    spec: EnvSpec
    label: str  # the file to edit (conda file, requirements file, Dockerfile or the YAML)
    python: PythonVersion | None
    python_source: str  # "conda", "image" or "" (unknown)
    direct: dict[str, Declared] = field(default_factory=dict)  # PyPI name -> where declared
    closure: Closure = field(default_factory=lambda: Closure(frozenset()))
    resolution: Resolution | None = None
    has_conda: bool = False
    has_pip_list: bool = False  # the conda spec has a `pip:` list
    # Lines installing what aml-lint cannot see into (a local path, a URL): what they bring is unknown.
    opaque: tuple[PipLine, ...] = ()
    # An install the job's own command runs before the entry script ('pip install ...'): same.
    command_install: str | None = None

    @property
    def available(self) -> frozenset[str]:
        """Everything the environment is expected to install."""
        if self.resolution is not None and self.resolution.ok:
            return frozenset(self.resolution.installed) | frozenset(self.direct)
        return self.closure.dists

    def chain(self, dist: str) -> list[str]:
        return self.closure.chain(dist) if dist in self.closure else [dist]

    def via_conda(self, dist: str) -> bool:
        """`dist` is installed (directly or through dependencies) by a conda package."""
        root = self.direct.get(self.chain(dist)[0])
        return root is not None and root.source == "conda"

    def where_to_add(self, dist: str | None = None) -> str:
        """Where to declare a package, in a message that already named the environment file.

        Where it comes from today decides: a package conda brings is declared in the conda
        list; otherwise the pip list, and a conda spec without one gets either.
        """
        if self.spec.curated_contents:
            return "an environment of your own built from it (a curated environment cannot be changed)"
        if not self.has_conda:
            return "it"
        if dist is not None and dist in self.closure and self.via_conda(dist):
            return "its conda dependencies"
        if self.has_pip_list:
            return "its pip list"
        return "its dependencies (as a conda package, or in a pip: list)"


@dataclass(frozen=True)
class Verdict:
    ref: ImportRef
    status: str
    env: EnvView
    providers: tuple[str, ...] = ()  # distributions that provide the import (direct or transitive)
    suggestion: str | None = None  # distribution to declare
    guessed: bool = False  # suggestion comes from the name, not from data
    removed_in: PythonVersion | None = None
    needs: tuple[str, ...] = ()  # distributions a submodule additionally needs (extras)
    path: str | None = None  # a local module the script imports; None: the script itself


# --------------------------------------------------------------------------- environments


def python_of(spec: EnvSpec) -> tuple[PythonVersion | None, str]:
    """The environment's Python: an exact conda pin, else the image name's pyXY, else unknown.

    A range (`python>=3.8`) says nothing about the minor conda will pick: unknown, not 3.8.
    A curated environment's Python is the table's (knowledge/curated.json).
    """
    if spec.curated_contents and spec.curated is not None and spec.curated.python:
        return deps.parse_python_pin(spec.curated.python), "curated"
    if spec.conda is not None and spec.conda.python:
        for dep in spec.conda.python:
            py = deps.parse_python_pin(dep.version)
            if py is not None:
                return py, "conda"
        if any(d.version.strip() for d in spec.conda.python):
            return None, ""
    if spec.image:
        m = _IMAGE_PY.search(spec.image.rsplit("/", 1)[-1])
        if m:
            return (3, int(m.group(2))), "image"
    return None, ""


def declared_pypi(spec: EnvSpec) -> dict[str, Declared]:
    """Declared packages on the PyPI namespace (conda names mapped), first declaration wins."""
    out: dict[str, Declared] = {}
    for dec in spec.declared():
        if dec.source == "conda":
            if dec.name in _NOT_PACKAGES:
                continue
            names = deps.conda_to_pypi(dec.name)
        else:
            names = [deps.normalize(dec.name)]
        for name in names:
            out.setdefault(name, dec)
    return out


def pip_requirements(spec: EnvSpec) -> list[str]:
    """The environment as requirements.txt lines (for --resolve): pip lines plus Python conda packages."""
    lines: list[str] = []
    known = deps.known_pypi_names()
    for dec in spec.declared():
        if dec.source == "conda":
            if dec.name in _NOT_PACKAGES or dec.name == "pip":  # pip is there to do the installing
                continue
            for name in deps.conda_to_pypi(dec.name):
                # conda-only packages (mkl, cudatoolkit, git...) are not pip's to resolve
                if name in known:
                    lines.append(name + conda_specifier(dec.specifier))
        else:
            extras = f"[{','.join(dec.extras)}]" if dec.extras else ""
            lines.append(f"{dec.name}{extras}{dec.specifier}")
    return list(dict.fromkeys(lines))


def conda_specifier(version: str) -> str:
    """Conda match-spec version -> PEP 440 text ('=1.21' and '1.21' -> '==1.21.*'); "" for any
    version and for constraints PEP 440 cannot write ('1.2|1.3'): see env_common.conda_specifier."""
    spec = env_common.conda_specifier(version)
    return str(spec) if spec is not None else ""


def opaque_lines(spec: EnvSpec) -> list[tuple[PipLine, str]]:
    """(line, file) of the pip lines that install a local path or a URL, in every file of the env."""
    found: list[tuple[PipLine, str]] = []
    if spec.conda is not None:
        found += [(line, spec.conda.path) for line in spec.conda.pip_lines]
    for doc in spec.requirements_docs:
        if doc.requirements is not None:
            found += [(line, doc.rel) for line in doc.requirements.lines]
    if spec.dockerfile_doc is not None and spec.dockerfile_doc.dockerfile is not None:
        found += [(line, spec.dockerfile_doc.rel) for line in spec.dockerfile_doc.dockerfile.pip_installs()]
    return [(line, path) for line, path in found if line.opaque]


def _seen_into(line: PipLine) -> bool:
    """A URL whose package aml-lint knows by name ('numpy @ https://.../numpy-2.0.whl'):
    its dependencies are known, so it hides nothing."""
    name = line.requirement.name if line.requirement is not None else line.egg
    return name is not None and not line.local and deps.known_dependencies(name)


def env_view(spec: EnvSpec, ctx: Context | None = None) -> EnvView:
    python, source = python_of(spec)
    direct = declared_pypi(spec)
    opaque = []
    for line, path in opaque_lines(spec):
        if line.egg and line.requirement is None:  # git+https://...#egg=name: installed by that name
            direct.setdefault(line.egg, Declared(line.egg, line.display, path, line.location, "pip"))
        if not _seen_into(line):
            opaque.append(line)
    roots = [d.name + (f"[{','.join(d.extras)}]" if d.extras else "") if d.source != "conda" else name
             for name, d in direct.items()]
    view = EnvView(spec=spec, label=spec.label, python=python, python_source=source, direct=direct,
                   # cached per declared set and Python: one walk per distinct environment
                   closure=deps.closure(roots, python),
                   # a curated env whose table entry is the whole environment counts as a conda spec
                   has_conda=spec.conda is not None or spec.curated_complete,
                   has_pip_list=spec.conda is not None and spec.conda.pip_list_location is not None,
                   opaque=tuple(opaque))
    if ctx is not None and getattr(ctx.settings, "resolve", False) and python is not None \
            and not spec.curated_contents:  # a published curated image: its table entry is what it holds
        view.resolution = resolved(spec, python, ctx)
    installed = spec.curated.installed if spec.curated_contents and spec.curated is not None else None
    if installed is not None and python is not None:
        from aml_lint.resolve import Resolution

        # The curated version's whole installed set, resolved when the table was built.
        view.resolution = Resolution(True, python, "curated", 0.0, installed=dict(installed))
    return view


_RESOLVED: weakref.WeakKeyDictionary[Project, dict[tuple[tuple[str, ...], PythonVersion], Resolution | None]] = (
    weakref.WeakKeyDictionary())


def resolved(spec: EnvSpec, python: PythonVersion, ctx: Context) -> Resolution | None:
    """--resolve: the environment's pip requirements resolved for real (once per run and env)."""
    from aml_lint import resolve

    reqs = tuple(pip_requirements(spec))
    if not reqs:
        return None
    index, extra = index_options(spec)
    key = (reqs + tuple(f"--index {u}" for u in (index or "", *extra)), python)
    done = _RESOLVED.setdefault(ctx.project, {})
    if key not in done:
        done[key] = resolve.resolve(list(reqs), python, index_url=index, extra_index_urls=extra)
    return done[key]


def index_options(spec: EnvSpec) -> tuple[str | None, list[str]]:
    """--index-url / --extra-index-url written in the environment's pip list or requirements."""
    lines = list(spec.conda.pip_lines) if spec.conda is not None else []
    for doc in spec.requirements_docs:
        if doc.requirements is not None:
            lines.extend(doc.requirements.lines)
    index: str | None = None
    extra: list[str] = []
    for line in lines:
        m = re.match(r"^(-i|--index-url|--extra-index-url)(?:\s+|=)(\S+)", line.text.strip())
        if not m:
            continue
        if m.group(1) == "--extra-index-url":
            extra.append(m.group(2))
        else:
            index = m.group(2)
    return index, extra


# --------------------------------------------------------------------------- imports


def _local_roots(doc: Document, ctx: Context) -> list[Path]:
    """Folders whose modules a script can import: its own folder up to its code folder (a job's
    `python -m pkg.train` runs from the code folder, which is then on the path)."""
    codes: list[Path] = list(ctx.project.code_roots.get(doc.rel, []))  # a job's code folders
    for runner in ctx.deployments_for_script(doc.rel):
        codes += [ctx.project.root / link.target for link in ctx.project.links_from(runner.rel) if link.role == "code"]
    roots = [doc.path.parent]
    for code in codes:
        code = code.absolute()
        here = doc.path.parent.absolute()
        while here != code and code in here.parents:
            here = here.parent
            roots.append(here)
        roots.append(code)
    return list(dict.fromkeys(roots))


def _included_names(doc: Document, ctx: Context) -> set[str]:
    """Top-level names a component's `additional_includes` copy into its code folder at submit time
    (`- ../common_src` makes `import common_src` work); a .zip include is unpacked into the folder."""
    names: set[str] = set()
    for job in ctx.project.script_jobs.get(doc.rel, []):
        includes = job.yaml.get(("additional_includes",)) if job.yaml is not None else None
        for item in includes if isinstance(includes, list) else []:
            if not isinstance(item, str) or not item.strip():
                continue
            path = (job.path.parent / item.strip()).resolve() if not Path(item.strip()).is_absolute() else None
            if path is None:
                continue
            if path.suffix == ".zip":
                try:
                    import zipfile

                    with zipfile.ZipFile(path) as archive:  # only the member names are read
                        names.update(n.split("/")[0].removesuffix(".py") for n in archive.namelist())
                except (OSError, zipfile.BadZipFile):
                    pass
                continue
            names.add(path.name.removesuffix(".py"))
    return names


def is_local(top: str, roots: list[Path]) -> bool:
    try:
        return any((r / f"{top}.py").is_file() or (r / top).is_dir() for r in roots)
    except (OSError, ValueError):  # a name the OS refuses (over NAME_MAX): no such module here
        return False


def judge(ref: ImportRef, env: EnvView, roots: list[Path],
          local: dict[str, bool] | None = None) -> Verdict | None:
    """The verdict for one import in one environment (None for relative imports).

    `local` remembers is_local() per top-level name across the environments of one script.
    """
    if ref.level or not ref.module:
        return None
    module = ref.module
    top = module.split(".")[0]
    if local is None:
        local = {}
    if top not in local:
        local[top] = is_local(top, roots)
    if local[top]:
        return Verdict(ref, LOCAL, env)
    available = env.available
    if deps.is_stdlib(top, env.python) or (env.python is None and deps.is_stdlib(top)):
        return Verdict(ref, STDLIB, env)
    if env.python is not None and deps.is_removed_stdlib(top, env.python):
        backports = deps.backports(top)
        have = [b for b in backports if b in available]
        if have:
            return Verdict(ref, DIRECT if have[0] in env.direct else TRANSITIVE, env, tuple(have))
        if env.command_install:
            return Verdict(ref, UNKNOWN, env)  # the job's own install may bring the backport
        return Verdict(ref, REMOVED, env, suggestion=backports[0] if backports else None,
                       removed_in=deps.stdlib_removed_in(top))
    cands = deps.import_candidates(module)
    needs = tuple(d for d in cands.requires if d not in available)
    direct = deps.providers(module, env.direct)
    if direct:
        status = SHIM if direct[0] in cands.shims and direct[0] not in cands.dists else DIRECT
        return Verdict(ref, status, env, tuple(direct), needs=needs)
    indirect = deps.providers(module, available)
    if indirect:
        status = SHIM if indirect[0] in cands.shims and indirect[0] not in cands.dists else TRANSITIVE
        return Verdict(ref, status, env, tuple(indirect), needs=needs)
    if cands.namespace or not cands.dists or not env.has_conda or env.opaque or env.command_install:
        # A bare namespace cannot be attributed; a Dockerfile-built image may hold anything its
        # base image installed, and a local package or URL (`-e .`, `git+https://...`) anything
        # it depends on or contains: none of which we can see.
        return Verdict(ref, UNKNOWN, env, suggestion=cands.dists[0] if cands.dists else None)
    pip = env.direct.get("pip")
    if cands.dists[0] in _CONDA_PIP_BRINGS and pip is not None and pip.source == "conda":
        return Verdict(ref, UNKNOWN, env, suggestion=cands.dists[0])  # `import pkg_resources`
    resolved_set = env.resolution is not None and env.resolution.ok
    if not resolved_set and _family_member(cands.dists[0], env):
        return Verdict(ref, UNKNOWN, env, suggestion=cands.dists[0])
    if resolved_set and cands.heuristic and any(d.startswith(deps.normalize(top) + "-") for d in available):
        # A module the data does not list, under a namespace an installed distribution shares
        # (azureml.exceptions, azureml._common: azureml-core ships them): not attributable.
        return Verdict(ref, UNKNOWN, env, suggestion=cands.dists[0])
    # A name is guessed when the data holds no distribution of that name (not for numpy).
    guessed = cands.heuristic and cands.dists[0] not in deps.known_pypi_names()
    return Verdict(ref, MISSING, env, suggestion=cands.dists[0], guessed=guessed, needs=needs)


def _family_member(dist: str, env: EnvView) -> bool:
    """`dist` extends the name of a declared package whose dependencies the data does not know
    (azure-keyvault-secrets beside azure-keyvault): most likely that package's own part, which
    a metapackage brings; what it brings is unknown, so the import is not called missing."""
    return any(dist.startswith(f"{name}-") for name in env.closure.unknown if name in env.direct)


@dataclass
class ScriptAnalysis:
    doc: Document
    envs: list[EnvView]
    verdicts: list[Verdict]
    invisible: int = 0  # environments we cannot see (registered/curated)


_CACHE: weakref.WeakKeyDictionary[Project, dict[str, ScriptAnalysis]] = weakref.WeakKeyDictionary()


def analyze(doc: Document, ctx: Context) -> ScriptAnalysis:
    per_project = _CACHE.setdefault(ctx.project, {})
    if doc.rel in per_project:
        return per_project[doc.rel]
    envs: list[EnvView] = []
    invisible = 0
    seen: set[tuple[str, PythonVersion | None]] = set()
    command_install = installs_at_start(doc, ctx)
    for spec in ctx.envs_for_script(doc.rel):
        if not spec.visible:
            invisible += 1
            continue
        view = env_view(spec, ctx)
        view.command_install = command_install
        if (view.label, view.python) in seen:
            continue  # one conda file used by two deployments: judge it once
        seen.add((view.label, view.python))
        envs.append(view)
    roots = _local_roots(doc, ctx)
    verdicts: list[Verdict] = []
    # The script, then the modules of its code folder that it imports (they run in the same env).
    sources: list[tuple[Document, str | None]] = [(doc, None)]
    for link in ctx.project.links_from(doc.rel):
        module = ctx.project.documents.get(link.target)
        if link.role == "module" and module is not None:
            sources.append((module, module.rel))
    local: dict[str, bool] = dict.fromkeys(_included_names(doc, ctx), True)  # the same for every source and env
    for source, path in sources:
        script = source.script
        if script is None or not script.ok:
            continue
        for env in envs:
            for ref in script.imports:
                if ref.fallback:
                    continue  # runs only if the import it stands in for failed: that one is judged
                v = judge(ref, env, roots, local)
                if v is not None:
                    verdicts.append(replace(v, path=path) if path else v)
    result = ScriptAnalysis(doc, envs, verdicts, invisible)
    per_project[doc.rel] = result
    return result
