"""The script rules that make sense for training run on a job's entry script, against the job's
environment; the serving-only ones stay silent there. End to end: a command job, its conda file
and its train.py, linted as a repository."""

from __future__ import annotations

from aml_lint.findings import Finding, Severity
from lintkit import LintFn

JOB = """\
$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json
type: command
code: src
command: python train.py --C ${{inputs.C}}
inputs:
  C: 0.5
environment:
  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250101.v1
  conda_file: env/conda.yml
compute: azureml:cpu-cluster
"""
CONDA = """\
name: train
channels:
  - conda-forge
dependencies:
  - python=3.12
  - pip
  - pip:
      - scikit-learn==1.5.2
      - joblib==1.4.2
"""
TRAIN = """\
import argparse

import joblib
from sklearn.linear_model import LogisticRegression


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--C", type=float)
    args = parser.parse_args()
    joblib.dump(LogisticRegression(C=args.C), "outputs/model.pkl")


if __name__ == "__main__":
    main()
"""


def _repo(train: str = TRAIN, job: str = JOB, **extra: str) -> dict[str, str | bytes]:
    return {"job.yml": job, "env/conda.yml": CONDA, "src/train.py": train, **extra}


def _on_train(findings: list[Finding]) -> list[tuple[str, int, str]]:
    return [(f.rule_id, f.location.line, f.severity.label) for f in findings if f.path == "src/train.py"]


def test_provided_imports_give_nothing(lint: LintFn) -> None:
    assert _on_train(lint(_repo())) == []


def test_missing_import_is_an_error_against_the_jobs_environment(lint: LintFn) -> None:
    findings = lint(_repo(TRAIN.replace("import joblib\n", "import joblib\nimport lightgbm\n")))
    assert _on_train(findings) == [("AML501", 4, "error")]
    message = next(f.message for f in findings if f.rule_id == "AML501")
    assert message.startswith("'lightgbm' is imported but the job's environment env/conda.yml does not install it")
    assert "scoring script" not in message and "deployment" not in message
    fix = next(f.fix for f in findings if f.rule_id == "AML501")
    assert fix is not None and fix.safe and fix.paths == ("env/conda.yml",)  # pinned: Python 3.12 is pinned


def test_unknown_module_message_names_the_entry_script(lint: LintFn) -> None:
    findings = lint(_repo(TRAIN.replace("import joblib\n", "import joblib\nimport trainutils\n")))
    message = next(f.message for f in findings if f.rule_id == "AML501")
    assert "next to the entry script" in message and "the job's environment" in message
    # The module in the code folder: nothing (the job runs from there).
    assert _on_train(lint(_repo(TRAIN.replace("import joblib\n", "import joblib\nimport trainutils\n"),
                                **{"src/trainutils.py": "X = 1\n"}))) == []


def test_removed_stdlib_module(lint: LintFn) -> None:
    findings = lint(_repo(TRAIN.replace("import argparse\n", "import argparse\nimport imp\n")))
    assert _on_train(findings) == [("AML503", 2, "error")]
    assert "Python 3.12" in next(f.message for f in findings if f.rule_id == "AML503")


def test_runtime_pip_install_in_the_entry_script(lint: LintFn) -> None:
    train = TRAIN.replace("import argparse\n", "import argparse\nimport os\n").replace(
        "    parser = argparse", "    os.system('pip install lightgbm')\n    parser = argparse")
    findings = lint(_repo(train))
    assert _on_train(findings) == [("AML302", 9, "warning")]
    message = next(f.message for f in findings if f.rule_id == "AML302")
    assert message.startswith("the entry script train.py runs 'pip install' at run time")
    assert "managed network" in message and "the job's environment" in message
    assert "non-root" not in message  # a serving container's concern, not a job's


def test_install_in_the_jobs_command_warns_and_leaves_imports_unjudged(lint: LintFn) -> None:
    job = JOB.replace("command: python train.py", "command: pip install -r requirements.txt && python train.py")
    train = TRAIN.replace("import joblib\n", "import joblib\nimport lightgbm\nimport imp\n")
    findings = lint(_repo(train, job))
    assert _on_train(findings) == []  # the install may bring lightgbm (and a backport of imp)
    on_job = [(f.rule_id, f.location.line, f.location.col, f.severity) for f in findings if f.path == "job.yml"]
    assert on_job == [("AML302", 4, 10, Severity.WARNING)]
    # Without the install, both are reported.
    assert {r for r, _, _ in _on_train(lint(_repo(train)))} == {"AML501", "AML503"}


def test_pythonpath_set_by_the_job_leaves_imports_unjudged(lint: LintFn) -> None:
    job = JOB.replace("command: python train.py", "command: PYTHONPATH=lib python train.py")
    train = TRAIN.replace("import joblib\n", "import joblib\nimport trainutils\n")
    assert _on_train(lint(_repo(train, job))) == []
    assert _on_train(lint(_repo(train))) == [("AML501", 4, "error")]


def test_serving_only_rules_stay_silent_on_the_entry_script(lint: LintFn) -> None:
    """A training script with no init()/run(), returning nothing JSON, loading a model in main(),
    reading a pickle: none of the scoring-script rules (AML301, AML303-307) nor the inference
    server rules (AML209, AML212, AML214) apply to it or to its environment."""
    train = TRAIN.replace("import joblib\n", "import joblib\nimport pickle\n").replace(
        "    joblib.dump(", "    model = pickle.load(open('model.pkl', 'rb'))\n    joblib.dump(")
    findings = lint(_repo(train))
    serving = {"AML301", "AML303", "AML304", "AML305", "AML306", "AML307", "AML209", "AML212", "AML214"}
    assert [f for f in findings if f.rule_id in serving] == []
    assert _on_train(findings) == []


PIPELINE = """\
$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
settings:
  default_compute: azureml:cpu-cluster
jobs:
  prep:
    type: command
    code: src
    command: pip install lightgbm && python prep.py
    environment:
      image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250101.v1
      conda_file: env/conda.yml
  train:
    type: command
    code: src
    command: python train.py
    environment:
      image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250101.v1
      conda_file: env/conda.yml
"""


def test_only_the_step_whose_command_installs_is_left_unjudged(lint: LintFn) -> None:
    """The install in step 'prep' says nothing about what step 'train' has."""
    uses = "import joblib\nimport lightgbm\n"
    findings = lint({"pipeline.yml": PIPELINE, "env/conda.yml": CONDA,
                     "src/prep.py": TRAIN.replace("import joblib\n", uses),
                     "src/train.py": TRAIN.replace("import joblib\n", uses)})
    missing = [(f.path, f.location.line) for f in findings if f.rule_id == "AML501"]
    assert missing == [("src/train.py", 4)]
    message = next(f.message for f in findings if f.rule_id == "AML501")
    assert "the job's environment" in message
    assert [(f.path, f.location.line) for f in findings if f.rule_id == "AML302"] == [("pipeline.yml", 9)]


def test_install_in_a_module_the_entry_script_imports(lint: LintFn) -> None:
    train = TRAIN.replace("import joblib\n", "import joblib\nimport setup_env\n")
    module = "import subprocess\n\nsubprocess.check_call(['pip', 'install', 'lightgbm'])\n"
    findings = lint(_repo(train, **{"src/setup_env.py": module}))
    hits = [(f.path, f.location.line, f.severity.label) for f in findings if f.rule_id == "AML302"]
    assert hits == [("src/setup_env.py", 3, "warning")]
    message = next(f.message for f in findings if f.rule_id == "AML302")
    assert message.startswith("setup_env.py, a module imported by the entry script train.py, runs 'pip install'")
    assert "the job's environment" in message


COMPONENT = """\
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: command
name: train
code: src
command: python train.py --C ${{inputs.C}}
inputs:
  C:
    type: number
environment:
  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250101.v1
  conda_file: env/conda.yml
"""
SWEEP = """\
$schema: https://azuremlschemas.azureedge.net/latest/sweepJob.schema.json
type: sweep
trial:
  code: src
  command: python train.py --C ${{search_space.C}}
  environment:
    image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250101.v1
    conda_file: env/conda.yml
compute: azureml:cpu-cluster
sampling_algorithm: random
search_space:
  C:
    type: uniform
    min_value: 0.1
    max_value: 1.0
objective:
  goal: maximize
  primary_metric: accuracy
limits:
  max_total_trials: 4
"""


def test_a_components_and_a_sweep_trials_entry_script(lint: LintFn) -> None:
    train = TRAIN.replace("import joblib\n", "import joblib\nimport lightgbm\n")
    for runner in (COMPONENT, SWEEP):
        findings = lint({"runner.yml": runner, "env/conda.yml": CONDA, "src/train.py": train})
        assert _on_train(findings) == [("AML501", 4, "error")], runner
        assert "the job's environment env/conda.yml" in next(f.message for f in findings if f.rule_id == "AML501")


def test_pin_the_jobs_inline_python_cannot_install(lint: LintFn) -> None:
    inline = JOB.replace("  conda_file: env/conda.yml\n", "  conda_file:\n    dependencies:\n      - python=3.10\n"
                         "      - pip\n      - pip:\n          - numpy==1.19.5\n")
    found = [(f.path, f.location.line, f.severity.label) for f in lint({"job.yml": inline, "src/train.py": TRAIN})
             if f.rule_id == "AML504"]
    assert found == [("job.yml", 14, "error")]
    fine = inline.replace("numpy==1.19.5", "numpy==1.26.4")
    assert [f for f in lint({"job.yml": fine, "src/train.py": TRAIN}) if f.rule_id == "AML504"] == []
