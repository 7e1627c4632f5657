"""PyGithub and its crypto stack are imported only when a run talks to the GitHub API.

Importing ``github`` pulls in requests, urllib3, PyJWT, cryptography and PyNaCl (~0.2 s and
most of the image's packages). A plain ``aml-lint check``, and the Action on an event with no
pull request to comment on (or on a PR without a token), must not pay for them. Each run is a
fresh interpreter, so a module imported by an earlier test cannot hide one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = {"github", "cryptography", "nacl", "jwt", "requests", "urllib3"}
# Runs aml-lint's main() in-process, then lists which HEAVY top-level packages were imported.
PROBE = """
import json, sys
{before}
from aml_lint.cli import main
code = main(sys.argv[1:])
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & {heavy!r})
print("\\nPROBE " + json.dumps({{"code": code, "heavy": heavy}}))
"""
GIT_ID = ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]


def probe(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT, before: str = ""
          ) -> tuple[int, list[str]]:
    """(exit code, heavy packages imported) of ``aml-lint ARGS`` in a fresh interpreter."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("GITHUB_", "INPUT_", "SYSTEM_", "BUILD_", "AML_LINT"))}
    code = PROBE.format(before=before, heavy=HEAVY)
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env={**clean, **(env or {})})
    lines = [line for line in proc.stdout.splitlines() if line.startswith("PROBE ")]
    assert lines, proc.stdout[-2000:] + proc.stderr[-2000:]
    result = json.loads(lines[-1][len("PROBE "):])
    return result["code"], result["heavy"]


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *GIT_ID, *args], check=True, capture_output=True,
                          text=True, timeout=60).stdout.strip()


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, str, str]:
    """A checkout: a first commit, then the broken examples added by a second (base, head)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("x\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    base = git(repo, "rev-parse", "HEAD")
    shutil.copytree(ROOT / "examples" / "broken", repo / "broken")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "head")
    return repo, base, git(repo, "rev-parse", "HEAD")


def action_env(tmp_path: Path, repo: Path, event: str, payload: dict[str, object],
               token: str) -> dict[str, str]:
    (tmp_path / "event.json").write_text(json.dumps(payload), encoding="utf-8")
    return {
        "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(tmp_path / "event.json"), "GITHUB_WORKSPACE": str(repo),
        "GITHUB_REPOSITORY": "octo/app", "GITHUB_SERVER_URL": "https://github.example",
        # Nothing listens there: a run that did try the API would fail, not hang.
        "GITHUB_API_URL": "http://127.0.0.1:9/api/v3",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
        "INPUT_GITHUB-TOKEN": token, "INPUT_PATHS": ".", "INPUT_SARIF-FILE": "aml-lint.sarif",
        "INPUT_COMMENT": "auto",
    }


def test_check_imports_no_api_client() -> None:
    code, heavy = probe("check", str(ROOT / "examples" / "broken"))
    assert code == 1  # it did lint: the broken examples have errors
    assert heavy == []


@pytest.mark.parametrize("event", ["push", "workflow_dispatch"])
def test_action_without_a_pull_request_imports_no_api_client(
    tmp_path: Path, workspace: tuple[Path, str, str], event: str
) -> None:
    repo, base, head = workspace
    payload: dict[str, object] = {"before": base, "after": head} if event == "push" else {}
    # The Action's default github-token is always set: having one must not load the client.
    env = action_env(tmp_path, repo, event, payload, token="ghs_not-a-real-token")
    code, heavy = probe("ci", "github", env=env, cwd=repo)
    assert code == 1 and (repo / "aml-lint.sarif").is_file()
    assert heavy == []


def test_action_on_a_pull_request_without_a_token_imports_no_api_client(
    tmp_path: Path, workspace: tuple[Path, str, str]
) -> None:
    repo, base, head = workspace
    payload = {"number": 7, "pull_request": {"number": 7, "base": {"sha": base}, "head": {"sha": head}}}
    env = action_env(tmp_path, repo, "pull_request", payload, token="")
    code, heavy = probe("ci", "github", env=env, cwd=repo)
    assert code == 1 and "broken/" in (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert heavy == []


def test_azure_task_without_a_pull_request_imports_no_api_client(
    tmp_path: Path, workspace: tuple[Path, str, str]
) -> None:
    repo, _, _ = workspace
    env = {"BUILD_SOURCESDIRECTORY": str(repo), "AGENT_TEMPDIRECTORY": str(tmp_path),
           "BUILD_REASON": "IndividualCI", "SYSTEM_ACCESSTOKEN": "not-a-real-token"}
    code, heavy = probe("ci", "azure", env=env, cwd=repo)
    assert code == 1
    assert heavy == []


def test_the_probe_sees_the_client_when_it_is_used() -> None:
    """The control: connecting (no request is sent) loads the whole stack, so the probe can fail."""
    before = ("from aml_lint.publish.github import connect\n"
              "connect('t', 'http://127.0.0.1:9/api/v3')")
    _, heavy = probe("check", str(ROOT / "examples" / "healthy"), before=before)
    assert {"github", "requests", "urllib3", "jwt", "cryptography", "nacl"} <= set(heavy)
