"""Talking to the GitHub REST API through PyGithub: the PR's files and one sticky comment.

The comment is found by a hidden marker in its first line, never by the bot's
login (a GITHUB_TOKEN cannot even read its own login). PyGithub retries POSTs
by default, which can post a comment twice when GitHub saved the first one but
answered 5xx; we tell urllib3 not to retry POST and, after a failed create,
look again before trying once more.

Every failure is raised as PublishError with a message that is safe to print
(no token) and says what to change.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aml_lint.publish import api_backoff, api_timeout

if TYPE_CHECKING:  # PyGithub is heavy: imported only when a run talks to GitHub
    from github import Github
    from github.IssueComment import IssueComment

DEFAULT_API_URL = "https://api.github.com"
# GitHub's limits: comment bodies, and the PR files endpoint.
MAX_COMMENT_CHARS = 65_536
MAX_PR_FILES = 3_000
PER_PAGE = 100
CREATE_ATTEMPTS = 2


class PublishError(Exception):
    """A GitHub call failed; the message says what happened and what to do, without secrets."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ClientOptions:
    """Production defaults: GitHub asks for a pause between writes and honours Retry-After."""

    timeout: int = 15  # whole seconds: PyGithub asserts an int
    retries: int = 3
    backoff_factor: float = 1.0
    # Rate-limit waits beyond this fail the call instead of holding the job for an hour.
    max_rate_limit_wait: float = 60.0
    seconds_between_requests: float | None = 0.25
    seconds_between_writes: float | None = 1.0


FAST = ClientOptions(
    backoff_factor=0.0,
    max_rate_limit_wait=1.0,
    seconds_between_requests=None,
    seconds_between_writes=None,
)


def connect(
    token: str, api_url: str = DEFAULT_API_URL, options: ClientOptions | None = None
) -> Github:
    """A PyGithub client for ``api_url`` (GitHub Enterprise: ``https://HOST/api/v3``)."""
    from github import Auth, Github, GithubRetry
    from urllib3.util.retry import Retry

    if options is None:
        options = ClientOptions(
            timeout=math.ceil(api_timeout(ClientOptions.timeout)),
            backoff_factor=api_backoff(ClientOptions.backoff_factor),
        )
    retry = GithubRetry(
        total=options.retries,
        backoff_factor=options.backoff_factor,
        max_rate_limit_wait=options.max_rate_limit_wait,
        # Not POST: a create that GitHub saved but answered 5xx would be posted twice.
        allowed_methods=Retry.DEFAULT_ALLOWED_METHODS | {"GET", "PATCH"},
    )
    return Github(
        auth=Auth.Token(token) if token else None,
        base_url=(api_url or DEFAULT_API_URL).rstrip("/"),
        timeout=options.timeout,
        per_page=PER_PAGE,
        retry=retry,
        seconds_between_requests=options.seconds_between_requests,
        seconds_between_writes=options.seconds_between_writes,
        # Objects are fetched only when needed: a comment run is one list and one write.
        lazy=True,
    )


def _describe(exc: Exception, doing: str) -> PublishError:
    """A PyGithub / requests exception -> PublishError with advice."""
    from github import GithubException

    if isinstance(exc, GithubException):
        data = exc.data if isinstance(exc.data, dict) else {}
        detail = str(data.get("message") or exc.message or "").strip()
        errors = data.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            detail = f"{detail}: {errors[0].get('message', '')}".strip(": ")
        advice = ""
        if exc.status in (401, 403, 404):
            advice = (
                " The token cannot do this: give the job `permissions: pull-requests: write` "
                "(pull requests from forks get a read-only token; see the README for the fork pattern)."
            )
        return PublishError(
            f"{doing} failed: HTTP {exc.status} {detail}.{advice}".replace("..", "."), exc.status
        )
    if not isinstance(exc, _transport_errors()):
        return PublishError(
            f"{doing} failed: the API's answer is not what GitHub sends ({type(exc).__name__}: "
            f"{str(exc)[:200]}); check GITHUB_API_URL"
        )
    return PublishError(f"{doing} failed: {type(exc).__name__}: {exc}")


def _transport_errors() -> tuple[type[Exception], ...]:
    from requests import RequestException
    from urllib3.exceptions import HTTPError

    return (RequestException, HTTPError)


def _api_errors() -> tuple[type[Exception], ...]:
    """What a call can raise because of the server: PyGithub's and the transport's errors,
    the TypeError/ValueError/KeyError/AttributeError PyGithub raises on an answer that is
    not GitHub's shape (a 302's body, an HTML page, malformed JSON), and the RuntimeError it
    raises on a 301 to another host (it refuses to follow, which keeps the token home)."""
    from github import GithubException

    return (GithubException, *_transport_errors(), TypeError, ValueError, KeyError, AttributeError,
            RuntimeError)


def pr_files(gh: Github, repo: str, number: int) -> tuple[list[str], bool]:
    """Paths the PR touches (renames give both names), and whether GitHub's 3,000-file cap cut the list."""
    paths: list[str] = []
    seen = 0
    try:
        pull = gh.get_repo(repo).get_pull(number)
        for item in pull.get_files():
            seen += 1
            paths.append(item.filename)
            previous = getattr(item, "previous_filename", None)
            if previous:
                paths.append(previous)
            if seen >= MAX_PR_FILES:
                break
    except _api_errors() as exc:
        raise _describe(exc, f"listing the files of pull request #{number}") from None
    return sorted(set(paths)), seen >= MAX_PR_FILES


@dataclass
class CommentResult:
    action: str  # created | updated | unchanged | skipped
    url: str | None = None
    removed_duplicates: int = 0
    warnings: tuple[str, ...] = ()


def marker_line(marker: str) -> str:
    return f"<!-- {marker} -->"


def _ours(comment: IssueComment, marker: str) -> bool:
    body = comment.body or ""
    return body.split("\n", 1)[0].strip() == marker_line(marker)


def _matching(issue: Any, marker: str) -> list[IssueComment]:
    found: Iterator[IssueComment] = (c for c in issue.get_comments() if _ours(c, marker))
    return sorted(found, key=lambda c: (c.created_at, c.id))


def upsert_comment(
    gh: Github,
    repo: str,
    number: int,
    body: str,
    marker: str,
    *,
    create: bool,
) -> CommentResult:
    """Make the PR carry exactly one comment with ``marker``, whose text is ``body``.

    Edits the newest marked comment (not when the text is already right) and
    deletes older ones. Creates a comment only when ``create``. ``body`` must
    start with the marker line.
    """
    if not body.startswith(marker_line(marker)):
        raise ValueError("the comment body must start with its marker line")
    if len(body) > MAX_COMMENT_CHARS:
        raise ValueError(
            f"comment body has {len(body)} characters; GitHub allows {MAX_COMMENT_CHARS}"
        )
    errors = _api_errors()
    try:
        issue = gh.get_repo(repo).get_issue(number)
        existing = _matching(issue, marker)
    except errors as exc:
        raise _describe(exc, f"reading the comments of pull request #{number}") from None

    if not existing:
        if not create:
            return CommentResult("skipped")
        return _create(issue, body, marker, number)

    return _keep_newest(existing, body, number, changed="updated", same="unchanged")


def _keep_newest(existing: list[Any], body: str, number: int, *, changed: str, same: str) -> CommentResult:
    """Edit the newest of our comments to ``body`` (when it differs) and delete the older ones."""
    errors = _api_errors()
    newest = existing[-1]
    action = same
    if (newest.body or "") != body:
        try:
            newest.edit(body)
        except errors as exc:
            raise _describe(exc, f"updating comment {newest.id} on pull request #{number}") from None
        action = changed
    removed, warnings = _delete(existing[:-1])
    return CommentResult(action, newest.html_url, removed, warnings)


def _create(issue: Any, body: str, marker: str, number: int) -> CommentResult:
    errors = _api_errors()
    from github import GithubException

    last: Exception | None = None
    for _ in range(CREATE_ATTEMPTS):
        try:
            comment = issue.create_comment(body)
            return CommentResult("created", comment.html_url)
        except errors as exc:
            if isinstance(exc, GithubException) and exc.status < 500:
                raise _describe(exc, f"commenting on pull request #{number}") from None
            last = exc
        # The server may have saved the comment before failing: look before posting again.
        try:
            existing = _matching(issue, marker)
        except errors as exc:
            raise _describe(exc, f"re-reading the comments of pull request #{number}") from None
        if existing:  # the failed POST was saved after all: that is our comment
            return _keep_newest(existing, body, number, changed="created", same="created")
    assert last is not None
    raise _describe(last, f"commenting on pull request #{number}")


def _delete(comments: list[IssueComment]) -> tuple[int, tuple[str, ...]]:
    removed = 0
    warnings: list[str] = []
    for comment in comments:
        try:
            comment.delete()
            removed += 1
        except _api_errors() as exc:
            warnings.append(str(_describe(exc, f"removing the duplicate comment {comment.id}")))
    return removed, tuple(warnings)


# -- suggested changes: one review per run ----------------------------------------------------


@dataclass
class SuggestionOutcome:
    posted: int = 0  # new suggestions in this run's review
    kept: int = 0  # already on the PR from an earlier run: not posted again
    deleted: int = 0  # earlier suggestions whose finding is gone
    left_over: int = 0  # in the diff but over the per-run cap
    review_url: str | None = None
    warnings: tuple[str, ...] = ()


def hunk_ranges(patch: str) -> list[range]:
    """Right-side line ranges of the hunks of a file's patch: where review comments can go.

    A hunk ``@@ -a,b +c,d @@`` shows new lines c..c+d-1 (added and context lines); a review
    comment, single- or multi-line, must lie inside one of them.
    """
    import re

    out = []
    for m in re.finditer(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", patch, flags=re.M):
        start, count = int(m.group(1)), int(m.group(2)) if m.group(2) is not None else 1
        if count:
            out.append(range(start, start + count))
    return out


def pr_hunks(gh: Github, repo: str, number: int) -> dict[str, list[range]]:
    """For each file of the PR, the right-side line ranges of its hunks (none: binary or huge)."""
    hunks: dict[str, list[range]] = {}
    try:
        pull = gh.get_repo(repo).get_pull(number)
        for seen, item in enumerate(pull.get_files(), start=1):
            if item.status != "removed":
                hunks[item.filename] = hunk_ranges(item.patch or "")
            if seen >= MAX_PR_FILES:
                break
    except _api_errors() as exc:
        raise _describe(exc, f"listing the files of pull request #{number}") from None
    return hunks


def file_at(gh: Github, repo: str, path: str, ref: str) -> str | None:
    """A file's text at ``ref`` as aml-lint reads it (UTF-8, BOM dropped), None when unavailable."""
    errors: tuple[type[Exception], ...] = (*_api_errors(), UnicodeDecodeError, AssertionError)
    try:
        content = gh.get_repo(repo).get_contents(path, ref=ref)
        if isinstance(content, list):
            return None
        return content.decoded_content.decode("utf-8-sig")
    except errors:
        return None


def in_diff(hunks: dict[str, list[range]], path: str, start: int, end: int) -> bool:
    return any(start in hunk and end in hunk for hunk in hunks.get(path, ()))


def _review_comment(suggestion: Any) -> dict[str, Any]:
    from aml_lint.publish.suggestions import comment_body

    comment: dict[str, Any] = {
        "path": suggestion.path,
        "body": comment_body(suggestion),
        "line": suggestion.end_line,
        "side": "RIGHT",
    }
    if suggestion.start_line < suggestion.end_line:
        comment["start_line"] = suggestion.start_line
        comment["start_side"] = "RIGHT"
    return comment


def sync_suggestions(
    gh: Github,
    repo: str,
    number: int,
    head_sha: str,
    suggestions: list[Any],
    alive: set[str],
    *,
    limit: int = 25,
) -> SuggestionOutcome:
    """Post ``suggestions`` (all inside the diff) not already on the PR as ONE review, and delete
    our earlier suggestions whose key is not in ``alive`` (their finding is gone).

    Our review comments are found by the marker on their first line. A suggestion someone
    replied to is left in place: deleting it would take their reply's context away.
    """
    from aml_lint.publish.suggestions import keys_in

    errors = _api_errors()
    outcome = SuggestionOutcome()
    warnings: list[str] = []
    try:
        repository = gh.get_repo(repo)
        pull = repository.get_pull(number)
        existing = list(pull.get_review_comments())
    except errors as exc:
        raise _describe(exc, f"reading the review comments of pull request #{number}") from None
    replied = {c.in_reply_to_id for c in existing if getattr(c, "in_reply_to_id", None)}
    ours: dict[str, list[Any]] = {}
    for comment in existing:
        if getattr(comment, "in_reply_to_id", None):
            continue
        keys = keys_in((comment.body or "").split("\n", 1)[0])
        if keys:
            ours.setdefault(keys[0], []).append(comment)

    stale = []
    for key, comments in ours.items():
        comments.sort(key=lambda c: c.id)
        # Concurrent runs can leave two of one suggestion: keep the oldest.
        stale.extend(comments[1:] if key in alive else comments)
    for comment in stale:
        if comment.id in replied:
            continue
        try:
            comment.delete()
            outcome.deleted += 1
        except errors as exc:
            warnings.append(str(_describe(exc, f"removing the outdated suggestion {comment.id}")))

    new = [s for s in suggestions if s.key not in ours]
    outcome.kept = len(suggestions) - len(new)
    batch, outcome.left_over = new[:limit], max(0, len(new) - limit)
    if batch:
        body = (
            f"aml-lint suggests {len(batch)} fix{'es' if len(batch) != 1 else ''}: "
            "review each change and commit the ones you accept."
        )
        try:
            review = pull.create_review(
                commit=repository.get_commit(head_sha),
                body=body,
                event="COMMENT",
                comments=[_review_comment(s) for s in batch],  # type: ignore[misc]
            )
        except errors as exc:
            raise _describe(exc, f"posting the suggested changes on pull request #{number}") from None
        outcome.posted = len(batch)
        outcome.review_url = getattr(review, "html_url", None)
    outcome.warnings = tuple(warnings)
    return outcome
