"""What a fix is: minimal text edits a rule attaches to a finding.

A fix never re-dumps a document: it replaces exact character ranges of the text aml-lint read,
so comments, key order, quoting, indentation and line endings of every untouched line stay
byte-identical. Offsets count characters of ``Document.text`` (the file decoded as UTF-8, a
byte-order mark dropped, line endings kept as they are), so ``\\r\\n`` files keep their
``\\r\\n``: a replacement that adds lines should use :func:`newline_of` for its line breaks.

A fix may span several files (a run-time ``pip install`` removed from a script and the package
added to the conda file). ``safe`` follows ruff's convention: a safe fix keeps the meaning the
author intended and is applied by ``--fix``; an unsafe one changes behaviour in a way a reviewer
must judge and is applied only with ``--unsafe-fixes`` (it is still offered as a suggestion).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True, order=True)
class Edit:
    """Replace ``text[start:end]`` of the file ``path`` (repository-relative) with ``replacement``.

    ``start == end`` inserts; an empty ``replacement`` deletes.
    """

    path: str
    start: int
    end: int
    replacement: str

    def overlaps(self, other: Edit) -> bool:
        """Two edits of one file that touch the same characters (or insert at the same place)."""
        if self.path != other.path:
            return False
        if self.start == self.end == other.start == other.end:
            return True
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class Fix:
    """A change that makes a finding go away: what it does, its edits, and whether it is safe."""

    description: str  # imperative, shown to the user: "write 'azureml:env@latest'"
    edits: tuple[Edit, ...]
    safe: bool = True

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(edit.path for edit in self.edits))

    def overlaps(self, other: Fix) -> bool:
        return any(a.overlaps(b) for a in self.edits for b in other.edits)

    def to_dict(self) -> dict[str, object]:
        return {
            "description": self.description,
            "safe": self.safe,
            "edits": [{"path": e.path, "start": e.start, "end": e.end, "replacement": e.replacement}
                      for e in self.edits],
        }


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with non-overlapping edits of one file applied (callers drop overlapping ones)."""
    out: list[str] = []
    position = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < position or edit.end < edit.start or edit.end > len(text):
            raise ValueError(f"edit {edit.start}:{edit.end} overlaps another or lies outside the text")
        out.append(text[position:edit.start])
        out.append(edit.replacement)
        position = edit.end
    out.append(text[position:])
    return "".join(out)


@lru_cache(maxsize=8)
def _line_starts(text: str) -> tuple[int, ...]:
    """Offsets where each line of ``text`` starts: built once per text, as fixes call
    :func:`line_start` once per edit (a linear scan each time is quadratic on a large file)."""
    return (0, *(m.end() for m in re.finditer("\n", text)))


def line_start(text: str, line: int) -> int:
    """Offset of the first character of 1-based ``line`` (``len(text)`` past the last line)."""
    starts = _line_starts(text)
    return starts[max(line, 1) - 1] if line <= len(starts) else len(text)


def offset(text: str, line: int, col: int) -> int:
    """Offset of 1-based ``line`` and ``col`` (a Location's position) in ``text``."""
    return line_start(text, line) + col - 1


def line_end(text: str, line: int, *, with_newline: bool = False) -> int:
    """Offset just past the last character of 1-based ``line``, before (or after) its line break."""
    start = line_start(text, line)
    found = text.find("\n", start)
    if found < 0:
        return len(text)
    if with_newline:
        return found + 1
    return found - 1 if found > start and text[found - 1] == "\r" else found


def newline_of(text: str) -> str:
    """The line break a file uses (its first one), ``\\n`` when it has none."""
    found = text.find("\n")
    return "\r\n" if found > 0 and text[found - 1] == "\r" else "\n"
