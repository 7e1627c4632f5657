"""Which files to look at: walking folders, git's view of the tree, path safety.

Nothing here reads file contents. Every path that leaves this module is inside
the repository root: symlinks and ``..`` that lead outside are refused.
"""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

# Folders never worth walking into.
SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".nox",
     ".mypy_cache", ".ruff_cache", ".pytest_cache", "site-packages", ".eggs"}
)
GIT_TIMEOUT = 60
# A SKIP_DIRS folder anywhere in a relative path: one C-level search per file of a large listing.
_SKIP_RE = re.compile("(?:^|/)(?:" + "|".join(re.escape(d) for d in sorted(SKIP_DIRS)) + ")/")


class GitError(Exception):
    """git could not answer; the message says what to do."""


class ShallowHistoryError(GitError):
    """The checkout lacks the commits needed to compute the changed files."""


def find_root(start: Path) -> Path:
    """The git top level containing ``start``, or ``start`` itself (its folder for a file)."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


def is_inside(path: Path, root: Path) -> bool:
    """True when ``path`` (after resolving symlinks and ``..``) lies under ``root``."""
    try:
        path.resolve().relative_to(_resolved(root))
    except (ValueError, OSError, RuntimeError):
        return False
    return True


@lru_cache(maxsize=8)
def _resolved(root: Path) -> Path:
    """The root, resolved once: it is asked about every link of every file."""
    return root.resolve()


def relpath(path: Path, root: Path) -> str:
    """Repository-relative POSIX path (the form every reporter uses)."""
    path = Path(os.path.normpath(path.absolute()))
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()


def matches_any(rel: str, globs: Iterable[str]) -> bool:
    """``exclude:`` matching: a glob matches the path, or any of its parent folders."""
    parts: tuple[str, ...] = ()
    for glob in globs:
        pattern = glob.rstrip("/")
        if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern + "/**"):
            return True
        parts = parts or PurePosixPath(rel).parts  # split once, and only when there is a glob
        for i in range(1, len(parts)):
            if fnmatch.fnmatch("/".join(parts[:i]), pattern):
                return True
    return False


def _git(root: Path, *args: str) -> str:
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {' '.join(args)} took longer than {GIT_TIMEOUT} s") from None
    if proc.returncode != 0:
        raise GitError(proc.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} failed")
    # Bytes decoded as the OS does (surrogateescape), not text=True: universal newlines
    # would turn a CR in a file name into LF, and a non-UTF-8 name would raise.
    return os.fsdecode(proc.stdout)


def git_files(root: Path) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files, or None when ``root`` is not a git checkout."""
    if not (root / ".git").exists():
        return None
    try:
        out = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    except GitError:
        return None
    return sorted({p for p in out.split("\0") if p})


def walk(root: Path, paths: Iterable[Path], exclude: Iterable[str] = ()) -> Iterator[str]:
    """Every candidate file under ``paths`` (files given directly are always included), as a
    repository-relative POSIX path.

    Honours ``.gitignore`` when ``root`` is a git checkout, skips excluded globs, and never
    yields a path outside ``root``. Strings, not Paths: a large repository's listing costs no
    Path object per file until a file is chosen.
    """
    exclude = tuple(exclude)
    tracked = git_files(root)
    tracked_set = set(tracked) if tracked is not None else None
    root_text = os.fspath(root)
    seen: set[str] = set()
    for given in paths:
        given = given if given.is_absolute() else Path.cwd() / given
        if not is_inside(given, root):
            continue
        if given.is_file():
            rel = relpath(given, root)
            if rel not in seen and not matches_any(rel, exclude):
                seen.add(rel)
                yield rel
            continue
        if not given.is_dir():
            continue
        prefix = relpath(given, root)
        prefix = "" if prefix == "." else prefix + "/"
        if tracked_set is not None:
            candidates: Iterable[str] = (p for p in tracked if p.startswith(prefix))  # type: ignore[union-attr]
        else:
            candidates = _walk_fs(root, given)
        for rel in candidates:
            if rel in seen or (exclude and matches_any(rel, exclude)):
                continue
            if _SKIP_RE.search(rel):  # git and _walk_fs give clean paths
                continue
            if os.path.islink(os.path.join(root_text, rel)) and not is_inside(root / rel, root):
                continue
            seen.add(rel)
            yield rel


def _walk_fs(root: Path, top: Path) -> Iterator[str]:
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        folder = relpath(Path(dirpath), root)  # once per folder, not per file
        prefix = "" if folder == "." else folder + "/"
        for name in sorted(filenames):
            yield prefix + name


IGNORE_FILES = (".gitignore", ".amlignore")
MAX_IGNORE_FILE = 1 << 20


class IgnoreFiles:
    """The repository's ``.gitignore`` and ``.amlignore`` files, matched the way git matches them.

    Patterns come from the ignore file of every folder from the root down to the path, a deeper
    file overriding a higher one, the last matching line of a file winning (``!`` re-includes),
    and nothing under an ignored folder can be re-included. Each pattern is matched by pathspec's
    GitIgnoreSpec (anchoring, ``**``, ``dir/`` patterns, escapes, as git does), not by our own
    code; files outside the root or over 1 MiB are not read. Asked only about paths that are
    missing, so pathspec is imported only then.
    """

    def __init__(self, root: Path, names: tuple[str, ...] = IGNORE_FILES, nested: bool = True) -> None:
        self.root = root
        self.names = names  # the ignore files read in each folder
        self.nested = nested  # False: only the root's (Docker and AzureML read no other)
        self._specs: dict[str, list[tuple[str, GitIgnoreSpec]]] = {}

    def ignored_by(self, rel: str, is_dir: bool | None = None) -> str | None:
        """The ignore file (repository-relative) that ignores ``rel``, or None.

        ``is_dir`` says what ``rel`` is; None when unknown (a path that does not exist), and then
        a pattern for either a file or a folder counts.
        """
        parts = [p for p in rel.split("/") if p not in ("", ".")]
        if not parts or ".." in parts:
            return None
        for i in range(1, len(parts) + 1):  # a folder on the way first: git never looks inside it
            last = i == len(parts)
            for as_dir in ((is_dir,) if is_dir is not None else (False, True)) if last else (True,):
                source = self._decide(parts[:i], as_dir)
                if source is not None:
                    return source
        return None

    def _decide(self, parts: list[str], as_dir: bool) -> str | None:
        verdict: tuple[bool, str] | None = None
        for depth in range(len(parts) if self.nested else 1):  # root first, the deepest folder last: it has the last word
            folder = "/".join(parts[:depth])
            tail = "/".join(parts[depth:]) + ("/" if as_dir else "")
            for name, spec in self._in(folder):
                include = spec.check_file(tail).include
                if include is not None:
                    verdict = (include, f"{folder}/{name}" if folder else name)
        return verdict[1] if verdict is not None and verdict[0] else None

    def _in(self, folder: str) -> list[tuple[str, GitIgnoreSpec]]:
        found = self._specs.get(folder)
        if found is None:
            found = self._specs[folder] = []
            for name in self.names:
                path = self.root / folder / name
                try:
                    if not path.is_file() or path.stat().st_size > MAX_IGNORE_FILE or not is_inside(path, self.root):
                        continue
                    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
                except (OSError, ValueError):
                    continue
                from pathspec import GitIgnoreSpec  # noqa: PLC0415 (only when a path is missing)

                found.append((name, GitIgnoreSpec.from_lines(lines)))
        return found


def git_changed_files(root: Path, base: str, head: str = "HEAD") -> list[str]:
    """Files changed between the merge base of ``base`` and ``head`` (``base...head``).

    Raises ShallowHistoryError when the history needed for the merge base is
    missing, with advice for GitHub (``fetch-depth: 0``) and Azure (``fetchDepth: 0``).
    """
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    except GitError:
        raise ShallowHistoryError(
            f"the base revision {base!r} is not in this checkout; fetch it "
            "(GitHub: actions/checkout with fetch-depth: 0; Azure Pipelines: checkout with fetchDepth: 0)"
        ) from None
    try:
        out = _git(root, "diff", "--name-only", "-z", "--no-renames", "--diff-filter=ACMRTD", f"{base}...{head}")
    except GitError as exc:
        if "no merge base" in str(exc).lower():
            raise ShallowHistoryError(
                f"no common history between {base!r} and {head!r}: the checkout is too shallow "
                "(GitHub: actions/checkout with fetch-depth: 0; Azure Pipelines: checkout with fetchDepth: 0)"
            ) from None
        raise
    return sorted({p for p in out.split("\0") if p})


def read_changed_files_list(path: Path) -> list[str]:
    """``--changed-files FILE``: one path per line; blank lines and ``#`` comments ignored."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
