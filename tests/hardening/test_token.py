"""The token: never in any output, and sent only to the API host it belongs to.

``aml-lint ci github`` (through the Action's entrypoint) and ``aml-lint ci azure``
(as the agent runs it) against the fake servers, with a recognisable token, on the
hostile repository. The fakes are made as unhelpful as a real server can be: they
echo the Authorization header in their error messages, and they redirect to
another server on 127.0.0.1 (a different port: another origin) that records every
header it gets. Afterwards every output is searched for the token: stdout, stderr,
the job summary, the outputs file, the SARIF, the comment and thread bodies, every
file the run left behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from azure_fake_server import FakeAzureDevOps
from azure_fake_server import Fault as AzureFault
from fake_github import FakeGitHub, Request
from hostile import CLI, HostileRepo, hostile_repo

GITHUB_TOKEN = "ghs_AmlLintTokenCanary0123456789abcdefXYZ"
AZURE_TOKEN = "azdoAmlLintTokenCanary9876543210zyxwvuTSR"


class Recorder:
    """Another origin on 127.0.0.1: answers 200 to anything and keeps the headers it got."""

    def __init__(self) -> None:
        self.headers: list[dict[str, str]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _any(self) -> None:
                recorder.headers.append({k.lower(): v for k, v in self.headers.items()})
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                data = b"[]"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def saw_token(self, token: str) -> bool:
        return any(token in value for headers in self.headers for value in headers.values())


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rec = Recorder()
    try:
        yield rec
    finally:
        rec.stop()


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> HostileRepo:
    return hostile_repo(tmp_path_factory.mktemp("token"))


def everything_written(*roots: Path) -> str:
    """Every file under the given folders, as text."""
    out = []
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and ".git" not in path.parts:
                out.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(out)


# ---------------------------------------------------------------- GitHub

class LeakyGitHub(FakeGitHub):
    """Error answers quote the Authorization header back; chosen routes redirect elsewhere."""

    redirect: tuple[str, int, str] | None = None  # (path regex, status, Location)

    def _dispatch(self, request: Request) -> tuple[int, dict[str, str], Any]:
        import re

        if self.redirect and re.search(self.redirect[0], request.path) and request.method == "GET":
            return self.redirect[1], {"Location": self.redirect[2] + request.path}, {"message": "moved"}
        status, headers, payload = super()._dispatch(request)
        if status >= 400 and isinstance(payload, dict):
            payload = dict(payload, message=f"{payload.get('message')} (credentials: {request.authorization})",
                           documentation_url=f"https://docs.github.com/?t={request.authorization}")
        return status, headers, payload


ENTRYPOINT = Path(__file__).resolve().parents[2] / "entrypoint.sh"


@dataclass
class ActionRun:
    code: int
    stdout: str
    stderr: str

    def commands(self, name: str) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.startswith(f"::{name} ")]


def github_run(tmp: Path, repo: HostileRepo, fake: FakeGitHub) -> tuple[ActionRun, str]:
    """The Action's entrypoint on a pull_request event, as the runner starts it (bytes kept:
    the hostile repository has a file name that is not UTF-8)."""
    run_dir = tmp / f"run{len(list(tmp.glob('run*')))}"
    (run_dir / "home").mkdir(parents=True)
    payload = {
        "action": "synchronize", "number": 7, "repository": {"full_name": "octo/app"},
        "pull_request": {"number": 7, "base": {"sha": repo.base, "repo": {"full_name": "octo/app"}},
                         "head": {"sha": repo.head, "repo": {"full_name": "octo/app"}}},
    }
    (run_dir / "event.json").write_text(json.dumps(payload))
    env = {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "HOME": str(run_dir / "home"),
        "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(run_dir / "event.json"), "GITHUB_WORKSPACE": str(repo.root),
        "GITHUB_REPOSITORY": "octo/app", "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_RUN_ID": "4242", "GITHUB_WORKFLOW": "lint", "GITHUB_JOB": "aml", "GITHUB_SHA": repo.head,
        "GITHUB_STEP_SUMMARY": str(run_dir / "summary.md"), "GITHUB_OUTPUT": str(run_dir / "output.txt"),
        "GITHUB_API_URL": fake.api_url, "INPUT_SARIF-FILE": "reports/aml-lint.sarif",
        "INPUT_GITHUB-TOKEN": GITHUB_TOKEN,
        # Short API waits set by a test (test_api_faults) reach the run, as in azure_run.
        **{k: v for k, v in os.environ.items() if k.startswith("AML_LINT_API_")},
    }
    proc = subprocess.run(["bash", str(ENTRYPOINT)], env=env, capture_output=True, timeout=300)
    out = ActionRun(proc.returncode, proc.stdout.decode("utf-8", "replace"),
                    proc.stderr.decode("utf-8", "replace"))
    assert "Traceback" not in out.stderr, out.stderr[-3000:]
    written = everything_written(tmp, repo.root)
    comments = "\n".join(json.dumps(c) for c in fake.comments.values())
    return out, "\n".join([out.stdout, out.stderr, written, comments])


@pytest.mark.parametrize("fault", ["read-only", "comments-404", "comments-500", "bad-token"])
def test_github_token_never_shows(tmp_path: Path, repo: HostileRepo, fault: str) -> None:
    fake = LeakyGitHub(token=GITHUB_TOKEN if fault != "bad-token" else "another-token").start()
    try:
        fake.add_pull(7, sorted(repo.expected))
        if fault == "read-only":
            fake.read_only = True
        elif fault == "comments-404":
            fake.fail("GET", r"/issues/7/comments", 404, times=10)
        elif fault == "comments-500":
            fake.fail("GET", r"/issues/7/comments", 500, times=10)
        out, everything = github_run(tmp_path, repo, fake)
    finally:
        fake.stop()
    assert out.code == 1, out.stdout[-2000:] + out.stderr[-2000:]
    assert fake.requests, "the run never talked to the API: the test would prove nothing"
    assert any(GITHUB_TOKEN in r.authorization for r in fake.requests)
    assert GITHUB_TOKEN not in everything
    if fault in ("comments-404", "bad-token"):
        assert "credentials:" in everything  # the echo reached the messages: redaction was tested
    assert out.commands("warning"), out.stdout[-2000:]


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_github_redirect_to_another_origin_gets_no_token(
    tmp_path: Path, repo: HostileRepo, recorder: Recorder, status: int
) -> None:
    fake = LeakyGitHub(token=GITHUB_TOKEN).start()
    fake.redirect = (r"/issues/7/comments", status, recorder.url)
    try:
        fake.add_pull(7, sorted(repo.expected))
        out, everything = github_run(tmp_path, repo, fake)
    finally:
        fake.stop()
    assert out.code == 1
    assert not recorder.saw_token(GITHUB_TOKEN), recorder.headers
    assert GITHUB_TOKEN not in everything
    assert fake.comments_on(7) == [] or len(fake.comments_on(7)) == 1


# ---------------------------------------------------------------- Azure DevOps

class LeakyAzure(FakeAzureDevOps):
    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, payload: Any,
              headers: dict[str, str] | None = None) -> None:
        if status >= 400 and isinstance(payload, dict):
            payload = dict(payload, message=f"{payload.get('message')} (credentials: "
                                            f"{h.headers.get('Authorization')})")
        FakeAzureDevOps._send(h, status, payload, headers)


def azure_run(tmp: Path, repo: HostileRepo, fake: FakeAzureDevOps) -> tuple[int, str]:
    temp = tmp / "agent-temp"
    temp.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "SYSTEM_", "BUILD_"))}
    env = {k: v for k, v in env.items() if "proxy" not in k.lower()}
    env.update(fake.env())
    env.update({
        "SYSTEM_ACCESSTOKEN": AZURE_TOKEN,
        "BUILD_SOURCESDIRECTORY": str(repo.root),
        "AGENT_TEMPDIRECTORY": str(temp),
        "BUILD_REASON": "PullRequest",
        "SYSTEM_PULLREQUEST_TARGETBRANCH": "refs/heads/main",
        "INPUT_COMMENT": "auto",
        "INPUT_SARIFFILE": "reports/aml-lint.sarif",
        "SYSTEM_DEFINITIONID": "12",
        "BUILD_BUILDID": "7",
    })
    proc = subprocess.run([*CLI, "ci", "azure"], env=env, capture_output=True, timeout=180, cwd=repo.root)
    stdout, stderr = (proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))
    assert "Traceback" not in stderr, stderr[-3000:]
    threads = json.dumps(list(fake.threads.values()))
    return proc.returncode, "\n".join([stdout, stderr, threads, everything_written(tmp, repo.root)])


@pytest.mark.parametrize("fault", ["none", "403", "500-on-create", "bad-token"])
def test_azure_token_never_shows(tmp_path: Path, repo: HostileRepo, fault: str) -> None:
    fake = LeakyAzure(token=AZURE_TOKEN if fault != "bad-token" else "another-token").start()
    try:
        if fault == "403":
            fake.forced_status = 403
        elif fault == "500-on-create":
            fake.faults.append(AzureFault("POST", r"/threads$", 500, times=5))
        code, everything = azure_run(tmp_path, repo, fake)
    finally:
        fake.stop()
    assert code == 1
    assert fake.requests and any(AZURE_TOKEN in r.headers.get("authorization", "") for r in fake.requests)
    assert AZURE_TOKEN not in everything
    if fault != "none":
        assert "credentials:" in everything or "403" in everything


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_azure_redirect_to_another_origin_gets_no_token(
    tmp_path: Path, repo: HostileRepo, recorder: Recorder, status: int
) -> None:
    fake = LeakyAzure(token=AZURE_TOKEN).start()
    fake.faults.append(AzureFault("GET", r"/threads$", status, times=5,
                                  headers={"Location": recorder.url + "/org/_apis/git/threads"}))
    try:
        code, everything = azure_run(tmp_path, repo, fake)
    finally:
        fake.stop()
    assert code == 1
    assert not recorder.saw_token(AZURE_TOKEN), recorder.headers
    assert AZURE_TOKEN not in everything
    assert fake.live_threads() == []


def test_helpers_see_a_leak_when_there_is_one(tmp_path: Path) -> None:
    """The search above can fail: a file holding the token is found."""
    (tmp_path / "leak.txt").write_text(f"x {GITHUB_TOKEN} y")
    assert GITHUB_TOKEN in everything_written(tmp_path)
    assert sys.executable
