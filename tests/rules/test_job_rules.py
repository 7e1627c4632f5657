"""The job rules (AML6xx) on hand-written minimal jobs: the docstring examples, and each rule's
failing and passing cases with the line and column of the expression it reports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lintkit import LintFn, doc_example

LAST_ROOT: list[Path] = []


@pytest.fixture(autouse=True)
def _root(tmp_path: Path) -> None:
    LAST_ROOT[:] = [tmp_path]  # the `lint` fixture writes the files here


COMMAND_SCHEMA = "$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json\n"
PIPELINE_SCHEMA = "$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json\n"
COMPONENT_SCHEMA = "$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json\n"
ENV = "environment: azureml:sklearn-env:1\n"


def _files(example: str) -> dict[str, str | bytes]:
    """An example split into files at `# <name>.yml` lines (the first part is job.yml)."""
    files: dict[str, str | bytes] = {}
    name = "job.yml"
    for part in re.split(r"^# (\S+\.ya?ml)\n", example, flags=re.M):
        if re.fullmatch(r"\S+\.ya?ml", part):
            name = part
        elif part.strip():
            files[name] = part
    return files


@pytest.mark.parametrize("rule_id", ["AML601", "AML602", "AML603", "AML604", "AML605"])
def test_docstring_examples(rule_id: str, lint: LintFn) -> None:
    assert lint(_files(doc_example(rule_id, "Fails")), rule=rule_id), f"{rule_id}: Fails passes"
    assert lint(_files(doc_example(rule_id, "Passes")), rule=rule_id) == [], f"{rule_id}: Passes fails"


def _at(findings: list, rule: str) -> list[tuple[int, int, str]]:
    """(line, col, severity) of the rule's findings, each checked to point at an expression."""
    for f in findings:
        if f.rule_id == rule:
            source = (LAST_ROOT[0] / f.path).read_text(encoding="utf-8").splitlines()[f.location.line - 1]
            assert source[f.location.col - 1:].startswith("${{"), (source, f.location)
    return [(f.location.line, f.location.col, f.severity.label) for f in findings if f.rule_id == rule]


# --------------------------------------------------------------------------- AML601


def test_command_job_input_not_declared(lint: LintFn) -> None:
    job = (COMMAND_SCHEMA + "code: src\n"
           "command: python train.py --data ${{inputs.data}} --lr ${{inputs.lr}}\n"
           "inputs:\n  lr: 0.1\n" + ENV + "compute: azureml:cpu\n")
    found = lint({"job.yml": job}, rule="AML601")
    assert _at(found, "AML601") == [(3, 33, "error")]
    assert "'data'" in found[0].message and "Inputs to job does not contain" in found[0].message
    fixed = job.replace("inputs:\n  lr: 0.1\n", "inputs:\n  lr: 0.1\n  data:\n    type: uri_folder\n"
                        "    path: azureml:iris:1\n")
    assert lint({"job.yml": fixed}, rule="AML601") == []


def test_command_job_near_name_and_folded_command(lint: LintFn) -> None:
    job = (COMMAND_SCHEMA + "code: src\ncommand: >-\n  python train.py\n  --epochs ${{inputs.epoch}}\n"
           "inputs:\n  epochs: 3\n" + ENV)
    found = lint({"job.yml": job}, rule="AML601")
    assert _at(found, "AML601") == [(5, 12, "error")]
    assert "did you mean 'epochs'?" in found[0].message


def test_command_job_optional_and_spaced_forms(lint: LintFn) -> None:
    """What CommandJob._validate skips: an input inside $[[ ]] (never reported when undeclared in a
    job), the spaced form (a warning), an undeclared output (a warning: it most likely fails on the compute)."""
    job = (COMMAND_SCHEMA + "code: src\n"
           "command: python train.py $[[--seed ${{inputs.seed}}]] --a ${{ inputs.a }} --o ${{outputs.model}}\n"
           + ENV)
    found = lint({"job.yml": job}, rule="AML601")
    assert _at(found, "AML601") == [(3, 59, "warning"), (3, 79, "warning")]
    assert "most likely fails on the compute" in found[1].message
    declared = job + "inputs:\n  a: 1\noutputs:\n  model:\n    type: uri_folder\n"
    assert lint({"job.yml": declared}, rule="AML601") == []


def test_sweep_trial_binds_the_sweeps_inputs(lint: LintFn) -> None:
    sweep = ("$schema: https://azuremlschemas.azureedge.net/latest/sweepJob.schema.json\ntype: sweep\n"
             "trial:\n  code: src\n  command: python train.py --lr ${{search_space.lr}} --d ${{inputs.data}}\n"
             "  " + ENV + "compute: azureml:cpu\nsampling_algorithm: random\n"
             "search_space:\n  lr:\n    type: uniform\n    min_value: 0.01\n    max_value: 0.1\n"
             "objective:\n  goal: maximize\n  primary_metric: acc\nlimits:\n  max_total_trials: 2\n")
    assert _at(lint({"sweep.yml": sweep}, rule="AML601"), "AML601") == [(5, 58, "error")]
    assert lint({"sweep.yml": sweep + "inputs:\n  data: 1\n"}, rule="AML601") == []


def test_pipeline_step_command(lint: LintFn) -> None:
    """An inline step is registered as a component: undeclared outputs and parent bindings are errors."""
    pipeline = (PIPELINE_SCHEMA + "type: pipeline\nsettings:\n  default_compute: azureml:cpu\n"
                "inputs:\n  lr: 0.1\njobs:\n  train:\n    type: command\n    code: src\n"
                "    command: python train.py --out ${{outputs.model}} --lr ${{parent.inputs.lr}}\n"
                "    " + ENV)
    found = lint({"pipeline.yml": pipeline}, rule="AML601")
    assert _at(found, "AML601") == [(11, 36, "error"), (11, 60, "error")]
    assert "step 'train'" in found[0].message
    good = pipeline.replace("${{parent.inputs.lr}}", "${{inputs.lr}}") + (
        "    inputs:\n      lr: ${{parent.inputs.lr}}\n    outputs:\n      model:\n        type: uri_folder\n")
    assert lint({"pipeline.yml": good}, rule="AML601") == []


def test_component_command(lint: LintFn) -> None:
    component = (COMPONENT_SCHEMA + "type: command\nname: train\ncode: src\n"
                 "command: python train.py --x ${{inputs.x}} $[[--y ${{inputs.y}}]]\n"
                 "inputs:\n  x:\n    type: integer\n" + ENV)
    found = lint({"component.yml": component}, rule="AML601")
    assert _at(found, "AML601") == [(5, 51, "error")]  # inside $[[ ]] too: the component is validated
    good = component.replace("inputs:\n", "inputs:\n  y:\n    type: integer\n    optional: true\n")
    assert lint({"component.yml": good}, rule="AML601") == []


def test_expressions_elsewhere_and_placeholders_are_left_alone(lint: LintFn) -> None:
    job = (COMMAND_SCHEMA + "code: src\ncommand: python train.py --run ${{name}} --x {{ x }} $(arg)\n"
           + ENV + "outputs:\n  model:\n    type: uri_folder\n"
           "    path: azureml://datastores/${{default_datastore}}/paths/${{name}}/\n"
           "environment_variables:\n  OUT: ${{outputs.other}}\n")
    assert lint({"job.yml": job}, rule="AML601") == []
    templated_keys = COMMAND_SCHEMA + "command: python t.py ${{inputs.data}}\ninputs:\n  $(name): 1\n" + ENV
    assert lint({"job.yml": templated_keys}, rule="AML601") == []
    templated_name = COMMAND_SCHEMA + "command: python t.py ${{inputs.$(name)}} ${{inputs.__NAME__}}\n" + ENV
    assert lint({"job.yml": templated_name}, rule="AML601") == []
    templated_step = PIPELINE.replace("parent.jobs.prep.outputs.data", "parent.jobs.$(step).outputs.data")
    assert lint({"pipeline.yml": templated_step}, rule="AML602") == []


# --------------------------------------------------------------------------- AML602

PIPELINE = (PIPELINE_SCHEMA + "type: pipeline\nsettings:\n  default_compute: azureml:cpu\n"
            "inputs:\n  lr: 0.1\noutputs:\n  final:\n    type: uri_folder\njobs:\n"
            "  prep:\n    type: command\n    code: src\n    command: python prep.py --o ${{outputs.data}}\n"
            "    " + ENV + "    outputs:\n      data:\n        type: uri_folder\n"
            "  train:\n    type: command\n    code: src\n"
            "    command: python train.py --d ${{inputs.d}} --lr ${{inputs.lr}} --m ${{outputs.m}}\n"
            "    " + ENV + "    inputs:\n      d: ${{parent.jobs.prep.outputs.data}}\n"
            "      lr: ${{parent.inputs.lr}}\n    outputs:\n      m: ${{parent.outputs.final}}\n")


def test_pipeline_bindings_that_resolve(lint: LintFn) -> None:
    assert lint({"pipeline.yml": PIPELINE}, rule="AML602") == []


@pytest.mark.parametrize(("old", "new", "line", "says"), [
    ("parent.jobs.prep.outputs.data", "parent.jobs.prepare.outputs.data", 25, "no step of the pipeline 'prepare'"),
    ("parent.jobs.prep.outputs.data", "parent.jobs.prep.outputs.dta", 25, "no output 'dta' of step 'prep'"),
    ("parent.inputs.lr}}", "parent.inputs.rate}}", 26, "no pipeline input 'rate'"),
    ("parent.outputs.final", "parent.outputs.best", 28, "no pipeline output 'best'"),
])
def test_pipeline_binding_to_nothing_in_an_inline_step(lint: LintFn, old: str, new: str, line: int,
                                                      says: str) -> None:
    found = lint({"pipeline.yml": PIPELINE.replace(old, new)}, rule="AML602")
    assert _at(found, "AML602") == [(line, 10 if line != 26 else 11, "error")]
    assert says in found[0].message


COMPONENT = (COMPONENT_SCHEMA + "type: command\nname: train\ncode: src\n"
             "command: python train.py --x ${{inputs.x}} --m ${{outputs.m}}\n"
             "inputs:\n  x:\n    type: uri_folder\noutputs:\n  m:\n    type: uri_folder\n" + ENV)


def test_pipeline_binding_in_a_component_step_is_a_warning(lint: LintFn) -> None:
    pipeline = (PIPELINE_SCHEMA + "type: pipeline\nsettings:\n  default_compute: azureml:cpu\njobs:\n"
                "  first:\n    type: command\n    component: file:component.yml\n    inputs:\n      x: 1\n"
                "  second:\n    type: command\n    component: file:component.yml\n    inputs:\n"
                "      x: ${{parent.jobs.first.outputs.model}}\n")
    found = lint({"pipeline.yml": pipeline, "component.yml": COMPONENT}, rule="AML602")
    assert _at(found, "AML602") == [(15, 10, "warning")]
    assert "no output 'model' of step 'first'" in found[0].message
    good = pipeline.replace("outputs.model", "outputs.m")
    assert lint({"pipeline.yml": good, "component.yml": COMPONENT}, rule="AML602") == []


def test_pipeline_binding_inside_text_is_not_checked(lint: LintFn) -> None:
    text = PIPELINE.replace("d: ${{parent.jobs.prep.outputs.data}}", "d: x-${{parent.jobs.gone.outputs.data}}")
    assert lint({"pipeline.yml": text}, rule="AML602") == []
    # Two expressions joined are not one binding (they were read as input 'lr}}-${{parent').
    joined = PIPELINE.replace("lr: ${{parent.inputs.lr}}", "lr: ${{parent.inputs.lr}}-${{parent.inputs.lr}}")
    assert lint({"pipeline.yml": joined}, rule="AML602") == []


# --------------------------------------------------------------------------- AML603 / AML604


def test_search_space_parameter(lint: LintFn) -> None:
    fails = doc_example("AML603", "Fails")
    found = lint({"sweep.yml": fails}, rule="AML603")
    assert _at(found, "AML603") == [(5, 33, "warning")]
    assert "did you mean" not in found[0].message
    assert lint({"sweep.yml": fails.replace("learning_rate", "lr")}, rule="AML603") == []


def test_optional_input_outside_brackets(lint: LintFn) -> None:
    fails = doc_example("AML604", "Fails")
    found = lint({"component.yml": fails}, rule="AML604")
    assert _at(found, "AML604") == [(5, 62, "warning")]
    with_default = fails.replace("optional: true", "optional: true\n    default: 3")
    assert lint({"component.yml": with_default}, rule="AML604") == []
    required = fails.replace("    optional: true\n", "")
    assert lint({"component.yml": required}, rule="AML604") == []


# --------------------------------------------------------------------------- AML605


def test_required_component_input_not_given(lint: LintFn) -> None:
    files = _files(doc_example("AML605", "Fails"))
    found = lint(files, rule="AML605")
    assert [(f.path, f.location.line, f.location.col, f.severity.label) for f in found] == [
        ("job.yml", 9, 5, "error")]
    assert "'data'" in found[0].message and "is 'training_data' meant to be it?" in found[0].message
    # Optional, or with a default: nothing to give.
    for spec in ("    optional: true\n", "    optional: 'true'\n", "    default: azureml:iris:1\n"):
        loose = {**files, "train.yml": str(files["train.yml"]).replace("    type: uri_folder\n",
                                                                        "    type: uri_folder\n" + spec)}
        assert lint(loose, rule="AML605") == []
    # A registered component is not read: nothing said.
    registered = {"job.yml": str(files["job.yml"]).replace("file:train.yml", "azureml:train:1")}
    assert lint(registered, rule="AML605") == []
