"""Ignore files, as evidence: a missing file that git ignores is produced by an earlier step, and
a file that the build context's own ignore file excludes never reaches the build.

Two different questions, with two different sets of files:

- Generated? Git's view: every ``.gitignore`` from the repository root down (``IgnoreFiles``).
  A missing ``requirements.txt`` that ``.gitignore`` lists is written by a script before the
  build; only a ``.gitignore`` says that (an ``.amlignore`` means "do not upload").
- Excluded from the context? Only the ignore files at the context's root count: Docker reads
  ``.dockerignore`` there, and AzureML, when it uploads an environment's build context (or a
  code folder), applies the ``.amlignore`` there, or the ``.gitignore`` there when there is no
  ``.amlignore`` (azure-ai-ml ``get_ignore_file(path)``), and nothing above it. A file either
  excludes never reaches the build, generated or not.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from aml_lint.workspace import MAX_IGNORE_FILE, is_inside

if TYPE_CHECKING:
    from aml_lint.graph import Project


def generated_by(project: Project, rel: str) -> str | None:
    """The ``.gitignore`` (repository-relative) that ignores the missing path ``rel``, or None."""
    source = project.ignore_files.ignored_by(rel)
    return source if source is not None and PurePosixPath(source).name == ".gitignore" else None


def excluded_from_context(context: Path, rel: str, azureml: bool) -> str | None:
    """The ignore file at the root of ``context`` that keeps ``rel`` (relative to the context) out
    of the build, or None: ``.dockerignore`` always; when AzureML uploads the context, also its
    ``.amlignore`` (or, without one, its ``.gitignore``).

    ``.dockerignore`` patterns are matched the way ``.gitignore`` ones are, which matches at
    least as much as Docker does: when unsure, the file counts as excluded (the error stays).
    """
    names = [".dockerignore"]
    if azureml:
        names.append(".amlignore" if (context / ".amlignore").is_file() else ".gitignore")
    for name in names:
        lines = _lines(context / name, context)
        if lines and _matches(lines, rel):
            return name
    return None


def _lines(path: Path, context: Path) -> list[str]:
    try:
        if not path.is_file() or path.stat().st_size > MAX_IGNORE_FILE or not is_inside(path, context):
            return []
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except (OSError, ValueError):
        return []


def _matches(lines: list[str], rel: str) -> bool:
    from pathspec import GitIgnoreSpec  # noqa: PLC0415 (only when a COPY source is missing)

    spec = GitIgnoreSpec.from_lines(lines)
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    # The path, or a folder on the way to it (nothing under an excluded folder is sent).
    return any(spec.match_file("/".join(parts[:i]) + ("/" if i < len(parts) else "")) for i in
               range(1, len(parts) + 1)) or spec.match_file("/".join(parts) + "/")
