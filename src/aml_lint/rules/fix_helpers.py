"""Small text-edit helpers the rules' fixes share, built on the positions documents carry.

Every helper returns None when it cannot be certain of the edit (a flow-style list, an item
that does not start its own line, a line break PyYAML and we would count differently): the
rule then reports its finding without a fix. Offsets are into ``Document.text``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from aml_lint.documents import Document
from aml_lint.documents.conda import CondaEnv
from aml_lint.findings import Location
from aml_lint.fix import Edit, line_end, line_start, newline_of, offset

# PyYAML (and Python's tokenizer) break lines at characters the '\n'-counting helpers of
# aml_lint.fix do not: positions would disagree, so no fix is computed in such a file.
# str.splitlines (the requirements reader) also breaks at \v, \f and \x1c-\x1e.
_OTHER_BREAKS = re.compile("\r(?!\n)|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# What precedes a block-sequence item on its line: indentation, the dash, the gap.
_ITEM_PREFIX = re.compile(r"[ ]*-[ \t]+")


def positions_reliable(text: str | None) -> bool:
    """Can a Location of this text be turned into an offset with aml_lint.fix's helpers?"""
    return text is not None and not _OTHER_BREAKS.search(text)


def span(text: str, loc: Location) -> tuple[int, int] | None:
    """(start, end) offsets of a node's Location (its start and end marks), or None."""
    if loc.line < 1 or loc.col < 1 or loc.end_line < loc.line or not positions_reliable(text):
        return None
    start = offset(text, loc.line, loc.col)
    end = offset(text, loc.end_line, loc.end_col)
    return (start, end) if start <= end <= len(text) else None


def item_prefix(text: str, loc: Location) -> str | None:
    """The text before a block-sequence item on its line ('    - '), when the item starts a line."""
    if loc.line < 1 or not positions_reliable(text):
        return None
    start = line_start(text, loc.line)
    before = text[start:start + loc.col - 1]
    return before if _ITEM_PREFIX.fullmatch(before) else None


def quote_like(text: str, loc: Location, value: str) -> str:
    """``value`` quoted as the item at ``loc`` is ('"x"', "'x'" or plain)."""
    start = offset(text, loc.line, loc.col)
    quote = text[start:start + 1]
    return f"{quote}{value}{quote}" if quote in ("'", '"') else value


def _after_line(text: str, line: int) -> tuple[int, str]:
    """Where a new line goes after ``line``, and the line break to put first when the file's last
    line has none."""
    at = line_end(text, line, with_newline=True)
    lead = newline_of(text) if at == len(text) and text and not text.endswith("\n") else ""
    return at, lead


def insert_item_before(path: str, text: str, loc: Location, value: str) -> Edit | None:
    """A new block-sequence item ``value`` on its own line just before the item at ``loc``, with
    that item's indentation, dash and quoting."""
    prefix = item_prefix(text, loc)
    if prefix is None:
        return None
    at = line_start(text, loc.line)
    return Edit(path, at, at, prefix + quote_like(text, loc, value) + newline_of(text))


def insert_item_after(path: str, text: str, loc: Location, value: str) -> Edit | None:
    """A new block-sequence item ``value`` on its own line just after the (last) item at ``loc``."""
    prefix = item_prefix(text, loc)
    if prefix is None or loc.end_line < loc.line:
        return None
    end_line = loc.end_line if loc.end_col > 1 or loc.end_line == loc.line else loc.end_line - 1
    if text[offset(text, end_line, 1):line_end(text, end_line)].rstrip().endswith(("|", ">")):
        return None  # a block scalar: its lines follow
    at, lead = _after_line(text, end_line)
    return Edit(path, at, at, lead + prefix + quote_like(text, loc, value) + newline_of(text))


def add_to_requirements(doc: Document, requirement: str) -> Edit | None:
    """``requirement`` appended as the last line of a requirements file."""
    text = doc.text
    if text is None or not positions_reliable(text):
        return None
    lines = text.splitlines()
    last = next((line for line in reversed(lines) if line.strip()), "")
    if last.rstrip().endswith("\\"):
        return None  # a continued line would swallow the new one
    lead = newline_of(text) if text and not text.endswith("\n") else ""
    return Edit(doc.rel, len(text), len(text), lead + requirement + newline_of(text))


def conda_doc(conda: CondaEnv, documents: dict[str, Document]) -> Document | None:
    """The document that holds a conda spec (a conda file, or the YAML with an inline one)."""
    doc = documents.get(conda.path)
    return doc if doc is not None and doc.yaml is not None and positions_reliable(doc.text) else None


def add_pip_requirements(conda: CondaEnv, doc: Document, requirements: Sequence[str]) -> list[Edit] | None:
    """Edits that make a conda spec pip-install ``requirements``: appended to its ``pip:`` list,
    or, without one, a ``- pip`` and a ``- pip:`` list after its last conda dependency."""
    text, yaml = doc.text, doc.yaml
    if text is None or yaml is None or not requirements:
        return None
    deps = yaml.get((*conda.base, "dependencies"))
    if not isinstance(deps, list) or not deps:
        return None
    pip_index = next((i for i, d in enumerate(deps) if isinstance(d, dict) and "pip" in d), None)
    if pip_index is not None:
        items = deps[pip_index]["pip"]
        if not isinstance(items, list) or not items or len(deps[pip_index]) != 1:
            return None
        last = (*conda.base, "dependencies", pip_index, "pip", len(items) - 1)
        if last not in yaml.values:
            return None
        edits = []
        # One edit: several insertions at one place would count as overlapping.
        first = insert_item_after(doc.rel, text, yaml.values[last], requirements[0])
        if first is None:
            return None
        same = item_prefix(text, yaml.values[last]) or ""
        extra = "".join(same + quote_like(text, yaml.values[last], r) + newline_of(text)
                        for r in requirements[1:])
        edits.append(Edit(first.path, first.start, first.end, first.replacement + extra))
        return edits
    if not all(isinstance(d, str) for d in deps):
        return None
    loc = yaml.values.get((*conda.base, "dependencies", len(deps) - 1))
    prefix = item_prefix(text, loc) if loc is not None else None
    if loc is None or prefix is None:
        return None
    nl = newline_of(text)
    indent = prefix[:prefix.index("-")]
    inner = indent + "    - "
    block = "" if conda.has_pip else prefix + "pip" + nl
    block += prefix + "pip:" + nl + "".join(inner + r + nl for r in requirements)
    at, lead = _after_line(text, loc.end_line)
    return [Edit(doc.rel, at, at, lead + block)]
