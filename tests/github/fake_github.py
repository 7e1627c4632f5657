"""A small fake of the GitHub REST API on 127.0.0.1, with state, for real PyGithub.

It serves the endpoints aml-lint uses (issues, issue comments, pull requests and
their files, reviews with comments, review comments: list, get, delete) in GitHub's JSON shapes, under an Enterprise-style ``/api/v3``
prefix, and renders every URL on its own host (PyGithub refuses URLs on other
hosts). It enforces what GitHub enforces that matters here: the token, the
65,536-character comment limit (422), 100 items per page with ``Link`` headers,
the 3,000-file cap of the PR files list, read-only tokens (403), and review comments
only on lines of the diff (the right side's added and context lines of one hunk, else 422
"Pull request review thread line must be part of the diff", which fails the whole review).

Faults are injected per request: ``fail(method, pattern, status, commit=...)``
answers the next matching request with ``status``, after doing the work when
``commit`` is true (the "saved, then 502" case that makes retried POSTs double-post).
"""

from __future__ import annotations

import base64
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
        self.reviews: dict[int, dict[str, Any]] = {}
        self.review_comments: dict[int, dict[str, Any]] = {}
        self.contents: dict[tuple[str, str], bytes] = {}  # (ref, path) -> the file's bytes
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

    def add_pull(
        self,
        number: int,
        files: list[str],
        *,
        fork: bool = False,
        patches: dict[str, str | None] | None = None,
        head: str = "a" * 40,
    ) -> None:
        """A PR; ``patches`` gives a file's unified-diff hunks as GitHub sends them (None: binary)."""
        head_repo = "forker/app" if fork else self.repo
        self.pulls[number] = {
            "number": number,
            "head": {"sha": head, "ref": "feature", "repo": {"full_name": head_repo}},
            "base": {"sha": "b" * 40, "ref": "main", "repo": {"full_name": self.repo}},
        }
        patches = patches or {}
        self.files[number] = [
            {"filename": f, "status": "modified", "patch": patches.get(f, "@@ -1 +1 @@\n-a\n+b")}
            for f in files
        ]

    def set_patches(self, number: int, patches: dict[str, str | None], head: str | None = None) -> None:
        """A new push: the PR's files and their hunks become these."""
        self.files[number] = [
            {"filename": f, "status": "modified", "patch": patch} for f, patch in patches.items()
        ]
        if head:
            self.pulls[number]["head"]["sha"] = head

    def review_comments_on(self, number: int) -> list[dict[str, Any]]:
        return [c for c in self.review_comments.values() if c["_pull"] == number]

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
            **({"patch": item["patch"]} if item.get("patch") is not None else {}),
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
        if m := re.fullmatch(r"/contents/(.+)", rest):
            from urllib.parse import unquote

            ref = request.query.get("ref", ["main"])[0]
            name = unquote(m.group(1))
            data = self.contents.get((ref, name))
            if data is None:
                return 404, {}, {"message": "Not Found"}
            return 200, {}, {
                "type": "file",
                "encoding": "base64",
                "size": len(data),
                "name": name.rsplit("/", 1)[-1],
                "path": name,
                "content": base64.encodebytes(data).decode("ascii"),
                "sha": "d" * 40,
                "url": f"{self._repo_url()}/contents/{name}?ref={ref}",
                "git_url": f"{self._repo_url()}/git/blobs/{'d' * 40}",
                "html_url": f"{self.host}/{self.repo}/blob/{ref}/{name}",
                "download_url": f"{self.host}/{self.repo}/raw/{ref}/{name}",
            }
        if m := re.fullmatch(r"/commits/([0-9a-f]{40})", rest):
            sha = m.group(1)
            return 200, {}, {"sha": sha, "url": f"{self._repo_url()}/commits/{sha}"}
        if m := re.fullmatch(r"/pulls/(\d+)/reviews", rest):
            number = int(m.group(1))
            if number not in self.pulls:
                return 404, {}, {"message": "Not Found"}
            if method == "POST":
                return self._create_review(number, request.body)
            if method == "GET":
                items = [self._review_json(r) for r in self.reviews.values() if r["_pull"] == number]
                return self._page(request, items)
        if m := re.fullmatch(r"/pulls/(\d+)/comments", rest):
            number = int(m.group(1))
            if number not in self.pulls:
                return 404, {}, {"message": "Not Found"}
            if method == "GET":
                ids = sorted(c["id"] for c in self.review_comments_on(number))
                return self._page(request, [self._review_comment_json(i) for i in ids])
        if m := re.fullmatch(r"/pulls/comments/(\d+)", rest):
            cid = int(m.group(1))
            if cid not in self.review_comments:
                return 404, {}, {"message": "Not Found"}
            if method == "GET":
                return 200, {}, self._review_comment_json(cid)
            if method == "DELETE":
                del self.review_comments[cid]
                return 204, {}, None
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

    # ---------------------------------------------------------------- reviews
    def _right_hunks(self, number: int, path: str) -> list[range]:
        """Right-side line ranges of each hunk of ``path``: what review comments may point at."""
        item = next((f for f in self.files.get(number, []) if f["filename"] == path), None)
        if item is None or item.get("patch") is None:
            return []
        return [range(start, start + count) for start, count in hunk_ranges(item["patch"])]

    def _create_review(self, number: int, body: Any) -> tuple[int, dict[str, str], Any]:
        if not isinstance(body, dict):
            return 400, {}, {"message": "Problems parsing JSON"}
        event = body.get("event")
        if event not in (None, "COMMENT", "APPROVE", "REQUEST_CHANGES"):
            return 422, {}, {"message": "Unprocessable Entity", "errors": ["Invalid event"]}
        commit = body.get("commit_id", self.pulls[number]["head"]["sha"])
        comments = body.get("comments") or []
        if not isinstance(comments, list):
            return 422, {}, {"message": "Invalid request.", "errors": ["comments is not an array"]}
        for c in comments:
            problem = self._check_review_comment(number, c)
            if problem:
                return 422, {}, {"message": "Unprocessable Entity", "errors": [problem],
                                 "documentation_url": "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request"}
        if event == "COMMENT" and not comments and not body.get("body"):
            return 422, {}, {"message": "Unprocessable Entity",
                             "errors": ["Review Can not request changes on your own pull request"]}
        self._next_id += 1
        rid = self._next_id
        now = self._stamp()
        self.reviews[rid] = {
            "_pull": number,
            "id": rid,
            "node_id": f"PRR_{rid}",
            "user": {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"},
            "body": body.get("body") or "",
            "state": "COMMENTED" if event == "COMMENT" else ("PENDING" if event is None else event + "D"),
            "html_url": f"{self.host}/{self.repo}/pull/{number}#pullrequestreview-{rid}",
            "pull_request_url": f"{self._repo_url()}/pulls/{number}",
            "commit_id": commit,
            "submitted_at": now,
            "author_association": "NONE",
        }
        for c in comments:
            self._next_id += 1
            cid = self._next_id
            line = c["line"]
            start = c.get("start_line")
            self.review_comments[cid] = {
                "_pull": number,
                "id": cid,
                "node_id": f"PRRC_{cid}",
                "pull_request_review_id": rid,
                "url": f"{self._repo_url()}/pulls/comments/{cid}",
                "html_url": f"{self.host}/{self.repo}/pull/{number}#discussion_r{cid}",
                "pull_request_url": f"{self._repo_url()}/pulls/{number}",
                "diff_hunk": "@@ -1 +1 @@",
                "path": c["path"],
                "position": 1,
                "original_position": 1,
                "commit_id": commit,
                "original_commit_id": commit,
                "user": {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"},
                "body": c["body"],
                "created_at": now,
                "updated_at": now,
                "author_association": "NONE",
                "line": line,
                "original_line": line,
                "side": c.get("side", "RIGHT"),
                "start_line": start,
                "original_start_line": start,
                "start_side": c.get("start_side") if start else None,
                "subject_type": "line",
            }
        return 200, {}, self._review_json(self.reviews[rid])

    def _check_review_comment(self, number: int, c: Any) -> str:
        if not isinstance(c, dict) or not isinstance(c.get("path"), str) or not isinstance(c.get("body"), str):
            return "comments need a path and a body"
        if len(c["body"]) > MAX_BODY:
            return "Body is too long (maximum is 65536 characters)"
        if "position" in c:
            return "position is deprecated here: use line and side"
        line = c.get("line")
        if not isinstance(line, int):
            return "line is required"
        if c.get("side", "RIGHT") != "RIGHT" or c.get("start_side", "RIGHT") != "RIGHT":
            return "only RIGHT-side comments are modelled"
        start = c.get("start_line", line)
        if not isinstance(start, int) or start > line:
            return "start_line must precede line"
        if "start_line" in c and start == line:
            return "start_line must be less than line"
        hunks = self._right_hunks(number, c["path"])
        if not any(start in hunk and line in hunk for hunk in hunks):
            return "Pull request review thread line must be part of the diff"
        return ""

    def _review_json(self, review: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in review.items() if not k.startswith("_")}

    def _review_comment_json(self, cid: int) -> dict[str, Any]:
        return {k: v for k, v in self.review_comments[cid].items() if not k.startswith("_")}

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


def hunk_ranges(patch: str) -> list[tuple[int, int]]:
    """(first right-side line, number of right-side lines) of each hunk of a patch."""
    out = []
    for m in re.finditer(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", patch, flags=re.M):
        out.append((int(m.group(1)), int(m.group(2)) if m.group(2) is not None else 1))
    return out


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
