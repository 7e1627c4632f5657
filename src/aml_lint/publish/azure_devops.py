"""One sticky summary thread on an Azure DevOps pull request (Git REST API 7.1).

The thread is ours when its first comment carries our hidden marker; we never
match on the author. On each run: list the PR's threads, keep the oldest of
ours, update its comment when the text changed and set its status (active
while there are findings, fixed when clean; a reviewer's "won't fix", "by design"
or "closed" is kept), close and delete duplicates left
by concurrent runs, and create a thread only when there is something to say.

Plain ``urllib``: five endpoints do not justify a dependency. The token goes
only to the collection host, never over plain http except to a loopback test
server, and redirects are refused rather than followed (urllib would carry the
Authorization header to wherever it is sent). A POST that fails with a 5xx or
a timeout may still have created the thread, so it is never retried blind: we
list the threads again and retry only when ours is not there.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import IO, Any
from urllib.parse import quote, urlsplit

from aml_lint.publish import api_backoff, api_timeout

API_VERSION = "7.1"
# Azure DevOps rejects longer comments ("A discussion comment cannot be longer than 150000 characters").
MAX_COMMENT_CHARS = 150_000
# What we aim for, leaving room for the marker and a truncation note.
BODY_BUDGET = 140_000
DEFAULT_TIMEOUT = 20.0

THREAD_STATUS = {
    "unknown": 0,
    "active": 1,
    "fixed": 2,
    "wontfix": 3,
    "closed": 4,
    "bydesign": 5,
    "pending": 6,
}
ACTIVE, FIXED, CLOSED = THREAD_STATUS["active"], THREAD_STATUS["fixed"], THREAD_STATUS["closed"]
# Statuses we move between. "Won't fix", "By design" and "Closed" are a reviewer's decision:
# the text is still kept current, the status is left as they set it.
OURS_TO_SET = frozenset({"active", "fixed", "pending", "unknown"})

PERMISSION_HINT = (
    "grant the build identity ('<project> Build Service (<organization>)') the "
    "'Contribute to pull requests' permission on this repository "
    "(Project settings > Repositories > Security), and make sure the job may use "
    "System.AccessToken"
)


class AzureDevOpsError(Exception):
    """A request failed; ``status`` is the HTTP status, or None for network errors."""

    def __init__(self, message: str, status: int | None = None, transient: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.transient = transient

    @property
    def is_permission_error(self) -> bool:
        return self.status in (401, 403)


@dataclass(frozen=True)
class PullRequestTarget:
    """Where the thread goes, from the agent's predefined variables."""

    collection_uri: str
    project: str
    repository_id: str
    pull_request_id: int

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> PullRequestTarget | None:
        """None outside a PR build of an Azure Repos repository (the reason is not an error)."""
        collection = env.get("SYSTEM_COLLECTIONURI") or env.get(
            "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI"
        )
        project = env.get("SYSTEM_TEAMPROJECT", "")
        repo = env.get("BUILD_REPOSITORY_ID", "")
        pr = env.get("SYSTEM_PULLREQUEST_PULLREQUESTID", "").strip()
        if not (collection and project and repo and pr.isdigit()):
            return None
        return cls(collection.strip(), project.strip(), repo.strip(), int(pr))

    @property
    def threads_url(self) -> str:
        base = self.collection_uri.rstrip("/")
        return (
            f"{base}/{quote(self.project, safe='')}/_apis/git/repositories/"
            f"{quote(self.repository_id, safe='')}/pullRequests/{self.pull_request_id}/threads"
        )


@dataclass
class ThreadOutcome:
    action: str  # created | updated | unchanged | skipped
    thread_id: int | None = None
    status: str = ""
    closed_duplicates: list[int] = field(default_factory=list)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        target = urlsplit(newurl).hostname or "?"
        raise AzureDevOpsError(
            f"the server redirected {req.get_method()} to {target} (HTTP {code}); not followed, "
            "so the token stays with the collection host. A redirect to a sign-in page "
            "usually means the token was not accepted",
            status=code,
        )


class AzureDevOpsClient:
    """JSON over HTTPS to one collection, with the token as a Bearer credential."""

    def __init__(
        self,
        collection_uri: str,
        token: str,
        *,
        timeout: float | None = None,
        retries: int = 2,
        backoff: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parts = urlsplit(collection_uri)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise AzureDevOpsError(f"collection URI {collection_uri!r} is not an http(s) URL")
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise AzureDevOpsError(
                f"collection URI {collection_uri!r} is plain http: refusing to send the token over it"
            )
        if not token:
            raise AzureDevOpsError("no access token", status=401)
        self._base = collection_uri.rstrip("/") + "/"
        self._origin = (parts.scheme, parts.hostname, parts.port)
        self._token = token
        self.timeout = api_timeout(DEFAULT_TIMEOUT) if timeout is None else timeout
        self.retries = retries
        self.backoff = api_backoff(1.0) if backoff is None else backoff
        self._sleep = sleep
        handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
        if _is_loopback(parts.hostname):
            handlers.append(urllib.request.ProxyHandler({}))  # a proxy cannot reach our loopback
        self._opener = urllib.request.build_opener(*handlers)

    def pause(self, attempt: int = 1) -> None:
        self._sleep(self.backoff * attempt)

    def _check_url(self, url: str) -> None:
        parts = urlsplit(url)
        if (parts.scheme, parts.hostname, parts.port) != self._origin or not url.startswith(
            self._base
        ):
            raise AzureDevOpsError(f"refusing to send the token outside the collection: {url}")

    def send(self, method: str, url: str, body: object | None = None) -> Any:
        """One request; AzureDevOpsError (``transient`` for 5xx, 429 and network errors)."""
        self._check_url(url)
        sep = "&" if "?" in url else "?"
        full = f"{url}{sep}api-version={API_VERSION}"
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(full, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self._token}")
        request.add_header("Accept", "application/json")
        request.add_header("User-Agent", "aml-lint")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        what = f"{method} {url}"
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = response.status
                raw = response.read()
                ctype = response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            detail = _error_detail(exc)
            transient = exc.code >= 500 or exc.code == 429
            raise AzureDevOpsError(
                f"{what}: HTTP {exc.code}{detail}", exc.code, transient
            ) from None
        except AzureDevOpsError:
            raise
        except (
            urllib.error.URLError,
            TimeoutError,
            ConnectionError,
            http.client.HTTPException,
        ) as exc:
            # HTTPException: a garbage status line (BadStatusLine), a body cut short (IncompleteRead).
            reason = getattr(exc, "reason", None) or f"{type(exc).__name__}: {exc!s:.200}"
            raise AzureDevOpsError(f"{what}: {reason}", None, transient=True) from None
        if status == 204 or not raw:
            return None
        if "json" not in ctype.lower():
            # A 203 with an HTML sign-in page is how Azure DevOps answers a rejected token.
            raise AzureDevOpsError(
                f"{what}: HTTP {status} with {ctype or 'no content type'} instead of JSON "
                "(the token was probably not accepted)",
                status=401 if status == 203 else status,
            )
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise AzureDevOpsError(f"{what}: the response is not valid JSON", status) from None

    def request(self, method: str, url: str, body: object | None = None) -> Any:
        """``send`` with retries of transient failures; only for idempotent requests."""
        attempt = 0
        while True:
            try:
                return self.send(method, url, body)
            except AzureDevOpsError as exc:
                if not exc.transient or attempt >= self.retries:
                    raise
            attempt += 1
            self.pause(attempt)


def _error_detail(exc: urllib.error.HTTPError) -> str:
    """The server's message (Azure DevOps sends JSON with ``message``), shortened."""
    try:
        raw = exc.read(4096)
        message = json.loads(raw.decode("utf-8")).get("message", "")
    except Exception:  # noqa: BLE001 - an unreadable error body just means no detail
        return ""
    return f": {str(message)[:300]}" if message else ""


def _status_name(value: object) -> str:
    if isinstance(value, int):
        for name, number in THREAD_STATUS.items():
            if number == value:
                return name
        return "unknown"
    return str(value or "unknown").lower()


def _first_comment(thread: Mapping[str, Any]) -> Mapping[str, Any] | None:
    comments = [c for c in thread.get("comments") or [] if isinstance(c, Mapping)]
    roots = [c for c in comments if not c.get("parentCommentId")]
    pool = roots or comments
    return min(pool, key=lambda c: int(c.get("id") or 0)) if pool else None


def _live_content(thread: Mapping[str, Any]) -> str | None:
    """The text of a live thread's first comment; None when the thread or that comment is deleted."""
    if thread.get("isDeleted"):
        return None
    first = _first_comment(thread)
    if first is None or first.get("isDeleted"):
        return None
    return str(first.get("content") or "")


def find_threads(threads: list[Mapping[str, Any]], marker: str) -> list[Mapping[str, Any]]:
    """Our live threads (first comment carries ``marker``), oldest first."""
    ours = []
    for thread in threads:
        content = _live_content(thread)
        if content is not None and marker in content:
            ours.append(thread)
    return sorted(ours, key=lambda t: int(t.get("id") or 0))


def clip_body(body: str, limit: int = MAX_COMMENT_CHARS - 1) -> str:
    if len(body) <= limit:
        return body
    note = "\n\n> The summary was cut to fit the 150,000-character limit of a comment; see the run log.\n"
    return body[: limit - len(note)] + note


def upsert_thread(
    client: AzureDevOpsClient,
    target: PullRequestTarget,
    body: str,
    marker: str,
    *,
    has_findings: bool,
    create_when_clean: bool = False,
) -> ThreadOutcome:
    """Create or update our thread; raises AzureDevOpsError when the API refuses."""
    if marker not in body:
        raise ValueError("the body must contain the marker, or the thread could not be found again")
    body = clip_body(body)
    url = target.threads_url
    status = ACTIVE if has_findings else FIXED
    status_name = _status_name(status)
    ours = find_threads(_list_threads(client, url), marker)

    if not ours:
        if not has_findings and not create_when_clean:
            return ThreadOutcome("skipped", status=status_name)
        return _create(client, url, body, marker, status)

    keeper, duplicates = ours[0], ours[1:]
    thread_id = int(keeper["id"])
    first = _first_comment(keeper)
    assert first is not None  # find_threads only returns threads with a first comment
    changed = False
    if first.get("content") != body:
        client.request("PATCH", f"{url}/{thread_id}/comments/{int(first['id'])}", {"content": body})
        changed = True
    current = _status_name(keeper.get("status"))
    if current != status_name and current in OURS_TO_SET:
        client.request("PATCH", f"{url}/{thread_id}", {"status": status})
        current = status_name
        changed = True
    closed = [_close_duplicate(client, url, dup) for dup in duplicates]
    return ThreadOutcome("updated" if changed else "unchanged", thread_id, current, closed)


def _list_threads(client: AzureDevOpsClient, url: str) -> list[Mapping[str, Any]]:
    data = client.request("GET", url)
    value = data.get("value") if isinstance(data, Mapping) else None
    if not isinstance(value, list):
        raise AzureDevOpsError(f"GET {url}: unexpected response (no 'value' list)")
    return [t for t in value if isinstance(t, Mapping)]


def _create(
    client: AzureDevOpsClient, url: str, body: str, marker: str, status: int
) -> ThreadOutcome:
    payload = {
        "comments": [{"parentCommentId": 0, "content": body, "commentType": 1}],
        "status": status,
    }
    for attempt in range(2):
        try:
            created = client.send("POST", url, payload)
        except AzureDevOpsError as exc:
            if not exc.transient:
                raise
            # The thread may exist even though the answer was lost: look before posting again.
            client.pause()
            found = find_threads(_list_threads(client, url), marker)
            if found:
                return ThreadOutcome("created", int(found[0]["id"]), _status_name(status))
            if attempt == 1:
                raise
            continue
        thread_id = created.get("id") if isinstance(created, Mapping) else None
        return ThreadOutcome("created", int(thread_id) if thread_id else None, _status_name(status))
    raise AssertionError("unreachable")  # pragma: no cover


def _close_duplicate(client: AzureDevOpsClient, url: str, thread: Mapping[str, Any]) -> int:
    thread_id = int(thread["id"])
    client.request("PATCH", f"{url}/{thread_id}", {"status": CLOSED})
    first = _first_comment(thread)
    if first is not None:
        try:
            client.request("DELETE", f"{url}/{thread_id}/comments/{int(first['id'])}")
        except AzureDevOpsError as exc:
            if exc.status != 404:  # already gone is what we wanted
                raise
    return thread_id


def explain(error: AzureDevOpsError, what: str = "the pull request thread") -> str:
    """One warning line for the log: what failed (updating ``what``) and what to do."""
    if error.is_permission_error:
        return f"cannot update {what} ({error}); {PERMISSION_HINT}"
    return f"cannot update {what}: {error}"


# -- suggested changes: one line-anchored thread per fixable finding ----------------------------


@dataclass
class SuggestionThreads:
    created: int = 0  # new threads this run
    kept: int = 0  # already on the PR: not posted again
    resolved: int = 0  # set to "fixed": their finding is gone
    reopened: int = 0  # resolved earlier by us, the finding is back
    left_over: int = 0  # over the per-run cap


def suggestion_thread(suggestion: Any) -> dict[str, Any]:
    """The thread Azure DevOps anchors on the suggestion's lines (right side of the diff)."""
    from aml_lint.publish.suggestions import comment_body

    return {
        "comments": [{"parentCommentId": 0, "content": comment_body(suggestion), "commentType": 1}],
        "status": ACTIVE,
        "threadContext": {
            "filePath": "/" + suggestion.path.lstrip("/"),
            "rightFileStart": {"line": suggestion.start_line, "offset": 1},
            "rightFileEnd": {"line": suggestion.end_line, "offset": max(1, suggestion.end_col)},
        },
    }


def _suggestion_threads(threads: list[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    from aml_lint.publish.suggestions import keys_in

    ours: dict[str, list[Mapping[str, Any]]] = {}
    for thread in threads:
        content = _live_content(thread)
        if content is None:
            continue
        keys = keys_in(content.split("\n", 1)[0])
        if keys:
            ours.setdefault(keys[0], []).append(thread)
    for found in ours.values():
        found.sort(key=lambda t: int(t.get("id") or 0))
    return ours


def sync_suggestion_threads(
    client: AzureDevOpsClient,
    target: PullRequestTarget,
    suggestions: list[Any],
    alive: set[str],
    *,
    limit: int = 25,
) -> SuggestionThreads:
    """One thread per suggestion, never twice: found again by the marker of its first comment.

    A thread whose key is not in ``alive`` (the finding is gone) is set to "fixed"; one we
    resolved earlier whose finding came back is made active again. A reviewer's "won't fix",
    "by design" or "closed" is left as they set it.
    """
    url = target.threads_url
    ours = _suggestion_threads(_list_threads(client, url))
    outcome = SuggestionThreads()
    for key, threads in ours.items():
        keeper = threads[0]
        for duplicate in threads[1:]:
            _close_duplicate(client, url, duplicate)
        status = _status_name(keeper.get("status"))
        if key not in alive and status in ("active", "pending", "unknown"):
            client.request("PATCH", f"{url}/{int(keeper['id'])}", {"status": FIXED})
            outcome.resolved += 1
        elif key in alive and status == "fixed":
            client.request("PATCH", f"{url}/{int(keeper['id'])}", {"status": ACTIVE})
            outcome.reopened += 1

    new = [s for s in suggestions if s.key not in ours]
    outcome.kept = len(suggestions) - len(new)
    outcome.left_over = max(0, len(new) - limit)
    for suggestion in new[:limit]:
        _create_suggestion(client, url, suggestion)
        outcome.created += 1
    return outcome


def _create_suggestion(client: AzureDevOpsClient, url: str, suggestion: Any) -> None:
    payload = suggestion_thread(suggestion)
    try:
        client.send("POST", url, payload)
    except AzureDevOpsError as exc:
        if not exc.transient:
            raise
        # The thread may exist though the answer was lost: look before posting again.
        client.pause()
        if suggestion.key in _suggestion_threads(_list_threads(client, url)):
            return
        client.send("POST", url, payload)
