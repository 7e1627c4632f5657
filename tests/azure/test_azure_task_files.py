"""The Azure Pipelines task's files: task.json against our schema, the extension manifest,
the YAML template (Azure's pipeline schema, and its scripts run for real), and package.sh."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from azure_agent import agent_parse

REPO = Path(__file__).resolve().parents[2]
TASK_DIR = REPO / "azure-pipelines-task"
SCHEMA = json.loads((Path(__file__).parent / "task_schema.json").read_text(encoding="utf-8"))
INPUTS = ["paths", "configFile", "failOn", "comment", "suggestions", "sarifFile", "resolve"]


def task_json() -> dict[str, Any]:
    return json.loads((TASK_DIR / "task.json").read_text(encoding="utf-8"))


def errors(doc: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft7Validator(SCHEMA)
    return [e.message for e in validator.iter_errors(doc)]


def test_task_json_follows_the_task_schema() -> None:
    assert errors(task_json()) == []


def _set(doc: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    *parents, last = path.split(".")
    node: Any = out
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is _DELETE:
        del node[last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return out


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("id", "not-a-guid"),
        ("id", "8aa9804f-a194-4f7d-8e0f-978363d0e37"),
        ("name", "Aml Lint"),
        ("friendlyName", "x" * 41),
        ("category", "Linting"),
        ("version.Patch", _DELETE),
        ("version.Minor", "1"),
        ("execution", {"Node99": {"target": "index.js"}}),
        ("execution", {"Node20_1": {}}),
        ("execution", {}),
        ("inputs.2.name", "fail-on"),
        ("inputs.2.type", "dropdown"),
        ("inputs.2.options", _DELETE),
        ("visibility", ["Build", "Nightly"]),
    ],
)
def test_the_schema_rejects_broken_task_json(path: str, value: object) -> None:
    assert errors(_set(task_json(), path, value)) != []


def test_a_node20_only_task_asks_for_an_agent_that_has_node20() -> None:
    # Agents before 3.232.1 have no Node20_1 handler and would fail with "A supported task
    # execution handler was not found"; minimumAgentVersion makes them say what to upgrade.
    task = task_json()
    assert set(task["execution"]) == {"Node20_1"}
    version = tuple(int(p) for p in task["minimumAgentVersion"].split("."))
    assert version >= (3, 232, 1)


def test_inputs_are_unique_have_valid_defaults_and_match_the_cli() -> None:
    inputs = task_json()["inputs"]
    names = [i["name"] for i in inputs]
    assert names == INPUTS
    for item in inputs:
        if "options" in item:
            assert item["defaultValue"] in item["options"]
    source = (REPO / "src/aml_lint/ci/azure.py").read_text(encoding="utf-8")
    for name in names:
        assert f'env_input(env, "{name}"' in source or f'flag_input(env, "{name}"' in source


def test_versions_agree_and_the_manifest_names_the_task_folder() -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    v = task_json()["version"]
    manifest = json.loads((TASK_DIR / "vss-extension.json").read_text(encoding="utf-8"))
    assert f"{v['Major']}.{v['Minor']}.{v['Patch']}" == manifest["version"] == project["version"]
    [contribution] = manifest["contributions"]
    assert contribution["type"] == "ms.vss-distributed-task.task"
    assert contribution["targets"] == ["ms.vss-distributed-task.tasks"]
    assert [f["path"] for f in manifest["files"]] == [contribution["properties"]["name"]]
    assert (TASK_DIR / manifest["content"]["details"]["path"]).is_file()


# -- the YAML template ------------------------------------------------------------------------


def check_pipeline_schema(path: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("check-jsonschema")
    command = [exe] if exe else [sys.executable, "-m", "check_jsonschema"]
    return subprocess.run(
        [
            *command,
            "--builtin-schema",
            "vendor.azure-pipelines",
            "--data-transform",
            "azure-pipelines",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def test_template_follows_the_azure_pipelines_schema(tmp_path: Path) -> None:
    ok = check_pipeline_schema(TASK_DIR / "template.yml")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    # The check can fail: a misspelt step key is refused.
    broken = tmp_path / "broken.yml"
    text = (TASK_DIR / "template.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("  - bash: |", "  - bashh: |", 1), encoding="utf-8")
    bad = check_pipeline_schema(broken)
    assert bad.returncode != 0


def template() -> dict[str, Any]:
    return yaml.safe_load((TASK_DIR / "template.yml").read_text(encoding="utf-8"))


def test_template_passes_parameters_only_through_the_environment() -> None:
    doc = template()
    params = {p["name"] for p in doc["parameters"]}
    assert set(INPUTS) <= params
    # What pip installs must be named by the user: no default that a squatter could own.
    [package] = [p for p in doc["parameters"] if p["name"] == "package"]
    assert "default" not in package
    scripts = [s for s in doc["steps"] if "bash" in s]
    assert len(scripts) == 2
    for step in scripts:
        assert "${{" not in step["bash"] and "$(" not in step["bash"]
    env = scripts[1]["env"]
    for name in INPUTS:
        assert env[f"INPUT_{name.upper()}"] == "${{ parameters." + name + " }}"
    assert env["SYSTEM_ACCESSTOKEN"] == "$(System.AccessToken)"


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("house")
    subprocess.run(
        [sys.executable, str(TASK_DIR / "tests/make_wheelhouse.py"), str(REPO), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return out


def offline_pip_env(house: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(house / "deps"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_COMPILE="1",  # no .pyc: the test is faster and checks nothing less
    )
    return env


@pytest.mark.skipif(shutil.which("bash") is None or os.name == "nt", reason="needs bash on POSIX")
def test_template_scripts_install_and_run_aml_lint(wheelhouse: Path, tmp_path: Path) -> None:
    """Run the template's two bash steps as the agent would, variables and all."""
    doc = template()
    install, lint = [s for s in doc["steps"] if "bash" in s]
    repo = tmp_path / "s"
    (repo / "endpoints").mkdir(parents=True)
    (repo / ".aml-lint.yml").write_text("select: [AML101]\n", encoding="utf-8")
    (repo / "endpoints/deployment.yml").write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
        "name: blue\nendpoint_name: e\nmodel: azureml:m:1\n"
        "environment:\n  conda_file: missing.yml\n  image: mcr.microsoft.com/azureml/minimal:latest\n"
        "instance_type: Standard_DS3_v2\n",
        encoding="utf-8",
    )
    agent_temp = tmp_path / "agent-temp"
    agent_temp.mkdir()
    [wheel] = (wheelhouse / "wheel").glob("*.whl")
    env = offline_pip_env(wheelhouse)
    env.update(
        AGENT_TEMPDIRECTORY=str(agent_temp),
        AML_LINT_PACKAGE=str(wheel),
        PATH=str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""),
    )
    done = subprocess.run(
        ["bash", "-c", install["bash"]], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [(name, props, _)] = [c for c in agent_parse(done.stdout) if c[0] == "task.setvariable"]
    assert props["variable"] == "AML_LINT_BIN"
    bin_path = re.search(r"variable=AML_LINT_BIN\](.*)", done.stdout).group(1)  # type: ignore[union-attr]
    assert Path(bin_path).is_file()

    # The agent turns the set variable and the step's env into environment variables.
    step_env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "PIP_"))}
    step_env.update(
        AML_LINT_BIN=bin_path, AGENT_TEMPDIRECTORY=str(agent_temp), BUILD_SOURCESDIRECTORY=str(repo)
    )
    params = {p["name"]: p.get("default") for p in doc["parameters"]}
    params.update(comment="never", paths="endpoints")
    for key, value in lint["env"].items():
        m = re.fullmatch(r"\$\{\{ parameters\.(\w+) \}\}", str(value))
        step_env[key] = params[m.group(1)] if m else ""
    ran = subprocess.run(
        ["bash", "-c", lint["bash"]],
        cwd=repo,
        env=step_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 1, ran.stdout + ran.stderr
    commands = agent_parse(ran.stdout)
    issues = [p for n, p, _ in commands if n == "task.logissue"]
    assert issues and all(p["type"] == "error" for p in issues)
    assert [p["result"] for n, p, _ in commands if n == "task.complete"] == ["Failed"]


# -- packaging --------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("bash") is None or os.name == "nt", reason="needs bash on POSIX")
def test_package_script_stages_the_task_with_its_wheel(wheelhouse: Path, tmp_path: Path) -> None:
    copy_root = tmp_path / "repo"
    copy_root.mkdir()
    for name in ("pyproject.toml", "README.md"):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, copy_root / name)
    if not (copy_root / "README.md").exists():
        (copy_root / "README.md").write_text("aml-lint\n", encoding="utf-8")
    shutil.copytree(
        REPO / "src", copy_root / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    shutil.copytree(
        TASK_DIR,
        copy_root / "azure-pipelines-task",
        ignore=shutil.ignore_patterns("tests", "node_modules"),
    )
    env = offline_pip_env(wheelhouse)
    env.update(PYTHON=sys.executable, AML_LINT_NO_BUILD_ISOLATION="1")
    done = subprocess.run(
        [
            "bash",
            str(copy_root / "azure-pipelines-task/package.sh"),
            "--stage-only",
            "--out",
            str(tmp_path / "out"),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    stage = tmp_path / "out/extension"
    assert sorted(p.name for p in stage.iterdir()) == [
        "AmlLint",
        "overview.md",
        "vss-extension.json",
    ]
    assert sorted(p.name for p in (stage / "AmlLint").iterdir()) == [
        "index.js",
        "task.json",
        "wheel",
    ]
    [wheel] = (stage / "AmlLint/wheel").iterdir()
    assert wheel.name == "aml_lint-0.1.0-py3-none-any.whl"


def test_package_script_refuses_mismatched_versions(tmp_path: Path) -> None:
    if shutil.which("bash") is None or os.name == "nt":
        pytest.skip("needs bash on POSIX")
    copy_root = tmp_path / "repo"
    shutil.copytree(
        TASK_DIR,
        copy_root / "azure-pipelines-task",
        ignore=shutil.ignore_patterns("tests", "node_modules"),
    )
    shutil.copy2(REPO / "pyproject.toml", copy_root / "pyproject.toml")
    manifest = json.loads((copy_root / "azure-pipelines-task/vss-extension.json").read_text())
    manifest["version"] = "9.9.9"
    (copy_root / "azure-pipelines-task/vss-extension.json").write_text(json.dumps(manifest))
    done = subprocess.run(
        [
            "bash",
            str(copy_root / "azure-pipelines-task/package.sh"),
            "--stage-only",
            "--out",
            str(tmp_path / "out"),
        ],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "versions differ" in done.stderr
    assert not (tmp_path / "out").exists()


def _as_azure_reads_it(node: Any) -> Any:
    """Azure Pipelines reads every YAML scalar as a string (``fetchDepth: 0`` is "0")."""
    if isinstance(node, dict):
        return {k: _as_azure_reads_it(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_as_azure_reads_it(v) for v in node]
    return (
        node
        if isinstance(node, str)
        else str(node).lower()
        if isinstance(node, bool)
        else str(node)
    )


@pytest.mark.parametrize(
    ("doc", "section"),
    [("README.md", "## Azure Pipelines"), ("azure-pipelines-task/overview.md", "")],
)
def test_documented_pipelines_are_valid_and_use_real_inputs(
    doc: str, section: str, tmp_path: Path
) -> None:
    text = (REPO / doc).read_text(encoding="utf-8")
    if section:
        text = text.split(section, 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"```yaml\n(.*?)```", text, re.S)
    pipeline = yaml.safe_load(block)
    steps = pipeline["steps"]
    assert steps[0] == {"checkout": "self", "fetchDepth": 0}
    [task] = [s for s in steps if s.get("task") == "AmlLint@0"]
    assert set(task["inputs"]) <= set(INPUTS)
    # The schema lists Microsoft's tasks only, so ours is checked above, the rest here.
    others = {**pipeline, "steps": [s for s in steps if s is not task]}
    path = tmp_path / "pipeline.json"
    path.write_text(json.dumps(_as_azure_reads_it(others)), encoding="utf-8")
    proc = check_pipeline_schema(path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
