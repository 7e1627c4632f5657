"""Small text-edit helpers the rules' fixes share, built on the positions documents carry.

Every helper returns None when it cannot be certain of the edit (a flow-style list, an item
that does not start its own line, a line break PyYAML and we would count differently): the
rule then reports its finding without a fix. Offsets are into ``Document.text``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from aml_lint.documents import Document
from aml_lint.documents.conda import CondaEnv
from aml_lint.findings import Location
from aml_lint.fix import Edit, line_end, line_start, newline_of, offset
from aml_lint.knowledge import deps

if TYPE_CHECKING:
    from aml_lint.graph import EnvSpec
    from aml_lint.rules.script.index import ScriptIndex

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


def insert_line_before(doc: Document, loc: Location, line: str) -> Edit | None:
    """``line`` inserted before line ``loc.line`` of a requirements file, with its indentation."""
    text = doc.text
    if text is None or not positions_reliable(text) or loc.line < 1:
        return None
    start = line_start(text, loc.line)
    if start > 0 and text[:start].rstrip("\r\n").endswith("\\"):
        return None  # the line before continues into this one
    indent = text[start:start + loc.col - 1]
    if indent.strip(" \t"):
        return None
    return Edit(doc.rel, start, start, indent + line + newline_of(text))


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


# --------------------------------------------------------------------------- adding a package


def installable_pin(dist: str, python: deps.PythonFull, *, accept: Callable[[Version], bool] | None = None) \
        -> Version | None:
    """The newest release of ``dist`` that installs on ``python``, from the bundled data only:
    python_support.json (a manylinux x86_64 or pure wheel for that minor, Requires-Python honoured)
    or releases.json (Requires-Python, then a pure wheel or a classifier naming the minor), and,
    where releases.json holds them, its own requirements installing too (python_blocker). None when
    the data cannot tell (a package it does not hold): no pin is guessed. ``accept`` filters more."""
    dist = deps.normalize(dist)
    minor = python[1]
    table = deps.supported_pythons(dist)
    candidates: list[Version] = []
    if table is not None:
        candidates = sorted((v for text, minors in table.items()
                             if minor in minors and (v := _final(text)) is not None), reverse=True)
    elif deps.has_releases(dist):
        entry = deps._table("releases.json")["dists"][dist]
        for i, text in reversed(list(enumerate(entry["versions"]))):
            v = _final(text)
            pure = str(entry["wheels"][i]).endswith("-py3-none-any.whl")
            if v is not None and (pure or minor in entry["classifiers"][i]):
                candidates.append(v)
        candidates.sort(reverse=True)
    for version in candidates:
        if deps.has_releases(dist) and deps.python_blocker(dist, f"=={version}", python) is not None:
            continue
        if accept is None or accept(version):
            return version
    return None


def _final(text: str) -> Version | None:
    try:
        v = Version(text)
    except InvalidVersion:
        return None
    return None if v.is_prerelease or v.is_devrelease or v.local else v


def conda_name(pypi: str) -> str | None:
    """The conda-forge name of a PyPI distribution when it is certainly the same name: no conda
    package of the data maps to it under another name, and the same name means that package."""
    pypi = deps.normalize(pypi)
    names: dict[str, list[str] | None] = deps._table("conda.json")["names"]
    if pypi in names and names[pypi] != [pypi]:
        return None
    if any(pypi in (targets or ()) and conda != pypi for conda, targets in names.items()):
        return None
    return pypi


def add_to_environment(env: EnvSpec, documents: dict[str, Document], requirements: Sequence[str]) \
        -> list[Edit] | None:
    """Edits that declare ``requirements`` (pip requirements, 'name==1.2') in an environment written
    in the repository: its conda spec's pip list (created, with '- pip', after the conda
    dependencies when there is none), or its requirements file when the pip list only includes
    that one file. None for an environment aml-lint cannot edit with certainty (a Dockerfile,
    a registered environment, a flow-style list)."""
    conda = env.conda
    if env.reference or conda is None or env.dockerfile_doc is not None or not requirements:
        return None
    holder = conda_doc(conda, documents)
    if holder is None:
        return None
    lines = conda.pip_lines
    if lines and all(line.include for line in lines) and len(env.requirements_docs) == 1:
        nl = newline_of(env.requirements_docs[0].text or "")
        edit = add_to_requirements(env.requirements_docs[0], nl.join(requirements))
        return [edit] if edit else None
    if any(line.include for line in lines):
        return None  # both: which one the author keeps it in is theirs to say
    return add_pip_requirements(conda, holder, list(requirements))


def remove_statement(doc: Document, stmt: ast.stmt, body: list[ast.stmt]) -> Edit | None:
    """Delete a statement's whole lines (``pass`` in its place when it is alone in ``body``), when
    the statement has its lines to itself (no ';', no code before it)."""
    text = doc.text
    end_lineno = getattr(stmt, "end_lineno", None)
    if text is None or not positions_reliable(text) or end_lineno is None or stmt.end_col_offset is None:
        return None
    start = line_start(text, stmt.lineno)
    first = text[start:line_end(text, stmt.lineno)]
    indent = first[:stmt.col_offset]
    if indent.strip(" \t") or len(indent.encode()) != stmt.col_offset:
        return None
    last = text[line_start(text, end_lineno):line_end(text, end_lineno)]
    tail = last.encode()[stmt.end_col_offset:].decode(errors="replace").strip()
    if tail and not tail.startswith("#"):
        return None
    if any(other is not stmt and other.lineno <= end_lineno and stmt.lineno <= (other.end_lineno or 0)
           for other in body):
        return None
    end = line_end(text, end_lineno, with_newline=True)
    alone = len(body) == 1
    return Edit(doc.rel, start, end, f"{indent}pass{newline_of(text)}" if alone else "")


def containing_body(ix: ScriptIndex, stmt: ast.stmt) -> list[ast.stmt] | None:
    """The statement list (a body, orelse, finalbody ...) that holds ``stmt``."""
    parent = ix.parent(stmt)
    if parent is None:
        return None
    for _name, value in ast.iter_fields(parent):
        if isinstance(value, list) and any(item is stmt for item in value):
            return value
    return None


# --------------------------------------------------------------------------- mapping entries

_BLANK_OR_COMMENT = re.compile(r"[ \t]*(?:#.*)?")


def entry_lines(doc: Document, path: tuple[str | int, ...]) -> tuple[int, int] | None:
    """(first, last) 1-based lines of a block mapping entry ``key: value``: the key starts its line,
    and the lines through the value's last (the comments and blank lines after it excluded) hold
    nothing else. None when that is not so (flow style, a key after other text, duplicates)."""
    text, yaml = doc.text, doc.yaml
    if text is None or yaml is None or yaml.duplicates or not positions_reliable(text):
        return None
    key, value = yaml.keys.get(path), yaml.values.get(path)
    if key is None or value is None:
        return None
    start = line_start(text, key.line)
    if text[start:start + key.col - 1].strip(" "):
        return None
    last = value.end_line if value.end_line >= key.line else key.line
    lines = text.split("\n")
    if value.end_col == 1 and last > key.line:
        last -= 1  # a block value ends where the next key starts
    while last > key.line and _BLANK_OR_COMMENT.fullmatch(lines[last - 1].rstrip("\r")):
        last -= 1
    for number in range(key.line + 1, last + 1):
        line = lines[number - 1].rstrip("\r")
        if line.strip() and len(line) - len(line.lstrip(" ")) < key.col:
            return None  # a continuation line not indented below the key
    return key.line, last


def lines_span(text: str, first: int, last: int) -> tuple[int, int]:
    """(start, end) offsets of whole lines ``first``..``last``, their last line break included."""
    return line_start(text, first), line_end(text, last, with_newline=True)


def child_indent(doc: Document, path: tuple[str | int, ...]) -> int | None:
    """Column (0-based) of the keys of the block mapping at ``path``, when it has any."""
    yaml = doc.yaml
    if yaml is None:
        return None
    cols = {loc.col - 1 for p, loc in yaml.keys.items() if len(p) == len(path) + 1 and p[:-1] == path}
    return cols.pop() if len(cols) == 1 else None
