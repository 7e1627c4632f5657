"""Which kind of AzureML file is this? ``$schema``, then ``type:``, then the content's shape.

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

# `$schema` file names (lower case, without `.schema.json`) of the kinds aml-lint checks,
# current and 2021 preview spellings.
SCHEMA_NAMES = {
    "managedonlinedeployment": Kind.ONLINE_DEPLOYMENT,
    "onlinedeployment": Kind.ONLINE_DEPLOYMENT,
    "kubernetesonlinedeployment": Kind.K8S_DEPLOYMENT,
    "k8sonlinedeployment": Kind.K8S_DEPLOYMENT,
    "modelbatchdeployment": Kind.BATCH_DEPLOYMENT,
    "batchdeployment": Kind.BATCH_DEPLOYMENT,
    "pipelinecomponentbatchdeployment": Kind.PIPELINE_BATCH_DEPLOYMENT,
    "environment": Kind.ENVIRONMENT,
    "managedonlineendpoint": Kind.ENDPOINT,
    "kubernetesonlineendpoint": Kind.ENDPOINT,
    "k8sonlineendpoint": Kind.ENDPOINT,
    "onlineendpoint": Kind.ENDPOINT,
    "batchendpoint": Kind.ENDPOINT,
    "commandjob": Kind.COMMAND_JOB,
    "sweepjob": Kind.SWEEP_JOB,
    "pipelinejob": Kind.PIPELINE_JOB,
    "commandcomponent": Kind.COMMAND_COMPONENT,
}
ONLINE_KINDS = frozenset({Kind.ONLINE_DEPLOYMENT, Kind.K8S_DEPLOYMENT})
BATCH_KINDS = frozenset({Kind.BATCH_DEPLOYMENT, Kind.PIPELINE_BATCH_DEPLOYMENT})
# `$schema` names of the other AzureML assets (spark, automl, parallel ... jobs, parallel, pipeline
# and spark components, data, compute, ...): never ours.
_OTHER_SCHEMA_SUFFIXES = ("job", "component", "compute", "datastore", "connection", "schedule")
_OTHER_SCHEMA_NAMES = frozenset({
    "data", "model", "workspace", "registry", "featurestore", "featureset", "featurestoreentity",
    "featuresetspec", "mltable", "asset", "codeasset", "code", "flow", "index", "capabilityhost",
    "serverlessendpoint", "marketplacesubscription", "deploymenttemplate", "azureblob", "azurefile",
    "azuredatalakegen1", "azuredatalakegen2", "onelake", "hub", "project", "workspacehub", "evaluator",
})
# `type:` values that only deployments take (online: managed, kubernetes; batch: model, pipeline).
DEPLOYMENT_TYPES = frozenset({"managed", "kubernetes", "model", "pipeline"})
# ... and the 2021 preview endpoints' `type: online` / `type: batch`: the shape decides those.
_SHAPE_TYPES = DEPLOYMENT_TYPES | {"online", "batch"}
# `type:` values of other AzureML assets: jobs other than command, sweep and pipeline jobs, data and
# model assets, compute, datastores.
_OTHER_TYPES = frozenset({
    "spark", "automl", "finetuning", "distillation", "parallel", "import",
    "data_transfer", "uri_file", "uri_folder", "mltable", "custom_model", "mlflow_model", "triton_model",
    "amlcompute", "computeinstance", "virtualmachine", "synapsespark", "azure_blob", "azure_file",
    "azure_data_lake_gen1", "azure_data_lake_gen2", "one_lake", "recurrence", "cron",
})


# `type:` of the jobs aml-lint checks; `az ml job create` picks its loader from it (command when absent).
_JOB_TYPES = {"command": Kind.COMMAND_JOB, "sweep": Kind.SWEEP_JOB, "pipeline": Kind.PIPELINE_JOB}
_PREVIEW_JOB_TYPES = {"command_job": (Kind.COMMAND_JOB, "command"), "sweep_job": (Kind.SWEEP_JOB, "trial"),
                      "pipeline_job": (Kind.PIPELINE_JOB, "jobs")}
# The other jobs' and components' `type:` (a job `$schema` with one of them is not ours).
_OTHER_JOB_TYPES = frozenset({"spark", "automl", "parallel", "import", "data_transfer", "finetuning",
                              "distillation", "flow", "pipeline_component"})
# Top-level keys of jobs and command components, as azure-ai-ml's schemas list them.
_JOB_BASE_KEYS = frozenset({"$schema", "name", "display_name", "description", "tags", "properties", "type",
                            "experiment_name", "compute", "identity", "services", "inputs", "outputs"})
COMMAND_JOB_KEYS = _JOB_BASE_KEYS | {"command", "code", "environment", "environment_variables", "resources",
                                    "distribution", "limits", "queue_settings", "parent_job_name"}
SWEEP_JOB_KEYS = _JOB_BASE_KEYS | {"trial", "sampling_algorithm", "search_space", "objective",
                                  "early_termination", "limits", "queue_settings", "resources"}
PIPELINE_JOB_KEYS = _JOB_BASE_KEYS | {"jobs", "settings", "component"}
COMMAND_COMPONENT_KEYS = frozenset({"$schema", "name", "version", "display_name", "description", "tags",
                                    "properties", "type", "is_deterministic", "inputs", "outputs", "command",
                                    "code", "environment", "resources", "distribution", "additional_includes"})
# Keys only a job has (a component is a reusable definition: no compute, no experiment).
_JOB_ONLY_KEYS = frozenset({"compute", "experiment_name", "environment_variables", "limits", "services",
                            "identity", "queue_settings", "parent_job_name"})
_COMPONENT_ONLY_KEYS = frozenset({"version", "is_deterministic", "additional_includes"})
# Input types only a component declares (a job gives values: `lr: 0.01`, `{type: uri_folder, path: x}`).
_PARAMETER_TYPES = frozenset({"integer", "number", "string", "boolean"})


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
    r"image:|build:|auth_mode:|inference_config:|compute:|environment:|command:|trial:|"
    r"type:\s*['\"]?(?:command|sweep|pipeline)\b)",
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


def schema_name(data: Any) -> str | None:
    """The file name a ``$schema`` URL ends with, lower case and without ``.schema.json``."""
    schema = data.get("$schema") if isinstance(data, dict) else None
    if not isinstance(schema, str) or not schema.strip():
        return None
    name = schema.strip().rstrip("/").rpartition("/")[2].lower().split("?")[0].split("#")[0]
    for suffix in (".json", ".yaml", ".yml", ".schema"):
        name = name.removesuffix(suffix)
    return name


# Documentation pages used as `$schema` (learn.microsoft.com/.../reference-yaml-<page>).
_DOC_PAGES = {
    "reference-yaml-deployment-managed-online": Kind.ONLINE_DEPLOYMENT,
    "reference-yaml-deployment-online": Kind.ONLINE_DEPLOYMENT,
    "reference-yaml-deployment-kubernetes-online": Kind.K8S_DEPLOYMENT,
    "reference-yaml-deployment-batch": Kind.BATCH_DEPLOYMENT,
    "reference-yaml-environment": Kind.ENVIRONMENT,
    "reference-yaml-endpoint-online": Kind.ENDPOINT,
    "reference-yaml-endpoint-batch": Kind.ENDPOINT,
    "reference-yaml-job-command": Kind.COMMAND_JOB,
    "reference-yaml-job-sweep": Kind.SWEEP_JOB,
    "reference-yaml-job-pipeline": Kind.PIPELINE_JOB,
    "reference-yaml-component-command": Kind.COMMAND_COMPONENT,
}


def kind_from_schema(data: Any) -> Kind | None:
    """The kind the ``$schema`` names, when it is one aml-lint checks (a schema URL, or the
    reference page of the kind in the AzureML documentation)."""
    name = schema_name(data)
    if not name:
        return None
    return SCHEMA_NAMES.get(name) or _DOC_PAGES.get(name)


# Top-level keys that only the kinds aml-lint checks have (deployments, environments, conda files).
_CHECKED_KEYS_RE = re.compile(
    r"^(?:dependencies|channels|endpoint_name|code_configuration|conda_file|inference_config|os_type|"
    r"auth_mode|instance_type|instance_count|scale_settings|mini_batch_size|output_action)\s*:", re.M)
_TOP_LINE_RE = re.compile(r"^(\$schema|type)\s*:\s*['\"]?([^'\"#\s]+)", re.M)


_JOB_KEYS_RE = re.compile(r"^(?:command|trial|jobs)\s*:", re.M)


def looks_like_checked_kind(text: str) -> bool:
    """For text that does not parse: does it look like a kind aml-lint checks, rather than a spark
    or automl job, another component or a prompt flow that merely mentions ``environment:``?"""
    head = {key: value for key, value in _TOP_LINE_RE.findall(text)}
    if names_other_asset(head):
        return False
    if kind_from_schema(head) is not None or _CHECKED_KEYS_RE.search(text) is not None:
        return True
    declared = head.get("type", "").lower()
    return declared in _JOB_TYPES and _JOB_KEYS_RE.search(text) is not None


def names_other_asset(data: Any) -> bool:
    """``$schema`` or ``type:`` names an AzureML asset aml-lint does not check (a job, a component,
    a data asset, a compute ...): such a file is never validated as a deployment."""
    if not isinstance(data, dict):
        return False
    name = schema_name(data)
    if name and name not in SCHEMA_NAMES and (
            name in _OTHER_SCHEMA_NAMES or name.endswith(_OTHER_SCHEMA_SUFFIXES) or name.startswith("automl")):
        return True
    kind = data.get("type")
    return isinstance(kind, str) and kind.strip().lower() in _OTHER_TYPES


def kind_from_yaml(data: Any) -> Kind:
    """Classify by ``$schema``, then ``type:``, then the keys present.

    The AzureML CLI does not read ``$schema`` (the command decides) and the SDK picks the online
    deployment schema from ``type:``, so ``type: kubernetes`` wins over a managed ``$schema``.
    A ``$schema`` aml-lint does not know (a documentation URL, a typo) falls back to the shape.
    """
    if not isinstance(data, dict):
        return Kind.OTHER_YAML
    if names_other_asset(data):
        return Kind.OTHER_YAML
    declared = data.get("type")
    declared = declared.strip().lower() if isinstance(declared, str) else None
    kind = kind_from_schema(data)
    if kind in ONLINE_KINDS:
        if declared == "kubernetes":
            return Kind.K8S_DEPLOYMENT
        return Kind.ONLINE_DEPLOYMENT if declared == "managed" else kind
    if kind in BATCH_KINDS:
        if declared == "pipeline":
            return Kind.PIPELINE_BATCH_DEPLOYMENT
        return Kind.BATCH_DEPLOYMENT if declared == "model" else kind
    if kind is Kind.COMMAND_COMPONENT:
        # `az ml component create` picks the component's loader from `type:` too (parallel, spark ...
        # components are not ours); a `type:` nobody has (`comand`) is the schema's finding.
        return Kind.OTHER_YAML if declared in _OTHER_JOB_TYPES or declared == "pipeline" else kind
    if kind is not None and kind.is_job:
        # `az ml job create` loads by `type:` whatever `$schema` says (a command job when absent): a
        # sweep `$schema` without `type:` is loaded as a command job, and its schema says `type` is missing.
        if declared in _OTHER_JOB_TYPES:
            return Kind.OTHER_YAML
        return _JOB_TYPES.get(declared or "", kind)
    if kind is not None:
        return kind
    return _kind_from_shape(data, declared)


def _all_known(keys: set[str], known: frozenset[str]) -> bool:
    """Every key is one of `known` or a near miss of one (`enviroment`), so the schema can name the typo."""
    return all(key in known or _near(key, known) for key in keys)


def _job_from_shape(data: dict[Any, Any], keys: set[str], declared: str | None) -> Kind | None:
    """A job or command component without `$schema`, by its `type:` and keys; None when unsure.

    Conservative: every top-level key must be one a job (or component) has, so a GitHub workflow
    (`jobs:`), a docker-compose or Kubernetes file, or a Hydra config with `command:` stays OTHER_YAML."""
    if "endpoint_name" in keys or "code_configuration" in keys:
        return None  # a deployment (perhaps with a wrong `type:`): the deployment shape decides
    # The 2021 preview's `type: sweep_job` (command_job, pipeline_job) with its unit's key is
    # unmistakable; its other keys differ from today's, and AML007 says how.
    preview = _PREVIEW_JOB_TYPES.get(declared or "")
    if preview is not None and preview[1] in keys:
        return preview[0]
    if declared == "sweep":
        if keys & {"trial", "objective", "search_space"} and _all_known(keys, SWEEP_JOB_KEYS):
            return Kind.SWEEP_JOB
        return None
    if declared == "pipeline":
        # `version:` makes it a pipeline component; `component:` without `jobs:` may be a batch deployment.
        jobs = data.get("jobs")
        if isinstance(jobs, dict) and "version" not in keys and _all_known(keys, PIPELINE_JOB_KEYS) and not any(
                isinstance(step, dict) and step and not step.keys() & {"command", "component", "type"}
                for step in jobs.values()):
            return Kind.PIPELINE_JOB  # no step that runs nothing (another tool's `jobs:` holds `steps:`)
        return None
    if declared not in (None, "command"):
        return None
    if declared is None and not (isinstance(data.get("command"), str) and _azureml_environment(data.get("environment"))
                                 and keys & {"code", "compute", "inputs", "outputs", "resources", "distribution",
                                             "experiment_name", "version"}):
        return None  # no `type:`: only an unmistakable command job or component
    if not keys & {"command", "environment", "code"} or not _all_known(keys, COMMAND_JOB_KEYS | COMMAND_COMPONENT_KEYS):
        return None
    environment = data.get("environment")
    if isinstance(environment, dict) and environment and not _all_known(set(map(str, environment)),
                                                                        ENVIRONMENT_KEYS | {"docker"}):
        return None  # `environment: {NODE_ENV: test}`: another tool's environment variables
    if keys & _JOB_ONLY_KEYS:
        return Kind.COMMAND_JOB
    if keys & _COMPONENT_ONLY_KEYS or ("name" in keys and _declares_parameters(data.get("inputs"))):
        return Kind.COMMAND_COMPONENT
    return Kind.COMMAND_JOB


_INLINE_ENV_KEYS = ("image", "build", "conda_file", "docker")  # docker: the 2021 preview's (AML007 says so)
_NAMED_VERSION_RE = re.compile(r"[\w.-]+(?::[\w.-]+|@latest)")


def _azureml_environment(value: Any) -> bool:
    """An environment as AzureML names one: a reference (`azureml:`, a `file:`, or `name:version` with the
    `azureml:` forgotten, the schema's finding) or an inline definition; not another tool's
    `environment: local` or `environment: {MODE: fast}`."""
    if isinstance(value, str):
        return value.lower().startswith(("azureml:", "file:")) or _NAMED_VERSION_RE.fullmatch(value) is not None
    # an inline definition with its key misspelt (`imgae:`) is still one: the schema names the typo
    return isinstance(value, dict) and any(key in _INLINE_ENV_KEYS or _near(str(key), _INLINE_ENV_KEYS)
                                           for key in value)


def _declares_parameters(inputs: Any) -> bool:
    """Inputs declared as a component declares them (`{type: integer, default: 1}`), not given values."""
    if not isinstance(inputs, dict) or not inputs:
        return False
    specs = [value for value in inputs.values() if isinstance(value, dict)]
    return len(specs) == len(inputs) and all("path" not in spec and "value" not in spec for spec in specs) and any(
        str(spec.get("type", "")).lower() in _PARAMETER_TYPES or "default" in spec for spec in specs)


def _kind_from_shape(data: dict[Any, Any], declared: str | None) -> Kind:
    keys = set(map(str, data))
    if "dependencies" in keys and isinstance(data["dependencies"], list) and all(
        key in CONDA_KEYS or _near(key, CONDA_KEYS) for key in keys
    ):
        return Kind.CONDA  # near misses ('chanels') stay conda files, so the schema can name the typo
    job = _job_from_shape(data, keys, declared)
    if job is not None:
        return job
    if declared is not None and declared not in _SHAPE_TYPES and "endpoint_name" not in keys:
        return Kind.OTHER_YAML  # a `type:` no deployment has, and nothing that says deployment
    if "auth_mode" in keys and "endpoint_name" not in keys:
        return Kind.ENDPOINT
    if "endpoint_name" in keys or "code_configuration" in keys or (
        "model" in keys and keys & {"instance_type", "instance_count", "compute"}
    ):
        if declared == "pipeline" or "component" in keys:
            return Kind.PIPELINE_BATCH_DEPLOYMENT
        if declared == "model" or keys & {"compute", "mini_batch_size", "output_action",
                                          "max_concurrency_per_instance", "error_threshold"}:
            return Kind.BATCH_DEPLOYMENT
        if declared == "kubernetes" or ("resources" in keys and "instance_count" in keys):
            return Kind.K8S_DEPLOYMENT
        return Kind.ONLINE_DEPLOYMENT
    if keys & {"image", "build"} and keys & {"conda_file", "inference_config", "os_type", "name"} \
            and keys <= ENVIRONMENT_KEYS:
        return Kind.ENVIRONMENT
    return Kind.OTHER_YAML
