"""A pipeline step binds to a step, output or pipeline input that does not exist.

What it finds: in a pipeline job, a step input or output whose value is one binding
expression naming something the pipeline does not have: `${{parent.jobs.<step>.outputs.<o>}}`
where no step is called `<step>`, or where that step (an inline command step, or a step
whose `component:` is a local command component aml-lint reads) declares no output `<o>`;
`${{parent.inputs.<i>}}` with no pipeline input `<i>`; `${{parent.outputs.<o>}}` with no
pipeline output `<o>`. Values that only contain an expression among other text, and
bindings under a nested key (`path: ${{...}}`), are not checked.

Severity follows what `az ml job create` does (azure-ai-ml 1.35): an error when the step
holding the binding is an inline command step, which the client turns into a component
while loading the file and refuses ("Failed to find referenced source for input binding",
"Failed to find top level definition for output binding"); a warning when the step uses a
`component:`, whose bindings the client sends unchecked: the pipeline names a source that is
not there, which the service cannot run, but aml-lint has not seen how the service refuses it.

Why it matters: the pipeline is refused at submission, or cannot pass the data on.

Fails:
    $schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
    type: pipeline
    settings:
      default_compute: azureml:cpu-cluster
    jobs:
      prep:
        type: command
        code: src
        command: python prep.py --out ${{outputs.prepared}}
        environment: azureml:sklearn-env:1
        outputs:
          prepared:
            type: uri_folder
      train:
        type: command
        code: src
        command: python train.py --data ${{inputs.data}}
        environment: azureml:sklearn-env:1
        inputs:
          data: ${{parent.jobs.preprocess.outputs.prepared}}

Passes:
    $schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
    type: pipeline
    settings:
      default_compute: azureml:cpu-cluster
    jobs:
      prep:
        type: command
        code: src
        command: python prep.py --out ${{outputs.prepared}}
        environment: azureml:sklearn-env:1
        outputs:
          prepared:
            type: uri_folder
      train:
        type: command
        code: src
        command: python train.py --data ${{inputs.data}}
        environment: azureml:sklearn-env:1
        inputs:
          data: ${{parent.jobs.prep.outputs.prepared}}

Fix: name a step of the pipeline (the message lists them) and one of its outputs, or declare
the pipeline input or output under the pipeline's top-level `inputs:` / `outputs:`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.documents.placeholders import is_placeholder
from aml_lint.findings import Location, Severity
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.job import _bindings as jb

ID = "AML602"
NAME = "pipeline-binding-target-missing"
SEVERITY = "error"
KINDS = (Kind.PIPELINE_JOB,)

_SINGULAR_RE = re.compile(r"\$\{\{\s*([^\s{}]*)\s*\}\}")  # one expression, not two joined


def _component_outputs(doc: Document, ctx: Context, step: dict[str, object]) -> set[str] | None:
    """The outputs a step's local command component declares, when aml-lint has read it."""
    component = jb.local_component(doc, ctx, step)
    return jb.declared(component, (), "outputs") if component is not None else None


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("jobs"), dict):
        return
    jobs = data["jobs"]
    steps = {str(k) for k in jobs}
    if any(is_placeholder(s) for s in steps):
        return
    inline = {name for name, _ in jb.inline_steps(data)}
    parent = {which: jb.declared(doc, (), which) for which in ("inputs", "outputs")}
    for name, step in jobs.items():
        if not isinstance(step, dict):
            continue
        for which in ("inputs", "outputs"):
            bindings = step.get(which)
            if not isinstance(bindings, dict):
                continue
            for key, value in bindings.items():
                if not isinstance(value, str):
                    continue
                m = _SINGULAR_RE.fullmatch(value.strip())
                if m is None or is_placeholder(m.group(1)):
                    continue
                problem = _problem(m.group(1).split("."), which, jobs, steps, inline, parent, doc, ctx)
                if problem is None:
                    continue
                what, fix = problem
                where = doc.yaml.loc(("jobs", name, which, key)) if doc.yaml else Location()
                binding = f"{value.strip()} ({which[:-1]} '{key}' of step '{name}') {what}"
                if name in inline:
                    yield Hit(f"{binding}: az ml job create refuses the pipeline while loading it; {fix}", where)
                else:
                    yield Hit(f"{binding}: the client sends a component step's bindings unchecked, and the "
                              f"pipeline has nothing to bind it to; {fix}", where, severity=Severity.WARNING)


def _problem(parts: list[str], which: str, jobs: dict[object, object], steps: set[str], inline: set[str],
             parent: dict[str, set[str] | None], doc: Document, ctx: Context) -> tuple[str, str] | None:
    """What the binding names that does not exist, and what to do, or None."""
    if len(parts) < 3 or parts[0] != "parent":
        return None
    if parts[1] in ("inputs", "outputs") and which == parts[1]:
        names = parent[parts[1]]
        name = parts[2]
        if names is None or name in names or ".".join(parts[2:]) in names \
                or any(n.startswith(f"{name}.") for n in names):
            return None  # also a parameter group's `group.x`
        return (f"names no pipeline {parts[1][:-1]} '{name}'{jb.near(name, names)}",
                f"declare it under the pipeline's top-level `{parts[1]}:` or correct the name")
    if parts[1] == "jobs" and which == "inputs" and len(parts) >= 5 and parts[3] == "outputs":
        source, output = parts[2], parts[4]
        if source not in steps:
            shown = ", ".join(sorted(steps)[:8])
            return (f"names no step of the pipeline '{source}'{jb.near(source, steps)}",
                    f"name one of its steps ({shown})")
        producer = jobs.get(source)
        if not isinstance(producer, dict):
            return None
        outputs = jb.declared(doc, ("jobs", source), "outputs") if source in inline \
            else _component_outputs(doc, ctx, producer)
        if outputs is None or output in outputs:
            return None
        shown = ", ".join(sorted(outputs)[:8]) or "none"
        return (f"names no output '{output}' of step '{source}'{jb.near(output, outputs)}",
                f"name one of its outputs ({shown}) or declare '{output}' there")
    return None
