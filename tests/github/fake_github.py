"""A small fake of the GitHub REST API on 127.0.0.1, with state, for real PyGithub.

It serves the endpoints aml-lint uses (issues, issue comments, pull requests and
their files) in GitHub's JSON shapes, under an Enterprise-style ``/api/v3``
prefix, and renders every URL on its own host (PyGithub refuses URLs on other
hosts). It enforces what GitHub enforces that matters here: the token, the
65,536-character comment limit (422), 100 items per page with ``Link`` headers,
the 3,000-file cap of the PR files list, and read-only tokens (403).

Faults are injected per request: ``fail(method, pattern, status, commit=...)``
answers the next matching request with ``status``, after doing the work when
``commit`` is true (the "saved, then 502" case that makes retried POSTs double-post).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PREFIX = "/api/v3"
MAX_BODY = 65_536
MAX_FILES = 3_000
EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    commit: bool
    times: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    authorization: str


class FakeGitHub:
    def __init__(self, token: str = "test-token", repo: str = "octo/app") -> None:
        self.token = token
        self.repo = repo
        self.read_only = False
        self.comments: dict[int, dict[str, Any]] = {}
        self.pulls: dict[int, dict[str, Any]] = {}
        self.files: dict[int, list[dict[str, Any]]] = {}
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self._next_id = 1000
        self._clock = 0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    # ------------------------------------------------------------------ setup
    @property
    def host(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return self.host + PREFIX

    def start(self) -> FakeGitHub:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add_pull(self, number: int, files: list[str], *, fork: bool = False) -> None:
        head_repo = "forker/app" if fork else self.repo
        self.pulls[number] = {
            "number": number,
            "head": {"sha": "a" * 40, "ref": "feature", "repo": {"full_name": head_repo}},
            "base": {"sha": "b" * 40, "ref": "main", "repo": {"full_name": self.repo}},
        }
        self.files[number] = [{"filename": f, "status": "modified"} for f in files]

    def add_comment(self, number: int, body: str, login: str = "github-actions[bot]") -> int:
        with self._lock:
            return self._store_comment(number, body, login)

    def fail(
        self,
        method: str,
        pattern: str,
        status: int,
        *,
        commit: bool = False,
        times: int = 1,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.faults.append(Fault(method, re.compile(pattern), status, commit, times, headers or {}))

    def comments_on(self, number: int) -> list[dict[str, Any]]:
        return [c for c in self.comments.values() if c["_issue"] == number]

    def calls(self, method: str, pattern: str = "") -> list[Request]:
        return [r for r in self.requests if r.method == method and re.search(pattern, r.path)]

    # -------------------------------------------------------------- rendering
    def _repo_url(self) -> str:
        return f"{self.api_url}/repos/{self.repo}"

    def _stamp(self) -> str:
        self._clock += 1
        return (EPOCH + timedelta(seconds=self._clock)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _store_comment(self, number: int, body: str, login: str) -> int:
        self._next_id += 1
        cid = self._next_id
        now = self._stamp()
        self.comments[cid] = {
            "_issue": number,
            "id": cid,
            "node_id": f"IC_{cid}",
            "url": f"{self._repo_url()}/issues/comments/{cid}",
            "html_url": f"{self.host}/{self.repo}/pull/{number}#issuecomment-{cid}",
            "issue_url": f"{self._repo_url()}/issues/{number}",
            "body": body,
            "user": {"login": login, "id": 41898282, "type": "Bot"},
            "created_at": now,
            "updated_at": now,
            "author_association": "NONE",
        }
        return cid

    def _comment_json(self, cid: int) -> dict[str, Any]:
        return {k: v for k, v in self.comments[cid].items() if not k.startswith("_")}

    def _issue_json(self, number: int) -> dict[str, Any]:
        return {
            "id": number,
            "number": number,
            "url": f"{self._repo_url()}/issues/{number}",
            "html_url": f"{self.host}/{self.repo}/pull/{number}",
            "comments_url": f"{self._repo_url()}/issues/{number}/comments",
            "title": f"PR {number}",
            "state": "open",
            "comments": len(self.comments_on(number)),
            "pull_request": {"url": f"{self._repo_url()}/pulls/{number}"},
        }

    def _pull_json(self, number: int) -> dict[str, Any]:
        pull = self.pulls[number]
        return {
            "id": number,
            "number": number,
            "url": f"{self._repo_url()}/pulls/{number}",
            "html_url": f"{self.host}/{self.repo}/pull/{number}",
            "issue_url": f"{self._repo_url()}/issues/{number}",
            "comments_url": f"{self._repo_url()}/issues/{number}/comments",
            "state": "open",
            "head": pull["head"],
            "base": pull["base"],
        }

    def _file_json(self, item: dict[str, Any]) -> dict[str, Any]:
        name = item["filename"]
        return {
            "sha": "c" * 40,
            "filename": name,
            "status": item["status"],
            "additions": 1,
            "deletions": 0,
            "changes": 1,
            "blob_url": f"{self.host}/{self.repo}/blob/{'a' * 40}/{name}",
            "raw_url": f"{self.host}/{self.repo}/raw/{'a' * 40}/{name}",
            "contents_url": f"{self._repo_url()}/contents/{name}",
            "patch": "@@ -1 +1 @@\n-a\n+b",
        }

    # --------------------------------------------------------------- handling
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = None
                parts = urlsplit(self.path)
                request = Request(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    body,
                    self.headers.get("Authorization", ""),
                )
                with fake._lock:
                    fake.requests.append(request)
                    status, headers, payload = fake._dispatch(request)
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = _handle

        return Handler

    def _fault_for(self, request: Request) -> Fault | None:
        for fault in self.faults:
            if (
                fault.times > 0
                and fault.method == request.method
                and fault.pattern.search(request.path)
            ):
                fault.times -= 1
                return fault
        return None

    def _dispatch(self, request: Request) -> tuple[int, dict[str, str], Any]:
        token = request.authorization.split(" ", 1)[-1]
        if token != self.token:
            return 401, {}, {"message": "Bad credentials"}
        fault = self._fault_for(request)
        if fault is not None and not fault.commit:
            return fault.status, fault.headers, {"message": f"injected {fault.status}"}
        status, headers, payload = self._route(request)
        if fault is not None:
            return fault.status, fault.headers, {"message": f"injected {fault.status} after commit"}
        return status, headers, payload

    def _route(self, request: Request) -> tuple[int, dict[str, str], Any]:
        path = request.path
        if not path.startswith(PREFIX + "/repos/" + self.repo):
            return 404, {}, {"message": "Not Found"}
        rest = path[len(PREFIX + "/repos/" + self.repo) :]
        method = request.method
        if method != "GET" and self.read_only:
            return 403, {}, {"message": "Resource not accessible by integration"}
        if m := re.fullmatch(r"/issues/(\d+)", rest):
            number = int(m.group(1))
            if number not in self.pulls:
                return 404, {}, {"message": "Not Found"}
            return 200, {}, self._issue_json(number)
        if m := re.fullmatch(r"/pulls/(\d+)", rest):
            number = int(m.group(1))
            if number not in self.pulls:
                return 404, {}, {"message": "Not Found"}
            return 200, {}, self._pull_json(number)
        if m := re.fullmatch(r"/pulls/(\d+)/files", rest):
            number = int(m.group(1))
            if number not in self.pulls:
                return 404, {}, {"message": "Not Found"}
            items = [self._file_json(f) for f in self.files[number][:MAX_FILES]]
            return self._page(request, items)
        if m := re.fullmatch(r"/issues/(\d+)/comments", rest):
            number = int(m.group(1))
            if method == "GET":
                ids = sorted(c["id"] for c in self.comments_on(number))
                return self._page(request, [self._comment_json(i) for i in ids])
            if method == "POST":
                text = (request.body or {}).get("body", "")
                if len(text) > MAX_BODY:
                    return 422, {}, _too_long()
                cid = self._store_comment(number, text, "github-actions[bot]")
                return 201, {}, self._comment_json(cid)
        if m := re.fullmatch(r"/issues/comments/(\d+)", rest):
            cid = int(m.group(1))
            if cid not in self.comments:
                return 404, {}, {"message": "Not Found"}
            if method == "GET":
                return 200, {}, self._comment_json(cid)
            if method == "PATCH":
                text = (request.body or {}).get("body", "")
                if len(text) > MAX_BODY:
                    return 422, {}, _too_long()
                self.comments[cid]["body"] = text
                self.comments[cid]["updated_at"] = self._stamp()
                return 200, {}, self._comment_json(cid)
            if method == "DELETE":
                del self.comments[cid]
                return 204, {}, None
        return 404, {}, {"message": "Not Found"}

    def _page(self, request: Request, items: list[Any]) -> tuple[int, dict[str, str], Any]:
        per_page = min(int(request.query.get("per_page", ["30"])[0]), 100)
        page = int(request.query.get("page", ["1"])[0])
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        links = []
        base = f"{self.host}{request.path}?per_page={per_page}&page="
        if page < last:
            links.append(f'<{base}{page + 1}>; rel="next"')
            links.append(f'<{base}{last}>; rel="last"')
        if page > 1:
            links.append(f'<{base}{page - 1}>; rel="prev"')
            links.append(f'<{base}1>; rel="first"')
        headers = {"Link": ", ".join(links)} if links else {}
        return 200, headers, chunk


def _too_long() -> dict[str, Any]:
    return {
        "message": "Validation Failed",
        "errors": [
            {
                "resource": "IssueComment",
                "code": "custom",
                "field": "body",
                "message": "Body is too long (maximum is 65536 characters)",
            }
        ],
        "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
    }
