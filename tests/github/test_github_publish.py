"""The sticky comment and the PR files list, through real PyGithub against the fake server."""

from __future__ import annotations

import pytest
from fake_github import FakeGitHub

from aml_lint.findings import Finding, LintResult, Location, Severity
from aml_lint.publish.github import (
    FAST,
    MAX_COMMENT_CHARS,
    PublishError,
    connect,
    marker_line,
    pr_files,
    upsert_comment,
)
from aml_lint.report.markdown import render_markdown

MARKER = "aml-lint:summary v1 key=ci/lint"


def body(text: str) -> str:
    return marker_line(MARKER) + "\n" + text


def client(fake: FakeGitHub):  # type: ignore[no-untyped-def]
    return connect(fake.token, fake.api_url, FAST)


def test_first_run_creates_second_edits_third_unchanged(fake: FakeGitHub) -> None:
    fake.add_pull(7, [])
    gh = client(fake)
    first = upsert_comment(gh, fake.repo, 7, body("2 errors"), MARKER, create=True)
    assert first.action == "created"
    (comment,) = fake.comments_on(7)
    assert first.url == comment["html_url"]
    second = upsert_comment(gh, fake.repo, 7, body("1 error"), MARKER, create=True)
    assert second.action == "updated" and second.url == first.url
    (comment,) = fake.comments_on(7)
    assert comment["body"] == body("1 error")
    patches = len(fake.calls("PATCH"))
    third = upsert_comment(gh, fake.repo, 7, body("1 error"), MARKER, create=True)
    assert third.action == "unchanged"
    assert len(fake.calls("PATCH")) == patches  # no edit when nothing changed
    assert len(fake.calls("POST")) == 1


def test_no_comment_created_for_a_clean_pr(fake: FakeGitHub) -> None:
    fake.add_pull(7, [])
    result = upsert_comment(client(fake), fake.repo, 7, body("all clear"), MARKER, create=False)
    assert result.action == "skipped" and result.url is None
    assert fake.comments_on(7) == []


def test_fixed_pr_turns_existing_comment_all_clear(fake: FakeGitHub) -> None:
    fake.add_pull(7, [])
    gh = client(fake)
    upsert_comment(gh, fake.repo, 7, body("3 errors"), MARKER, create=True)
    clean = render_markdown(LintResult([], {}, files_checked=2), marker=MARKER)
    result = upsert_comment(gh, fake.repo, 7, clean, MARKER, create=False)
    assert result.action == "updated"
    (comment,) = fake.comments_on(7)
    assert "All clear" in comment["body"]


def test_marker_not_login_identifies_the_comment(fake: FakeGitHub) -> None:
    fake.add_pull(7, [])
    human = fake.add_comment(7, "looks good, but " + marker_line(MARKER), login="alice")
    bot_other = fake.add_comment(7, "<!-- another-tool -->\nhello")
    ours = fake.add_comment(7, body("old"), login="some-pat-user")
    result = upsert_comment(client(fake), fake.repo, 7, body("new"), MARKER, create=True)
    assert result.action == "updated"
    assert fake.comments[ours]["body"] == body("new")
    assert fake.comments[human]["body"].startswith("looks good")
    assert fake.comments[bot_other]["body"].endswith("hello")


def test_duplicates_cleaned_newest_kept(fake: FakeGitHub) -> None:
    fake.add_pull(7, [])
    old = [fake.add_comment(7, body(f"run {i}")) for i in range(3)]
    fake.add_comment(7, "unrelated")
    result = upsert_comment(client(fake), fake.repo, 7, body("run 4"), MARKER, create=True)
    assert result.removed_duplicates == 2
    remaining = [c for c in fake.comments_on(7) if c["body"].startswith(marker_line(MARKER))]
    assert [c["id"] for c in remaining] == [old[-1]]
    assert remaining[0]["body"] == body("run 4")
    assert len(fake.comments_on(7)) == 2


def test_comments_found_across_pages(fake: FakeGitHub) -> None:
    fake.add_pull(7, [])
    for i in range(230):
        fake.add_comment(7, f"chatter {i}")
    ours = fake.add_comment(7, body("old"))
    result = upsert_comment(client(fake), fake.repo, 7, body("new"), MARKER, create=True)
    assert result.action == "updated" and fake.comments[ours]["body"] == body("new")
    pages = [r.query.get("page", ["1"])[0] for r in fake.calls("GET", r"/issues/7/comments$")]
    assert pages == ["1", "2", "3"]


def test_403_is_a_publish_error_with_advice(fake: FakeGitHub) -> None:
    fake.add_pull(7, [])
    fake.read_only = True
    with pytest.raises(PublishError) as info:
        upsert_comment(client(fake), fake.repo, 7, body("x"), MARKER, create=True)
    assert info.value.status == 403
    assert "Resource not accessible by integration" in str(info.value)
    assert "pull-requests: write" in str(info.value)
    assert fake.token not in str(info.value)
    assert fake.comments_on(7) == []


def test_bad_token_is_reported_without_the_token(fake: FakeGitHub) -> None:
    fake.add_pull(7, [])
    gh = connect("wrong-secret-token", fake.api_url, FAST)
    with pytest.raises(PublishError) as info:
        upsert_comment(gh, fake.repo, 7, body("x"), MARKER, create=True)
    assert info.value.status == 401
    assert "wrong-secret-token" not in str(info.value)


def test_body_over_the_limit_is_refused_before_sending(fake: FakeGitHub) -> None:
    fake.add_pull(7, [])
    with pytest.raises(ValueError, match="65536"):
        upsert_comment(
            client(fake), fake.repo, 7, body("x" * MAX_COMMENT_CHARS), MARKER, create=True
        )
    assert fake.calls("POST") == []


def test_fake_server_rejects_long_bodies_like_github(fake: FakeGitHub) -> None:
    # The fake enforces the limit, so the rendered summaries below are really checked.
    fake.add_pull(7, [])
    issue = client(fake).get_repo(fake.repo).get_issue(7)
    from github import GithubException

    with pytest.raises(GithubException) as info:
        issue.create_comment("y" * (MAX_COMMENT_CHARS + 1))
    assert info.value.status == 422


def test_huge_result_still_fits_in_one_comment(fake: FakeGitHub) -> None:
    fake.add_pull(7, [])
    findings = [
        Finding("AML101", Severity.ERROR, "m" * 500, f"envs/{i}/conda.yml", Location(i + 1, 1))
        for i in range(2_000)
    ]
    text = render_markdown(LintResult(findings, {}, files_checked=2_000), marker=MARKER)
    result = upsert_comment(client(fake), fake.repo, 7, text, MARKER, create=True)
    assert result.action == "created"
    (comment,) = fake.comments_on(7)
    assert len(comment["body"]) <= 60_000
    assert "more findings not shown" in comment["body"]


def test_5xx_after_saving_does_not_double_post(fake: FakeGitHub) -> None:
    fake.add_pull(7, [])
    fake.fail("POST", r"/issues/7/comments$", 502, commit=True)
    result = upsert_comment(client(fake), fake.repo, 7, body("x"), MARKER, create=True)
    assert result.action == "created"
    assert len(fake.comments_on(7)) == 1
    assert len(fake.calls("POST")) == 1  # PyGithub did not retry the POST; we looked first
    assert result.url == fake.comments_on(7)[0]["html_url"]


def test_5xx_without_saving_posts_once_more(fake: FakeGitHub) -> None:
    fake.add_pull(7, [])
    fake.fail("POST", r"/issues/7/comments$", 503)
    result = upsert_comment(client(fake), fake.repo, 7, body("x"), MARKER, create=True)
    assert result.action == "created"
    assert len(fake.comments_on(7)) == 1
    assert len(fake.calls("POST")) == 2


def test_5xx_on_reads_is_retried(fake: FakeGitHub) -> None:
    fake.add_pull(7, [])
    fake.add_comment(7, body("old"))
    fake.fail("GET", r"/issues/7/comments$", 502, times=2)
    result = upsert_comment(client(fake), fake.repo, 7, body("new"), MARKER, create=True)
    assert result.action == "updated"
    assert len(fake.calls("GET", r"/issues/7/comments$")) == 3


def test_persistent_5xx_gives_up_with_a_publish_error(fake: FakeGitHub) -> None:
    fake.add_pull(7, [])
    fake.fail("POST", r"/issues/7/comments$", 500, times=10)
    with pytest.raises(PublishError):
        upsert_comment(client(fake), fake.repo, 7, body("x"), MARKER, create=True)
    assert fake.comments_on(7) == []
    assert len(fake.calls("POST")) == 2


def test_pr_files_paginated(fake: FakeGitHub) -> None:
    fake.add_pull(9, [f"src/f{i:03}.py" for i in range(250)])
    files, capped = pr_files(client(fake), fake.repo, 9)
    assert len(files) == 250 and not capped
    pages = [r.query.get("page", ["1"])[0] for r in fake.calls("GET", r"/pulls/9/files$")]
    assert pages == ["1", "2", "3"]


def test_pr_files_cap_is_reported(fake: FakeGitHub) -> None:
    fake.add_pull(9, [f"f{i:04}.yml" for i in range(3_200)])
    files, capped = pr_files(client(fake), fake.repo, 9)
    assert len(files) == 3_000 and capped


def test_pr_files_error(fake: FakeGitHub) -> None:
    with pytest.raises(PublishError, match="listing the files of pull request #404"):
        pr_files(client(fake), fake.repo, 404)


def test_rate_limited_read_waits_and_retries(fake: FakeGitHub) -> None:
    fake.add_pull(7, [])
    fake.add_comment(7, body("old"))
    fake.fail(
        "GET",
        r"/issues/7/comments$",
        403,
        headers={"Retry-After": "0", "X-RateLimit-Remaining": "0"},
    )
    result = upsert_comment(client(fake), fake.repo, 7, body("new"), MARKER, create=True)
    assert result.action == "updated"
    assert len(fake.calls("GET", r"/issues/7/comments$")) == 2
