"""What the CI commands (GitHub Action, Azure Pipelines task) share.

Reading inputs from the environment, turning them into Settings, running the
engine, writing report files, and keeping secrets out of anything printed.
Nothing here knows which CI it runs on.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from aml_lint.config import ConfigError, Settings, build_settings
from aml_lint.findings import LintResult
from aml_lint.workspace import GitError, git_changed_files, is_inside

COMMENT_CHOICES = ("auto", "always", "never")
SUGGESTION_CHOICES = ("auto", "never")


def env_input(env: Mapping[str, str], name: str, default: str = "") -> str:
    """An action/task input from ``INPUT_<NAME>``, whether the runner kept hyphens or not.

    GitHub passes ``fail-on`` as ``INPUT_FAIL-ON``; other runners (and people
    testing by hand) use ``INPUT_FAIL_ON``. Blank counts as unset.
    """
    key = name.upper().replace(" ", "_")
    for candidate in (key, key.replace("-", "_"), key.replace("_", "-")):
        value = env.get("INPUT_" + candidate)
        if value is not None and value.strip():
            return value.strip()
    return default


def flag_input(env: Mapping[str, str], name: str) -> bool:
    """A true/false input; blank is false."""
    return env_input(env, name).lower() in ("true", "1", "yes", "on")


def split_list(text: str) -> list[str]:
    """Paths or names given one per line or comma-separated; blanks and ``#`` comments dropped."""
    items: list[str] = []
    for line in text.replace("\r", "\n").split("\n"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        items.extend(part.strip() for part in line.split(",") if part.strip())
    return items


def choice(value: str, choices: Iterable[str], name: str) -> str:
    value = value.strip().lower()
    options = tuple(choices)
    if value not in options:
        raise ConfigError(f"input {name} must be one of {', '.join(options)}, not {value!r}")
    return value


def paths_in_root(root: Path, given: Iterable[str]) -> list[Path]:
    """Input paths, relative to the repository root, refused when they lead outside it."""
    out: list[Path] = []
    for text in given:
        path = Path(text)
        path = path if path.is_absolute() else root / path
        if not is_inside(path, root):
            raise ConfigError(f"path {text!r} is outside the repository {root}")
        if not path.exists():
            raise ConfigError(f"path {text!r} does not exist in the repository")
        out.append(path)
    return out or [root]


def output_path(root: Path, text: str) -> Path:
    """Where to write a report file: relative paths are relative to the repository root."""
    path = Path(text)
    return path if path.is_absolute() else root / path


@dataclass
class ChangedFiles:
    """The files a PR or push changed, or None with the reason when they are unknown."""

    files: list[str] | None
    source: str  # "git", "api", "none"
    note: str = ""


def changed_from_git(root: Path, base: str, head: str) -> ChangedFiles:
    """``git diff base...head``; on shallow or broken history, None and what to do about it."""
    try:
        return ChangedFiles(git_changed_files(root, base, head), "git")
    except GitError as exc:  # ShallowHistoryError included: its message says to fetch more
        return ChangedFiles(None, "none", f"cannot list the changed files from git: {exc}")


def settings_for(
    root: Path,
    *,
    paths: list[str],
    config: str = "",
    fail_on: str = "",
    changed_files: Iterable[str] | None = None,
    resolve: bool = False,
) -> Settings:
    """Settings from CI inputs; ConfigError (exit 2) on bad input.

    ``resolve`` comes from the pipeline alone: the repository's config is pull-request text, and
    must not be able to make the CI job contact package indexes that the pull request names.
    """
    config_path = None
    if config:
        config_path = output_path(root, config)
    changed = frozenset(changed_files) if changed_files is not None else None
    return build_settings(
        root,
        paths=paths_in_root(root, paths),
        config=config_path,
        fail_on=fail_on or None,
        changed_files=changed,
        resolve=resolve,
    )


def text_loader(root: Path) -> Callable[[str], str | None]:
    """A file's text as aml-lint read it (fix offsets count into it); None when unreadable."""
    from aml_lint.documents import read_text

    cache: dict[str, str | None] = {}

    def load(path: str) -> str | None:
        if path not in cache:
            full = root / path
            cache[path] = read_text(full)[0] if is_inside(full, root) else None
        return cache[path]

    return load


def starts_with_bom(root: Path, path: str) -> bool:
    """A UTF-8 byte-order mark: aml-lint's offsets skip it, so a suggestion that rewrites the
    first line could drop it; such fixes are shown as a diff instead."""
    try:
        with open(root / path, "rb") as fh:
            return fh.read(3) == b"\xef\xbb\xbf"
    except OSError:
        return True


def _git_out(root: Path, *args: str) -> str | None:
    import subprocess

    try:
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def same_as_checkout(root: Path, rev: str, path: str) -> bool | None:
    """Whether ``path`` at ``rev`` is the file checked out (HEAD), or None when git cannot tell.

    CI checks out the merge of the PR into its target; suggestions are placed on the PR head's
    lines. When the target changed the same file the line numbers differ, and a suggestion
    would replace the wrong lines: such files get a diff block instead.
    """
    if not rev:
        return None
    head = _git_out(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    wanted = _git_out(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if head is not None and head == wanted:
        return True
    if wanted is None:
        return None
    ours = _git_out(root, "rev-parse", "--verify", "--quiet", f"HEAD:{path}")
    theirs = _git_out(root, "rev-parse", "--verify", "--quiet", f"{rev}:{path}")
    return ours is not None and ours == theirs


def head_parents(root: Path) -> list[str] | None:
    """The parents of the checked-out commit, read from the commit itself (a shallow clone
    hides them from ``HEAD^2``); None outside a git checkout."""
    raw = _git_out(root, "cat-file", "-p", "HEAD")
    if raw is None:
        return None
    parents = []
    for line in raw.split("\n"):
        if not line:
            break  # the headers end at the first blank line
        if line.startswith("parent "):
            parents.append(line[len("parent "):].strip())
    return parents


def run_engine(settings: Settings) -> LintResult:
    from aml_lint.engine import run  # the engine pulls in rules and schemas: import when needed

    return run(settings)


def exit_status(settings: Settings, result: LintResult) -> int:
    worst = result.worst()
    return 1 if worst is not None and settings.fails(worst) else 0


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def redact(text: str, secrets: Iterable[str]) -> str:
    """Remove tokens from text that is about to be printed (error messages can echo headers)."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def eprint(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def env_flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def environ() -> dict[str, str]:
    return dict(os.environ)
