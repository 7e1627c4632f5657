"""``##vso[...]`` output: ordering, fields, and escaping that no repository text can break.

``agent_parse`` reads lines the way the Azure Pipelines agent does: a bare CR or
LF ends a line, the first ``##vso[`` anywhere in a line starts a command, the
first ``]`` after it ends the command part, properties split on ``;`` and at the
first ``=``, and both properties and data are unescaped (``%3B %0D %0A %5D``,
then ``%AZP25``).
"""

from __future__ import annotations

import re

import pytest
from azure_agent import PREFIX, agent_parse
from hypothesis import given
from hypothesis import strategies as st

from aml_lint.findings import Finding, LintResult, Location, RuleInfo, Severity
from aml_lint.report import azure, render


def finding(
    rule: str, sev: Severity, path: str, line: int = 1, col: int = 1, msg: str = "m"
) -> Finding:
    return Finding(rule, sev, msg, path, Location(line, col, line, col + 1))


def result_of(*findings: Finding, root: str = "/agent/_work/1/s") -> LintResult:
    rules = {f.rule_id: RuleInfo(f.rule_id, f.rule_id.lower(), f.severity, "s") for f in findings}
    return LintResult(list(findings), rules, files_checked=3, elapsed=0.25, root=root)


def test_errors_come_first_then_warnings_and_info_is_not_an_issue() -> None:
    result = result_of(
        finding("AML200", Severity.WARNING, "a.yml", 3),
        finding("AML300", Severity.INFO, "a.yml", 1),
        finding("AML100", Severity.ERROR, "z/score.py", 9, 5),
        finding("AML101", Severity.ERROR, "b/conda.yml", 2, 0),
    )
    out = azure.render(result)
    commands = agent_parse(out)
    assert [(c[1]["type"], c[1]["code"]) for c in commands] == [
        ("error", "AML101"),
        ("error", "AML100"),
        ("warning", "AML200"),
    ]
    first = commands[1][1]
    assert first == {
        "type": "error",
        "sourcepath": "/agent/_work/1/s/z/score.py",
        "linenumber": "9",
        "columnnumber": "5",
        "code": "AML100",
    }
    # Column 0 means unknown: no columnnumber property at all.
    assert "columnnumber" not in commands[0][1]
    assert commands[0][2] == "AML101: m"
    lines = out.splitlines()
    assert any(line.startswith("info AML300 a.yml:1:1") for line in lines)
    assert lines[-1] == "aml-lint: 2 error(s), 1 warning(s), 1 info in 3 files (0.25 s)"


def test_whole_file_findings_have_no_line() -> None:
    out = azure.render(result_of(finding("AML1", Severity.ERROR, "env.yml", 0, 0)))
    [(name, props, _)] = agent_parse(out)
    assert name == "task.logissue"
    assert "linenumber" not in props and "columnnumber" not in props


def test_relative_root_keeps_relative_paths_and_windows_roots_join() -> None:
    assert azure.source_path(".", "a/b.yml") == "a/b.yml"
    assert azure.source_path("D:\\a\\1\\s", "src/score.py") == "D:\\a\\1\\s\\src\\score.py"


def test_render_is_reachable_through_the_format_registry() -> None:
    result = result_of(finding("AML1", Severity.WARNING, "x.yml"))
    assert render(result, "azure") == azure.render(result)


HOSTILE = [
    "a]b",
    "a;type=error;code=X",
    "line1\rline2",
    "line1\nline2",
    "##vso[task.complete result=Succeeded]done",
    "x]##vso[task.setvariable variable=PATH]/evil",
    "%0A%5D%AZP25 100%",
    "##[error]fake",
    "\r##vso[task.uploadfile]/etc/passwd",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_message_and_file_name_cannot_start_or_alter_a_command(text: str) -> None:
    f = finding("AML9", Severity.ERROR, f"dir/{text}.yml", 4, 2, msg=f"bad {text} value")
    info = finding("AML8", Severity.INFO, f"{text}.py", 1, 1, msg=text)
    out = azure.render(result_of(f, info, root="/s"))
    commands = agent_parse(out)
    # Exactly one command, the issue, with our properties and nothing else.
    assert len(commands) == 1, out
    name, props, data = commands[0]
    assert name == "task.logissue"
    assert set(props) == {"type", "sourcepath", "linenumber", "columnnumber", "code"}
    assert props["type"] == "error" and props["code"] == "AML9"
    assert (props["linenumber"], props["columnnumber"]) == ("4", "2")
    neutral = text.replace("##", "**")
    assert props["sourcepath"] == f"/s/dir/{neutral}.yml"
    assert data == f"AML9: bad {neutral} value"
    # No output line other than the command itself mentions the prefix.
    assert sum(PREFIX in line for line in re.split(r"\r\n|\r|\n", out)) == 1


@given(st.text(), st.text(min_size=1))
def test_any_text_round_trips_through_the_agent_parser(message: str, name: str) -> None:
    f = finding("AML7", Severity.WARNING, name, 2, 3, msg=message)
    out = azure.render(result_of(f, root="/r"))
    [(cmd, props, data)] = agent_parse(out)
    assert cmd == "task.logissue"
    assert props["type"] == "warning" and props["code"] == "AML7"
    assert data == "AML7: " + re.sub("(?i)##(?=vso|\\[)", "**", message)


def test_command_helper_leaves_out_missing_values_and_escapes_data() -> None:
    line = azure.command("task.complete", {"result": "Failed", "x": None}, "a;b]c")
    assert line == "##vso[task.complete result=Failed]a%3Bb%5Dc"
    assert (
        azure.command("task.uploadsummary", data="/tmp/a b.md")
        == "##vso[task.uploadsummary]/tmp/a b.md"
    )


def test_plain_lines_are_flattened_and_neutralized() -> None:
    assert azure.plain_line("a\r##vso[x]\n##[error]b") == "a **vso[x] **[error]b"


def test_more_than_ten_issues_says_where_the_rest_are() -> None:
    ten = [finding("AML1", Severity.WARNING, f"f{i}.yml") for i in range(10)]
    assert "first 10 issues" not in azure.render(result_of(*ten))
    eleven = [*ten, finding("AML2", Severity.ERROR, "g.yml")]
    out = azure.render(result_of(*eleven, finding("AML3", Severity.INFO, "h.yml")))
    assert "the build page shows the first 10 issues of a step (errors first); all 11 are" in out
    assert agent_parse(out)[0][1]["code"] == "AML2"
