"""AML005: a quoted number loads (info), a misspelt `$schema` key is still an unknown key."""

from __future__ import annotations

from lintkit import LintFn

HEAD = """
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: blue
endpoint_name: my-endpoint
model: azureml:my-model:1
environment: azureml:my-env:1
instance_type: Standard_DS3_v2
"""


def test_a_quoted_number_is_info_and_a_word_still_an_error(lint: LintFn) -> None:
    found = lint({"a.yml": HEAD + 'instance_count: "3"\n', "b.yml": HEAD.replace("blue", "green")
                  + "instance_count: three\n"}, rule="AML005")
    got = [(f.path, f.severity.label) for f in found]
    assert got == [("a.yml", "info"), ("b.yml", "error")]
    assert "quoted number '3'" in found[0].message or "quoted number \"3\"" in found[0].message


def test_a_boolean_the_cli_converts_is_info_and_other_text_still_an_error(lint: LintFn) -> None:
    # azure-ai-ml loads `app_insights_enabled: "true"` (and yes/no, 0/1) as the boolean.
    base = HEAD + "instance_count: 1\napp_insights_enabled: "
    found = lint({"a.yml": base + '"true"\n', "b.yml": base.replace("blue", "green") + "0\n",
                  "c.yml": base.replace("blue", "red") + "maybe\n"}, rule="AML005")
    assert [(f.path, f.severity.label) for f in found] == [("a.yml", "info"), ("b.yml", "info"), ("c.yml", "error")]
    assert found[0].message == "'app_insights_enabled' is 'true', which the CLI reads as the boolean true: write true"
    assert "boolean false" in found[1].message


def test_a_misspelt_schema_key_is_not_a_placeholder(lint: LintFn) -> None:
    found = lint({"d.yml": HEAD.replace("$schema", "$shcema") + "instance_count: 1\n"}, rule="AML005")
    assert [(f.path, f.severity.label) for f in found] == [("d.yml", "error")]
    assert "$shcema" in found[0].message


def test_a_reference_pattern_is_explained_in_words(lint: LintFn) -> None:
    found = lint({"d.yml": HEAD.replace("azureml:my-model:1", "./model") + "instance_count: 1\n",
                  "model/m.pkl": "x"}, rule="AML005")
    assert len(found) == 1 and found[0].severity.label == "error"
    assert "'model' is './model'; expected a registered model" in found[0].message
    assert "^azureml" not in found[0].message  # the regular expression is not shown


K8S = """
$schema: https://azuremlschemas.azureedge.net/latest/kubernetesOnlineDeployment.schema.json
name: blue
endpoint_name: my-endpoint
model: azureml:my-model:1
environment: azureml:my-env:1
instance_type: defaultinstancetype
instance_count: 1
"""


def test_kubernetes_schema_without_type_is_an_error_only_when_managed_refuses_it(lint: LintFn) -> None:
    resources = K8S + "resources:\n  requests:\n    cpu: '1'\n"
    found = lint({"a.yml": resources, "b.yml": K8S.replace("blue", "green")}, rule="AML008")
    assert [(f.path, f.severity.label) for f in found] == [("a.yml", "error"), ("b.yml", "warning")]
    assert "refuses 'resources'" in found[0].message


def test_kubernetes_schema_without_type_and_a_quoted_number_is_not_an_error(lint: LintFn) -> None:
    # The managed schema loads `instance_count: "2"` (the SDK converts it): nothing is refused.
    quoted = K8S.replace("instance_count: 1", 'instance_count: "2"')
    found = lint({"a.yml": quoted, "b.yml": quoted.replace("blue", "green") + "resources:\n  requests:\n"
                  "    cpu: '1'\n"}, rule="AML008")
    assert [(f.path, f.severity.label) for f in found] == [("a.yml", "warning"), ("b.yml", "error")]
    assert "refuses 'resources'" in found[1].message


PREVIEW_ENV = """
$schema: https://azuremlsdk2.blob.core.windows.net/latest/environment.schema.json
name: my-env
conda_file: file:conda.yml
docker:
  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04
"""


def test_a_preview_file_prefix_is_part_of_the_one_preview_finding(lint: LintFn) -> None:
    found = [f for f in lint({"env.yml": PREVIEW_ENV, "conda.yml": "dependencies:\n  - python=3.11\n"})
             if f.rule_id in ("AML007", "AML101")]
    assert [(f.rule_id, f.severity.label) for f in found] == [("AML007", "error")]
    assert "conda_file: file:... -> conda_file: conda.yml" in found[0].message


def test_a_file_prefix_alone_stays_with_aml101(lint: LintFn) -> None:
    current = ("name: my-env\nimage: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04\n"
               "conda_file: file:conda.yml\n")
    found = [f for f in lint({"env.yml": current, "conda.yml": "dependencies:\n  - python=3.11\n"})
             if f.rule_id in ("AML007", "AML101")]
    assert [(f.rule_id, f.severity.label) for f in found] == [("AML101", "error")]
    assert "drop the preview `file:` prefix" in found[0].message


BATCH = """
$schema: https://azuremlschemas.azureedge.net/latest/modelBatchDeployment.schema.json
name: nightly
endpoint_name: my-batch
type: model
model: azureml:my-model:1
"""


def test_a_missing_top_level_key_a_script_sets_is_info(lint: LintFn) -> None:
    script = "az ml batch-deployment create --file deploy/batch.yml --set compute=$COMPUTE\n"
    found = lint({"deploy/batch.yml": BATCH, "deploy.sh": script, "other/batch.yml": BATCH}, rule="AML005")
    got = [(f.path, f.severity.label) for f in found]
    assert got == [("deploy/batch.yml", "info"), ("other/batch.yml", "warning")]
    assert "deploy.sh gives it at deploy time" in found[0].message


def _conda(conda_pin: str, pip_pin: str) -> str:
    return (f"dependencies:\n  - python=3.11\n  - {conda_pin}\n  - pip\n  - pip:\n      - {pip_pin}\n")


def test_a_conda_pip_conflict_within_one_major_is_info_across_majors_a_warning(lint: LintFn) -> None:
    found = lint({"a/conda.yml": _conda("cryptography=42.0.2", "cryptography>=42.0.4"),
                  "b/conda.yml": _conda("py-xgboost=1.7.6", "xgboost==1.5.2"),
                  "c/conda.yml": _conda("numpy=1.26", "numpy==2.1.0")}, rule="AML211")
    assert [(f.path, f.severity.label) for f in found] == [
        ("a/conda.yml", "info"), ("b/conda.yml", "info"), ("c/conda.yml", "warning")]


def test_a_file_prefix_under_an_old_key_is_not_mapped_twice(lint: LintFn) -> None:
    env = ("$schema: https://azuremlsdk2.blob.core.windows.net/latest/environment.schema.json\n"
           "name: gpu\ndocker:\n  build:\n    dockerfile: file:Dockerfile\nconda_file: file:conda.yml\n")
    found = [f for f in lint({"env.yml": env, "Dockerfile": "FROM python:3.11\n",
                              "conda.yml": "dependencies:\n  - python=3.11\n"}) if f.rule_id == "AML007"]
    assert len(found) == 1
    assert "docker.build.dockerfile: file:" not in found[0].message
    assert "docker.build.dockerfile -> build.path" in found[0].message
    assert "conda_file: file:... -> conda_file: conda.yml" in found[0].message


PY_LIST = "'numpy',\n'pandas',\n'scikit-learn',\n"


def test_a_requirements_file_in_another_format_is_an_error_only_where_an_environment_installs_it(
        lint: LintFn) -> None:
    conda = "dependencies:\n  - python=3.11\n  - pip\n  - pip:\n      - -r requirements.txt\n"
    found = lint({"used/conda.yml": conda, "used/requirements.txt": PY_LIST,
                  "loose/requirements.txt": PY_LIST,
                  "doc/requirements.txt": '"""\nwhat we need\n"""\nnumpy==1.26.4\n'}, rule="AML203")
    got = [(f.path, f.severity.label) for f in found]
    assert got == [("doc/requirements.txt", "error"), ("loose/requirements.txt", "warning"),
                   ("used/requirements.txt", "error")]
    assert "no environment here installs it" in found[1].message


def test_values_the_cli_passes_or_ignores_are_warnings(lint: LintFn) -> None:
    env_map = HEAD + "instance_count: 1\nenvironment_variables:\n  OPTS:\n    a: 1\n  N: x\n"
    pipeline = ("$schema: https://azuremlschemas.azureedge.net/latest/pipelineComponentBatchDeployment.schema.json\n"
                "name: nightly\nendpoint_name: my-batch\ntype: pipeline\ncomponent: azureml:my-pipeline:1\n"
                "settings:\n  default_compute: cpu-cluster\n  continue_on_step_failre: true\n")
    found = lint({"a.yml": env_map, "p.yml": pipeline}, rule="AML005")
    assert [(f.path, f.severity.label) for f in found] == [("a.yml", "warning"), ("p.yml", "warning")]
    assert "sends it as its text form" in found[0].message and "ignores" in found[1].message
    # A wrong type elsewhere is still refused: an error.
    again = lint({"b.yml": HEAD + "instance_count: one\n"}, rule="AML005")
    assert [f.severity.label for f in again if f.path == "b.yml"] == ["error"]


def test_a_fraction_where_an_integer_is_expected_is_a_warning(lint: LintFn) -> None:
    # azure-ai-ml's Int fields (not strict) truncate 2.5 to 2: the file loads, likely not as meant.
    found = lint({"a.yml": HEAD + "instance_count: 2.5\n",
                  "b.yml": HEAD.replace("blue", "green") + "instance_count: 2\nrequest_settings:\n"
                  "  request_timeout_ms: [1]\n"}, rule="AML005")
    assert [(f.path, f.severity.label) for f in found] == [("a.yml", "warning"), ("b.yml", "error")]
    assert found[0].message == "'instance_count' must be an integer, not a number (2.5) (the CLI truncates it to 2)"
