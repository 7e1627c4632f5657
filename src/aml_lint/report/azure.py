"""Azure Pipelines logging commands: one ``##vso[task.logissue ...]`` line per finding.

Errors come first, then warnings: the build page shows only the first ten issues
of a step (and flags the total), so the ones that fail the build must be among
them. Info findings are not issues: Azure has only ``error`` and ``warning``, and
raising an info note to a warning would turn notes into build warnings. They are
printed as plain log lines after the issues, and counted in the closing line.

Escaping follows the agent's parser. It looks for ``##vso[`` anywhere in a line,
takes the text up to the first ``]`` as the command and its ``;``-separated
``key=value`` properties, and the rest of the line as data; a bare carriage
return also ends a line. So every value from the repository (file names,
messages) is escaped before it is written: ``%`` -> ``%AZP25``, CR -> ``%0D``,
LF -> ``%0A``, ``]`` -> ``%5D``, ``;`` -> ``%3B`` (the agent decodes all five in
properties and in data), and the prefix ``##vso`` itself is rewritten to
``**vso``, as the agent does for text it must not act on. Plain lines get the
same treatment, so no finding can start, end or alter a command.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePath, PurePosixPath, PureWindowsPath

from aml_lint.findings import Finding, LintResult, Severity

SHOWN_PER_STEP = 10  # "We only render the first 10 in the UI and flag the total number"
_ESCAPES = (("%", "%AZP25"), ("\r", "%0D"), ("\n", "%0A"), ("]", "%5D"), (";", "%3B"))
_PREFIXES = re.compile(r"##(?=vso|\[)", re.IGNORECASE)


def _neutralize(text: str) -> str:
    """Rewrite ``##vso`` / ``##[`` so the agent never reads them as a command."""
    return _PREFIXES.sub("**", text)


def escape_value(text: str) -> str:
    """Escape text placed in a property value or in a command's data."""
    for token, replacement in _ESCAPES:
        text = text.replace(token, replacement)
    return _neutralize(text)


def plain_line(text: str) -> str:
    """Untrusted text for an ordinary log line: one line, and never a command."""
    return _neutralize(text.replace("\r", " ").replace("\n", " "))


def command(name: str, properties: Mapping[str, object] | None = None, data: str = "") -> str:
    """``##vso[name k=v;k=v]data`` with every value escaped; ``None`` values are left out."""
    props = ";".join(
        f"{key}={escape_value(str(value))}"
        for key, value in (properties or {}).items()
        if value is not None
    )
    head = f"{name} {props}" if props else name
    return f"##vso[{head}]{escape_value(data)}"


def source_path(root: str, path: str) -> str:
    """Absolute path of a finding's file, as the logging-command docs ask for."""
    base: PurePath = PureWindowsPath(root) if PureWindowsPath(root).drive else PurePosixPath(root)
    if not base.is_absolute():
        return path
    return str(base.joinpath(*PurePosixPath(path).parts))


def issue(finding: Finding, root: str) -> str:
    loc = finding.location
    return command(
        "task.logissue",
        {
            "type": "error" if finding.severity == Severity.ERROR else "warning",
            "sourcepath": source_path(root, finding.path),
            "linenumber": loc.line if loc.line > 0 else None,
            "columnnumber": loc.col if loc.line > 0 and loc.col > 0 else None,
            "code": finding.rule_id,
        },
        f"{finding.rule_id}: {finding.message}",
    )


def _ordered(result: LintResult) -> list[Finding]:
    return sorted(result.findings, key=lambda f: (-int(f.severity), f.sort_key()))


def summary_line(result: LintResult) -> str:
    counts = [result.count(s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)]
    noun = "file" if result.files_checked == 1 else "files"
    return (
        f"aml-lint: {counts[0]} error(s), {counts[1]} warning(s), {counts[2]} info "
        f"in {result.files_checked} {noun} ({result.elapsed:.2f} s)"
    )


def render(result: LintResult) -> str:
    lines: list[str] = []
    ordered = _ordered(result)
    for finding in ordered:
        if finding.severity >= Severity.WARNING:
            lines.append(issue(finding, result.root))
    for finding in ordered:
        if finding.severity < Severity.WARNING:
            where = f"{finding.path}:{finding.line}:{finding.col}" if finding.line else finding.path
            lines.append(plain_line(f"info {finding.rule_id} {where}: {finding.message}"))
    for note in result.notes:
        lines.append(plain_line(f"note: {note}"))
    issues = sum(1 for f in ordered if f.severity >= Severity.WARNING)
    if issues > SHOWN_PER_STEP:
        lines.append(
            f"aml-lint: the build page shows the first {SHOWN_PER_STEP} issues of a step "
            f"(errors first); all {issues} are in this log and in the run summary"
        )
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"
