"""A deployment, job, component, environment or conda file that breaks its schema.

What it finds: unknown keys (with a "did you mean" for near misses), values of the wrong
type, and values outside the allowed set, in AzureML environment YAMLs, managed and
Kubernetes online deployments, batch model and pipeline-component deployments, command,
sweep and pipeline jobs (a sweep's `trial` and a pipeline's inline command steps are checked
as commands, `component:` steps as references), command components, and conda environment
files. The schemas are aml-lint's own, written from the AzureML CLI's field inventory.

Not reported: a problem whose value is a placeholder a release pipeline fills in
(`instance_count: "$(count)"`, `name: {{ name }}`, `#{x}#`, `__X__`, `<x>`): the rendered
value is what counts; the other keys of the file are still checked. Keys of the 2021 preview
syntax are reported once by AML007, not here one by one.

One mistake, one finding: when a mapping's `type:` is refused, the keys that belong to
that other type are not reported again as unknown keys; a `settings:` key of a batch
deployment that is missing because it was written at the root is AML403's finding.

A mapping or list as an `environment_variables` value (the CLI sends its text form) and a
wrong key or value under a pipeline deployment's `settings:` (the CLI ignores it) are
warnings: the deployment is created, though likely not as intended.

A quoted number where a number is expected (`instance_count: "3"`), and text or 0/1 the SDK
reads as a boolean (`app_insights_enabled: "true"`), are info: the CLI converts them and the
deployment is created as intended.
A fraction where an integer is expected (`instance_count: 2.5`) is a warning: the CLI
truncates it (to 2) and the deployment or job is created, though likely not as intended.

A top-level key that is missing is a warning, not an error: deployments are often created
with the missing value on the command line (`az ml batch-deployment create --file x.yml --set
compute=cpu-cluster`); info when a script of the repository runs such a command on this file.
A job or component missing its `command` or `environment` is an error; a component without a
`name`, or with one `az ml component create` refuses (`train-model`: lower-case letters, digits
and underscores only), is a warning (a pipeline step or sweep trial loads its file and ignores
the name); a pipeline step with
no compute in a pipeline without `settings.default_compute` is a warning (it can be given with
`--set`).

An unknown key where azure-ai-ml keeps what it does not know (at the top of a command
component, under a pipeline job's `settings:`, in a pipeline step that runs a component) is a
warning: the job is created, but the misspelt value is lost.

Why it matters: the AzureML CLI rejects unknown keys ("Unknown field") and wrong types
before it uploads anything; conda rejects unknown top-level keys too. A typo such as
`conda_fle` would otherwise be found only when `az ml` runs.

Fails:
    $schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
    name: blue
    endpoint_nme: my-endpoint
    instance_type: Standard_DS3_v2
    instance_count: one

Fixed:
    $schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
    name: blue
    endpoint_name: my-endpoint
    instance_type: Standard_DS3_v2
    instance_count: one

Passes:
    $schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
    name: blue
    endpoint_name: my-endpoint
    instance_type: Standard_DS3_v2
    instance_count: 1

Fix: rename the key or correct the value as the message says. `--fix` (safe: the CLI refused
the file, so nothing deployed changes meaning) renames an unknown key to the one allowed key it
is close to (`conda_fle` -> `conda_file`: one close match, at least 80% alike, not already in the
mapping); only the key's characters change. Values are never guessed: `instance_count: one`
above keeps its finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from aml_lint.documents import Document, Kind
from aml_lint.documents.placeholders import find_placeholder
from aml_lint.documents.yaml_doc import YamlDoc
from aml_lint.findings import Severity
from aml_lint.fix import Edit, Fix
from aml_lint.overrides import overriding
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.fix_helpers import span
from aml_lint.rules.general import preview_syntax
from aml_lint.schemas import SCHEMA_FILES, SchemaProblem, problems

ID = "AML005"
NAME = "schema"
SEVERITY = "error"
FIX = "safe"
KINDS = tuple(SCHEMA_FILES)


def about_placeholder(yaml: YamlDoc, problem: SchemaProblem) -> bool:
    """True when the offending value (or key) is, or holds, a placeholder."""
    if problem.on_key:
        key = str(problem.path[-1]) if problem.path else ""
        found = find_placeholder(key)
        # A misspelt `$shcema` is a key, not an envsubst `$x`: only delimited forms count on keys.
        return found is not None and not (found.startswith("$") and found[1:2].isalpha())
    return yaml.placeholder(problem.path) is not None


def reported_problems(doc: Document) -> list[SchemaProblem]:
    """The document's schema problems that this rule reports: not those about a placeholder,
    nor those the preview-syntax finding (AML007) accounts for."""
    assert doc.yaml is not None
    data = doc.yaml.data
    if doc.kind is Kind.CONDA and not isinstance(data, dict):
        return []
    old = preview_syntax.old_keys(doc)
    found = [problem for problem in problems(doc.kind, data)
             if not about_placeholder(doc.yaml, problem)
             and not preview_syntax.folded(old, problem.path, problem.missing)]
    # A mapping whose `type:` is refused has the keys (and values) of that other type: one finding, on
    # `type` (`scale_settings: {type: target_utilization, min_instances: 2}` on a managed deployment).
    wrong_type = {p.path[:-1] for p in found if not p.on_key and p.path and p.path[-1] == "type"}
    # `settings.mini_batch_size` missing because it sits at the root: AML403 says where to move it.
    misplaced = (doc.kind in (Kind.BATCH_DEPLOYMENT, Kind.PIPELINE_BATCH_DEPLOYMENT) and isinstance(data, dict))
    # `enviroment:` is reported as unknown (did you mean 'environment'?): not also as a missing `environment`.
    misspelt = {(p.path[:-1], p.close[0]) for p in found if p.on_key and p.close}
    absent = {(p.path, key) for p in found for key in p.missing}
    kept = [p for p in found if not (p.path[:-1] in wrong_type
                                     and (p.on_key or (len(p.path) > 1 and p.path[-1] != "type")))
            and not (misplaced and p.path == ("settings",) and p.missing and all(k in data for k in p.missing))
            and not (p.missing and all((p.path, key) in misspelt for key in p.missing))]
    return [replace(p, required=True) if p.on_key and p.close and (p.path[:-1], p.close[0]) in absent else p
            for p in kept]


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    assert doc.yaml is not None
    for problem in reported_problems(doc):
        if problem.missing and not problem.path and doc.kind.is_deployment:
            # A top-level value is often given on the command line (`az ml ... --set compute=...`).
            settable = " ".join(f"{key}=..." for key in problem.missing)
            message = problem.message.removeprefix("the document is ")
            setters = [found[0].script for key in problem.missing
                       if (found := overriding(ctx.project, doc.rel, key)) is not None]
            if len(setters) == len(problem.missing):  # a script of the repository gives them all
                yield Hit(f"{message}; {setters[0]} gives it at deploy time (--set {settable})",
                          doc.yaml.loc(problem.path), severity=Severity.INFO)
                continue
            yield Hit(f"{message}; the CLI refuses the file unless the command line gives it "
                      f"(--set {settable})", doc.yaml.loc(problem.path), severity=Severity.WARNING)
            continue
        if doc.kind is Kind.COMMAND_COMPONENT and not problem.path and "name" in problem.missing:
            # A component file run by a pipeline step or sweep trial (`component: file:x.yml`) is loaded
            # without a name; only `az ml component create` needs one.
            yield Hit("the component has no 'name': `az ml component create` refuses it (a pipeline step or "
                      "sweep trial that loads the file with 'file:' does not need one); add 'name'",
                      doc.yaml.loc(()), severity=Severity.WARNING)
            rest = tuple(key for key in problem.missing if key != "name")
            if not rest:
                continue
            problem = replace(problem, missing=rest, message=f"the document is missing required key(s): "
                                                              f"{', '.join(rest)}")
        if doc.kind is Kind.COMMAND_COMPONENT and problem.path == ("name",) and not problem.on_key:
            yield Hit(f"{problem.message}: `az ml component create` refuses it (a pipeline step or sweep trial "
                      "that loads the file with 'file:' ignores the name)", doc.yaml.loc(problem.path),
                      severity=Severity.WARNING)
            continue
        if doc.kind is Kind.PIPELINE_JOB and problem.missing == ("compute",) and len(problem.path) == 2:
            # Like a deployment's compute, often given when the job is submitted.
            yield Hit(f"step '{problem.path[1]}' has no compute and the pipeline none either: the CLI refuses the "
                      "job (\"Compute not set\") unless the command line gives one (--set "
                      "settings.default_compute=...); set 'settings.default_compute' or the step's 'compute'",
                      doc.yaml.loc(problem.path), severity=Severity.WARNING)
            continue
        if problem.coerced:  # the file loads: worth knowing, not a failure
            yield Hit(problem.message, doc.yaml.loc(problem.path), severity=Severity.INFO)
            continue
        lax = _loads_anyway(doc, problem)
        if lax:  # azure-ai-ml accepts the file: likely wrong, not a failed create
            message = problem.message.replace("; the CLI refuses keys it does not know: remove it", "; remove it")
            yield Hit(f"{message} ({lax})", doc.yaml.loc(problem.path, key=problem.on_key),
                      severity=Severity.WARNING, fix=_rename(doc, problem))
            continue
        yield Hit(problem.message, doc.yaml.loc(problem.path, key=problem.on_key), fix=_rename(doc, problem))


def _loads_anyway(doc: Document, problem: SchemaProblem) -> str | None:
    """Why azure-ai-ml 1.35 still creates the deployment, job or component, for the places it is
    lax; else None."""
    path = problem.path
    if problem.truncated and doc.yaml is not None and isinstance(value := doc.yaml.get(path), float):
        return f"the CLI truncates it to {int(value)}"
    if doc.kind.is_job:
        return _job_loads_anyway(doc, problem)
    if len(path) == 2 and path[0] == "environment_variables" and not problem.on_key:
        return "the CLI sends it as its text form, which the script is unlikely to expect"
    if doc.kind is Kind.PIPELINE_BATCH_DEPLOYMENT and path[:1] == ("settings",) and len(path) > 1:
        return "the CLI ignores what it does not know under a pipeline deployment's settings"
    return None


def _job_loads_anyway(doc: Document, problem: SchemaProblem) -> str | None:
    """The keys azure-ai-ml 1.35 ignores in jobs and components (it loads them with unknown=INCLUDE)."""
    path = problem.path
    if not problem.on_key or problem.required:  # a misspelt required key: the required one is missing
        return None
    if doc.kind is Kind.COMMAND_COMPONENT and (len(path) == 1 or path[0] in ("resources", "distribution")):
        return "the CLI ignores keys it does not know in a component, so the value is lost"
    if doc.kind is Kind.PIPELINE_JOB and len(path) == 2 and path[0] == "settings":
        return "the CLI ignores keys it does not know under a pipeline job's settings, so the value is lost"
    step = doc.yaml.get(path[:2]) if doc.yaml is not None and len(path) == 3 and path[0] == "jobs" else None
    if isinstance(step, dict) and "component" in step:
        return "the CLI ignores keys it does not know in a step that runs a component, so the value is lost"
    return None


def _rename(doc: Document, problem: SchemaProblem) -> Fix | None:
    """An unknown key renamed to its one close match."""
    import difflib

    if not problem.on_key or not problem.close or doc.text is None or doc.yaml is None:
        return None
    key = problem.path[-1]
    if not isinstance(key, str):
        return None
    # One close match at least 80% alike (`enviroment` -> environment; environment_variables is less alike).
    alike = [c for c in problem.close if difflib.SequenceMatcher(None, key, c).ratio() >= 0.8]
    if len(alike) != 1:
        return None
    target = alike[0]
    parent = doc.yaml.get(problem.path[:-1])
    if not isinstance(parent, dict) or target in parent or problem.path not in doc.yaml.keys:
        return None
    where = span(doc.text, doc.yaml.keys[problem.path])
    if where is None or doc.text[where[0]:where[1]] != key:
        return None  # quoted or escaped: leave it to the author
    return Fix(f"rename '{key}' to '{target}'", (Edit(doc.rel, *where, target),))
