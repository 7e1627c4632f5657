"""The sticky PR thread, over real HTTP against the fake Azure DevOps on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from azure_fake_server import FakeAzureDevOps, Fault

from aml_lint.publish.azure_devops import (
    MAX_COMMENT_CHARS,
    AzureDevOpsClient,
    AzureDevOpsError,
    PullRequestTarget,
    explain,
    find_threads,
    upsert_thread,
)

MARKER = "<!-- aml-lint:azure-thread v1 key=12/lint -->"


@pytest.fixture
def fake() -> Iterator[FakeAzureDevOps]:
    with FakeAzureDevOps() as server:
        yield server


def client_for(
    fake: FakeAzureDevOps, token: str | None = None, timeout: float = 5.0
) -> AzureDevOpsClient:
    return AzureDevOpsClient(
        fake.collection_uri,
        fake.token if token is None else token,
        timeout=timeout,
        backoff=0.01,
    )


def target_for(fake: FakeAzureDevOps) -> PullRequestTarget:
    target = PullRequestTarget.from_env(fake.env())
    assert target is not None
    return target


def body(text: str) -> str:
    return f"{MARKER}\n### aml-lint: {text}\n"


def run(fake: FakeAzureDevOps, text: str, *, findings: bool, **kw: object):  # type: ignore[no-untyped-def]
    return upsert_thread(
        client_for(fake), target_for(fake), body(text), MARKER, has_findings=findings, **kw
    )  # type: ignore[arg-type]


def test_creates_one_thread_when_there_are_findings(fake: FakeAzureDevOps) -> None:
    outcome = run(fake, "2 errors", findings=True)
    assert outcome.action == "created"
    [thread] = fake.live_threads()
    assert outcome.thread_id == thread["id"]
    assert thread["status"] == "active"
    assert thread["comments"][0]["content"] == body("2 errors")
    for req in fake.requests:
        assert req.headers["authorization"] == f"Bearer {fake.token}"
        assert req.query["api-version"] == ["7.1"]
        # The project name has a space: it must travel percent-encoded in the path.
        assert req.path.startswith("/org/My%20Project/_apis/git/repositories/")


def test_clean_pr_without_thread_creates_nothing(fake: FakeAzureDevOps) -> None:
    outcome = run(fake, "all clear", findings=False)
    assert outcome.action == "skipped"
    assert fake.threads == {}
    assert fake.mutations() == []


def test_create_when_clean_opens_a_resolved_thread(fake: FakeAzureDevOps) -> None:
    outcome = run(fake, "all clear", findings=False, create_when_clean=True)
    assert outcome.action == "created"
    [thread] = fake.live_threads()
    assert thread["status"] == "fixed"


def test_second_run_updates_the_same_thread(fake: FakeAzureDevOps) -> None:
    first = run(fake, "2 errors", findings=True)
    second = run(fake, "1 error", findings=True)
    assert second.action == "updated"
    assert second.thread_id == first.thread_id
    [thread] = fake.live_threads()
    assert thread["comments"][0]["content"] == body("1 error")
    assert [r.method for r in fake.mutations()] == ["POST", "PATCH"]


def test_unchanged_body_and_status_sends_no_write(fake: FakeAzureDevOps) -> None:
    run(fake, "2 errors", findings=True)
    before = len(fake.mutations())
    again = run(fake, "2 errors", findings=True)
    assert again.action == "unchanged"
    assert len(fake.mutations()) == before


def test_clean_run_resolves_the_thread_and_findings_reopen_it(fake: FakeAzureDevOps) -> None:
    created = run(fake, "2 errors", findings=True)
    resolved = run(fake, "all clear", findings=False)
    assert (resolved.action, resolved.status) == ("updated", "fixed")
    thread = fake.threads[created.thread_id]
    assert thread["status"] == "fixed"
    assert thread["comments"][0]["content"] == body("all clear")
    reopened = run(fake, "1 warning", findings=True)
    assert reopened.thread_id == created.thread_id
    assert fake.threads[created.thread_id]["status"] == "active"
    assert len(fake.live_threads()) == 1


def test_duplicates_are_closed_and_other_threads_left_alone(fake: FakeAzureDevOps) -> None:
    keep = fake.add_thread(body("old"), author="Build Service")
    dup = fake.add_thread(body("old too"), author="Build Service")
    human = fake.add_thread("Please rename this file.")
    # A reply quoting our marker does not make someone else's thread ours.
    quoting = fake.add_thread("Why does the bot say this?")
    fake.threads[quoting]["comments"].append(
        {
            "id": 2,
            "parentCommentId": 1,
            "content": MARKER,
            "isDeleted": False,
        }
    )
    outcome = run(fake, "3 errors", findings=True)
    assert outcome.thread_id == keep
    assert outcome.closed_duplicates == [dup]
    assert fake.threads[dup]["status"] == "closed"
    assert fake.threads[dup]["isDeleted"] is True
    assert fake.threads[keep]["comments"][0]["content"] == body("3 errors")
    assert fake.threads[human]["comments"][0]["content"] == "Please rename this file."
    assert not any(str(quoting) in r.path or str(human) in r.path for r in fake.mutations())
    assert [t["id"] for t in fake.live_threads()] == [keep, human, quoting]


def test_deleted_threads_are_not_ours(fake: FakeAzureDevOps) -> None:
    gone = fake.add_thread(body("old"))
    fake.threads[gone]["isDeleted"] = True
    outcome = run(fake, "1 error", findings=True)
    assert outcome.action == "created"
    assert outcome.thread_id != gone


@pytest.mark.parametrize("status", [401, 403])
def test_permission_errors_say_what_to_grant(fake: FakeAzureDevOps, status: int) -> None:
    fake.forced_status = status
    with pytest.raises(AzureDevOpsError) as info:
        run(fake, "1 error", findings=True)
    assert info.value.status == status
    assert info.value.is_permission_error
    message = explain(info.value)
    assert "Contribute to pull requests" in message
    assert fake.token not in message
    # The listing failed, so nothing was written, and nothing was retried.
    assert [r.method for r in fake.requests] == ["GET"]


def test_wrong_token_is_a_401(fake: FakeAzureDevOps) -> None:
    with pytest.raises(AzureDevOpsError) as info:
        upsert_thread(
            client_for(fake, token="not-the-token"),
            target_for(fake),
            body("x"),
            MARKER,
            has_findings=True,
        )
    assert info.value.status == 401
    assert fake.threads == {}


def test_post_that_fails_after_committing_is_not_posted_twice(fake: FakeAzureDevOps) -> None:
    fake.faults.append(Fault("POST", r"/threads$", 502, commit=True))
    outcome = run(fake, "2 errors", findings=True)
    assert outcome.action == "created"
    assert len(fake.live_threads()) == 1
    assert [r.method for r in fake.requests] == ["GET", "POST", "GET"]


def test_post_that_fails_before_committing_is_retried_once(fake: FakeAzureDevOps) -> None:
    fake.faults.append(Fault("POST", r"/threads$", 503))
    outcome = run(fake, "2 errors", findings=True)
    assert outcome.action == "created"
    assert len(fake.live_threads()) == 1
    assert [r.method for r in fake.requests] == ["GET", "POST", "GET", "POST"]


def test_post_that_keeps_failing_gives_up_without_posting(fake: FakeAzureDevOps) -> None:
    fake.faults.append(Fault("POST", r"/threads$", 500, times=10))
    with pytest.raises(AzureDevOpsError) as info:
        run(fake, "2 errors", findings=True)
    assert info.value.status == 500
    assert fake.threads == {}
    assert sum(r.method == "POST" for r in fake.requests) == 2


def test_post_timeout_after_commit_is_not_posted_twice(fake: FakeAzureDevOps) -> None:
    fake.faults.append(Fault("POST", r"/threads$", 200, commit=True, delay=1.5))
    outcome = upsert_thread(
        client_for(fake, timeout=0.5), target_for(fake), body("x"), MARKER, has_findings=True
    )
    assert outcome.action == "created"
    assert len(fake.live_threads()) == 1


def test_transient_list_failure_is_retried(fake: FakeAzureDevOps) -> None:
    fake.faults.append(Fault("GET", r"/threads$", 503))
    outcome = run(fake, "2 errors", findings=True)
    assert outcome.action == "created"
    assert [r.method for r in fake.requests] == ["GET", "GET", "POST"]


def test_patch_5xx_is_retried_without_duplicating(fake: FakeAzureDevOps) -> None:
    run(fake, "2 errors", findings=True)
    fake.faults.append(Fault("PATCH", r"/comments/\d+$", 500, commit=True))
    outcome = run(fake, "1 error", findings=True)
    assert outcome.action == "updated"
    [thread] = fake.live_threads()
    assert len(thread["comments"]) == 1
    assert thread["comments"][0]["content"] == body("1 error")


def test_body_is_kept_under_the_comment_limit(fake: FakeAzureDevOps) -> None:
    huge = MARKER + "\n" + "x" * 200_000
    outcome = upsert_thread(client_for(fake), target_for(fake), huge, MARKER, has_findings=True)
    assert outcome.action == "created"
    content = fake.live_threads()[0]["comments"][0]["content"]
    assert len(content) < MAX_COMMENT_CHARS
    assert content.startswith(MARKER)
    assert "cut to fit" in content


def test_redirects_are_not_followed_with_the_token(fake: FakeAzureDevOps) -> None:
    with FakeAzureDevOps() as elsewhere:
        fake.faults.append(
            Fault(
                "GET", r"/threads$", 302, headers={"Location": elsewhere.collection_uri + "_signin"}
            )
        )
        with pytest.raises(AzureDevOpsError) as info:
            run(fake, "1 error", findings=True)
        assert "redirected" in str(info.value)
        assert elsewhere.requests == []


@pytest.mark.parametrize(
    "uri", ["http://dev.azure.example/org/", "ftp://127.0.0.1/org/", "not a url"]
)
def test_token_is_never_sent_over_plain_http_or_odd_schemes(uri: str) -> None:
    with pytest.raises(AzureDevOpsError):
        AzureDevOpsClient(uri, "secret")


def test_urls_outside_the_collection_are_refused(fake: FakeAzureDevOps) -> None:
    client = client_for(fake)
    with pytest.raises(AzureDevOpsError, match="outside the collection"):
        client.send("GET", "http://127.0.0.2:1/org/x")
    assert fake.requests == []


def test_project_names_with_reserved_characters(fake: FakeAzureDevOps) -> None:
    fake.project = "R&D / ML #1"
    outcome = run(fake, "1 error", findings=True)
    assert outcome.action == "created"
    assert fake.requests[0].path.startswith("/org/R%26D%20%2F%20ML%20%231/")


def test_target_from_env_needs_a_pr_build() -> None:
    env = {
        "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI": "https://dev.azure.com/org/",
        "SYSTEM_TEAMPROJECT": "My Project",
        "BUILD_REPOSITORY_ID": "abc",
    }
    assert PullRequestTarget.from_env(env) is None
    target = PullRequestTarget.from_env({**env, "SYSTEM_PULLREQUEST_PULLREQUESTID": "17"})
    assert target is not None
    assert target.threads_url == (
        "https://dev.azure.com/org/My%20Project/_apis/git/repositories/abc/pullRequests/17/threads"
    )


def test_find_threads_matches_on_the_first_comment_only() -> None:
    threads = [
        {
            "id": 5,
            "comments": [
                {"id": 1, "parentCommentId": 0, "content": "hi"},
                {"id": 2, "parentCommentId": 1, "content": MARKER},
            ],
        },
        {"id": 3, "comments": [{"id": 1, "parentCommentId": 0, "content": MARKER + " body"}]},
        {"id": 9, "isDeleted": True, "comments": [{"id": 1, "content": MARKER}]},
        {"id": 1, "comments": [{"id": 1, "content": MARKER, "isDeleted": True}]},
    ]
    assert [t["id"] for t in find_threads(threads, MARKER)] == [3]


@pytest.mark.parametrize("decision", ["wontFix", "byDesign", "closed"])
def test_a_reviewers_decision_on_the_thread_is_kept(fake: FakeAzureDevOps, decision: str) -> None:
    created = run(fake, "2 errors", findings=True)
    fake.threads[created.thread_id]["status"] = decision
    again = run(fake, "3 errors", findings=True)
    assert (again.action, again.status) == ("updated", decision.lower())
    thread = fake.threads[created.thread_id]
    assert thread["status"] == decision
    assert thread["comments"][0]["content"] == body("3 errors")
    assert not any(r.path.endswith(f"/threads/{created.thread_id}") for r in fake.mutations())
