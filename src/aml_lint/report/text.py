"""Terminal text: findings grouped by file, then one summary line."""

from __future__ import annotations

import re

from aml_lint.findings import LintResult, Severity

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_RESET, _DIM, _BOLD = "\033[0m", "\033[2m", "\033[1m"
# C0/C1 control characters (ANSI escapes included) from file names or messages never reach the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


# The report is often printed in a CI log, where the Actions runner acts on "##[name]" and
# the Azure agent on "##vso[" anywhere in a line, and the runner on "::" at its start.
_COMMAND_PREFIX = re.compile(r"##(?=\[|vso\[)", re.IGNORECASE)
_LEADING_COLON = re.compile(r"^(\s*):")


def clean(text: str) -> str:
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text.replace("\n", " "))
    return _COMMAND_PREFIX.sub(lambda m: "#\\x23", text)


def line_start(text: str) -> str:
    """``clean`` for text that begins a line: a leading ``:`` (``::stop-commands::``) escaped too."""
    return _LEADING_COLON.sub(lambda m: m.group(1) + "\\x3a", clean(text))


def render(result: LintResult, *, color: bool = False, unsafe_fixes: bool = False) -> str:
    """``unsafe_fixes``: the run was given --unsafe-fixes, so unsafe fixes count as fixable."""
    lines: list[str] = []
    current = None
    for f in result.findings:
        path = line_start(f.path)
        if path != current:
            if current is not None:
                lines.append("")
            current = path
        where = f"{path}:{f.line}:{f.col}" if f.line else path
        sev = f.severity.label
        if color:
            sev = f"{_COLORS[f.severity]}{sev}{_RESET}"
            where = f"{_BOLD}{where}{_RESET}"
        rule = f"{_DIM}{f.rule_id}{_RESET}" if color else f.rule_id
        # "[*]" as ruff marks a finding --fix (with --unsafe-fixes, when given) would mend.
        mark = "[*] " if f.fix is not None and (f.fix.safe or unsafe_fixes) else ""
        lines.append(f"{where}  {sev}  {rule}  {mark}{clean(f.message)}")
    for note in result.notes:
        lines.append(f"note: {clean(note)}")
    if lines:
        lines.append("")
    files = len({f.path for f in result.findings})
    errors, warnings, infos = (result.count(s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO))
    if result.findings:
        summary = (f"{files} file{'s' if files != 1 else ''} with findings: {errors} error{'s' * (errors != 1)}, "
                   f"{warnings} warning{'s' * (warnings != 1)}, {infos} info")
    else:
        summary = "no findings"
    safe, unsafe = result.fixable()
    if unsafe_fixes and safe + unsafe:
        summary += f", {safe + unsafe} fixable with --fix --unsafe-fixes"
    elif safe:
        summary += f", {safe} fixable with --fix" + (f" ({unsafe} more with --unsafe-fixes)" if unsafe else "")
    elif unsafe:
        summary += f", {unsafe} fixable with --fix --unsafe-fixes"
    lines.append(f"{summary} ({result.files_checked} files checked in {result.elapsed:.2f} s)")
    return "\n".join(lines) + "\n"
