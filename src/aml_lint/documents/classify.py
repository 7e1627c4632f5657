"""Which kind of AzureML file is this? ``$schema`` when present, content shape otherwise.

The AzureML CLI does not use ``$schema`` (the command decides), so a file
without one is classified by its keys, conservatively: an unrelated YAML file
(a GitHub workflow, a docker-compose file) must stay OTHER_YAML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from aml_lint.documents import Kind

CONDA_KEYS = frozenset({"name", "channels", "dependencies", "prefix", "variables", "platforms"})
ENVIRONMENT_KEYS = frozenset({"$schema", "name", "version", "description", "tags", "image", "build",
                              "conda_file", "os_type", "inference_config", "datastore", "properties"})
_SCORING_RE = re.compile(r"^(?:async\s+)?def\s+init\s*\(.*?^(?:async\s+)?def\s+run\s*\(|"
                         r"^(?:async\s+)?def\s+run\s*\(.*?^(?:async\s+)?def\s+init\s*\(", re.M | re.S)
_REQUIREMENTS_RE = re.compile(r"(^|[-_.])requirements?([-_.].*)?\.(txt|in)$|^requirements/.+\.(txt|in)$")

_SCHEMA_KINDS = (
    ("pipelinecomponentbatchdeployment", Kind.PIPELINE_BATCH_DEPLOYMENT),
    ("modelbatchdeployment", Kind.BATCH_DEPLOYMENT),
    ("kubernetesonlinedeployment", Kind.K8S_DEPLOYMENT),
    ("k8sonlinedeployment", Kind.K8S_DEPLOYMENT),
    ("managedonlinedeployment", Kind.ONLINE_DEPLOYMENT),
    ("onlinedeployment", Kind.ONLINE_DEPLOYMENT),
    ("batchdeployment", Kind.BATCH_DEPLOYMENT),
    ("endpoint", Kind.ENDPOINT),
    ("/environment.schema", Kind.ENVIRONMENT),
)


def kind_from_name(rel: str) -> Kind | None:
    """Kind by file name alone; YAML and Python files need their content (None here)."""
    lower = rel.rpartition("/")[2].lower()  # asked of every file of a repository: no Path object
    if lower == "dockerfile" or lower.startswith("dockerfile.") or lower.endswith(".dockerfile"):
        return Kind.DOCKERFILE
    if _REQUIREMENTS_RE.search(lower) or _REQUIREMENTS_RE.search(rel.lower()):
        return Kind.REQUIREMENTS
    return None


def is_yaml_name(rel: str) -> bool:
    return rel.lower().endswith((".yml", ".yaml"))


# Top-level keys only AzureML and conda files have; a YAML file with none of them (a workflow, a
# docker-compose file, a Helm template) is not ours to parse or report on.
_AZUREML_KEYS_RE = re.compile(
    r"^(?:\$schema:.*azureml|dependencies:|channels:|endpoint_name:|code_configuration:|conda_file:|"
    r"image:|build:|auth_mode:|inference_config:|compute:|environment:)",
    re.M | re.I,
)


def looks_like_azureml_yaml(text: str) -> bool:
    """Cheap text test run before parsing: could this YAML be an AzureML or conda file?"""
    return _AZUREML_KEYS_RE.search(text) is not None


def looks_like_scoring_script(text: str) -> bool:
    """Module-level ``def init(`` and ``def run(``: cheap, and confirmed later with ast."""
    return "def init" in text and "def run" in text and _SCORING_RE.search(text) is not None


def _near(key: str, options: Iterable[str]) -> bool:
    import difflib  # only for keys that are not conda's own: not worth importing at every start

    return bool(difflib.get_close_matches(key, list(options), n=1, cutoff=0.8))


def kind_from_yaml(data: Any) -> Kind:
    if not isinstance(data, dict):
        return Kind.OTHER_YAML
    schema = data.get("$schema")
    if isinstance(schema, str) and "azureml" in schema.lower():
        lowered = schema.lower()
        for needle, kind in _SCHEMA_KINDS:
            if needle in lowered:
                if kind is Kind.BATCH_DEPLOYMENT and data.get("type") == "pipeline":
                    return Kind.PIPELINE_BATCH_DEPLOYMENT
                return kind
        return Kind.OTHER_YAML
    keys = set(map(str, data))
    if "dependencies" in keys and isinstance(data["dependencies"], list) and all(
        key in CONDA_KEYS or _near(key, CONDA_KEYS) for key in keys
    ):
        return Kind.CONDA  # near misses ('chanels') stay conda files, so the schema can name the typo
    if "auth_mode" in keys and "endpoint_name" not in keys:
        return Kind.ENDPOINT
    if "endpoint_name" in keys or "code_configuration" in keys or (
        "model" in keys and keys & {"instance_type", "instance_count", "compute"}
    ):
        if data.get("type") == "pipeline" or "component" in keys:
            return Kind.PIPELINE_BATCH_DEPLOYMENT
        if data.get("type") == "model" or keys & {"compute", "mini_batch_size", "output_action",
                                                   "max_concurrency_per_instance", "error_threshold"}:
            return Kind.BATCH_DEPLOYMENT
        if data.get("type") == "kubernetes" or ("resources" in keys and "instance_count" in keys):
            return Kind.K8S_DEPLOYMENT
        return Kind.ONLINE_DEPLOYMENT
    if keys & {"image", "build"} and keys & {"conda_file", "inference_config", "os_type", "name"} \
            and keys <= ENVIRONMENT_KEYS:
        return Kind.ENVIRONMENT
    return Kind.OTHER_YAML
