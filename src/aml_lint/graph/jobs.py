"""Jobs and components: their code folder, environment, component files and entry scripts.

A command job, a command component, a sweep job's ``trial``, and each step of a pipeline job
(an inline ``command`` step, or a ``component:`` that is a file) is one *command unit*: a
``code`` folder (relative to the YAML's folder; ``azureml:``, git and URLs are not local), an
``environment`` (inline, ``file:``, ``azureml:name:version`` / ``@latest``, a registry URI:
read the way a deployment's is, so the EnvSpec is the same), and a ``command:`` whose Python
entry (``python train.py``, ``python -m pkg.train``, ``torchrun ... train.py``) runs from the code
folder inside that environment. The entry script joins the project as an ENTRY_SCRIPT (a file
that is also a scoring script stays one), linked from the unit's YAML with role
``entry_script``; ``script_envs`` gets the unit's environment and ``script_jobs`` the YAML.

A command whose entry cannot be told (a shell script, a variable or placeholder in the path) is
skipped quietly: ``project.commands`` keeps every parse, for measurement. A ``python x.py`` whose
file is missing from the code folder is a LinkProblem: the CLI uploads the code and the job
fails at start ("can't open file") after its image is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from aml_lint.documents import Document, Kind
from aml_lint.documents.command import ParsedCommand, parse_command
from aml_lint.documents.placeholders import is_placeholder
from aml_lint.documents.yaml_doc import Path_
from aml_lint.findings import Location, Severity
from aml_lint.graph.environments import unit_environment
from aml_lint.graph.links import Link
from aml_lint.graph.paths import ASSET_PREFIXES, exists_as, is_absolute_path
from aml_lint.workspace import is_inside, relpath

if TYPE_CHECKING:
    from aml_lint.graph.project import Project

# Commands before the entry that may make its file appear: then a missing script is a warning.
_PRODUCERS = frozenset({"wget", "curl", "tar", "unzip", "gunzip", "7z", "cp", "mv", "rsync", "ln", "git",
                        "azcopy", "gsutil", "dvc", "az", "huggingface-cli", "touch"})


def link_command_unit_doc(project: Project, doc: Document) -> None:
    """A command job or a command component: the whole file is one unit."""
    data = doc.data
    if isinstance(data, dict):
        command_unit(project, doc, (), data)


def link_sweep(project: Project, doc: Document) -> None:
    """A sweep job: its ``trial`` (inline, or a component file)."""
    data = doc.data
    if isinstance(data, dict):
        _trial(project, doc, (), data.get("trial"))


def link_pipeline(project: Project, doc: Document) -> None:
    """A pipeline job: every step under ``jobs:``."""
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("jobs"), dict):
        return
    for name, step in data["jobs"].items():
        if not isinstance(step, dict):
            continue
        key: Path_ = ("jobs", name)
        kind = step.get("type", "command")
        component = step.get("component")
        if kind == "sweep":
            _trial(project, doc, key, step.get("trial"))
        elif kind == "pipeline" and isinstance(component, str):
            pipeline_component(project, doc, (*key, "component"), component)
        elif kind != "command":
            continue  # pipeline, parallel, spark ... steps: not command units
        elif isinstance(component, str):
            component_file(project, doc, (*key, "component"), component)
        elif isinstance(component, dict):  # an inline component definition
            command_unit(project, doc, (*key, "component"), component)
        elif component is None:
            command_unit(project, doc, key, step)


def _trial(project: Project, doc: Document, base: Path_, trial: object) -> None:
    if isinstance(trial, dict):
        command_unit(project, doc, (*base, "trial"), trial)
    elif isinstance(trial, str):
        component_file(project, doc, (*base, "trial"), trial)


def component_file(project: Project, doc: Document, key: Path_, value: str) -> None:
    """``component: file:train.yml`` (or ``component: ./train.yml``): the component file, linked
    and linked in turn. ``azureml:`` names and registry URIs are not in the repository; a bare
    word that is no file (``train:1``) is a registered component's name, not a missing path."""
    component = _component_doc(project, doc, key, value)
    if component is None:
        return
    data = component.data
    if component.kind in (Kind.OTHER_YAML, Kind.COMMAND_JOB) and isinstance(data, dict) \
            and "$schema" not in data and data.get("type", "command") == "command":
        # The pipeline says what it is: a command component (its shape alone may read as a job).
        old = component
        component = project.reclassify(component, Kind.COMMAND_COMPONENT)
        for jobs in project.script_jobs.values():
            jobs[:] = [component if job is old else job for job in jobs]
    project.link(Link(doc.rel, component.rel, "component", key, _loc(doc, key)))
    project.link_document(component)


def pipeline_component(project: Project, doc: Document, key: Path_, value: str) -> None:
    """A ``type: pipeline`` step's component file: its own steps are followed like a pipeline
    job's (its command components, inline steps and their entry scripts), once."""
    component = _component_doc(project, doc, key, value)
    if component is None or component.yaml is None or component.template_marker:
        return
    project.link(Link(doc.rel, component.rel, "component", key, _loc(doc, key)))
    if project.claim(component.rel):
        link_pipeline(project, component)


def _component_doc(project: Project, doc: Document, key: Path_, value: str) -> Document | None:
    """The component file a step or trial names, added to the project; None when it is remote,
    a registered name, or missing (then a problem is recorded)."""
    text = value.strip()
    if not text or text.startswith(ASSET_PREFIXES) or is_placeholder(text):
        return None
    folder = doc.path.parent
    prefixed = text.startswith("file:")
    path_text = text[5:] if prefixed else text
    if is_absolute_path(path_text):
        return None
    target = (folder / path_text).absolute()
    if not prefixed and not (exists_as(target) and is_inside(target, project.root)) \
            and not path_text.lower().endswith((".yml", ".yaml")):
        return None  # a registered component's name (ArmVersionedStr): nothing local
    if not (exists_as(target) and is_inside(target, project.root)):
        elsewhere = _elsewhere(project, path_text)
        if elsewhere is not None:
            project.problem(doc, "component", text, key,
                            f"component file '{path_text}' does not exist beside {doc.rel}, but "
                            f"'{elsewhere}' does: if a script assembles this pipeline's folder before "
                            "submitting it, fine; otherwise correct the path", Severity.WARNING,
                            target=relpath(target, project.root))
            return None
    found = project.resolve(doc, folder, path_text, key, "component", "file")
    return None if found is None else project.add(found)


def _elsewhere(project: Project, written: str) -> str | None:
    """The same relative path one or two folders below the repository root (``packages/step/
    component.yaml`` for ``./step/component.yaml``): a script may copy the pipeline beside it."""
    parts = [p for p in written.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    if not parts:
        return None
    for pattern in ("*", "*/*"):
        for match in sorted(project.root.glob(f"{pattern}/{'/'.join(parts)}"))[:1]:
            if match.is_file():
                return relpath(match, project.root)
    return None


def command_unit(project: Project, doc: Document, base: Path_, data: dict[str, Any]) -> None:
    """One unit's code folder, environment and entry scripts."""
    folder = doc.path.parent
    code_dir = _code(project, doc, base, data.get("code"))
    env = unit_environment(project, doc, data.get("environment"), (*base, "environment"), folder)
    command = data.get("command")
    if not isinstance(command, str):
        return
    parsed = parse_command(command)
    project.commands.append((doc.rel, (*base, "command"), parsed))
    if code_dir is None:
        return  # no local code: the entry is in the image or in a remote asset
    for script in entry_scripts(project, doc, base, code_dir, parsed):
        project.link(Link(doc.rel, script.rel, "entry_script", (*base, "command"), _loc(doc, (*base, "command"))))
        jobs = project.script_jobs.setdefault(script.rel, [])
        if doc not in jobs:
            jobs.append(doc)
        roots = project.code_roots.setdefault(script.rel, [])
        if code_dir not in roots:
            roots.append(code_dir)
        if env is not None:
            project.script_envs.setdefault(script.rel, []).append(env)


def _code(project: Project, doc: Document, base: Path_, value: object) -> Path | None:
    """The local code folder (or file) of a unit, linked; None when it is remote or missing."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.startswith(("git+", "git@")) or "://" in text:
        return None
    key = (*base, "code")
    target = project.resolve(doc, doc.path.parent, text, key, "code", "any")
    if target is None:
        return None
    project.link(Link(doc.rel, relpath(target, project.root), "code", key, _loc(doc, key)))
    return target if exists_as(target, "dir") else target.parent


def entry_scripts(project: Project, doc: Document, base: Path_, code_dir: Path,
                  parsed: ParsedCommand) -> list[Document]:
    """The files of the code folder the command runs; a ``python x.py`` whose file is missing is
    recorded as a problem (a ``-m`` module that is not in the code folder is an installed one)."""
    out: list[Document] = []
    key = (*base, "command")
    for entry in parsed.entries:
        if any(c == ".." or c.startswith("../") for c in entry.candidates()):
            if entry.script is not None:  # (a module that far away is not looked for: may be installed)
                where = relpath(code_dir, project.root)
                project.problem(doc, "entry script", entry.written, key,
                                f"entry script '{entry.written}' lies outside the code folder '{where}': "
                                "AzureML uploads only the code folder and runs the command there, so the "
                                "job will not find it unless the image holds it at that path; move it into "
                                "the code folder (or make `code` a folder that holds both)", Severity.WARNING)
            continue
        found = None
        for candidate in entry.candidates():
            path = (code_dir / candidate).absolute()
            if is_inside(path, project.root) and exists_as(path):
                found = path
                break
        if found is None:
            if entry.script is not None:
                _missing(project, doc, key, code_dir, entry.script, parsed)
            continue
        script = project.add(found, Kind.ENTRY_SCRIPT)
        if script is not None and script.kind in (Kind.ENTRY_SCRIPT, Kind.SCORING_SCRIPT) and script not in out:
            out.append(script)
    return out


def _missing(project: Project, doc: Document, key: Path_, code_dir: Path, script: str,
             parsed: ParsedCommand) -> None:
    where = f"the code folder '{relpath(code_dir, project.root)}'"
    makers = [words for words in parsed.before if words and words[0].rpartition("/")[2] in _PRODUCERS]
    first = script.split("/", 1)[0]
    if any(first in word for words in makers for word in words[1:]):
        return  # `git clone .../apex && cd apex && python setup.py`: made by that command
    maker = makers[0][0].rpartition("/")[2] if makers else None
    if maker is None:
        # Recorded with the hints of any missing path (ignored, produced by a script, near miss).
        project.resolve(doc, code_dir, script, key, "entry script", "file", where, uploaded=True)
        return
    target = (code_dir / script).absolute()
    if not is_inside(target, project.root):
        return
    project.problem(doc, "entry script", script, key,
                    f"entry script file '{script}' does not exist in {where}; the command runs "
                    f"'{maker}' before it, which may create it: make sure it does", Severity.WARNING,
                    target=relpath(target, project.root))


def _loc(doc: Document, key: Path_) -> Location:
    return doc.yaml.loc(key) if doc.yaml else Location()
