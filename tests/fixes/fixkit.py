"""A stand-in fixable rule for the fix engine's tests (the real rules' fixes are tested per rule).

On requirements files it finds:
- every ``colour`` (safe fix: ``color``);
- every ``ab`` (safe fix: ``b``): "aaab" needs three passes, each fix overlapping the next;
- a line ``move: NAME`` (unsafe, two files): the line removed, ``NAME`` appended to
  ``requirements-extra.txt``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import SimpleNamespace

from aml_lint.config import Settings, build_settings
from aml_lint.documents import Document, Kind
from aml_lint.engine import run
from aml_lint.findings import LintResult, Location, RuleInfo, Severity
from aml_lint.fix import Edit, Fix, line_end, newline_of
from aml_lint.rules import Rule
from aml_lint.rules.base import Context, Hit
from lintkit import write_tree

EXTRA = "requirements-extra.txt"


def _location(text: str, start: int) -> Location:
    line = text.count("\n", 0, start) + 1
    return Location(line, start - (text.rfind("\n", 0, start) + 1) + 1)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    text = doc.text or ""
    for m in re.finditer("colour", text):
        yield Hit("'colour' is spelt 'color' here", _location(text, m.start()),
                  fix=Fix("write 'color'", (Edit(doc.rel, m.start(), m.end(), "color"),)))
    for m in re.finditer("(?=ab)", text):
        yield Hit("'ab' should be 'b'", _location(text, m.start()),
                  fix=Fix("write 'b'", (Edit(doc.rel, m.start(), m.start() + 2, "b"),)))
    extra = ctx.project.documents.get(EXTRA)
    for m in re.finditer(r"^move: (\S+)", text, re.M):
        if extra is None or extra.text is None or doc.rel == EXTRA:
            continue
        end = line_end(text, text.count("\n", 0, m.start()) + 1, with_newline=True)
        nl = newline_of(extra.text)
        tail = "" if not extra.text or extra.text.endswith("\n") else nl
        yield Hit(f"'{m.group(1)}' belongs in {EXTRA}", _location(text, m.start()),
                  fix=Fix(f"move '{m.group(1)}' to {EXTRA}",
                          (Edit(doc.rel, m.start(), end, ""),
                           Edit(EXTRA, len(extra.text), len(extra.text), tail + m.group(1) + nl)),
                          safe=False))


MODULE = SimpleNamespace(ID="AML998", NAME="stand-in", SEVERITY="warning", KINDS=(Kind.REQUIREMENTS,),
                         FIX="safe or unsafe", check=check,
                         __doc__="A stand-in rule.\n\nWhat it finds: colour.\n")
RULE = Rule(MODULE, RuleInfo("AML998", "stand-in", Severity.WARNING, "a stand-in", MODULE.__doc__))  # type: ignore[arg-type]


def lint(settings: Settings) -> LintResult:
    return run(settings, rules=[RULE])


def settings(root: Path) -> Settings:
    return build_settings(root)


def write(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Write the files byte for byte: no dedent, CRLF kept (lintkit's write_tree dedents text)."""
    write_tree(root, {rel: c.encode("utf-8") if isinstance(c, str) else c for rel, c in files.items()})


LintFn = Callable[[Settings], LintResult]
