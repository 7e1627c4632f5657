"""AML212 inference-server-missing and AML213 batch-azureml-core."""

from __future__ import annotations

from lintkit import LintFn

SCRIPT = "def init():\n    pass\n\n\ndef run(data):\n    return data\n"
ONLINE = "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
BATCH = "$schema: https://azuremlschemas.azureedge.net/latest/modelBatchDeployment.schema.json\n"
NO_SERVER = "dependencies:\n  - python=3.12\n  - pip\n  - pip:\n      - scikit-learn==1.5.2\n"
WITH_SERVER = NO_SERVER + "      - azureml-inference-server-http==1.5.1\n"


def online(env: str, extra: str = "") -> str:
    return (ONLINE + "name: blue\nendpoint_name: my-endpoint\ncode_configuration:\n  code: src\n"
            "  scoring_script: score.py\nenvironment:\n" + env + "instance_type: Standard_DS3_v2\n"
            "instance_count: 3\n" + extra)


IMAGE_ENV = "  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250601.v1\n  conda_file: conda.yml\n"
INFERENCE_ENV = "  image: mcr.microsoft.com/azureml/minimal-py312-inference:latest\n  conda_file: conda.yml\n"


def test_conda_env_without_server(lint: LintFn) -> None:
    found = lint({"dep.yml": online(IMAGE_ENV), "src/score.py": SCRIPT, "conda.yml": NO_SERVER}, rule="AML212")
    assert [(f.path, f.line, f.severity.label) for f in found] == [("dep.yml", 7, "error")]
    assert "conda.yml installs neither azureml-inference-server-http nor azureml-defaults" in found[0].message


def test_inference_image_with_conda_file_warns_and_errors_without_egress(lint: LintFn) -> None:
    files = {"dep.yml": online(INFERENCE_ENV), "src/score.py": SCRIPT, "conda.yml": NO_SERVER}
    found = lint(files, rule="AML212")
    assert [f.severity.label for f in found] == ["warning"]
    assert "installed from PyPI at every container start" in found[0].message
    files["dep.yml"] = online(INFERENCE_ENV, "egress_public_network_access: disabled\n")
    found = lint(files, rule="AML212")
    assert [f.severity.label for f in found] == ["error"]
    assert "egress_public_network_access disabled" in found[0].message


def test_dockerfile_env_without_server(lint: LintFn) -> None:
    env = "  build:\n    path: docker\n"
    found = lint({"dep.yml": online(env), "src/score.py": SCRIPT,
                  "docker/Dockerfile": "FROM python:3.12-slim\nRUN pip install scikit-learn==1.5.2\n"},
                 rule="AML212")
    assert len(found) == 1 and "docker/Dockerfile" in found[0].message


def test_environments_with_server_or_unknowable_pass(lint: LintFn) -> None:
    assert lint({
        "a.yml": online(IMAGE_ENV), "src/score.py": SCRIPT, "conda.yml": WITH_SERVER,
        "b.yml": online("  image: mcr.microsoft.com/azureml/minimal-py312-inference:latest\n"),
        "c.yml": online("  build:\n    path: docker\n"),
        "docker/Dockerfile": "FROM mcr.microsoft.com/azureml/minimal-py312-inference:latest\n"
                             "RUN pip install scikit-learn\n",
        "d.yml": online("  build:\n    path: docker2\n"),
        "docker2/Dockerfile": "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
        "docker2/requirements.txt": "azureml-defaults==1.60.0\n",
        "g.yml": online("  build:\n    path: docker3\n"),
        "docker3/Dockerfile": "FROM python:3.12\nCOPY . /app\nRUN pip install /app\n",
        "docker3/pyproject.toml": "[project]\nname = 'app'\n",
        "h.yml": online(IMAGE_ENV.replace("conda.yml", "conda-wheel.yml")),
        "conda-wheel.yml": NO_SERVER + "      - ./dist/scoring_app-1.0-py3-none-any.whl\n",
        "e.yml": ONLINE + "name: green\nendpoint_name: ep\nenvironment: azureml:my-env:1\ncode_configuration:\n"
                          "  code: src\n  scoring_script: score.py\ninstance_type: Standard_DS3_v2\n"
                          "instance_count: 3\n",
        "f.yml": ONLINE + "name: tfs\nendpoint_name: ep\nenvironment:\n  image: docker.io/tensorflow/serving:2.16.1\n"
                          "  conda_file: conda-noserver.yml\ninstance_type: Standard_DS3_v2\ninstance_count: 3\n",
        "conda-noserver.yml": NO_SERVER,
    }, rule="AML212") == []


def batch(env: str) -> str:
    return (BATCH + "name: b\nendpoint_name: my-batch\ntype: model\nmodel: azureml:m:1\ncode_configuration:\n"
            "  code: src\n  scoring_script: score.py\nenvironment:\n" + env + "compute: azureml:cpu\n")


def test_batch_env_without_azureml_core(lint: LintFn) -> None:
    found = lint({"batch.yml": batch(IMAGE_ENV), "src/score.py": SCRIPT, "conda.yml": NO_SERVER},
                 rule="AML213")
    assert [(f.line, f.severity.label) for f in found] == [(9, "warning")]
    assert "neither azureml-core nor azureml-defaults" in found[0].message


def test_batch_env_with_azureml_core_passes(lint: LintFn) -> None:
    assert lint({"batch.yml": batch(IMAGE_ENV), "src/score.py": SCRIPT,
                 "conda.yml": NO_SERVER + "      - azureml-core==1.60.0\n"}, rule="AML213") == []
