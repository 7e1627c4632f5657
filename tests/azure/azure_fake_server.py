"""A stateful fake of the Azure DevOps Git pull-request threads API (REST 7.1) on 127.0.0.1.

It speaks the real shapes (``{"value": [...], "count": n}`` lists, threads with
``comments``, string statuses in answers, ints or strings accepted in requests)
and checks what the real service checks: the ``api-version``, the bearer
token, line-anchored threads' ``threadContext`` (a '/' path, right-side start and end), the project name (URL-decoded, so names with spaces work only when
quoted), JSON bodies and the 150,000-character comment limit. Faults can be
injected per route to play 401/403, 5xx after or before committing, and slow
answers.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

STATUS_NAMES = ["unknown", "active", "fixed", "wontFix", "closed", "byDesign", "pending"]
MAX_COMMENT = 150_000


@dataclass
class Fault:
    method: str
    path: str  # regex searched in the path after the repository part, e.g. r"/threads$"
    status: int
    commit: bool = False  # apply the request first, then answer with the fault
    delay: float = 0.0
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeAzureDevOps:
    org: str = "org"
    project: str = "My Project"
    repository_id: str = "3411ebc1-d5aa-464f-9615-0b527bc66719"
    pull_request_id: int = 42
    token: str = "tok-3f9a0c2b7d41"
    threads: dict[int, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    forced_status: int | None = None  # answer every request with this (401, 403 ...)
    _next_thread: int = 100
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> FakeAzureDevOps:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def _any(self) -> None:
                fake._handle(self)

            do_GET = do_POST = do_PATCH = do_DELETE = _any

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeAzureDevOps:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def collection_uri(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/{self.org}/"

    def env(self) -> dict[str, str]:
        """The predefined variables of a PR build against this fake."""
        return {
            "SYSTEM_COLLECTIONURI": self.collection_uri,
            "SYSTEM_TEAMPROJECT": self.project,
            "BUILD_REPOSITORY_ID": self.repository_id,
            "BUILD_REPOSITORY_PROVIDER": "TfsGit",
            "SYSTEM_PULLREQUEST_PULLREQUESTID": str(self.pull_request_id),
            "SYSTEM_ACCESSTOKEN": self.token,
        }

    # -- helpers for tests ------------------------------------------------------------------
    def add_thread(self, content: str, status: str = "active", author: str = "Someone") -> int:
        with self._lock:
            return self._create(
                {"comments": [{"content": content, "parentCommentId": 0}], "status": status}, author
            )["id"]

    def live_threads(self) -> list[dict[str, Any]]:
        return [t for t in self.threads.values() if not t["isDeleted"]]

    def mutations(self) -> list[Recorded]:
        return [r for r in self.requests if r.method != "GET"]

    # -- request handling -------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        query = parse_qs(parts.query)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        body: Any = None
        if raw:
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                return self._send(h, 400, {"message": "The request body is not valid JSON."})
        headers = {k.lower(): v for k, v in h.headers.items()}
        with self._lock:
            self.requests.append(Recorded(h.command, parts.path, query, headers, body))

        if self.forced_status is not None:
            return self._send(h, self.forced_status, _permission_error(self.forced_status))
        if headers.get("authorization") != f"Bearer {self.token}":
            return self._send(h, 401, _permission_error(401))
        if query.get("api-version") != ["7.1"]:
            return self._send(
                h,
                400,
                {
                    "message": "The API version is missing or not supported; pass api-version=7.1.",
                    "typeKey": "VssVersionNotSpecifiedException",
                },
            )
        prefix = f"/{self.org}/"
        if not parts.path.startswith(prefix):
            return self._send(h, 404, {"message": "no such collection"})
        project, _, rest = parts.path[len(prefix) :].partition("/")
        if unquote(project) != self.project:
            return self._send(
                h,
                404,
                {"message": f"TF200016: The following project does not exist: {unquote(project)}."},
            )
        m = re.fullmatch(
            r"_apis/git/repositories/([^/]+)/pullRequests/(\d+)/threads(?:/(\d+))?(?:/comments(?:/(\d+))?)?",
            rest,
        )
        if (
            not m
            or unquote(m.group(1)) != self.repository_id
            or int(m.group(2)) != self.pull_request_id
        ):
            return self._send(h, 404, {"message": f"no route for {parts.path}"})
        route = rest[m.end(2) :]
        if body is not None and "json" not in headers.get("content-type", ""):
            return self._send(h, 415, {"message": "Content-Type must be application/json"})

        fault = self._take_fault(h.command, route)
        if fault is not None and not fault.commit:
            time.sleep(fault.delay)
            return self._send(h, fault.status, {"message": "fault injected"}, fault.headers)
        with self._lock:
            status, answer = self._route(h.command, m.group(3), m.group(4), body, route)
        if fault is not None:
            time.sleep(fault.delay)
            return self._send(h, fault.status, {"message": "fault injected after commit"})
        return self._send(h, status, answer)

    def _take_fault(self, method: str, route: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and fault.method == method and re.search(fault.path, route):
                    fault.times -= 1
                    return fault
        return None

    def _route(
        self, method: str, thread_id: str | None, comment_id: str | None, body: Any, route: str
    ) -> tuple[int, Any]:
        if thread_id is None and "/comments" not in route:
            if method == "GET":
                value = [
                    self._public(t) for t in sorted(self.threads.values(), key=lambda t: t["id"])
                ]
                return 200, {"value": value, "count": len(value)}
            if method == "POST":
                problem = self._check_thread_body(body)
                if problem:
                    return 400, {"message": problem}
                return 200, self._public(self._create(body, "My Project Build Service (org)"))
            return 405, {"message": "method not allowed"}
        thread = self.threads.get(int(thread_id or 0))
        if thread is None:
            return 404, {"message": f"TF401180: The requested thread {thread_id} was not found."}
        if comment_id is None and "/comments" not in route:
            if method == "GET":
                return 200, self._public(thread)
            if method == "PATCH":
                if not isinstance(body, dict):
                    return 400, {"message": "thread body required"}
                if "status" in body:
                    try:
                        thread["status"] = _status(body["status"])
                    except ValueError as exc:
                        return 400, {"message": str(exc)}
                thread["lastUpdatedDate"] = _now()
                return 200, self._public(thread)
            return 405, {"message": "method not allowed"}
        if comment_id is None:
            return 405, {"message": "not implemented in the fake"}
        comment = next((c for c in thread["comments"] if c["id"] == int(comment_id)), None)
        if comment is None or comment.get("isDeleted"):
            return 404, {"message": f"TF401181: The requested comment {comment_id} was not found."}
        if method == "PATCH":
            content = body.get("content") if isinstance(body, dict) else None
            if not isinstance(content, str):
                return 400, {"message": "content required"}
            if len(content) > MAX_COMMENT:
                return 400, {
                    "message": "A discussion comment cannot be longer than 150000 characters."
                }
            comment["content"] = content
            comment["lastUpdatedDate"] = comment["lastContentUpdatedDate"] = _now()
            return 200, comment
        if method == "DELETE":
            comment["isDeleted"] = True
            if all(c.get("isDeleted") for c in thread["comments"]):
                thread["isDeleted"] = True
            return 200, None
        if method == "GET":
            return 200, comment
        return 405, {"message": "method not allowed"}

    def _check_thread_body(self, body: Any) -> str:
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("comments"), list)
            or not body["comments"]
        ):
            return "A thread needs at least one comment."
        for c in body["comments"]:
            if not isinstance(c, dict) or not isinstance(c.get("content"), str):
                return "Each comment needs content."
            if len(c["content"]) > MAX_COMMENT:
                return "A discussion comment cannot be longer than 150000 characters."
        context = body.get("threadContext")
        if context is not None:
            return _check_context(context)
        return ""

    def _create(self, body: dict[str, Any], author: str) -> dict[str, Any]:
        self._next_thread += 1
        now = _now()
        comments = []
        for i, c in enumerate(body["comments"], start=1):
            comments.append(
                {
                    "id": i,
                    "parentCommentId": int(c.get("parentCommentId") or 0),
                    "author": {"displayName": author, "id": "b1c2"},
                    "content": c["content"],
                    "publishedDate": now,
                    "lastUpdatedDate": now,
                    "lastContentUpdatedDate": now,
                    "commentType": "text",
                    "usersLiked": [],
                }
            )
        thread = {
            "id": self._next_thread,
            "publishedDate": now,
            "lastUpdatedDate": now,
            "comments": comments,
            "status": _status(body.get("status", 1)),
            "threadContext": body.get("threadContext"),
            "properties": {},
            "identities": None,
            "isDeleted": False,
        }
        self.threads[thread["id"]] = thread
        return thread

    def _public(self, thread: dict[str, Any]) -> dict[str, Any]:
        out = dict(thread)
        out["_links"] = {"self": {"href": f"{self.collection_uri}_apis/git/threads/{thread['id']}"}}
        return out

    @staticmethod
    def _send(
        h: BaseHTTPRequestHandler, status: int, payload: Any, headers: dict[str, str] | None = None
    ) -> None:
        data = b"" if payload is None else json.dumps(payload).encode("utf-8")
        h.send_response(status)
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        if data:
            h.send_header("Content-Type", "application/json; charset=utf-8; api-version=7.1")
        h.send_header("Content-Length", str(len(data)))
        try:
            h.end_headers()
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (timeout tests)


def _check_context(context: Any) -> str:
    """A CommentThreadContext as REST 7.1 defines it: a repository path starting with '/', and
    positions {line (from 1), offset (from 1 as the web UI sends it)}, start before end."""
    if not isinstance(context, dict):
        return "threadContext must be an object."
    path = context.get("filePath")
    if not isinstance(path, str) or not path.startswith("/") or "\\" in path:
        return "threadContext.filePath must be a repository path starting with '/'."
    positions = {}
    for name in ("rightFileStart", "rightFileEnd", "leftFileStart", "leftFileEnd"):
        pos = context.get(name)
        if pos is None:
            continue
        if not isinstance(pos, dict) or not all(
            isinstance(pos.get(k), int) and pos[k] >= 1 for k in ("line", "offset")
        ):
            return f"threadContext.{name} needs a line and an offset, both from 1."
        positions[name] = (pos["line"], pos["offset"])
    if ("rightFileStart" in positions) != ("rightFileEnd" in positions):
        return "threadContext needs both rightFileStart and rightFileEnd."
    if "rightFileStart" in positions and positions["rightFileStart"] > positions["rightFileEnd"]:
        return "threadContext.rightFileStart is after rightFileEnd."
    return ""


def _status(value: Any) -> str:
    if isinstance(value, int) and 0 <= value < len(STATUS_NAMES):
        return STATUS_NAMES[value]
    for name in STATUS_NAMES:
        if str(value).lower() == name.lower():
            return name
    raise ValueError(f"bad status {value!r}")


def _permission_error(status: int) -> dict[str, Any]:
    if status == 403:
        return {
            "message": "TF401027: You need the Git 'PullRequestContribute' permission to perform this action.",
            "typeKey": "GitNeedsPermissionException",
        }
    return {"message": "TF400813: The user '' is not authorized to access this resource."}


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
