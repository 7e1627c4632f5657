"""The fix model: edits as character ranges, applied without touching other characters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aml_lint.fix import Edit, Fix, apply_edits, line_end, line_start, newline_of, offset

CRLF = "a: 1\r\nb: 2\r\n# keep\r\n"


def test_positions_on_crlf_text() -> None:
    assert line_start(CRLF, 2) == 6
    assert offset(CRLF, 2, 4) == 9 and CRLF[9] == "2"
    assert line_end(CRLF, 2) == 10 and CRLF[10] == "\r"
    assert line_end(CRLF, 2, with_newline=True) == 12
    assert line_start(CRLF, 9) == len(CRLF)
    assert newline_of(CRLF) == "\r\n" and newline_of("a\nb") == "\n" and newline_of("a") == "\n"


def test_line_start_on_edges_and_large_text() -> None:
    assert [line_start("a\nb", n) for n in (0, 1, 2, 3)] == [0, 0, 2, 3]
    assert line_start("", 1) == 0 and line_start("a\n", 2) == 2 and line_start("a\n", 3) == 2
    text = "x = 1\n" * 100_000
    # one line index per text: a call per edit stays cheap on a large file (was a scan each call)
    assert [line_start(text, n) for n in range(1, 100_001, 997)] == [6 * (n - 1) for n in range(1, 100_001, 997)]


def test_apply_replaces_only_the_range() -> None:
    edit = Edit("f.yml", offset(CRLF, 2, 4), line_end(CRLF, 2), "3")
    assert apply_edits(CRLF, [edit]) == "a: 1\r\nb: 3\r\n# keep\r\n"


def test_insert_and_delete_in_one_pass() -> None:
    text = "x\ny\nz\n"
    inserted = Edit("f", line_start(text, 2), line_start(text, 2), "new\n")
    deleted = Edit("f", line_start(text, 3), line_end(text, 3, with_newline=True), "")
    assert apply_edits(text, [deleted, inserted]) == "x\nnew\ny\n"


def test_overlapping_edits_are_refused() -> None:
    with pytest.raises(ValueError):
        apply_edits("abcdef", [Edit("f", 0, 3, "x"), Edit("f", 2, 4, "y")])


def test_overlap_rules() -> None:
    a = Edit("f", 0, 3, "x")
    assert a.overlaps(Edit("f", 2, 4, "y"))
    assert not a.overlaps(Edit("f", 3, 4, "y"))  # touching ends do not overlap
    assert not a.overlaps(Edit("g", 0, 3, "y"))  # another file
    assert Edit("f", 5, 5, "x").overlaps(Edit("f", 5, 5, "y"))  # two inserts at one place
    fix = Fix("write it", (a, Edit("g", 0, 0, "z")), safe=False)
    assert fix.paths == ("f", "g")
    assert fix.overlaps(Fix("other", (Edit("g", 0, 0, "w"),)))  # both insert at one place
    assert not fix.overlaps(Fix("other", (Edit("g", 0, 1, ""),)))  # insert, then delete after it
    assert fix.to_dict()["safe"] is False


@given(st.text(max_size=60), st.data())
def test_untouched_characters_stay(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    replacement = data.draw(st.text(max_size=5))
    out = apply_edits(text, [Edit("f", start, end, replacement)])
    assert out == text[:start] + replacement + text[end:]


def test_the_engine_carries_a_rule_fix_to_the_finding(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    from aml_lint.config import build_settings
    from aml_lint.documents import Kind
    from aml_lint.engine import run
    from aml_lint.findings import RuleInfo, Severity
    from aml_lint.rules import Rule
    from aml_lint.rules.base import Hit

    (tmp_path / "conda.yml").write_text("dependencies:\n  - python=3.11\n", encoding="utf-8")
    fix = Fix("pin it", (Edit("conda.yml", 0, 0, "# x\n"),))

    def check(doc, ctx):  # type: ignore[no-untyped-def]
        yield Hit("found", fix=fix)

    module = SimpleNamespace(ID="AML999", NAME="t", SEVERITY="info", KINDS=(Kind.CONDA,), check=check)
    rule = Rule(module, RuleInfo("AML999", "t", Severity.INFO, "t"))  # type: ignore[arg-type]
    result = run(build_settings(tmp_path), rules=[rule])
    assert [f.fix for f in result.findings] == [fix]
