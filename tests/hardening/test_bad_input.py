"""Broken and malicious repository content, end to end through ``aml-lint check``.

Each case runs the real CLI in a subprocess (a timeout guards against hangs; it is
not a speed assertion) and asserts: exit 0 or 1 (findings), never 2 or a traceback;
a finding or message that names the problem; and, for paths leading out of the
repository, that the content of the outside target never appears in any output.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from hostile import DEPLOYMENT, GIT_ID, run_cli

DEP_SCHEMA = "https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json"
HANG_GUARD = 180


def lint(root: Path, *args: str, fmt: str = "json") -> tuple[dict, str]:
    proc = run_cli("check", ".", "--format", fmt, *args, cwd=root, timeout=HANG_GUARD)
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err[-3000:]
    assert proc.returncode in (0, 1), (proc.returncode, err[-2000:])
    out = proc.stdout.decode("utf-8", "surrogateescape")
    return (json.loads(out) if fmt == "json" else {}), out + err


def findings_for(report: dict, path: str) -> list[dict]:
    return [f for f in report["findings"] if f["path"] == path]


def git_repo(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "-C", str(root), *GIT_ID, "init", "-q"], check=True, timeout=60)
    return root


def dep(conda: str = "env/conda.yml", script: str = "score.py") -> str:
    return DEPLOYMENT.format(script=json.dumps(script), conda=json.dumps(conda)).replace("../src", "src")


# ---------------------------------------------------------------- YAML that attacks the parser

def test_yaml_alias_bomb(tmp_path: Path) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join(['*a' + str(i - 1)] * 9)}]" for i in range(1, 10)]
    (tmp_path / "bomb.yml").write_text(f"$schema: {DEP_SCHEMA}\n" + "\n".join(lines) + "\n")
    report, _ = lint(tmp_path)
    (finding, *_) = findings_for(report, "bomb.yml")
    assert finding["severity"] == "error" and re.search(r"alias|nodes|too (large|big)", finding["message"], re.I)


@pytest.mark.parametrize("style", ["block", "flow"])
def test_deep_nesting(tmp_path: Path, style: str) -> None:
    depth = 50_000
    if style == "flow":
        body = "k: " + "[" * depth + "]" * depth
    else:
        # 900 levels: far past the reader's depth cap, and under the size limit (indentation
        # grows quadratically: 3,000 levels would be a 4.5 MB file, refused for its size).
        body = "".join(f"{' ' * i}k{i}:\n" for i in range(900)) + " " * 900 + "v: 1\n"
    (tmp_path / "deep.yml").write_text(f"$schema: {DEP_SCHEMA}\n{body}\n")
    report, _ = lint(tmp_path)
    (finding, *_) = findings_for(report, "deep.yml")
    assert re.search(r"nest|deep|depth", finding["message"], re.I), finding


def test_fifty_megabyte_file(tmp_path: Path) -> None:
    with open(tmp_path / "conda.yml", "wb") as fh:
        fh.write(b"name: big\ndependencies:\n")
        line = b"  - numpy\n"
        fh.write(line * (50 * 1024 * 1024 // len(line)))
    report, _ = lint(tmp_path)
    (finding,) = findings_for(report, "conda.yml")
    assert "MiB" in finding["message"] and "limit" in finding["message"]


@pytest.mark.parametrize(("name", "head", "line", "limit"), [
    ("conda.yml", "name: big\ndependencies:\n  - pip\n  - pip:\n", "    - pkg==1.0\n", "512 KiB"),
    ("requirements.txt", "", "pkg==1.0\n", "512 KiB"),
    ("Dockerfile", "FROM python:3.11\nRUN pip install \\\n", "    pkg \\\n", "512 KiB"),
    ("score.py", "def init():\n    pass\n\ndef run(data):\n    return data\n", "x = 1\n", "1.0 MiB"),
])
def test_a_file_over_its_size_limit_is_a_warning_not_a_slow_check(
        tmp_path: Path, name: str, head: str, line: str, limit: str) -> None:
    size = 1024 * 1024 + 10 if name.endswith(".py") else 512 * 1024 + 10
    (tmp_path / name).write_text(head + line * (size // len(line)), encoding="utf-8")
    report, _ = lint(tmp_path)
    (finding,) = findings_for(report, name)
    assert finding["rule"] == "AML001" and finding["severity"] == "warning", finding
    assert f"over the {limit} limit" in finding["message"] and "not checked" in finding["message"]


def test_large_files_that_are_not_ours_are_left_alone(tmp_path: Path) -> None:
    # A big OpenAPI document and a generated module: not AzureML files, no finding at all.
    (tmp_path / "openapi.yaml").write_text(
        "openapi: 3.0.0\npaths:\n" + "".join(f"  /p{i}:\n    get: {{}}\n" for i in range(40_000)))
    (tmp_path / "api_pb2.py").write_text("DATA = [\n" + "    1,\n" * 200_000 + "]\n")
    assert (tmp_path / "openapi.yaml").stat().st_size > 512 * 1024
    assert (tmp_path / "api_pb2.py").stat().st_size > 1024 * 1024
    report, _ = lint(tmp_path)
    assert report["findings"] == []


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("environment.yml", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4, "binary"),
        ("requirements.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary"),
        ("Dockerfile", bytes(range(256)), "binary"),
        ("src/score.py", b"\x00" * 64, "binary"),
        ("conda.yml", "name: e\ndependencies:\n  - numpy\n".encode("utf-16"), "UTF-16"),
        ("requirements.txt", "numpy==1.26\n".encode("utf-16-be"), "binary"),  # no BOM: NULs
        ("conda.yml", b"name: caf\xe9\ndependencies:\n  - numpy\n", "UTF-8"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, content: bytes, words: str) -> None:
    (tmp_path / name).parent.mkdir(exist_ok=True)
    (tmp_path / name).write_bytes(content)
    (tmp_path / "dep.yml").write_text(dep("conda.yml", "score.py"))  # refers to src/score.py
    report, _ = lint(tmp_path)
    messages = [f["message"] for f in findings_for(report, name)]
    assert any(words.lower() in m.lower() for m in messages), messages


def test_crlf_empty_and_bom_files_are_read(tmp_path: Path) -> None:
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "conda.yml").write_bytes(b"name: e\r\ndependencies:\r\n  - python=3.10\r\n  - pip\r\n")
    (tmp_path / "dep.yml").write_bytes(("\ufeff" + dep("env/missing.yml")).replace("\n", "\r\n").encode())
    for name in ("empty.yml", "requirements.txt", "Dockerfile", "score.py"):
        (tmp_path / name).write_bytes(b"")
    report, _ = lint(tmp_path)
    (missing,) = [f for f in findings_for(report, "dep.yml") if "missing.yml" in f["message"]]
    assert missing["line"] == 9  # positions survive CRLF and the BOM
    assert not findings_for(report, "empty.yml") or all(
        f["severity"] != "error" or "empty" in f["message"].lower() for f in findings_for(report, "empty.yml"))


# ---------------------------------------------------------------- paths leading out of the repository

SECRET = "TOP-SECRET-OUTSIDE-CONTENT-7f3a"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the repository (the runner's home, say) with a secret in every file type."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "conda.yml").write_text(f"name: {SECRET}\ndependencies:\n  - {SECRET}==1\n")
    (home / "requirements.txt").write_text(f"{SECRET}==1\n")
    (home / "score.py").write_text(f"import {SECRET.replace('-', '_')}\n")
    (home / "Dockerfile").write_text(f"FROM {SECRET}\n")
    return home


def run_with_canary(*args: str, cwd: Path, codes: tuple[int, ...]) -> tuple[subprocess.CompletedProcess[bytes], str]:
    """``aml-lint ARGS`` with the secret in its own environment (so in /proc/self/environ too):
    no traceback, an exit code in ``codes``, and the secret in none of its output."""
    proc = run_cli(*args, cwd=cwd, timeout=HANG_GUARD, env={"AML_LINT_CANARY": SECRET})
    out = (proc.stdout + proc.stderr).decode("utf-8", "replace")
    assert "Traceback" not in out and proc.returncode in codes, (proc.returncode, out[-3000:])
    assert_never_read(out)
    return proc, out


def assert_never_read(outputs: str) -> None:
    assert SECRET not in outputs
    assert SECRET.replace("-", "_") not in outputs
    env_marker = os.environ.get("HOME", "")
    assert f"HOME={env_marker}" not in outputs


@pytest.mark.parametrize("fmt", ["json", "text", "sarif", "github", "azure"])
def test_symlinks_and_dotdot_never_leave_the_root(tmp_path: Path, outside: Path, fmt: str) -> None:
    repo = git_repo(tmp_path / "repo")
    (repo / "env").mkdir()
    # Symlinked files with AzureML names, a symlinked folder, /proc/self/environ, a dangling link, a loop.
    (repo / "env" / "conda.yml").symlink_to(outside / "conda.yml")
    (repo / "requirements.txt").symlink_to(outside / "requirements.txt")
    (repo / "Dockerfile").symlink_to(outside / "Dockerfile")
    (repo / "score.py").symlink_to(outside / "score.py")
    (repo / "homedir").symlink_to(outside, target_is_directory=True)
    (repo / "environ.yml").symlink_to("/proc/self/environ")
    (repo / "dangling.yml").symlink_to(repo / "nowhere.yml")
    (repo / "loop.yml").symlink_to(repo / "loop.yml")
    # A deployment and an environment whose values lead out: .., absolute, /proc, the home dir.
    (repo / "dep.yml").write_text(dep("../home/conda.yml", "../../home/score.py"))
    (repo / "env.yml").write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: e\n"
        "image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04\n"
        f"conda_file: {outside / 'conda.yml'}\n")
    (repo / "env2.yml").write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: e2\n"
        "build:\n  path: /proc/self\n  dockerfile_path: environ\n")
    (repo / "env3.yml").write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: e3\n"
        "build:\n  path: homedir\n")
    (repo / "req2.txt").write_text("-r ../home/requirements.txt\n-r /proc/self/environ\nnumpy\n")
    (repo / "requirements-dev.txt").write_text("-r homedir/requirements.txt\n")
    proc, _ = run_with_canary("check", ".", str(outside), "homedir", "--format", fmt, cwd=repo, codes=(0, 1))
    if fmt == "json":
        report = json.loads(proc.stdout)
        assert all(not f["path"].startswith(("/", "..", "homedir/")) for f in report["findings"]), report
        leads_out = [f for f in report["findings"]
                     if "outside the repository" in f["message"] or "absolute path" in f["message"]]
        assert {f["path"] for f in leads_out} >= {"dep.yml", "env.yml", "env2.yml"}, report["findings"]


def test_changed_files_list_with_dotdot_paths(tmp_path: Path, outside: Path) -> None:
    repo = git_repo(tmp_path / "repo")
    (repo / "dep.yml").write_text(dep())
    listing = tmp_path / "changed.txt"
    listing.write_text(f"../home/conda.yml\n{outside}/requirements.txt\n/proc/self/environ\ndep.yml\n")
    run_with_canary("check", ".", "--changed-files", str(listing), "--format", "json", cwd=repo, codes=(0, 1, 2))


# ---------------------------------------------------------------- odd file names and path values

def test_file_names_git_returns_oddly(tmp_path: Path) -> None:
    """A CR in a file name and a name that is not UTF-8 are linted like any other file."""
    repo = git_repo(tmp_path / "repo")
    (repo / "a\rb.yml").write_text(dep("missing-a.yml"))
    with open(os.fsencode(repo) + b"/caf\xe9.yml", "wb") as fh:
        fh.write(dep("missing-b.yml").encode())
    for fmt in ("json", "sarif", "text", "github", "azure"):
        report, out = lint(repo, fmt=fmt)
        assert "missing-a.yml" in out and "missing-b.yml" in out, (fmt, out[-2000:])
    report, _ = lint(repo)
    assert {f["path"] for f in report["findings"] if "missing-" in f["message"]} == {"a\rb.yml", "caf\udce9.yml"}


@pytest.mark.parametrize(
    "files",
    [
        {"dep.yml": dep("x" * 5000 + ".yml", "y" * 300 + ".py")},
        {"dep.yml": dep("a\u0000b.yml")},
        {"requirements.txt": "-r " + "r" * 300 + ".txt\nnumpy\n"},
        {"score.py": "import " + "m" * 300 + "\nfrom . import " + "n" * 300 + "\n"
                     "def init():\n    pass\n\n\ndef run(d):\n    return d\n"},
        {"requirements.txt": "numpy; " + "(" * 5000 + "python_version > '3'" + ")" * 5000 + "\n"},
        {"dep.yml": dep("conda.yml"),
         "conda.yml": "dependencies:\n  - pip\n  - pip:\n    - \"x; " + "(" * 3000 + "\"\n"},
        {"Dockerfile": "FROM python:3.11\nRUN pip install 'x;" + "(" * 3000 + "'\n"},
        {"dep.yml": DEPLOYMENT.format(script='"score.py"', conda='"conda.yml"').replace(
            "  conda_file:", "  build:\n    path: .\n  conda_file:"),
         "Dockerfile": "FROM python:3.11\nCOPY " + "a" * 300 + " /dst\nCOPY " + "b" * 300 + "* /dst\n"},
        {"dep.yml": dep("conda.yml", "score.py"),
         ".aml-lint.yml": "links:\n  - script: " + "s" * 300 + ".py\n    environment: conda.yml\n",
         "conda.yml": "name: e\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n    - numpy\n",
         "src/score.py": "import " + "m" * 300 + "\nimport a." + "b" * 300 + "\n"
                         "def init():\n    pass\n\n\ndef run(d):\n    return d\n"},
    ],
    ids=["overlong-yaml-path", "nul-in-yaml-path", "overlong-include", "overlong-import",
         "deep-markers-requirements", "deep-markers-conda", "deep-markers-dockerfile",
         "overlong-copy-source", "overlong-import-of-a-deployed-script"],
)
def test_path_values_the_os_refuses(tmp_path: Path, files: dict[str, str]) -> None:
    """Values the OS or a parser cannot take (a name over NAME_MAX, a NUL byte, requirement
    markers nested thousands deep) give findings, not a crash."""
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    report, _ = lint(tmp_path)
    if "dep.yml" in files:
        assert findings_for(report, "dep.yml")


# ---------------------------------------------------------------- Python that must never run

def test_python_is_parsed_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "EXECUTED"
    payload = f"open({str(marker)!r}, 'w').write('x')\n"
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "score.py").write_text(
        f"import helper\n{payload}__import__('os').system('touch {marker}')\n"
        "def init():\n    global model\n    model = 1\n\n\ndef run(data):\n    return data\n")
    (tmp_path / "src" / "helper.py").write_text(payload)
    (tmp_path / "src" / "sitecustomize.py").write_text(payload)
    (tmp_path / "src" / "__init__.py").write_text(payload)
    (tmp_path / "setup.py").write_text(payload)
    (tmp_path / "conftest.py").write_text(payload)
    (tmp_path / "deploy.py").write_text(
        payload + "from azure.ai.ml.entities import CodeConfiguration, Environment\n"
        "CodeConfiguration(code='src', scoring_script='score.py')\nEnvironment(conda_file='env.yml')\n")
    (tmp_path / "dep.yml").write_text(dep("env.yml", "score.py"))
    (tmp_path / "env.yml").write_text("name: e\ndependencies:\n  - python=3.10\n  - pip\n  - pip:\n    - numpy\n")
    for fmt in ("json", "text"):
        lint(tmp_path, fmt=fmt)
        proc = run_cli("check", "src/score.py", cwd=tmp_path, timeout=HANG_GUARD)
        assert proc.returncode in (0, 1)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("source", "words"),
    [
        (b"def init(:\n    pass\n", "syntax"),
        (b"def init():\n\tpass\n        pass\n", "indent"),
        (b"x = 1\x00\ndef init():\n    pass\n", ""),
        (("x = " + "(" * 5000 + "1" + ")" * 5000 + "\n").encode(), ""),
        (("x = " + " + ".join(["1"] * 200_000) + "\n").encode(), ""),
        (("x = " + "-" * 100_000 + "1\n").encode(), ""),
        (("def f():\n" + "".join(" " * (i + 1) + "if x:\n" for i in range(200)) + " " * 202 + "pass\n").encode(), ""),
        (b"def init():\n    return f'{" + b"{" * 3000 + b"}" * 3000 + b"}'\n", ""),
    ],
    ids=["syntax", "indent", "nul", "parens", "long-sum", "unary-chain", "deep-blocks", "fstring"],
)
def test_broken_python(tmp_path: Path, source: bytes, words: str) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "score.py").write_bytes(source)
    (tmp_path / "dep.yml").write_text(dep("env.yml", "score.py"))
    (tmp_path / "env.yml").write_text("name: e\ndependencies:\n  - python=3.10\n")
    report, _ = lint(tmp_path)
    if words:
        messages = " ".join(f["message"].lower() for f in findings_for(report, "src/score.py"))
        assert words in messages, report["findings"]


# ---------------------------------------------------------------- inputs aimed at super-linear code

AZUREML_BASE = "mcr.microsoft.com/azureml/minimal-py311-inference:20250601.v1"  # in scope: the rules run on it

@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("conda.yml", "name: x\ndependencies:\n  - python=2.7\n# " + "aml-lint: ignore[" * 200_000 + "\n"),
        ("conda.yml", "name: x\ndependencies:\n  - python=2.7\n# " + "${{" * 500_000 + "{{" * 500_000 + "\n"),
        ("Dockerfile", f"FROM {AZUREML_BASE}\nRUN pip install " + "'\"" * 1_000_000 + "\n"),
        ("Dockerfile", f"FROM {AZUREML_BASE}\nRUN pip install \\\n" + "  pkg \\\n" * 300_000 + "  last\n"),
    ],
    ids=["suppression-comment", "template-markers", "dockerfile-quotes", "dockerfile-continuations"],
)
def test_one_long_hostile_line_finishes(tmp_path: Path, name: str, text: str) -> None:
    """A 3 MB line built to make a regex backtrack: the run finishes (HANG_GUARD) with its findings."""
    (tmp_path / name).write_text(text)
    report, _ = lint(tmp_path)
    if name == "conda.yml":
        assert findings_for(report, name)  # a finding: the suppression comments were looked at
    else:
        assert report["summary"]["files_checked"] == 1


@pytest.mark.parametrize("name", [".aml-lint.yml", "pyproject.toml"])
@pytest.mark.parametrize("target", ["secret", "environ"])
def test_config_symlinked_out_of_the_repository_is_not_read(
    tmp_path: Path, outside: Path, name: str, target: str
) -> None:
    """The config is repository content too: a symlink to a secret file would have its
    keys echoed in 'unknown config key' errors."""
    (outside / "secret.toml").write_text(f'[tool.aml-lint]\n{SECRET.replace("-", "_")} = 1\n')
    (outside / "secret.yml").write_text(f"{SECRET}: 1\n")
    repo = git_repo(tmp_path / "repo")
    source = Path("/proc/self/environ") if target == "environ" else \
        outside / ("secret.toml" if name == "pyproject.toml" else "secret.yml")
    (repo / name).symlink_to(source)
    _, out = run_with_canary("check", ".", cwd=repo, codes=(2,))
    assert "outside the repository" in out


@pytest.mark.parametrize("script", ["../home/score.py", "homedir/score.py", "/proc/self/environ"])
def test_config_links_cannot_lead_out_of_the_repository(tmp_path: Path, outside: Path, script: str) -> None:
    """`links:` entries are repository content: files outside would be read and quoted in findings."""
    repo = git_repo(tmp_path / "repo")
    (repo / "homedir").symlink_to(outside, target_is_directory=True)
    (repo / ".aml-lint.yml").write_text(f"links:\n  - script: {script}\n    environment: ../home/conda.yml\n")
    _, out = run_with_canary("check", ".", cwd=repo, codes=(2,))
    assert "leads outside the repository" in out


@pytest.mark.parametrize("encoding", ["cp1252:strict", "utf-8:strict", "ascii:strict"])
@pytest.mark.parametrize("fmt", ["text", "github", "azure", "sarif"])
def test_any_file_name_prints_on_a_strict_console(tmp_path: Path, encoding: str, fmt: str) -> None:
    """Windows agents print through cp1252, some Linux images through strict UTF-8: names
    in CJK, emoji or undecodable bytes must not crash the report (UnicodeEncodeError)."""
    (tmp_path / "模型😀.yml").write_text(dep("missing-a.yml"))
    with open(os.fsencode(tmp_path) + b"/caf\xe9.yml", "wb") as fh:
        fh.write(dep("missing-b.yml").encode())
    proc = run_cli("check", ".", "--format", fmt, cwd=tmp_path, timeout=HANG_GUARD,
                   env={"PYTHONIOENCODING": encoding})
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 1 and "Traceback" not in err, err[-2000:]
    out = proc.stdout.decode("latin-1")
    assert "missing-a.yml" in out and "missing-b.yml" in out


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifos_with_azureml_names_are_not_waited_on(tmp_path: Path) -> None:
    """Outside git (a local run) a FIFO can sit in the tree: reading it would block forever."""
    (tmp_path / "dep.yml").write_text(dep("conda.yml"))
    os.mkfifo(tmp_path / "conda.yml")
    os.mkfifo(tmp_path / "other.yml")
    report, _ = lint(tmp_path)
    (finding,) = findings_for(report, "conda.yml")
    assert "not a regular file" in finding["message"]
    listing = tmp_path / "changed.txt"
    listing.write_text("dep.yml\n")
    lint(tmp_path, "--changed-files", str(listing))
