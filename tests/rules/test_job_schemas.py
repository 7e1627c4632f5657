"""AML005 on command, sweep and pipeline jobs and command components: line-accurate findings,
"did you mean" for misspelt keys, errors where `az ml job/component create` refuses the file and
warnings where azure-ai-ml ignores what it does not know (checked against azure-ai-ml 1.35 by
tests/oracle)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from aml_lint.documents import Kind
from aml_lint.schemas import SCHEMA_FILES, _resolve, load_schema, quick, validator
from lintkit import LintFn
from test_schema_quick import _paths

S = "$schema: https://azuremlschemas.azureedge.net/latest/"
JOB = S + """commandJob.schema.json
type: command
code: src
command: python train.py --lr ${{inputs.lr}}
inputs:
  lr: 0.01
environment: azureml:my-env:1
compute: azureml:cpu
"""
SWEEP = S + """sweepJob.schema.json
type: sweep
trial:
  code: src
  command: python train.py --lr ${{search_space.lr}}
  environment: azureml:my-env:1
search_space:
  lr: {type: uniform, min_value: 0.001, max_value: 0.1}
objective:
  goal: maximize
  primary_metric: accuracy
limits:
  max_total_trials: 4
"""
PIPELINE = S + """pipelineJob.schema.json
type: pipeline
settings:
  default_compute: azureml:cpu
jobs:
  prep:
    type: command
    code: src
    command: python prep.py
    environment: azureml:my-env:1
  train:
    type: command
    component: file:component.yml
    inputs:
      lr: 0.1
"""
COMPONENT = S + """commandComponent.schema.json
type: command
name: train
version: 1
code: src
command: python train.py --lr ${{inputs.lr}}
environment: azureml:my-env:1
inputs:
  lr:
    type: number
    default: 0.1
"""
SUPPORT = {"src/train.py": "print('train')\n", "src/prep.py": "print('prep')\n", "component.yml": COMPONENT}


def findings(lint: LintFn, main: str, text: str) -> list[tuple[int, int, str, str]]:
    files = {**SUPPORT, main: text}
    return [(f.location.line, f.location.col, f.severity.label, f.message)
            for f in lint(files, rule="AML005") if f.path == main]


@pytest.mark.parametrize("text", [JOB, SWEEP, PIPELINE, COMPONENT])
def test_valid_documents_have_no_finding(lint: LintFn, text: str) -> None:
    assert findings(lint, "job.yml", text) == []


def test_misspelt_key_of_a_command_job_says_did_you_mean(lint: LintFn) -> None:
    text = JOB.replace("environment:", "enviroment:")
    # One mistake, one finding: not also "missing required key(s): environment".
    assert findings(lint, "job.yml", text) == [
        (7, 1, "error", "unknown key 'enviroment' for a command job; did you mean 'environment'?")]


def test_missing_command_is_an_error(lint: LintFn) -> None:
    text = JOB.replace("command: python train.py --lr ${{inputs.lr}}\n", "")
    assert findings(lint, "job.yml", text) == [
        (1, 1, "error", "the document is missing required key(s): command")]


def test_wrong_type_and_wrong_enum(lint: LintFn) -> None:
    text = JOB + "limits:\n  timeout: soon\ndistribution:\n  type: horovod\n"
    assert findings(lint, "job.yml", text) == [
        (10, 12, "error", "'limits.timeout' must be an integer, not a string ('soon')"),
        (12, 9, "error", "'distribution.type' is 'horovod'; expected one of: pytorch, tensorflow, mpi, ray (any case)"),
    ]


def test_distribution_keys_follow_its_type(lint: LintFn) -> None:
    text = JOB + "distribution:\n  type: PyTorch\n  worker_count: 2\n"
    assert findings(lint, "job.yml", text) == [
        (11, 3, "error", "unknown key 'worker_count' under 'distribution' (allowed: process_count_per_instance, type)")]


def test_environment_string_must_be_a_reference(lint: LintFn) -> None:
    text = JOB.replace("azureml:my-env:1", "my-env")
    assert findings(lint, "job.yml", text) == [
        (7, 14, "error", "'environment' is 'my-env'; expected a registered environment ('azureml:<name>:<version>', "
                         "'azureml:<name>@latest', 'azureml://registries/...'), an environment file "
                         "('file:environment.yml'), or an inline definition (image, conda_file, build)")]
    assert findings(lint, "job.yml", JOB.replace("azureml:my-env:1", "file:env/environment.yml")) == []


def test_tags_of_a_job_are_strings(lint: LintFn) -> None:
    assert findings(lint, "job.yml", JOB + "tags:\n  epochs: 3\n") == [
        (10, 11, "error", "'tags.epochs' must be a string or null, not a number (3)")]


def test_a_quoted_number_loads(lint: LintFn) -> None:
    assert findings(lint, "job.yml", JOB + "limits:\n  timeout: '3600'\n") == [
        (10, 12, "info", "'limits.timeout' is the quoted number '3600': the CLI converts it, but write it unquoted")]


def test_sweep_trial_is_a_command(lint: LintFn) -> None:
    text = SWEEP.replace("  code: src\n", "  code: src\n  compute: azureml:gpu\n").replace(
        "  environment: azureml:my-env:1\n", "")
    assert findings(lint, "sweep.yml", text) == [
        (4, 3, "error", "'trial' is missing required key(s): environment"),
        (5, 3, "error", "unknown key 'compute' under 'trial' (allowed: code, command, distribution, environment, "
                        "environment_variables, queue_settings, resources)"),
    ]


def test_sweep_requirements_and_search_space(lint: LintFn) -> None:
    text = SWEEP.replace("limits:\n  max_total_trials: 4\n", "").replace("type: uniform", "type: unifrom")
    assert findings(lint, "sweep.yml", text) == [
        (1, 1, "error", "the document is missing required key(s): limits"),
        (8, 14, "error", "'search_space.lr.type' is 'unifrom'; expected one of: choice, randint, uniform, "
                         "loguniform, quniform, qloguniform, normal, lognormal, qnormal, qlognormal (any case)"),
    ]


def test_sweep_without_type_is_loaded_as_a_command_job(lint: LintFn) -> None:
    assert findings(lint, "sweep.yml", SWEEP.replace("type: sweep\n", "")) == [
        (1, 1, "error", "the document is missing required key(s): type")]


def test_inline_pipeline_step_is_checked_as_a_command(lint: LintFn) -> None:
    text = PIPELINE.replace("    code: src\n", "    cod: src\n").replace("    command: python prep.py\n", "")
    assert findings(lint, "pipeline.yml", text) == [
        (7, 5, "error", "'jobs.prep' is missing required key(s): command (an inline step runs 'command' in "
                        "'environment'; a step that runs a component names it with 'component:')"),
        (8, 5, "error", "unknown key 'cod' under 'jobs.prep'; did you mean 'code'?"),
    ]


def test_pipeline_step_type_and_component_reference(lint: LintFn) -> None:
    text = PIPELINE.replace("    type: command\n    code", "    type: comand\n    code").replace(
        "file:component.yml", "train:1")
    assert findings(lint, "pipeline.yml", text) == [
        (7, 11, "error", "'jobs.prep.type' is 'comand'; expected one of: command, sweep, parallel, pipeline, automl, "
                         "spark, import, data_transfer (any case)"),
        (13, 16, "error", "'jobs.train.component' is 'train:1'; expected a registered component "
                          "('azureml:<name>:<version>', 'azureml:<name>@latest', 'azureml://registries/...'), "
                          "or a component YAML file ('file:component.yml')"),
    ]


def test_keys_azure_ai_ml_ignores_are_warnings(lint: LintFn) -> None:
    """A step that runs a component, a pipeline's settings and a component keep unknown keys: lost, not refused."""
    text = PIPELINE.replace("    inputs:\n", "    inptus:\n").replace(
        "  default_compute: azureml:cpu\n", "  default_compute: azureml:cpu\n  continue_on_step_failur: true\n")
    got = findings(lint, "pipeline.yml", text)
    assert got == [
        (5, 3, "warning", "unknown key 'continue_on_step_failur' under 'settings'; did you mean "
                          "'continue_on_step_failure'? (the CLI ignores keys it does not know under a pipeline "
                          "job's settings, so the value is lost)"),
        (15, 5, "warning", "unknown key 'inptus' under 'jobs.train'; did you mean 'inputs'? (the CLI ignores keys it "
                           "does not know in a step that runs a component, so the value is lost)"),
    ]
    assert findings(lint, "component.yml", COMPONENT + "compute: azureml:cpu\n") == [
        (12, 1, "warning", "unknown key 'compute' for a command component; remove it or correct its spelling "
                           "(the CLI ignores keys it does not know in a component, so the value is lost)")]


def test_component_name_and_inputs(lint: LintFn) -> None:
    text = COMPONENT.replace("name: train", "name: Train-Model").replace("type: number", "type: float")
    assert findings(lint, "component.yml", text) == [
        (3, 7, "warning", "'name' is 'Train-Model'; expected a name of lower-case letters, digits and underscores, "
                          "starting with a letter: `az ml component create` refuses it (a pipeline step or sweep "
                          "trial that loads the file with 'file:' ignores the name)"),
        (10, 11, "error", "'inputs.lr.type' is 'float'; expected one of: integer, number, string, boolean, path, "
                          "uri_file, uri_folder, mltable, custom_model, mlflow_model, triton_model"),
    ]


def test_placeholders_are_not_reported(lint: LintFn) -> None:
    text = JOB.replace("azureml:cpu", "$(COMPUTE)") + "limits:\n  timeout: __TIMEOUT__\n"
    assert findings(lint, "job.yml", text) == []


# ---- the quick validity check (schemas/quick.py) agrees with jsonschema on the job schemas -------

SEEDS = {Kind.COMMAND_JOB: JOB, Kind.SWEEP_JOB: SWEEP, Kind.PIPELINE_JOB: PIPELINE,
         Kind.COMMAND_COMPONENT: COMPONENT}
NEAR: list[Any] = [None, 0, 2.5, True, "x", "", [], {}, ["x"], {"x": 1}, {"type": "x"}, "azureml:e:1",
                   "pytorch", "choice", {"type": "pytorch", "worker_count": 1}, {"type": "choice", "values": [1]}]


@pytest.mark.parametrize("kind", list(SEEDS))
def test_quick_check_agrees_with_jsonschema(kind: Kind) -> None:
    seed = yaml.safe_load(SEEDS[kind])
    schema = load_schema(SCHEMA_FILES[kind])
    checked = both = 0
    for path in _paths(seed)[1:]:
        for value in NEAR:
            doc = copy.deepcopy(seed)
            parent = doc
            for part in path[:-1]:
                parent = parent[part]
            parent[path[-1]] = copy.deepcopy(value)
            fast = quick.is_valid(schema, doc, schema, _resolve)  # never unsure on our own keywords
            full = validator(kind).is_valid(doc)
            assert fast == full, (path, value)
            checked += 1
            both += fast
    assert checked > 100 and 0 < both < checked  # both verdicts occur


@pytest.mark.parametrize(("schema", "instance"), [
    ({"if": {"required": ["a"]}, "then": {"required": ["b"]}}, {"a": 1}),
    ({"if": {"required": ["a"]}, "then": {"required": ["b"]}}, {"c": 1}),
    ({"if": {"required": ["a"]}, "else": {"required": ["b"]}}, {"c": 1}),
    ({"if": {"required": ["a"]}, "then": {}, "else": {"required": ["b"]}}, {"a": 1}),
    ({"then": {"required": ["b"]}}, {"a": 1}),  # without `if`, `then` has no effect
    ({"pattern": "(?i)^(pytorch|mpi)$"}, "PyTorch"),
    ({"not": {"required": ["a"]}}, {"a": 1}),
    ({"not": {"required": ["a"]}}, {"b": 1}),
    ({"propertyNames": {"pattern": "^[a-z]+$"}}, {"ab": 1, "Cd": 2}),
    ({"propertyNames": {"pattern": "^[a-z]+$"}}, {"ab": 1}),
])
def test_conditional_keywords_match_jsonschema(schema: dict[str, Any], instance: Any) -> None:
    from jsonschema import Draft202012Validator

    def no_refs(ref: str, root: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        raise AssertionError(ref)

    assert quick.is_valid(schema, instance, schema, no_refs) == Draft202012Validator(schema).is_valid(instance)


def test_pipeline_without_any_compute_warns_per_step(lint: LintFn) -> None:
    """azure-ai-ml: "Compute not set" for each step; `--set settings.default_compute=...` can give one."""
    text = PIPELINE.replace("settings:\n  default_compute: azureml:cpu\n", "")
    got = findings(lint, "pipeline.yml", text)
    assert [(line, severity) for line, _, severity, _ in got] == [(5, "warning"), (10, "warning")]
    assert got[0][3].startswith("step 'prep' has no compute and the pipeline none either: the CLI refuses the job")
    with_step_compute = text.replace("    code: src\n", "    code: src\n    compute: azureml:gpu\n")
    assert [f[3].split("'")[1] for f in findings(lint, "pipeline.yml", with_step_compute)] == ["train"]
    # A serverless spark step names no compute: not a command step, not reported.
    spark = with_step_compute.replace("  train:\n    type: command\n", "  train:\n    type: spark\n")
    assert findings(lint, "pipeline.yml", spark) == []


def test_inline_environment_needs_an_image_or_a_build(lint: LintFn) -> None:
    text = JOB.replace("environment: azureml:my-env:1", "environment:\n  conda_file: env.yml\n  name: 5")
    assert findings(lint, "job.yml", text) == [
        (8, 3, "error", "'environment' needs one of: image, build")]


def test_component_without_name_is_a_warning(lint: LintFn) -> None:
    """`component: file:` and `trial: file:` load a component file without a name; `az ml component
    create` needs one. A missing `command` beside it stays an error."""
    text = COMPONENT.replace("name: train\n", "")
    assert findings(lint, "component.yml", text) == [
        (1, 1, "warning", "the component has no 'name': `az ml component create` refuses it (a pipeline step or "
                          "sweep trial that loads the file with 'file:' does not need one); add 'name'")]
    no_command = text.replace("command: python train.py --lr ${{inputs.lr}}\n", "")
    assert [(severity, message) for _, _, severity, message in findings(lint, "component.yml", no_command)] == [
        ("warning", "the component has no 'name': `az ml component create` refuses it (a pipeline step or "
                    "sweep trial that loads the file with 'file:' does not need one); add 'name'"),
        ("error", "the document is missing required key(s): command")]


def test_misspelt_environment_is_fixed(tmp_path: object) -> None:
    """`--fix` renames `enviroment` to the one key at least 80% alike (not environment_variables)."""
    from pathlib import Path

    from lintkit import lint_tree

    root = Path(str(tmp_path))
    result = lint_tree(root, {"job.yml": JOB.replace("environment:", "enviroment:")}, select="AML005")
    [finding] = result.findings
    assert finding.fix is not None and finding.fix.description == "rename 'enviroment' to 'environment'"


def test_git_code_is_refused(lint: LintFn) -> None:
    """azure-ai-ml: "Invalid code value: git+https://... Git paths are not supported"."""
    assert findings(lint, "job.yml", JOB.replace("code: src", "code: git+https://github.com/o/r")) == [
        (3, 7, "error", "'code' is 'git+https://github.com/o/r'; expected a local folder or a registered code asset "
                        "('azureml:...'): the CLI does not support git paths")]


def test_step_names_are_identifiers(lint: LintFn) -> None:
    """azure-ai-ml: "Pipeline node name should be a valid python identifier"."""
    assert findings(lint, "pipeline.yml", PIPELINE.replace("  prep:", "  Prep-Data:")) == [
        (6, 3, "error", "'Prep-Data' under 'jobs' is not a step name of lower-case letters, digits and underscores, "
                        "starting with a letter or underscore")]


def test_more_refusals_found_by_the_oracle(lint: LintFn) -> None:
    """Each pair: the file azure-ai-ml 1.35 refuses is an error, its neighbour that loads is clean."""
    bad_default = COMPONENT.replace("default: 0.1", "default: fast")
    assert [m for _, _, _, m in findings(lint, "component.yml", bad_default)] == [
        "'inputs.lr.default' is 'fast'; expected a number"]
    assert findings(lint, "component.yml", COMPONENT.replace("default: 0.1", "default: '0.5'")) == []
    grid_seed = SWEEP + "sampling_algorithm:\n  type: grid\n  seed: 1\n"
    assert [m for _, _, _, m in findings(lint, "sweep.yml", grid_seed)] == [
        "unknown key 'seed' under 'sampling_algorithm' (allowed: type)"]
    assert findings(lint, "sweep.yml", grid_seed.replace("type: grid", "type: random")) == []
    versioned = JOB + "outputs:\n  model:\n    type: mlflow_model\n    version: '2'\n"
    assert [m for _, _, _, m in findings(lint, "job.yml", versioned)] == [
        "'version: 2' in 'outputs.model' requires 'name' too, and it is missing"]
    assert findings(lint, "job.yml", versioned.replace("    version:", "    name: m\n    version:")) == []
    assert [m for _, _, _, m in findings(lint, "job.yml", JOB.replace("commandJob.schema.json", "").replace(
        "$schema: https://azuremlschemas.azureedge.net/latest/", "$schema:"))] == [
        "'$schema' must be a string or number or boolean or list or mapping, not empty"]


def test_component_environment_variables_are_kept(lint: LintFn) -> None:
    """azure-ai-ml keeps a component's environment_variables (and refuses one that is not a mapping)."""
    assert findings(lint, "component.yml", COMPONENT + "environment_variables:\n  MODE: fast\n") == []
    assert [m for _, _, _, m in findings(lint, "component.yml", COMPONENT + "environment_variables: fast\n")] == [
        "'environment_variables' must be a mapping, not a string ('fast')"]
    # An integer input's default may be written as a number: azure-ai-ml turns 0.1 into 0.
    assert findings(lint, "component.yml", COMPONENT.replace("type: number", "type: integer")) == []


def test_search_space_names(lint: LintFn) -> None:
    """azure-ai-ml: "Key name max-iter must be composed letters, numbers, and underscore"."""
    text = SWEEP.replace("  lr: {type", "  max-iter: {type")
    assert findings(lint, "sweep.yml", text) == [
        (8, 3, "error", "'max-iter' under 'search_space' is not a parameter name of letters, digits and underscores")]
    # A boolean default of a number input loads (True is 1).
    assert findings(lint, "component.yml", COMPONENT.replace("default: 0.1", "default: true")) == []
