"""A scoring script, an entry script or a job's command that installs packages while it runs.

What it finds: `pip install` (also `pip3`, `python -m pip`, `sys.executable -m pip`,
`uv pip`), `conda`/`mamba`/`micromamba install` (also `create`, `update`, `env update`), and
`apt-get`/`apt`/`yum install` run through `os.system`, `os.popen`, `subprocess.run`/`call`/
`check_call`/`check_output`/`Popen` (string or list form, with or without `shell=True`, also
f-strings and concatenations whose literal parts show the command), `pip.main([...])` and
pip's internal installer (`pip._internal`'s `main`, `InstallCommand`), in a scoring script, in
a job's entry script, and in the local modules they import; and the same commands in the
`command:` of a command job, sweep trial, inline pipeline step or command component
(`pip install lightgbm && python train.py`). Other commands (`nvidia-smi`) are fine.

Why it matters: AzureML builds the image before the container starts and expects every
package to be in it. At run time a deployment's container runs as a non-root user, the
workspace may block outbound traffic (`egress_public_network_access: disabled`, a managed
network that allows only approved outbound traffic), and every replica (or every job run and
node) reinstalls on each start, so the install fails ("Permission denied", "Could not find a
version that satisfies the requirement"), slows every cold start past the readiness probe, or
installs a different version than the one you tested.

Severity: an error where the deployment that runs the script sets
`egress_public_network_access: disabled` and the install is certain to run and fail: a plain
`pip install` at module level or directly in `init()` (not under an `if`, `try`, loop or `with`),
through a runner that raises (`subprocess.check_call`, `check_output`, `run(..., check=True)`),
for packages no environment of the script installs (for one already there pip needs no index).
There the install cannot reach any package index and the container fails at start. With egress
disabled but any of that not shown (a registered environment, a guarded install, `os.system`),
a warning that says so. A warning elsewhere: where the endpoint can reach PyPI, pip falls
back to a user install and the deployment starts (Microsoft even documents run-time installs
through `AZUREML_EXTRA_REQUIREMENTS_TXT` for prototyping), so it is likely to fail or drift, not
certain to. For a job (its entry script or its command) it is always a warning: whether the
workspace lets the job reach a package index is set on the workspace (its managed network's
isolation mode and outbound rules), which no job YAML shows, so aml-lint cannot tell a job that
will fail from one that works; the message says which workspaces refuse the install.

Fails:
    import subprocess, sys

    def init():
        subprocess.check_call([sys.executable, "-m", "pip", "install", "lightgbm"])

Fixed:
    import subprocess, sys

    def init():
        pass
    # env/conda.yml
    dependencies:
      - python=3.11
      - pip
      - pip:
          - azureml-inference-server-http==1.5.1
          - lightgbm

Passes:
    # conda.yml of the deployment's environment
    dependencies:
      - python=3.11
      - pip
      - pip:
          - lightgbm==4.5.0

Fix: declare the package in the environment (conda file, requirements file or Dockerfile)
and remove the install call from the script (or from the job's `command:`). `--unsafe-fixes` does both, across the two files:
the statement is removed (`pass` in its place when it was alone in its block) and the packages
it named are added, as written in the command, to the pip list of the deployment's (or job's)
environment (or to the requirements file its pip list includes); packages the environment declares already
are not added twice. Unsafe: the image changes and the packages are no longer installed at start,
which a reviewer must accept. Offered only for a `pip install` in the script itself whose
words are all known, whose options are only quiet/upgrade/cache ones, whose packages are plain
requirements (no `-r`, index, URL or path), that is a statement of its own, and whose script
runs in exactly one environment aml-lint can edit (not a Dockerfile or a registered one).
"""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from aml_lint.documents import JOB_KINDS, SCRIPT_KINDS, Document, Kind
from aml_lint.documents.python_script import node_location
from aml_lint.findings import Location, Severity
from aml_lint.fix import Fix
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.environment.common import pypi_name
from aml_lint.rules.fix_helpers import add_to_environment, containing_body, remove_statement
from aml_lint.rules.script import tree as sa

ID = "AML302"
NAME = "runtime-package-install"
SEVERITY = "warning"
FIX = "unsafe"
KINDS = (Kind.SCORING_SCRIPT, Kind.ENTRY_SCRIPT, Kind.PYTHON, *sorted(JOB_KINDS, key=lambda k: k.value))

# Functions that run a command (a shell string or a list of words).
RUNNERS = {
    "os.system", "os.popen", "os.spawnlp", "os.spawnvp", "os.execvp", "os.execlp",
    "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
    "subprocess.Popen", "subprocess.getoutput", "subprocess.getstatusoutput",
    "asyncio.create_subprocess_shell", "asyncio.create_subprocess_exec",
    "commands.getoutput", "sh.pip",
}
_EXEC_STYLE = {"os.spawnlp", "os.spawnvp", "os.execvp", "os.execlp", "asyncio.create_subprocess_exec"}
_SEPARATORS = {"&&", "||", ";", "|", "&", "\n", "(", ")"}
_PIP_RE = re.compile(r"^pip(\d+(\.\d+)?)?$")
_PY_RE = re.compile(r"^(python|py)(\d+(\.\d+)?)?(\.exe)?$")
_CONDA = {"conda", "mamba", "micromamba"}
_SYSTEM = {"apt-get", "apt", "yum", "dnf", "apk", "zypper", "tdnf", "microdnf"}
_INSTALL_WORDS = {"install", "add"}
_WRAPPERS = {"sudo", "env", "exec", "nohup", "sh", "bash", "zsh", "cmd", "cmd.exe", "powershell", "pwsh"}
_MAX_MODULE_DEPTH = 5
_PIP_INSTALL_API = {"main", "install_given_reqs", "install_wheel", "install"}


@dataclass(frozen=True)
class Install:
    what: str  # 'pip install', 'conda install', ...
    location: Location
    words: tuple[str, ...] = ()  # the command's words, for a runner call (the fix reads them)
    node: ast.AST | None = field(default=None, compare=False)  # the call


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    if doc.kind.is_job:
        yield from _job_commands(doc)
        return
    script = doc.script
    assert script is not None and script.tree is not None
    if doc.kind in SCRIPT_KINDS:
        related = _env_files(ctx, [doc.rel])
        isolated = _isolated_deployment(ctx, [doc.rel])
        where = f"the {_noun(doc.kind)} {_name(doc.rel)}"
        for found in installs(script.tree):
            yield _hit(found, where, isolated, related, _fix(doc, ctx, found), job=doc.kind is Kind.ENTRY_SCRIPT,
                       certain=isolated is not None and _certain(found, script.tree, [doc.rel], ctx, "init"))
        return
    importers = _importers(doc, ctx)
    if not importers:
        return
    kinds = {ctx.project.documents[rel].kind for rel in importers if rel in ctx.project.documents}
    noun = _noun(kinds.pop()) if len(kinds) == 1 else "script"
    shown = _name(importers[0]) + (f" and {len(importers) - 1} other {noun}(s)" if len(importers) > 1 else "")
    related = tuple(importers) + _env_files(ctx, importers)
    isolated = _isolated_deployment(ctx, importers)
    for found in installs(script.tree):
        yield _hit(found, f"{_name(doc.rel)}, a module imported by the {noun} {shown},", isolated, related,
                   job=noun == "entry script",
                   certain=isolated is not None and _certain(found, script.tree, importers, ctx, None))


def _noun(kind: Kind) -> str:
    return "entry script" if kind is Kind.ENTRY_SCRIPT else "scoring script"


def command_line_install(command: str) -> str | None:
    """'pip install', 'conda install' ... when a job's command line installs packages."""
    return install_in(_split(command))


def _job_commands(doc: Document) -> Iterator[Hit]:
    """An install in the job's own `command:` (`pip install lightgbm && python train.py`)."""
    from aml_lint.rules.job._bindings import commands, location_in

    for command in commands(doc):
        found = command_line_install(command.text)
        if not found:
            continue
        token = found if found in command.text else found.split()[0]
        yield Hit(f"the command of {command.what} runs '{found}' before the script: {_JOB_RISK}: declare the "
                  "package in the job's environment (conda file, requirements or Dockerfile) instead",
                  location_in(doc, command.path, token))


# Why a run-time install is risky in a job (training runs as root, so permissions are not the issue).
_JOB_RISK = ("a workspace whose managed network allows only approved outbound traffic (or that has no outbound "
             "access) refuses it and the job fails, and elsewhere it reinstalls on every run and node, whatever "
             "release is newest that day")


def _isolated_deployment(ctx: Context, scripts: list[str]) -> str | None:
    """A deployment running one of these scripts with outbound traffic disabled, if any."""
    for rel in scripts:
        for deployment in ctx.deployments_for_script(rel):
            data = deployment.data
            egress = data.get("egress_public_network_access") if isinstance(data, dict) else None
            if isinstance(egress, str) and egress.strip().lower() == "disabled":
                return deployment.rel
    return None


def _hit(found: Install, where: str, isolated: str | None, related: tuple[str, ...],
         fix: Fix | None = None, job: bool = False, certain: bool = False) -> Hit:
    if job:
        return Hit(f"{where} runs '{found.what}' at run time: {_JOB_RISK}: declare the package in the job's "
                   "environment (conda file, requirements or Dockerfile) instead", found.location,
                   related=related, fix=fix)
    if isolated is None:
        return Hit(_message(found, where), found.location, related=related, fix=fix)
    if not certain:
        return Hit(f"{where} runs '{found.what}' at run time, but {isolated} sets "
                   "'egress_public_network_access: disabled', so the install cannot reach a package index "
                   "and fails whenever it runs for a package the image lacks: declare the package in the "
                   "deployment's environment instead", found.location, related=related, fix=fix)
    # Certain to fail: it runs at every start, raises, and needs the network it has no route to.
    return Hit(f"{where} runs '{found.what}' at run time, but {isolated} sets "
               "'egress_public_network_access: disabled', so the install cannot reach a package index "
               "and the container fails at start: declare the package in the deployment's environment "
               "instead", found.location, related=related, severity=Severity.ERROR, fix=fix)


# Runners that raise when the command fails (subprocess.run only with check=True).
_RAISING = {"subprocess.check_call", "subprocess.check_output"}
# Statements and expressions under which a call may not run at every start (or may not raise:
# `with contextlib.suppress(...)`).
_CONDITIONAL = (ast.ClassDef, ast.If, ast.Try, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.IfExp,
                ast.BoolOp, ast.Lambda, ast.comprehension, *((ast.TryStar,) if hasattr(ast, "TryStar") else ()))


def _certain(found: Install, tree: ast.Module, scripts: list[str], ctx: Context, start: str | None) -> bool:
    """The install fails the container for sure: a plain `pip install` run at every start (at module
    level, or directly in the module-level function `start`), by a runner that raises, for packages
    no environment of the scripts installs (pip needs no index for one already there)."""
    call, packages = found.node, _pip_packages(found.words)
    if not isinstance(call, ast.Call) or packages is None:
        return False
    name = sa.call_name(call, sa.aliases(tree))
    if name not in _RAISING and not (name == "subprocess.run" and any(
            k.arg == "check" and isinstance(k.value, ast.Constant) and k.value.value is True
            for k in call.keywords)):
        return False
    ix = sa.index(tree)
    for above in ix.ancestors(call):
        if isinstance(above, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if above.name != start or ix.parent(above) not in (None, tree):
                return False
        elif isinstance(above, _CONDITIONAL):
            return False
    from aml_lint.rules.imports import verdict as iv

    wanted = {canonicalize_name(Requirement(p).name) for p in packages}
    for rel in scripts:
        script = ctx.project.documents.get(rel)
        if script is None:
            return False
        analysis = iv.analyze(script, ctx)
        if analysis.invisible or not analysis.envs:
            return False  # an environment aml-lint cannot see may hold the packages
        for env in analysis.envs:
            if env.opaque or env.command_install or not env.has_conda \
                    or wanted & (env.available | frozenset(env.direct)):
                return False
    return True


# pip options that change nothing about what is installed.
_HARMLESS_OPTIONS = {"-q", "-qq", "--quiet", "-U", "--upgrade", "--user", "--no-cache-dir",
                     "--no-warn-script-location", "--disable-pip-version-check", "--progress-bar=off"}


def _pip_packages(words: tuple[str, ...]) -> list[str] | None:
    """The requirements of a plain 'pip install a b==1' command, or None when it is more."""
    if "install" not in words or any(w in _SEPARATORS for w in words):
        return None
    at = words.index("install")
    head = [_base(w) if w != sa.PLACEHOLDER else w for w in words[:at]]
    if not (len(head) == 1 and _PIP_RE.match(head[0])) and not (
            len(head) == 3 and (head[0] == sa.PLACEHOLDER or _PY_RE.match(head[0]))
            and head[1:] == ["-m", "pip"]):
        return None
    packages = []
    for word in words[at + 1:]:
        if word.startswith("-"):
            if word not in _HARMLESS_OPTIONS:
                return None
            continue
        try:
            req = Requirement(word)
        except InvalidRequirement:
            return None
        if sa.PLACEHOLDER in word or req.url or req.marker or "/" in word:
            return None
        packages.append(word)
    return packages or None


def _fix(doc: Document, ctx: Context, found: Install) -> Fix | None:
    """Remove the install statement and declare its packages in the script's one environment."""
    packages = _pip_packages(found.words)
    script = doc.script
    if packages is None or found.node is None or script is None or script.tree is None:
        return None
    envs = {(e.owner.rel, e.base): e for e in ctx.envs_for_script(doc.rel)}
    if len(envs) != 1:
        return None
    env = next(iter(envs.values()))
    ix = sa.index(script.tree)
    stmt = ix.parent(found.node)
    if not isinstance(stmt, ast.Expr) or stmt.value is not found.node:
        return None
    body = containing_body(ix, stmt)
    removal = remove_statement(doc, stmt, body) if body is not None else None
    if removal is None:
        return None
    declared = {pypi_name(d.name) for d in env.declared()}
    new = [p for p in packages if canonicalize_name(Requirement(p).name) not in declared]
    added = add_to_environment(env, ctx.project.documents, new) if new else []
    if added is None:
        return None
    where = f" and declare {', '.join(new)} in {added[0].path}" if added else ""
    return Fix(f"remove the run-time install{where}", (removal, *added), safe=False)


def _env_files(ctx: Context, scripts: list[str]) -> tuple[str, ...]:
    """The environment files (conda, requirements, Dockerfile) where the package belongs."""
    out: list[str] = []
    for rel in scripts:
        for env in ctx.envs_for_script(rel):
            out.extend(d.rel for d in env.files if d.rel not in out)
    return tuple(out)


def _name(rel: str) -> str:
    return rel.rsplit("/", 1)[-1]


def _message(found: Install, where: str) -> str:
    return (f"{where} runs '{found.what}' at run time; the container runs as a non-root user, may have "
            "no internet access and repeats the install on every start: declare the package in the "
            "deployment's environment (conda file, requirements or Dockerfile) instead")


def _importers(doc: Document, ctx: Context) -> list[str]:
    """Scoring and entry scripts that import this module, directly or through other local modules."""
    seen = {doc.rel}
    todo = [doc.rel]
    scripts: set[str] = set()
    depth = 0
    while todo and depth < _MAX_MODULE_DEPTH:
        nxt = []
        for rel in todo:
            for link in ctx.project.links_to(rel):
                if link.role != "module" or link.source in seen:
                    continue
                seen.add(link.source)
                source = ctx.project.documents.get(link.source)
                if source is not None and source.kind.is_script:
                    scripts.add(source.rel)
                else:
                    nxt.append(link.source)
        todo, depth = nxt, depth + 1
    return sorted(scripts)


def installs(tree: ast.Module) -> Iterator[Install]:
    ix = sa.index(tree)
    names = sa.aliases(tree)
    scopes: dict[ast.AST, dict[str, ast.AST]] = {}
    reported_pip_internal = False
    pip_funcs: list[ast.expr] = []  # InstallCommand(...) inside InstallCommand(...).main(...): one finding
    for node in ix.of_type(ast.Call):  # in walk order: a call comes before the calls inside it
        if any(ix.inside(node, func) for func in pip_funcs):
            continue
        name = sa.call_name(node, names)
        if name == "pip.main" or (name.startswith("pip._internal") and _pip_install_api(name)):
            pip_funcs.append(node.func)
            words = sa.word_list(node.args[0]) if node.args else None
            action = next((w for w in words or [] if w != sa.PLACEHOLDER and not w.startswith("-")), None)
            if action in (None, "install") or "InstallCommand" in name:
                reported_pip_internal = reported_pip_internal or name.startswith("pip._internal")
                yield Install(f"{sa.short(name)}(['install', ...])" if action == "install" else sa.short(name),
                              node_location(node))
            continue
        if name not in RUNNERS:
            continue
        scope = _function_of(ix, node)
        if scope not in scopes:
            if tree not in scopes:
                scopes[tree] = sa.single_assignments(ix, tree)
            if scope is not tree:
                scopes[scope] = {**scopes[tree], **sa.single_assignments(ix, scope)}
        words = command_words(node, name, scopes[scope])
        what = install_in(words)
        if what:
            yield Install(what, node_location(node), tuple(words), node)
    if not reported_pip_internal:
        # An import of pip's installer entry points with no call we could read.
        for imp in ix.of_types(ast.Import, ast.ImportFrom):  # in walk order: the first one is reported
            imported: list[str] = []
            if isinstance(imp, ast.ImportFrom) and imp.level == 0 and imp.module:
                imported = [f"{imp.module}.{a.name}" for a in imp.names]
            elif isinstance(imp, ast.Import):
                imported = [a.name for a in imp.names]
            hit = next((i for i in imported if (i + ".").startswith("pip._internal.") and _pip_install_api(i)
                        or i == "pip._internal"), None)
            if hit:
                yield Install(f"{hit} (pip's internal installer API)", node_location(imp))
                break


def _pip_install_api(name: str) -> bool:
    """pip's internal entry points that install: ``pip._internal.main``, ``...cli.main.main``,
    ``InstallCommand`` and friends (not helpers such as ``pip._internal.utils...``)."""
    parts = name.replace("()", "").split(".")
    return parts[-1] in _PIP_INSTALL_API or "InstallCommand" in parts


def _function_of(ix: sa.ScriptIndex, node: ast.AST) -> ast.AST:
    """The innermost function holding the node (its decorators and defaults too), or the module."""
    for above in ix.ancestors(node):
        if isinstance(above, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return above
    return ix.root


def command_words(call: ast.Call, name: str, assigned: dict[str, ast.AST]) -> list[str]:
    """The command a runner call runs, as words (sa.PLACEHOLDER where a value is unknown)."""
    arg: ast.AST | None = call.args[0] if call.args else next(
        (k.value for k in call.keywords if k.arg in ("args", "command", "cmd")), None)
    if name in _EXEC_STYLE:
        args = call.args[1:] if name.startswith("os.spawn") else call.args  # drop the mode argument
        if name in ("os.execvp", "os.spawnvp"):
            words = sa.word_list(args[-1], assigned) if len(args) >= 2 else None
        else:
            words = [sa.string_value(a, assigned) or sa.PLACEHOLDER for a in args]
    else:
        words = sa.word_list(arg, assigned)
        if words is None:
            text = sa.string_value(arg, assigned)
            words = _split(text) if text is not None else None
        elif len(words) == 1 and words[0] != sa.PLACEHOLDER:
            words = _split(words[0])  # ["pip install x"] with shell=True
    if name == "sh.pip":
        words = ["pip", *(words or [])]
    # ["bash", "-c", "pip install x"]: split words that hold a whole command line.
    return [part for word in words or [] for part in (_split(word) if " " in word else [word])]


def _split(text: str) -> list[str]:
    try:
        lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        return list(lexer)
    except ValueError:
        return text.split()


def install_in(words: list[str]) -> str | None:
    """'pip install', 'conda install' ... when the command words install packages."""
    for segment in _segments(words):
        what = _segment_install(segment)
        if what:
            return what
    return None


def _segments(words: list[str]) -> Iterator[list[str]]:
    current: list[str] = []
    for word in words:
        if word in _SEPARATORS:
            if current:
                yield current
            current = []
        else:
            current.append(word)
    if current:
        yield current


def _base(word: str) -> str:
    return word.replace("\\", "/").rsplit("/", 1)[-1].lower()


def _segment_install(words: list[str]) -> str | None:
    # Skip `sudo`, `env X=1` and leading assignments.
    while words and (_base(words[0]) in _WRAPPERS or re.match(r"^\w+=", words[0])
                     or words[0] in ("-c", "/c", "-lc", "-Command")):
        words = words[1:]
    if not words:
        return None
    first = _base(words[0])
    rest = [w for w in words[1:] if w != sa.PLACEHOLDER]
    if _PY_RE.match(first) or first == sa.PLACEHOLDER or first.endswith(sa.PLACEHOLDER):
        # python -m pip install / {sys.executable} -m pip install
        if "-m" in words:
            module = words[words.index("-m") + 1:words.index("-m") + 2]
            if module and module[0] == "pip" and "install" in words:
                return "python -m pip install"
            if module and module[0] == "uv" and _has_seq(words, "pip", "install"):
                return "python -m uv pip install"
        return None
    if _PIP_RE.match(first) and "install" in rest:
        return f"{first} install"
    if first == "uv" and (_has_seq(rest, "pip", "install") or _has_seq(rest, "pip", "sync")
                          or (rest and rest[0] == "add")):
        return "uv pip install" if "pip" in rest else "uv add"
    if first in _CONDA:
        action = next((w for w in rest if not w.startswith("-")), "")
        if action in ("install", "create", "update"):
            return f"{first} {action}"
        if action == "env" and (_has_seq(rest, "env", "update") or _has_seq(rest, "env", "create")):
            return f"{first} env {rest[rest.index('env') + 1]}"
    if first in _SYSTEM:
        action = next((w for w in rest if not w.startswith("-")), "")
        if action in _INSTALL_WORDS:
            return f"{first} {action}"
    if first in ("easy_install",):
        return "easy_install"
    return None


def _has_seq(words: list[str], a: str, b: str) -> bool:
    return any(words[i] == a and words[i + 1] == b for i in range(len(words) - 1))
