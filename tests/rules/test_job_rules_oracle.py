"""The job rules' errors against azure-ai-ml: no error of AML601/AML602/AML605 on a job the SDK
accepts, and every binding (or required component input) the SDK refuses is an error of aml-lint.

The SDK side does what `az ml job create` / `az ml component create` do on the client before
they talk to Azure: load the file (`load_job`, `load_component`), validate it (`_validate`), build
the request (`to_rest_job_object`, which runs `CommandJob._validate`), and, for a pipeline, the
validation `ComponentOperations.create_or_update` gives each step's component before registering
it. Sockets are blocked throughout.

The cases are a few hand-written jobs (command, sweep, pipeline with inline and component steps,
command component) that both accept, and mutants of them: every `${{...}}` expression renamed
(each of its names in turn), every declared input, output, step and search-space parameter renamed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("azure.ai.ml", reason="azure-ai-ml is not installed (pip install -e '.[dev]' installs it)")

from aml_lint.config import build_settings  # noqa: E402
from aml_lint.engine import run  # noqa: E402
from aml_lint.findings import Severity  # noqa: E402
from oracle.oracle_sdk import NetworkBlocked, sockets_blocked  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore")  # the SDK's experimental-class warnings, thousands

RULES = ("AML601", "AML602", "AML605")
# What the SDK says when it refuses a binding (the other refusals are not these rules' business).
BINDING_REFUSALS = re.compile(r"Inputs to job does not contain|Invalid data binding expression|"
                              r"Failed to find referenced source|Failed to find top level definition|"
                              r"Required input '\w+' for component")

ENV = "azureml:AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest"
COMPONENT = f"""\
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: command
name: train_component
code: src
command: python train.py --data ${{{{inputs.data}}}} --model ${{{{outputs.model}}}} $[[--seed ${{{{inputs.seed}}}}]]
inputs:
  data:
    type: uri_folder
  seed:
    type: integer
    optional: true
outputs:
  model:
    type: uri_folder
environment: {ENV}
"""

BASES: dict[str, dict[str, str]] = {
    "command": {"job.yml": f"""\
$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json
code: src
command: python train.py --data ${{{{inputs.data}}}} --lr ${{{{inputs.lr}}}} $[[--seed ${{{{inputs.seed}}}}]] --model ${{{{outputs.model}}}}
inputs:
  data:
    type: uri_folder
    path: azureml:iris:1
  lr: 0.1
outputs:
  model:
    type: uri_folder
environment: {ENV}
compute: azureml:cpu
"""},
    "sweep": {"job.yml": f"""\
$schema: https://azuremlschemas.azureedge.net/latest/sweepJob.schema.json
type: sweep
trial:
  code: src
  command: python train.py --lr ${{{{search_space.lr}}}} --data ${{{{inputs.data}}}}
  environment: {ENV}
inputs:
  data: 1
compute: azureml:cpu
sampling_algorithm: random
search_space:
  lr:
    type: uniform
    min_value: 0.01
    max_value: 0.1
objective:
  goal: maximize
  primary_metric: acc
limits:
  max_total_trials: 2
"""},
    "pipeline-inline": {"job.yml": f"""\
$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
settings:
  default_compute: azureml:cpu
inputs:
  rate: 0.1
outputs:
  final:
    type: uri_folder
jobs:
  prep:
    type: command
    code: src
    command: python prep.py --out ${{{{outputs.prepared}}}}
    environment: {ENV}
    outputs:
      prepared:
        type: uri_folder
  fit:
    type: command
    code: src
    command: python train.py --data ${{{{inputs.data}}}} --lr ${{{{inputs.lr}}}} --model ${{{{outputs.model}}}}
    environment: {ENV}
    inputs:
      data: ${{{{parent.jobs.prep.outputs.prepared}}}}
      lr: ${{{{parent.inputs.rate}}}}
    outputs:
      model: ${{{{parent.outputs.final}}}}
"""},
    "pipeline-components": {"job.yml": """\
$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
settings:
  default_compute: azureml:cpu
jobs:
  first:
    type: command
    component: file:component.yml
    inputs:
      data:
        type: uri_folder
        path: azureml:iris:1
  second:
    type: command
    component: file:component.yml
    inputs:
      data: ${{parent.jobs.first.outputs.model}}
""", "component.yml": COMPONENT},
    "component": {"component.yml": COMPONENT},
}


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, str]

    @property
    def main(self) -> str:
        return "job.yml" if "job.yml" in self.files else "component.yml"


_EXPR = re.compile(r"\$\{\{\s*([\w.]+)\s*\}\}")
# A declared name: a key under inputs:/outputs:/jobs:/search_space: (indented, own line, no value
# on the line or a value) that the expressions refer to.
_KEY = re.compile(r"^(?P<indent> +)(?P<name>[a-z_]+):", re.M)
_STRUCTURAL = {"type", "path", "code", "command", "environment", "inputs", "outputs", "optional",
               "min_value", "max_value", "component", "jobs", "settings", "default_compute", "trial",
               "goal", "primary_metric", "max_total_trials", "search_space", "limits", "objective"}


def mutants() -> Iterator[Case]:
    for base, files in BASES.items():
        yield Case(base, files)
        for rel, text in files.items():
            for m in _EXPR.finditer(text):
                parts = m.group(1).split(".")
                for i, part in enumerate(parts):
                    if part in ("inputs", "outputs", "parent", "jobs", "search_space"):
                        continue
                    renamed = ".".join(parts[:i] + [part + "x"] + parts[i + 1:])
                    new = text[:m.start(1)] + renamed + text[m.end(1):]
                    yield Case(f"{base}:{rel}:{m.group(1)}->{renamed}", {**files, rel: new})
            for m in _KEY.finditer(text):
                if m.group("name") in _STRUCTURAL:
                    continue
                new = text[:m.start("name")] + m.group("name") + "x" + text[m.end("name"):]
                yield Case(f"{base}:{rel}:declared {m.group('name')} (line {text[:m.start()].count(chr(10)) + 1})",
                           {**files, rel: new})
            for m in re.finditer(r"\$\[\[(.*?)\]\]", text):
                yield Case(f"{base}:{rel}:unwrapped {m.group(1)}", {**files, rel: text[:m.start()] + m.group(1)
                                                                      + text[m.end():]})


class Sdk:
    def __init__(self) -> None:
        with sockets_blocked():
            from azure.ai.ml import load_component, load_job
            from azure.ai.ml.entities import Component, PipelineJob
            from azure.ai.ml.entities._job.to_rest_functions import to_rest_job_object
        self.load_job, self.load_component, self.to_rest = load_job, load_component, to_rest_job_object
        self.Component, self.PipelineJob = Component, PipelineJob
        logging.getLogger("azure").setLevel(logging.CRITICAL)

    def refusal(self, path: Path) -> str | None:
        """None when create would send the file, else the SDK's complaint."""
        try:
            with sockets_blocked():
                if path.name == "component.yml":
                    self._passed(self.load_component(path))
                    return None
                job = self.load_job(path)
                self._passed(job)
                self.to_rest(job)
                if isinstance(job, self.PipelineJob):
                    for node in job.jobs.values():
                        component = getattr(node, "_component", None)
                        if isinstance(component, self.Component):
                            self._passed(component)
        except NetworkBlocked:
            raise
        except Exception as exc:  # marshmallow, the SDK's own and plain Python errors alike
            return f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
        return None

    @staticmethod
    def _passed(entity: Any) -> None:
        validate = getattr(entity, "_validate", None)  # a SweepJob has none
        result = validate(raise_error=False) if validate is not None else None
        if result is not None and not result.passed:
            raise ValueError(" ".join(str(result).split()))


@pytest.fixture(scope="module")
def sdk() -> Sdk:
    return Sdk()


CASES = list(mutants())


def test_enough_cases() -> None:
    assert len(CASES) > 40
    # An undeclared output of a command job (a warning, the SDK sends it) is among the cases.
    assert any(c.name.startswith("command:job.yml:outputs.model->") for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_job_rules_agree_with_the_sdk(case: Case, sdk: Sdk, tmp_path: Path) -> None:
    for rel, text in case.files.items():
        (tmp_path / rel).write_text(text, encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text("print('train')\n", encoding="utf-8")
    (tmp_path / "src" / "prep.py").write_text("print('prep')\n", encoding="utf-8")
    # The whole case: a pipeline's component file gets its own findings (create validates it too).
    result = run(build_settings(tmp_path, select=",".join(RULES)))
    assert not result.internal_errors
    lint_errors = [f for f in result.findings if f.severity is Severity.ERROR]
    refusal = sdk.refusal(tmp_path / case.main)
    if case.name in BASES:
        assert refusal is None and not result.findings, (refusal, result.findings)
    if lint_errors:
        assert refusal is not None, f"aml-lint reports an error the SDK accepts: {lint_errors[0].message}"
    if refusal is not None and BINDING_REFUSALS.search(refusal):
        assert lint_errors, f"the SDK refuses a binding aml-lint does not report as an error: {refusal}"
