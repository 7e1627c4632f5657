"""A sweep trial's command names a search-space parameter the sweep does not define.

What it finds: `${{search_space.<name>}}` in a sweep job's `trial.command` where the sweep's
`search_space:` has no parameter `<name>`.

Why it matters: each trial is meant to receive a sampled value there, and none is sampled for a
name the search space does not hold: the hyperparameter you meant to tune is not passed.

Severity: warning. azure-ai-ml (1.35) sends the sweep job without checking these names, and
aml-lint has not seen what the service does with it (refuse the job, or pass the text on), so
the failure is likely, not certain.

Fails:
    $schema: https://azuremlschemas.azureedge.net/latest/sweepJob.schema.json
    type: sweep
    trial:
      code: src
      command: python train.py --lr ${{search_space.learning_rate}}
      environment: azureml:sklearn-env:1
    compute: azureml:cpu-cluster
    sampling_algorithm: random
    search_space:
      lr:
        type: uniform
        min_value: 0.001
        max_value: 0.1
    objective:
      goal: maximize
      primary_metric: accuracy
    limits:
      max_total_trials: 10

Passes:
    $schema: https://azuremlschemas.azureedge.net/latest/sweepJob.schema.json
    type: sweep
    trial:
      code: src
      command: python train.py --lr ${{search_space.lr}}
      environment: azureml:sklearn-env:1
    compute: azureml:cpu-cluster
    sampling_algorithm: random
    search_space:
      lr:
        type: uniform
        min_value: 0.001
        max_value: 0.1
    objective:
      goal: maximize
      primary_metric: accuracy
    limits:
      max_total_trials: 10

Fix: define the parameter under `search_space:` or correct the name in the command.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.job import _bindings as jb

ID = "AML603"
NAME = "search-space-not-defined"
SEVERITY = "warning"
KINDS = (Kind.SWEEP_JOB,)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    for cmd in jb.commands(doc):
        names = jb.declared(doc, (), "search_space")
        if names is None:
            continue
        for m, rank in jb.occurrences(cmd.text, jb.EXPRESSION_RE):
            parts = m.group(1).split(".")
            if parts[0] != "search_space" or len(parts) < 2 or not parts[1] or parts[1] in names:
                continue
            yield Hit(f"{m.group()} in the sweep's trial command names no parameter of `search_space:`"
                      f"{jb.near(parts[1], names)}: "
                      f"no value is sampled for it; define '{parts[1]}' under `search_space:` or correct the name",
                      jb.location_in(doc, cmd.path, m.group(), rank))
