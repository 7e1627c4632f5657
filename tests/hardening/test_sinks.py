"""Hostile file names and YAML values, through a real lint run, into every sink.

The strings travel the real path (git checkout -> walk -> read -> parse -> rules ->
reporter, in a subprocess) and each test reads the output the way its consumer does:
the Actions runner (workflow commands), the Azure agent (``##vso[``), a Markdown
renderer (GitHub's cmark-gfm), a JSON parser, a terminal. Each asserts that nothing
starts a command, escapes its block or mentions anyone, and that no finding is lost.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

import cmarkgfm
import pytest
from azure_agent import agent_parse
from cmarkgfm.cmark import Options
from hostile import HOSTILE, INJECTED, HostileRepo, hostile_repo, run_cli

from aml_lint.ci.github import Event, line_link
from aml_lint.config import build_settings
from aml_lint.documents.placeholders import is_placeholder
from aml_lint.engine import run
from aml_lint.findings import LintResult
from aml_lint.report.markdown import render_markdown

LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def decode(data: bytes) -> str:
    """Output bytes as the OS names files: a non-UTF-8 file name comes back as itself."""
    return data.decode("utf-8", "surrogateescape")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> HostileRepo:
    return hostile_repo(tmp_path_factory.mktemp("sinks"))


@pytest.fixture(scope="module")
def result(repo: HostileRepo) -> LintResult:
    return run(build_settings(repo.root))


def check(repo: HostileRepo, fmt: str) -> str:
    proc = run_cli("check", ".", "--format", fmt, cwd=repo.root)
    assert proc.returncode == 1, proc.stderr.decode(errors="replace")[-3000:]
    assert b"Traceback" not in proc.stderr
    return decode(proc.stdout)


def test_every_hostile_file_gets_its_finding(repo: HostileRepo, result: LintResult) -> None:
    assert {f.path for f in result.findings} >= repo.expected
    # The hostile values reach the messages unaltered: the sinks below really get them.
    messages = "\n".join(f.message for f in result.findings)
    paths = [text for text in HOSTILE if not is_placeholder(text + ".yml")]  # a placeholder is not checked
    assert sum(text in messages for text in paths) >= len(paths) - 2


def runner_commands(output: str) -> list[tuple[str, dict[str, str], str]]:
    """Lines the Actions runner would act on: ``::name k=v,...::data`` after leading
    whitespace (v2), or ``##[name k=v;...]data`` anywhere in the line (the legacy form,
    tried when v2 does not match). The runner splits lines at CR and LF."""
    found = []
    for line in LINE_BREAKS.split(output):
        stripped = line.lstrip()
        if stripped.startswith("::") and "::" in stripped[2:]:
            end = stripped.index("::", 2)
            name, _, rest = stripped[2:end].partition(" ")
            props = dict(p.partition("=")[::2] for p in rest.split(",") if p)
            found.append((name, props, stripped[end + 2:]))
        elif "##[" in line and "]" in line[line.index("##["):]:
            start = line.index("##[") + 3
            info = line[start:line.index("]", start)]
            name, _, rest = info.partition(" ")
            found.append((name, dict(p.partition("=")[::2] for p in rest.split(";") if p), ""))
    return found


def unescape_property(text: str) -> str:
    for code, ch in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, ch)
    return text


def unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def test_workflow_commands(repo: HostileRepo, result: LintResult) -> None:
    out = check(repo, "github")
    commands = runner_commands(out)
    lines = [line for line in LINE_BREAKS.split(out) if line]
    # Exactly one command per line, and only the annotation commands we write.
    assert len(commands) == len(lines)
    assert {name for name, _, _ in commands} <= {"error", "warning", "notice"}
    assert "\r" not in out
    # Every property value is one of ours (the file, numbers, our title); data is a message.
    messages = {f.message[:3999] for f in result.findings} | {f.message for f in result.findings}
    files = set()
    for _, props, data in commands:
        assert set(props) <= {"file", "line", "endLine", "col", "endColumn", "title"}, props
        assert all(props[k].isdigit() for k in props.keys() & {"line", "endLine", "col", "endColumn"})
        props = {key: unescape_property(value) for key, value in props.items()}
        assert props["title"].startswith("aml-lint")
        if "file" in props:
            files.add(props["file"])
        if props["title"] != "aml-lint: more findings":
            assert unescape_data(data).rstrip("…") in messages
    # The real file names come back exactly (GitHub shows 10 per level; errors first).
    assert files and files <= {f.path for f in result.findings}
    assert any("\n" in f or "\r" in f for f in files)


def test_azure_logging_commands(repo: HostileRepo, result: LintResult) -> None:
    out = check(repo, "azure")
    commands = agent_parse(out)
    assert [c[0] for c in commands] == ["task.logissue"] * len(commands)
    issues = [f for f in result.findings if f.severity >= 2]
    assert len(commands) == len(issues)
    for _, props, data in commands:
        assert set(props) <= {"type", "sourcepath", "linenumber", "columnnumber", "code"}, props
        assert props["type"] in ("error", "warning")
        assert re.fullmatch(r"AML\d+", props["code"])
        assert data.startswith(props["code"] + ": ")
    # The agent reads back every hostile path (with ##vso / ##[ defused).
    sources = {c[1]["sourcepath"] for c in commands}
    for finding in issues:
        path = str(repo.root / finding.path)
        assert re.sub(r"(?i)##(?=vso|\[)", "**", path) in sources
    # No line holds a second command, or one that does not start the line.
    for line in LINE_BREAKS.split(out):
        assert line.find("##vso[") in (-1, 0) and line.count("##vso[") <= 1
        assert "##[" not in line


GFM_TAGS = {"h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "a", "p", "blockquote", "strong"}


def gfm(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


@pytest.mark.parametrize("marker", [None, "aml-lint:summary v1 key=lint/aml"])
def test_markdown_summary_and_comment(result: LintResult, marker: str | None) -> None:
    """Job summary (no marker) and PR comment (marker first): only our own HTML, links
    and structure; nothing from the repository mentions, links or closes a block."""
    env = {"GITHUB_SERVER_URL": "https://github.example"}
    link = line_link(env, Event("pull_request", {}, "o/r", head="abc"))
    md = render_markdown(result, link=link, run_url="https://github.example/o/r/actions/runs/1",
                         marker=marker, max_chars=200_000)
    rendered = gfm(md)
    tags = {t.lstrip("/") for t in re.findall(r"<(/?[a-z0-9]+)", rendered)}
    assert tags <= GFM_TAGS, tags
    assert "<script" not in rendered.lower() and "<details" not in rendered.lower()
    hrefs = re.findall(r'href="([^"]*)"', rendered)
    assert hrefs and all(h.startswith("https://github.example/o/r/") for h in hrefs), hrefs
    # No @-mention: every "@" in the text is followed by a zero-width space.
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    assert not re.search(r"@[A-Za-z0-9]", text)
    # Links only to our host; hostile names stay percent-encoded inside the path.
    assert all(urlsplit(h).netloc == "github.example" and not re.search(r"[\s<>()\"']", h) for h in hrefs)
    # No raw bidi overrides, no control characters.
    assert not re.search("[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b-\x1f\x7f]", md)
    # One 4-cell table row per finding (after the 2-cell counts table): no cell break or
    # newline escaped its row.
    cells = [row.count("<td") for row in re.findall(r"<tr>(.*?)</tr>", rendered, flags=re.S)]
    assert cells.count(4) == len(result.findings) and set(cells) == {0, 2, 4}, cells
    if marker:
        assert md.startswith(f"<!-- {marker} -->\n") and md.count("<!--") == 1


def test_sarif_and_json_lose_nothing(repo: HostileRepo, result: LintResult) -> None:
    sarif_text = check(repo, "sarif")
    json_text = check(repo, "json")
    for text in (sarif_text, json_text):
        assert text.isascii()  # ensure_ascii: no raw control, bidi or line-separator characters
        assert INJECTED not in text or "\\n" in text  # values present only in escaped form
    sarif = json.loads(sarif_text)
    got = sorted(
        (os.fsdecode(unquote_to_bytes(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])), r["message"]["text"])
        for r in sarif["runs"][0]["results"]
    )
    assert got == sorted((f.path, f.message) for f in result.findings)
    for r in sarif["runs"][0]["results"]:
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not re.search(r"[\s#?\x00-\x1f]", uri) and not uri.startswith("/") and ":" not in uri
    data = json.loads(json_text)
    assert sorted((f["path"], f["message"]) for f in data["findings"]) == got


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_other_formats_in_a_ci_log_run_no_command(repo: HostileRepo, fmt: str) -> None:
    """`aml-lint check` (text, the default) run as a pipeline step: its log is read by the
    Actions runner and the Azure agent, stdout and stderr alike."""
    proc = run_cli("check", ".", "--format", fmt, cwd=repo.root)
    log = decode(proc.stdout + proc.stderr)
    assert runner_commands(log) == []
    assert agent_parse(log) == []
    assert not re.search(r"(?i)##\[", log)


def test_stderr_messages_run_no_command(tmp_path: Path) -> None:
    """Error messages quote repository text (config keys, file names): one line, no command."""
    (tmp_path / ".aml-lint.yml").write_text(
        '"x\\n::error file=a::INJECTED\\r::stop-commands::t\\n##vso[task.prependpath]/tmp": 1\n')
    proc = run_cli("check", ".", cwd=tmp_path)
    assert proc.returncode == 2
    err = decode(proc.stderr)
    assert "unknown config key" in err and INJECTED in err
    assert runner_commands(err) == [] and agent_parse(err) == []
    assert len([line for line in LINE_BREAKS.split(err) if line]) == 1


CRASH_PROBE = """
import sys
import aml_lint.engine as engine

def crash(settings):  # a bug in a rule that quotes repository text in its exception
    raise ValueError("bad value:\\n::error file=a::INJECTED\\r##vso[task.prependpath]/tmp/x\\n::stop-commands::t")

engine.run = crash
from aml_lint.cli import main
sys.exit(main(["check", "."]))
"""


def test_python_warnings_print_no_file_name(tmp_path: Path) -> None:
    """ast.parse warns about odd code (SyntaxWarning) through the warnings module, which
    prints the file name raw on stderr: no such warning may reach the step's log."""
    name = "x\n::error file=a::INJECTED\n##vso[task.setvariable variable=A]b.py"
    (tmp_path / "src").mkdir()
    odd = "import os\nx = '\\d'\ny = 1if x else 2\n"
    (tmp_path / "src" / name).write_text(odd + "def init():\n    pass\n\n\ndef run(d):\n    return d\n")
    (tmp_path / "deploy.py").write_text(odd + "CodeConfiguration(code='src', scoring_script='s.py')\n"
                                        "Environment(conda_file='env.yml')\n")
    (tmp_path / "dep.yml").write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
        "name: blue\nendpoint_name: epx\nmodel: azureml:m:1\n"
        f"code_configuration:\n  code: src\n  scoring_script: {json.dumps(name)}\n")
    proc = run_cli("check", ".", "--format", "json", cwd=tmp_path)
    err = decode(proc.stderr)
    assert proc.returncode in (0, 1), err
    assert "Warning" not in err and runner_commands(err) == [] and agent_parse(err) == [], err


WARNING_PROBE = """
import sys, warnings
import aml_lint.engine as engine

real = engine.run

def run(settings):  # a library warning that quotes repository text
    warnings.warn("odd value:\\n::error file=a::INJECTED\\r##vso[task.prependpath]/tmp/x")
    return real(settings)

engine.run = run
from aml_lint.cli import main
sys.exit(main(["check", "."]))
"""


def test_library_warnings_run_no_command(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(WARNING_PROBE)
    proc = subprocess.run([sys.executable, str(probe)], cwd=tmp_path, capture_output=True, timeout=60, check=False)
    err = decode(proc.stderr)
    assert proc.returncode == 0 and "UserWarning" in err and INJECTED in err, err
    assert runner_commands(err) == [] and agent_parse(err) == []


def test_internal_error_trace_runs_no_command(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(CRASH_PROBE)
    proc = subprocess.run([sys.executable, str(probe)], cwd=tmp_path, capture_output=True, timeout=60, check=False)
    err = decode(proc.stderr)
    assert proc.returncode == 2 and "internal error" in err and INJECTED in err
    assert runner_commands(err) == [] and agent_parse(err) == []


def test_terminal_text(repo: HostileRepo, result: LintResult) -> None:
    proc = run_cli("check", ".", "--format", "text", cwd=repo.root)
    out = decode(proc.stdout)
    # No escape sequence, no carriage return, no C1 control or bidi override reaches the terminal.
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]", out), \
        [m.group() for m in re.finditer("[\x00-\x08\x0b-\x1f\x7f-\x9f]", out)]
    # One line per finding (plus blank separators and the summary): no value broke a line.
    body = [line for line in out.split("\n")[:-2] if line]
    assert len(body) == len(result.findings)
    assert all(re.search(r"  (error|warning|info)  AML\d+  ", line) for line in body)


# -- suggested changes and the summary's diff blocks ----------------------------------------

SUGGESTION_TAGS = {"p", "strong", "pre", "code"}


def _outside_code(rendered: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<pre.*?</pre>", "", rendered, flags=re.S)))


@pytest.mark.parametrize("hostile", HOSTILE)
def test_suggestion_body_keeps_file_text_inside_its_block(hostile: str) -> None:
    """File text with ``` or @mentions, and hostile messages and fix descriptions: one code
    block holding the lines verbatim, nothing outside it mentions, links or adds HTML."""
    from aml_lint.findings import Finding, Location, Severity
    from aml_lint.fix import Edit, Fix, apply_edits
    from aml_lint.publish.suggestions import (
        apply_suggestion,
        comment_body,
        parse_suggestion,
        suggestion_for,
    )

    text = f"keep: 1\nvalue: {hostile}\nlast: ```\n"
    start = text.index("value")
    fix = Fix(f"write {hostile}", (Edit("f.yml", start, start + 5, f"v ```` {hostile}"),))
    finding = Finding("AML999", Severity.ERROR, f"bad {hostile}", "f.yml", Location(2, 1), fix=fix)
    made = suggestion_for(finding, fix, text)
    if made is None:
        # Only hidden characters (controls, bidi, lone CR) keep a change from being a suggestion.
        assert re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]",
                         hostile)
        return
    body = comment_body(made)
    rendered = gfm(body)
    tags = {t.lstrip("/") for t in re.findall(r"<(/?[a-z0-9]+)", rendered)}
    assert tags <= SUGGESTION_TAGS, tags
    assert rendered.count("<pre") == 1 and "href" not in rendered
    assert not re.search(r"@[A-Za-z0-9]", _outside_code(rendered))
    # What the platform commits is exactly the fixed lines.
    assert parse_suggestion(body) == made.lines
    committed = apply_suggestion(text, made.start_line, made.end_line, parse_suggestion(body) or ())
    assert committed == apply_edits(text, fix.edits)
    assert body.startswith(made.marker + "\n") and body.count("<!-- aml-lint:suggestion:") == 1


@pytest.mark.parametrize("hostile", HOSTILE)
def test_diff_block_keeps_file_text_and_names_inside_it(hostile: str) -> None:
    """A cross-file fix of files with hostile names and content: one diff block per fix,
    nothing escapes it, hidden characters are shown as U+FFFD."""
    from aml_lint.findings import Finding, Location, Severity
    from aml_lint.fix import Edit, Fix
    from aml_lint.publish.suggestions import diff_section

    name = "d/" + hostile.replace("\0", "_")
    texts = {name: f"x: ```\n{hostile}\n", "other.yml": "y: 1\n"}
    fix = Fix(f"do {hostile}", (Edit(name, 0, 1, f"@{hostile}"), Edit("other.yml", 0, 0, "``` @eve\n")))
    finding = Finding("AML999", Severity.ERROR, f"bad {hostile}", name, Location(1, 1), fix=fix)
    section = diff_section([(finding, fix)], texts.get)
    rendered = gfm(section)
    tags = {t.lstrip("/") for t in re.findall(r"<(/?[a-z0-9]+)", rendered)}
    assert tags <= {"h4", "p", "strong", "pre", "code", "blockquote"}, tags
    assert rendered.count("<pre") == 1 and "href" not in rendered
    assert not re.search(r"@[A-Za-z0-9]", _outside_code(rendered))
    assert not re.search("[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b-\x1f\x7f\r]", section)
    assert "+``` @eve" in section
