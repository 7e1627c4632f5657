"""Suggested changes end to end: ``aml-lint ci github`` on a pull_request event, real git history,
real PyGithub over HTTP to the fake GitHub on 127.0.0.1, and a stand-in rule with a fix
(``pkg=1.2`` in a pip list -> ``pkg==1.2``) until the real rules carry theirs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import pytest
from fake_github import FakeGitHub
from gha_fixtures import git, write

import aml_lint.ci.github as ci_github
import aml_lint.publish.github as publish_github
from aml_lint.documents import Kind
from aml_lint.findings import Finding, Location, RuleInfo, Severity
from aml_lint.fix import Edit, Fix, apply_edits
from aml_lint.publish.suggestions import MAX_PER_RUN, parse_suggestion, plan
from aml_lint.rules import Rule
from aml_lint.rules.base import Hit

PIN = re.compile(r"^( {6,}- ([A-Za-z0-9_.-]+))=(?!=)(\d[^\s#]*)", re.M)


def check(doc, ctx):  # type: ignore[no-untyped-def]
    text = doc.text or ""
    for m in PIN.finditer(text):
        eq = m.end(1)
        line = text.count("\n", 0, eq) + 1
        col = eq - text.rfind("\n", 0, eq)
        yield Hit(
            f"pip pin '{m.group(2)}={m.group(3)}' uses '=': pip needs '=='",
            Location(line, col, line, col + 1),
            fix=Fix(f"write '{m.group(2)}=={m.group(3)}'", (Edit(doc.rel, eq, eq + 1, "=="),)),
        )


STAND_IN = Rule(
    SimpleNamespace(ID="AML990", NAME="pip-single-equals", SEVERITY="error", KINDS=(Kind.CONDA,), check=check),  # type: ignore[arg-type]
    RuleInfo("AML990", "pip-single-equals", Severity.ERROR, "a pip pin written with '='"),
)


def conda(pins: dict[str, str], extra: str = "") -> str:
    head = "name: score\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n"
    filler = "".join(f"      - filler{i}==1.0\n" for i in range(12))
    return head + f"      - early{pins.get('early', '==')}1.0\n" + filler + "".join(
        f"      - {name}{pins.get(name, '==')}2.{i}\n" for i, name in enumerate(("alpha", "beta", "gamma"))
    ) + extra


BROKEN = {"early": "=", "alpha": "=", "beta": "=", "gamma": "="}


class Repo:
    def __init__(self, tmp: Path) -> None:
        self.root = tmp / "workspace"
        self.root.mkdir()
        git(self.root, "init", "-q", "-b", "main")
        write(self.root, {"conda.yml": conda({"early": "="})})  # one old mistake already on main
        git(self.root, "add", "-A")
        git(self.root, "commit", "-qm", "base")
        self.base = git(self.root, "rev-parse", "HEAD")
        git(self.root, "checkout", "-qb", "feature")
        self.head = self.commit(conda(BROKEN, "      - delta==3.0\n"), "add three pins")

    def commit(self, text: str, message: str) -> str:
        write(self.root, {"conda.yml": text})
        git(self.root, "commit", "-qam", message)
        self.head = git(self.root, "rev-parse", "HEAD")
        return self.head

    def patches(self) -> dict[str, str | None]:
        """The PR's files and hunks, as GitHub's files API gives them (from real git)."""
        names = git(self.root, "diff", "--name-only", self.base, self.head).split()
        out: dict[str, str | None] = {}
        for name in names:
            diff = git(self.root, "diff", "-U3", self.base, self.head, "--", name)
            out[name] = diff[diff.index("@@"):]
        return out

    def text(self) -> str:
        return (self.root / "conda.yml").read_text(encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path)


@pytest.fixture(autouse=True)
def stand_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from aml_lint.engine import run

    monkeypatch.setattr(ci_github, "run_engine", lambda settings: run(settings, rules=[STAND_IN]))
    # The test server needs no pause between writes.
    monkeypatch.setattr(publish_github, "connect", partial(publish_github.connect, options=publish_github.FAST))
    yield


def action(tmp: Path, repo: Repo, fake: FakeGitHub, capsys: pytest.CaptureFixture[str], *,
           fork: bool = False, inputs: dict[str, str] | None = None) -> tuple[int, str]:
    fake.set_patches(7, repo.patches(), head=repo.head)
    event = tmp / f"event-{len(list(tmp.glob('event-*')))}.json"
    event.write_text(json.dumps({
        "number": 7,
        "pull_request": {
            "number": 7,
            "base": {"sha": repo.base, "ref": "main", "repo": {"full_name": "octo/app"}},
            "head": {"sha": repo.head, "ref": "feature",
                     "repo": {"full_name": "forker/app" if fork else "octo/app"}},
        },
        "repository": {"full_name": "octo/app"},
    }), encoding="utf-8")
    env = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_WORKSPACE": str(repo.root),
        "GITHUB_REPOSITORY": "octo/app",
        "GITHUB_API_URL": fake.api_url,
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_WORKFLOW": "lint",
        "GITHUB_JOB": "aml",
        "INPUT_GITHUB-TOKEN": fake.token,
        **(inputs or {}),
    }
    code = ci_github.run_action(env)
    return code, capsys.readouterr().out


def warnings(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("::warning")]


def commit_suggestions(text: str, comments: list[dict]) -> str:  # type: ignore[type-arg]
    """What clicking "Commit suggestion" on each comment does, bottom-up so line numbers hold."""
    lines = text.splitlines(keepends=True)
    for c in sorted(comments, key=lambda c: -c["line"]):
        new = parse_suggestion(c["body"])
        assert new is not None, c["body"]
        start = c["start_line"] or c["line"]
        lines[start - 1 : c["line"]] = [line + "\n" for line in new]
    return "".join(lines)


def test_three_fixes_in_the_diff_one_review_then_nothing_then_cleaned_up(
    tmp_path: Path, repo: Repo, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.add_pull(7, [], head=repo.head)
    code, out = action(tmp_path, repo, fake, capsys)
    assert code == 1 and warnings(out) == []
    # Exactly one review, event COMMENT, with the three suggestions of the lines in the diff.
    (review_call,) = fake.calls("POST", r"/pulls/7/reviews$")
    assert review_call.body["event"] == "COMMENT" and review_call.body["commit_id"] == repo.head
    comments = fake.review_comments_on(7)
    assert len(comments) == 3 and {c["side"] for c in comments} == {"RIGHT"}
    assert all(c["body"].startswith("<!-- aml-lint:suggestion:") and "```suggestion\n" in c["body"]
               for c in comments)
    # The mistake outside the diff (line 9, already on main) is a diff block in the summary comment.
    (summary,) = fake.comments_on(7)
    assert "```diff" in summary["body"] and "+      - early==1.0" in summary["body"]
    assert "3 fixes offered as suggested changes" in summary["body"]

    # Committing the three suggestions gives what apply_edits gives for those three fixes.
    head_text = repo.text()
    committed = commit_suggestions(head_text, comments)
    from aml_lint.config import build_settings
    from aml_lint.engine import run

    findings = run(build_settings(repo.root), rules=[STAND_IN]).findings
    in_diff = [f for f in findings if "early" not in f.message]
    assert len(in_diff) == 3
    edits = [e for f in in_diff for e in f.fix.edits]  # type: ignore[union-attr]
    assert committed == apply_edits(head_text, edits)
    assert committed.count("==2.") == 3

    # Second run on the same head: nothing new is posted, nothing deleted.
    posts = len(fake.calls("POST"))
    code, out = action(tmp_path, repo, fake, capsys)
    assert code == 1 and warnings(out) == []
    assert len(fake.calls("POST")) == posts and fake.calls("DELETE") == []
    assert len(fake.review_comments_on(7)) == 3

    # The fixes are pushed (the suggestions committed and the old pin fixed too): the
    # suggestions are deleted and the summary comment says all clear.
    repo.commit(committed.replace("early=1.0", "early==1.0"), "apply suggestions")
    code, out = action(tmp_path, repo, fake, capsys)
    assert code == 0 and warnings(out) == []
    assert fake.review_comments_on(7) == []
    assert len(fake.calls("DELETE", r"/pulls/comments/\d+$")) == 3
    assert len(fake.calls("POST", r"/reviews$")) == 1
    (summary,) = fake.comments_on(7)
    assert "All clear" in summary["body"] and "```diff" not in summary["body"]


def test_a_finding_still_there_keeps_its_suggestion_when_lines_move(
    tmp_path: Path, repo: Repo, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.add_pull(7, [], head=repo.head)
    action(tmp_path, repo, fake, capsys)
    before = {c["id"] for c in fake.review_comments_on(7)}
    # A push that adds a line above: same findings, other line numbers, no repost.
    repo.commit("# the scoring environment\n" + repo.text(), "a comment on top")
    action(tmp_path, repo, fake, capsys)
    assert {c["id"] for c in fake.review_comments_on(7)} == before
    assert len(fake.calls("POST", r"/reviews$")) == 1


def test_suggestions_never_posts_no_review(
    tmp_path: Path, repo: Repo, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.add_pull(7, [], head=repo.head)
    action(tmp_path, repo, fake, capsys, inputs={"INPUT_SUGGESTIONS": "never"})
    assert fake.calls("POST", r"/reviews$") == [] and fake.calls("GET", r"/pulls/7/comments$") == []
    (summary,) = fake.comments_on(7)
    assert "```suggestion" not in summary["body"] and "```diff" not in summary["body"]


def test_read_only_token_one_warning_and_the_lint_result(
    tmp_path: Path, repo: Repo, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.add_pull(7, [], head=repo.head)
    fake.read_only = True
    code, out = action(tmp_path, repo, fake, capsys)
    assert code == 1
    (warning,) = warnings(out)
    assert "no suggested changes and no PR comment" in warning and "pull-requests: write" in warning
    assert fake.review_comments_on(7) == [] and fake.comments_on(7) == []
    assert len(fake.calls("POST", r"/issues/7/comments$")) == 0  # the comment step did not retry it


def test_fork_pr_one_warning_no_api_writes(
    tmp_path: Path, repo: Repo, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.add_pull(7, [], head=repo.head, fork=True)
    code, out = action(tmp_path, repo, fake, capsys, fork=True)
    assert code == 1
    (warning,) = warnings(out)
    assert "fork" in warning and "suggested changes" in warning
    assert [r for r in fake.requests if r.method != "GET"] == []


def test_at_most_25_new_suggestions_a_run(fake: FakeGitHub) -> None:
    text = "".join(f"      - p{i}=1.0\n" for i in range(30))
    path = "conda.yml"
    findings = []
    for i in range(30):
        at = text.index(f"p{i}=") + len(f"p{i}")
        fix = Fix("==", (Edit(path, at, at + 1, "=="),))
        findings.append(Finding("AML990", Severity.ERROR, f"p{i}", path, Location(i + 1, 1), fix=fix))
    made = plan(findings, lambda p: text)
    fake.add_pull(7, [path], patches={path: "@@ -0,0 +1,30 @@\n" + "".join("+x\n" for _ in range(30))})
    gh = publish_github.connect(fake.token, fake.api_url)  # FAST: see stand_in
    alive = {s.key for s in made.suggestions}
    first = publish_github.sync_suggestions(gh, fake.repo, 7, "a" * 40, made.suggestions, alive)
    assert (first.posted, first.left_over) == (MAX_PER_RUN, 5)
    second = publish_github.sync_suggestions(gh, fake.repo, 7, "a" * 40, made.suggestions, alive)
    assert (second.posted, second.kept, second.left_over) == (5, 25, 0)
    assert len(fake.review_comments_on(7)) == 30 and len(fake.reviews) == 2


def test_multi_line_suggestion_uses_start_line(fake: FakeGitHub) -> None:
    text = "a: 1\nb: 2\nc: 3\n"
    fix = Fix("rewrite", (Edit("f.yml", 0, 1, "A"), Edit("f.yml", 10, 11, "B")))
    made = plan([Finding("AML990", Severity.ERROR, "m", "f.yml", Location(1, 1), fix=fix)], lambda p: text)
    fake.add_pull(7, ["f.yml"], patches={"f.yml": "@@ -1,3 +1,3 @@\n-a\n+a: 1\n b: 2\n c: 3"})
    gh = publish_github.connect(fake.token, fake.api_url)  # FAST: see stand_in
    publish_github.sync_suggestions(gh, fake.repo, 7, "a" * 40, made.suggestions, {made.suggestions[0].key})
    (comment,) = fake.review_comments_on(7)
    assert (comment["start_line"], comment["line"], comment["start_side"]) == (1, 3, "RIGHT")
    assert commit_suggestions(text, [comment]) == apply_edits(text, fix.edits)


def test_a_suggestion_someone_replied_to_is_kept(fake: FakeGitHub) -> None:
    text = "a\n"
    fix = Fix("x", (Edit("f", 0, 1, "b"),))
    made = plan([Finding("AML990", Severity.ERROR, "m", "f", Location(1, 1), fix=fix)], lambda p: text)
    fake.add_pull(7, ["f"], patches={"f": "@@ -1 +1 @@\n-z\n+a"})
    gh = publish_github.connect(fake.token, fake.api_url)  # FAST: see stand_in
    publish_github.sync_suggestions(gh, fake.repo, 7, "a" * 40, made.suggestions, {made.suggestions[0].key})
    (ours,) = fake.review_comments_on(7)
    reply = dict(ours, id=ours["id"] + 500, body="why?", in_reply_to_id=ours["id"])
    fake.review_comments[reply["id"]] = reply
    outcome = publish_github.sync_suggestions(gh, fake.repo, 7, "a" * 40, [], set())
    assert outcome.deleted == 0 and len(fake.review_comments_on(7)) == 2


def merge_checkout(repo: Repo, main_change: dict[str, str]) -> None:
    """What actions/checkout gives on pull_request: the merge of the head into main, where
    main moved on after the PR branched."""
    git(repo.root, "checkout", "-q", "main")
    write(repo.root, main_change)
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-qm", "main moves on")
    git(repo.root, "checkout", "-q", "--detach", "main")
    git(repo.root, "merge", "-q", "--no-ff", "-m", "merge", repo.head)


def test_merge_checkout_where_main_changed_the_file_gives_diffs_not_wrong_lines(
    tmp_path: Path, repo: Repo, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    # main adds two lines at the top of the same file: the merge's lines are 2 below the head's.
    merge_checkout(repo, {"conda.yml": "# one\n# two\n" + conda({"early": "="})})
    assert repo.text().startswith("# one\n")
    fake.add_pull(7, [], head=repo.head)
    code, out = action(tmp_path, repo, fake, capsys)
    assert code == 1 and warnings(out) == []
    assert fake.calls("POST", r"/reviews$") == []
    (summary,) = fake.comments_on(7)
    assert summary["body"].count("```diff") == 4


def test_merge_checkout_where_main_left_the_file_alone_gives_suggestions(
    tmp_path: Path, repo: Repo, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    merge_checkout(repo, {"README.md": "main moved on\n"})
    fake.add_pull(7, [], head=repo.head)
    action(tmp_path, repo, fake, capsys)
    assert len(fake.review_comments_on(7)) == 3


def test_head_unknown_to_git_is_checked_against_the_api(
    tmp_path: Path, repo: Repo, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    text = repo.text()
    patches = repo.patches()
    ghost = "f" * 40  # a depth-1 checkout of the merge: git has no head commit to compare with
    repo.head = ghost
    fake.add_pull(7, [], head=ghost)
    fake.contents[(ghost, "conda.yml")] = text.encode("utf-8")
    real = Repo.patches
    Repo.patches = lambda self: patches  # type: ignore[method-assign]
    try:
        action(tmp_path, repo, fake, capsys)
        assert len(fake.review_comments_on(7)) == 3
        assert fake.calls("GET", r"/contents/conda.yml$")
        # The head's file differs from the checkout: no suggestion is posted on it.
        fake.review_comments.clear()
        fake.contents[(ghost, "conda.yml")] = ("# moved\n" + text).encode("utf-8")
        action(tmp_path, repo, fake, capsys)
        assert fake.review_comments_on(7) == []
    finally:
        Repo.patches = real  # type: ignore[method-assign]


def test_a_refused_review_falls_back_to_diff_blocks_with_one_warning(
    tmp_path: Path, repo: Repo, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.add_pull(7, [], head=repo.head)
    fake.fail("POST", r"/pulls/7/reviews$", 422)
    code, out = action(tmp_path, repo, fake, capsys)
    assert code == 1
    (warning,) = warnings(out)
    assert "no suggested changes" in warning and "HTTP 422" in warning
    (summary,) = fake.comments_on(7)
    assert summary["body"].count("```diff") == 4


def test_the_summary_says_how_many_more() -> None:
    from aml_lint.publish.suggestions import diff_section

    text = diff_section([], lambda p: None, more_suggestions=7, posted=25)
    assert "25 fixes offered as suggested changes" in text and "7 more suggested changes" in text
