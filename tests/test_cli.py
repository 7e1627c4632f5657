"""The command line as users run it: exit codes, formats, output files, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aml_lint.cli import main
from lintkit import write_tree

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"


def aml_lint(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aml_lint.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def test_bundled_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(ROOT / "examples" / "healthy")]) == 0
    out = capsys.readouterr().out
    assert "no findings" in out
    assert main(["check", str(ROOT / "examples" / "broken")]) == 1
    out = capsys.readouterr().out
    for rule in ("AML003", "AML005", "AML101", "AML102", "AML201"):
        assert rule in out
    assert "errors" in out.splitlines()[-1]


def test_exit_codes_follow_fail_on(tmp_path: Path) -> None:
    core = ["--select", "AML0,AML1"]
    write_tree(tmp_path, {"dep.yml": SCHEMA + "name: b\nenvironment: azureml:env:1\n"})  # one info finding
    assert main(["check", str(tmp_path), *core]) == 0
    assert main(["check", str(tmp_path), "--fail-on", "warning", *core]) == 0
    write_tree(tmp_path, {"dep.yml": SCHEMA + "name: b\nenvironment: azureml:env:latest\n"})
    assert main(["check", str(tmp_path), *core]) == 1
    assert main(["check", str(tmp_path), "--fail-on", "never", *core]) == 0


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "missing")]) == 2
    write_tree(tmp_path, {".aml-lint.yml": "fail-on: sometimes\n"})
    assert main(["check", str(tmp_path)]) == 2
    assert "fail-on" in capsys.readouterr().err
    write_tree(tmp_path, {".aml-lint.yml": "selct: [AML1]\n"})
    assert main(["check", str(tmp_path)]) == 2
    with pytest.raises(SystemExit) as info:
        main(["check", "--format", "xml"])
    assert info.value.code == 2
    assert main(["rules", "AML999"]) == 2


def test_json_and_output_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {"dep.yml": SCHEMA + "name: b\nenvironment: azureml:env:latest\n"})
    out = tmp_path / "out" / "report.json"
    assert main(["check", str(tmp_path), "--format", "json", "--output", str(out), "--select", "AML1"]) == 1
    data = json.loads(out.read_text())
    assert data["summary"]["errors"] == 1
    assert data["findings"][0]["rule"] == "AML102" and data["findings"][0]["line"] == 3


def test_rules_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    listing = capsys.readouterr().out
    assert "AML101" in listing and "missing-link-target" in listing
    assert main(["rules", "missing-link-target"]) == 0
    page = capsys.readouterr().out
    for heading in ("What it finds", "Why it matters", "Fails", "Passes", "Fix"):
        assert heading in page


def test_changed_files_flag(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/dep.yml": SCHEMA + "name: b\nenvironment: azureml:env:latest\n",
                          "b/dep.yml": SCHEMA + "name: b\nenvironment: azureml:env:latest\n"})
    listing = tmp_path / "changed.txt"
    listing.write_text("a/dep.yml\n")
    proc = aml_lint("check", ".", "--changed-files", str(listing), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert {f["path"] for f in json.loads(proc.stdout)["findings"]} == {"a/dep.yml"}


def test_bad_inputs_never_crash(tmp_path: Path) -> None:
    bomb = "endpoint_name: e\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9))
    files: dict[str, str | bytes] = {
        "invalid.yml": "endpoint_name: [1, 2\nb: }\n",
        "binary.yml": bytes(range(256)) * 4,
        "latin1/conda.yml": "name: caf\xe9\n".encode("latin-1"),
        "empty.yml": "",
        "empty/requirements.txt": "",
        "bomb.yml": bomb,
        "deep.yml": "environment: " + "[" * 5000 + "]" * 5000,
        "crlf/conda.yml": "name: x\r\ndependencies:\r\n  - python=3.10\r\n",
        "score.py": "def init():\n    pass\n\ndef run(d):\n    return (" + "1+" * 20000 + "1)\n",
    }
    write_tree(tmp_path, files)
    big = tmp_path / "big" / "conda.yml"
    big.parent.mkdir()
    with big.open("w") as fh:
        fh.write("dependencies:\n")
        line = "  - numpy\n"
        fh.write(line * (50 * 1024 * 1024 // len(line)))
    outside = tmp_path.parent / f"{tmp_path.name}-outside-secret.yml"
    outside.write_text("TOP-SECRET-VALUE: 1\n")
    try:
        (tmp_path / "link.yml").symlink_to(outside)
        proc = aml_lint("check", ".", "--select", "AML0,AML1", cwd=tmp_path)
    finally:
        outside.unlink()
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and proc.stderr == ""
    out = proc.stdout
    assert "TOP-SECRET-VALUE" not in out and "link.yml" not in out
    for rel, expected in [("invalid.yml", "invalid YAML"), ("binary.yml", "binary"),
                          ("latin1/conda.yml", "not valid UTF-8"), ("bomb.yml", "alias bomb"),
                          ("deep.yml", "nested"), ("big/conda.yml", "MiB")]:
        assert any(line.startswith((rel + ":", rel + " ")) and expected in line for line in out.splitlines()), rel
    assert "crlf/conda.yml" not in out  # CRLF files are fine


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_symlinked_folder_outside_root_is_not_walked(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    repo = tmp_path / "repo"
    write_tree(outside, {"dep.yml": SCHEMA + "environment: azureml:x:latest\n"})
    repo.mkdir()
    (repo / "linked").symlink_to(outside, target_is_directory=True)
    proc = aml_lint("check", ".", cwd=repo)
    assert proc.returncode == 0 and "AML102" not in proc.stdout


def test_a_crash_is_not_a_lint_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    import aml_lint.engine

    def explode(settings: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(aml_lint.engine, "run", explode)
    assert main(["check", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "internal error" in err and "simulated bug" in err


# What pre-commit runs when only the scoring script changed: `aml-lint check src/score.py`.
SCOPE_REPO = {
    "deploy/blue.yml": SCHEMA + "name: blue\nendpoint_name: my-endpoint\nmodel: azureml:m:1\n"
    "code_configuration:\n  code: ../src\n  scoring_script: score.py\nenvironment:\n"
    "  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250601.v1\n  conda_file: ../env/conda.yml\n"
    "instance_type: Standard_DS3_v2\ninstance_count: 3\n",
    "env/conda.yml": "name: e\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n"
                     "      - azureml-inference-server-http==1.3.4\n",
    "src/score.py": "import lightgbm\n\n\ndef init():\n    pass\n\n\ndef run(data):\n    return data\n",
    "other/dep.yml": SCHEMA + "name: b\nenvironment: azureml:env:latest\n",
}


def _findings(proc: subprocess.CompletedProcess[str]) -> set[tuple[str, str]]:
    return {(f["rule"], f["path"]) for f in json.loads(proc.stdout)["findings"]}


@pytest.mark.parametrize("repo_marker", ["git", "config", "pyproject"])
def test_a_file_named_alone_is_checked_with_what_links_to_it(tmp_path: Path, repo_marker: str) -> None:
    write_tree(tmp_path, SCOPE_REPO)
    if repo_marker == "git":
        subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    elif repo_marker == "config":
        (tmp_path / ".aml-lint.yml").write_text("fail-on: error\n")
    else:
        (tmp_path / "pyproject.toml").write_text("[tool.aml-lint]\nfail-on = 'error'\n")
    full = _findings(aml_lint("check", ".", "--format", "json", cwd=tmp_path))
    assert ("AML501", "src/score.py") in full and ("AML102", "other/dep.yml") in full
    one = aml_lint("check", "src/score.py", "--format", "json", cwd=tmp_path)
    assert one.returncode == 1, one.stderr
    # The missing import a full check reports, found through the deployment naming the conda file;
    # the unrelated deployment is not reported on.
    assert _findings(one) == {f for f in full if f[1] in {"src/score.py", "deploy/blue.yml", "env/conda.yml"}}
    assert ("AML501", "src/score.py") in _findings(one)
    # From inside a sub-folder too (the root is found from the file).
    inside = aml_lint("check", "score.py", "--format", "json", cwd=tmp_path / "src")
    assert ("AML501", "src/score.py") in _findings(inside)


def test_a_folder_keeps_its_meaning_beside_files(tmp_path: Path) -> None:
    write_tree(tmp_path, SCOPE_REPO)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    folder = aml_lint("check", "other", "--format", "json", cwd=tmp_path)
    assert {path for _, path in _findings(folder)} == {"other/dep.yml"}
    both = aml_lint("check", "other", "src/score.py", "--format", "json", cwd=tmp_path)
    assert {("AML102", "other/dep.yml"), ("AML501", "src/score.py")} <= _findings(both)


def test_rules_show_which_rules_fix(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from aml_lint.rules import all_rules

    fixing = [r for r in all_rules() if getattr(r.module, "FIX", None)]
    assert main(["rules"]) == 0
    listing = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    for rule in all_rules():
        fix = getattr(rule.module, "FIX", None)
        column = listing[rule.id].split()[2]
        assert column == ("-" if fix is None else fix.replace(" or ", "/")), rule.id
    if fixing:
        assert main(["rules", fixing[0].id]) == 0
        assert f"; fix: {fixing[0].module.FIX})" in capsys.readouterr().out.splitlines()[0]
    module = all_rules()[0].module
    monkeypatch.setattr(module, "FIX", "maybe", raising=False)
    assert main(["rules"]) == 2  # a FIX the listing does not know is a bug, said so
