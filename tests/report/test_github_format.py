"""Workflow-command annotations: escaping, caps, order, and GitHub's column rules.

``parse`` reads a line the way the Actions runner does (``::name k=v,k=v::data``,
split at the first ``::`` after the name, properties at ``,`` then the first ``=``),
so a round trip shows that no text can end a command early or start another.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aml_lint.findings import Finding, LintResult, Location, RuleInfo, Severity
from aml_lint.report.github import escape_data, escape_property, render


def unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    return (
        text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def parse(line: str) -> tuple[str, dict[str, str], str]:
    assert line.startswith("::")
    end = line.index("::", 2)
    info, data = line[2:end], line[end + 2 :]
    name, _, rest = info.partition(" ")
    props: dict[str, str] = {}
    for item in filter(None, rest.split(",")):
        key, _, value = item.partition("=")
        props[key] = unescape_property(value)
    return name, props, unescape_data(data)


def f(sev: Severity, path: str = "a.yml", line: int = 3, **loc: int) -> Finding:
    location = Location(line, loc.get("col", 2), loc.get("end_line", line), loc.get("end_col", 9))
    return Finding("AML101", sev, "conda file missing", path, location)


def result(*findings: Finding) -> LintResult:
    rules = {"AML101": RuleInfo("AML101", "missing-conda-file", Severity.ERROR, "s")}
    return LintResult(list(findings), rules)


def test_one_error_all_properties() -> None:
    (line,) = render(result(f(Severity.ERROR, "envs/x.yml", 4, col=3, end_col=7))).splitlines()
    name, props, data = parse(line)
    assert name == "error"
    assert props == {
        "file": "envs/x.yml",
        "line": "4",
        "endLine": "4",
        "col": "3",
        "endColumn": "7",
        "title": "aml-lint AML101 (missing-conda-file)",
    }
    assert data == "conda file missing"


def test_severities_map_to_commands() -> None:
    lines = render(result(f(Severity.INFO), f(Severity.WARNING), f(Severity.ERROR))).splitlines()
    assert [parse(x)[0] for x in lines] == ["error", "warning", "notice"]


def test_multiline_span_drops_columns() -> None:
    (line,) = render(result(f(Severity.ERROR, line=3, end_line=6))).splitlines()
    _, props, _ = parse(line)
    assert props["line"] == "3" and props["endLine"] == "6"
    assert "col" not in props and "endColumn" not in props


def test_backwards_end_column_dropped() -> None:
    (line,) = render(result(f(Severity.ERROR, col=9, end_col=2))).splitlines()
    _, props, _ = parse(line)
    assert props["col"] == "9" and "endColumn" not in props


def test_whole_file_finding_has_no_line() -> None:
    finding = Finding("AML101", Severity.ERROR, "m", "x.yml", Location())
    (line,) = render(result(finding)).splitlines()
    _, props, _ = parse(line)
    assert props["file"] == "x.yml" and "line" not in props


def test_caps_errors_first_and_one_notice_for_the_rest() -> None:
    findings = (
        [f(Severity.WARNING, f"w{i:02}.yml") for i in range(15)]
        + [f(Severity.ERROR, f"e{i:02}.yml") for i in range(12)]
        + [f(Severity.INFO, f"i{i:02}.yml") for i in range(11)]
    )
    lines = render(result(*findings)).splitlines()
    parsed = [parse(x) for x in lines]
    names = [p[0] for p in parsed]
    assert names[:10] == ["error"] * 10
    assert names[10:20] == ["warning"] * 10
    assert names.count("error") == 10 and names.count("warning") == 10
    # 9 notices for findings, one notice for what was left out: 10 in all.
    assert names.count("notice") == 10
    last_name, last_props, last_data = parsed[-1]
    assert last_name == "notice"
    assert "9 more findings not annotated (2 errors, 5 warnings, 2 notices)" in last_data
    assert "job summary" in last_data
    assert last_props["title"] == "aml-lint: more findings"
    # Within a severity: by path.
    assert [p[1]["file"] for p in parsed[:3]] == ["e00.yml", "e01.yml", "e02.yml"]


def test_nothing_to_say_is_empty() -> None:
    assert render(result()) == ""


def test_escaping_matches_toolkit() -> None:
    assert escape_data("100%\r\nx::y") == "100%25%0D%0Ax::y"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


texts = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=60)


@settings(max_examples=300, deadline=None)
@given(path=texts.filter(bool), message=texts)
def test_any_text_stays_inside_its_command(path: str, message: str) -> None:
    finding = Finding("AML101", Severity.ERROR, message, path, Location(2, 1, 2, 4))
    out = render(result(finding))
    # One command on one line: nothing from the text can start a second one.
    assert out.count("\n") == 1 and "\r" not in out
    name, props, data = parse(out.rstrip("\n"))
    assert name == "error"
    assert props["file"] == path
    assert data == message
