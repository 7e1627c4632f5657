"""Suggestion threads end to end: ``aml-lint ci azure`` in a PR build, real git, the fake Azure
DevOps server over HTTP on 127.0.0.1, and a stand-in rule with a fix (``pkg=1.2`` in a pip
list -> ``pkg==1.2``) until the real rules carry theirs."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from azure_agent import agent_parse
from azure_fake_server import FakeAzureDevOps

import aml_lint.ci.azure as ci_azure
from aml_lint.documents import Kind
from aml_lint.findings import RuleInfo, Severity
from aml_lint.fix import Edit, Fix, apply_edits
from aml_lint.publish.suggestions import parse_suggestion
from aml_lint.rules import Rule
from aml_lint.rules.base import Hit

PIN = re.compile(r"^( {6,}- ([A-Za-z0-9_.-]+))=(?!=)(\d[^\s#]*)", re.M)


def check(doc, ctx):  # type: ignore[no-untyped-def]
    text = doc.text or ""
    for m in PIN.finditer(text):
        eq = m.end(1)
        yield Hit(
            f"pip pin '{m.group(2)}={m.group(3)}' uses '=': pip needs '=='",
            fix=Fix(f"write '{m.group(2)}=={m.group(3)}'", (Edit(doc.rel, eq, eq + 1, "=="),)),
        )


STAND_IN = Rule(
    SimpleNamespace(ID="AML990", NAME="pip-single-equals", SEVERITY="error", KINDS=(Kind.CONDA,), check=check),  # type: ignore[arg-type]
    RuleInfo("AML990", "pip-single-equals", Severity.ERROR, "a pip pin written with '='"),
)

HEAD = "name: score\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n      - keep==1.0\n"


def conda(sep: str) -> str:
    return HEAD + "".join(f"      - {name}{sep}2.{i}\n" for i, name in enumerate(("alpha", "beta", "gamma")))


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=cwd, check=True, capture_output=True, text=True,
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "s"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "conda.yml").write_text(HEAD, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "feature")
    (root / "conda.yml").write_text(conda("="), encoding="utf-8")
    git(root, "commit", "-qam", "three pins, written wrong")
    return root


@pytest.fixture
def fake() -> Iterator[FakeAzureDevOps]:
    with FakeAzureDevOps() as server:
        yield server


@pytest.fixture(autouse=True)
def stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    from aml_lint.engine import run

    monkeypatch.setattr(ci_azure, "run_engine", lambda settings: run(settings, rules=[STAND_IN]))


def lint(repo: Path, fake: FakeAzureDevOps, tmp: Path, capsys: pytest.CaptureFixture[str],
         **inputs: str) -> tuple[int, str]:
    (tmp / "agent").mkdir(exist_ok=True)
    env = {
        **fake.env(),
        "BUILD_SOURCESDIRECTORY": str(repo),
        "AGENT_TEMPDIRECTORY": str(tmp / "agent"),
        "SYSTEM_PULLREQUEST_TARGETBRANCH": "refs/heads/main",
        "BUILD_REASON": "PullRequest",
        **inputs,
    }
    code = ci_azure.main([], env=env)
    return code, capsys.readouterr().out


def warnings(out: str) -> list[str]:
    return [d for name, props, d in agent_parse(out) if name == "task.logissue" and props["type"] == "warning"]


def suggestion_threads(fake: FakeAzureDevOps) -> list[dict]:  # type: ignore[type-arg]
    return [t for t in fake.live_threads() if t["threadContext"]]


def summary_thread(fake: FakeAzureDevOps) -> dict:  # type: ignore[type-arg]
    (thread,) = [t for t in fake.live_threads() if not t["threadContext"]]
    return thread


def apply_change(text: str, threads: list[dict]) -> str:  # type: ignore[type-arg]
    """What "Apply change" does for each thread's suggestion, bottom-up."""
    lines = text.splitlines(keepends=True)
    for t in sorted(threads, key=lambda t: -t["threadContext"]["rightFileStart"]["line"]):
        context = t["threadContext"]
        new = parse_suggestion(t["comments"][0]["content"])
        assert new is not None
        lines[context["rightFileStart"]["line"] - 1 : context["rightFileEnd"]["line"]] = [
            line + "\n" for line in new
        ]
    return "".join(lines)


def test_three_threads_then_nothing_then_resolved(
    repo: Path, fake: FakeAzureDevOps, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = lint(repo, fake, tmp_path, capsys)
    assert code == 1 and warnings(out) == []
    threads = suggestion_threads(fake)
    assert len(threads) == 3
    for t in threads:
        context = t["threadContext"]
        assert context["filePath"] == "/conda.yml" and t["status"] == "active"
        assert context["rightFileStart"]["line"] == context["rightFileEnd"]["line"]
        assert context["rightFileEnd"]["offset"] > 1
        body = t["comments"][0]["content"]
        assert body.startswith("<!-- aml-lint:suggestion:") and "```suggestion\n" in body
    assert "3 fixes offered as suggested changes" in summary_thread(fake)["comments"][0]["content"]

    text = (repo / "conda.yml").read_text(encoding="utf-8")
    applied = apply_change(text, threads)
    edits = [Edit("conda.yml", m.end(1), m.end(1) + 1, "==") for m in PIN.finditer(text)]
    assert applied == apply_edits(text, edits) == conda("==")

    # Same head again: nothing posted, nothing changed.
    before = len(fake.mutations())
    code, out = lint(repo, fake, tmp_path, capsys)
    assert code == 1 and warnings(out) == [] and len(fake.mutations()) == before
    assert len(suggestion_threads(fake)) == 3

    # The fix is pushed: the three threads are resolved, the summary says all clear.
    (repo / "conda.yml").write_text(applied, encoding="utf-8")
    git(repo, "commit", "-qam", "apply the suggestions")
    code, out = lint(repo, fake, tmp_path, capsys)
    assert code == 0 and warnings(out) == []
    assert {t["status"] for t in suggestion_threads(fake)} == {"fixed"}
    posts = [r for r in fake.mutations() if r.method == "POST"]
    assert len(posts) == 4  # three suggestions and the summary, all in the first run
    summary = summary_thread(fake)
    assert "All clear" in summary["comments"][0]["content"] and summary["status"] == "fixed"

    # The mistake comes back: its resolved thread is reopened, not posted again.
    (repo / "conda.yml").write_text(text, encoding="utf-8")
    git(repo, "commit", "-qam", "oops")
    lint(repo, fake, tmp_path, capsys)
    assert {t["status"] for t in suggestion_threads(fake)} == {"active"}
    assert len([r for r in fake.mutations() if r.method == "POST"]) == 4


def test_a_reviewers_wont_fix_is_kept(
    repo: Path, fake: FakeAzureDevOps, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lint(repo, fake, tmp_path, capsys)
    first = suggestion_threads(fake)[0]
    first["status"] = "wontFix"
    (repo / "conda.yml").write_text(conda("=="), encoding="utf-8")
    git(repo, "commit", "-qam", "fixed")
    lint(repo, fake, tmp_path, capsys)
    assert fake.threads[first["id"]]["status"] == "wontFix"


def test_suggestions_never_posts_no_thread_context(
    repo: Path, fake: FakeAzureDevOps, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lint(repo, fake, tmp_path, capsys, INPUT_SUGGESTIONS="never")
    assert suggestion_threads(fake) == []
    assert "```suggestion" not in summary_thread(fake)["comments"][0]["content"]


def test_no_permission_one_warning_and_the_lint_result(
    repo: Path, fake: FakeAzureDevOps, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.forced_status = 403
    code, out = lint(repo, fake, tmp_path, capsys)
    assert code == 1
    (warning,) = warnings(out)
    assert "Contribute to pull requests" in warning and "suggestion threads" in warning
    assert fake.threads == {}


def test_bad_suggestions_input_is_exit_2(
    repo: Path, fake: FakeAzureDevOps, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = lint(repo, fake, tmp_path, capsys, INPUT_SUGGESTIONS="sometimes")
    assert code == 2 and "suggestions" in out


def merge_checkout(repo: Path, main_text: str | None) -> None:
    """The agent's checkout of a PR build: the merge of the source branch into main."""
    head = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "main")
    if main_text is None:
        (repo / "README.md").write_text("main moved on\n", encoding="utf-8")
    else:
        (repo / "conda.yml").write_text(main_text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "main moves on")
    git(repo, "checkout", "-q", "--detach", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge", head)


def test_merge_where_main_changed_the_file_gives_a_diff_not_wrong_lines(
    repo: Path, fake: FakeAzureDevOps, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    merge_checkout(repo, "# one\n# two\n" + HEAD)
    assert (repo / "conda.yml").read_text(encoding="utf-8").startswith("# one\n")
    code, out = lint(repo, fake, tmp_path, capsys)
    assert code == 1 and warnings(out) == []
    assert suggestion_threads(fake) == []
    assert summary_thread(fake)["comments"][0]["content"].count("```diff") == 3


def test_merge_where_main_left_the_file_alone_gives_threads(
    repo: Path, fake: FakeAzureDevOps, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    merge_checkout(repo, None)
    lint(repo, fake, tmp_path, capsys)
    assert len(suggestion_threads(fake)) == 3
