"""Ignore files, as evidence: a missing file that an ignore file lists is produced by an earlier
step, and a file that a build context's or code folder's own ignore file excludes never reaches
the build or the deployment.

Two questions, two sets of files, one matcher (``IgnoreFiles``: pathspec's GitIgnoreSpec, as git
matches, files outside the folder or over 1 MiB not read):

- Generated? The repository's view: every ``.gitignore`` and ``.amlignore`` from the root down.
  A missing ``requirements.txt`` or model folder they list is written by a script, training or
  ``dvc pull`` before it is used; unless the same files also ignore the YAML or Dockerfile that
  names it (then they are about uploads or the like, not about generated files).
- Excluded? Only the ignore files at the root of what is sent: Docker reads the ``.dockerignore``
  of the build context, and AzureML, when it uploads an environment's build context or a code
  folder, applies the ``.amlignore`` there, or the ``.gitignore`` there when there is no
  ``.amlignore`` (azure-ai-ml ``get_ignore_file(path)``), and nothing above or below it. A file
  either excludes never reaches the build or the deployment, generated or not.

``.dockerignore`` patterns are matched the way ``.gitignore`` ones are, which matches at least as
much as Docker does: when unsure, the file counts as excluded (the error stays).
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import TYPE_CHECKING

from aml_lint.workspace import IGNORE_FILES, IgnoreFiles, is_inside, relpath

if TYPE_CHECKING:
    from aml_lint.graph import Project


def generated_by(project: Project, rel: str, referrer: str, is_dir: bool | None = None) -> str | None:
    """The ``.gitignore`` or ``.amlignore`` (repository-relative) that ignores the missing path
    ``rel``, unless it also ignores ``referrer``, the file that names the path; else None."""
    ignores = _ignore_files(project, project.root, IGNORE_FILES, nested=True)
    found = ignores.ignored_by(rel, is_dir)
    return found if found is not None and ignores.ignored_by(referrer, False) is None else None


def excluded_from_upload(project: Project, folder: Path, rel: str) -> str | None:
    """The ignore file (repository-relative) that keeps ``rel`` (relative to ``folder``) out of
    AzureML's upload of ``folder`` (a code folder, an environment's build context): its
    ``.amlignore``, or without one its ``.gitignore``; None when nothing does."""
    name = ".amlignore" if _is_file(folder / ".amlignore") else ".gitignore"
    return _excluded(project, folder, name, rel)


def excluded_from_context(project: Project, context: Path, rel: str, azureml: bool) -> str | None:
    """The ignore file (repository-relative) that keeps ``rel`` (relative to ``context``) out of
    a Docker build from ``context``: its ``.dockerignore``; when AzureML uploads the context
    (``azureml``), also what keeps it out of the upload. None when nothing does."""
    found = _excluded(project, context, ".dockerignore", rel)
    if found is None and azureml:
        found = excluded_from_upload(project, context, rel)
    return found


# Each project's matchers, one per (folder, names, nested): every ignore file is read once per run.
_CACHE: weakref.WeakKeyDictionary[Project, dict[tuple[Path, tuple[str, ...], bool], IgnoreFiles]] = \
    weakref.WeakKeyDictionary()


def _ignore_files(project: Project, folder: Path, names: tuple[str, ...], nested: bool) -> IgnoreFiles:
    files = _CACHE.setdefault(project, {})
    key = (folder, names, nested)
    if key not in files:
        files[key] = IgnoreFiles(folder, names, nested=nested)
    return files[key]


def _excluded(project: Project, folder: Path, name: str, rel: str) -> str | None:
    if not is_inside(folder, project.root):
        return None
    if _ignore_files(project, folder, (name,), nested=False).ignored_by(rel) is None:
        return None
    where = relpath(folder, project.root)
    return f"{where}/{name}" if where not in ("", ".") else name


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False
