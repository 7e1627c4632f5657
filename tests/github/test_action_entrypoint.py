"""End to end: entrypoint.sh with an event payload, a git repository with base and head
commits, temp GITHUB_STEP_SUMMARY / GITHUB_OUTPUT, and GITHUB_API_URL at the fake server.

The run uses the production client settings (throttling, retries), exactly as in the Action.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fake_github import FakeGitHub
from gha_fixtures import (
    DEPLOYMENT,
    SCORE,
    Fixture,
    Outcome,
    fix_head,
    git,
    make_repo,
    parse_outputs,
    plain,
    pr_payload,
    write,
)

from aml_lint.findings import LintResult

REPO_ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = REPO_ROOT / "entrypoint.sh"
pytestmark = pytest.mark.skipif(
    shutil.which("bash") is None or shutil.which("git") is None, reason="needs bash and git"
)


def run_action(
    tmp: Path,
    fx: Fixture,
    fake: FakeGitHub | None,
    *,
    event: str = "pull_request",
    payload: dict | None = None,
    inputs: dict[str, str] | None = None,
    token: str | None = None,
) -> Outcome:
    run_dir = tmp / f"run{len(list(tmp.glob('run*')))}"
    run_dir.mkdir()
    if payload is None:
        payload = pr_payload(fx)
    (run_dir / "event.json").write_text(json.dumps(payload), encoding="utf-8")
    (run_dir / "home").mkdir()
    summary, outputs = run_dir / "summary.md", run_dir / "output.txt"
    env = {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "HOME": str(run_dir / "home"),
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(run_dir / "event.json"),
        "GITHUB_WORKSPACE": str(fx.repo),
        "GITHUB_REPOSITORY": "octo/app",
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_WORKFLOW": "lint",
        "GITHUB_JOB": "aml",
        "GITHUB_SHA": fx.head,
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
        "INPUT_SARIF-FILE": "reports/aml-lint.sarif",
        "INPUT_GITHUB-TOKEN": token if token is not None else (fake.token if fake else ""),
    }
    if fake is not None:
        env["GITHUB_API_URL"] = fake.api_url
    env.update(inputs or {})
    proc = subprocess.run(
        ["bash", str(ENTRYPOINT)], env=env, capture_output=True, text=True, timeout=120
    )
    return Outcome(
        proc.returncode,
        proc.stdout,
        proc.stderr,
        summary.read_text(encoding="utf-8") if summary.exists() else "",
        parse_outputs(outputs.read_text(encoding="utf-8")) if outputs.exists() else {},
    )


@pytest.fixture
def fx(tmp_path: Path) -> Fixture:
    return make_repo(tmp_path)


def test_pull_request_end_to_end(tmp_path: Path, fx: Fixture, fake: FakeGitHub) -> None:
    fake.add_pull(7, ["dep/blue.yml"])
    out = run_action(tmp_path, fx, fake)
    assert out.code == 1, out.stderr
    errors = out.commands("error")
    assert errors, out.stdout
    # Repo-relative paths, only the changed file (the untouched legacy file is not reported).
    assert all(e.startswith("::error file=dep/blue.yml,") for e in errors)
    assert any("missing.yml" in e for e in errors)
    assert "legacy/old.yml" not in out.stdout.split("::endgroup::")[-1]
    assert str(fx.repo) not in "\n".join(errors)
    # The full report sits in a group behind stop-commands.
    token = re.search(r"^::stop-commands::(\w+)$", out.stdout, re.M)
    assert token and f"::{token.group(1)}::" in out.stdout
    # Job summary with counts and links to the head commit.
    assert "| ❌ Errors | 1 |" in out.summary or "❌ Errors |" in out.summary
    assert f"https://github.example/octo/app/blob/{fx.head}/dep/blue.yml#L" in out.summary
    assert "https://github.example/octo/app/actions/runs/4242" in out.summary
    # Outputs.
    assert out.outputs["errors"] == str(len(errors))
    assert out.outputs["warnings"] == "0"
    assert out.outputs["sarif-file"] == "reports/aml-lint.sarif"
    sarif = json.loads((fx.repo / "reports/aml-lint.sarif").read_text(encoding="utf-8"))
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    }
    assert uris == {"dep/blue.yml"}
    # One sticky comment, found again by its marker.
    (comment,) = fake.comments_on(7)
    assert comment["body"].startswith("<!-- aml-lint:summary v1 key=lint/aml -->")
    assert out.outputs["comment-url"] == comment["html_url"]
    assert "https://github.example/octo/app/actions/runs/4242" in comment["body"]
    # git found the files: the PR files API was not needed.
    assert fake.calls("GET", r"/pulls/7/files") == []
    # The token never shows.
    assert fake.token not in out.stdout + out.stderr + out.summary

    # Second push, still broken: the same comment is edited, not a new one.
    write(fx.repo, {"src/score.py": SCORE + "\n"})
    git(fx.repo, "commit", "-qam", "touch")
    fx.head = git(fx.repo, "rev-parse", "HEAD")
    again = run_action(tmp_path, fx, fake)
    assert again.code == 1
    (same,) = fake.comments_on(7)
    assert same["id"] == comment["id"]

    # Fixed: exit 0 and the comment says all clear.
    fix_head(fx)
    clean = run_action(tmp_path, fx, fake)
    assert clean.code == 0, clean.stdout
    assert clean.commands("error") == []
    (final,) = fake.comments_on(7)
    assert final["id"] == comment["id"] and "All clear" in final["body"]
    assert clean.outputs["errors"] == "0"
    assert len(fake.calls("POST")) == 1


def test_clean_pr_posts_no_comment(tmp_path: Path, fx: Fixture, fake: FakeGitHub) -> None:
    fix_head(fx)
    fake.add_pull(7, [])
    out = run_action(tmp_path, fx, fake)
    assert out.code == 0, out.stdout
    assert fake.comments_on(7) == []
    assert "All clear" in out.summary
    assert out.outputs["comment-url"] == ""


def test_comment_always_posts_all_clear(tmp_path: Path, fx: Fixture, fake: FakeGitHub) -> None:
    fix_head(fx)
    fake.add_pull(7, [])
    out = run_action(tmp_path, fx, fake, inputs={"INPUT_COMMENT": "always"})
    assert out.code == 0
    (comment,) = fake.comments_on(7)
    assert "All clear" in comment["body"]


def test_comment_never_makes_no_api_call(tmp_path: Path, fx: Fixture, fake: FakeGitHub) -> None:
    fake.add_pull(7, [])
    # Suggestions look for earlier ones on every PR run (to delete those whose finding is gone).
    out = run_action(tmp_path, fx, fake, inputs={"INPUT_COMMENT": "never", "INPUT_SUGGESTIONS": "never"})
    assert out.code == 1
    assert fake.requests == []


def test_403_gives_one_warning_and_lint_exit(tmp_path: Path, fx: Fixture, fake: FakeGitHub) -> None:
    fake.add_pull(7, [])
    fake.read_only = True
    out = run_action(tmp_path, fx, fake)
    assert out.code == 1  # the lint result, not the reporting failure
    warnings = out.commands("warning")
    assert len(warnings) == 1 and "403" in warnings[0] and "pull-requests: write" in warnings[0]
    assert out.commands("error")
    assert "❌" in out.summary and "403" in plain(out.summary)
    assert fake.comments_on(7) == []


def test_fork_pr_skips_comment_with_one_warning(
    tmp_path: Path, fx: Fixture, fake: FakeGitHub
) -> None:
    fake.add_pull(7, [], fork=True)
    out = run_action(tmp_path, fx, fake, payload=pr_payload(fx, head_repo="forker/app"))
    assert out.code == 1
    (warning,) = out.commands("warning")
    assert "fork" in warning
    assert fake.requests == []
    assert out.commands("error") and out.summary


def test_shallow_checkout_falls_back_to_the_files_api(
    tmp_path: Path, fx: Fixture, fake: FakeGitHub
) -> None:
    shallow = tmp_path / "shallow"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            "feature",
            f"file://{fx.repo}",
            str(shallow),
        ],
        check=True,
        capture_output=True,
    )
    fake.add_pull(7, ["dep/blue.yml"])
    out = run_action(tmp_path, Fixture(shallow, fx.base, fx.head), fake, payload=pr_payload(fx))
    assert out.code == 1
    (warning, *_rest) = out.commands("warning")
    assert "fetch-depth: 0" in warning and "API" in warning
    assert fake.calls("GET", r"/pulls/7/files")
    assert all(e.startswith("::error file=dep/blue.yml,") for e in out.commands("error"))
    assert "fetch-depth: 0" in plain(out.summary)


def test_push_event_lints_the_pushed_range(tmp_path: Path, fx: Fixture) -> None:
    payload = {"before": fx.base, "after": fx.head, "repository": {"full_name": "octo/app"}}
    out = run_action(tmp_path, fx, None, event="push", payload=payload)
    assert out.code == 1
    assert all(e.startswith("::error file=dep/blue.yml,") for e in out.commands("error"))
    assert out.outputs["comment-url"] == ""


def test_other_events_lint_the_given_paths(tmp_path: Path, fx: Fixture) -> None:
    out = run_action(
        tmp_path, fx, None, event="workflow_dispatch", payload={}, inputs={"INPUT_PATHS": "legacy"}
    )
    assert out.code == 1
    files = {re.search(r"file=([^,]+)", e).group(1) for e in out.commands("error")}  # type: ignore[union-attr]
    assert files == {"legacy/old.yml"}


def test_fail_on_never_and_hyphenated_inputs(tmp_path: Path, fx: Fixture) -> None:
    payload = {"before": fx.base, "after": fx.head}
    out = run_action(
        tmp_path, fx, None, event="push", payload=payload, inputs={"INPUT_FAIL-ON": "never"}
    )
    assert out.code == 0
    assert out.commands("error")


def test_bad_input_is_exit_2_with_a_message(tmp_path: Path, fx: Fixture) -> None:
    out = run_action(
        tmp_path, fx, None, event="push", payload={}, inputs={"INPUT_FAIL-ON": "sometimes"}
    )
    assert out.code == 2
    (error,) = out.commands("error")
    assert "fail-on" in error and "sometimes" in error
    out = run_action(tmp_path, fx, None, event="push", payload={}, inputs={"INPUT_COMMENT": "loud"})
    assert out.code == 2


def test_hostile_file_name_cannot_inject_commands(tmp_path: Path, fx: Fixture) -> None:
    name = "dep/x\n::warning::pwned,line=1::@octocat <b>.yml"
    write(fx.repo, {name: DEPLOYMENT.format(conda="../env/missing.yml")})
    git(fx.repo, "add", "-A")
    git(fx.repo, "commit", "-qm", "hostile")
    payload = {"before": fx.head, "after": git(fx.repo, "rev-parse", "HEAD")}
    out = run_action(tmp_path, fx, None, event="push", payload=payload)
    assert out.code == 1
    # Outside the stop-commands block, every line is one of our commands; none is the injected one.
    after = out.stdout.split("::endgroup::", 1)[1]
    assert not [
        line
        for line in after.splitlines()
        if "pwned" in line and not line.startswith("::error file=")
    ]
    hostile = [e for e in out.commands("error") if "pwned" in e]
    assert hostile and all("dep/x%0A%3A%3Awarning%3A%3Apwned%2Cline=1%3A%3A" in e for e in hostile)
    assert "<b>" not in out.summary and "@\u200boctocat" in out.summary


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_workspace_owned_by_another_user_is_trusted(
    tmp_path: Path, fx: Fixture, fake: FakeGitHub
) -> None:
    """As in a Docker action: the container runs as root, the checkout belongs to the runner's user."""
    for path in [fx.repo, *fx.repo.rglob("*")]:
        os.lchown(path, 1001, 1001)
    control = subprocess.run(["git", "-C", str(fx.repo), "status"], capture_output=True, text=True)
    assert (
        "dubious ownership" in control.stderr
    )  # git would refuse without the entrypoint's setting
    # A PATH without setpriv, so the entrypoint stays root and relies on safe.directory.
    tools = tmp_path / "tools"
    tools.mkdir()
    for name in ("bash", "git", "stat", "id"):
        found = shutil.which(name)
        assert found
        (tools / name).symlink_to(found)
    fake.add_pull(7, [])
    out = run_action(
        tmp_path,
        fx,
        fake,
        inputs={"PATH": os.pathsep.join([str(Path(sys.executable).parent), str(tools)])},
    )
    assert out.code == 1, out.stdout + out.stderr
    assert "dubious" not in out.stdout + out.stderr
    assert out.commands("warning") == []  # git listed the changed files itself
    assert all(e.startswith("::error file=dep/blue.yml,") for e in out.commands("error"))
    assert fake.calls("GET", r"/pulls/7/files") == []


def test_pull_request_target_on_the_base_checkout_warns(
    tmp_path: Path, fx: Fixture, fake: FakeGitHub
) -> None:
    git(fx.repo, "checkout", "-q", fx.base)  # what actions/checkout does by default on this event
    fake.add_pull(7, [])
    out = run_action(tmp_path, fx, fake, event="pull_request_target")
    (warning,) = out.commands("warning")
    assert "pull_request_target" in warning and "github.event.pull_request.head.sha" in warning


def test_pull_request_target_on_the_head_checkout_comments(
    tmp_path: Path, fx: Fixture, fake: FakeGitHub
) -> None:
    fake.add_pull(7, [], fork=True)  # a fork PR: this event has a write token
    out = run_action(
        tmp_path,
        fx,
        fake,
        event="pull_request_target",
        payload=pr_payload(fx, head_repo="forker/app"),
    )
    assert out.code == 1
    assert out.commands("warning") == []
    assert len(fake.comments_on(7)) == 1


def test_summary_stays_under_a_mebibyte(tmp_path: Path) -> None:
    from aml_lint.ci.github import SUMMARY_MAX_BYTES, write_summary
    from aml_lint.findings import Finding, LintResult, Location, Severity

    findings = [
        Finding("AML101", Severity.ERROR, "ü€😀" * 150, f"envs/{i}/conda.yml", Location(i + 1, 1))
        for i in range(20_000)
    ]
    target = tmp_path / "summary.md"
    target.write_text("earlier step\n", encoding="utf-8")
    write_summary(
        str(target), LintResult(findings, {}), lambda p, n: f"https://github.example/{p}#L{n}", None
    )
    data = target.read_bytes()
    assert data.startswith(b"earlier step\n")  # appended, not overwritten
    assert SUMMARY_MAX_BYTES < 1024 * 1024
    assert len(data) - len(b"earlier step\n") <= SUMMARY_MAX_BYTES
    assert "more findings not shown" in data.decode("utf-8")


@pytest.mark.parametrize("workflow", ["lint", "CI -- checks <main>", "a--->b", "ü 🚀 & 'x'"])
def test_marker_survives_any_workflow_name(workflow: str) -> None:
    from aml_lint.ci.github import marker
    from aml_lint.publish.github import marker_line
    from aml_lint.report.markdown import render_markdown

    mark = marker({"GITHUB_WORKFLOW": workflow, "GITHUB_JOB": "job"})
    body = render_markdown(LintResult([], {}), marker=mark)
    assert body.startswith(marker_line(mark) + "\n")
    assert mark.count("--") == 0 and ">" not in mark


def test_unwritable_sarif_is_a_warning_not_a_crash(tmp_path: Path, fx: Fixture) -> None:
    payload = {"before": fx.base, "after": fx.head}
    out = run_action(
        tmp_path,
        fx,
        None,
        event="push",
        payload=payload,
        inputs={"INPUT_SARIF-FILE": "dep/blue.yml/x.sarif"},
    )
    assert out.code == 1, out.stderr
    (warning,) = out.commands("warning")
    assert "cannot write the SARIF file dep/blue.yml/x.sarif" in warning
    assert out.outputs["sarif-file"] == ""
    assert "Traceback" not in out.stderr


def test_depth_2_merge_checkout_needs_no_api(tmp_path: Path, fx: Fixture, fake: FakeGitHub) -> None:
    """actions/checkout on a PR with fetch-depth: 2: the merge commit and its parents, no merge base."""
    git(fx.repo, "checkout", "-q", "main")
    write(fx.repo, {"src/other.py": "X = 1\n"})
    git(fx.repo, "add", "-A")
    git(fx.repo, "commit", "-qm", "main moves on")
    base_tip = git(fx.repo, "rev-parse", "HEAD")
    git(fx.repo, "checkout", "-qb", "pull-7-merge")
    git(fx.repo, "merge", "-q", "--no-ff", "-m", "Merge into main", "feature")
    merge = tmp_path / "merge-checkout"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "2",
            "--branch",
            "pull-7-merge",
            f"file://{fx.repo}",
            str(merge),
        ],
        check=True,
        capture_output=True,
    )
    assert git(merge, "rev-parse", "HEAD^1") == base_tip
    payload = pr_payload(Fixture(merge, base_tip, fx.head))
    fake.add_pull(7, ["dep/blue.yml"])
    out = run_action(tmp_path, Fixture(merge, base_tip, fx.head), fake, payload=payload)
    assert out.code == 1
    assert out.commands("warning") == []
    assert fake.calls("GET", r"/pulls/7/files") == []
    errors = out.commands("error")
    assert errors and all(e.startswith("::error file=dep/blue.yml,") for e in errors)
    assert "from the merge commit" in plain(out.summary)
