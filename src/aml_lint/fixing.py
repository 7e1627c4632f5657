"""Applying fixes: ``aml-lint check --fix`` / ``--diff`` / ``--unsafe-fixes``.

The loop: lint, take every applicable fix that does not overlap one already taken (in the
order of the findings: path, position, rule), apply them in memory, lint again on the new
texts, until no fix is left or ``MAX_PASSES`` passes ran. A fix that overlaps another waits
for the next pass: by then it is recomputed on the new text, or its finding is gone.

Nothing is written until the loop ends, then each changed file is written once, atomically
(a temporary file in the same folder, fsync, ``os.replace``), with its mode, line endings and
UTF-8 byte-order mark kept. A file is never written

- through a symlink that leads out of the repository root (a symlink inside it: its target is
  written);
- when it was not read whole and decoded cleanly (non-UTF-8, binary, over the size limit):
  aml-lint has no text for it, so its fixes are skipped and the run says so;
- when it changed on disk since it was read (its text is compared just before the rename);
- when it is read-only, or has other hard links (a rename would leave them the old text).

Files joined by a multi-file fix are written as one group: all of them or none (a failed
rename puts back the files of the group already renamed). Killed between two renames, a run
leaves every file as it was or fully fixed, never half written.

Between passes the linter reads the fixed texts from memory, not from disk (``_overlay``), so
``--diff`` shows exactly what ``--fix`` would write without writing anything.
"""

from __future__ import annotations

import codecs
import contextlib
import difflib
import os
import posixpath
import re
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from aml_lint.config import Settings
from aml_lint.findings import Finding, LintResult
from aml_lint.fix import Edit, Fix, apply_edits

if TYPE_CHECKING:
    from aml_lint.documents import ReadProblem

# Fixes inserting at one place (packages appended to one pip list) take a pass each: 25 passes
# cover a script with two dozen missing packages; each pass costs one lint.
MAX_PASSES = 25
BOM = codecs.BOM_UTF8

Lint = Callable[[Settings], LintResult]


@dataclass
class FixRun:
    """What a ``--fix`` / ``--diff`` run did."""

    result: LintResult  # the last lint: what is left once the fixes are applied
    before: dict[str, str] = field(default_factory=dict)  # rel -> text as first read
    after: dict[str, str] = field(default_factory=dict)  # rel -> text with the fixes applied
    fixed: list[Finding] = field(default_factory=list)  # findings whose fix was applied
    skipped: list[str] = field(default_factory=list)  # plain-language notes: a fix not applied, and why
    passes: int = 0
    bound_hit: bool = False
    written: list[str] = field(default_factory=list)  # rels written to disk (--fix only)
    groups: list[set[str]] = field(default_factory=list)  # files a multi-file fix joins

    @property
    def changed(self) -> list[str]:
        return sorted(rel for rel, text in self.after.items() if text != self.before.get(rel))


FIX_KINDS = ("safe", "unsafe", "safe or unsafe")


def rule_fix(module: object) -> str | None:
    """What a rule module's ``FIX`` constant says: "safe", "unsafe", "safe or unsafe", or None."""
    value = getattr(module, "FIX", None)
    if value is None:
        return None
    if value not in FIX_KINDS:
        raise ValueError(f"FIX = {value!r}: expected one of {', '.join(map(repr, FIX_KINDS))}")
    return str(value)


def applicable(fix: Fix | None, unsafe: bool) -> bool:
    return fix is not None and (fix.safe or unsafe)


def _clean_rel(rel: str) -> str | None:
    """A repository-relative path an edit may name, or None when it leaves the root."""
    if not rel or rel.startswith("/") or "\0" in rel:
        return None
    norm = posixpath.normpath(rel)
    if norm in (".", "..") or norm.startswith("../"):
        return None
    return norm


def _target(root: Path, rel: str) -> Path | None:
    """The real file a fix of ``rel`` writes: symlinks resolved, and only inside the root."""
    try:
        resolved = (root / rel).resolve(strict=True)
        resolved.relative_to(root.resolve())
    except (OSError, ValueError, RuntimeError):
        return None
    return resolved


def fix_project(settings: Settings, *, unsafe: bool = False, lint: Lint | None = None,
                max_passes: int = MAX_PASSES) -> FixRun:
    """Lint, apply the applicable fixes in memory, lint again, until nothing changes."""
    if lint is None:
        from aml_lint.engine import run as lint_run

        lint = lint_run
    root = settings.root
    run = FixRun(result=LintResult(findings=[], rules={}))
    current: dict[str, str] = {}  # rel -> text the next lint reads
    refused: set[tuple[str, str]] = set()  # (rule, path) notes already given
    while True:
        with _overlay(root, current):
            result = lint(settings)
        run.result = result
        if run.passes >= max_passes:
            run.bound_hit = any(applicable(f.fix, unsafe) for f in result.findings)
            break
        taken: list[Edit] = []
        chosen: list[tuple[Finding, Fix]] = []
        for finding in result.findings:  # sorted: path, line, column, rule
            fix = finding.fix
            if fix is None or not applicable(fix, unsafe):
                continue
            problem = _refusal(root, fix, result, current)
            if problem is not None:
                key = (finding.rule_id, problem)
                if key not in refused:
                    refused.add(key)
                    run.skipped.append(f"fix of {finding.rule_id} on {finding.path} not applied: {problem}")
                continue
            # An edit another chosen fix makes too (the same '- pip' line two fixes need) is made
            # once, for both; any other overlap waits for the next pass, recomputed on the new text.
            fresh = [e for e in fix.edits if e not in taken]
            if any(e.overlaps(t) for e in fresh for t in taken):
                continue
            taken.extend(fresh)
            chosen.append((finding, fix))
        if not chosen:
            break
        by_file: dict[str, list[Edit]] = {}
        for _, fix in chosen:
            for edit in fix.edits:
                by_file.setdefault(edit.path, [])
                if edit not in by_file[edit.path]:
                    by_file[edit.path].append(edit)
        changed_any = False
        for rel, edits in by_file.items():
            text = result.sources[rel]
            run.before.setdefault(rel, text)
            new = apply_edits(text, edits)
            if new != text:
                changed_any = True
            current[rel] = new
            run.after[rel] = new
        for finding, fix in chosen:
            run.fixed.append(finding)
            if len(fix.paths) > 1:
                _join(run.groups, set(fix.paths))
        run.passes += 1
        if not changed_any:
            break
    if run.bound_hit:
        run.skipped.append(f"stopped after {max_passes} passes with fixes still to apply "
                           "(fixes that undo each other?): run again, or report it")
    # A fix that put a file back as it was is no change at all.
    for rel in [r for r, t in run.after.items() if t == run.before.get(r)]:
        del run.after[rel]
    return run


def _refusal(root: Path, fix: Fix, result: LintResult, current: dict[str, str]) -> str | None:
    """Why ``fix`` cannot be applied, or None."""
    for edit in fix.edits:
        rel = _clean_rel(edit.path)
        if rel is None or rel != edit.path:
            return f"{edit.path!r} is not a path inside the repository"
        text = result.sources.get(rel)
        if text is None:
            return f"{rel} was not read whole as UTF-8 text (non-UTF-8, binary or over the size limit)"
        if rel in current and current[rel] != text:
            return f"{rel}: the fix was computed on another text (a bug in the rule)"
        if not 0 <= edit.start <= edit.end <= len(text):
            return f"{rel}: the edit lies outside the file (a bug in the rule)"
        if _target(root, rel) is None:
            return f"{rel} leads outside the repository (a symlink) or is gone"
    per_file: dict[str, list[Edit]] = {}
    for edit in fix.edits:
        per_file.setdefault(edit.path, []).append(edit)
    changes = False
    for rel, edits in per_file.items():
        text = result.sources[rel]
        try:
            new = apply_edits(text, edits)
        except ValueError:
            return f"{rel}: its edits overlap each other (a bug in the rule)"
        changes = changes or new != text
    if not changes:
        return "the fix changes nothing (a bug in the rule)"
    return None


def _join(groups: list[set[str]], paths: set[str]) -> None:
    """Union of path sets that share a path: files a multi-file fix ties together."""
    merged = set(paths)
    for group in [g for g in groups if g & merged]:
        merged |= group
        groups.remove(group)
    groups.append(merged)


# ----------------------------------------------------------------------------------------------
# Reading the fixed texts between passes


@contextlib.contextmanager
def _overlay(root: Path, texts: dict[str, str]) -> Iterator[None]:
    """While linting, files in ``texts`` (rel -> text) read as that text instead of the disk's.

    The graph reads every file through ``read_text`` and the ``--changed-files`` scan through
    ``scope._read``; both are swapped for the duration of one lint and put back after.
    """
    if not texts:
        yield
        return
    import aml_lint.graph.project as graph  # where the graph reads files
    import aml_lint.scope as scope

    by_path = {os.path.normpath(os.path.join(os.fspath(root), rel)): text for rel, text in texts.items()}
    real_read_text = graph.read_text
    real_scope_read = scope._read

    def read_text(path: Path) -> tuple[str | None, ReadProblem | None]:
        text = by_path.get(os.path.normpath(os.path.abspath(path)))
        return real_read_text(path) if text is None else (text, None)

    def scope_read(path: str) -> str | None:
        text = by_path.get(os.path.normpath(os.path.abspath(path)))
        return real_scope_read(path) if text is None else text[:scope.MAX_READ]

    graph.read_text = read_text
    scope._read = scope_read
    try:
        yield
    finally:
        graph.read_text = real_read_text
        scope._read = real_scope_read


# ----------------------------------------------------------------------------------------------
# Writing


class _Skip(Exception):
    """A file of a group cannot be written safely: the group is left alone."""


def write_fixes(run: FixRun, root: Path) -> None:
    """Write every changed file atomically; a group joined by a multi-file fix all or nothing."""
    changed = run.changed
    groups: list[set[str]] = []
    for group in run.groups:
        members = group & set(changed)
        if members:
            groups.append(members)
    grouped = set().union(*groups) if groups else set()
    groups += [{rel} for rel in changed if rel not in grouped]
    for group in sorted(groups, key=min):
        try:
            _write_group(root, sorted(group), run)
        except _Skip as exc:
            run.skipped.append(str(exc))


@dataclass
class _Prepared:
    rel: str
    target: Path
    temp: str
    old: bytes
    info: os.stat_result


def _check_unchanged(root: Path, rel: str, expected: str) -> tuple[Path, bytes, os.stat_result]:
    """The real file behind ``rel``, its bytes and stat, when it still holds ``expected``."""
    target = _target(root, rel)
    if target is None:
        raise _Skip(f"{rel} not written: it leads outside the repository (a symlink) or is gone")
    try:
        info = os.stat(target)
        if not stat.S_ISREG(info.st_mode):
            raise _Skip(f"{rel} not written: not a regular file")
        if not info.st_mode & 0o222 or not os.access(target, os.W_OK):  # mode bits: root too
            raise _Skip(f"{rel} not written: the file is read-only")
        if info.st_nlink > 1:  # a rename would leave the other names with the old text
            raise _Skip(f"{rel} not written: it has {info.st_nlink} hard links")
        if info.st_size > 4 * len(expected) + len(BOM):  # more bytes than the text can take
            raise _Skip(f"{rel} not written: it changed on disk since aml-lint read it; run again")
        data = target.read_bytes()
    except OSError as exc:
        raise _Skip(f"{rel} not written: cannot read it again ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text != expected:
        raise _Skip(f"{rel} not written: it changed on disk since aml-lint read it; run again")
    return target, data, info


def _write_temp(target: Path, data: bytes, info: os.stat_result) -> str:
    """A temporary file beside ``target`` holding ``data``, with its mode (and owner, when allowed)."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".aml-lint-tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.chmod(temp, stat.S_IMODE(info.st_mode))  # by name: os.fchmod is POSIX-only
            if hasattr(os, "fchown") and (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
                with contextlib.suppress(OSError):  # only root may give a file away
                    os.fchown(fh.fileno(), info.st_uid, info.st_gid)
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return temp


def _write_group(root: Path, rels: list[str], run: FixRun) -> None:
    prepared: list[_Prepared] = []
    done: list[_Prepared] = []
    try:
        targets: set[Path] = set()
        for rel in rels:
            target, data, info = _check_unchanged(root, rel, run.before[rel])
            if target in targets:
                raise _Skip(f"{rel} not written: another fixed path is the same file (a symlink)")
            targets.add(target)
            new = run.after[rel].encode("utf-8")
            if data.startswith(BOM):
                new = BOM + new
            try:
                temp = _write_temp(target, new, info)
            except OSError as exc:
                raise _Skip(f"{rel} not written: {exc.strerror or exc}") from None
            prepared.append(_Prepared(rel, target, temp, data, info))
        for item in prepared:  # the last look before the renames: nothing changed meanwhile
            _check_unchanged(root, item.rel, run.before[item.rel])
        for item in prepared:
            try:
                os.replace(item.temp, item.target)
            except OSError as exc:
                _put_back(done)
                names = ", ".join(rels)
                raise _Skip(f"{names} not written: {exc.strerror or exc} (files of one fix are "
                            "written together or not at all)") from None
            done.append(item)
            run.written.append(item.rel)
        _sync_folders(item.target.parent for item in done)
    finally:
        for item in prepared:
            if item not in done:
                with contextlib.suppress(OSError):
                    os.unlink(item.temp)


def _put_back(done: list[_Prepared]) -> None:
    """Undo the renames of a group that could not be written whole."""
    for item in reversed(done):
        with contextlib.suppress(OSError):
            temp = _write_temp(item.target, item.old, item.info)
            os.replace(temp, item.target)
    done.clear()


def _sync_folders(folders: Iterable[Path]) -> None:
    """fsync the folders so the renames survive a power cut (best effort: not every OS allows it)."""
    for folder in set(folders):
        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


# ----------------------------------------------------------------------------------------------
# The diff

_UNSAFE_IN_LOG = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]|##(?=\[|vso\[)|^\s*::", re.I)


def unified_diff(run: FixRun) -> str:
    """``diff -u`` of every changed file, paths ``a/<rel>`` and ``b/<rel>``."""
    from aml_lint.report.text import clean, line_start

    out: list[str] = []
    for rel in run.changed:
        name = clean(rel)
        lines = difflib.unified_diff(_lines(run.before[rel]), _lines(run.after[rel]),
                                     fromfile=f"a/{name}", tofile=f"b/{name}")
        for line in lines:
            body = line.rstrip("\r\n")
            ending = line[len(body):]
            if _UNSAFE_IN_LOG.search(body[1:]) or _UNSAFE_IN_LOG.search(body):
                # Repository text printed in a CI log: no control characters, no runner commands.
                body = line_start(body)
            if not ending:
                ending = "\n\\ No newline at end of file\n"
            out.append(body + ending)
    return "".join(out)


def _lines(text: str) -> list[str]:
    """Lines split at "\\n" only (str.splitlines also splits at form feeds and U+2028)."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
