"""Engine behaviour: suppressions, rule selection, severity overrides, exclusions, changed-files scope."""

from __future__ import annotations

import subprocess
from pathlib import Path

from aml_lint.config import build_settings
from aml_lint.engine import run
from lintkit import LintFn, lint_tree, write_tree

SCHEMA = "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
DEPLOY = (SCHEMA + "name: blue\nendpoint_name: my-endpoint\ncode_configuration:\n  code: src\n  scoring_script: score.py\n"
          "environment:\n  image: img:1\n  conda_file: env/conda.yml\ninstance_type: Standard_DS3_v2\n"
          "instance_count: 3\n")
SCRIPT = "def init():\n    pass\n\n\ndef run(data):\n    return data\n"
CONDA = "name: env\ndependencies:\n  - python=3.11\n  - pip\n"


def test_line_suppression(lint: LintFn) -> None:
    dep = DEPLOY.replace("instance_count: 3", "instance_count: x  # aml-lint: ignore[AML005]")
    assert lint({"dep.yml": dep, "src/score.py": SCRIPT, "env/conda.yml": CONDA}, rule="AML005") == []
    dep = DEPLOY.replace("instance_count: 3", "instance_count: x  # aml-lint: ignore[AML101]")
    assert len(lint({"dep.yml": dep, "src/score.py": SCRIPT, "env/conda.yml": CONDA}, rule="AML005")) == 1


def test_file_suppression(lint: LintFn) -> None:
    dep = "# aml-lint: ignore-file[AML101]\n" + DEPLOY
    assert lint({"dep.yml": dep}, rule="AML101") == []


def test_select_ignore_and_severity_override(tmp_path: Path) -> None:
    write_tree(tmp_path, {"dep.yml": DEPLOY})  # code folder and conda file missing: AML101 x2
    only = run(build_settings(tmp_path, select="AML1"))
    assert {f.rule_id for f in only.findings} == {"AML101"}
    assert run(build_settings(tmp_path, ignore="AML101")).findings == []
    write_tree(tmp_path, {".aml-lint.yml": "severity:\n  AML101: warning\n"})
    assert {f.severity.label for f in run(build_settings(tmp_path)).findings} == {"warning"}
    write_tree(tmp_path, {".aml-lint.yml": "severity:\n  AML101: off\n"})
    assert run(build_settings(tmp_path)).findings == []


def test_exclude_globs(tmp_path: Path) -> None:
    write_tree(tmp_path, {"legacy/dep.yml": DEPLOY, ".aml-lint.yml": "exclude: ['legacy/**']\n"})
    assert run(build_settings(tmp_path)).findings == []


def test_gitignore_is_honoured(tmp_path: Path) -> None:
    write_tree(tmp_path, {"build/dep.yml": DEPLOY, ".gitignore": "build/\n"})
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert run(build_settings(tmp_path)).findings == []


def test_changed_conda_file_rechecks_linked_files(tmp_path: Path) -> None:
    files = {"dep.yml": DEPLOY, "src/score.py": "def init(:\n", "env/conda.yml": CONDA,
             "other/dep.yml": DEPLOY.replace("src", "code"), "other/code/score.py": "def init(:\n"}
    result = lint_tree(tmp_path, files, changed_files=frozenset({"env/conda.yml"}), select="AML0,AML1")
    # The syntax error in the script linked to the changed conda file is reported; the other
    # deployment's problems (missing conda file, broken script) are not.
    assert {(f.rule_id, f.path) for f in result.findings} == {("AML006", "src/score.py")}


def test_changed_script_reports_its_deployment(tmp_path: Path) -> None:
    files = {"dep.yml": DEPLOY.replace("instance_count: 3", "instance_count: x"), "src/score.py": SCRIPT,
             "env/conda.yml": CONDA, "unrelated/conda.yml": "dependencies: [python=3.10]\nbad: 1\n"}
    result = lint_tree(tmp_path, files, changed_files=frozenset({"src/score.py"}), select="AML0,AML1")
    assert {(f.rule_id, f.path) for f in result.findings} == {("AML005", "dep.yml")}


def test_explicit_links_from_config(tmp_path: Path) -> None:
    files = {"score.py": SCRIPT, "envs/conda.yml": CONDA,
             ".aml-lint.yml": "links:\n  - script: score.py\n    environment: envs/conda.yml\n"}
    write_tree(tmp_path, files)
    settings = build_settings(tmp_path, changed_files=frozenset({"envs/conda.yml"}))
    from aml_lint.engine import discover
    project = discover(settings)
    assert [env.conda_doc.rel for env in project.script_envs["score.py"] if env.conda_doc] == ["envs/conda.yml"]
    assert "score.py" in project.neighbourhood({"envs/conda.yml"})


def test_sdk_calls_link_script_and_environment(tmp_path: Path) -> None:
    deploy_py = (
        "from azure.ai.ml.entities import CodeConfiguration, Environment, ManagedOnlineDeployment\n"
        "env = Environment(conda_file='model/env/conda.yml', image='img:1')\n"
        "code = CodeConfiguration(code='model/src', scoring_script='score.py')\n"
    )
    write_tree(tmp_path, {"deploy.py": deploy_py, "model/src/score.py": SCRIPT, "model/env/conda.yml": CONDA})
    from aml_lint.engine import discover
    project = discover(build_settings(tmp_path))
    envs = project.script_envs["model/src/score.py"]
    assert [e.conda_doc.rel for e in envs if e.conda_doc] == ["model/env/conda.yml"]


def test_same_problem_reached_twice_is_reported_once(lint: LintFn) -> None:
    files = {"a.yml": DEPLOY, "b.yml": DEPLOY.replace("blue", "green"), "src/score.py": "def init(:\n",
             "env/conda.yml": CONDA}
    assert len(lint(files, rule="AML006")) == 1


def test_a_failing_rule_is_an_internal_error_not_a_crash(tmp_path: Path) -> None:
    import types

    from aml_lint.documents import Kind
    from aml_lint.findings import RuleInfo, Severity
    from aml_lint.rules import Rule, find_rule

    def check(doc: object, ctx: object) -> list[object]:
        raise KeyError("boom")

    broken = types.SimpleNamespace(ID="AML999", NAME="broken", SEVERITY="error", KINDS=(Kind.CONDA,), check=check)
    rule = Rule(broken, RuleInfo("AML999", "broken", Severity.ERROR, "always fails"))  # type: ignore[arg-type]
    schema = find_rule("AML005")
    assert schema is not None
    write_tree(tmp_path, {"conda.yml": "dependencies: [python=3.10]\nchanels: []\n"})
    result = run(build_settings(tmp_path), rules=[rule, schema])
    assert [f.rule_id for f in result.findings] == ["AML005"]
    assert result.internal_errors == ["rule AML999 failed on conda.yml: KeyError: 'boom'"]


def test_sdk_v1_inference_config_links(tmp_path: Path) -> None:
    deploy_py = (
        "from azureml.core import Environment\nfrom azureml.core.model import InferenceConfig\n"
        "env = Environment.from_conda_specification('env', 'envs/conda.yml')\n"
        "config = InferenceConfig(entry_script='score.py', source_directory='src', environment=env)\n"
    )
    write_tree(tmp_path, {"deploy.py": deploy_py, "src/score.py": SCRIPT, "envs/conda.yml": CONDA})
    from aml_lint.engine import discover
    project = discover(build_settings(tmp_path))
    assert [e.conda_doc.rel for e in project.script_envs["src/score.py"] if e.conda_doc] == ["envs/conda.yml"]


def test_changed_since_uses_git(tmp_path: Path) -> None:
    from aml_lint.cli import main

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t", *args],
                       check=True, capture_output=True)

    write_tree(tmp_path, {"a/dep.yml": SCHEMA + "name: a\nenvironment: azureml:e:latest\n",
                          "b/dep.yml": SCHEMA + "name: b\nenvironment: azureml:e:1\n"})
    git("init", "-q", "-b", "main")
    git("add", ".")
    git("commit", "-qm", "base")
    write_tree(tmp_path, {"b/dep.yml": SCHEMA + "name: b\nenvironment: azureml:e:latest\n"})
    git("commit", "-qam", "change b")
    out = tmp_path / "report.json"
    assert main(["check", str(tmp_path), "--changed-since", "HEAD~1", "--format", "json", "-o", str(out)]) == 1
    import json
    assert {f["path"] for f in json.loads(out.read_text())["findings"]} == {"b/dep.yml"}
    assert main(["check", str(tmp_path), "--changed-since", "no-such-ref"]) == 2


def test_dockerfile_environment_packages_come_from_copied_files(tmp_path: Path) -> None:
    from aml_lint.engine import discover

    env = ("$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: e\n"
           "build:\n  path: ctx\n")
    dockerfile = ("FROM mcr.microsoft.com/azureml/minimal-py312-inference:20250101.v1\n"
                  "COPY env/conda.yml /tmp/conda.yml\nCOPY requirements.txt /tmp/\n"
                  "RUN conda env create -n user -f /tmp/conda.yml && pip install -r /tmp/requirements.txt\n"
                  "RUN pip install lightgbm==4.5.0\n")
    write_tree(tmp_path, {"env.yml": env, "ctx/Dockerfile": dockerfile,
                          "ctx/env/conda.yml": "dependencies:\n  - python=3.11\n  - pip\n  - pip:\n      - -r extra.txt\n",
                          "ctx/env/extra.txt": "pandas==2.2.3\n", "ctx/requirements.txt": "numpy==1.26.4\n"})
    project = discover(build_settings(tmp_path))
    (spec,) = project.environments["env.yml"]
    assert spec.conda_doc is not None and spec.conda_doc.rel == "ctx/env/conda.yml"
    names = {d.name for d in spec.declared()}
    assert {"python", "pip", "pandas", "numpy", "lightgbm"} <= names
    assert project.neighbourhood({"ctx/env/extra.txt"}) >= {"env.yml", "ctx/Dockerfile"}


def test_dotdot_paths_name_one_document(tmp_path: Path) -> None:
    from aml_lint.engine import discover

    dep = DEPLOY.replace("code: src", "code: ../shared/../src").replace("env/conda.yml", "../env/conda.yml")
    write_tree(tmp_path, {"a/dep.yml": dep, "b/dep.yml": DEPLOY.replace("code: src", "code: ../src")
                          .replace("env/conda.yml", "../env/conda.yml"), "shared/x.txt": "",
                          "src/score.py": SCRIPT, "env/conda.yml": CONDA})
    project = discover(build_settings(tmp_path))
    scripts = [rel for rel in project.documents if rel.endswith("score.py")]
    assert scripts == ["src/score.py"]
    assert len(project.script_envs["src/score.py"]) == 2


def test_local_modules_through_packages_and_each_other(tmp_path: Path) -> None:
    from aml_lint.engine import discover

    score = "from pkg.sub import helper\nfrom . import tools\n\ndef init():\n    pass\n\ndef run(d):\n    return d\n"
    write_tree(tmp_path, {"dep.yml": DEPLOY, "env/conda.yml": CONDA, "src/score.py": score,
                          "src/pkg/__init__.py": "", "src/pkg/sub.py": "from .deeper import x\n",
                          "src/pkg/deeper.py": "x = 1\n", "src/tools.py": "import os\n"})
    project = discover(build_settings(tmp_path))
    modules = sorted(d.rel for d in project.local_modules(project.documents["src/score.py"]))
    assert modules == ["src/pkg/__init__.py", "src/pkg/deeper.py", "src/pkg/sub.py", "src/tools.py"]


def test_sibling_sharing_a_script_is_not_reported(tmp_path: Path) -> None:
    broken_sibling = DEPLOY.replace("blue", "green").replace("env/conda.yml", "env/gone.yml")
    files = {"blue.yml": DEPLOY.replace("instance_count: 3", "instance_count: x"), "green.yml": broken_sibling,
             "src/score.py": SCRIPT, "env/conda.yml": CONDA}
    result = lint_tree(tmp_path, files, changed_files=frozenset({"blue.yml"}), select="AML0,AML1")
    assert {(f.rule_id, f.path) for f in result.findings} == {("AML005", "blue.yml")}
    # A change to the shared script re-checks both deployments that run it.
    result = lint_tree(tmp_path, {}, changed_files=frozenset({"src/score.py"}), select="AML0,AML1")
    assert {(f.rule_id, f.path) for f in result.findings} == {("AML005", "blue.yml"), ("AML101", "green.yml")}
