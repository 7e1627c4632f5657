"""AML007 on jobs: a job of the 2021 preview is one finding, not a schema error per old key."""

from __future__ import annotations

from lintkit import LintFn

PREVIEW_JOB = """
$schema: https://azuremlsdk2.blob.core.windows.net/latest/commandJob.schema.json
code:
  local_path: src
command: python train.py --data {inputs.training_data}
inputs:
  training_data:
    data:
      local_path: data
    mode: mount
environment:
  docker:
    image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250601.v1
  conda_file: file:conda.yml
compute:
  target: azureml:cpu-cluster
"""

PREVIEW_SWEEP = """
type: sweep_job
trial:
  code:
    local_path: src
  command: python train.py --lr {search_space.lr}
  environment: azureml:AzureML-sklearn-1.0-ubuntu20.04-py38-cpu:33
  compute:
    target: azureml:cpu-cluster
search_space:
  lr:
    spec: uniform
    min_value: 0.01
    max_value: 0.1
objective:
  primary_metric: accuracy
  goal: maximize
algorithm: random
"""

CURRENT_JOB = """
$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json
code: src
command: python train.py --data ${{inputs.training_data}}
inputs:
  training_data:
    type: uri_folder
    path: ./data
environment:
  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250601.v1
  conda_file: conda.yml
compute: azureml:cpu-cluster
"""

CONDA = "dependencies:\n  - python=3.12\n  - pip\n  - pip:\n      - scikit-learn==1.5.2\n"
SCRIPT = "import sklearn\n"


def test_preview_command_job_is_one_finding(lint: LintFn) -> None:
    files = {"job.yml": PREVIEW_JOB, "src/train.py": SCRIPT, "conda.yml": CONDA, "data/x.csv": "a\n"}
    found = [f for f in lint(files) if f.severity.label == "error"]
    assert [(f.rule_id, f.line) for f in found] == [("AML007", 2)]
    message = found[0].message
    for old in ("code.local_path", "inputs.training_data.data", "environment.docker.image",
                "environment.conda_file: file:", "compute.target"):
        assert old in message
    assert "commandJob.schema.json" in message


def test_preview_sweep_folds_every_schema_error(lint: LintFn) -> None:
    found = [f for f in lint({"sweep.yml": PREVIEW_SWEEP, "src/train.py": SCRIPT}) if f.severity.label == "error"]
    assert [f.rule_id for f in found] == ["AML007"]
    assert "type: sweep_job -> type: sweep" in found[0].message
    assert "trial.compute.target" in found[0].message


def test_current_job_has_no_preview_finding(lint: LintFn) -> None:
    files = {"job.yml": CURRENT_JOB, "src/train.py": SCRIPT, "conda.yml": CONDA, "data/x.csv": "a\n"}
    assert [f for f in lint(files) if f.rule_id in ("AML007", "AML005", "AML101")] == []


def test_current_job_with_a_misspelt_key_is_still_a_schema_error(lint: LintFn) -> None:
    files = {"job.yml": CURRENT_JOB.replace("compute:", "comput:"), "src/train.py": SCRIPT, "conda.yml": CONDA,
             "data/x.csv": "a\n"}
    assert [f.rule_id for f in lint(files) if f.severity.label == "error"] == ["AML005"]


def test_preview_job_without_schema_or_type_is_recognised(lint: LintFn) -> None:
    # no `$schema`, no `type:`: the preview's `docker:` environment still names an AzureML one
    job = """
experiment_name: r-example
code:
  local_path: ./src
command: Rscript train.R --data {inputs.training_data}
environment:
  docker:
    build:
      dockerfile: file:../r.dockerfile
compute:
  target: azureml:cpu-cluster
"""
    found = [f for f in lint({"job.yml": job, "src/train.R": "x <- 1\n", "r.dockerfile": "FROM r-base\n"})
             if f.severity.label == "error"]
    assert [f.rule_id for f in found] == ["AML007"]
