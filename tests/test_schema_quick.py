"""The quick validity check must agree with jsonschema: a document it calls valid is valid.

schemas/quick.py answers "valid" without importing jsonschema; if it ever said so for a
document jsonschema rejects, AML005 would miss a schema error. These tests compare the two
verdicts on realistic documents of every schema kind and on many random mutations of them.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aml_lint.documents import Kind
from aml_lint.schemas import SCHEMA_FILES, _resolve, load_schema, quick, validator

ROOT = Path(__file__).resolve().parents[1]

SEEDS: dict[Kind, list[dict[str, Any]]] = {
    Kind.ONLINE_DEPLOYMENT: [{
        "$schema": "https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json",
        "name": "blue", "endpoint_name": "ep", "model": {"path": "model"},
        "code_configuration": {"code": "src", "scoring_script": "score.py"},
        "environment": {"conda_file": "env.yml", "image": "mcr.microsoft.com/azureml/base:1"},
        "instance_type": "Standard_DS3_v2", "instance_count": 1,
        "request_settings": {"request_timeout_ms": 3000, "max_concurrent_requests_per_instance": 2},
        "environment_variables": {"WORKER_COUNT": "2"},
        "liveness_probe": {"initial_delay": 10, "period": 10},
        "scale_settings": {"type": "default"},
        "data_collector": {"sampling_rate": 0.5, "rolling_rate": "hour", "collections": {
            "model_inputs": {"enabled": "true", "data": {"name": "d", "version": "1"}},
            "model_outputs": {"enabled": "false", "data": "azureml:d:1"}},
            "request_logging": {"capture_headers": ["x-id"]}},
    }, {
        "name": "green", "endpoint_name": "ep", "model": "azureml:m:1",
        "environment": "azureml:env:3", "instance_type": "Standard_F2s_v2", "instance_count": 2,
        "tags": {"team": "x"},
    }],
    Kind.K8S_DEPLOYMENT: [{
        "$schema": "https://azuremlschemas.azureedge.net/latest/kubernetesOnlineDeployment.schema.json",
        "name": "blue", "endpoint_name": "ep", "model": {"path": "m"},
        "code_configuration": {"code": ".", "scoring_script": "score.py"},
        "environment": {"image": "img:1", "conda_file": "conda.yml"}, "instance_count": 1,
        "resources": {"requests": {"cpu": "0.5", "memory": "1Gi"}, "limits": {"cpu": "1"}},
        "scale_settings": {"type": "target_utilization", "min_instances": 1, "max_instances": 3},
    }],
    Kind.BATCH_DEPLOYMENT: [{
        "$schema": "https://azuremlschemas.azureedge.net/latest/modelBatchDeployment.schema.json",
        "name": "b", "endpoint_name": "ep", "type": "model", "model": {"path": "m"},
        "code_configuration": {"code": "code", "scoring_script": "batch.py"},
        "environment": {"image": "img:2", "conda_file": "env.yml"}, "compute": "azureml:cpu",
        "resources": {"instance_count": 2}, "settings": {"mini_batch_size": 10, "output_action": "append_row",
                                                        "retry_settings": {"max_retries": 3, "timeout": 30}},
    }],
    Kind.PIPELINE_BATCH_DEPLOYMENT: [{
        "$schema": "https://azuremlschemas.azureedge.net/latest/pipelineComponentBatchDeployment.schema.json",
        "name": "p", "endpoint_name": "ep", "type": "pipeline", "component": "azureml:c:1",
        "settings": {"default_compute": "cpu"},
    }],
    Kind.ENVIRONMENT: [{
        "$schema": "https://azuremlschemas.azureedge.net/latest/environment.schema.json",
        "name": "env", "version": "1", "image": "mcr.microsoft.com/azureml/base:1", "conda_file": "c.yml",
    }, {"name": "env2", "build": {"path": "docker", "dockerfile_path": "Dockerfile"}}],
    Kind.CONDA: [{
        "name": "env", "channels": ["conda-forge"],
        "dependencies": ["python=3.11", "pip", {"pip": ["azureml-inference-server-http", "numpy==1.26.4"]}],
    }, {"dependencies": ["python"]}],
}


def verdicts(kind: Kind, doc: Any) -> tuple[bool | None, bool]:
    """(quick verdict or None when unsure, jsonschema verdict)."""
    schema = load_schema(SCHEMA_FILES[kind])
    try:
        fast: bool | None = quick.is_valid(schema, doc, schema, _resolve)
    except quick.Unsure:
        fast = None
    return fast, validator(kind).is_valid(doc)


@pytest.mark.parametrize("kind", list(SEEDS))
def test_seed_documents_are_valid_for_both(kind: Kind) -> None:
    for doc in SEEDS[kind]:
        assert verdicts(kind, doc) == (True, True)


def test_bundled_examples_agree() -> None:
    from aml_lint.documents.classify import kind_from_yaml

    seen = 0
    for path in sorted((ROOT / "examples").rglob("*.y*ml")):
        for data in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            kind = kind_from_yaml(data)
            if kind in SCHEMA_FILES:
                fast, full = verdicts(kind, data)
                assert fast == full, path
                seen += 1
    assert seen >= 5  # the examples hold deployments, environments and conda files


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 5) | st.floats(allow_nan=False, width=32)
    | st.sampled_from(["", "x", "azureml:e:1", "append_row", "python=3.11", "1Gi", "model"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["name", "path", "pip", "type", "x", "code", "image"]), inner, max_size=3),
    max_leaves=8,
)



def near(value: Any) -> list[Any]:
    """Values of a neighbouring type or just out of range: what a schema keyword must catch."""
    if isinstance(value, bool):
        return [0, 1, "true", None, not value]
    if isinstance(value, (int, float)):
        return [0, -1, 2.5, 3.0, True, "3", None, 10**20, -0.5]
    if isinstance(value, str):
        return ["", 1, None, True, ["x"], value + "x"]
    if isinstance(value, list):
        return [[], {}, "x", [None], [""], [1], [{"x": 1}]]
    return [{}, [], "x", None, {"x": 1}, {1: "x"}]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_documents_agree(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(list(SEEDS)))
    doc = copy.deepcopy(data.draw(st.sampled_from(SEEDS[kind])))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(doc)))
        action = data.draw(st.sampled_from(["near", "replace", "delete", "add"]))
        if not path:
            if action in ("near", "replace"):
                doc = data.draw(JSON)
            continue
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        if action == "near":  # a value of a neighbouring type: 2.5 for an int, 1 for a string...
            parent[path[-1]] = copy.deepcopy(data.draw(st.sampled_from(near(parent[path[-1]]))))
        elif action == "replace":
            parent[path[-1]] = data.draw(JSON)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(st.sampled_from(["typo", "instance_count", "scale_settings", 1]))] = data.draw(JSON)
    fast, full = verdicts(kind, doc)
    assert fast is not None  # our schemas use only keywords the quick check knows
    assert fast == full, doc


@pytest.mark.parametrize(("schema", "instance"), [
    ({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, 3),  # both branches: not exactly one
    ({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, -3),
    ({"enum": [1, "a"]}, True),  # JSON's true is not 1
    ({"const": False}, 0),
    ({"const": [1, {"a": None}]}, [1, {"a": None}]),
    ({"type": "integer"}, 2.0),
    ({"type": "number"}, False),
    ({"additionalProperties": {"type": "string"}, "properties": {"a": {}}}, {"a": 1, "b": 2}),
    ({"items": {"minLength": 2}}, ["ab", "c"]),
    ({"pattern": "zure"}, "azureml:m:1"),  # a search, not a full match
    ({"pattern": "^azureml:"}, "./model"),
    ({"pattern": "^azureml:(?!//registries/)"}, "azureml://registries/r/models/m/versions/1"),
    ({"pattern": "^azureml:"}, 3),  # only strings are matched
    ({"maximum": 1}, 1.0),
    ({"maximum": 1}, 1.5),
    ({"maximum": 1}, True),  # a boolean is not a number
    ({"dependentRequired": {"code": ["scoring_script"]}}, {"code": "src"}),
    ({"dependentRequired": {"code": ["scoring_script"]}}, {"scoring_script": "s.py"}),
    ({"dependentRequired": {"code": ["scoring_script"]}}, ["code"]),
])
def test_keyword_semantics_match_jsonschema(schema: dict[str, Any], instance: Any) -> None:
    from jsonschema import Draft202012Validator

    def no_refs(ref: str, root: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        raise AssertionError(ref)

    assert quick.is_valid(schema, instance, schema, no_refs) == Draft202012Validator(schema).is_valid(instance)


def test_unknown_keyword_is_unsure() -> None:
    with pytest.raises(quick.Unsure):
        quick.is_valid({"maxLength": 1}, "b", {}, lambda ref, root: ({}, {}))
