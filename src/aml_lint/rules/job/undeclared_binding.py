"""A job's command binds an input or output the job does not declare.

What it finds: `${{inputs.<name>}}` or `${{outputs.<name>}}` in the `command:` of a command
job, a sweep job's `trial`, an inline command step of a pipeline job, or a command component,
where `<name>` is not declared under the matching `inputs:` / `outputs:` (the job's own; the
sweep job's top-level ones for its trial; the step's own for a pipeline step; the component's).
In a pipeline step's or a component's command, `${{parent.…}}` is reported too: a step's
command can only use the step's own inputs and outputs.

Severity follows what `az ml job create` / `az ml component create` do (azure-ai-ml 1.35):
- error: an input of a command job or sweep trial written `${{inputs.x}}` (the spelling the
  client checks) and not declared: `CommandJob._validate` refuses the job ("Inputs to job does
  not contain 'x' referenced in command") unless the expression is inside an optional part
  (`$[[--x ${{inputs.x}}]]`);
- error: any undeclared input or output (also inside `$[[ ]]`, also `${{ inputs.x }}` with
  spaces) and any `${{parent.…}}` in a pipeline step's or a component's command: the step is
  turned into a component, which create validates before registering it ("Invalid data binding
  expression: outputs.x");
- warning: an undeclared output of a command job or sweep trial (`${{outputs.model}}` with no
  `model` under `outputs:`): the client sends the job unchecked, and it most likely fails once
  it runs on the compute, which has no output to mount there (a job that had lost its declared
  outputs failed that way in Azure/azure-sdk-for-python#39187); aml-lint has not seen the
  service's behaviour itself, so it is likely, not certain;
- warning: an input written with spaces (`${{ inputs.x }}`) in a command job or sweep trial:
  the client does not check that spelling and sends the job as it is, and what the service
  makes of it aml-lint has not seen; at best the literal text reaches your script.

Why it matters: the job is refused when you submit it, or fails once it has started (after
its environment is built and its compute allocated).

Fails:
    $schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json
    code: src
    command: python train.py --data ${{inputs.training_data}}
    inputs:
      train_data:
        type: uri_folder
        path: azureml:iris:1
    environment: azureml:sklearn-env:1
    compute: azureml:cpu-cluster

Passes:
    $schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json
    code: src
    command: python train.py --data ${{inputs.train_data}} $[[--epochs ${{inputs.epochs}}]]
    inputs:
      train_data:
        type: uri_folder
        path: azureml:iris:1
    environment: azureml:sklearn-env:1
    compute: azureml:cpu-cluster

Fix: declare the input or output under `inputs:` / `outputs:` (of the job, of the sweep job
for its trial, of the step, of the component), or correct the name in the command (the message
names a declared one that is close). In a pipeline step, declare a step input bound to the
pipeline's (`lr: ${{parent.inputs.lr}}`) and write `${{inputs.lr}}` in the command.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import JOB_KINDS, Document
from aml_lint.findings import Severity
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.job import _bindings as jb

ID = "AML601"
NAME = "undeclared-binding"
SEVERITY = "error"
KINDS = tuple(sorted(JOB_KINDS, key=lambda k: k.value))


def _declare(which: str, cmd: jb.Command) -> str:
    if cmd.role == "step":
        return f"under the step's `{which}:`"
    if cmd.role == "trial":
        return f"under the sweep job's top-level `{which}:`"
    return f"under `{which}:`"


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    for cmd in jb.commands(doc):
        declared = {which: jb.declared(doc, cmd.io_base, which) for which in ("inputs", "outputs")}
        strict = cmd.role in ("step", "component")  # validated as a component: every expression
        optional = set(jb.JOB_OPTIONAL_RE.findall(cmd.text))
        for m, rank in jb.occurrences(cmd.text, jb.EXPRESSION_RE):
            token, parts = m.group(), m.group(1).split(".")
            where = jb.location_in(doc, cmd.path, token, rank)
            if parts[0] == "parent" and strict:
                yield Hit(f"{token} in the command of {cmd.what}: a step's command can only bind the "
                          "step's own inputs and outputs, so create refuses it (\"Invalid data binding "
                          "expression\"); declare a step input bound to it and use ${{inputs.<name>}}"
                          if cmd.role == "step" else
                          f"{token} in the command of {cmd.what}: a component's command can only bind "
                          "its own inputs and outputs, so create refuses it (\"Invalid data binding "
                          "expression\"); declare an input and use ${{inputs.<name>}}", where)
                continue
            if parts[0] not in ("inputs", "outputs") or len(parts) < 2 or not parts[1]:
                continue
            which, name = parts[0], parts[1]
            names = declared[which]
            if names is None or name in names:
                continue
            noun = which[:-1]
            if strict:
                severity = None
                why = ("the step becomes a component, which create refuses (\"Invalid data binding "
                       "expression\")" if cmd.role == "step" else
                       "create refuses the component (\"Invalid data binding expression\")")
            elif which == "inputs" and jb.JOB_INPUT_RE.fullmatch(token):
                if name in optional:
                    continue  # inside $[[ ]]: an optional part the job may leave out
                severity = None
                why = f"az ml job create refuses the job (\"Inputs to job does not contain '{name}'\")"
            elif which == "outputs":
                severity = Severity.WARNING
                why = ("the client sends the job unchecked, and it most likely fails on the compute, which has "
                       "no such output")
            else:
                if any(token in part for part in jb.OPTIONAL_PART_RE.findall(cmd.text)):
                    continue
                severity = Severity.WARNING
                why = "the client sends it unchecked, with no value declared to put in its place"
            yield Hit(f"{token} in the command of {cmd.what} names no declared {noun}{jb.near(name, names)}: "
                      f"{why}; declare '{name}' {_declare(which, cmd)} or correct the name",
                      where, severity=severity)
