"""A Fix as a suggested change: committing the suggestion gives what apply_edits gives."""

from __future__ import annotations

import cmarkgfm
from cmarkgfm.cmark import Options
from hypothesis import given, settings
from hypothesis import strategies as st

from aml_lint.findings import Finding, Location, Severity
from aml_lint.fix import Edit, Fix, apply_edits, newline_of
from aml_lint.publish.suggestions import (
    apply_suggestion,
    comment_body,
    diff_section,
    fence_for,
    keys_in,
    parse_suggestion,
    plan,
    suggestion_for,
)


def finding(path: str = "env/conda.yml", message: str = "write pkg==1.2", fix: Fix | None = None) -> Finding:
    return Finding("AML999", Severity.ERROR, message, path, Location(1, 1), fix=fix)


def roundtrip(text: str, edits: list[Edit]) -> str | None:
    fix = Fix("fix it", tuple(edits))
    made = suggestion_for(finding(fix=fix), fix, text)
    if made is None:
        return None
    lines = parse_suggestion(comment_body(made))
    assert lines == made.lines
    return apply_suggestion(text, made.start_line, made.end_line, lines)


def test_one_line_replacement() -> None:
    text = "name: x\ndependencies:\n  - pip:\n      - pkg=1.2\n      - other\n"
    start = text.index("=1.2")
    edit = Edit("env/conda.yml", start, start + 1, "==")
    fix = Fix("write pkg==1.2", (edit,))
    made = suggestion_for(finding(fix=fix), fix, text)
    assert made is not None and (made.start_line, made.end_line) == (4, 4)
    assert made.lines == ("      - pkg==1.2",)
    assert roundtrip(text, [edit]) == apply_edits(text, [edit])


def test_multi_line_insert_delete_join_and_crlf() -> None:
    text = "a: 1\r\nb: 2\r\nc: 3\r\n"
    cases = [
        [Edit("p", 6, 6, "x: 0\r\n")],  # insert a line before b
        [Edit("p", 6, 12, "")],  # delete line b
        [Edit("p", 4, 6, "")],  # join a and b
        [Edit("p", 18, 18, "d: 4\r\n")],  # append after the last line break
        [Edit("p", 0, 1, "A"), Edit("p", 12, 13, "C")],  # lines 1..3
    ]
    for edits in cases:
        assert roundtrip(text, edits) == apply_edits(text, edits), edits


def test_no_final_line_break() -> None:
    text = "a\nb"
    for edits in ([Edit("p", 2, 3, "")], [Edit("p", 3, 3, "\nc")], [Edit("p", 1, 3, "")]):
        assert roundtrip(text, edits) == apply_edits(text, edits), edits


def test_fence_outgrows_backticks_in_the_content() -> None:
    text = "x\n"
    edit = Edit("p", 0, 1, "````` @alice <!-- --> ```suggestion")
    fix = Fix("hostile", (edit,))
    made = suggestion_for(finding(fix=fix), fix, text)
    assert made is not None
    body = comment_body(made)
    assert fence_for("`````") == "``````" and "``````suggestion\n" in body
    html = cmarkgfm.github_flavored_markdown_to_html(body, options=Options.CMARK_OPT_UNSAFE)
    # One code block holding the line verbatim; nothing after it became Markdown.
    assert html.count("<pre") == 1 and "<a " not in html and "<!-- -->" not in html
    assert parse_suggestion(body) == ("````` @alice <!-- --> ```suggestion",)
    assert keys_in(body) == [made.key]


def test_message_and_description_escaped() -> None:
    fix = Fix("mention @bob and [x](https://evil)", (Edit("p", 0, 1, "y"),))
    made = suggestion_for(finding(message="hi @carol <img src=x>", fix=fix), fix, "x\n")
    assert made is not None
    html = cmarkgfm.github_flavored_markdown_to_html(comment_body(made), options=Options.CMARK_OPT_UNSAFE)
    assert "<img" not in html and "href" not in html and "@bob" not in html and "@carol" not in html


def test_hidden_characters_go_to_the_diff_not_a_suggestion() -> None:
    text = "a\n"
    fix = Fix("bidi", (Edit("p", 0, 1, "\u202eevil"),))
    assert suggestion_for(finding(fix=fix), fix, text) is None
    result = plan([finding("p", fix=fix)], lambda path: text)
    assert result.suggestions == [] and len(result.diffs) == 1
    section = diff_section(result.diffs, lambda path: text)
    assert "\u202e" not in section and "\ufffd" in section


def test_cross_file_fix_is_a_diff_block() -> None:
    texts = {"score.py": "import os\nos.system('pip install x')\n", "conda.yml": "dependencies:\n  - pip:\n"}
    fix = Fix("declare x", (Edit("score.py", 10, 36, ""), Edit("conda.yml", 23, 23, "      - x\n")))
    result = plan([finding("score.py", fix=fix)], texts.get)
    assert result.suggestions == []
    section = diff_section(result.diffs, texts.get)
    assert "```diff" in section and "+      - x" in section and "-os.system" in section
    assert "a/score.py" in section and "b/conda.yml" in section


def test_diff_block_cannot_be_closed_by_the_file() -> None:
    text = "a\n```\n@dave\n"
    fix = Fix("x", (Edit("p", 0, 1, "b"),))
    section = diff_section([(finding("p", fix=fix), fix)], lambda path: text)
    html = cmarkgfm.github_flavored_markdown_to_html(section, options=Options.CMARK_OPT_UNSAFE)
    assert html.count("<pre") == 1 and "@dave" in html.split("<pre")[1].split("</pre>")[0]


lines = st.lists(st.text(alphabet="ab `\t", max_size=6), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(lines, st.sampled_from(["\n", "\r\n"]), st.booleans(), st.data())
def test_committing_the_suggestion_equals_apply_edits(
    parts: list[str], newline: str, final: bool, data: st.DataObject
) -> None:
    text = newline.join(parts) + (newline if final else "")
    if not text:
        return
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=4)))
    edits = []
    for i in range(0, len(cuts) - 1, 2):
        start, end = cuts[i], cuts[i + 1]
        # Never split a CRLF pair: offsets of a real fix fall on characters, not inside a break.
        if any(0 < x < len(text) and text[x - 1] == "\r" and text[x] == "\n" for x in (start, end)):
            return
        nl = newline_of(text)  # what a rule uses for the breaks it adds
        replacement = data.draw(st.sampled_from(["", "x", "y" + nl, nl + "z", "`"]))
        edits.append(Edit("p", start, end, replacement))
    if any(a.overlaps(b) for a in edits for b in edits if a is not b):
        return
    got = roundtrip(text, edits)
    if got is not None:
        assert got == apply_edits(text, edits)
