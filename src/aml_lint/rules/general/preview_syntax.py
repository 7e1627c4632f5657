"""A deployment, environment or job written in the 2021 preview syntax.

What it finds: AzureML YAML files written for the CLI v2 private and public preview of 2021:
`local_path` under `model`, `code_configuration.code` or `build`; a `docker:` block under the
environment (`docker.image`, `docker.build.dockerfile: file:Dockerfile`); an environment
`path:`; `scale_settings.scale_type` and `scale_settings.instance_count`; a batch
`output_configuration` block and a `compute: {target, instance_count}` mapping; the
`file:` prefix of `docker.build.dockerfile`. It reports the file once, mapping each old key
to the current one, and names the current `$schema` when the file points at the preview
host (`azuremlsdk2.blob.core.windows.net`) or a preview name (`onlineDeployment.schema.json`);
the schema errors those keys would cause one by one (AML005) are folded into this finding.
Jobs and components of the preview are found by `code: {local_path: ...}`, `compute: {target:
...}`, `type: sweep_job` (`command_job`, `pipeline_job`), `inputs.<name>.data` and the
environment's `docker:` block, in the file, its sweep `trial:` or its pipeline steps; the
preview job schema differs in many more places (search spaces, early termination, input
modes), so every schema error of such a file is folded into this one finding.
A `file:` prefix on a path (`conda_file: file:env/conda.yml`) in a file that is otherwise in
the preview syntax is one more entry of this finding (AML101 does not repeat it); alone, in
a file of the current syntax, it is AML101's finding, which says where the file is.

Why it matters: the current CLI (v2) and SDK reject these keys ("Unknown field"), so the
file cannot be used as it is, however correct it was in 2021. The fix is mechanical once
the mapping is known.

Fails:
    $schema: https://azuremlsdk2.blob.core.windows.net/latest/onlineDeployment.schema.json
    name: blue
    endpoint_name: my-endpoint
    model:
      local_path: model/sklearn_regression_model.pkl
    environment:
      conda_file: file:env/conda.yml
      docker:
        image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest
    instance_type: Standard_DS3_v2
    scale_settings:
      scale_type: manual
      instance_count: 1

Passes:
    $schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
    name: blue
    endpoint_name: my-endpoint
    model:
      path: model/sklearn_regression_model.pkl
    environment:
      conda_file: env/conda.yml
      image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest
    instance_type: Standard_DS3_v2
    instance_count: 1

Fix: rename or move each key as the message lists, and point `$schema` at
`https://azuremlschemas.azureedge.net/latest/<kind>.schema.json`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from aml_lint.documents import DEPLOYMENT_KINDS, JOB_KINDS, Document, Kind
from aml_lint.documents.classify import schema_name
from aml_lint.documents.yaml_doc import Path_, YamlDoc
from aml_lint.rules.base import Context, Hit
from aml_lint.schemas import SCHEMA_FILES

ID = "AML007"
NAME = "preview-syntax"
SEVERITY = "error"
KINDS = (Kind.ENVIRONMENT, *DEPLOYMENT_KINDS, *sorted(JOB_KINDS, key=lambda k: k.name))

_PREVIEW_HOSTS = ("azuremlsdk2.blob.core.windows.net",)
# `$schema` names that exist only in the preview (the current ones are managedOnlineDeployment ...).
_PREVIEW_SCHEMA_NAMES = {"onlinedeployment": "managedOnlineDeployment", "k8sonlinedeployment":
                         "kubernetesOnlineDeployment"}


@dataclass(frozen=True)
class OldKey:
    """One preview key, what replaces it, and which schema problems it accounts for."""

    path: Path_  # where it is
    old: str
    new: str
    fold: Path_ | None = None  # schema problems at or under this path are this key's
    fold_at: Path_ | None = None  # ... and "missing key" problems exactly at this path
    provides: tuple[str, ...] = ()  # the required keys the new spelling gives that path


def _dotted(path: Path_) -> str:
    return ".".join(str(p) for p in path)


def _environment(doc: YamlDoc, base: Path_) -> Iterator[OldKey]:
    env = doc.get(base)
    if not isinstance(env, dict):
        return
    where = f"{_dotted(base)}." if base else ""
    docker = env.get("docker")
    if isinstance(docker, dict):
        if "image" in docker:
            yield OldKey((*base, "docker"), f"{where}docker.image", f"{where}image",
                         (*base, "docker"), base, ("image",))
        build = docker.get("build")
        if isinstance(build, dict) or "image" not in docker:
            yield OldKey((*base, "docker"), f"{where}docker.build.dockerfile",
                         f"{where}build.path (the folder) and {where}build.dockerfile_path",
                         (*base, "docker"), base, ("build",))
    if isinstance(env.get("path"), str) and "build" not in env:
        yield OldKey((*base, "path"), f"{where}path",
                     f"paths relative to this file ({where}build.path for a build context)", (*base, "path"))
    build = env.get("build")
    if isinstance(build, dict):
        for old, new in (("local_path", "path"), ("context_uri", "path"), ("dockerfile", "dockerfile_path")):
            if old in build:
                yield OldKey((*base, "build", old), f"{where}build.{old}", f"{where}build.{new}",
                             (*base, "build", old), (*base, "build"), (new,))


def old_keys(doc: Document) -> list[OldKey]:
    """The preview keys of a deployment or environment YAML, in file order."""
    yaml = doc.yaml
    if yaml is None or not isinstance(yaml.data, dict) or doc.kind not in KINDS:
        return []
    data = yaml.data
    found: list[OldKey] = []
    if doc.kind is Kind.ENVIRONMENT:
        found.extend(_environment(yaml, ()))
    elif doc.kind in JOB_KINDS:
        found.extend(_job(yaml))
    else:
        found.extend(_environment(yaml, ("environment",)))
        model = data.get("model")
        if isinstance(model, dict):
            for old, new in (("local_path", "path"), ("model_uri", "path"), ("model_format", "type")):
                if old in model:
                    found.append(OldKey(("model", old), f"model.{old}", f"model.{new}", ("model", old),
                                        ("model",), (new,)))
        code = yaml.get(("code_configuration", "code"))
        if isinstance(code, dict):
            found.append(OldKey(("code_configuration", "code"), "code_configuration.code.local_path",
                                "code_configuration.code (the folder itself)", ("code_configuration", "code")))
        scale = data.get("scale_settings")
        if isinstance(scale, dict) and "scale_type" in scale:
            found.append(OldKey(("scale_settings", "scale_type"), "scale_settings.scale_type",
                                "scale_settings.type (manual: default; auto: target_utilization)",
                                ("scale_settings",)))
            if "instance_count" in scale:
                found.append(OldKey(("scale_settings", "instance_count"), "scale_settings.instance_count",
                                    "instance_count", ("scale_settings",), (), ("instance_count",)))
        output = data.get("output_configuration")
        if isinstance(output, dict):
            found.append(OldKey(("output_configuration",), "output_configuration",
                                "output_action and output_file_name (append_row_file_name)",
                                ("output_configuration",)))
        compute = data.get("compute")
        if isinstance(compute, dict) and "target" in compute:
            new = "compute: <target>" + (", resources.instance_count" if "instance_count" in compute else "")
            found.append(OldKey(("compute",), "compute.target", new, ("compute",), (), ("compute",)))
    found.sort(key=lambda k: (yaml.loc(k.path, key=True).line, yaml.loc(k.path, key=True).col))
    return found


_PREVIEW_JOB_TYPES = {"sweep_job": "sweep", "command_job": "command", "pipeline_job": "pipeline"}


def _job_unit(doc: YamlDoc, base: Path_) -> Iterator[OldKey]:
    """Preview keys of one command unit: the file, a sweep's trial or a pipeline step."""
    unit = doc.get(base) if base else doc.data
    if not isinstance(unit, dict):
        return
    where = f"{_dotted(base)}." if base else ""
    code = unit.get("code")
    if isinstance(code, dict) and "local_path" in code:
        yield OldKey((*base, "code"), f"{where}code.local_path", f"{where}code (the folder itself)")
    compute = unit.get("compute")
    if isinstance(compute, dict) and "target" in compute:
        yield OldKey((*base, "compute"), f"{where}compute.target", f"{where}compute: <target>"
                     + (f", {where}resources.instance_count" if "instance_count" in compute else ""))
    inputs = unit.get("inputs")
    if isinstance(inputs, dict):
        for name, value in inputs.items():
            if isinstance(value, dict) and "data" in value:
                yield OldKey((*base, "inputs", name, "data"), f"{where}inputs.{name}.data",
                             f"{where}inputs.{name}.type and .path")
    yield from _environment(doc, (*base, "environment"))


def _job(doc: YamlDoc) -> Iterator[OldKey]:
    data = doc.data
    if not isinstance(data, dict):
        return
    found: list[OldKey] = []
    kind = data.get("type")
    if isinstance(kind, str) and kind in _PREVIEW_JOB_TYPES:
        found.append(OldKey(("type",), f"type: {kind}", f"type: {_PREVIEW_JOB_TYPES[kind]}"))
    found.extend(_job_unit(doc, ()))
    if isinstance(data.get("trial"), dict):
        found.extend(_job_unit(doc, ("trial",)))
    steps = data.get("jobs")
    if isinstance(steps, dict):
        for name in steps:
            found.extend(_job_unit(doc, ("jobs", name)))
    if found:
        # The preview job schema differs in more places than these markers show (search spaces,
        # early termination, input modes): every schema problem of the file is this finding's.
        first = found[0]
        found[0] = OldKey(first.path, first.old, first.new, fold=())
    yield from found


def _file_prefixes(yaml: YamlDoc) -> Iterator[OldKey]:
    """Path values written with the preview `file:` prefix (not `environment: file:`, which loads)."""
    def walk(node: object, path: Path_) -> Iterator[OldKey]:
        if isinstance(node, dict):
            for key, value in node.items():
                yield from walk(value, (*path, key))
        elif isinstance(node, str) and node.strip().startswith("file:") and path and path != ("environment",):
            yield OldKey(path, f"{_dotted(path)}: file:...", f"{_dotted(path)}: {node.strip()[5:]}")

    yield from walk(yaml.data, ())


def preview_file_prefix(doc: Document, path: Path_) -> bool:
    """True when the `file:` prefix at ``path`` is reported by this rule (the file is preview syntax)."""
    return bool(old_keys(doc)) and any(k.path == path for k in _file_prefixes(doc.yaml)) if doc.yaml else False


def _preview_schema(doc: Document) -> str | None:
    schema = doc.yaml.get(("$schema",)) if doc.yaml else None
    if not isinstance(schema, str):
        return None
    name = schema_name(doc.yaml.data if doc.yaml else None) or ""
    if any(host in schema for host in _PREVIEW_HOSTS) or name in _PREVIEW_SCHEMA_NAMES:
        return schema.strip()
    return None


def folded(keys: list[OldKey], path: tuple[str | int, ...], missing: tuple[str, ...]) -> bool:
    """True when a schema problem at ``path`` is accounted for by the preview finding on ``keys``."""
    for key in keys:
        if key.fold is not None and path[:len(key.fold)] == key.fold:
            return True
        if key.fold_at is not None and path == key.fold_at and missing and set(missing) <= set(key.provides):
            return True
    return False


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    keys = old_keys(doc)
    if not keys or doc.yaml is None:
        return
    yaml = doc.yaml
    # A `file:` value under an old key (`docker.build.dockerfile: file:Dockerfile`) is that key's entry.
    prefixes = [f for f in _file_prefixes(yaml)
                if not any(k.fold and f.path[:len(k.fold)] == k.fold for k in keys)]
    keys = sorted([*keys, *prefixes],
                  key=lambda k: (yaml.loc(k.path, key=True).line, yaml.loc(k.path, key=True).col))
    mapping = "; ".join(f"{k.old} -> {k.new} (line {yaml.loc(k.path, key=True).line})" for k in keys)
    schema = _preview_schema(doc)
    tail = (f"; and point $schema at https://azuremlschemas.azureedge.net/latest/{SCHEMA_FILES[doc.kind]}"
            if schema else "")
    yield Hit(f"this {doc.kind.value} is written in the 2021 preview syntax, which the current CLI (v2) "
              f"rejects: {mapping}{tail}", yaml.loc(keys[0].path, key=True))
