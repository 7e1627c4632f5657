"""A pipeline step does not give a required input of its component.

What it finds: in a pipeline job, a command step whose `component:` is a local command
component aml-lint reads (`component: file:train.yml`) and that leaves out one of the
component's required inputs: an input declared without `optional: true` and without a
`default:`, and absent from the step's `inputs:` (or given an empty value).

Why it matters: `az ml job create` refuses the pipeline before submitting it: azure-ai-ml
(1.35) validates each step against its component ("Required input 'data' for component
'train' not provided").

Fails:
    $schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
    type: pipeline
    settings:
      default_compute: azureml:cpu-cluster
    jobs:
      train:
        type: command
        component: file:train.yml
        inputs:
          training_data:
            type: uri_folder
            path: azureml:iris:1
    # train.yml
    $schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
    type: command
    name: train
    code: src
    command: python train.py --data ${{inputs.data}}
    inputs:
      data:
        type: uri_folder
    environment: azureml:sklearn-env:1

Passes:
    $schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
    type: pipeline
    settings:
      default_compute: azureml:cpu-cluster
    jobs:
      train:
        type: command
        component: file:train.yml
        inputs:
          data:
            type: uri_folder
            path: azureml:iris:1
    # train.yml
    $schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
    type: command
    name: train
    code: src
    command: python train.py --data ${{inputs.data}}
    inputs:
      data:
        type: uri_folder
    environment: azureml:sklearn-env:1

Fix: give the input under the step's `inputs:` (a value, a data asset, or a binding such as
`${{parent.inputs.data}}`), or declare it `optional: true` or with a `default:` in the component.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.documents.placeholders import is_placeholder
from aml_lint.findings import Location
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.job import _bindings as jb

ID = "AML605"
NAME = "required-input-not-given"
SEVERITY = "error"
KINDS = (Kind.PIPELINE_JOB,)


def _near(key: str, given: list[str]) -> str:
    """A given input that is probably this one misspelt or renamed ('training_data' for 'data')."""
    close = difflib.get_close_matches(key, given, n=1, cutoff=0.6) or [g for g in given if len(g) >= 3 and (key in g or g in key)]
    return f" (is '{close[0]}' meant to be it?)" if close else ""


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    data = doc.data
    jobs = data.get("jobs") if isinstance(data, dict) else None
    if not isinstance(jobs, dict):
        return
    for name, step in jobs.items():
        if not isinstance(step, dict) or step.get("type", "command") != "command":
            continue
        component = jb.local_component(doc, ctx, step)
        if component is None:
            continue
        given = step.get("inputs")
        if given is None:
            given = {}
        if not isinstance(given, dict) or any(is_placeholder(str(k)) for k in given):
            continue
        for key in (name for name, is_optional in jb.inputs_without_default(component) if not is_optional):
            if given.get(key) is not None:
                continue
            near = _near(key, [str(k) for k in given if given[k] is not None])
            where = doc.yaml.loc(("jobs", name, "inputs"), key=True) if "inputs" in step and doc.yaml \
                else (doc.yaml.loc(("jobs", name), key=True) if doc.yaml else Location())
            yield Hit(f"step '{name}' does not give '{key}', a required input of its component "
                      f"{component.rel}{near}: az ml job create refuses the pipeline (\"Required input "
                      f"'{key}' for component '{name}' not provided\"); give it under the step's `inputs:`",
                      where, related=(component.rel,))
