"""Round-trip checks the rule fixes share (helper F2's tests): lint a tree written byte for byte,
apply one rule's fixes to the files' text with aml_lint.fix.apply_edits, check the result, lint again.

Files are written as given (no dedent, CRLF kept); a fix's offsets are into Document.text, the
file decoded as UTF-8 with line endings kept, so the files are read and written as bytes.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from fixkit import write

from aml_lint.config import build_settings
from aml_lint.engine import run
from aml_lint.findings import Finding
from aml_lint.fix import Edit, Fix, apply_edits


def read(root: Path, rel: str) -> str:
    return (root / rel).read_bytes().decode("utf-8")


def lint(root: Path) -> list[Finding]:
    return run(build_settings(root)).findings


def fixes_of(findings: list[Finding], rule: str, *, unsafe: bool = True) -> list[Fix]:
    return [f.fix for f in findings if f.rule_id == rule and f.fix is not None and (unsafe or f.fix.safe)]


def apply(root: Path, fixes: list[Fix]) -> None:
    """Apply fixes in order, skipping one that overlaps an earlier one (as --fix does per pass)."""
    taken: list[Fix] = []
    for fix in fixes:
        if not any(fix.overlaps(t) for t in taken):
            taken.append(fix)
    by_path: dict[str, list[Edit]] = {}
    for fix in taken:
        for edit in fix.edits:
            by_path.setdefault(edit.path, []).append(edit)
    for rel, edits in by_path.items():
        (root / rel).write_bytes(apply_edits(read(root, rel), edits).encode("utf-8"))


def roundtrip(root: Path, files: dict[str, str], rule: str, expected: dict[str, str], *,
              safe: bool | None = None, allow: tuple[str, ...] = ()) -> list[Finding]:
    """Lint ``files``, apply ``rule``'s fixes until none is left (as repeated --fix passes would),
    and check: the files become ``expected`` (files not named stay byte-identical), the rule's
    findings are gone, no other finding appears, and a further pass changes nothing. ``safe``
    checks every fix's safety; ``allow`` names rules that may newly report because the fixed file is
    now read further (an info that a valid reference points into the workspace). Returns the
    findings of the first lint."""
    write(root, files)
    first = lint(root)
    fixes = fixes_of(first, rule)
    assert fixes, f"{rule}: no fix offered; findings: {[(f.rule_id, f.message) for f in first]}"
    if safe is not None:
        assert all(f.safe is safe for f in fixes), [f.description for f in fixes]
    before = Counter((f.rule_id, f.path) for f in first if f.rule_id != rule)
    for _ in range(10):
        fixes = fixes_of(lint(root), rule)
        if not fixes:
            break
        apply(root, fixes)
    for rel, text in files.items():
        got = read(root, rel)
        assert got == expected.get(rel, text), f"{rel}:\n{got!r}"
    again = lint(root)
    assert [f.message for f in again if f.rule_id == rule] == []
    after = Counter((f.rule_id, f.path) for f in again if f.rule_id != rule and f.rule_id not in allow)
    assert after - before == Counter(), f"new findings after the fix: {after - before}"
    assert fixes_of(again, rule) == []  # applying twice changes nothing
    return first


def no_fix(root: Path, files: dict[str, str], rule: str) -> list[Finding]:
    """The rule still reports, but offers no fix (the edit would not be certain)."""
    write(root, files)
    found = [f for f in lint(root) if f.rule_id == rule]
    assert found, f"{rule}: the finding should remain"
    assert all(f.fix is None for f in found), [f.fix for f in found]
    return found
