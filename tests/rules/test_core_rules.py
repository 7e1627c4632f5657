"""Failing and passing examples of the core rules (AML0xx, AML1xx, AML201, AML202)."""

from __future__ import annotations

from lintkit import LintFn

SCHEMA = "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
SCRIPT = "def init():\n    pass\n\n\ndef run(data):\n    return data\n"
CONDA = "name: env\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n      - azureml-inference-server-http==1.4.1\n"


def deployment(env: str = "  image: img:1\n  conda_file: env/conda.yml\n", extra: str = "") -> str:
    return (SCHEMA + "name: blue\nendpoint_name: my-endpoint\ncode_configuration:\n  code: src\n"
            "  scoring_script: score.py\nenvironment:\n" + env + "instance_type: Standard_DS3_v2\n"
            "instance_count: 3\n" + extra)


def healthy(**overrides: str) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {"dep.yml": deployment(), "src/score.py": SCRIPT, "env/conda.yml": CONDA}
    files.update(overrides)
    return files


CORE = {"AML001", "AML002", "AML003", "AML004", "AML005", "AML006", "AML101", "AML102", "AML103", "AML201",
        "AML202"}


def test_healthy_project_has_no_core_findings(lint: LintFn) -> None:
    assert [f for f in lint(healthy()) if f.rule_id in CORE] == []


# AML001 file-unreadable
def test_utf16_file_is_reported(lint: LintFn) -> None:
    found = lint(healthy(**{"env/conda.yml": CONDA.encode("utf-16")}), rule="AML001")
    assert len(found) == 1 and "UTF-16" in found[0].message and found[0].path == "env/conda.yml"


def test_non_utf8_file_is_reported(lint: LintFn) -> None:
    found = lint({"conda.yml": b"name: caf\xe9\ndependencies: [python=3.10]\n"}, rule="AML001")
    assert len(found) == 1 and "not valid UTF-8" in found[0].message


def test_binary_file_with_yaml_name_is_reported(lint: LintFn) -> None:
    found = lint({"deploy.yml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}, rule="AML001")
    assert len(found) == 1 and "binary" in found[0].message


# AML002 yaml-syntax
def test_yaml_syntax_error(lint: LintFn) -> None:
    found = lint({"conda.yml": "dependencies:\n  - python=3.10\n - pip\n"}, rule="AML002")
    assert [(f.line, "invalid YAML" in f.message) for f in found] == [(3, True)]


def test_valid_yaml_passes_syntax(lint: LintFn) -> None:
    assert lint({"conda.yml": "dependencies:\n  - python=3.10\n  - pip\n"}, rule="AML002") == []


# AML003 duplicate-key
def test_duplicate_key(lint: LintFn) -> None:
    found = lint(healthy(**{"dep.yml": deployment(extra="instance_type: Standard_F2s_v2\n")}), rule="AML003")
    assert len(found) == 1 and found[0].line == 12 and "'instance_type' appears again" in found[0].message


# AML004 templated-file
def test_templated_file_is_reported_once_and_not_checked(lint: LintFn) -> None:
    files = {"dep.yml": SCHEMA + "name: blue\nendpoint_name: {{ENDPOINT_NAME}}-prod\nunknown_key: 1\n"}
    found = lint(files)
    assert [(f.rule_id, f.severity.label) for f in found] == [("AML004", "info")]  # nothing else at all


def test_angle_placeholder_in_a_file_that_parses_is_not_a_template(lint: LintFn) -> None:
    found = lint(healthy(**{"dep.yml": deployment().replace("instance_count: 3", "instance_count: <COUNT>")}))
    assert [f.rule_id for f in found if f.rule_id in ("AML004", "AML005")] == []


# AML005 schema
def test_unknown_key_with_suggestion(lint: LintFn) -> None:
    env = "  image: img:1\n  conda_fle: env/conda.yml\n"
    found = lint(healthy(**{"dep.yml": deployment(env=env)}), rule="AML005")
    assert len(found) == 1
    assert found[0].line == 9 and found[0].col == 3
    assert "unknown key 'conda_fle'" in found[0].message and "did you mean 'conda_file'" in found[0].message


def test_wrong_type_points_at_value(lint: LintFn) -> None:
    found = lint(healthy(**{"dep.yml": deployment().replace("instance_count: 3", "instance_count: three")}),
                 rule="AML005")
    assert len(found) == 1 and found[0].line == 11 and "must be an integer" in found[0].message


def test_conda_schema(lint: LintFn) -> None:
    found = lint({"conda.yml": "name: x\nchanels: [conda-forge]\ndependencies: [python=3.10]\n"}, rule="AML005")
    assert len(found) == 1 and "did you mean 'channels'" in found[0].message


# AML006 python-syntax
def test_scoring_script_syntax_error(lint: LintFn) -> None:
    found = lint(healthy(**{"src/score.py": "def init():\n    model = load(\n\ndef run(data):\n    pass\n"}),
                 rule="AML006")
    assert len(found) == 1 and found[0].path == "src/score.py" and "syntax error" in found[0].message


def test_null_bytes_in_script(lint: LintFn) -> None:
    found = lint(healthy(**{"src/score.py": "def init():\n    pass\n\x00\ndef run(d):\n    pass\n"}))
    assert any(f.rule_id in ("AML001", "AML006") and f.path == "src/score.py" for f in found)


# AML101 missing-link-target
def test_missing_scoring_script(lint: LintFn) -> None:
    files = healthy(**{"dep.yml": deployment().replace("score.py", "scor.py")})
    found = lint(files, rule="AML101")
    assert len(found) == 1 and found[0].line == 6
    assert "'scor.py' does not exist" in found[0].message and "src/scor.py" in found[0].message


def test_missing_conda_file_and_code_folder(lint: LintFn) -> None:
    files = {"deploy/dep.yml": deployment().replace("code: src", "code: ../code"), "src/score.py": SCRIPT}
    messages = sorted(f.message for f in lint(files, rule="AML101"))
    assert len(messages) == 2
    assert "code_configuration.code folder '../code' does not exist" in messages[0]
    assert "conda_file file 'env/conda.yml' does not exist" in messages[1]


def test_path_outside_repository(lint: LintFn) -> None:
    found = lint(healthy(**{"dep.yml": deployment().replace("env/conda.yml", "../../etc/passwd")}),
                 rule="AML101")
    assert len(found) == 1 and "outside the repository" in found[0].message


def test_build_context_and_dockerfile(lint: LintFn) -> None:
    env = "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: e\n"
    ok = lint({"env.yml": env + "build:\n  path: ctx\n", "ctx/Dockerfile": "FROM python:3.11\n"}, rule="AML101")
    assert ok == []
    bad = lint({"env.yml": env + "build:\n  path: ctx\n  dockerfile_path: gpu.dockerfile\n"}, rule="AML101")
    assert len(bad) == 1 and "gpu.dockerfile" in bad[0].message


def test_file_environment_reference_is_followed(lint: LintFn) -> None:
    env = ("$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: e\n"
           "image: img:1\nconda_file: missing.yml\n")
    files = healthy(**{"dep.yml": deployment(env="").replace("environment:\n", "environment: file:env/env.yml\n"),
                       "env/env.yml": env})
    found = lint(files, rule="AML101")
    assert len(found) == 1 and found[0].path == "env/env.yml" and "'missing.yml' does not exist" in found[0].message


# AML102 environment-reference
def test_latest_version_reference(lint: LintFn) -> None:
    dep = deployment(env="").replace("environment:\n", "environment: azureml:my-env:latest\n")
    found = lint(healthy(**{"dep.yml": dep}), rule="AML102")
    assert len(found) == 1 and "azureml:my-env@latest" in found[0].message


def test_valid_references(lint: LintFn) -> None:
    for ref in ("azureml:my-env:3", "azureml:my-env@latest",
                "azureml://registries/azureml/environments/sklearn-1.5/labels/latest",
                "azureml:/subscriptions/x/resourceGroups/y/providers/Microsoft.MachineLearningServices"
                "/workspaces/w/environments/e/versions/1"):
        dep = deployment(env="").replace("environment:\n", f"environment: {ref}\n")
        assert lint(healthy(**{"dep.yml": dep}), rule="AML102") == [], ref


def test_unprefixed_reference(lint: LintFn) -> None:
    dep = deployment(env="").replace("environment:\n", "environment: my-env:1\n")
    found = lint(healthy(**{"dep.yml": dep}), rule="AML102")
    assert len(found) == 1 and "prefix it with 'azureml:'" in found[0].message


# AML103 environment-not-visible
def test_registered_environment_is_info(lint: LintFn) -> None:
    dep = deployment(env="").replace("environment:\n", "environment: azureml:my-env:3\n")
    found = lint(healthy(**{"dep.yml": dep}), rule="AML103")
    assert len(found) == 1 and found[0].severity.label == "info"
    assert lint(healthy(), rule="AML103") == []


# AML201 environment-shape
def test_environment_without_image_or_build(lint: LintFn) -> None:
    found = lint(healthy(**{"dep.yml": deployment(env="  conda_file: env/conda.yml\n")}), rule="AML201")
    assert len(found) == 1 and "'conda_file' needs 'image'" in found[0].message


def test_environment_with_image_and_build(lint: LintFn) -> None:
    env = "  image: img:1\n  build:\n    path: ctx\n"
    found = lint(healthy(**{"dep.yml": deployment(env=env), "ctx/Dockerfile": "FROM x:1\n"}), rule="AML201")
    assert len(found) == 1 and "both 'image' and 'build'" in found[0].message


def test_empty_environment_mapping(lint: LintFn) -> None:
    found = lint(healthy(**{"dep.yml": deployment(env="  name: anon\n")}), rule="AML201")
    assert len(found) == 1 and "neither 'image' nor 'build'" in found[0].message


# AML202 conda-file-as-environment
def test_conda_file_given_as_environment(lint: LintFn) -> None:
    dep = deployment(env="").replace("environment:\n", "environment: file:env/conda.yml\n")
    found = lint(healthy(**{"dep.yml": dep}), rule="AML202")
    assert len(found) == 1 and "is a conda file" in found[0].message


def test_environment_yaml_with_conda_keys(lint: LintFn) -> None:
    env = ("$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: e\n"
           "image: img:1\ndependencies:\n  - python=3.10\n")
    found = lint({"env.yml": env}, rule="AML202")
    assert len(found) == 1 and found[0].line == 4


def test_pipeline_expressions_are_not_templates(lint: LintFn) -> None:
    dep = ("$schema: https://azuremlschemas.azureedge.net/latest/pipelineComponentBatchDeployment.schema.json\n"
           "name: hello\nendpoint_name: hello-batch\ntype: pipeline\ncomponent:\n  jobs:\n    step:\n"
           "      command: echo ${{inputs.message}}\n")
    assert lint({"dep.yml": dep}, rule="AML004") == []
