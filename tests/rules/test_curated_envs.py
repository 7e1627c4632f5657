"""Curated environments checked for real: scripts against what aml-lint's table says they install.

Hand-made projects: a deployment (or a command job) naming a curated environment, and a script
importing one thing the environment provides and one it does not.
"""

from __future__ import annotations

import pytest

from lintkit import LintFn

REG = "azureml://registries/azureml/environments"

DEPLOYMENT = """\
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: blue
endpoint_name: my-endpoint
model: azureml:my-model:1
code_configuration:
  code: src
  scoring_script: score.py
environment: {env}
instance_type: Standard_DS3_v2
instance_count: 3
"""

IMAGE_DEPLOYMENT = DEPLOYMENT.replace("environment: {env}\n", "environment:\n  image: {env}\n")

SCORE = """\
import json
{imports}


def init():
    global model
    model = None


def run(raw_data):
    return {{"ok": True}}
"""

ABSENT = "catboost"  # no curated environment installs it


def project(env: str, imports: list[str], image: bool = False) -> dict[str, str | bytes]:
    return {"deploy.yml": (IMAGE_DEPLOYMENT if image else DEPLOYMENT).format(env=env),
            "src/score.py": SCORE.format(imports="\n".join(f"import {m}" for m in imports))}


# (reference, an import it declares, an import only a dependency of its packages brings)
# Each environment's version here has a resolved closure in the table (every distribution it installs,
# resolved when the table was built), so an import outside it is an error, and one a dependency
# brings (mlflow through azureml-mlflow -> mlflow-skinny) is provided.
CASES = [
    pytest.param(f"{REG}/sklearn-1.5/labels/latest", "sklearn", "mlflow", id="sklearn-1.5"),
    pytest.param(f"{REG}/sklearn-1.1/versions/40", "sklearn", "mlflow", id="sklearn-1.1@40"),
    pytest.param("azureml:AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest", "sklearn", "mlflow",
                 id="legacy-sklearn-1.0"),
    pytest.param(f"{REG}/lightgbm-3.3/labels/latest", "lightgbm", "mlflow", id="lightgbm-3.3"),
    pytest.param(f"{REG}/tensorflow-2.16-cuda12/labels/latest", "tensorflow", "mlflow", id="tensorflow-2.16"),
    pytest.param(f"{REG}/pytorch-1.11-ubuntu20.04-py38-cuda11-gpu/labels/latest", "torch", "mlflow",
                 id="pytorch-1.11"),
    pytest.param("azureml:AzureML-pytorch-1.10-ubuntu18.04-py38-cuda11-gpu@latest", "torch", "mlflow",
                 id="legacy-pytorch-1.10"),
    pytest.param(f"{REG}/mlflow-py312-inference/labels/latest", "mlflow", "scipy", id="mlflow-py312"),
    pytest.param(f"{REG}/mlflow-model-inference/labels/latest", "mlflow", "scipy", id="mlflow-model-inference"),
    pytest.param(f"{REG}/minimal-py311-inference/labels/latest", "numpy", "requests", id="minimal-py311"),
    pytest.param(f"{REG}/minimal-py312-cuda12.4-inference/versions/26", "numpy", "psutil", id="minimal-py312-cuda"),
    pytest.param("mcr.microsoft.com/azureml/curated/minimal-py311-inference:latest", "joblib", "requests",
                 id="curated-inference-image"),
]


@pytest.mark.parametrize(("env", "provided", "brought"), CASES)
def test_provided_import_passes_and_absent_one_is_an_error(lint: LintFn, env: str, provided: str,
                                                           brought: str) -> None:
    image = env.startswith("mcr.")
    ok = lint(project(env, [provided, brought], image=image))
    assert [f for f in ok if f.rule_id.startswith("AML5")] == []
    assert [f for f in ok if f.rule_id == "AML103"] == []  # known: nothing "not visible" about it

    found = lint(project(env, [provided, brought, ABSENT], image=image), rule="AML501")
    assert len(found) == 1, found
    assert found[0].severity.label == "error"
    assert f"'{ABSENT}' is imported" in found[0].message and found[0].location.line == 4
    assert "(curated environment '" in found[0].message
    assert "an environment of your own built from it (a curated environment cannot be changed)" in found[0].message
    assert "whose dependencies aml-lint does not know" not in found[0].message


def test_the_message_names_the_curated_environment_and_its_version(lint: LintFn) -> None:
    found = lint(project(f"{REG}/sklearn-1.5/labels/latest", [ABSENT]), rule="AML501")
    assert len(found) == 1
    assert "(curated environment 'sklearn-1.5' version 50) does not install it" in found[0].message


def test_a_version_without_a_resolved_closure_keeps_the_cautious_verdict(lint: LintFn) -> None:
    # Only sklearn-1.5's current version (50) was resolved: version 49 is judged by its declared packages,
    # and an import one of unknown dependencies may bring stays info.
    found = lint(project(f"{REG}/sklearn-1.5/versions/49", ["sklearn", ABSENT]), rule="AML501")
    assert [f.severity.label for f in found] == ["info"]
    assert "whose dependencies aml-lint does not know" in found[0].message


def test_guarded_import_a_curated_environment_lacks_is_a_warning(lint: LintFn) -> None:
    files = project(f"{REG}/sklearn-1.5/labels/latest", [])
    files["src/score.py"] = str(files["src/score.py"]).replace(
        "import json\n", f"import json\ntry:\n    import {ABSENT}\nexcept ImportError:\n    {ABSENT} = None\n")
    found = lint(files, rule="AML501")
    assert [f.severity.label for f in found] == ["warning"] and "guarded" in found[0].message


def test_framework_base_image_leaves_absent_imports_unjudged(lint: LintFn) -> None:
    # ACPT environments install on a PyTorch image whose own packages the table does not list.
    env = f"{REG}/acpt-pytorch-2.8-cuda12.6/labels/latest"
    assert [f for f in lint(project(env, ["torch", "transformers", ABSENT])) if f.rule_id.startswith("AML50")] == []


def test_documented_prebuilt_image_is_not_guessed(lint: LintFn) -> None:
    # minimal-py312-inference is not defined in azureml-assets: only its Python and server are known.
    found = lint(project("mcr.microsoft.com/azureml/minimal-py312-inference:latest", [ABSENT], image=True))
    assert [f for f in found if f.rule_id == "AML501"] == []


def test_a_workspace_environment_stays_not_visible(lint: LintFn) -> None:
    found = lint(project("azureml:my-env:3", [ABSENT]))
    assert [f.rule_id for f in found if f.rule_id in ("AML103", "AML501")] == ["AML103"]
    assert [f.severity.label for f in found if f.rule_id == "AML103"] == ["info"]


def test_curated_python_judges_removed_stdlib_modules(lint: LintFn) -> None:
    # `imp` left the standard library in Python 3.12: mlflow-py312-inference runs 3.12, sklearn-1.5 3.10.
    on_312 = lint(project(f"{REG}/mlflow-py312-inference/labels/latest", ["imp"]), rule="AML503")
    assert len(on_312) == 1 and "3.12" in on_312[0].message
    assert lint(project(f"{REG}/sklearn-1.5/labels/latest", ["imp"]), rule="AML503") == []


def test_unknown_curated_name_is_a_warning_naming_the_table_date(lint: LintFn) -> None:
    from aml_lint.knowledge import curated

    found = lint(project(f"{REG}/sklearn-9.9/labels/latest", [ABSENT]), rule="AML103")
    assert len(found) == 1 and found[0].severity.label == "warning"
    assert "'sklearn-9.9' is not a curated environment" in found[0].message
    assert curated.table_date() in found[0].message
    assert lint(project(f"{REG}/sklearn-9.9/labels/latest", [ABSENT]), rule="AML501") == []  # not guessed


def test_removed_curated_environment_is_a_warning_and_still_checked(lint: LintFn) -> None:
    env = f"{REG}/llm-rag/labels/latest"  # removed from azureml-assets on 2025-08-21
    found = lint(project(env, [ABSENT]))
    warn = [f for f in found if f.rule_id == "AML103"]
    assert len(warn) == 1 and warn[0].severity.label == "warning" and "2025-08-21" in warn[0].message
    assert [f.rule_id for f in found if f.rule_id == "AML501"] == ["AML501"]


def test_removed_environment_known_to_aml217_is_reported_once(lint: LintFn) -> None:
    found = lint(project(f"{REG}/tensorflow-2.12-cuda11/labels/latest", ["tensorflow"]))
    assert [f.rule_id for f in found if f.rule_id in ("AML103", "AML217")] == ["AML217"]


@pytest.mark.parametrize(("env", "version", "severity", "words"), [
    ("designer", "99999", "info", "newer than"),
    ("designer", "1", "info", "older than the release tags"),  # versions 1-94 predate the release tags
    ("designer-io", "98", "info", "not among the release tags"),  # 87-109 tagged, but not 98
    ("designer", "v2", "warning", "is not a version number"),
])
def test_version_the_table_cannot_describe(lint: LintFn, env: str, version: str, severity: str,
                                           words: str) -> None:
    found = lint(project(f"{REG}/{env}/versions/{version}", [ABSENT]))
    hits = [f for f in found if f.rule_id == "AML103"]
    assert len(hits) == 1 and hits[0].severity.label == severity and words in hits[0].message
    assert [f for f in found if f.rule_id == "AML501"] == []  # another version's contents are not used


def test_curated_environment_known_without_contents_says_so(lint: LintFn) -> None:
    # tritonserver-ubuntu-inference-ncd (2022) defined neither a Python nor packages the build could read.
    found = lint(project("azureml:AzureML-tritonserver-ubuntu-inference-ncd@latest", [ABSENT]))
    hits = [f for f in found if f.rule_id == "AML103"]
    assert len(hits) == 1 and hits[0].severity.label == "info" and "but without what it installs" in hits[0].message
    assert [f for f in found if f.rule_id == "AML501"] == []


def test_legacy_name_the_table_does_not_know_stays_info(lint: LintFn) -> None:
    found = lint(project("azureml:AzureML-Brand-New-Env-gpu@latest", [ABSENT]), rule="AML103")
    assert len(found) == 1 and found[0].severity.label == "info" and "not in aml-lint's table" in found[0].message


def test_pinned_version_is_judged_with_its_own_python(lint: LintFn) -> None:
    # designer-pytorch-2.3 moved from Python 3.10 (version 14) to 3.12 (version 15): `imp` left in 3.12.
    old = lint(project(f"{REG}/designer-pytorch-2.3/versions/14", ["imp"]), rule="AML503")
    new = lint(project(f"{REG}/designer-pytorch-2.3/versions/15", ["imp"]), rule="AML503")
    assert old == [] and len(new) == 1 and "3.12" in new[0].message


COMMAND_JOB = """\
$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json
type: command
code: src
command: python train.py
environment: {env}
compute: azureml:cpu-cluster
"""


def test_training_script_of_a_command_job(lint: LintFn) -> None:
    files: dict[str, str | bytes] = {
        "job.yml": COMMAND_JOB.format(env=f"{REG}/minimal-py311-inference/labels/latest"),
        "src/train.py": f"import numpy\nimport {ABSENT}\n",
    }
    found = lint(files, rule="AML501")
    assert [(f.location.line, f.severity.label) for f in found] == [(2, "error")]


@pytest.mark.parametrize(("env", "provided", "brought"), CASES)
def test_training_script_against_each_curated_environment(lint: LintFn, env: str, provided: str,
                                                          brought: str) -> None:
    job = COMMAND_JOB.format(env=env)
    if env.startswith("mcr."):
        job = job.replace(f"environment: {env}\n", f"environment:\n  image: {env}\n")
    files: dict[str, str | bytes] = {"job.yml": job,
                                     "src/train.py": f"import {provided}\nimport {brought}\nimport {ABSENT}\n"}
    found = [f for f in lint(files) if f.rule_id.startswith("AML5")]
    assert [(f.rule_id, f.location.line, f.severity.label) for f in found] == [("AML501", 3, "error")], found
    assert "the job's environment" in found[0].message and "(curated environment '" in found[0].message


def test_resolve_leaves_curated_environments_alone(lint: LintFn, monkeypatch: pytest.MonkeyPatch) -> None:
    # --resolve resolves what the user declares; a curated image is published already built.
    from aml_lint import resolve

    asked: list[object] = []
    monkeypatch.setattr(resolve, "resolve", lambda *args, **kwargs: asked.append(args))
    found = lint(project(f"{REG}/minimal-py311-inference/labels/latest", ["numpy", ABSENT]), resolve=True)
    assert asked == [] and [f for f in found if f.rule_id == "AML505"] == []
    assert [(f.rule_id, f.severity.label) for f in found if f.rule_id == "AML501"] == [("AML501", "error")]


def test_lone_curated_image_is_named_by_its_image(lint: LintFn) -> None:
    image = "mcr.microsoft.com/azureml/curated/designer:117"  # a training image: no inference server
    found = lint(project(image, ["json"], image=True))
    server = [f for f in found if f.rule_id == "AML212"]
    assert len(server) == 1 and server[0].severity.label == "error" and image in server[0].message
    missing = lint(project(image, [ABSENT], image=True), rule="AML501")
    assert len(missing) == 1 and f"the environment {image} (curated environment 'designer' version 117) does not " \
        "install it" in missing[0].message


def test_image_with_a_conda_file_is_not_the_curated_environment(lint: LintFn) -> None:
    # With conda_file, AzureML builds a new conda environment on the image: the image's packages are not in it.
    files = project("mcr.microsoft.com/azureml/curated/sklearn-1.5:50", ["sklearn"], image=True)
    files["deploy.yml"] = str(files["deploy.yml"]).replace("sklearn-1.5:50\n", "sklearn-1.5:50\n  conda_file: conda.yml\n")
    files["conda.yml"] = "dependencies:\n- python=3.10\n- pip\n- pip:\n  - azureml-inference-server-http\n"
    found = lint(files, rule="AML501")
    assert len(found) == 1 and "'sklearn' is imported" in found[0].message and "conda.yml" in found[0].message


def test_import_an_azureml_package_brings_is_provided_in_a_resolved_curated_environment(lint: LintFn) -> None:
    # The old sklearn-0.24 environment (Python 3.7) installs azureml-mlflow, which brings mlflow; aml-lint's
    # dependency data has no release of it for 3.7, but the table's resolved closure holds mlflow.
    found = lint(project("azureml:AzureML-sklearn-0.24-ubuntu18.04-py37-cpu@latest", ["mlflow"]), rule="AML501")
    assert found == []
    # The same uncertainty in the user's own conda file stays a warning.
    files = project("azureml:my-env:1", ["mlflow"])
    files["deploy.yml"] = str(files["deploy.yml"]).replace(
        "environment: azureml:my-env:1\n",
        "environment:\n  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250101.v1\n  conda_file: conda.yml\n")
    files["conda.yml"] = ("dependencies:\n- python=3.7\n- pip\n- pip:\n  - azureml-inference-server-http\n"
                          "  - azureml-mlflow==1.36.0\n")
    own = lint(files, rule="AML501")
    assert [f.severity.label for f in own] == ["warning"]


PIPELINE_JOB = """\
$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
jobs:
  train:
    type: command
    code: src
    command: python train.py
    environment: {env}
"""

SWEEP_JOB = """\
$schema: https://azuremlschemas.azureedge.net/latest/sweepJob.schema.json
type: sweep
trial:
  code: src
  command: python train.py --lr ${{{{search_space.lr}}}}
  environment: {env}
sampling_algorithm: random
search_space:
  lr:
    type: uniform
    min_value: 0.01
    max_value: 0.1
objective:
  goal: maximize
  primary_metric: accuracy
limits:
  max_total_trials: 4
compute: azureml:cpu-cluster
"""

COMPONENT = """\
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: command
name: train
code: src
command: python train.py
environment: {env}
"""


@pytest.mark.parametrize(("template", "what"), [(COMMAND_JOB, "job"), (PIPELINE_JOB, "job"), (SWEEP_JOB, "job"),
                                                (COMPONENT, "component")])
def test_unknown_or_removed_curated_environment_of_jobs_and_components(lint: LintFn, template: str,
                                                                       what: str) -> None:
    unknown = lint({"job.yml": template.format(env=f"{REG}/sklearn-9.9/labels/latest"),
                    "src/train.py": "import json\n"}, rule="AML103")
    assert [f.severity.label for f in unknown] == ["warning"], unknown
    assert "'sklearn-9.9' is not a curated environment" in unknown[0].message and f"the {what} fails" in unknown[0].message
    removed = lint({"job.yml": template.format(env=f"{REG}/llm-rag/labels/latest"),
                    "src/train.py": "import json\n"}, rule="AML103")
    assert [f.severity.label for f in removed] == ["warning"] and "2025-08-21" in removed[0].message
    known = lint({"job.yml": template.format(env=f"{REG}/sklearn-1.5/labels/latest"),
                  "src/train.py": "import json\n"}, rule="AML103")
    assert known == []
    registered = lint({"job.yml": template.format(env="azureml:my-env:3"), "src/train.py": "import json\n"},
                      rule="AML103")
    assert [f.severity.label for f in registered] == ["info"] and f"skip this {what}" in registered[0].message


def test_unlisted_module_of_a_namespace_an_installed_package_shares_is_not_called_missing(lint: LintFn) -> None:
    # model-evaluation installs azureml-core, which ships azureml.exceptions and azureml._common; aml-lint's
    # import data lists neither module, so a guess ('azureml-exceptions') must not become an error.
    env = f"{REG}/model-evaluation/labels/latest"
    found = lint(project(env, ["azureml.exceptions", "azureml._common._error_definition.user_error"]), rule="AML501")
    assert found == []
    # A guessed top-level name no installed distribution shares is still missing.
    still = lint(project(env, ["common_src.helper"]), rule="AML501")
    assert [f.severity.label for f in still] == ["error"]


def test_module_an_additional_include_copies_into_the_code_folder_is_local(lint: LintFn) -> None:
    # `additional_includes: [../shared]` puts shared/ beside the entry script when the component is submitted.
    component = COMPONENT.format(env=f"{REG}/sklearn-1.5/labels/latest") + "additional_includes:\n  - ../shared\n"
    files: dict[str, str | bytes] = {"comp/component.yml": component.replace("code: src", "code: ./src"),
                                     "comp/src/train.py": f"import shared.helper\nimport {ABSENT}\n",
                                     "shared/helper.py": "X = 1\n"}
    found = lint(files, rule="AML501")
    assert [(f.location.line, f.severity.label) for f in found] == [(2, "error")], found
    # Without the include, the same import is missing.
    files["comp/component.yml"] = str(files["comp/component.yml"]).replace("additional_includes:\n  - ../shared\n", "")
    found = lint(files, rule="AML501")
    assert [(f.location.line, f.severity.label) for f in found] == [(1, "error"), (2, "error")], found


def test_setuptools_of_a_curated_conda_environment_is_not_called_missing(lint: LintFn) -> None:
    # The resolved closure lists no setuptools (conda's pip brings it, not a pip requirement).
    env = f"{REG}/minimal-py311-inference/labels/latest"
    found = lint(project(env, ["pkg_resources", "setuptools", ABSENT]), rule="AML501")
    assert [(f.location.line, f.severity.label) for f in found] == [(4, "error")]
