"""``aml-lint ci azure``: what the Azure Pipelines task and the YAML template run.

Inputs come from the task (``INPUT_PATHS``, ``INPUT_CONFIGFILE``, ``INPUT_FAILON``,
``INPUT_COMMENT``, ``INPUT_SUGGESTIONS``, ``INPUT_SARIFFILE``, ``INPUT_RESOLVE``) or as flags,
which win.
The access token comes from ``SYSTEM_ACCESSTOKEN`` only, never from the command line.

In a pull-request build (``SYSTEM_PULLREQUEST_TARGETBRANCH`` set) only the files
the PR changed are reported on, found with git against ``origin/<target>``; when
git cannot tell (a shallow checkout, the target branch not fetched), every file
under the paths is linted and a warning says to set ``fetchDepth: 0``. Outside a
PR the given paths are linted.

Output, all on stdout: one ``task.logissue`` per error and warning (errors
first), a Markdown summary uploaded with ``task.uploadsummary``, the SARIF file
published as the ``CodeAnalysisLogs`` artifact when asked for, one sticky PR
thread (Azure Repos only), one line-anchored thread per fixable finding carrying a
```` ```suggestion ```` (resolved when the finding is gone), and ``task.complete`` with the result that ``failOn``
gives. The exit status is 1 when the build should fail, 2 on bad input, else 0;
a failure to post the thread is a warning and never changes it.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
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
    run_engine,
    settings_for,
    split_list,
    starts_with_bom,
    text_loader,
    write_text,
)
from aml_lint.config import FAIL_ON_CHOICES, ConfigError, Settings
from aml_lint.findings import LintResult, Severity
from aml_lint.report.azure import command, plain_line
from aml_lint.workspace import find_root

if TYPE_CHECKING:
    from aml_lint.publish.azure_devops import AzureDevOpsClient, PullRequestTarget

SUMMARY_MAX_CHARS = 500_000
ARTIFACT = "CodeAnalysisLogs"  # the SARIF Scans tab reads *.sarif from the artifact of this name
SHALLOW_ADVICE = (
    "set 'fetchDepth: 0' on the 'checkout: self' step so the target branch's history is there"
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise ConfigError(message)


@dataclass
class Options:
    paths: list[str]
    config: str
    fail_on: str
    comment: str
    sarif_file: str
    resolve: bool | None
    suggestions: str = "auto"


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="aml-lint ci azure", description="Lint in an Azure Pipelines step.")
    p.add_argument(
        "paths", nargs="*", help="files or folders (default: the task's paths input, or .)"
    )
    p.add_argument("--config", help="config file (input configFile)")
    p.add_argument(
        "--fail-on",
        help="config | error | warning | never (input failOn; config: the config file's)",
    )
    p.add_argument("--comment", help="auto | always | never (input comment)")
    p.add_argument("--suggestions", help="auto | never (input suggestions)")
    p.add_argument("--sarif-file", help="also write SARIF here and publish it (input sarifFile)")
    p.add_argument(
        "--resolve",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="resolve pip requirements for real (input resolve)",
    )
    return p


def _default_dirs(env: Mapping[str, str], root: Path) -> set[Path]:
    dirs = {root}
    for name in ("BUILD_SOURCESDIRECTORY", "SYSTEM_DEFAULTWORKINGDIRECTORY"):
        if env.get(name):
            dirs.add(Path(env[name]).resolve())
    return dirs


def _file_input(value: str, env: Mapping[str, str], root: Path) -> str:
    """A ``filePath`` input left empty arrives as the sources folder: treat that as unset."""
    if not value:
        return ""
    path = output_path(root, value)
    if path.is_dir() and path.resolve() in _default_dirs(env, root):
        return ""
    return value


def read_options(argv: list[str], env: Mapping[str, str], root: Path) -> Options:
    args = _parser().parse_args(argv)
    paths = [str(p) for p in args.paths] or split_list(env_input(env, "paths"))
    # "config" (the task's default): the config file's fail-on, or error when it has none.
    fail_on = args.fail_on or env_input(env, "failOn", "config")
    comment = args.comment or env_input(env, "comment", "auto")
    suggestions = args.suggestions or env_input(env, "suggestions", "auto")
    resolve = args.resolve if args.resolve is not None else flag_input(env, "resolve")
    return Options(
        paths=paths,
        config=_file_input(args.config or env_input(env, "configFile"), env, root),
        fail_on=choice(fail_on, ("config", *FAIL_ON_CHOICES), "failOn").replace("config", ""),
        comment=choice(comment, COMMENT_CHOICES, "comment"),
        sarif_file=_file_input(args.sarif_file or env_input(env, "sarifFile"), env, root),
        resolve=resolve,
        suggestions=choice(suggestions, SUGGESTION_CHOICES, "suggestions"),
    )


# -- changed files ------------------------------------------------------------------------


def _has_commit(root: Path, rev: str) -> bool:
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def target_branch(env: Mapping[str, str]) -> str:
    """``refs/heads/main`` (Azure Repos) or ``main`` (GitHub) -> ``main``; empty outside a PR."""
    branch = env.get("SYSTEM_PULLREQUEST_TARGETBRANCH", "").strip()
    return branch.removeprefix("refs/heads/")


def pr_changed_files(root: Path, env: Mapping[str, str]) -> ChangedFiles:
    branch = target_branch(env)
    if not branch:
        return ChangedFiles(None, "none")
    problems: list[str] = []
    for base in (f"origin/{branch}", f"refs/remotes/origin/{branch}", branch):
        if _has_commit(root, base):
            found = changed_from_git(root, base, "HEAD")
            if found.files is not None:
                return found
            problems.append(found.note.removeprefix("cannot list the changed files from git: "))
            break
    else:
        problems.append(f"the target branch {branch!r} is not in this checkout")
    # A PR build checks out the merge commit: its first parent is the target branch.
    if _has_commit(root, "HEAD^2") and _has_commit(root, "HEAD^1"):
        found = changed_from_git(root, "HEAD^1", "HEAD")
        if found.files is not None:
            return found
    return ChangedFiles(
        None,
        "none",
        f"cannot list the files this pull request changed: {'; '.join(problems)}. "
        f"Linting every file under the given paths instead. If the checkout is shallow, "
        f"{SHALLOW_ADVICE}.",
    )


# -- links for the summary --------------------------------------------------------------------


def _collection(env: Mapping[str, str]) -> str:
    uri = env.get("SYSTEM_COLLECTIONURI") or env.get("SYSTEM_TEAMFOUNDATIONCOLLECTIONURI") or ""
    return uri.rstrip("/") + "/" if uri else ""


def run_url(env: Mapping[str, str]) -> str | None:
    collection, project, build = (
        _collection(env),
        env.get("SYSTEM_TEAMPROJECT"),
        env.get("BUILD_BUILDID"),
    )
    if not (collection and project and build and build.isdigit()):
        return None
    return f"{collection}{quote(project, safe='')}/_build/results?buildId={build}"


def line_link(env: Mapping[str, str]) -> Callable[[str, int], str | None] | None:
    """URL of a file line in the repository at the commit built, or None when unknown."""
    sha = env.get("SYSTEM_PULLREQUEST_SOURCECOMMITID") or env.get("BUILD_SOURCEVERSION") or ""
    if not re.fullmatch(r"[0-9a-fA-F]{7,64}", sha):
        return None
    provider = env.get("BUILD_REPOSITORY_PROVIDER", "")
    collection, project = _collection(env), env.get("SYSTEM_TEAMPROJECT", "")
    repo_name = env.get("BUILD_REPOSITORY_NAME", "")
    if provider == "TfsGit" and collection and project and repo_name:
        base = f"{collection}{quote(project, safe='')}/_git/{quote(repo_name, safe='')}"

        def azure_repos(path: str, line: int) -> str:
            url = f"{base}?path=/{quote(path)}&version=GC{sha}&_a=contents"
            if line > 0:
                url += (
                    f"&line={line}&lineEnd={line}&lineStartColumn=1&lineEndColumn=1&lineStyle=plain"
                )
            return url

        return azure_repos
    repo_uri = env.get("BUILD_REPOSITORY_URI", "").removesuffix(".git").rstrip("/")
    if provider.startswith("GitHub") and repo_uri.startswith("https://"):

        def github(path: str, line: int) -> str:
            return f"{repo_uri}/blob/{sha}/{quote(path)}" + (f"#L{line}" if line > 0 else "")

        return github
    return None


def thread_marker(env: Mapping[str, str]) -> str:
    """Hidden key of our PR thread: one thread per pipeline, stage and job."""
    parts = [
        env.get(n, "") or "-"
        for n in ("SYSTEM_DEFINITIONID", "SYSTEM_STAGENAME", "SYSTEM_PHASENAME")
    ]
    key = "/".join(re.sub(r"[^A-Za-z0-9_.]", "_", p)[:100] for p in parts)
    return f"aml-lint:azure-thread v1 key={key}"


# -- the run ------------------------------------------------------------------------------------


class _Out:
    def __init__(self) -> None:
        self.warnings = 0

    def line(self, text: str) -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    def warning(self, message: str) -> None:
        self.warnings += 1
        self.line(command("task.logissue", {"type": "warning"}, f"aml-lint: {message}"))


def _result_name(settings: Settings, result: LintResult) -> str:
    worst = result.worst()
    if worst is not None and settings.fails(worst):
        return "Failed"
    if worst is not None and worst >= Severity.WARNING:
        return "SucceededWithIssues"
    return "Succeeded"


def main(argv: list[str], *, env: Mapping[str, str] | None = None) -> int:
    env = dict(os.environ) if env is None else dict(env)
    out = _Out()
    root = find_root(Path(env.get("BUILD_SOURCESDIRECTORY") or ".").resolve())
    try:
        options = read_options(argv, env, root)
        changed = pr_changed_files(root, env)
        settings = settings_for(
            root,
            paths=options.paths,
            config=options.config,
            fail_on=options.fail_on,
            changed_files=changed.files,
            resolve=bool(options.resolve),
        )
    except ConfigError as exc:
        out.line(command("task.logissue", {"type": "error"}, f"aml-lint: {exc}"))
        out.line(
            command("task.complete", {"result": "Failed"}, "aml-lint: bad input or configuration")
        )
        return 2

    if changed.note:
        out.warning(changed.note)
    elif changed.files is not None:
        out.line(
            plain_line(
                f"aml-lint: pull request into {target_branch(env)}: "
                f"{len(changed.files)} changed file(s) to report on"
            )
        )

    result = run_engine(settings)

    from aml_lint.report.azure import render

    sys.stdout.write(render(result))
    if changed.note:  # already a warning in the log; the summary and the thread need it too
        result.notes.append(changed.note)
    _upload_summary(out, result, env)
    if options.sarif_file:
        _publish_sarif(out, result, output_path(root, options.sarif_file))
    if options.comment != "never" or options.suggestions != "never":
        _publish_pr(out, result, env, root, options, changed.files)

    status = exit_status(settings, result)
    name = _result_name(settings, result)
    out.line(
        command(
            "task.complete",
            {"result": name},
            f"aml-lint: {result.count(Severity.ERROR)} error(s), "
            f"{result.count(Severity.WARNING)} warning(s), fail on {settings.fail_on}",
        )
    )
    return status


def _upload_summary(out: _Out, result: LintResult, env: Mapping[str, str]) -> None:
    from aml_lint.report.markdown import render_markdown

    text = render_markdown(
        result,
        title="aml-lint",
        link=line_link(env),
        max_chars=SUMMARY_MAX_CHARS,
        run_url=run_url(env),
    )
    base = Path(env.get("AGENT_TEMPDIRECTORY") or tempfile.gettempdir())
    # A folder per run: two aml-lint steps in one job must not overwrite each other's summary.
    path = base / f"aml-lint-{uuid.uuid4().hex[:12]}" / "aml-lint.md"
    try:
        write_text(path, text)
    except OSError as exc:
        out.warning(f"cannot write the summary {path}: {exc.strerror or exc}")
        return
    out.line(command("task.uploadsummary", data=str(path)))


def _publish_sarif(out: _Out, result: LintResult, path: Path) -> None:
    from aml_lint.report import render

    try:
        write_text(path, render(result, "sarif"))
    except OSError as exc:
        out.warning(f"cannot write the SARIF file {path}: {exc.strerror or exc}")
        return
    if path.suffix.lower() != ".sarif":
        out.warning(f"{path.name}: the Scans tab only shows files named *.sarif; published anyway")
    out.line(
        command(
            "artifact.upload",
            {"containerfolder": ARTIFACT, "artifactname": ARTIFACT},
            str(path.resolve()),
        )
    )


def _publish_pr(
    out: _Out,
    result: LintResult,
    env: Mapping[str, str],
    root: Path,
    options: Options,
    changed: list[str] | None,
) -> None:
    """The suggestion threads, then the summary thread (with the fixes that are not suggestions)."""
    from aml_lint.publish import azure_devops as ado

    target = ado.PullRequestTarget.from_env(env)
    if target is None:
        out.line(
            "aml-lint: no pull request thread: this build was not started by a pull request's "
            "build validation policy (SYSTEM_PULLREQUEST_PULLREQUESTID is not set)"
        )
        return
    provider = env.get("BUILD_REPOSITORY_PROVIDER", "TfsGit")
    if provider != "TfsGit":
        out.line(
            plain_line(
                f"aml-lint: no pull request thread: the repository is on {provider}, "
                "threads are posted on Azure Repos pull requests only"
            )
        )
        return
    token = env.get("SYSTEM_ACCESSTOKEN", "")
    if not token:
        out.warning(
            "cannot update the pull request thread: no access token. In a script step add "
            "'env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)' (the AmlLint task passes it itself)"
        )
        return
    try:
        client = ado.AzureDevOpsClient(target.collection_uri, token)
    except ado.AzureDevOpsError as exc:
        out.warning(ado.explain(exc).replace(token, "***"))
        return
    appendix = ""
    if options.suggestions != "never":
        try:
            appendix = _publish_suggestions(out, client, target, result, root, env, changed)
        except ado.AzureDevOpsError as exc:
            out.warning(ado.explain(exc, "the suggestion threads").replace(token, "***"))
            if exc.is_permission_error:
                return  # the summary thread would be refused alike: one warning is enough
    if options.comment != "never":
        _publish_thread(
            out, result, env, client, target, token, appendix,
            create_when_clean=options.comment == "always",
        )


def _publish_suggestions(
    out: _Out,
    client: AzureDevOpsClient,
    target: PullRequestTarget,
    result: LintResult,
    root: Path,
    env: Mapping[str, str],
    changed: list[str] | None,
) -> str:
    """One thread per fixable finding on a changed file; the Markdown of the other fixes."""
    from aml_lint.publish import azure_devops as ado
    from aml_lint.publish.suggestions import MAX_PER_RUN, diff_section, plan

    load = text_loader(root)
    made = plan(result.findings, load)
    files = set(changed) if changed is not None else None
    same = _checkout_matches_source(root, env)
    inside = [
        s
        for s in made.suggestions
        if (files is None or s.path in files)
        and same(s.path)
        and not (s.start_line == 1 and starts_with_bom(root, s.path))
    ]
    diffs = list(made.diffs) + [(s.finding, s.fix) for s in made.suggestions if s not in inside]
    outcome = ado.sync_suggestion_threads(
        client,
        target,
        inside,
        {s.key for s in made.suggestions},
        limit=MAX_PER_RUN,
    )
    if outcome.created or outcome.kept or outcome.resolved or outcome.reopened:
        out.line(
            f"aml-lint: suggestion threads: {outcome.created} posted, {outcome.kept} already on the "
            f"pull request, {outcome.resolved} resolved (finding gone), {outcome.reopened} reopened"
            + (f", {outcome.left_over} more next run" if outcome.left_over else "")
        )
    return diff_section(
        diffs,
        load,
        more_suggestions=outcome.left_over,
        posted=outcome.created + outcome.kept,
    )


def _checkout_matches_source(root: Path, env: Mapping[str, str]) -> Callable[[str], bool]:
    """Whether a file checked out is the file on the PR's source branch (threads anchor on its
    lines). A PR build checks out the merge into the target; when the target changed the file
    too, the lines differ, and when git cannot tell (a shallow merge) we do not guess."""
    from aml_lint.ci.common import head_parents, same_as_checkout

    parents = head_parents(root) or []
    if len(parents) < 2:
        return lambda path: True  # the source commit itself is checked out
    source = env.get("SYSTEM_PULLREQUEST_SOURCECOMMITID", "").strip() or parents[1]
    cache: dict[str, bool] = {}

    def same(path: str) -> bool:
        if path not in cache:
            cache[path] = bool(same_as_checkout(root, source, path))
        return cache[path]

    return same


def _publish_thread(
    out: _Out,
    result: LintResult,
    env: Mapping[str, str],
    client: AzureDevOpsClient,
    target: PullRequestTarget,
    token: str,
    appendix: str,
    *,
    create_when_clean: bool,
) -> None:
    from aml_lint.publish import azure_devops as ado
    from aml_lint.report.markdown import render_markdown

    marker = thread_marker(env)
    body = render_markdown(
        result,
        title="aml-lint",
        link=line_link(env),
        max_chars=ado.BODY_BUDGET,
        run_url=run_url(env),
        marker=marker,
        appendix=appendix,
    )
    has_findings = bool(result.findings)
    try:
        outcome = ado.upsert_thread(
            client,
            target,
            body,
            f"<!-- {marker} -->",
            has_findings=has_findings,
            create_when_clean=create_when_clean,
        )
    except ado.AzureDevOpsError as exc:
        out.warning(ado.explain(exc).replace(token, "***"))
        return
    if outcome.action == "skipped":
        out.line("aml-lint: no findings and no earlier thread: nothing posted on the pull request")
        return
    extra = (
        f", closed {len(outcome.closed_duplicates)} duplicate(s)"
        if outcome.closed_duplicates
        else ""
    )
    out.line(
        f"aml-lint: pull request thread {outcome.thread_id} {outcome.action} "
        f"(status {outcome.status}){extra}"
    )
