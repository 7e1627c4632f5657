"""The schema changes the differential test against azure-ai-ml led to, one minimal case each.

Hand-written reproductions; they need only aml-lint (no SDK), so they run everywhere. Each
pair says what the SDK 1.35 does: the file it refuses is now an AML005 error, and the file
next to it that it accepts (the true case, or one that used to be a false error) is clean.
"""

from __future__ import annotations

from typing import Any

import pytest

from aml_lint.documents import Kind
from aml_lint.schemas import problems

ONLINE: dict[str, Any] = {
    "$schema": "https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json",
    "name": "blue", "endpoint_name": "my-endpoint", "model": "azureml:my-model:1",
    "code_configuration": {"code": "src", "scoring_script": "score.py"},
    "environment": "azureml:my-env:1", "instance_type": "Standard_DS3_v2", "instance_count": 1,
}
K8S: dict[str, Any] = {**ONLINE, "type": "kubernetes", "instance_type": "defaultinstancetype"}
BATCH: dict[str, Any] = {
    "name": "nightly", "endpoint_name": "my-batch", "type": "model", "model": "azureml:my-model:1",
    "code_configuration": {"code": "code", "scoring_script": "batch.py"},
    "environment": "azureml:my-env:1", "compute": "azureml:cpu", "settings": {"mini_batch_size": 10},
}
PIPELINE: dict[str, Any] = {"name": "hello", "endpoint_name": "my-batch", "type": "pipeline",
                            "component": "azureml:my-pipeline:1"}


def messages(kind: Kind, doc: dict[str, Any]) -> list[str]:
    return [p.message for p in problems(kind, doc)]


def collector(**collection: Any) -> dict[str, Any]:
    return {"collections": {"model_inputs": {"enabled": "true", **collection}}}


# (kind, the file the SDK refuses, the neighbouring file it accepts, words of the message)
CASES = [
    # nested data collector fields: version is a string (DataAssetSchema.version = Str)
    (Kind.ONLINE_DEPLOYMENT, {**ONLINE, "data_collector": collector(data={"name": "d", "version": 1})},
     {**ONLINE, "data_collector": collector(data={"name": "d", "version": "1"})}, "version"),
    # enabled is the string "true"/"false", not a YAML boolean
    (Kind.ONLINE_DEPLOYMENT, {**ONLINE, "data_collector": {"collections": {"x": {"enabled": True}}}},
     {**ONLINE, "data_collector": {"collections": {"x": {"enabled": "True"}}}}, "enabled"),
    (Kind.ONLINE_DEPLOYMENT, {**ONLINE, "data_collector": collector(extra=1)},
     {**ONLINE, "data_collector": collector(client_id="c", data="azureml:d:1")}, "extra"),
    (Kind.ONLINE_DEPLOYMENT, {**ONLINE, "data_collector": {"rolling_rate": "month", **collector()}},
     {**ONLINE, "data_collector": {"rolling_rate": "Day", **collector()}}, "rolling_rate"),
    (Kind.ONLINE_DEPLOYMENT, {**ONLINE, "data_collector": {"sampling_rate": 1.5, **collector()}},
     {**ONLINE, "data_collector": {"sampling_rate": 1, **collector()}}, "sampling_rate"),
    (Kind.ONLINE_DEPLOYMENT, {**ONLINE, "data_collector": {"sampling_rate": 0.5}},
     {**ONLINE, "data_collector": {"sampling_rate": 0.5, "collections": {}}}, "collections"),
    (Kind.ONLINE_DEPLOYMENT, {**ONLINE, "data_collector": {"request_logging": {"capture_headers": "x"}, **collector()}},
     {**ONLINE, "data_collector": {"request_logging": {"capture_headers": ["x"]}, **collector()}},
     "capture_headers"),
    # managed deployments accept only the default scale settings
    (Kind.ONLINE_DEPLOYMENT, {**ONLINE, "scale_settings": {"type": "target_utilization", "max_instances": 3}},
     {**ONLINE, "scale_settings": {"type": "default"}}, "scale_settings"),
    (Kind.ONLINE_DEPLOYMENT, {**ONLINE, "scale_settings": {"type": "default", "min_instances": 1}},
     {**ONLINE, "scale_settings": {"type": "Default"}}, "min_instances"),
    (Kind.K8S_DEPLOYMENT, {**K8S, "scale_settings": {"max_instances": 3}},
     {**K8S, "scale_settings": {"type": "TargetUtilization", "max_instances": 3}}, "type"),
    # `model:` as a string is an azureml: reference; a local folder is written inline
    (Kind.ONLINE_DEPLOYMENT, {**ONLINE, "model": "my-model:1"}, {**ONLINE, "model": "azureml:my-model@latest"},
     "model"),
    (Kind.ONLINE_DEPLOYMENT, {**ONLINE, "model": "./model"}, {**ONLINE, "model": {"path": "./model"}}, "model"),
    (Kind.BATCH_DEPLOYMENT, {**BATCH, "model": "my-model"}, BATCH, "model"),
    (Kind.K8S_DEPLOYMENT, {**K8S, "model": "azureml://registries/r/models/m/versions/1"}, K8S, "model"),
    (Kind.K8S_DEPLOYMENT, {**K8S, "environment": "azureml://registries/r/environments/e/versions/1"}, K8S,
     "environment"),
    (Kind.ONLINE_DEPLOYMENT, {**ONLINE, "model": {"path": "m", "version": "1"}},
     {**ONLINE, "model": {"path": "m", "name": "m", "version": "1"}}, "name"),
    # code needs a scoring script
    (Kind.ONLINE_DEPLOYMENT, {**ONLINE, "code_configuration": {"code": "src"}},
     {**ONLINE, "code_configuration": {"scoring_script": "score.py"}}, "scoring_script"),
    (Kind.ONLINE_DEPLOYMENT, {**ONLINE, "code_configuration": {"code": "src", "scoring_script": ""}}, ONLINE,
     "scoring_script"),
    # type: model settings cannot be built without mini_batch_size
    (Kind.BATCH_DEPLOYMENT, {**BATCH, "settings": {"output_action": "append_row"}}, BATCH, "mini_batch_size"),
    # Kubernetes resources are strings
    (Kind.K8S_DEPLOYMENT, {**K8S, "resources": {"requests": {"cpu": 1}}},
     {**K8S, "resources": {"requests": {"cpu": "1", "nvidia.com/gpu": "1"}}}, "cpu"),
    # a pipeline component is an azureml: reference or a component YAML
    (Kind.PIPELINE_BATCH_DEPLOYMENT, {**PIPELINE, "component": "true"},
     {**PIPELINE, "component": "components/pipeline.yml"}, "component"),
    (Kind.PIPELINE_BATCH_DEPLOYMENT, {**PIPELINE, "component": {"type": "pipeline", "jobs": {}}}, PIPELINE,
     "component"),  # no inline component: the SDK's field takes a reference or a file
    # used to be false errors: values the SDK accepts and sends on
    (Kind.ONLINE_DEPLOYMENT, {**ONLINE, "type": "cloud"}, {**ONLINE, "type": "Managed",
                                                           "egress_public_network_access": "Disabled"}, "type"),
    (Kind.ONLINE_DEPLOYMENT, {**ONLINE, "tags": ["team"]}, {**ONLINE, "tags": {"owners": ["a", "b"]}}, "tags"),
]


@pytest.mark.parametrize(("kind", "refused", "accepted", "word"), CASES)
def test_schema_agrees_with_the_sdk(kind: Kind, refused: dict[str, Any], accepted: dict[str, Any],
                                    word: str) -> None:
    found = messages(kind, refused)
    assert found and any(word in m for m in found), found
    assert messages(kind, accepted) == []


def test_schema_key_of_a_deployment_is_only_an_annotation() -> None:
    # The SDK ignores `$schema` in a deployment whatever it holds; it was a type error here.
    assert messages(Kind.ONLINE_DEPLOYMENT, {**ONLINE, "$schema": ["a list"]}) == []
