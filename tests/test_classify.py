from __future__ import annotations

import pytest

from aml_lint.documents import Kind
from aml_lint.documents.classify import kind_from_name, kind_from_yaml, looks_like_scoring_script

SCHEMA = "https://azuremlschemas.azureedge.net/latest/"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ({"$schema": SCHEMA + "managedOnlineDeployment.schema.json"}, Kind.ONLINE_DEPLOYMENT),
        ({"$schema": SCHEMA + "kubernetesOnlineDeployment.schema.json"}, Kind.K8S_DEPLOYMENT),
        ({"$schema": SCHEMA + "modelBatchDeployment.schema.json"}, Kind.BATCH_DEPLOYMENT),
        ({"$schema": SCHEMA + "pipelineComponentBatchDeployment.schema.json"}, Kind.PIPELINE_BATCH_DEPLOYMENT),
        ({"$schema": SCHEMA + "batchDeployment.schema.json", "type": "pipeline"}, Kind.PIPELINE_BATCH_DEPLOYMENT),
        ({"$schema": SCHEMA + "environment.schema.json"}, Kind.ENVIRONMENT),
        ({"$schema": SCHEMA + "managedOnlineEndpoint.schema.json"}, Kind.ENDPOINT),
        ({"$schema": SCHEMA + "commandJob.schema.json"}, Kind.COMMAND_JOB),
        # Another AzureML asset, by `$schema` or `type:`, is never a deployment.
        ({"$schema": SCHEMA + "commandJob.schema.json", "model": "azureml:m:1", "compute": "c"}, Kind.COMMAND_JOB),
        ({"$schema": SCHEMA + "sparkJob.schema.json", "model": "azureml:m:1", "compute": "c"}, Kind.OTHER_YAML),
        ({"$schema": SCHEMA + "amlCompute.schema.json", "name": "cpu"}, Kind.OTHER_YAML),
        ({"$schema": SCHEMA + "data.schema.json", "name": "d", "path": "x"}, Kind.OTHER_YAML),
        ({"type": "finetuning", "name": "n", "model": {"path": "p"}, "compute": "gpu"}, Kind.OTHER_YAML),
        ({"type": "pipeline", "compute": "cpu", "jobs": {"a": {}}}, Kind.PIPELINE_JOB),
        ({"type": "command", "code": "src", "environment": "azureml:e:1", "compute": "cpu"}, Kind.COMMAND_JOB),
        ({"type": "parallel", "code": "src", "environment": "azureml:e:1", "compute": "cpu"}, Kind.OTHER_YAML),
        # A `$schema` aml-lint does not know falls back to the shape.
        ({"$schema": SCHEMA + "managedOnlineDeploymnt.schema.json", "name": "b", "endpoint_name": "e",
          "instance_type": "x"}, Kind.ONLINE_DEPLOYMENT),
        ({"$schema": "https://learn.microsoft.com/azure/machine-learning/reference-yaml-environment",
          "name": "e", "image": "python:3.11"}, Kind.ENVIRONMENT),
        ({"$schema": "https://learn.microsoft.com/azure/machine-learning/reference-yaml-deployment-online?view=x",
          "name": "b", "endpoint_name": "e", "compute": "azureml:aks"}, Kind.ONLINE_DEPLOYMENT),
        # `type:` picks the deployment schema, as the SDK does.
        ({"$schema": SCHEMA + "managedOnlineDeployment.schema.json", "type": "kubernetes"}, Kind.K8S_DEPLOYMENT),
        ({"$schema": SCHEMA + "kubernetesOnlineDeployment.schema.json", "type": "managed"}, Kind.ONLINE_DEPLOYMENT),
        ({"name": "e", "type": "online", "auth_mode": "key", "traffic": {"blue": 100}}, Kind.ENDPOINT),
        ({"$schema": "https://azuremlsdk2.blob.core.windows.net/latest/onlineDeployment.schema.json"},
         Kind.ONLINE_DEPLOYMENT),
        ({"name": "x", "channels": ["conda-forge"], "dependencies": ["python=3.10"]}, Kind.CONDA),
        ({"name": "blue", "endpoint_name": "e", "instance_type": "Standard_DS3_v2"}, Kind.ONLINE_DEPLOYMENT),
        ({"name": "b", "endpoint_name": "e", "compute": "azureml:cpu"}, Kind.BATCH_DEPLOYMENT),
        ({"name": "env", "image": "python:3.11"}, Kind.ENVIRONMENT),
        ({"name": "e", "auth_mode": "key"}, Kind.ENDPOINT),
        # Unrelated YAML must stay unrelated.
        ({"services": {"web": {"image": "nginx"}}}, Kind.OTHER_YAML),
        ({"name": "CI", "on": ["push"], "jobs": {}}, Kind.OTHER_YAML),
        ({"image": "python:3.11", "script": ["pytest"]}, Kind.OTHER_YAML),
        (["a", "b"], Kind.OTHER_YAML),
    ],
)
def test_kind_from_yaml(data: object, kind: Kind) -> None:
    assert kind_from_yaml(data) is kind


@pytest.mark.parametrize(
    ("rel", "kind"),
    [
        ("Dockerfile", Kind.DOCKERFILE),
        ("env/serving.dockerfile", Kind.DOCKERFILE),
        ("Dockerfile.gpu", Kind.DOCKERFILE),
        ("requirements.txt", Kind.REQUIREMENTS),
        ("src/requirements-dev.txt", Kind.REQUIREMENTS),
        ("requirements/base.txt", Kind.REQUIREMENTS),
        ("README.txt", None),
        ("conda.yml", None),
    ],
)
def test_kind_from_name(rel: str, kind: Kind | None) -> None:
    assert kind_from_name(rel) is kind


def test_scoring_script_detection_needs_module_level_init_and_run() -> None:
    assert looks_like_scoring_script("def init():\n    pass\n\ndef run(data):\n    return data\n")
    assert not looks_like_scoring_script("class A:\n    def init(self): ...\n    def run(self): ...\n")
    assert not looks_like_scoring_script("def init():\n    pass\n")


def test_unrelated_yaml_is_not_read(tmp_path: object) -> None:
    from pathlib import Path

    from lintkit import lint_tree

    root = Path(str(tmp_path))
    files: dict[str, str | bytes] = {
        ".github/workflows/ci.yml": "on: [push]\njobs:\n  a: {runs-on: x}\n  a: {runs-on: y}\n",
        "chart/templates/deploy.yaml": "kind: Deployment\nmetadata:\n  name: {{ .Values.name }}\n",
        "compose.yml": "services:\n  web: [unclosed\n",
        "conda.yml": "dependencies:\n  - python=3.10\n - pip\n",  # AzureML-ish and broken: reported
    }
    result = lint_tree(root, files, select="AML0")
    assert {(f.path, f.rule_id) for f in result.findings} == {("conda.yml", "AML002")}
