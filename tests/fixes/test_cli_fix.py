"""``aml-lint check --fix / --diff / --unsafe-fixes`` from the command line, and the pre-commit hooks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import fixkit
import pytest
import yaml

from aml_lint.cli import main

ROOT = Path(__file__).resolve().parent.parent.parent
REQS = "colour==1\naaab\nmove: pkg\n"
FILES: dict[str, str | bytes] = {"requirements.txt": REQS, "requirements-extra.txt": "x==1\n"}


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI runs the stand-in rule alone (its fixes have every shape the engine handles)."""
    monkeypatch.setattr("aml_lint.engine.all_rules", lambda: (fixkit.RULE,))


def test_text_report_marks_fixable_findings(tmp_path: Path, standin: None, capsys: pytest.CaptureFixture[str]) -> None:
    fixkit.write(tmp_path, FILES)
    assert main(["check", str(tmp_path), "--fail-on", "never"]) == 0
    out = capsys.readouterr().out
    assert "AML998  [*] 'colour' is spelt 'color' here" in out
    assert "AML998  'pkg' belongs in requirements-extra.txt" in out  # unsafe: no mark without the flag
    assert "2 fixable with --fix (1 more with --unsafe-fixes)" in out
    assert main(["check", str(tmp_path), "--fail-on", "never", "--unsafe-fixes"]) == 0
    out = capsys.readouterr().out
    assert "[*] 'pkg' belongs" in out and "3 fixable with --fix --unsafe-fixes" in out


def test_diff_prints_and_writes_nothing(tmp_path: Path, standin: None, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    fixkit.write(tmp_path, FILES)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--diff", "."]) == 1
    captured = capsys.readouterr()
    assert captured.out == ("--- a/requirements.txt\n+++ b/requirements.txt\n@@ -1,3 +1,3 @@\n"
                            "-colour==1\n-aaab\n+color==1\n+b\n move: pkg\n")
    assert "would fix 4 findings in 1 file" in captured.err  # colour, then 'ab' three passes
    assert (tmp_path / "requirements.txt").read_text() == REQS
    assert main(["check", "--diff", "--unsafe-fixes", "."]) == 1
    out = capsys.readouterr().out
    assert "+++ b/requirements-extra.txt" in out and "+pkg" in out and "-move: pkg" in out


def test_diff_exits_0_when_nothing_would_change(tmp_path: Path, standin: None,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    fixkit.write(tmp_path, {"requirements.txt": "move: pkg\n", "requirements-extra.txt": "x\n"})
    assert main(["check", "--diff", str(tmp_path)]) == 0  # only an unsafe fix: not without the flag
    assert capsys.readouterr().out == ""


def test_fix_writes_and_reports_what_is_left(tmp_path: Path, standin: None,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    fixkit.write(tmp_path, FILES)
    assert main(["check", "--fix", str(tmp_path)]) == 0  # what is left is a warning
    out = capsys.readouterr().out
    assert (tmp_path / "requirements.txt").read_text() == "color==1\nb\nmove: pkg\n"
    assert "note: fixed 4 findings in 1 file" in out
    assert "'pkg' belongs in requirements-extra.txt" in out and "colour" not in out
    assert "1 fixable with --fix --unsafe-fixes" in out
    assert main(["check", "--fix", "--unsafe-fixes", str(tmp_path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["findings"] == [] and data["notes"] == ["fixed 1 finding in 2 files"]
    assert (tmp_path / "requirements-extra.txt").read_text() == "x==1\npkg\n"
    assert main(["check", "--diff", str(tmp_path)]) == 0  # nothing left to do


def test_fix_never_writes_through_a_symlink_out_of_the_root(tmp_path: Path, standin: None, capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "outside"
    fixkit.write(outside, {"requirements.txt": "colour\n"})
    repo = tmp_path / "repo"
    fixkit.write(repo, {"requirements.txt": "colour\n"})
    (repo / "linked").mkdir()
    (repo / "linked" / "requirements.txt").symlink_to(outside / "requirements.txt")
    assert main(["check", "--fix", str(repo)]) == 0
    assert (outside / "requirements.txt").read_text() == "colour\n"
    assert (repo / "requirements.txt").read_text() == "color\n"


def _aml_lint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "aml_lint.cli", *args], cwd=cwd, capture_output=True,
                          env=env, timeout=120, check=False)  # bytes: CRLF shown as it is
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode())


DEPLOY = ("$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\r\n"
          "name: blue   # the current one\r\nendpoint_name: 'my-endpoint'\r\nmodel: azureml:m:1\r\n"
          "environment: azureml:my-env:latest\r\ninstance_type: Standard_DS3_v2\r\ninstance_count: 3\r\n")


def test_fix_end_to_end_with_a_real_rule(tmp_path: Path) -> None:
    """AML102 (F2's first fix): the process writes the file, CRLF and comments kept."""
    fixkit.write(tmp_path, {"dep.yml": DEPLOY})
    diff = _aml_lint("check", "--diff", "--select", "AML102", ".", cwd=tmp_path)
    assert diff.returncode == 1, diff.stderr
    assert "-environment: azureml:my-env:latest\r\n+environment: azureml:my-env@latest\r\n" in diff.stdout
    fixed = _aml_lint("check", "--fix", "--select", "AML102", ".", cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert (tmp_path / "dep.yml").read_bytes() == DEPLOY.replace("my-env:latest", "my-env@latest").encode()
    assert "fixed 1 finding in 1 file" in fixed.stdout


def test_pre_commit_hooks_check_and_fix() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {hook["id"]: hook for hook in hooks}
    assert by_id["aml-lint"]["entry"] == "aml-lint check"
    assert by_id["aml-lint-fix"]["entry"] == "aml-lint check --fix"
    assert by_id["aml-lint"]["files"] == by_id["aml-lint-fix"]["files"]
    assert all(hook["pass_filenames"] for hook in hooks)


def test_the_fix_hook_mends_a_script_through_its_deployment(tmp_path: Path) -> None:
    """pre-commit's aml-lint-fix with only the script staged: AML501's fix goes into the conda file
    the deployment names (a file not on the command line), and the finding is gone."""
    conda = ("name: e\r\ndependencies:\r\n  - python=3.11\r\n  - pip=24.2\r\n  - pip:   # server first\r\n"
             "      - azureml-inference-server-http==1.4.1\r\n")
    fixkit.write(tmp_path, {
        "deploy/blue.yml": "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
                           "name: blue\nendpoint_name: my-endpoint\nmodel: azureml:m:1\ncode_configuration:\n"
                           "  code: ../src\n  scoring_script: score.py\nenvironment:\n"
                           "  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250601.v1\n"
                           "  conda_file: ../env/conda.yml\ninstance_type: Standard_DS3_v2\ninstance_count: 3\n",
        "env/conda.yml": conda,
        "src/score.py": "import lightgbm\n\n\ndef init():\n    pass\n\n\ndef run(data):\n    return data\n"})
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    before = _aml_lint("check", "src/score.py", cwd=tmp_path)
    assert "AML501  [*] 'lightgbm' is imported" in before.stdout, before.stdout
    fixed = _aml_lint("check", "--fix", "src/score.py", cwd=tmp_path)
    assert "AML501" not in fixed.stdout and "note: fixed 1 finding in 1 file" in fixed.stdout, fixed.stdout
    after = (tmp_path / "env" / "conda.yml").read_bytes().decode()
    assert after.startswith(conda) and after[len(conda):].startswith("      - lightgbm==")
    assert after.endswith("\r\n") and after.count("\n") == after.count("\r\n")
