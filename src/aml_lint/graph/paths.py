"""Path helpers of the project graph: existence tests that never raise, absolute paths, and the
near-miss name a missing path was probably meant to be."""

from __future__ import annotations

import os
import re
from pathlib import Path

from aml_lint.workspace import is_inside, relpath

ASSET_PREFIXES = ("azureml:", "azureml://", "http://", "https://", "wasbs://", "abfss://", "adl://")


def exists_as(path: Path, want: str = "file") -> bool:
    """``is_file`` / ``is_dir`` / ``exists`` that answer False for a path the OS refuses
    (a name over NAME_MAX, a NUL byte, a loop) instead of raising: paths come from PR text."""
    try:
        return path.is_file() if want == "file" else path.is_dir() if want == "dir" else path.exists()
    except (OSError, ValueError):
        return False


MAX_SIBLINGS = 2000  # names compared for a near miss: a folder of generated files is not read whole


def is_absolute_path(text: str) -> bool:
    """POSIX ``/x``, Windows ``C:\\x`` / ``C:/x`` and UNC ``\\\\host\\x`` paths."""
    return text.startswith(("/", "\\\\")) or re.match(r"[A-Za-z]:[\\/]", text) is not None


def missing_folder(target: Path, root: Path) -> str | None:
    """The outermost folder on the way to ``target`` that does not exist (None when its folder does)."""
    folder = target.parent
    if exists_as(folder, "dir"):
        return None
    while folder.parent != folder and not exists_as(folder.parent, "dir"):
        folder = folder.parent
    return relpath(folder, root)


def near_miss(base: Path, text: str, want: str, root: Path) -> str | None:
    """``text`` with each missing part replaced by a close name that exists in its folder
    (``conda.yaml`` for ``conda.yml``, ``src`` for ``scr``), when that leads to an existing path."""
    parts = text.replace("\\", "/").split("/")
    current, changed = base, False
    out: list[str] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part in ("", ".", ".."):
            current, out = current / part if part else current, [*out, part]
            continue
        kind = want if last else "dir"
        if exists_as(current / part, kind):
            current, out = current / part, [*out, part]
            continue
        try:
            with os.scandir(current) as entries:
                names = [e.name for _, e in zip(range(MAX_SIBLINGS), entries, strict=False)
                         if kind == "any" or (e.is_dir() if kind == "dir" else e.is_file())]
        except OSError:
            return None
        import difflib  # only for a path that is missing: not worth importing at every start

        lower = {n.lower(): n for n in names}
        match = lower.get(part.lower()) or next(iter(difflib.get_close_matches(part, names, n=1, cutoff=0.75)), None)
        if match is None:
            return None
        current, out, changed = current / match, [*out, match], True
    if changed and exists_as(current, want) and is_inside(current, root):
        return "/".join(out)
    return None



_SUBMODULE_PATH_RE = re.compile(r"^\s*path\s*=\s*(.+?)\s*$", re.M)


def submodule_paths(root: Path) -> list[str]:
    """The submodule paths ``root/.gitmodules`` declares (repository-relative, posix), or none."""
    try:
        text = (root / ".gitmodules").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [m.group(1).strip('"').strip("/") for m in _SUBMODULE_PATH_RE.finditer(text)]
