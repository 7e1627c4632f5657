"""GitHub Actions workflow commands: one annotation per finding, within GitHub's caps.

GitHub shows at most 10 error and 10 warning annotations per step and drops the
rest without a word, so we choose which ones: errors first, then warnings, then
notices, and end with one notice that says how many were left out and where to
read them. Values are escaped as actions/toolkit does (data: ``%``, CR, LF;
properties also ``:`` and ``,``), so no text from the repository can end the
command early or start a new one.
"""

from __future__ import annotations

from aml_lint.findings import Finding, LintResult, Severity

MAX_PER_LEVEL = 10
COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
MAX_TITLE = 255
# Messages are clipped so one annotation cannot flood the log.
MAX_MESSAGE = 4_000


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **props: str | int) -> str:
    """``::name k=v,k=v::message`` with every value escaped; empty properties left out."""
    parts = [
        f"{key}={escape_property(str(value))}"
        for key, value in props.items()
        if value not in ("", 0)
    ]
    head = f"::{name} {','.join(parts)}" if parts else f"::{name}"
    return f"{head}::{escape_data(message)}"


def annotation(finding: Finding, rule_name: str = "") -> str:
    loc = finding.location
    props: dict[str, str | int] = {"file": finding.path}
    if loc.line > 0:
        props["line"] = loc.line
        end_line = loc.end_line if loc.end_line >= loc.line else loc.line
        props["endLine"] = end_line
        # GitHub drops the whole annotation when columns span lines or run backwards.
        if loc.col > 0 and end_line == loc.line:
            props["col"] = loc.col
            if loc.end_col >= loc.col:
                props["endColumn"] = loc.end_col
    title = f"aml-lint {finding.rule_id}" + (f" ({rule_name})" if rule_name else "")
    props["title"] = title[:MAX_TITLE]
    message = finding.message
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    return command(COMMANDS[finding.severity], message, **props)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render(
    result: LintResult,
    *,
    max_per_level: int = MAX_PER_LEVEL,
    see: str = "the job summary and the log",
) -> str:
    """Annotations for the findings, most severe first, then a notice about the rest."""
    ordered = sorted(result.findings, key=lambda f: (-f.severity, *f.sort_key()))
    # One notice slot stays free for the "left out" notice.
    caps = {
        Severity.ERROR: max_per_level,
        Severity.WARNING: max_per_level,
        Severity.INFO: max_per_level - 1,
    }
    used = dict.fromkeys(caps, 0)
    lines: list[str] = []
    left_out: dict[Severity, int] = dict.fromkeys(caps, 0)
    for finding in ordered:
        if used[finding.severity] < caps[finding.severity]:
            used[finding.severity] += 1
            rule = result.rules.get(finding.rule_id)
            lines.append(annotation(finding, rule.name if rule else ""))
        else:
            left_out[finding.severity] += 1
    total = sum(left_out.values())
    if total:
        counts = ", ".join(
            _plural(left_out[sev], word)
            for sev, word in (
                (Severity.ERROR, "error"),
                (Severity.WARNING, "warning"),
                (Severity.INFO, "notice"),
            )
            if left_out[sev]
        )
        lines.append(
            command(
                "notice",
                f"{_plural(total, 'more finding')} not annotated ({counts}): GitHub shows only "
                f"{max_per_level} annotations of each kind per step. See {see}.",
                title="aml-lint: more findings",
            )
        )
    return "\n".join(lines) + ("\n" if lines else "")
