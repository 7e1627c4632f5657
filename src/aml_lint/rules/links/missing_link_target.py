"""A path in a deployment, environment, job or component that points at nothing.

What it finds: `code_configuration.code`, `code_configuration.scoring_script`,
`environment.conda_file`, `build.path`, `build.dockerfile_path`, `model.path` and
`environment: file:...` values that do not exist, resolved the way AzureML resolves them
(from the folder of the YAML file; `scoring_script` from the code folder;
`dockerfile_path` from the build context), and relative paths that lead outside the
repository. In a command job, sweep trial, pipeline step or command component: `code`,
`component: file:...`, the environment's files, and the script its `command:` runs
(`python train.py`, `python -m pkg.train`, `torchrun ... train.py`) when it is missing from the
code folder: the CLI uploads the code and the job fails at start ("can't open file"), after its
image is built. A command whose script is not written out (a shell script, a variable, a
`${{inputs.x}}` path) is not checked. A warning when a download or copy earlier in the command
may create the script, and when the script lies outside the code folder (`python
../shared/train.py`): AzureML uploads only the code folder. When the path exists from a folder above (the repository root, say), or a
near-miss name exists in the folder, the message says what to write. Several paths of one file that are
missing for one reason (they all lie under one folder that does not exist, or they are all
written from the repository root) give one finding that names that cause.

A `file:` prefix on any key but `environment:` (`conda_file: file:env.yml`, from the 2021
preview syntax) is an error too: the current CLI keeps it as part of the path and fails.

Information, not an error: a missing path whose key a CI script replaces when it deploys the
file (`az ml online-deployment create --file X.yml --set code_configuration.code=...` in a
workflow, a pipeline, a shell or Jenkins script): the value written in the YAML is not used.

Warnings, not errors: a missing path that `.gitignore` or `.amlignore` ignores, or that a
script of the repository downloads, extracts or copies (`wget`, `tar`, `az ml model
download`, `dvc pull`): an earlier step produces it. It stays an error when the ignore file
that lists it is the one AzureML applies when it uploads the folder it lies in (the
`.amlignore`, or without one the `.gitignore`, at the root of the code folder for
`scoring_script`, of the build context for `dockerfile_path`): even once produced, it is not
uploaded. An absolute path is a warning too (it exists on one machine only;
not checked). Placeholders (`$(condaFile)`, `{{ model_dir }}`) are not paths yet and are
not checked. In a test fixture (a file under `tests/**/resources/`, `fixtures/`, `testdata/`)
or a template folder (`templates/`, `.package-template/`) a missing path is a warning: a test
reads that file, or a script copies it and fills in what it names; nobody submits it as it is. A path inside a git
submodule (`.gitmodules`) is not checked: a checkout without submodules lacks its files.

Why it matters: the CLI fails with "Can't find directory or file in resolved absolute
path", or worse, uploads a different folder than you meant.

Fails:
    code_configuration:
      code: ../src
      scoring_script: scor.py      # the file is score.py

Passes:
    code_configuration:
      code: ../src
      scoring_script: score.py

Fix: correct the path; remember it is relative to the YAML file's folder (the scoring
script's to the code folder).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, JOB_KINDS, Document, Kind
from aml_lint.findings import Severity
from aml_lint.graph import LinkProblem
from aml_lint.overrides import overriding
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.general import preview_syntax

ID = "AML101"
NAME = "missing-link-target"
SEVERITY = "error"
KINDS = (*DEPLOYMENT_KINDS, Kind.ENVIRONMENT, *JOB_KINDS)


def _group_message(cause: str, problems: list[LinkProblem]) -> str:
    names = ", ".join(f"{p.role} '{p.value}' (line {p.location.line})" for p in problems)
    return f"{len(problems)} paths of this file point at nothing for one reason: {cause}: {names}"


def _groups(problems: list[LinkProblem]) -> tuple[list[Hit], list[LinkProblem]]:
    """Problems with one cause merged into one hit; the rest returned as they are."""
    hits: list[Hit] = []
    missing = [p for p in problems if p.target is not None]
    # All written from one folder above (the repository root, often): one mistake, one finding.
    bases = {p.written_from for p in missing}
    if len(missing) >= 2 and len(bases) == 1 and None not in bases:
        base = bases.pop()
        fixes = ", ".join(f"{p.role} '{p.from_root}' (line {p.location.line})" for p in missing)
        where = "the repository root" if base == "" else f"the folder '{base}'"
        hits.append(Hit(f"{len(missing)} paths of this file are written from {where}, but the "
                        f"CLI resolves them from the YAML file's folder: write {fixes}", missing[0].location))
        return hits, [p for p in problems if p.target is None]
    by_folder: dict[str, list[LinkProblem]] = {}
    for p in missing:
        if p.missing_folder is not None:
            by_folder.setdefault(p.missing_folder, []).append(p)
    grouped: set[int] = set()
    for folder, members in by_folder.items():
        if len(members) < 2:
            continue
        grouped.update(id(p) for p in members)
        severity = max(p.severity for p in members)
        hits.append(Hit(_group_message(f"the folder '{folder}' does not exist (moved or renamed?)", members)
                        + "; restore the folder or correct the paths", members[0].location,
                        severity=severity))
    return hits, [p for p in problems if id(p) not in grouped]


def _yaml_key(doc: Document, role: str) -> str:
    """The YAML key a problem's role stands for, as `--set` writes it (environment keys of a
    deployment sit under `environment.`)."""
    if doc.kind.is_deployment and role in ("conda_file", "build.path", "build.dockerfile_path"):
        return f"environment.{role}"
    return role


def _set_at_deploy_time(doc: Document, ctx: Context, problem: LinkProblem) -> Hit | None:
    """Info instead of the problem when a CI script replaces that value (`--set key=...`)."""
    key = _yaml_key(doc, problem.role)
    # The scoring script is looked up in the code folder, and the Dockerfile in the build context.
    also = {"code_configuration.scoring_script": "code_configuration.code",
            "build.dockerfile_path": "build.path"}
    keys = [key] + [key.replace(k, v) for k, v in also.items() if key.endswith(k)]
    found = next((o for k in keys if (o := overriding(ctx.project, doc.rel, k)) is not None), None)
    if found is None:
        return None
    override, set_key = found
    return Hit(f"{problem.message}; {override.script} sets {set_key} at deploy time "
               f"('az ml ... --set {set_key}=...'), so the value written here is not used",
               problem.location, severity=Severity.INFO)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    problems = [p for p in ctx.project.problems if p.source == doc.rel]
    # In a file of the 2021 preview syntax, AML007 lists the `file:` prefixes with the other old keys.
    # (A job's paths sit under its trial or steps too: in a preview job every `file:` path is one.)
    preview_job = doc.kind.is_job and bool(preview_syntax.old_keys(doc))
    problems = [p for p in problems if not (p.value.startswith("file:") and (
        preview_job or preview_syntax.preview_file_prefix(doc, tuple(_yaml_key(doc, p.role).split(".")))))]
    if problems:
        deploy_time = {id(p): hit for p in problems if (hit := _set_at_deploy_time(doc, ctx, p)) is not None}
        yield from deploy_time.values()
        problems = [p for p in problems if id(p) not in deploy_time]
    hits, single = _groups(problems)
    fixture = fixture_kind(doc.rel)
    for hit in hits:
        yield _as_fixture(hit, fixture) if fixture and hit.severity in (None, Severity.ERROR) else hit
    for problem in single:
        hit = Hit(problem.message, problem.location,
                  severity=None if problem.severity is Severity.ERROR else problem.severity)
        yield _as_fixture(hit, fixture) if fixture and problem.severity is Severity.ERROR else hit


# A file kept as test input (tests/resources, tests/fixtures, testdata) is read by a test, not
# submitted to AzureML; one in a template folder (templates/, .package-template/) is copied by a
# script that fills in what it names. What either names may be missing on purpose.
_FIXTURE_RE = re.compile(r"(?:^|/)tests?/(?:.+/)?(?:resources|fixtures|testdata|test_data)/|(?:^|/)testdata/")
_TEMPLATE_DIR_RE = re.compile(r"(?:^|/)[^/]*templates?/", re.I)


def fixture_kind(rel: str) -> str | None:
    """'a test fixture' or 'in a template folder' when ``rel`` is one, else None."""
    if _FIXTURE_RE.search(rel) is not None:
        return "a test fixture"
    if _TEMPLATE_DIR_RE.search(rel) is not None:
        return "in a template folder"
    return None


def _as_fixture(hit: Hit, why: str) -> Hit:
    return Hit(f"{hit.message} ({why}, so a warning: if this file is submitted as it is, it fails)",
               hit.location, hit.path, Severity.WARNING, hit.related, hit.fix)
