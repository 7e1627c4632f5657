"""Python files: a script's local modules, SDK calls that deploy, and explicit ``links:``."""

from __future__ import annotations

import ast
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from aml_lint.documents import SCRIPT_KINDS, Document, Kind
from aml_lint.graph.environments import EnvSpec, dockerfile_requirements, read_environment
from aml_lint.graph.links import Link
from aml_lint.graph.paths import exists_as
from aml_lint.workspace import is_inside, relpath

if TYPE_CHECKING:
    from aml_lint.graph.project import Project


MAX_LOCAL_MODULES = 500


def link_local_modules(project: Project) -> None:
    """A scoring or entry script's imports of modules of its code folder link to those modules."""
    for doc in project.of_kind(*SCRIPT_KINDS):
        modules = local_modules(project, doc)
        for module in modules:
            project.link(Link(doc.rel, module.rel, "module"))
        # The rules parse them again, one unit at a time: holding every syntax tree from
        # here to there would set the run's peak memory.
        for unit_doc in (doc, *modules):
            unit_doc.release_tree()


def local_modules(project: Project, doc: Document) -> list[Document]:
    """The code folder's own modules that a script imports, directly or through one another.

    Imports resolve from the script's folder and from the code folders of the deployments that
    use it (the inference server puts the code folder on ``sys.path``) or of the jobs that run it
    (their working folder: ``python -m pkg.train`` imports from there).
    """
    if doc.rel in project.module_cache:
        return project.module_cache[doc.rel]
    roots = [doc.path.parent]
    for deployment in project.script_deployments.get(doc.rel, []):
        for link in project.links_from(deployment.rel):
            if link.role == "code":
                folder = project.root / link.target
                if folder not in roots:
                    roots.append(folder)
    roots += [folder for folder in project.code_roots.get(doc.rel, []) if folder not in roots]
    if not any(_may_hold_modules(folder, doc.path) for folder in {doc.path.parent, *roots}):
        project.module_cache[doc.rel] = []  # nothing it could import: no need to parse it here
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
                if not (exists_as(cand) and is_inside(cand, project.root)):
                    continue
                module = project.add(cand, Kind.PYTHON)
                if module is not None and module.rel not in seen:
                    seen.add(module.rel)
                    found.append(module)
                    todo.append(module)
    project.module_cache[doc.rel] = found
    return found


def add_explicit_link(project: Project, script: Path, environment: Path, source: str) -> None:
    """A ``links:`` entry of the config (or an SDK call found in Python code)."""
    script_doc = project.add(script, Kind.SCORING_SCRIPT)
    env_doc = project.add(environment)
    if script_doc is None or env_doc is None:
        return
    env: EnvSpec | None = None
    if env_doc.kind is Kind.ENVIRONMENT:
        envs = project.environments.get(env_doc.rel) or []
        env = envs[0] if envs else read_environment(project, env_doc, (), env_doc.path.parent)
    elif env_doc.kind in (Kind.CONDA, Kind.OTHER_YAML):
        env_doc = project.reclassify(env_doc, Kind.CONDA)
        env = EnvSpec(owner=env_doc, base=(), conda=env_doc.conda, conda_doc=env_doc)
    elif env_doc.kind is Kind.REQUIREMENTS:
        env = EnvSpec(owner=env_doc, base=(), requirements_docs=[env_doc])
    elif env_doc.kind is Kind.DOCKERFILE:
        env = EnvSpec(owner=env_doc, base=(), dockerfile_doc=env_doc, build_context=env_doc.path.parent)
        dockerfile_requirements(project, env)
    if env is not None:
        project.script_envs.setdefault(script_doc.rel, []).append(env)
        project.link(Link(source, script_doc.rel, "scoring_script"))
        project.link(Link(source, env_doc.rel, "environment"))
        project.link(Link(script_doc.rel, env_doc.rel, "environment"))


def link_sdk_usage(project: Project) -> None:
    """Deployments written in Python: literal CodeConfiguration/Environment arguments."""
    for path, text in project.sdk_sources:
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
        source = relpath(path, project.root)
        for env_file in usage.env_files:
            env_path = (path.parent / env_file).absolute()
            if (exists_as(script_path) and exists_as(env_path) and is_inside(script_path, project.root)
                    and is_inside(env_path, project.root)):
                add_explicit_link(project, script_path, env_path, source)


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
    when the module is loaded. One pass over the tree (a walk per function walked nested code again)."""
    lines: set[int] = set()
    if tree is None:
        return lines
    todo: list[tuple[ast.AST, bool]] = [(node, False) for node in tree.body]
    while todo:
        node, inside = todo.pop()
        if inside and isinstance(node, (ast.Import, ast.ImportFrom)):
            lines.add(node.lineno)
            continue
        if isinstance(node, ast.expr):
            continue  # no statement, so no import, below an expression (lambdas hold none)
        inside = inside or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        todo.extend((child, inside) for child in ast.iter_child_nodes(node))
    return lines


def _may_hold_modules(folder: Path, script: Path) -> bool:
    """A .py file (other than ``script``) or a subfolder in ``folder``: something an import could name."""
    try:
        with os.scandir(folder) as entries:
            return any(e.name != script.name and (e.name.endswith(".py") or e.is_dir()) for e in entries)
    except OSError:
        return True


# -- Python code that deploys (SDK v2 and v1 calls with literal arguments) ------------------------


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
