"""API faults at the transport level, end to end: what the fake servers' status-code
faults do not cover (those are tested in tests/github and tests/azure).

The fakes are extended (not rewritten) with raw faults on chosen routes: a TCP reset,
a garbage status line, a body cut short, an HTML page, JSON of the wrong shape, a
hang, a 403 secondary rate limit with Retry-After. For each, ``aml-lint ci github``
(through entrypoint.sh) and ``aml-lint ci azure`` must finish (the subprocess timeout
is a hang guard), print the annotations / logging commands, write the summary, post
at most one comment or thread, warn once, and exit with the lint result (1).

A hang is met by the clients' real socket timeout, shortened to API_TIMEOUT seconds through
AML_LINT_API_TIMEOUT (the production defaults, 15 s and 20 s a request, made these tests wait
out about 120 s); the pauses between retries are shortened through AML_LINT_API_BACKOFF (the
retries still happen, and are counted where it matters).
"""

from __future__ import annotations

import json
import re
import socket
import struct
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from azure_fake_server import FakeAzureDevOps
from fake_github import FakeGitHub
from hostile import HostileRepo, hostile_repo
from test_token import AZURE_TOKEN, GITHUB_TOKEN, azure_run, github_run

from aml_lint.publish import BACKOFF_VAR, TIMEOUT_VAR, api_backoff, api_timeout
from aml_lint.publish.azure_devops import DEFAULT_TIMEOUT, AzureDevOpsClient
from aml_lint.publish.github import ClientOptions, connect

API_TIMEOUT = 2  # seconds: far above a local answer under load, far below HANG
API_BACKOFF = 0.05  # backoff factor: GitHub's 1 s and Azure DevOps' 1 s made each failing case ~7 s
HANG = 25  # how long a hanging route holds its request


@pytest.fixture(autouse=True)
def short_api_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TIMEOUT_VAR, str(API_TIMEOUT))
    monkeypatch.setenv(BACKOFF_VAR, str(API_BACKOFF))


@dataclass
class RawFault:
    method: str
    pattern: str
    kind: str  # reset | garbage | truncated | html | shape | hang | secondary-rate-limit
    times: int = 1


def apply(fault: RawFault, h: BaseHTTPRequestHandler) -> bool:
    """Answer ``h`` with the fault; False when the request should go on normally (hang)."""
    length = int(h.headers.get("Content-Length") or 0)
    if length:
        h.rfile.read(length)
    if fault.kind == "hang":
        time.sleep(HANG)  # longer than either client's timeout
        return True
    if fault.kind == "reset":
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()
        h.close_connection = True
        return True
    raw = {
        "garbage": b"HTTP/1.1 abc def\r\n\r\n",
        "truncated": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n[{\"id\": 1",
        "html": b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 22\r\n\r\n<html>sign in</html>\r\n",
        "shape": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{\"value\": \"nope\"}",
        "secondary-rate-limit": (
            b"HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
            b"x-ratelimit-remaining: 4000\r\nContent-Length: 71\r\n\r\n"
            b"{\"message\": \"You have exceeded a secondary rate limit. Please wait.\" }"
        ),
    }[fault.kind]
    h.wfile.write(raw)
    h.wfile.flush()
    h.close_connection = True
    return True


def take(faults: list[RawFault], method: str, path: str) -> RawFault | None:
    for fault in faults:
        if fault.times > 0 and fault.method == method and re.search(fault.pattern, path):
            fault.times -= 1
            return fault
    return None


class FaultyGitHub(FakeGitHub):
    def __init__(self, faults: list[RawFault]) -> None:
        self.raw_faults = faults
        super().__init__(token=GITHUB_TOKEN)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        base = super()._handler_class()
        fake = self

        class Handler(base):  # type: ignore[valid-type,misc]
            def _handle(self) -> None:
                fault = take(fake.raw_faults, self.command, self.path)
                if fault is not None and apply(fault, self) and fault.kind != "hang":
                    return
                super()._handle()

            do_GET = do_POST = do_PATCH = do_DELETE = _handle

        return Handler


class FaultyAzure(FakeAzureDevOps):
    raw_faults: list[RawFault] = []

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        fault = take(self.raw_faults, h.command, h.path)
        if fault is not None and apply(fault, h) and fault.kind != "hang":
            return
        super()._handle(h)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> HostileRepo:
    return hostile_repo(tmp_path_factory.mktemp("faults"))


COMMENTS = r"/issues/7/comments"


@pytest.mark.parametrize(
    ("faults", "posted"),
    [
        ([RawFault("GET", COMMENTS, "reset")], 1),  # a read is retried
        ([RawFault("GET", COMMENTS, "reset", times=20)], 0),
        ([RawFault("GET", COMMENTS, "garbage", times=20)], 0),
        ([RawFault("GET", COMMENTS, "truncated", times=20)], 0),
        ([RawFault("GET", COMMENTS, "html")], 0),
        ([RawFault("GET", COMMENTS, "shape")], 0),
        ([RawFault("POST", COMMENTS, "secondary-rate-limit")], 1),  # waited Retry-After, posted once
        ([RawFault("POST", COMMENTS, "reset")], 1),  # not saved: looked again, posted once
        ([RawFault("GET", COMMENTS, "hang")], 1),  # timed out, retried
    ],
    ids=["reset-once", "reset", "garbage", "truncated", "html", "shape", "secondary-rate-limit",
         "post-reset", "hang"],
)
def test_github_run_survives(tmp_path: Path, repo: HostileRepo, faults: list[RawFault], posted: int) -> None:
    fake = FaultyGitHub(faults).start()
    try:
        fake.add_pull(7, sorted(repo.expected))
        started = time.monotonic()
        out, _ = github_run(tmp_path, repo, fake)
        elapsed = time.monotonic() - started
    finally:
        fake.stop()
    assert out.code == 1, out.stdout[-2000:] + out.stderr[-2000:]
    assert out.commands("error")  # annotations
    summaries = list(tmp_path.glob("run*/summary.md"))
    assert summaries and "Errors" in summaries[0].read_text(encoding="utf-8")
    assert len(fake.comments_on(7)) == posted
    warnings = [w for w in out.commands("warning") if "comment" in w.lower()]
    assert len(warnings) == (1 - posted), out.commands("warning")
    assert GITHUB_TOKEN not in out.stdout + out.stderr
    assert elapsed < 280  # the hang guard in github_run is 300 s: this says which step hung
    if faults[0].kind == "hang":  # one timed-out read, then the retry: nowhere near 15 s
        assert elapsed < 6 * API_TIMEOUT


@pytest.mark.parametrize(
    "faults",
    [
        [RawFault("GET", r"/threads", "reset", times=20)],
        [RawFault("GET", r"/threads", "garbage", times=20)],
        [RawFault("GET", r"/threads", "truncated", times=20)],
        [RawFault("GET", r"/threads", "html")],
        [RawFault("GET", r"/threads", "shape")],
        [RawFault("POST", r"/threads", "garbage")],
        [RawFault("GET", r"/threads", "hang", times=5)],
    ],
    ids=["reset", "garbage", "truncated", "html", "shape", "post-garbage", "hang"],
)
def test_azure_run_survives(tmp_path: Path, repo: HostileRepo, faults: list[RawFault]) -> None:
    fake = FaultyAzure(token=AZURE_TOKEN)
    fake.raw_faults = faults
    fake.start()
    try:
        started = time.monotonic()
        code, everything = azure_run(tmp_path, repo, fake)
        elapsed = time.monotonic() - started
    finally:
        fake.stop()
    assert code == 1
    if faults[0].kind == "hang":  # five timed-out reads and the backoff pauses, not 5 x 20 s
        assert elapsed < 60
    assert "##vso[task.logissue type=error" in everything
    assert "##vso[task.uploadsummary]" in everything
    threads = fake.live_threads()
    assert len(threads) <= 1
    warned = re.findall(r"^##vso\[task\.logissue type=warning\]aml-lint: cannot update the pull request thread",
                        everything, re.M)
    assert len(warned) == (0 if threads else 1), everything[-3000:]
    assert AZURE_TOKEN not in everything


def test_fault_helpers_really_break_the_answer() -> None:
    """The raw answers are what they claim: unparsable or of the wrong shape."""
    assert json.loads(b"{\"value\": \"nope\"}") == {"value": "nope"}
    with pytest.raises(ValueError):
        json.loads(b"[{\"id\": 1")


def _github_waits() -> tuple[int, float]:
    gh = connect("t", "http://127.0.0.1:9/api/v3")
    requester = gh.requester
    return requester._Requester__timeout, requester._Requester__retry.backoff_factor  # type: ignore[attr-defined]


def test_api_waits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both clients read AML_LINT_API_TIMEOUT and AML_LINT_API_BACKOFF; unset, empty, out of
    range or garbage values keep the defaults."""
    azure = AzureDevOpsClient("http://127.0.0.1:9/org", "t")
    assert (azure.timeout, azure.backoff) == (API_TIMEOUT, API_BACKOFF)
    assert _github_waits() == (API_TIMEOUT, API_BACKOFF)
    monkeypatch.setenv(TIMEOUT_VAR, "0.5")
    monkeypatch.setenv(BACKOFF_VAR, "0")
    assert _github_waits() == (1, 0.0)  # PyGithub takes whole seconds
    for value in ("", "0", "-3", "soon", "nan", "inf"):
        monkeypatch.setenv(TIMEOUT_VAR, value)
        assert api_timeout(7.0) == 7.0
    for value in ("", "-1", "soon", "nan", "inf"):
        monkeypatch.setenv(BACKOFF_VAR, value)
        assert api_backoff(7.0) == 7.0
    monkeypatch.delenv(TIMEOUT_VAR)
    monkeypatch.delenv(BACKOFF_VAR)
    azure = AzureDevOpsClient("http://127.0.0.1:9/org", "t")
    assert (azure.timeout, azure.backoff) == (DEFAULT_TIMEOUT, 1.0) == (20.0, 1.0)
    assert _github_waits() == (ClientOptions.timeout, ClientOptions.backoff_factor) == (15, 1.0)
