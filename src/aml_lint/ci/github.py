"""``aml-lint ci github``: what the GitHub Action runs.

One pass, in this order, each step independent of the ones that can fail:
1. read the inputs (``INPUT_*``) and the event (``GITHUB_EVENT_PATH``);
2. find the changed files: git first (PR: base...head; push: before..after),
   the PR files API when the history is too shallow;
3. lint the changed files and the files linked to them;
4. annotations on stdout, the job summary, the SARIF file, the outputs;
5. on a pull request, fixes as suggested changes: one review per run with a
   ```suggestion per fixable finding inside the diff (at most 25 new ones a run),
   earlier suggestions whose finding is gone deleted;
6. the sticky PR comment, when asked for and allowed, with the fixes that cannot
   be suggestions (outside the diff, across files) as diff blocks.
A failing API call (403 on fork PRs, 5xx, rate limits) gives one warning; the
exit status is the lint result's (0/1), or 2 for a usage or config error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aml_lint.ci.common import (
    COMMENT_CHOICES,
    SUGGESTION_CHOICES,
    ChangedFiles,
    changed_from_git,
    choice,
    env_input,
    exit_status,
    flag_input,
    output_path,
    redact,
    run_engine,
    settings_for,
    split_list,
    starts_with_bom,
    text_loader,
    write_text,
)
from aml_lint.config import ConfigError
from aml_lint.findings import LintResult, Severity
from aml_lint.report import github as workflow_commands
from aml_lint.workspace import find_root

PR_EVENTS = ("pull_request", "pull_request_target")
NULL_SHA = "0" * 40
# GitHub refuses step summaries over 1 MiB; stay well under it (bytes, not characters).
SUMMARY_MAX_BYTES = 900 * 1024
COMMENT_MAX_CHARS = 60_000
EXIT_USAGE = 2

LinkFn = Callable[[str, int], "str | None"]


@dataclass
class Inputs:
    token: str
    paths: list[str]
    config: str
    fail_on: str
    comment: str
    sarif_file: str
    resolve: bool = False
    suggestions: str = "auto"


@dataclass
class Event:
    name: str
    payload: dict[str, Any]
    repository: str
    pr_number: int | None = None
    base: str | None = None
    head: str | None = None
    fork: bool = False

    @property
    def is_pr(self) -> bool:
        return self.name in PR_EVENTS and self.pr_number is not None


@dataclass
class Run:
    """What the run learned, for the reporters and the outputs."""

    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    comment_url: str = ""
    # Set when the token may not write to the PR: the comment step then stays quiet.
    denied: bool = False


def read_inputs(env: Mapping[str, str]) -> Inputs:
    return Inputs(
        token=env_input(env, "github-token") or env.get("GITHUB_TOKEN", ""),
        paths=split_list(env_input(env, "paths", ".")),
        config=env_input(env, "config"),
        fail_on=env_input(env, "fail-on"),  # blank: the config file's fail-on, else error
        comment=choice(env_input(env, "comment", "auto"), COMMENT_CHOICES, "comment"),
        sarif_file=env_input(env, "sarif-file"),
        resolve=flag_input(env, "resolve"),
        suggestions=choice(
            env_input(env, "suggestions", "auto"), SUGGESTION_CHOICES, "suggestions"
        ),
    )


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def read_event(env: Mapping[str, str], run: Run) -> Event:
    name = env.get("GITHUB_EVENT_NAME", "")
    payload: dict[str, Any] = {}
    path = env.get("GITHUB_EVENT_PATH", "")
    if path:
        try:
            loaded = json.loads(Path(path).read_text(encoding="utf-8"))
            payload = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError) as exc:
            run.warnings.append(
                f"cannot read the event payload {path}: {exc}; linting the given paths"
            )
    repository = env.get("GITHUB_REPOSITORY") or str(_get(payload, "repository", "full_name") or "")
    event = Event(name, payload, repository)
    if name in PR_EVENTS:
        number = _get(payload, "pull_request", "number") or payload.get("number")
        event.pr_number = number if isinstance(number, int) else None
        event.base = _str(_get(payload, "pull_request", "base", "sha"))
        event.head = _str(_get(payload, "pull_request", "head", "sha"))
        head_repo = _get(payload, "pull_request", "head", "repo", "full_name")
        event.fork = head_repo != repository
    elif name == "push":
        event.base = _str(payload.get("before"))
        event.head = _str(payload.get("after")) or env.get("GITHUB_SHA")
    return event


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def changed_files(
    root: Path, event: Event, inputs: Inputs, env: Mapping[str, str], run: Run
) -> ChangedFiles:
    """The files to report on: None means every file under the given paths."""
    if event.name == "push":
        if not event.base or not event.head or event.base == NULL_SHA:
            run.notes.append("new branch pushed: checked every file under the given paths")
            return ChangedFiles(None, "none")
        found = changed_from_git(root, event.base, event.head)
        if found.files is None:
            run.warnings.append(found.note + "; checked every file under the given paths instead")
        return found
    if not event.is_pr:
        return ChangedFiles(None, "none")
    if event.name == "pull_request_target" and event.head and _head_sha(root) != event.head:
        run.warnings.append(
            "pull_request_target checks out the base branch: to lint the PR's files, check out "
            "ref: ${{ github.event.pull_request.head.sha }} (aml-lint only parses files, it never runs them)"
        )
    if event.base and event.head:
        found = changed_from_git(root, event.base, event.head)
        if found.files is not None:
            return found
        merged = merge_commit_files(root, event.head)
        if merged is not None:
            return ChangedFiles(merged, "the merge commit")
        run.warnings.append(found.note + "; asking the GitHub API for the PR's files instead")
    if not inputs.token:
        run.warnings.append(
            "no github-token: cannot ask the API for the PR's files; checked every file"
        )
        return ChangedFiles(None, "none")
    from aml_lint.publish.github import PublishError, connect, pr_files

    assert event.pr_number is not None
    try:
        files, capped = pr_files(
            connect(inputs.token, api_url(env)), event.repository, event.pr_number
        )
    except PublishError as exc:
        run.warnings.append(
            redact(str(exc), [inputs.token]) + "; checked every file under the given paths"
        )
        return ChangedFiles(None, "none")
    if capped:
        run.notes.append(
            "GitHub lists at most 3,000 files of a pull request: files beyond those were not checked "
            "(use actions/checkout with fetch-depth: 0 so git can list them all)"
        )
    return ChangedFiles(files, "api")


def _git(root: Path, *args: str) -> str | None:
    """Output of a git command, or None when it fails (missing commits, not a checkout)."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout if proc.returncode == 0 else None


def _head_sha(root: Path) -> str | None:
    out = _git(root, "rev-parse", "HEAD")
    return out.strip() if out else None


def merge_commit_files(root: Path, head: str) -> list[str] | None:
    """The PR's files from the merge commit GitHub checks out (HEAD^1 = base tip, HEAD^2 = head).

    Needs only ``fetch-depth: 2``, where base...head lacks the merge base.
    """
    second = _git(root, "rev-parse", "--verify", "--quiet", "HEAD^2")
    if second is None or second.strip() != head:
        return None
    out = _git(root, "diff", "--name-only", "-z", "--no-renames", "HEAD^1", "HEAD")
    return None if out is None else sorted({p for p in out.split("\0") if p})


def git_hunks(root: Path, base: str, head: str) -> dict[str, list[range]] | None:
    """Right-side hunk ranges per file of ``git diff base...head`` (what the PR's diff shows),
    or None when git cannot tell (shallow history): then the files API gives the patches."""
    from aml_lint.publish.github import hunk_ranges

    out = _git(root, "-c", "core.quotePath=false", "diff", "--no-color", "--no-ext-diff", "-U3",
               f"{base}...{head}")
    if out is None:
        return None
    hunks: dict[str, list[range]] = {}
    current: str | None = None
    for line in out.split("\n"):
        if line.startswith("+++ "):
            name = line[4:]
            # A quoted name (newline or quote in it) is not worth decoding: no suggestions there.
            current = name[2:] if name.startswith("b/") else None
            if current is not None:
                hunks.setdefault(current, [])
        elif line.startswith("@@ ") and current is not None:
            hunks[current].extend(hunk_ranges(line))
    return hunks


def api_url(env: Mapping[str, str]) -> str:
    return env.get("GITHUB_API_URL") or "https://api.github.com"


def _server(env: Mapping[str, str]) -> str:
    return (env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/")


def run_url(env: Mapping[str, str]) -> str | None:
    repo, run_id = env.get("GITHUB_REPOSITORY"), env.get("GITHUB_RUN_ID")
    if not repo or not run_id:
        return None
    return f"{_server(env)}/{repo}/actions/runs/{run_id}"


def line_link(env: Mapping[str, str], event: Event) -> LinkFn | None:
    sha = event.head or env.get("GITHUB_SHA")
    repo = event.repository
    if not sha or not repo:
        return None
    base = f"{_server(env)}/{repo}/blob/{sha}/"

    def link(path: str, line: int) -> str:
        # fsencode: a non-UTF-8 file name is quoted as its real bytes instead of raising.
        return base + quote(os.fsencode(path)) + (f"#L{line}" if line > 0 else "")

    return link


def marker(env: Mapping[str, str]) -> str:
    """Hidden first line of our comment: one comment per workflow and job."""
    key = f"{env.get('GITHUB_WORKFLOW', '')}/{env.get('GITHUB_JOB', '')}"
    # Inside an HTML comment: no "--" and no ">" (they could end it early).
    key = re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9_./ -]", "_", key))[:200]
    return f"aml-lint:summary v1 key={key}"


def write_summary(path: str, result: LintResult, link: LinkFn | None, url: str | None) -> None:
    from aml_lint.report.markdown import render_markdown

    budget = SUMMARY_MAX_BYTES
    text = render_markdown(result, link=link, run_url=url, max_chars=budget)
    while (size := len(text.encode("utf-8"))) > SUMMARY_MAX_BYTES:
        # Characters are up to 4 bytes: shrink by the measured ratio, with a margin.
        budget = min(budget - 1, int(budget * SUMMARY_MAX_BYTES / size * 0.98))
        text = render_markdown(result, link=link, run_url=url, max_chars=budget)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(text)


def write_outputs(path: str, values: Mapping[str, str]) -> None:
    """``name<<DELIM`` blocks, safe for any value, as actions/toolkit writes them."""
    with open(path, "a", encoding="utf-8") as fh:
        for name, value in values.items():
            delim = f"ghadelimiter_{secrets.token_hex(16)}"
            fh.write(f"{name}<<{delim}\n{value}\n{delim}\n")


def suggest(
    result: LintResult, event: Event, inputs: Inputs, env: Mapping[str, str], run: Run, root: Path
) -> str:
    """Post the fixes inside the diff as suggested changes; the Markdown for the rest.

    Runs on every PR run, with or without fixable findings: earlier suggestions whose
    finding is gone are deleted. Returns the comment's section of diff blocks.
    """
    if inputs.suggestions == "never" or not event.is_pr or not inputs.token:
        return ""
    if event.fork and event.name == "pull_request":
        if inputs.comment == "never":  # else the comment step says it, once for both
            run.warnings.append(
                "pull request from a fork: its token is read-only, so no suggested changes"
            )
        return ""
    from aml_lint.publish.github import (
        PublishError,
        connect,
        in_diff,
        pr_hunks,
        sync_suggestions,
    )
    from aml_lint.publish.suggestions import MAX_PER_RUN, diff_section, plan

    load = text_loader(root)
    made = plan(result.findings, load)
    assert event.pr_number is not None
    head = event.head or env.get("GITHUB_SHA", "")
    gh = connect(inputs.token, api_url(env))
    diffs = list(made.diffs)
    try:
        hunks: dict[str, list[range]] = {}
        if made.suggestions:
            found = git_hunks(root, event.base, event.head) if event.base and event.head else None
            hunks = found if found is not None else pr_hunks(gh, event.repository, event.pr_number)
        same = _checkout_matches_head(root, gh, event, head, load)
        inside = [
            s
            for s in made.suggestions
            if in_diff(hunks, s.path, s.start_line, s.end_line)
            and same(s.path)
            and not (s.start_line == 1 and starts_with_bom(root, s.path))
        ]
        diffs += [(s.finding, s.fix) for s in made.suggestions if s not in inside]
        outcome = sync_suggestions(
            gh,
            event.repository,
            event.pr_number,
            head,
            inside,
            {s.key for s in made.suggestions},
            limit=MAX_PER_RUN,
        )
    except PublishError as exc:
        message = redact(str(exc), [inputs.token])
        if exc.status in (401, 403, 404):
            run.denied = True
            run.warnings.append("no suggested changes and no PR comment: " + message)
        else:
            run.warnings.append("no suggested changes: " + message)
        return diff_section(
            [(s.finding, s.fix) for s in made.suggestions] + list(made.diffs),
            load,
        )
    run.warnings.extend(redact(w, [inputs.token]) for w in outcome.warnings)
    if outcome.posted or outcome.deleted or outcome.kept:
        print(
            f"aml-lint: suggested changes: {outcome.posted} posted, {outcome.kept} already on the "
            f"pull request, {outcome.deleted} removed (finding gone)"
            + (f", {outcome.left_over} more next run" if outcome.left_over else ""),
            flush=True,
        )
    return diff_section(
        diffs,
        load,
        more_suggestions=outcome.left_over,
        posted=outcome.posted + outcome.kept,
    )


def _checkout_matches_head(
    root: Path, gh: Any, event: Event, head: str, load: Callable[[str], str | None]
) -> Callable[[str], bool]:
    """Whether a file checked out is the file at the PR head (review comments use its lines):
    git first, else the file's contents at the head from the API."""
    from aml_lint.ci.common import same_as_checkout
    from aml_lint.publish.github import file_at

    cache: dict[str, bool] = {}

    def same(path: str) -> bool:
        if path not in cache:
            known = same_as_checkout(root, head, path)
            if known is None:
                text = load(path)
                known = text is not None and file_at(gh, event.repository, path, head) == text
            cache[path] = bool(known)
        return cache[path]

    return same


def comment(
    result: LintResult,
    event: Event,
    inputs: Inputs,
    env: Mapping[str, str],
    run: Run,
    link: LinkFn | None,
    appendix: str = "",
) -> None:
    if inputs.comment == "never" or not event.is_pr or run.denied:
        return
    if event.fork and event.name == "pull_request":
        run.warnings.append(
            "pull request from a fork: its token is read-only, so no PR comment or suggested "
            "changes; annotations, the job summary and SARIF still work (see the README for "
            "posting from a workflow_run job)"
        )
        return
    if not inputs.token:
        run.warnings.append("no github-token: no PR comment")
        return
    from aml_lint.publish.github import PublishError, connect, upsert_comment
    from aml_lint.report.markdown import render_markdown

    mark = marker(env)
    body = render_markdown(
        result,
        link=link,
        run_url=run_url(env),
        max_chars=COMMENT_MAX_CHARS,
        marker=mark,
        appendix=appendix,
    )
    create = bool(result.findings) or inputs.comment == "always"
    assert event.pr_number is not None
    try:
        outcome = upsert_comment(
            connect(inputs.token, api_url(env)),
            event.repository,
            event.pr_number,
            body,
            mark,
            create=create,
        )
    except PublishError as exc:
        run.warnings.append("no PR comment: " + redact(str(exc), [inputs.token]))
        return
    run.warnings.extend(redact(w, [inputs.token]) for w in outcome.warnings)
    run.comment_url = outcome.url or ""
    if outcome.action != "skipped":
        print(f"aml-lint: PR comment {outcome.action}: {outcome.url}", flush=True)


def _chown_like(path: Path, root: Path) -> None:
    """Files written by a root container belong to root; give them to the workspace's owner."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        try:
            st = root.stat()
            os.chown(path, st.st_uid, st.st_gid)
        except OSError:
            pass


def _log_report(result: LintResult) -> None:
    """The full text report in a collapsed group; PR text cannot run workflow commands in it."""
    from aml_lint.report import render

    token = secrets.token_hex(16)
    print("::group::aml-lint report", flush=True)
    print(f"::stop-commands::{token}")
    print(render(result, "text"), end="")
    print(f"::{token}::")
    print("::endgroup::", flush=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="aml-lint ci github",
        description="Run as a GitHub Action step: reads INPUT_* and GITHUB_* from the environment.",
    )
    parser.parse_args(argv)
    return run_action(dict(os.environ))


def run_action(env: Mapping[str, str]) -> int:
    run = Run()
    workspace = Path(env.get("GITHUB_WORKSPACE") or ".")
    root = find_root(workspace)
    try:
        inputs = read_inputs(env)
    except ConfigError as exc:
        print(workflow_commands.command("error", str(exc), title="aml-lint: bad input"))
        return EXIT_USAGE
    event = read_event(env, run)
    scope = changed_files(root, event, inputs, env, run)
    try:
        settings = settings_for(
            root,
            paths=inputs.paths,
            config=inputs.config,
            fail_on=inputs.fail_on,
            changed_files=scope.files,
            resolve=inputs.resolve,
        )
    except ConfigError as exc:
        print(workflow_commands.command("error", str(exc), title="aml-lint: configuration error"))
        return EXIT_USAGE
    result = run_engine(settings)
    if scope.files is not None:
        run.notes.append(
            f"checked {len(scope.files)} changed file{'' if len(scope.files) == 1 else 's'} "
            f"(from {scope.source}) and the files linked to them"
        )
    result.notes.extend(run.notes + run.warnings)
    link = line_link(env, event)

    sarif_path = ""
    if inputs.sarif_file:
        from aml_lint.report import render

        target = output_path(root, inputs.sarif_file)
        try:
            write_text(target, render(result, "sarif"))
            _chown_like(target, root)
            sarif_path = inputs.sarif_file
        except OSError as exc:
            run.warnings.append(
                f"cannot write the SARIF file {inputs.sarif_file}: {exc.strerror or exc}"
            )

    appendix = suggest(result, event, inputs, env, run, root)
    comment(result, event, inputs, env, run, link, appendix)
    # Warnings that came after the notes were copied (comment, SARIF) belong in the summary too.
    result.notes.extend(w for w in run.warnings if w not in result.notes)

    _log_report(result)
    where = ["the job summary"] + (["the PR comment"] if run.comment_url else []) + ["the log"]
    print(workflow_commands.render(result, see=", ".join(where[:-1]) + " and " + where[-1]), end="")
    if env.get("GITHUB_STEP_SUMMARY"):
        try:
            write_summary(env["GITHUB_STEP_SUMMARY"], result, link, run_url(env))
        except OSError as exc:
            run.warnings.append(f"cannot write the job summary: {exc.strerror or exc}")
    for warning in run.warnings:
        print(
            workflow_commands.command("warning", redact(warning, [inputs.token]), title="aml-lint"),
            flush=True,
        )
    if env.get("GITHUB_OUTPUT"):
        write_outputs(
            env["GITHUB_OUTPUT"],
            {
                "errors": str(result.count(Severity.ERROR)),
                "warnings": str(result.count(Severity.WARNING)),
                "sarif-file": sarif_path,
                "comment-url": run.comment_url,
            },
        )
    return exit_status(settings, result)
