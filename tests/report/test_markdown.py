"""The Markdown summary: content, order, size budget and escaping of untrusted text.

Escaping is checked by rendering with GitHub's own Markdown engine (cmark-gfm,
with its autolink, table and tagfilter extensions) and looking at the HTML.
"""

from __future__ import annotations

import html
import re

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from hypothesis import given, settings
from hypothesis import strategies as st

from aml_lint.findings import Finding, LintResult, Location, Severity
from aml_lint.report.markdown import escape_text, render_markdown, safe_url

ZWSP = "\u200b"


def gfm(text: str) -> str:
    # UNSAFE keeps raw HTML in the output, so any HTML that got through would show.
    return cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)


def finding(
    path: str, sev: Severity, line: int = 1, rule: str = "AML100", msg: str = "m"
) -> Finding:
    return Finding(rule, sev, msg, path, Location(line, 1, line, 5))


def result(*findings: Finding, files: int = 3, notes: list[str] | None = None) -> LintResult:
    return LintResult(list(findings), {}, files_checked=files, notes=notes or [])


def blob(path: str, line: int) -> str:
    return f"https://github.example/o/r/blob/abc123/{path}#L{line}"


def test_all_clear_has_counts_and_says_so() -> None:
    text = render_markdown(result(files=7))
    assert "All clear" in text
    assert "No findings in the 7 files checked." in text
    assert "| ❌ Errors | 0 |" in text
    assert "| Files checked | 7 |" in text


def test_counts_table_and_headline() -> None:
    text = render_markdown(
        result(
            finding("a.yml", Severity.ERROR),
            finding("a.yml", Severity.ERROR, 2),
            finding("b.yml", Severity.WARNING),
            finding("c.py", Severity.INFO),
        )
    )
    assert "2 errors, 1 warning, 1 notice" in text.splitlines()[0]
    assert "| ❌ Errors | 2 |" in text
    assert "| ⚠️ Warnings | 1 |" in text
    assert "| ℹ️ Notices | 1 |" in text
    assert "| Files with findings | 3 |" in text


def test_files_with_errors_first_and_errors_first_inside_a_file() -> None:
    text = render_markdown(
        result(
            finding("a_warn.yml", Severity.WARNING),
            finding("z_err.py", Severity.WARNING, 1, "AML200", "second"),
            finding("z_err.py", Severity.ERROR, 9, "AML300", "first"),
        )
    )
    assert text.index("z\\_err") < text.index("a\\_warn")
    assert text.index("first") < text.index("second")


def test_lines_link_through_the_callback() -> None:
    seen: list[tuple[str, int]] = []

    def link(path: str, line: int) -> str:
        seen.append((path, line))
        return blob(path, line)

    text = render_markdown(result(finding("envs/conda.yml", Severity.ERROR, 12)), link=link)
    assert seen == [("envs/conda.yml", 12)]
    assert '<a href="https://github.example/o/r/blob/abc123/envs/conda.yml#L12">12:1</a>' in gfm(
        text
    )


def test_whole_file_findings_and_missing_links() -> None:
    f = Finding("AML101", Severity.ERROR, "missing", "x.yml", Location())
    text = render_markdown(result(f), link=lambda p, line: None)
    assert "| file | ❌ error |" in text
    assert "<a " not in gfm(text)


def test_marker_first_and_hidden() -> None:
    text = render_markdown(result(), marker="aml-lint:summary v1 key=ci/lint")
    assert text.startswith("<!-- aml-lint:summary v1 key=ci/lint -->\n")
    assert "aml-lint:summary" not in re.sub(r"<!--.*?-->", "", gfm(text), flags=re.S)


def test_run_link_in_footer() -> None:
    text = render_markdown(
        result(finding("a.yml", Severity.ERROR)),
        run_url="https://github.example/o/r/actions/runs/42",
    )
    assert '<a href="https://github.example/o/r/actions/runs/42">' in gfm(text)


def test_notes_are_shown() -> None:
    text = render_markdown(result(notes=["history too shallow: set fetch-depth: 0"]))
    assert "history too shallow" in html.unescape(re.sub(r"<[^>]+>", "", gfm(text)))


def test_truncates_under_the_budget_with_a_note() -> None:
    many = [
        finding(
            f"dir/file{i:03}.yml", Severity.ERROR if i % 3 else Severity.WARNING, i, msg="x" * 150
        )
        for i in range(400)
    ]
    text = render_markdown(result(*many), max_chars=20_000, run_url="https://github.example/run/1")
    assert len(text) <= 20_000
    match = re.search(r"\*\*(\d+) more findings not shown\*\*", text)
    assert match is not None
    shown = text.count("| ❌ error |") + text.count("| ⚠️ warning |")
    assert shown + int(match.group(1)) == 400
    # 266 files have errors; they all come before any file with only warnings.
    assert 0 < shown < 266
    assert "| ⚠️ warning |" not in text
    assert "(" + f"{266 - shown} errors, 134 warnings)" in text


def test_huge_single_message_is_clipped() -> None:
    text = render_markdown(
        result(finding("a.yml", Severity.ERROR, msg="y" * 100_000)), max_chars=5_000
    )
    assert len(text) <= 5_000
    assert "yyyy" in text


@pytest.mark.parametrize("budget", [50, 300, 1_000])
def test_tiny_budgets_never_exceed(budget: int) -> None:
    text = render_markdown(
        result(*[finding(f"f{i}.yml", Severity.ERROR) for i in range(50)]), max_chars=budget
    )
    assert len(text) <= budget


HOSTILE = [
    "@octocat please look",
    "<details><summary>x</summary>",
    "</details></table><script>alert(1)</script>",
    "```\ncode block",
    "| broken | table |",
    "[click](https://evil.example) ![img](https://evil.example/x.png)",
    "https://evil.example/path www.evil.example mail@evil.example",
    "**bold** _em_ ~~strike~~ `code` $x^2$",
    "# heading\n## another\n---",
    "fixes #1234 and GH-12 and o/r#5",
    "<!-- aml-lint:summary v1 -->",
    "&lt;already escaped&gt; &amp;",
    "line\r\nbreak\u2028sep\x00nul",
    "right-to-left \u202eevil\u202c",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_renders_as_plain_text(text: str) -> None:
    check_plain(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_any_text_renders_as_plain_text(text: str) -> None:
    check_plain(text)


def check_plain(text: str) -> None:
    """Inside a table cell and a heading, the text comes out as one literal text run."""
    doc = render_markdown(
        result(Finding("AML1", Severity.ERROR, text, text or "p", Location(1, 1))),
        link=blob,
        marker="aml-lint:summary v1",
    )
    rendered = gfm(doc)
    # Only the tags our template makes; none from the text.
    tags = set(re.findall(r"<(/?[a-z0-9]+)", rendered))
    assert tags <= {
        "h3",
        "/h3",
        "h4",
        "/h4",
        "table",
        "/table",
        "thead",
        "/thead",
        "tbody",
        "/tbody",
        "tr",
        "/tr",
        "th",
        "/th",
        "td",
        "/td",
        "a",
        "/a",
        "p",
        "/p",
    }, tags
    links = re.findall(r'<a href="([^"]*)"', rendered)
    assert all(link.startswith("https://github.example/o/r/blob/abc123/") for link in links)
    # The message cell is the last cell of the only body row: same text back.
    cells = re.findall(r"<td[^>]*>(.*?)</td>", rendered, flags=re.S)
    assert len(cells) == 5 * 2 + 4
    expected = re.sub("[\x00-\x1f\x7f\u0085\u2028\u2029]", " ", text)
    expected = re.sub("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]", "\ufffd", expected)
    expected = expected.replace(ZWSP, "")
    got = html.unescape(cells[-1]).replace(ZWSP, "")
    # cmark-gfm trims ASCII spaces at the edges of a cell.
    assert got == expected.strip(" ")
    # Every @ is followed by a zero-width space: no mention, no e-mail link.
    assert all(cells[-1][m.end() :].startswith(ZWSP) for m in re.finditer("@", cells[-1]))


def test_escape_text_is_one_line() -> None:
    assert "\n" not in escape_text("a\nb\rc")
    assert escape_text("x" * 50, limit=10).endswith("…")


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://github.com/o/r/blob/s/a b.yml#L1", True),
        ("javascript:alert(1)", False),
        ("data:text/html,x", False),
        ("//evil.example", False),
        ("", False),
        (None, False),
    ],
)
def test_safe_url(url: str | None, ok: bool) -> None:
    safe = safe_url(url)
    assert (safe is not None) == ok
    if safe:
        assert " " not in safe and ")" not in safe
