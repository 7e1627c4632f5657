"""Synthetic AzureML monorepos for the benchmark, deterministic from a seed.

A repository of exactly ``n_files`` files is made of *units* (one deployable
model each: endpoint and deployment YAMLs, scoring script and helpers, conda
file, AzureML environment YAML, Dockerfile context, requirements file) and of
*filler* that has nothing to do with AzureML (READMEs, library code, tests,
JSON configs, notebooks, CI YAML, shell scripts, CSV). About 55% of the files
belong to units, as in a monorepo where ML deployment lives next to other code.

A small, fixed share of units carry the mistakes aml-lint exists to catch (an
import the environment does not provide, ``pip install`` at run time, an
untagged image, a conda file path that does not exist), so the linter has
findings to report as it would on a real repository.

The ``jobs`` profile (``--profile jobs``) makes a training repository instead: most units
are jobs (command jobs, sweep jobs, pipeline jobs with inline steps and component files, their
entry scripts run as ``python x.py``, ``python -m pkg.mod``, ``torchrun``, or a shell script
aml-lint does not follow), a few are deployments.

Same ``(n_files, seed, profile)`` -> byte-identical tree. Usage::

    python bench/generate.py OUT --files 1000 --seed 7 [--profile jobs] [--git]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# Bump when the output for a given (n_files, seed) changes: cached repos are rebuilt.
GENERATOR_VERSION = 4

# Share of files that belong to AzureML units (the rest is unrelated filler).
AML_SHARE = 0.55

# Kinds a file can have in the manifest.
AML_KINDS = (
    "endpoint",
    "deployment-managed",
    "deployment-kubernetes",
    "deployment-batch",
    "environment",
    "conda",
    "requirements",
    "dockerfile",
    "scoring-script",
    "code-module",
    "model",
)
# Kinds only the jobs profile makes.
JOB_UNIT_KINDS = ("job-command", "job-sweep", "job-pipeline", "component", "entry-script")
FILLER_KINDS = ("readme", "python", "json", "notebook", "yaml-other", "shell", "csv")
KINDS = AML_KINDS + JOB_UNIT_KINDS + FILLER_KINDS + ("sample-request",)
DEPLOYMENT_KINDS = ("deployment-managed", "deployment-kubernetes", "deployment-batch")
JOB_KINDS = ("job-command", "job-sweep", "job-pipeline", "component")
PROFILES = ("deployments", "jobs")
# In the jobs profile, the share of units that are jobs (the rest are deployments).
JOB_UNIT_SHARE = 0.8

TEAMS = ("fraud", "forecasting", "vision", "nlp", "recsys", "risk", "search", "ads", "health", "supply")
IMAGES = (
    "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20240709.v1",
    "mcr.microsoft.com/azureml/openmpi5.0-ubuntu24.04:20250601.v1",
    "mcr.microsoft.com/azureml/minimal-py311-inference:20250310.v1",
    "mcr.microsoft.com/azureml/openmpi4.1.0-cuda11.8-cudnn8-ubuntu22.04:20240709.v1",
    "mcr.microsoft.com/azureml/curated/minimal-ubuntu22.04-py39-cpu-inference:35",
)
PYTHONS = ("3.10", "3.11", "3.12")
INSTANCE_TYPES = ("Standard_DS3_v2", "Standard_DS4_v2", "Standard_F4s_v2", "Standard_NC6s_v3", "Standard_E4s_v3")

# Frameworks: import name -> (conda or pip spec, where it is declared). The
# scoring scripts import them, the conda files declare them.
FRAMEWORKS: dict[str, list[tuple[str, str, str]]] = {
    # name: [(import name, package spec, "conda" | "pip")]
    "sklearn": [("numpy", "numpy=1.26.4", "conda"), ("sklearn", "scikit-learn=1.5.1", "conda"),
                ("joblib", "joblib==1.4.2", "pip"), ("pandas", "pandas=2.2.2", "conda")],
    "lightgbm": [("numpy", "numpy=1.26.4", "conda"), ("lightgbm", "lightgbm==4.5.0", "pip"),
                 ("pandas", "pandas=2.2.2", "conda")],
    "xgboost": [("numpy", "numpy=1.26.4", "conda"), ("xgboost", "xgboost==2.1.1", "pip"),
                ("pandas", "pandas=2.2.2", "conda"), ("sklearn", "scikit-learn=1.5.1", "conda")],
    "torch": [("numpy", "numpy=1.26.4", "conda"), ("torch", "pytorch=2.3.1", "conda"),
              ("torchvision", "torchvision=0.18.1", "conda"), ("PIL", "pillow==10.4.0", "pip")],
    "transformers": [("torch", "pytorch=2.3.1", "conda"), ("transformers", "transformers==4.44.2", "pip"),
                     ("tokenizers", "tokenizers==0.19.1", "pip"), ("numpy", "numpy=1.26.4", "conda")],
    "tensorflow": [("numpy", "numpy=1.26.4", "conda"), ("tensorflow", "tensorflow==2.16.2", "pip"),
                   ("h5py", "h5py==3.11.0", "pip")],
    "mlflow": [("mlflow", "mlflow==2.15.1", "pip"), ("pandas", "pandas=2.2.2", "conda"),
               ("numpy", "numpy=1.26.4", "conda"), ("yaml", "pyyaml==6.0.2", "pip")],
}
# Imported but never declared by the defective units.
MISSING_IMPORTS = ("catboost", "shap", "cv2", "statsmodels", "onnxruntime", "polars")
STDLIB_IMPORTS = ("os", "json", "logging", "time", "pathlib", "typing", "re", "glob", "base64", "io")
FILLER_IMPORTS = ("requests", "click", "pydantic", "fastapi", "boto3", "azure.storage.blob",
                  "sqlalchemy", "attrs", "rich", "httpx")
WORDS = ("model", "score", "feature", "batch", "input", "output", "frame", "tensor", "label",
         "weight", "token", "window", "metric", "record", "sample", "config", "cache", "buffer")

# Defect rates per unit (deterministic through the seeded RNG).
P_MISSING_IMPORT = 0.08
P_RUNTIME_INSTALL = 0.03
P_UNTAGGED_IMAGE = 0.06
P_MISSING_CONDA = 0.02
P_MISSING_ENTRY = 0.02  # a job's command names a script the code folder does not hold

# Environments a job names by reference: curated (legacy name, registry URI) and workspace ones.
CURATED_REFS = (
    "azureml:AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest",
    "azureml://registries/azureml/environments/sklearn-1.5/labels/latest",
    "azureml://registries/azureml/environments/acpt-pytorch-2.2-cuda12.1/labels/latest",
    "azureml:AzureML-lightgbm-3.3-ubuntu20.04-py38-cpu:1",
)

Files = dict[str, tuple[str, "str | bytes"]]  # relpath -> (kind, content); bytes for binary model files


@dataclass
class Manifest:
    """What was generated: every file's repository-relative path and kind."""

    root: Path
    n_files: int
    seed: int
    files: dict[str, str] = field(default_factory=dict)
    profile: str = "deployments"

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(self.files.values()).items()))

    def by_kind(self, *kinds: str) -> list[str]:
        return sorted(p for p, k in self.files.items() if k in kinds)

    def to_json(self) -> dict[str, object]:
        return {
            "generator_version": GENERATOR_VERSION,
            "n_files": self.n_files,
            "seed": self.seed,
            "profile": self.profile,
            "counts": self.counts(),
            "files": dict(sorted(self.files.items())),
        }

    @classmethod
    def from_json(cls, root: Path, data: dict[str, object]) -> Manifest:
        files = data["files"]
        assert isinstance(files, dict)
        return cls(root=root, n_files=int(str(data["n_files"])), seed=int(str(data["seed"])),
                   files={str(k): str(v) for k, v in files.items()},
                   profile=str(data.get("profile", "deployments")))


# ---------------------------------------------------------------------------- text helpers


def _ident(rng: random.Random) -> str:
    return f"{rng.choice(WORDS)}_{rng.choice(WORDS)}"


def _function(rng: random.Random, name: str, indent: str = "") -> list[str]:
    """A plausible function body (loops, conditionals, calls) of 6-20 lines."""
    a, b = _ident(rng), _ident(rng)
    lines = [f"{indent}def {name}({a}, {b}=None):",
             f'{indent}    """Return the {rng.choice(WORDS)} {rng.choice(WORDS)} for {a}."""',
             f"{indent}    result = []"]
    for _ in range(rng.randint(1, 4)):
        v = _ident(rng)
        match rng.randint(0, 3):
            case 0:
                lines += [f"{indent}    for {v} in {a}:",
                          f"{indent}        if {v} is not None and {b}:",
                          f"{indent}            result.append({v})"]
            case 1:
                lines += [f"{indent}    {v} = {{k: len(str(k)) for k in {a} if k}}",
                          f"{indent}    result.extend(sorted({v}.values()))"]
            case 2:
                lines += [f"{indent}    try:",
                          f"{indent}        {v} = float({b} or 0) * {rng.randint(2, 99)}",
                          f"{indent}    except (TypeError, ValueError) as exc:",
                          f'{indent}        raise ValueError(f"bad {b}: {{exc}}") from exc',
                          f"{indent}    result.append({v})"]
            case _:
                lines += [f"{indent}    {v} = [x ** 2 for x in range({rng.randint(3, 50)})]",
                          f"{indent}    result.append(sum({v}) / max(len({v}), 1))"]
    lines.append(f"{indent}    return result")
    return lines


def _imports(names: list[str]) -> list[str]:
    out = []
    for name in names:
        if name == "sklearn":
            out.append("from sklearn.base import BaseEstimator")
        elif name == "PIL":
            out.append("from PIL import Image")
        elif name == "pandas":
            out.append("import pandas as pd")
        elif name == "numpy":
            out.append("import numpy as np")
        else:
            out.append(f"import {name}")
    return out


def _module(rng: random.Random, imports: list[str], n_funcs: int, header: str) -> str:
    lines = [f'"""{header}"""', "", *_imports(imports), ""]
    for i in range(n_funcs):
        lines += ["", *_function(rng, f"{rng.choice(WORDS)}_{i}"), ""]
    if rng.random() < 0.4:
        cls = f"{rng.choice(WORDS).title()}{rng.choice(WORDS).title()}"
        lines += ["", f"class {cls}:", f'    """Holds {rng.choice(WORDS)} state."""', "",
                  "    def __init__(self, path):", "        self.path = path", "        self.items = {}", ""]
        lines += _function(rng, "transform", indent="    ")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- AzureML units


@dataclass
class _Unit:
    rng: random.Random
    base: str  # folder of the unit, repo-relative
    name: str
    framework: str
    python: str
    image: str
    defects: set[str]


def _conda(u: _Unit, batch: bool) -> str:
    rng = u.rng
    deps = FRAMEWORKS[u.framework]
    conda = sorted({spec for _, spec, where in deps if where == "conda"})
    pip = sorted({spec for _, spec, where in deps if where == "pip"})
    pip = ["azureml-inference-server-http==1.3.4", *pip] if not batch else ["azureml-core==1.57.0", *pip]
    lines = [f"name: {u.name}-env", "channels:", "  - conda-forge"]
    if rng.random() < 0.3:
        lines.append("  - defaults")
    lines += ["dependencies:", f"  - python={u.python}", "  - pip=24.2"]
    lines += [f"  - {c}" for c in conda]
    lines += ["  - pip:"] + [f"      - {p}" for p in pip]
    return "\n".join(lines) + "\n"


def _score(u: _Unit, batch: bool, helper: str | None) -> str:
    rng = u.rng
    declared = [imp for imp, _, _ in FRAMEWORKS[u.framework]]
    extra = ["subprocess"] if "runtime-install" in u.defects else []
    third = list(dict.fromkeys(declared))
    if "missing-import" in u.defects:
        third.append(rng.choice(MISSING_IMPORTS))
    std = sorted(set(rng.sample(STDLIB_IMPORTS, 3)) | {"os", "json", "logging"} | set(extra))
    lines = ['"""Scoring script generated for the aml-lint benchmark."""', ""]
    lines += [f"import {s}" for s in std]
    lines += _imports(third)
    if helper:
        lines.append(f"from {helper} import prepare, postprocess")
    lines += ["", "model = None", "", "", "def init():", "    global model"]
    if "runtime-install" in u.defects:
        lines.append('    subprocess.run(["pip", "install", "lightgbm==4.5.0"], check=True)')
    lines += ['    model_dir = os.getenv("AZUREML_MODEL_DIR", ".")',
              f'    path = os.path.join(model_dir, "model", "{u.name}.bin")',
              '    logging.info("loading %s", path)',
              "    with open(path, \"rb\") as fh:",
              "        model = fh.read()", "", ""]
    if batch:
        lines += ["def run(mini_batch):", "    results = []", "    for item in mini_batch:",
                  "        results.append({\"file\": os.path.basename(item), \"score\": len(item)})",
                  "    return results"]
    else:
        body = "prepare(data)" if helper else "data"
        lines += ["def run(raw_data):", '    data = json.loads(raw_data)["data"]',
                  f"    features = {body}", "    scores = [len(str(row)) for row in features]"]
        lines += ["    return postprocess(scores)" if helper else "    return scores"]
    for i in range(rng.randint(1, 4)):
        lines += ["", "", *_function(rng, f"_{rng.choice(WORDS)}_{i}")]
    return "\n".join(lines) + "\n"


def _helper(u: _Unit) -> str:
    rng = u.rng
    text = _module(rng, ["numpy"] if "numpy" in [i for i, _, _ in FRAMEWORKS[u.framework]] else [],
                   rng.randint(1, 5), "Feature preparation shared by the scoring script.")
    return text + ("\n\ndef prepare(data):\n    return [row for row in data if row is not None]\n"
                   "\n\ndef postprocess(scores):\n    return {\"scores\": list(scores)}\n")


def _image(u: _Unit) -> str:
    if "untagged-image" in u.defects:
        return u.image.split(":")[0] + (":latest" if u.rng.random() < 0.5 else "")
    return u.image


def _inline_env(u: _Unit, conda_path: str) -> list[str]:
    return ["environment:", f"  conda_file: {conda_path}", f"  image: {_image(u)}"]


def _endpoint(u: _Unit, kind: str) -> str:
    schema = {"online": "managedOnlineEndpoint", "kubernetes": "kubernetesOnlineEndpoint",
              "batch": "batchEndpoint"}[kind]
    lines = [f"$schema: https://azuremlschemas.azureedge.net/latest/{schema}.schema.json",
             f"name: {u.name}-ep"]
    if kind == "online":
        lines.append("auth_mode: key")
    elif kind == "kubernetes":
        lines += ["compute: azureml:k8s-compute", "auth_mode: key"]
    else:
        lines.append(f"description: Batch endpoint for the {u.framework} model.")
    return "\n".join(lines) + "\n"


def _online_deployment(u: _Unit, slot: str, env_lines: list[str], k8s: bool) -> str:
    rng = u.rng
    schema = "kubernetesOnlineDeployment" if k8s else "managedOnlineDeployment"
    lines = [f"$schema: https://azuremlschemas.azureedge.net/latest/{schema}.schema.json",
             f"name: {slot}", f"endpoint_name: {u.name}-ep"]
    if k8s:
        lines.append("type: kubernetes")
    lines += ["model:", "  path: ./model/", "code_configuration:", "  code: ./code/",
              "  scoring_script: score.py", *env_lines]
    if not k8s:
        lines.append(f"instance_type: {rng.choice(INSTANCE_TYPES)}")
    lines.append(f"instance_count: {rng.randint(1, 3)}")
    if rng.random() < 0.5:
        lines += ["request_settings:", f"  request_timeout_ms: {rng.choice((3000, 5000, 60000))}",
                  f"  max_concurrent_requests_per_instance: {rng.randint(1, 4)}"]
    if rng.random() < 0.4:
        lines += ["environment_variables:", f'  WORKER_COUNT: "{rng.randint(1, 4)}"',
                  f"  MODEL_NAME: {u.name}"]
    if k8s:
        lines += ["resources:", "  requests:", '    cpu: "0.5"', '    memory: "1Gi"',
                  "  limits:", '    cpu: "1"', '    memory: "2Gi"']
    if rng.random() < 0.3:
        lines += ["liveness_probe:", "  initial_delay: 30", "  period: 10",
                  "readiness_probe:", "  initial_delay: 10", "  failure_threshold: 30"]
    lines += ["tags:", f"  team: {u.base.split('/')[1]}", f"  framework: {u.framework}"]
    return "\n".join(lines) + "\n"


def _batch_deployment(u: _Unit, env_lines: list[str]) -> str:
    rng = u.rng
    lines = ["$schema: https://azuremlschemas.azureedge.net/latest/modelBatchDeployment.schema.json",
             f"name: {u.name}-dpl", f"endpoint_name: {u.name}-ep", "type: model",
             "model:", f"  name: {u.name}", "  path: model",
             "code_configuration:", "  code: code", "  scoring_script: batch_driver.py",
             *env_lines, "compute: azureml:batch-cluster", "resources:",
             f"  instance_count: {rng.randint(1, 4)}", "settings:",
             f"  max_concurrency_per_instance: {rng.randint(1, 4)}",
             f"  mini_batch_size: {rng.choice((5, 10, 20))}", "  output_action: append_row",
             "  output_file_name: predictions.csv", "  retry_settings:", "    max_retries: 3",
             "    timeout: 30", "  error_threshold: -1", "  logging_level: info"]
    return "\n".join(lines) + "\n"


def _environment_yaml(u: _Unit, conda: str | None, build: str | None) -> str:
    lines = ["$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json",
             f"name: {u.name}-env", f"version: \"{u.rng.randint(1, 12)}\"",
             f"description: Environment for the {u.framework} model."]
    if build:
        lines += ["build:", f"  path: {build}", "  dockerfile_path: Dockerfile"]
    else:
        lines += [f"image: {_image(u)}", f"conda_file: {conda}"]
    return "\n".join(lines) + "\n"


def _dockerfile(u: _Unit) -> str:
    return "\n".join([
        "# Inference image for the benchmark model.",
        f"FROM {_image(u)}",
        "",
        "WORKDIR /app",
        "COPY requirements.txt /tmp/requirements.txt",
        "RUN pip install --no-cache-dir -r /tmp/requirements.txt && rm /tmp/requirements.txt",
        f"ENV MODEL_NAME={u.name}",
        'CMD ["runsvdir", "/var/runit"]',
    ]) + "\n"


def _requirements(u: _Unit) -> str:
    specs = sorted({spec.replace("=", "==", 1) if where == "conda" and "==" not in spec else spec
                    for _, spec, where in FRAMEWORKS[u.framework]})
    specs = [s.replace("pytorch", "torch") for s in specs]
    return "azureml-inference-server-http==1.3.4\n" + "\n".join(specs) + "\n"


def _mlmodel(u: _Unit) -> str:
    return (f"artifact_path: model\nflavors:\n  python_function:\n    env:\n      conda: conda.yaml\n"
            f"    loader_module: mlflow.sklearn\n    python_version: {u.python}.4\n"
            f"mlflow_version: 2.15.1\nmodel_uuid: {u.rng.getrandbits(64):016x}\n")


def _readme(rng: random.Random, title: str) -> str:
    paras = []
    for _ in range(rng.randint(2, 6)):
        paras.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60))) + ".")
    return f"# {title}\n\n" + "\n\n".join(paras) + "\n\n```bash\naz ml online-endpoint create -f endpoint.yml\n```\n"


def _sample_request(rng: random.Random) -> str:
    rows = [[round(rng.random() * 10, 3) for _ in range(rng.randint(4, 10))] for _ in range(rng.randint(1, 4))]
    return json.dumps({"data": rows}, indent=2) + "\n"


def _defects(rng: random.Random, odds: tuple[tuple[str, float], ...]) -> set[str]:
    """The defects a unit gets: one draw per (name, probability), in order (the seed's sequence)."""
    return {name for name, p in odds if rng.random() < p}


def _unit(rng: random.Random, index: int, team: str) -> Files:
    """One deployable model: its YAMLs, code, environment and docs."""
    shape = rng.choices(("managed", "kubernetes", "batch", "container", "env-asset"), weights=(5, 1, 2, 1, 1))[0]
    defects = _defects(rng, (("missing-import", P_MISSING_IMPORT), ("runtime-install", P_RUNTIME_INSTALL),
                             ("untagged-image", P_UNTAGGED_IMAGE), ("missing-conda", P_MISSING_CONDA)))
    fw = rng.choice(sorted(FRAMEWORKS))
    name = f"{fw}-{shape}-{index:05d}".replace("_", "-")
    base = f"projects/{team}/{name}"
    u = _Unit(rng, base, name, fw, rng.choice(PYTHONS), rng.choice(IMAGES), defects)
    files: Files = {}
    conda_rel = "environment/conda.yaml"
    conda_ref = "environment/conda-missing.yaml" if "missing-conda" in defects else conda_rel

    def add(rel: str, kind: str, text: str | bytes) -> None:
        files[f"{base}/{rel}"] = (kind, text)

    add("README.md", "readme", _readme(rng, f"{name} ({shape})"))
    if shape == "env-asset":
        build = rng.random() < 0.5
        if build:
            add("env.yml", "environment", _environment_yaml(u, None, "docker-context"))
            add("docker-context/Dockerfile", "dockerfile", _dockerfile(u))
            add("docker-context/requirements.txt", "requirements", _requirements(u))
        else:
            add("env.yml", "environment", _environment_yaml(u, "conda.yaml", None))
            add("conda.yaml", "conda", _conda(u, batch=False))
        return files

    if fw == "mlflow":
        add("model/MLmodel", "model", _mlmodel(u))
    else:
        add("model/model.bin", "model", bytes(rng.getrandbits(8) for _ in range(rng.randint(64, 512))))
    batch = shape == "batch"
    helper = None if batch or rng.random() < 0.5 else rng.choice(("features", "preprocess", "utils"))
    script = "batch_driver.py" if batch else "score.py"
    add(f"code/{script}", "scoring-script", _score(u, batch, helper))
    if helper:
        add(f"code/{helper}.py", "code-module", _helper(u))

    if shape == "container":
        add("environment/env.yml", "environment", _environment_yaml(u, None, "docker-context"))
        add("environment/docker-context/Dockerfile", "dockerfile", _dockerfile(u))
        add("environment/docker-context/requirements.txt", "requirements", _requirements(u))
        env_lines = ["environment:", "  build:", "    path: environment/docker-context",
                     "    dockerfile_path: Dockerfile"]
    else:
        add(conda_rel, "conda", _conda(u, batch))
        if rng.random() < 0.4:
            # Also registered as an asset; the deployment refers to it by name.
            add("environment/env.yml", "environment", _environment_yaml(u, "conda.yaml", None))
            env_lines = [f"environment: azureml:{name}-env:1"] if not batch else _inline_env(u, conda_ref)
        else:
            env_lines = _inline_env(u, conda_ref)

    ep_kind = "batch" if batch else ("kubernetes" if shape == "kubernetes" else "online")
    add("endpoint.yml", "endpoint", _endpoint(u, ep_kind))
    if batch:
        add("deployment.yml", "deployment-batch", _batch_deployment(u, env_lines))
    else:
        kind = "deployment-kubernetes" if shape == "kubernetes" else "deployment-managed"
        slots = ("blue", "green") if rng.random() < 0.3 else ("blue",)
        for slot in slots:
            add(f"{slot}-deployment.yml", kind, _online_deployment(u, slot, env_lines, shape == "kubernetes"))
        add("sample-request.json", "sample-request", _sample_request(rng))
    return files


# ---------------------------------------------------------------------------- jobs


def _entry_script(u: _Unit, what: str, helper: str | None) -> str:
    """A training entry script: argparse, the framework's imports, a main()."""
    rng = u.rng
    third = list(dict.fromkeys(imp for imp, _, _ in FRAMEWORKS[u.framework]))
    if "missing-import" in u.defects:
        third.append(rng.choice(MISSING_IMPORTS))
    std = sorted(set(rng.sample(STDLIB_IMPORTS, 3)) | {"argparse", "os", "logging"})
    lines = [f'"""{what} for the aml-lint benchmark."""', "", *[f"import {s}" for s in std], *_imports(third)]
    if helper:
        lines.append(f"from {helper} import prepare")
    lines += ["", "", "def parse_args():", "    parser = argparse.ArgumentParser()",
              '    parser.add_argument("--data", default=".")', '    parser.add_argument("--lr", type=float, default=0.1)',
              '    parser.add_argument("--epochs", type=int, default=1)', "    return parser.parse_args()"]
    for i in range(rng.randint(1, 4)):
        lines += ["", "", *_function(rng, f"_{rng.choice(WORDS)}_{i}")]
    body = "prepare(args.data)" if helper else "args.data"
    lines += ["", "", "def main():", "    args = parse_args()", f"    data = {body}",
              '    logging.info("training on %s with lr %s", data, args.lr)', "", "",
              'if __name__ == "__main__":', "    main()"]
    return "\n".join(lines) + "\n"


def _job_environment(u: _Unit, conda_from_yaml: str, env_file: str) -> tuple[list[str], bool]:
    """The ``environment:`` lines of a job (indent 0) and whether it uses the unit's conda file."""
    form = u.rng.choices(("inline", "file", "curated"), weights=(5, 2, 3))[0]
    if form == "inline":
        return ["environment:", f"  image: {_image(u)}", f"  conda_file: {conda_from_yaml}"], True
    if form == "file":
        return [f"environment: file:{env_file}"], True
    return [f"environment: {u.rng.choice(CURATED_REFS)}"], False


def _command(u: _Unit, script: str) -> tuple[str, str]:
    """(command, form) running ``script`` (a path in the code folder) in one of the usual ways."""
    rng = u.rng
    if "missing-entry" in u.defects:
        script = script.replace("train", "trian")
    args = " --data ${{inputs.data}} --lr ${{inputs.lr}}"
    form = rng.choices(("python", "module", "torchrun", "install", "shell"), weights=(8, 2, 2, 1, 1))[0]
    if "runtime-install" in u.defects:
        form = "install"
    if form == "module":
        return "python -m pkg.evaluate --model ${{inputs.data}}", form
    if form == "torchrun":
        return f"torchrun --nproc_per_node {rng.choice((2, 4, 8))} {script}{args}", form
    if form == "install":
        return f"pip install {rng.choice(MISSING_IMPORTS)} && python {script}{args}", form
    if form == "shell":
        return "bash run.sh ${{inputs.data}}", form
    return f"python {script}{args}", form


def _job_inputs(sweep: bool = False) -> list[str]:
    lr = "${{search_space.lr}}" if sweep else "0.01"
    return ["inputs:", "  data:", "    type: uri_folder", "    path: azureml:training-data:1", f"  lr: {lr}"]


def _job_unit(rng: random.Random, index: int, team: str) -> Files:
    """A training project: a command job, a sweep or a pipeline, its code and environment."""
    shape = rng.choices(("command", "sweep", "pipeline"), weights=(4, 2, 3))[0]
    defects = _defects(rng, (("missing-import", P_MISSING_IMPORT), ("runtime-install", P_RUNTIME_INSTALL),
                             ("untagged-image", P_UNTAGGED_IMAGE), ("missing-entry", P_MISSING_ENTRY)))
    fw = rng.choice(sorted(FRAMEWORKS))
    name = f"{fw}-{shape}-{index:05d}".replace("_", "-")
    base = f"training/{team}/{name}"
    u = _Unit(rng, base, name, fw, rng.choice(PYTHONS), rng.choice(IMAGES), defects)
    files: Files = {}

    def add(rel: str, kind: str, text: str) -> None:
        files[f"{base}/{rel}"] = (kind, text)

    def code_folder(folder: str, script: str) -> None:
        helper = None if rng.random() < 0.5 else rng.choice(("features", "data_utils", "metrics"))
        add(f"{folder}/{script}", "entry-script", _entry_script(u, f"Training script {script}", helper))
        if helper:
            add(f"{folder}/{helper}.py", "code-module", _helper(u))
        add(f"{folder}/pkg/__init__.py", "code-module", "")
        add(f"{folder}/pkg/evaluate.py", "entry-script", _entry_script(u, "Evaluation module", None))
        add(f"{folder}/run.sh", "shell", f"#!/usr/bin/env bash\nset -euo pipefail\npython {script} --data \"$1\"\n")

    add("README.md", "readme", _readme(rng, f"{name} ({shape})"))
    add("environment/conda.yaml", "conda", _conda(u, batch=True))
    add("environment/env.yml", "environment", _environment_yaml(u, "conda.yaml", None))
    header = "$schema: https://azuremlschemas.azureedge.net/latest/{}.schema.json"
    if shape in ("command", "sweep"):
        code_folder("src", "train.py")
        env, _ = _job_environment(u, "environment/conda.yaml", "environment/env.yml")
        command, _ = _command(u, "train.py")
        if shape == "command":
            lines = [header.format("commandJob"), "code: src", f"command: >-\n  {command}", *_job_inputs(), *env,
                     "compute: azureml:cpu-cluster", f"experiment_name: {name}"]
            add("job.yml", "job-command", "\n".join(lines) + "\n")
        else:
            trial = [f"  {line}" for line in ["code: src", f"command: {command}", *env]]
            lines = [header.format("sweepJob"), "type: sweep", "trial:", *trial, *_job_inputs(sweep=True),
                     "search_space:", "  lr:", "    type: uniform", "    min_value: 0.001", "    max_value: 0.1",
                     "objective:", "  goal: maximize", "  primary_metric: accuracy",
                     "sampling_algorithm: random", "limits:", f"  max_total_trials: {rng.randint(4, 40)}",
                     "compute: azureml:gpu-cluster", f"experiment_name: {name}"]
            add("sweep.yml", "job-sweep", "\n".join(lines) + "\n")
        return files
    # A pipeline: an inline prep step, and one to three steps that run component files.
    code_folder("prep", "prep.py")
    lines = [header.format("pipelineJob"), "type: pipeline", f"experiment_name: {name}",
             "settings:", "  default_compute: azureml:cpu-cluster", "jobs:",
             "  prep:", "    type: command", "    code: prep", "    command: python prep.py --data ${{inputs.data}}",
             "    inputs:", "      data:", "        type: uri_folder", "        path: azureml:raw-data:1",
             "    environment: file:environment/env.yml"]
    for i in range(rng.randint(1, 3)):
        step = ("train", "evaluate", "register")[i]
        code_folder(f"components/{step}/src", "train.py")
        env, _ = _job_environment(u, "../../environment/conda.yaml", "../../environment/env.yml")
        command, _ = _command(u, "train.py")
        component = [header.format("commandComponent"), f"name: {name.replace('-', '_')}_{step}", "type: command",
                     f"version: {rng.randint(1, 9)}", "code: ./src", f"command: >-\n  {command}",
                     "inputs:", "  data:", "    type: uri_folder", "  lr:", "    type: number", "    default: 0.01",
                     *env]
        add(f"components/{step}/component.yml", "component", "\n".join(component) + "\n")
        prefix = "file:" if rng.random() < 0.7 else ""
        lines += [f"  {step}:", "    type: command", f"    component: {prefix}components/{step}/component.yml",
                  "    inputs:", "      data:", "        type: uri_folder", "        path: azureml:raw-data:1"]
    add("pipeline.yml", "job-pipeline", "\n".join(lines) + "\n")
    return files


# ---------------------------------------------------------------------------- filler


def _notebook(rng: random.Random) -> str:
    cells = []
    for i in range(rng.randint(3, 12)):
        if i % 3 == 0:
            cells.append({"cell_type": "markdown", "metadata": {},
                          "source": [f"## Step {i}: {rng.choice(WORDS)} {rng.choice(WORDS)}\n"]})
        else:
            src = _function(rng, f"step_{i}")
            cells.append({"cell_type": "code", "execution_count": i, "metadata": {}, "outputs": [],
                          "source": [line + "\n" for line in src]})
    doc = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                      "name": "python3"}},
           "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(doc, indent=1) + "\n"


def _workflow(rng: random.Random, name: str) -> str:
    steps = "\n".join(f"      - name: {rng.choice(WORDS)} {rng.choice(WORDS)}\n        run: make {rng.choice(WORDS)}"
                      for _ in range(rng.randint(2, 6)))
    return (f"name: {name}\non:\n  pull_request:\n    branches: [main]\njobs:\n  build:\n"
            f"    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n{steps}\n")


def _k8s_manifest(rng: random.Random, name: str) -> str:
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  labels:\n    app: {name}\n"
            f"spec:\n  replicas: {rng.randint(1, 5)}\n  selector:\n    matchLabels:\n      app: {name}\n"
            f"  template:\n    metadata:\n      labels:\n        app: {name}\n    spec:\n      containers:\n"
            f"        - name: {name}\n          image: ghcr.io/example/{name}:1.{rng.randint(0, 9)}.0\n"
            f"          ports:\n            - containerPort: {rng.choice((80, 8080, 5001))}\n")


def _filler(rng: random.Random, index: int, team: str) -> tuple[str, str, str]:
    """One unrelated file: (relpath, kind, content)."""
    kind = rng.choices(FILLER_KINDS, weights=(2, 6, 2, 1, 2, 1, 1))[0]
    stem = f"{rng.choice(WORDS)}_{index:05d}"
    builders: dict[str, Callable[[], tuple[str, str]]] = {
        "readme": lambda: (f"docs/{team}/{stem}.md", _readme(rng, stem.replace("_", " "))),
        "python": lambda: (f"libs/{team}/{rng.choice(WORDS)}/{stem}.py",
                           _module(rng, sorted(set(rng.sample(STDLIB_IMPORTS, 2)) | {rng.choice(FILLER_IMPORTS)}),
                                   rng.randint(2, 9), f"Library module {stem}.")),
        "json": lambda: (f"configs/{team}/{stem}.json",
                         json.dumps({w: rng.randint(0, 1000) for w in rng.sample(WORDS, 8)}, indent=2) + "\n"),
        "notebook": lambda: (f"notebooks/{team}/{stem}.ipynb", _notebook(rng)),
        "yaml-other": lambda: ((f".github/workflows/{stem}.yml", _workflow(rng, stem)) if rng.random() < 0.3
                               else (f"infra/{team}/{stem}.yaml", _k8s_manifest(rng, stem.replace("_", "-")))),
        "shell": lambda: (f"scripts/{team}/{stem}.sh",
                          f"#!/usr/bin/env bash\nset -euo pipefail\necho {stem}\naz ml job create -f {stem}.yml\n"),
        "csv": lambda: (f"data/{team}/{stem}.csv",
                        "id,value\n" + "".join(f"{i},{rng.random():.4f}\n" for i in range(rng.randint(5, 60)))),
    }
    rel, text = builders[kind]()
    return rel, kind, text


# ---------------------------------------------------------------------------- the repository


def plan(n_files: int, seed: int, profile: str = "deployments") -> Files:
    """Every file of the repository, in memory (nothing written)."""
    if n_files < 1:
        raise ValueError("n_files must be at least 1")
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}")
    rng = random.Random(f"aml-lint-bench:{seed}" if profile == "deployments" else f"aml-lint-bench:{profile}:{seed}")
    files: Files = {}
    budget = int(n_files * AML_SHARE)
    index = 0
    while True:
        jobs = profile == "jobs" and rng.random() < JOB_UNIT_SHARE
        unit = (_job_unit if jobs else _unit)(rng, index, TEAMS[index % len(TEAMS)])
        index += 1
        if len(files) + len(unit) > budget:
            break
        files.update(unit)
    while len(files) < n_files:
        rel, kind, text = _filler(rng, index, TEAMS[index % len(TEAMS)])
        index += 1
        files.setdefault(rel, (kind, text))
    return files


def generate(root: Path, n_files: int, seed: int = 0, git: bool = False, profile: str = "deployments") -> Manifest:
    """Write the repository of ``n_files`` files under ``root`` (which must be empty or absent)."""
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise FileExistsError(f"{root} is not empty")
    files = plan(n_files, seed, profile)
    for rel, (_, content) in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    if git:
        _git_init(root)
    return Manifest(root=root, n_files=n_files, seed=seed, files={r: k for r, (k, _) in files.items()},
                    profile=profile)


def _git_init(root: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid",
           "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "generated"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to create (must be empty or absent)")
    parser.add_argument("--files", type=int, default=1000, help="number of files (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", choices=PROFILES, default="deployments",
                        help="deployments (default) or jobs: a training repository, mostly jobs")
    parser.add_argument("--git", action="store_true", help="make it a git repository with one commit")
    args = parser.parse_args(argv)
    manifest = generate(args.out, args.files, args.seed, git=args.git, profile=args.profile)
    print(json.dumps(manifest.counts(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
