"""A Markdown summary of a run, for the places people read on a pull request.

Used for the GitHub job summary, the sticky GitHub PR comment and the Azure
DevOps summary and PR thread. Everything that comes from the repository (paths,
messages, notes) is untrusted: ``escape_text`` renders it as literal text, so a
crafted file name cannot add HTML, open or close a block, link anywhere or
@-mention anyone. Only URLs made by our own callers become links, and only
http(s) ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote, urlsplit

from aml_lint.findings import Finding, LintResult, Severity

# How much of one untrusted string we show; the rest is in the log and SARIF.
MAX_MESSAGE_CHARS = 600
MAX_PATH_CHARS = 300
MAX_NOTES = 20

LinkFn = Callable[[str, int], "str | None"]

_ICONS = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.INFO: "ℹ️"}
_PLURAL = {Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.INFO: "notices"}
_SINGULAR = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}

# ASCII punctuation with a meaning somewhere in CommonMark / GFM (emphasis, links,
# tables, headings, lists, math, autolinks): backslash-escaped, which CommonMark
# allows for every ASCII punctuation character.
_BACKSLASHED = frozenset("\\`*_{}[]()#+-.!|~:^$=/")
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#39;"}
# Control characters, and bidirectional overrides that make text read differently
# from what it is ("Trojan Source"): shown as U+FFFD. So are lone surrogates (a file name
# that is not UTF-8, as Python decodes it), which no UTF-8 writer can encode.
_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f\u0085\u2028\u2029]")
_ZWSP = "\u200b"
# A zero-width space after @ stops mentions and e-mail autolinks.
_TABLE = str.maketrans({**{ch: "\\" + ch for ch in _BACKSLASHED}, **_ENTITIES, "@": "@" + _ZWSP})


def escape_text(text: str, limit: int | None = None) -> str:
    """Untrusted text -> Markdown that renders as exactly that text on one line.

    No HTML, no emphasis or code, no links or autolinks, no @-mentions or
    #-references, no table cell breaks; newlines become spaces.
    """
    text = _CONTROL.sub(" ", text)
    text = _INVISIBLE.sub("\ufffd", text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    escaped = text.translate(_TABLE)
    # "#123" and "GH-123" become cross-references on GitHub even when escaped.
    escaped = re.sub(r"(\\#)(?=\d)", r"\1" + _ZWSP, escaped)
    escaped = re.sub(r"(?i)(gh\\-)(?=\d)", r"\1" + _ZWSP, escaped)
    # "www." autolinks without a scheme; the escaped dot already breaks it, but be sure.
    escaped = re.sub(r"(?i)(www)(\\\.)", r"\1" + _ZWSP + r"\2", escaped)
    return escaped


def safe_url(url: str | None) -> str | None:
    """A URL we made ourselves, checked and quoted for use inside ``[..](url)``."""
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    # Percent-encode anything that could end the link or the line; keep URL syntax.
    quoted = quote(url, safe=":/?#[]@!$&*+,;=%-._~")
    return quoted.replace("(", "%28").replace(")", "%29").replace("'", "%27")


def _link(text: str, url: str | None) -> str:
    safe = safe_url(url)
    return f"[{text}]({safe})" if safe else text


def _plural(n: int, sev: Severity) -> str:
    return f"{n} {_SINGULAR[sev] if n == 1 else _PLURAL[sev]}"


def _headline(result: LintResult) -> str:
    errors, warnings, infos = (
        result.count(s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
    )
    if not result.findings:
        return "✅ All clear: no findings"
    parts = [_plural(errors, Severity.ERROR), _plural(warnings, Severity.WARNING)]
    if infos:
        parts.append(_plural(infos, Severity.INFO))
    icon = _ICONS[result.worst() or Severity.INFO]
    return f"{icon} " + ", ".join(parts)


def _counts_table(result: LintResult) -> list[str]:
    lines = ["| Severity | Count |", "| --- | ---: |"]
    for sev in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        lines.append(f"| {_ICONS[sev]} {_PLURAL[sev].capitalize()} | {result.count(sev)} |")
    files_with = len({f.path for f in result.findings})
    lines.append(f"| Files with findings | {files_with} |")
    lines.append(f"| Files checked | {result.files_checked} |")
    return lines


def _ordered_files(findings: list[Finding]) -> list[tuple[str, list[Finding]]]:
    """Files with errors first (worst severity, then path); inside a file, errors first."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.path, []).append(f)
    ordered = sorted(groups.items(), key=lambda kv: (-max(f.severity for f in kv[1]), kv[0]))
    return [
        (
            path,
            sorted(items, key=lambda f: (-f.severity, f.location.line, f.location.col, f.rule_id)),
        )
        for path, items in ordered
    ]


def _file_header(path: str, items: list[Finding]) -> list[str]:
    counts = [
        _plural(n, sev)
        for sev in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if (n := sum(1 for f in items if f.severity == sev))
    ]
    return [
        "",
        f"#### {escape_text(path, MAX_PATH_CHARS)} ({', '.join(counts)})",
        "",
        "| Line | Severity | Rule | Message |",
        "| ---: | --- | --- | --- |",
    ]


def _row(f: Finding, link: LinkFn | None) -> str:
    line = f.location.line
    where = (
        f"{line}:{f.location.col}" if line and f.location.col else (str(line) if line else "file")
    )
    url = link(f.path, line) if link is not None else None
    sev = f"{_ICONS[f.severity]} {f.severity.label}"
    rule = escape_text(f.rule_id, 40)
    return f"| {_link(where, url)} | {sev} | {rule} | {escape_text(f.message, MAX_MESSAGE_CHARS)} |"


def _footer(run_url: str | None) -> list[str]:
    url = safe_url(run_url)
    if not url:
        return []
    return ["", f"[Full log and SARIF for this run]({url})"]


def _truncation_note(left_out: list[Finding], run_url: str | None) -> list[str]:
    counts = ", ".join(
        _plural(n, sev)
        for sev in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if (n := sum(1 for f in left_out if f.severity == sev))
    )
    where = f"the [run log]({safe_url(run_url)})" if safe_url(run_url) else "the run log"
    return [
        "",
        f"> **{len(left_out)} more finding{'s' if len(left_out) != 1 else ''} not shown** "
        f"({counts}) to keep this under the size limit; see {where} or the SARIF file.",
    ]


def render_markdown(
    result: LintResult,
    *,
    title: str = "aml-lint",
    link: LinkFn | None = None,
    max_chars: int = 60_000,
    run_url: str | None = None,
    marker: str | None = None,
    appendix: str = "",
) -> str:
    """The summary as Markdown, at most ``max_chars`` characters (when that allows a headline).

    ``link(path, line)`` gives the URL of a line (line 0: the file) or None;
    ``marker`` is a hidden HTML comment put first, to find the comment again;
    ``appendix`` is Markdown the caller made safe (the fixes' diff blocks), put after the
    findings; it is dropped when the budget cannot hold it with the headline.
    """
    if appendix and len(appendix) > max_chars // 2:
        appendix = ""
    head: list[str] = []
    if marker:
        head.append("<!-- " + marker.replace("--", "- -").replace(">", "&gt;") + " -->")
    head.append(f"### {escape_text(title, 200)}: {_headline(result)}")
    head.append("")
    head.extend(_counts_table(result))
    for note in result.notes[:MAX_NOTES]:
        head.extend(["", "> " + escape_text(note, MAX_MESSAGE_CHARS)])
    if not result.findings:
        head.extend(["", f"No findings in the {result.files_checked} files checked."])

    footer = _footer(run_url)
    if appendix:
        footer = [appendix.rstrip("\n"), *footer]
    body = head[:]
    used = _size(body) + _size(footer)
    # Room kept for the truncation note, whatever it ends up saying.
    reserve = len("\n".join(_truncation_note(result.findings, run_url))) + 64
    shown = 0
    stopped = False
    for path, items in _ordered_files(result.findings):
        header = _file_header(path, items)
        rows = [_row(f, link) for f in items]
        if used + _size(header) + len(rows[0]) + 1 + reserve > max_chars:
            stopped = True
            break
        body.extend(header)
        used += _size(header)
        for row in rows:
            if used + len(row) + 1 + reserve > max_chars:
                stopped = True
                break
            body.append(row)
            used += len(row) + 1
            shown += 1
        if stopped:
            break

    if stopped:
        order = [f for _, items in _ordered_files(result.findings) for f in items]
        body.extend(_truncation_note(order[shown:], run_url))
    body.extend(footer)
    text = "\n".join(body) + "\n"
    if len(text) > max_chars:
        # Only reachable with a tiny budget: fall back to the headline alone.
        text = "\n".join(head[:2]) + "\n"
        text = text[:max_chars]
    return text


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)
