"""One verdict from aml-lint and one from the Azure ML SDK for a case, and the documented exceptions.

aml-lint's verdict is "reject" when the engine, run on the case folder with the rules that
mirror the SDK's own client-side checks (below), reports an error on the YAML under test or
on a file it links to (its conda file). The engine rather than the schema layer alone,
because the SDK's verdict also covers what aml-lint checks in other rules: the environment
shape (`Environment.validate()`), deployment names (`_validate_name`), a conda file that
does not exist (read while loading), the batch `settings:` layout.

The exceptions are the cases docs/oracle.md lists, where the SDK is known to be wrong or
laxer than Azure ML itself; each one matches narrowly (the direction, the rules and the
message), so it cannot hide another disagreement.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from oracle_mutants import Case

from aml_lint.config import build_settings
from aml_lint.documents import Kind
from aml_lint.engine import discover, run
from aml_lint.findings import Finding, Severity

# The rules whose errors the SDK's load + client-side validation also decides.
RULES = (
    "AML002",  # YAML syntax: the SDK's YAML loader fails the same way
    "AML003",  # duplicate keys (the SDK keeps the last one: see the exceptions)
    "AML005",  # the schema: the SDK's marshmallow schemas
    "AML101",  # a local path that does not exist: conda files and model folders are read at load
    "AML102",  # environment references: the SDK parses `azureml:` strings
    "AML201",  # environment shape: Environment.validate()
    "AML202",  # a conda file given where an environment definition is expected
    "AML403",  # batch `settings:` layout: ModelBatchDeployment / BatchDeployment._validate()
    "AML404",  # names: OnlineDeployment._validate_name()
    "AML007",  # the 2021 preview syntax (`local_path`...): "Unknown field" for the SDK
    "AML008",  # `type:` against `$schema` (a warning; named by an exception below)
    "AML601",  # a job's `${{inputs.x}}` / `${{outputs.x}}` the job does not declare
    "AML602",  # a pipeline step's binding to a step, output or pipeline input that does not exist
)


def write_case(root: Path, case: Case) -> None:
    for rel, text in case.render().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def lint_findings(root: Path, case: Case) -> list[Finding]:
    """aml-lint's findings of RULES about the case's YAML and the files it links to.

    The verdict is "reject" when one of them is an error."""
    settings = build_settings(root, paths=[root / case.main], select=",".join(RULES))
    result = run(settings)
    assert not result.internal_errors, result.internal_errors
    return result.findings


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.ERROR]


@dataclass(frozen=True)
class Exception_:
    """One entry of docs/oracle.md: a named, narrow reason the two verdicts may differ."""

    name: str  # the heading in docs/oracle.md
    # aml-lint rejects, the SDK accepts: every error of aml-lint must match `finding`;
    # the SDK rejects, aml-lint accepts: the SDK's complaint must match `sdk`.
    finding: Callable[[Case, Finding], bool] | None = None
    sdk: Callable[[Case, Path, str, list[Finding]], bool] | None = None


def _says(rule: str, pattern: str) -> Callable[[Case, Finding], bool]:
    return lambda case, f: f.rule_id == rule and re.search(pattern, f.message) is not None


def _recognised(case: Case, root: Path) -> bool:
    """Does aml-lint take the file for the kind of asset the SDK loads it as?"""
    wanted = {"online": {Kind.ONLINE_DEPLOYMENT, Kind.K8S_DEPLOYMENT},
              "batch": {Kind.BATCH_DEPLOYMENT, Kind.PIPELINE_BATCH_DEPLOYMENT},
              "environment": {Kind.ENVIRONMENT},
              "online-endpoint": {Kind.ENDPOINT}, "batch-endpoint": {Kind.ENDPOINT},
              "job": {Kind.COMMAND_JOB, Kind.SWEEP_JOB, Kind.PIPELINE_JOB},
              "component": {Kind.COMMAND_COMPONENT}}[case.sdk_kind]
    doc = discover(build_settings(root, paths=[root / case.main])).documents.get(case.main)
    return doc is not None and doc.kind in wanted


def _falsy_value(case: Case, f: Finding) -> bool:
    """The finding is about a value the SDK reads as "not given": 0, "", [], {}, null, false."""
    match = re.match(r"'([^']+)' (must be |is missing required key)", f.message)
    if match is None or not isinstance(case.data, dict):
        return False
    node: object = case.data
    for part in match.group(1).split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return not node


# Pipeline steps aml-lint checks: command steps (inline, or running a component); the others
# (spark, parallel, automl, import, data_transfer, sweep and pipeline steps) are not validated.
_CHECKED_STEP_TYPES = ("command",)


def _other_step_type(case: Case, sdk: str) -> bool:
    """The SDK refuses a pipeline with a step of a type aml-lint does not validate (that step, when
    the SDK's message names one)."""
    jobs = case.data.get("jobs") if isinstance(case.data, dict) else None
    if not isinstance(jobs, dict):
        return False
    match = re.search(r'"path": "jobs\.([^".]+)[".]', sdk)
    steps = [jobs.get(match.group(1))] if match else list(jobs.values())
    return any(isinstance(step, dict) and str(step.get("type", "command")).lower() not in _CHECKED_STEP_TYPES
               for step in steps)


def _empty_image(case: Case) -> bool:
    env = case.data.get("environment", case.data) if isinstance(case.data, dict) else None
    return isinstance(env, dict) and "image" in env and not env["image"]


# aml-lint asks for the type the schema documents; the SDK's marshmallow fields convert
# 7 to "7" (Str). A quoted number and text the Bool fields take ("yes", 1) are info in aml-lint
# (the CLI converts them), 2.5 where an integer is expected a warning (the Int fields truncate it),
# so both verdicts already agree there.
_COERCED = (r"must be an integer( or null)?, not a string \('[-+]?[0-9]+'\)"
            r"|must be a (number|string), not a (string \('[-+]?[0-9.]+'\)|number)"
            r"|must be a string or integer or number, not a boolean"
            r"|^'version' must be a string or integer or number, not a (mapping|list)")  # a component's: text

EXCEPTIONS: tuple[Exception_, ...] = (
    Exception_("duplicate-keys", finding=_says("AML003", "appears again")),
    Exception_("conda-file-contents", finding=lambda case, f: f.rule_id == "AML005"
               and f.path.endswith("conda.yml") and f.path != case.main),
    Exception_("service-side-values", finding=_says(
        "AML005", r"less than the minimum of|should be non-empty|is too short"
                  r"|'settings\.logging_level' is .*; expected one of")),
    Exception_("registered-asset-references", finding=_says("AML102", r"version named 'latest'")),
    Exception_("scalar-coercion", finding=_says("AML005", _COERCED)),
    Exception_("build-context", finding=lambda case, f: re.search(
        r"'(environment\.)?build' is missing required key\(s\): path"
        r"|^(environment\.)?build\.dockerfile_path file .* does not exist", f.message) is not None
        and f.rule_id in ("AML005", "AML101")),
    Exception_("paths-checked-at-upload", finding=_says("AML101", r"^model\.path ")),
    Exception_("empty-values", finding=lambda case, f: (f.rule_id == "AML005" and _falsy_value(case, f))
               or (f.rule_id == "AML201" and "both 'image' and 'build'" in f.message and _empty_image(case))),
    Exception_("names-checked-by-the-service", finding=lambda case, f: f.rule_id == "AML404"),
    Exception_("set-on-the-command-line", sdk=lambda case, root, sdk, findings: re.search(
        r'^ValidationError: [^{]*\{ "(name|endpoint_name|instance_type|compute)": \[ "Missing data for required field\." \] \}'
        r"|missing 1 required keyword-only argument: 'name'"
        r'|^ValidationException: \{ "result": "Failed", "errors": \[ (\{ "message": "Compute not set", '
        r'"path": "jobs\.[^"]+\.compute", "value": null \},? ?)+\]', sdk) is not None
        and (case.sdk_kind != "job" or any("has no compute and the pipeline none" in f.message for f in findings))),
    Exception_("type-decides-the-loader", sdk=lambda case, root, sdk, findings: any(
        (f.rule_id == "AML008" and "without 'type: kubernetes'" in f.message)
        or (f.rule_id == "AML005" and re.search(r"missing required key\(s\): type\b", f.message) is not None)
        for f in findings)),
    Exception_("not-recognised", sdk=lambda case, root, sdk, findings: not _recognised(case, root)),
    Exception_("other-step-types", sdk=lambda case, root, sdk, findings: _other_step_type(case, sdk)),
    Exception_("step-values-against-component-inputs", sdk=lambda case, root, sdk, findings:
               sdk.startswith("UserErrorException: only path input is supported now but get")),
    Exception_("component-name-for-create", sdk=lambda case, root, sdk, findings: case.sdk_kind == "component"
               and re.search(r'"message": "(Missing data for required field\.|Component name should only contain'
                             r'[^"]*|Not a valid string\.|Field may not be null\.)", "path": "name"', sdk) is not None
               and any(f.message.startswith(("the component has no 'name'", "'name' ")) for f in findings)),
)


def exceptions_for(case: Case, root: Path, findings: list[Finding], sdk: str | None) -> list[str] | None:
    """The names of the documented exceptions that explain a disagreement; None when none does."""
    found = errors(findings)
    if bool(found) == (sdk is not None):
        return []
    if found:  # aml-lint rejects what the SDK accepts: each error must be explained
        names = []
        for f in found:
            match = next((e.name for e in EXCEPTIONS if e.finding and e.finding(case, f)), None)
            if match is None:
                return None
            names.append(match)
        return sorted(set(names))
    assert sdk is not None
    match = next((e.name for e in EXCEPTIONS if e.sdk and e.sdk(case, root, sdk, findings)), None)
    return None if match is None else [match]


def describe(case: Case, findings: list[Finding], sdk: str | None) -> str:
    found = errors(findings)
    lint = "; ".join(f"{f.rule_id} {f.path}: {f.message}" for f in found) or "accepted"
    text = case.render()[case.main]
    return (f"{case.name} tags={list(case.tags)}\n  aml-lint: {lint}\n  SDK: {sdk or 'accepted'}\n"
            + textwrap.indent(text[:1500], "    | "))
