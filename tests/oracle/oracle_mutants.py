"""Seed documents and their seeded, deterministic mutants for the differential test.

A case is one small project: the YAML under test plus the local files it names (a model
folder, a code folder with its scoring script, a conda file, a Docker build context), so
the SDK's path resolution never decides a verdict unless a mutant changes a path on purpose.
Each mutant carries tags naming what was done to it ("type", "misspell", "duplicate-key"...):
docs/oracle.md's documented exceptions are matched on those tags.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

SCHEMA = "https://azuremlschemas.azureedge.net/latest/"
IMAGE = "mcr.microsoft.com/azureml/minimal-py312-inference:20250101.v1"
CONDA = """\
name: scoring
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip=24.2
  - pip:
      - azureml-inference-server-http==1.4.1
      - numpy==1.26.4
"""
SCORE = "import json\n\n\ndef init():\n    pass\n\n\ndef run(raw_data):\n    return json.loads(raw_data)\n"
BATCH = "def init():\n    pass\n\n\ndef run(mini_batch):\n    return mini_batch\n"

# The local files every hand-written seed may name: all present, all valid.
SUPPORT: dict[str, str] = {
    "model/model.pkl": "not really a model\n",
    "src/score.py": SCORE,
    "code/batch_driver.py": BATCH,
    "env/conda.yml": CONDA,
    "docker/Dockerfile": f"FROM {IMAGE}\n",
}


@dataclass
class Case:
    name: str
    sdk_kind: str  # environment | online | batch | online-endpoint | batch-endpoint | job | component
    main: str  # the YAML under test, relative to the case folder
    data: Any  # its document (written with yaml.safe_dump unless `text` is given)
    files: dict[str, str] = field(default_factory=dict)  # the other files of the folder
    text: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def folder(self) -> str:
        """The folder of the YAML under test, as a prefix ("" or "online/")."""
        return self.main.rpartition("/")[0] + "/" if "/" in self.main else ""

    def render(self) -> dict[str, str]:
        out = dict(self.files)
        out[self.main] = self.text if self.text is not None else yaml.safe_dump(
            self.data, sort_keys=False, allow_unicode=True)
        return out


ONLINE = {
    "$schema": SCHEMA + "managedOnlineDeployment.schema.json",
    "name": "blue", "endpoint_name": "my-endpoint",
    "model": {"path": "model"},
    "code_configuration": {"code": "src", "scoring_script": "score.py"},
    "environment": {"image": IMAGE, "conda_file": "env/conda.yml"},
    "instance_type": "Standard_DS3_v2", "instance_count": 2,
    "scale_settings": {"type": "default"},
    "request_settings": {"request_timeout_ms": 5000, "max_concurrent_requests_per_instance": 2},
    "liveness_probe": {"initial_delay": 30, "period": 10, "timeout": 2, "failure_threshold": 30},
    "readiness_probe": {"period": 10, "success_threshold": 1},
    "environment_variables": {"WORKER_COUNT": "2"},
    "app_insights_enabled": True,
    "egress_public_network_access": "enabled",
    "tags": {"team": "ml"},
    "data_collector": {
        "sampling_rate": 0.5, "rolling_rate": "hour",
        "collections": {
            "model_inputs": {"enabled": "true",
                             "data": {"name": "inputs", "path": "azureml://datastores/d/paths/in",
                                      "version": "1"}},
            "model_outputs": {"enabled": "false"},
        },
        "request_logging": {"capture_headers": ["x-request-id"]},
    },
}
ONLINE_MINIMAL = {
    "$schema": SCHEMA + "managedOnlineDeployment.schema.json",
    "name": "green", "endpoint_name": "my-endpoint", "model": "azureml:my-model:3",
    "code_configuration": {"code": "src", "scoring_script": "score.py"},
    "environment": "azureml:my-env:7", "instance_type": "Standard_F4s_v2", "instance_count": 1,
}
KUBERNETES = {
    "$schema": SCHEMA + "kubernetesOnlineDeployment.schema.json",
    "name": "blue", "endpoint_name": "k8s-endpoint", "type": "kubernetes",
    "model": {"path": "model", "name": "my-model", "version": "1"},
    "code_configuration": {"code": "src", "scoring_script": "score.py"},
    "environment": {"image": IMAGE, "conda_file": "env/conda.yml"},
    "instance_type": "defaultinstancetype", "instance_count": 1,
    "scale_settings": {"type": "target_utilization", "min_instances": 1, "max_instances": 3,
                       "polling_interval": 10, "target_utilization_percentage": 70},
    "request_settings": {"request_timeout_ms": 3000, "max_queue_wait_ms": 500},
    "resources": {"requests": {"cpu": "0.5", "memory": "1Gi"}, "limits": {"cpu": "1", "nvidia.com/gpu": "1"}},
}
BATCH_MODEL = {
    "$schema": SCHEMA + "modelBatchDeployment.schema.json",
    "name": "nightly", "endpoint_name": "my-batch", "type": "model",
    "model": "azureml:my-model:3",
    "code_configuration": {"code": "code", "scoring_script": "batch_driver.py"},
    "environment": {"name": "batch-env", "image": IMAGE, "conda_file": "env/conda.yml"},
    "compute": "azureml:cpu-cluster",
    "resources": {"instance_count": 2},
    "settings": {"mini_batch_size": 10, "max_concurrency_per_instance": 2, "output_action": "append_row",
                 "output_file_name": "predictions.csv", "logging_level": "info", "error_threshold": -1,
                 "retry_settings": {"max_retries": 3, "timeout": 300},
                 "environment_variables": {"MODE": "fast"}},
}
BATCH_LEGACY = {  # the layout before `type: model`: tuning keys at the root
    "$schema": SCHEMA + "batchDeployment.schema.json",
    "name": "legacy", "endpoint_name": "my-batch",
    "model": {"path": "model"},
    "code_configuration": {"code": "code", "scoring_script": "batch_driver.py"},
    "environment": {"image": IMAGE, "conda_file": "env/conda.yml"},
    "compute": "azureml:cpu-cluster", "resources": {"instance_count": 1},
    "mini_batch_size": 5, "output_action": "summary_only", "error_threshold": 10,
    "retry_settings": {"max_retries": 1, "timeout": 60},
}
BATCH_PIPELINE = {
    "$schema": SCHEMA + "pipelineComponentBatchDeployment.schema.json",
    "name": "hello", "endpoint_name": "my-batch", "type": "pipeline",
    "component": "azureml:my-pipeline:1",
    "settings": {"default_compute": "cpu-cluster", "continue_on_step_failure": False},
}
ENVIRONMENT = {
    "$schema": SCHEMA + "environment.schema.json",
    "name": "scoring-env", "version": "3", "description": "scoring", "tags": {"team": "ml"},
    "image": IMAGE, "conda_file": "env/conda.yml", "os_type": "linux",
}
ENVIRONMENT_BUILD = {
    "$schema": SCHEMA + "environment.schema.json",
    "name": "docker-env", "build": {"path": "docker", "dockerfile_path": "Dockerfile"},
}
ENVIRONMENT_INFERENCE = {
    "$schema": SCHEMA + "environment.schema.json",
    "name": "custom-server", "image": IMAGE,
    "inference_config": {
        "liveness_route": {"path": "/health", "port": 5001},
        "readiness_route": {"path": "/ready", "port": 5001},
        "scoring_route": {"path": "/score", "port": 5001},
    },
}

# Endpoints: aml-lint checks their names only (AML404; no endpoint schema yet), so their
# mutants change names and drop keys, nothing a schema would decide.
ONLINE_ENDPOINT = {
    "$schema": SCHEMA + "managedOnlineEndpoint.schema.json",
    "name": "my-endpoint", "auth_mode": "key", "description": "scores", "tags": {"team": "ml"},
    "identity": {"type": "system_assigned"},
}
KUBERNETES_ENDPOINT = {
    "$schema": SCHEMA + "kubernetesOnlineEndpoint.schema.json",
    "name": "k8s-endpoint", "compute": "azureml:k8s-compute", "auth_mode": "aml_token",
}
BATCH_ENDPOINT = {
    "$schema": SCHEMA + "batchEndpoint.schema.json",
    "name": "my-batch", "description": "nightly", "auth_mode": "aad_token",
    "defaults": {"deployment_name": "nightly"},
}

HAND_WRITTEN: list[tuple[str, str, str, dict[str, Any]]] = [
    ("online-full", "online", "deployment.yml", ONLINE),
    ("online-minimal", "online", "deployment.yml", ONLINE_MINIMAL),
    ("kubernetes", "online", "deployment.yml", KUBERNETES),
    ("batch-model", "batch", "deployment.yml", BATCH_MODEL),
    ("batch-legacy", "batch", "deployment.yml", BATCH_LEGACY),
    ("batch-pipeline", "batch", "deployment.yml", BATCH_PIPELINE),
    ("environment", "environment", "environment.yml", ENVIRONMENT),
    ("environment-build", "environment", "environment.yml", ENVIRONMENT_BUILD),
    ("environment-inference", "environment", "environment.yml", ENVIRONMENT_INFERENCE),
    ("online-endpoint", "online-endpoint", "endpoint.yml", ONLINE_ENDPOINT),
    ("kubernetes-endpoint", "online-endpoint", "endpoint.yml", KUBERNETES_ENDPOINT),
    ("batch-endpoint", "batch-endpoint", "endpoint.yml", BATCH_ENDPOINT),
]
ENDPOINT_OPS = ("name", "drop", "duplicate-key")


def sdk_kind_of(data: Any) -> str | None:
    """Which `az ml` command a bundled example is meant for (None: not an AzureML asset we compare)."""
    if not isinstance(data, dict):
        return None
    schema = str(data.get("$schema", "")).lower()
    if "onlinedeployment" in schema:
        return "online"
    if "batchdeployment" in schema:
        return "batch"
    if "environment.schema" in schema:
        return "environment"
    if schema.endswith(("/commandjob.schema.json", "/sweepjob.schema.json", "/pipelinejob.schema.json")):
        return "job"
    if schema.endswith("/commandcomponent.schema.json"):
        return "component"
    return None


def example_cases() -> list[Case]:
    """Every bundled example YAML that is an AzureML asset, inside a copy of its example tree."""
    cases = []
    for path in sorted(EXAMPLES.rglob("*.y*ml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        kind = sdk_kind_of(data)
        if kind is None:
            continue
        tree = EXAMPLES / path.relative_to(EXAMPLES).parts[0]  # examples/healthy, examples/broken
        main = path.relative_to(tree).as_posix()
        files = {p.relative_to(tree).as_posix(): p.read_text(encoding="utf-8")
                 for p in sorted(tree.rglob("*")) if p.is_file() and p != path}
        cases.append(Case(f"example:{tree.name}/{main}", kind, main, data, files,
                          text=path.read_text(encoding="utf-8")))
    return cases


def seeds() -> list[Case]:
    out = [Case(f"seed:{name}", kind, main, copy.deepcopy(doc), dict(SUPPORT))
           for name, kind, main, doc in HAND_WRITTEN]
    for case in example_cases():
        if case.sdk_kind in JOB_SDK_KINDS:
            continue  # jobs and components have their own seeds and operators (job_mutants)
        # The example's own files, plus the hand-written seeds' files beside it for mutants that name them.
        files = {case.folder + rel: text for rel, text in SUPPORT.items()} | case.files
        out.append(Case(case.name.replace("example:", "seed:"), case.sdk_kind, case.main,
                        copy.deepcopy(case.data), files))
    return out


# ---- mutation operators -------------------------------------------------------------------

def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            out.append((*prefix, k))
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.append((*prefix, i))
            out += _paths(v, (*prefix, i))
    return out


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _mapping_paths(doc: Any) -> list[tuple[Any, ...]]:
    return [()] + [p for p in _paths(doc) if isinstance(_get(doc, p), dict)]


def _misspell(rng: random.Random, word: str) -> str:
    if len(word) < 3:
        return word + "s"
    i = rng.randrange(1, len(word) - 1)
    how = rng.choice(["drop", "double", "swap", "underscore"])
    if how == "drop":
        return word[:i] + word[i + 1:]
    if how == "double":
        return word[:i] + word[i] + word[i:]
    if how == "swap" and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word.replace("_", "-") if "_" in word else word.upper()


WRONG_TYPES: list[tuple[str, Any]] = [
    ("int", 7), ("zero", 0), ("negative", -1), ("float", 2.5), ("int-float", 3.0), ("bool", True),
    ("str", "seven"), ("numeric-str", "3"), ("bool-str", "true"), ("empty-str", ""),
    ("null", None), ("list", ["a"]), ("empty-list", []), ("dict", {"x": 1}), ("empty-dict", {}),
]
ENUM_NEAR = {
    "type": ["Managed", "KUBERNETES", "batch", "model", "pipeline", "managed", "kubernetes", "mlflow_model"],
    "output_action": ["append-row", "AppendRow", "summary_only", "append_row", "summary"],
    "logging_level": ["INFO", "verbose", "debug", "warning"],
    "rolling_rate": ["Hour", "month", "week", "minute", "day", "DAY"],
    "egress_public_network_access": ["Enabled", "on", "disabled", "true"],
    "os_type": ["Linux", "windows", "mac", "ubuntu"],
    "enabled": ["True", "false", "yes", True, False],
}
MODEL_STRINGS = ["my-model", "my-model:1", "model", "./model", "file:model", "azureml:my-model:1",
                 "azureml:my-model@latest", "azureml://registries/azureml/models/m/versions/1",
                 "azureml:/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/"
                 "workspaces/w/models/m/versions/1", "", "models/my-model:1"]
ENVIRONMENT_FORMS: list[Any] = [
    "azureml:my-env:1", "azureml:my-env@latest", "azureml:my-env:latest", "my-env:1", "my-env", "",
    "azureml://registries/azureml/environments/sklearn-1.5/versions/1",
    {"image": IMAGE}, {"image": IMAGE, "conda_file": "env/conda.yml"},
    {"conda_file": "env/conda.yml"}, {"build": {"path": "docker"}},
    {"build": {"path": "docker", "dockerfile_path": "Dockerfile"}},
    {"image": IMAGE, "build": {"path": "docker"}}, {"build": {"dockerfile_path": "Dockerfile"}},
    {"image": IMAGE, "conda_file": {"dependencies": ["python=3.11", {"pip": ["numpy"]}]}},
    {"name": "inline", "version": "1", "image": IMAGE}, {"name": "inline", "version": 1, "image": IMAGE},
    {"image": IMAGE, "os_type": "windows"}, {"image": IMAGE, "conda_fle": "env/conda.yml"},
    {}, {"image": IMAGE, "inference_config": {"scoring_route": {"path": "/s", "port": 1}}},
]
SCALE_SETTINGS: list[Any] = [
    {"type": "default"}, {"type": "target_utilization"},
    {"type": "target_utilization", "min_instances": 1, "max_instances": 4},
    {"type": "target_utilization", "polling_interval": 1, "target_utilization_percentage": 50},
    {"type": "default", "min_instances": 1}, {"min_instances": 1}, {}, {"type": "Default"},
    {"type": "TargetUtilization", "max_instances": 2}, {"type": "manual"},
    {"type": "target_utilization", "max_instances": "many"}, "default",
]
REQUEST_SETTINGS: list[Any] = [
    {}, {"request_timeout_ms": 90000}, {"request_timeout_ms": 0}, {"request_timeout_ms": "5000"},
    {"max_concurrent_requests_per_instance": 4}, {"max_concurrent_requests_per_instance": 0},
    {"max_queue_wait_ms": 0}, {"max_queue_wait_ms": 500}, {"request_timeout": 5000},
    {"request_timeout_ms": 1.5}, {"request_timeout_ms": None}, ["request_timeout_ms"],
]
PROBES: list[Any] = [
    {}, {"initial_delay": 1}, {"initial_delay": 0}, {"period": 5, "timeout": 5},
    {"failure_threshold": 3, "success_threshold": 1}, {"timeout": -1}, {"period": "ten"},
    {"initialDelay": 10}, {"period": 2.5}, {"period": None}, "enabled",
]
DATA_COLLECTORS: list[Any] = [
    {"collections": {"model_inputs": {"enabled": "true"}}},
    {"collections": {"model_inputs": {"enabled": True}}},
    {"collections": {"model_inputs": {"enabled": "True"}}},
    {"collections": {"model_inputs": {"enabled": "true", "data": {"name": "d", "version": 1}}}},
    {"collections": {"model_inputs": {"enabled": "true", "data": {"name": "d", "version": "1"}}}},
    {"collections": {"model_inputs": {"enabled": "true", "data": {"name": "d", "version": 1.5}}}},
    {"collections": {"model_inputs": {"enabled": "true", "data": "azureml:d:1"}}},
    {"collections": {"model_inputs": {"enabled": "true", "data": {"path": 3}}}},
    {"collections": {"model_inputs": {"enabled": "true", "data": {"nmae": "d"}}}},
    {"collections": {"model_inputs": {"enabled": "true", "client_id": "c"}}},
    {"collections": {"model_inputs": {"enabled": "true", "client_id": 5}}},
    {"collections": {"model_inputs": {"enable": "true"}}},
    {"collections": {"model_inputs": {}}},
    {"collections": {"model_inputs": None}},
    {"collections": {"model_inputs": "true"}},
    {"collections": []}, {"collections": {}},
    {"sampling_rate": 1.0, "collections": {"request": {"enabled": "true"}}},
    {"sampling_rate": 1.5, "collections": {"request": {"enabled": "true"}}},
    {"sampling_rate": 0, "collections": {"request": {"enabled": "true"}}},
    {"sampling_rate": -0.5, "collections": {"request": {"enabled": "true"}}},
    {"sampling_rate": "half", "collections": {"request": {"enabled": "true"}}},
    {"rolling_rate": "day", "collections": {"request": {"enabled": "true"}}},
    {"rolling_rate": "Day", "collections": {"request": {"enabled": "true"}}},
    {"rolling_rate": "month", "collections": {"request": {"enabled": "true"}}},
    {"rolling_rate": "Year", "collections": {"request": {"enabled": "true"}}},
    {"request_logging": {"capture_headers": ["a", "b"]}, "collections": {"request": {"enabled": "true"}}},
    {"request_logging": {"capture_headers": "a"}, "collections": {"request": {"enabled": "true"}}},
    {"request_logging": {"headers": ["a"]}, "collections": {"request": {"enabled": "true"}}},
    {"request_logging": {}, "collections": {"request": {"enabled": "true"}}},
    {"collection": {"request": {"enabled": "true"}}},
    {"sampling_rate": 0.1},
]
CONDA_VARIANTS: list[tuple[str, str]] = [
    ("conda-unknown-key", CONDA + "channel_priority: strict\n"),
    ("conda-typo-key", CONDA.replace("channels:", "chanels:")),
    ("conda-deps-string", "name: x\ndependencies: python=3.11\n"),
    ("conda-pip-string", "dependencies:\n  - python=3.11\n  - pip:\n      numpy\n"),
    ("conda-pip-dict-extra", "dependencies:\n  - python=3.11\n  - pip: [numpy]\n    extra: 1\n"),
    ("conda-channels-int", "channels: 5\ndependencies:\n  - python=3.11\n"),
    ("conda-list", "- python=3.11\n- numpy\n"),
    ("conda-empty", ""),
    ("conda-variables", CONDA + "variables:\n  MODE: fast\n"),
    ("conda-name-null", "name:\ndependencies:\n  - python=3.11\n"),
    ("conda-no-deps", "name: x\nchannels:\n  - conda-forge\n"),
    ("conda-null-dep", "dependencies:\n  - python=3.11\n  -\n"),
]


# The mutations deployments and jobs share; the wrong types, near-miss enums and added keys differ.
_SHARED_OPS = frozenset({"drop", "misspell", "type", "enum", "add-key", "duplicate-key"})


def _shared_mutation(rng: random.Random, case: Case, op: str, all_paths: list[tuple[Any, ...]],
                     wrong_types: list[tuple[str, Any]], enum_near: dict[str, list[Any]],
                     added_keys: list[str]) -> None:
    doc = case.data
    if op == "drop" and all_paths:
        path = rng.choice(all_paths)
        del _get(doc, path[:-1])[path[-1]]
        case.tags += ("drop", f"drop:{path[-1]}")
    elif op == "misspell":
        keys = [p for p in all_paths if isinstance(p[-1], str)]
        if keys:
            path = rng.choice(keys)
            parent = _get(doc, path[:-1])
            new = _misspell(rng, path[-1])
            if new not in parent:
                parent[new] = parent.pop(path[-1])
            case.tags += ("misspell",)
    elif op == "type" and all_paths:
        path = rng.choice(all_paths)
        label, value = rng.choice(wrong_types)
        _get(doc, path[:-1])[path[-1]] = copy.deepcopy(value)
        case.tags += ("type", f"type:{label}", f"at:{path[-1]}")
    elif op == "enum":
        spots = [p for p in all_paths if p[-1] in enum_near]
        if spots:
            path = rng.choice(spots)
            _get(doc, path[:-1])[path[-1]] = rng.choice(enum_near[str(path[-1])])
            case.tags += ("enum", f"at:{path[-1]}")
    elif op == "add-key":
        where = rng.choice(_mapping_paths(doc))
        _get(doc, where)[rng.choice(added_keys)] = rng.choice(["bar", 1, {"a": 1}])
        case.tags += ("add-key",)
    elif op == "duplicate-key" and isinstance(doc, dict) and doc:
        key = rng.choice([k for k in doc if not isinstance(doc[k], (dict, list))] or list(doc))
        case.tags += ("duplicate-key",)
        case.text = yaml.safe_dump(doc, sort_keys=False) + yaml.safe_dump({key: doc[key]}, sort_keys=False)


def _mutate_once(rng: random.Random, case: Case) -> None:
    doc = case.data
    ops = ["drop", "misspell", "type", "enum", "add-key", "model", "environment", "scale",
           "request", "probe", "collector", "conda", "duplicate-key", "name"]
    op = rng.choice(ENDPOINT_OPS if case.sdk_kind.endswith("endpoint") else ops)
    all_paths = _paths(doc)
    if case.sdk_kind.endswith("endpoint"):
        all_paths = [p for p in all_paths if len(p) == 1]  # no endpoint schema: nothing nested
    if op in _SHARED_OPS:
        _shared_mutation(rng, case, op, all_paths, WRONG_TYPES, ENUM_NEAR,
                         ["foo", "local_path", "settings", "resources", "description", "x_extra"])
    elif op == "model" and case.sdk_kind != "environment":
        doc["model"] = rng.choice(MODEL_STRINGS + [{"path": "model", "type": "mlflow_model"},
                                                   {"path": "model", "version": "1"},
                                                   {"name": "m", "version": "1", "path": "model"},
                                                   {"path": "nowhere"}])
        case.tags += ("model",)
    elif op == "environment" and case.sdk_kind != "environment":
        doc["environment"] = copy.deepcopy(rng.choice(ENVIRONMENT_FORMS))
        case.tags += ("environment",)
    elif op == "scale" and case.sdk_kind == "online":
        doc["scale_settings"] = copy.deepcopy(rng.choice(SCALE_SETTINGS))
        case.tags += ("scale",)
    elif op == "request" and case.sdk_kind == "online":
        doc["request_settings"] = copy.deepcopy(rng.choice(REQUEST_SETTINGS))
        case.tags += ("request",)
    elif op == "probe" and case.sdk_kind == "online":
        doc[rng.choice(["liveness_probe", "readiness_probe"])] = copy.deepcopy(rng.choice(PROBES))
        case.tags += ("probe",)
    elif op == "collector" and case.sdk_kind == "online":
        doc["data_collector"] = copy.deepcopy(rng.choice(DATA_COLLECTORS))
        case.tags += ("collector",)
    elif op == "conda":
        label, text = rng.choice(CONDA_VARIANTS)
        case.files = {**case.files, case.folder + "env/conda.yml": text}
        if case.sdk_kind == "environment":
            doc.pop("build", None)
            doc.setdefault("image", IMAGE)
            doc["conda_file"] = "env/conda.yml"
        else:
            doc["environment"] = {"image": IMAGE, "conda_file": "env/conda.yml"}
        case.tags += ("conda", label)
    elif op == "name":
        doc["name"] = rng.choice(["blue_green", "ab", "a" * 33, "9lives", "ok-name", "end-", "Blue", 12])
        case.tags += ("name",)


def mutants(count: int, seed: int = 20261206) -> Iterator[Case]:
    """`count` distinct mutants, the same ones on every run for the same seed."""
    bases = seeds()
    seen: set[tuple[str, str]] = set()
    i = 0
    while len(seen) < count:
        rng = random.Random(f"{seed}-{i}")
        i += 1
        base = rng.choice(bases)
        case = Case(base.name.replace("seed:", "mutant:"), base.sdk_kind, base.main,
                    copy.deepcopy(base.data), dict(base.files))
        for _ in range(rng.choice([1, 1, 1, 2])):
            if case.text is None and isinstance(case.data, dict):
                _mutate_once(rng, case)
        if not case.tags:
            continue
        rendered = case.render()
        key = (base.name, repr(sorted(rendered.items())))
        if key in seen:
            continue
        seen.add(key)
        case.name = f"{case.name}#{i - 1}"
        yield case


# ---- jobs and components ------------------------------------------------------------------

JOB_SDK_KINDS = ("job", "component")
TRAIN = "import argparse\n\nparser = argparse.ArgumentParser()\nparser.add_argument('--lr')\nparser.parse_args()\n"
COMPONENT_FILE = f"""\
$schema: {SCHEMA}commandComponent.schema.json
type: command
name: train_model
version: 1
code: ../src
command: python train.py --lr ${{{{inputs.lr}}}}
environment: azureml:train-env:1
inputs:
  lr:
    type: number
    default: 0.1
outputs:
  model:
    type: uri_folder
"""
JOB_SUPPORT: dict[str, str] = {
    "src/train.py": TRAIN,
    "src/prep.py": "print('prep')\n",
    "env/conda.yml": CONDA,
    "docker/Dockerfile": f"FROM {IMAGE}\n",
    "components/train.yml": COMPONENT_FILE,
    "env/environment.yml": f"$schema: {SCHEMA}environment.schema.json\nname: train-env\nimage: {IMAGE}\n"
                           "conda_file: conda.yml\n",
}
COMMAND_JOB = {
    "$schema": SCHEMA + "commandJob.schema.json", "type": "command",
    "name": "train-1", "display_name": "train", "experiment_name": "iris", "description": "trains",
    "tags": {"team": "ml"}, "code": "src", "command": "python train.py --lr ${{inputs.lr}}",
    "inputs": {"lr": 0.1, "data": {"type": "uri_folder", "path": "azureml:iris:1", "mode": "ro_mount"}},
    "outputs": {"model": {"type": "uri_folder", "mode": "rw_mount"}},
    "environment": {"image": IMAGE, "conda_file": "env/conda.yml"},
    "environment_variables": {"MODE": "fast"},
    "compute": "azureml:cpu-cluster",
    "resources": {"instance_count": 2, "shm_size": "8g"},
    "distribution": {"type": "pytorch", "process_count_per_instance": 2},
    "limits": {"timeout": 3600},
    "identity": {"type": "user_identity"},
}
COMMAND_JOB_MINIMAL = {"command": "python train.py", "code": "src", "environment": "azureml:train-env:1"}
SWEEP_JOB = {
    "$schema": SCHEMA + "sweepJob.schema.json", "type": "sweep", "experiment_name": "iris",
    "trial": {"code": "src", "command": "python train.py --lr ${{search_space.lr}}",
              "environment": "azureml:train-env:1", "resources": {"instance_count": 1}},
    "compute": "azureml:gpu-cluster",
    "sampling_algorithm": "random",
    "search_space": {"lr": {"type": "loguniform", "min_value": -5, "max_value": 0},
                     "batch": {"type": "choice", "values": [16, 32]},
                     "depth": {"type": "randint", "upper": 8},
                     "momentum": {"type": "normal", "mu": 0.9, "sigma": 0.05}},
    "objective": {"goal": "maximize", "primary_metric": "accuracy"},
    "early_termination": {"type": "bandit", "slack_factor": 0.1, "evaluation_interval": 1},
    "limits": {"max_total_trials": 20, "max_concurrent_trials": 4, "timeout": 7200},
}
PIPELINE_JOB = {
    "$schema": SCHEMA + "pipelineJob.schema.json", "type": "pipeline", "display_name": "iris",
    "experiment_name": "iris",
    "settings": {"default_compute": "azureml:cpu-cluster", "continue_on_step_failure": False},
    "inputs": {"lr": 0.1},
    "outputs": {"final": {"type": "uri_folder"}},
    "jobs": {
        "prep": {"type": "command", "code": "src", "command": "python prep.py",
                 "environment": {"image": IMAGE, "conda_file": "env/conda.yml"},
                 "outputs": {"data": {"type": "uri_folder"}}},
        "train": {"type": "command", "component": "file:components/train.yml",
                  "inputs": {"lr": "${{parent.inputs.lr}}"}, "outputs": {"model": "${{parent.outputs.final}}"}},
    },
}
COMMAND_COMPONENT = {
    "$schema": SCHEMA + "commandComponent.schema.json", "type": "command",
    "name": "train_model", "display_name": "Train", "version": "2", "description": "trains",
    "tags": {"team": "ml"}, "is_deterministic": True, "code": "src",
    "command": "python train.py --lr ${{inputs.lr}} --data ${{inputs.data}} --out ${{outputs.model}}",
    "environment": {"image": IMAGE, "conda_file": "env/conda.yml"},
    "inputs": {"lr": {"type": "number", "default": 0.1, "min": 0, "max": 1, "optional": True},
               "data": {"type": "uri_folder", "mode": "ro_mount"}},
    "outputs": {"model": {"type": "mlflow_model"}},
    "resources": {"instance_count": 1},
    "distribution": {"type": "mpi", "process_count_per_instance": 1},
}
JOB_HAND_WRITTEN: list[tuple[str, str, str, dict[str, Any]]] = [
    ("command-job", "job", "job.yml", COMMAND_JOB),
    ("command-job-minimal", "job", "job.yml", COMMAND_JOB_MINIMAL),
    ("sweep-job", "job", "job.yml", SWEEP_JOB),
    ("pipeline-job", "job", "job.yml", PIPELINE_JOB),
    ("command-component", "component", "component.yml", COMMAND_COMPONENT),
]
JOB_WRONG_TYPES: list[tuple[str, Any]] = [
    ("int", 7), ("float", 2.5), ("bool", True), ("str", "seven"), ("numeric-str", "3"), ("empty-str", ""),
    ("null", None), ("list", ["a"]), ("dict", {"x": 1}), ("empty-dict", {}),
]
JOB_ENUM_NEAR: dict[str, list[Any]] = {
    "type": ["command", "Command", "comand", "sweep", "pipeline", "spark", "pytorch", "mpi", "tensorflow",
             "PyTorch", "horovod", "uri_folder", "uri_foldr", "mlflow_model", "number", "Number", "integer",
             "float", "choice", "uniform", "unifrom", "bandit", "median_stopping", "truncation_selection"],
    "goal": ["maximize", "Minimize", "max", "MAXIMIZE"],
    "sampling_algorithm": ["random", "grid", "bayesian", "Bayesian", "sobol", "hyperband"],
    "mode": ["ro_mount", "rw_mount", "download", "upload", "mount", "direct", "readonly", "RO_MOUNT"],
    "job_tier": ["spot", "Standard", "cheap"],
}
JOB_ENVIRONMENTS: list[Any] = [
    "azureml:train-env:1", "azureml:train-env@latest", "azureml:train-env:latest", "train-env:1", "train-env", "",
    "azureml://registries/azureml/environments/sklearn-1.5/labels/latest", "file:env/environment.yml",
    {"image": IMAGE}, {"image": IMAGE, "conda_file": "env/conda.yml"}, {"build": {"path": "docker"}},
    {"image": IMAGE, "conda_fle": "env/conda.yml"}, {"image": IMAGE, "os_type": "linux"},
]
DISTRIBUTIONS: list[Any] = [
    {"type": "pytorch"}, {"type": "PyTorch", "process_count_per_instance": 4}, {"type": "mpi", "worker_count": 2},
    {"type": "tensorflow", "worker_count": 2, "parameter_server_count": 1}, {"type": "horovod"},
    {"process_count_per_instance": 2}, {"type": "pytorch", "process_count_per_instance": "two"}, "pytorch",
]
JOB_INPUTS: list[Any] = [
    0.5, 3, "text", True, "${{parent.inputs.lr}}", {"type": "uri_file", "path": "https://x.org/a.csv"},
    {"type": "mltable", "path": "azureml:table:1", "mode": "eval_mount"}, {"type": "uri_folder"},
    {"type": "custom_model", "path": "azureml:m:1", "mode": "download"}, {"value": 3}, {"type": "uri_foldr"},
    {"type": "uri_folder", "path": "azureml:d:1", "foo": 1}, None, [1], {"type": "uri_file", "mode": "upload"},
]
JOB_OUTPUTS: list[Any] = [
    None, {"type": "uri_folder"}, {"type": "mlflow_model", "mode": "upload"}, {"type": "uri_file", "path": "x"},
    {"type": "mltable", "mode": "ro_mount"}, {"type": "uri_foldr"}, "abc", {"mode": "rw_mount"}, [],
]
COMPONENT_INPUTS: list[Any] = [
    {"type": "integer", "default": 3}, {"type": "string", "enum": ["a", "b"], "default": "a"},
    {"type": "boolean", "default": False}, {"type": "number", "min": 0, "max": 1}, {"type": "uri_file"},
    {"type": "mltable", "mode": "eval_mount", "optional": True}, {"type": "path"}, {"type": "float"},
    {"type": "Number"}, {"type": "number", "foo": 1}, {"mode": "ro_mount"}, {"type": "uri_folder", "path": "x"},
    0.1, None, {"type": "integer", "default": "three"}, {"type": "uri_folder", "description": 3},
]
SEARCH_DIMENSIONS: list[Any] = [
    {"type": "choice", "values": [1, 2, 3]}, {"type": "uniform", "min_value": 0, "max_value": 1},
    {"type": "quniform", "min_value": 0, "max_value": 10, "q": 1}, {"type": "qnormal", "mu": 0, "sigma": 1, "q": 1},
    {"type": "lognormal", "mu": 0, "sigma": 1}, {"type": "randint", "upper": 5}, {"type": "uniform", "min_value": 0},
    {"type": "unifrom", "min_value": 0, "max_value": 1}, {"type": "choice"}, {"type": "randint", "upper": 1.5},
    {"type": "uniform", "min_value": 0, "max_value": 1, "q": 1}, 0.1, {"values": [1]},
]
EARLY_TERMINATIONS: list[Any] = [
    {"type": "bandit", "slack_amount": 0.2}, {"type": "median_stopping", "evaluation_interval": 2},
    {"type": "truncation_selection", "truncation_percentage": 20}, {"type": "truncation_selection"},
    {"type": "bandits"}, {"type": "median_stopping", "slack_factor": 0.1}, {"slack_factor": 0.1},
    {"type": "Bandit", "delay_evaluation": 5},
]
STEPS: list[Any] = [
    {"type": "command", "command": "python prep.py", "environment": "azureml:train-env:1", "code": "src"},
    {"command": "python prep.py", "environment": "azureml:train-env:1", "compute": "azureml:gpu"},
    {"type": "command", "command": "python prep.py", "code": "src"},
    {"type": "command", "code": "src", "environment": "azureml:train-env:1"},
    {"type": "command", "component": "azureml:train_model:1"}, {"type": "command", "component": "azureml:train_model@latest"},
    {"type": "command", "component": "train_model:1"}, {"component": "file:components/train.yml", "inptus": {}},
    {"type": "comand", "component": "file:components/train.yml"},
    {"type": "command", "component": {"command": "python train.py", "environment": "azureml:e:1", "code": "src"}},
    {"type": "command", "component": {"command": "python train.py", "enviroment": "azureml:e:1"}},
    {"type": "command", "command": "python prep.py", "environment": "azureml:e:1", "foo": 1},
    {"type": "parallel", "component": "azureml:p:1"},
    {"type": "command", "component": "file:components/train.yml", "compute": "azureml:gpu",
     "environment_variables": {"A": "b"}},
]


def job_seeds() -> list[Case]:
    out = [Case(f"seed:{name}", kind, main, copy.deepcopy(doc), dict(JOB_SUPPORT))
           for name, kind, main, doc in JOB_HAND_WRITTEN]
    for case in example_cases():
        if case.sdk_kind in JOB_SDK_KINDS:
            files = {case.folder + rel: text for rel, text in JOB_SUPPORT.items()} | case.files
            out.append(Case(case.name.replace("example:", "seed:"), case.sdk_kind, case.main,
                            copy.deepcopy(case.data), files))
    return out


def _job_mutate_once(rng: random.Random, case: Case) -> None:
    doc = case.data
    ops = ["drop", "drop", "misspell", "misspell", "type", "type", "enum", "add-key", "environment",
           "distribution", "inputs", "outputs", "duplicate-key", "kind-specific"]
    op = rng.choice(ops)
    all_paths = _paths(doc)
    if op in _SHARED_OPS:
        _shared_mutation(rng, case, op, all_paths, JOB_WRONG_TYPES, JOB_ENUM_NEAR,
                         ["foo", "compute", "environment_variables", "limits", "version", "settings", "x_extra",
                          "model"])
    elif op == "environment":
        target = doc.get("trial", doc) if isinstance(doc.get("trial"), dict) else doc
        if "jobs" in doc and isinstance(doc["jobs"], dict) and isinstance(doc["jobs"].get("prep"), dict):
            target = doc["jobs"]["prep"]
        target["environment"] = copy.deepcopy(rng.choice(JOB_ENVIRONMENTS))
        case.tags += ("environment",)
    elif op == "distribution" and "jobs" not in doc:
        target = doc["trial"] if isinstance(doc.get("trial"), dict) else doc
        target["distribution"] = copy.deepcopy(rng.choice(DISTRIBUTIONS))
        case.tags += ("distribution",)
    elif op == "inputs":
        name = rng.choice(["lr", "data", "extra"])
        if case.sdk_kind == "component":
            doc.setdefault("inputs", {})[name] = copy.deepcopy(rng.choice(COMPONENT_INPUTS))
        elif isinstance(doc.get("inputs", {}), dict):
            doc.setdefault("inputs", {})[name] = copy.deepcopy(rng.choice(JOB_INPUTS))
        case.tags += ("inputs",)
    elif op == "outputs" and case.sdk_kind == "job" and isinstance(doc.get("outputs", {}), dict):
        doc.setdefault("outputs", {})[rng.choice(["model", "extra"])] = copy.deepcopy(rng.choice(JOB_OUTPUTS))
        case.tags += ("outputs",)
    elif op == "kind-specific":
        if doc.get("type") == "sweep":
            what = rng.choice(["search", "early", "sampling"])
            if what == "search" and isinstance(doc.get("search_space"), dict):
                doc["search_space"][rng.choice(["lr", "extra"])] = copy.deepcopy(rng.choice(SEARCH_DIMENSIONS))
            elif what == "early":
                doc["early_termination"] = copy.deepcopy(rng.choice(EARLY_TERMINATIONS))
            else:
                doc["sampling_algorithm"] = copy.deepcopy(rng.choice(
                    ["grid", "bayesian", {"type": "random", "seed": 3, "rule": "sobol"}, {"type": "grid", "seed": 1},
                     {"type": "random", "rule": "halton"}, "montecarlo"]))
            case.tags += ("sweep",)
        elif doc.get("type") == "pipeline" and isinstance(doc.get("jobs"), dict):
            doc["jobs"][rng.choice(["prep", "train", "extra"])] = copy.deepcopy(rng.choice(STEPS))
            case.tags += ("step",)
        elif case.sdk_kind == "component":
            doc["name"] = rng.choice(["train_model", "Train", "train-model", "1train", "t", "train_v2", 5])
            case.tags += ("name",)


def job_mutants(count: int, seed: int = 20261206) -> Iterator[Case]:
    """`count` distinct mutants of the job and component seeds, the same ones for the same seed."""
    bases = job_seeds()
    seen: set[tuple[str, str]] = set()
    i = 0
    while len(seen) < count:
        rng = random.Random(f"job-{seed}-{i}")
        i += 1
        base = rng.choice(bases)
        case = Case(base.name.replace("seed:", "mutant:"), base.sdk_kind, base.main,
                    copy.deepcopy(base.data), dict(base.files))
        for _ in range(rng.choice([1, 1, 1, 2])):
            if case.text is None and isinstance(case.data, dict):
                _job_mutate_once(rng, case)
        if not case.tags:
            continue
        key = (base.name, repr(sorted(case.render().items())))
        if key in seen:
            continue
        seen.add(key)
        case.name = f"{case.name}#{i - 1}"
        yield case
