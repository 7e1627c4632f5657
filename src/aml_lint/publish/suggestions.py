"""Turning a finding's Fix into what a pull request shows: suggested changes and diff blocks.

A suggestion replaces whole lines: the lines from the first to the last line an edit touches,
rendered after the edits. GitHub ("Commit suggestion") and Azure DevOps ("Apply change") replace
exactly those lines of the file with the lines of the ```` ```suggestion ```` block, so a
suggestion applied there gives the same file as :func:`aml_lint.fix.apply_edits`.

Everything that reaches Markdown from the repository is untrusted. Inside a fenced block the
content is literal, so the fence is made longer than any run of backticks in it (a file that
holds ```` ``` ```` cannot close the block early); the text around it (rule message, fix
description) goes through ``escape_text``. A suggestion whose content holds control characters or
bidirectional overrides is not offered (a reviewer could not see what they commit); that fix is
shown in the summary's diff block instead, with those characters made visible.

Each suggestion carries a hidden marker ``<!-- aml-lint:suggestion:<key> -->`` whose key hashes the
finding's fingerprint and the change, so a later run finds it again instead of posting it twice.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from aml_lint.findings import Finding, Severity
from aml_lint.fix import Edit, Fix, apply_edits, line_end, line_start
from aml_lint.report.markdown import escape_text

MARKER_PREFIX = "aml-lint:suggestion:"
MARKER_RE = re.compile(r"<!-- aml-lint:suggestion:([0-9a-f]{16,64}) -->")
MAX_PER_RUN = 25
# One review comment must stay under GitHub's 65,536 characters, with room for the text around it.
MAX_SUGGESTION_CHARS = 50_000
MAX_MESSAGE_CHARS = 600
# The part of a PR comment the diff blocks of fixes that are not suggestions may take.
FIX_DIFFS_MAX_CHARS = 20_000
# Characters a reviewer cannot see in a suggestion: C0 controls but tab, DEL, C1, bidi overrides,
# line/paragraph separators and lone surrogates (a file name or text that is not UTF-8).
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u061c"
                     "\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_BACKTICKS = re.compile("`+")

TextLoader = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Suggestion:
    """Replace lines ``start_line..end_line`` (1-based, inclusive) of ``path`` with ``lines``."""

    finding: Finding
    fix: Fix
    path: str
    start_line: int
    end_line: int
    lines: tuple[str, ...]  # the new lines, without line breaks; empty: the lines are deleted
    key: str
    end_col: int = 1  # 1-based column just past the last replaced line (its length + 1)

    @property
    def marker(self) -> str:
        return f"<!-- {MARKER_PREFIX}{self.key} -->"


@dataclass(frozen=True)
class Plan:
    """What a run can show on the PR: suggestions, and fixes that only a diff block can show."""

    suggestions: list[Suggestion]
    diffs: list[tuple[Finding, Fix]]


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _line_count(text: str) -> int:
    if not text:
        return 0
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def _strip_break(text: str) -> str:
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith("\n") else text


def line_range(text: str, edits: Sequence[Edit]) -> tuple[int, int] | None:
    """First and last line the edits touch (an insertion touches the line it lands on)."""
    count = _line_count(text)
    if count == 0 or not edits:
        return None
    first = min(_line_of(text, e.start) for e in edits)
    last = max(_line_of(text, e.end - 1 if e.end > e.start else e.end) for e in edits)
    # An insertion after the final line break lands on a line that does not exist: anchor it on
    # the last line, whose text the suggestion then repeats.
    return min(first, count), min(last, count)


def suggestion_for(finding: Finding, fix: Fix, text: str) -> Suggestion | None:
    """The suggestion for a one-file fix, or None when the lines cannot carry it."""
    if len(fix.paths) != 1 or not fix.edits:
        return None
    found = line_range(text, fix.edits)
    if found is None:
        return None
    first, last = found
    count = _line_count(text)
    segment = after = ""
    while True:
        start = line_start(text, first)
        end = line_start(text, last + 1)  # just past the last line's break (or the text's end)
        if any(e.start < start or e.end > end for e in fix.edits):
            return None  # cannot happen for edits inside the text; keeps the slice honest
        segment = text[start:end]
        try:
            after = apply_edits(segment, [Edit(e.path, e.start - start, e.end - start, e.replacement)
                                          for e in fix.edits])
        except ValueError:
            return None  # overlapping edits: not one change a reviewer can accept
        # An edit that removes the last line's break joins the next line to it: take that line in.
        joins = segment.endswith("\n") and not after.endswith("\n") and after != ""
        if joins and last < count:
            last += 1
            continue
        if joins:
            return None  # removes the file's final line break: lines cannot say that
        break
    if segment.endswith("\n") and after.endswith("\n"):
        after = _strip_break(after)
        lines = tuple(line.removesuffix("\r") for line in after.split("\n"))
    elif after == "" and segment.endswith("\n"):
        lines = ()
    else:
        # The last line of a file without a final line break: the suggestion keeps it that way.
        lines = tuple(line.removesuffix("\r") for line in after.split("\n"))
    body = "\n".join(lines)
    shown = segment.replace("\r\n", "\n")
    if _HIDDEN.search(body) or "\r" in body or _HIDDEN.search(shown) or "\r" in shown:
        return None
    if len(body) > MAX_SUGGESTION_CHARS:
        return None
    key = _key(finding, fix.paths[0], segment, body)
    end_col = line_end(text, last) - line_start(text, last) + 1
    return Suggestion(finding, fix, fix.paths[0], first, last, lines, key, end_col)


def _key(finding: Finding, path: str, before: str, after: str) -> str:
    """Same finding, same change: same key, wherever the lines moved to."""
    text = "\0".join((finding.fingerprint(), path, before.replace("\r\n", "\n"), after))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def plan(findings: Iterable[Finding], load: TextLoader) -> Plan:
    """Split the fixable findings: one-file fixes become suggestions, the rest diff blocks.

    ``load(path)`` gives a file's text as aml-lint read it (None: unreadable, skip its fixes).
    """
    suggestions: list[Suggestion] = []
    diffs: list[tuple[Finding, Fix]] = []
    seen: set[str] = set()
    for finding in findings:
        fix = finding.fix
        if fix is None or not fix.edits:
            continue
        texts = {path: load(path) for path in fix.paths}
        if any(text is None for text in texts.values()):
            continue
        made = None
        if len(texts) == 1:
            (text,) = texts.values()
            assert text is not None
            made = suggestion_for(finding, fix, text)
        if made is None:
            diffs.append((finding, fix))
        elif made.key not in seen:
            seen.add(made.key)
            suggestions.append(made)
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    suggestions.sort(key=lambda s: (order[s.finding.severity], s.path, s.start_line, s.finding.rule_id))
    return Plan(suggestions, diffs)


# -- rendering ---------------------------------------------------------------------------------


def fence_for(content: str, at_least: int = 3) -> str:
    """A backtick fence longer than any backtick run in ``content``."""
    longest = max((len(m.group(0)) for m in _BACKTICKS.finditer(content)), default=0)
    return "`" * max(at_least, longest + 1)


def suggestion_block(lines: Sequence[str]) -> str:
    content = "".join(line + "\n" for line in lines)
    fence = fence_for(content)
    return f"{fence}suggestion\n{content}{fence}"


def _about(finding: Finding, fix: Fix) -> list[str]:
    rule = escape_text(finding.rule_id, 40)
    message = escape_text(finding.message, MAX_MESSAGE_CHARS)
    what = escape_text(fix.description, MAX_MESSAGE_CHARS)
    lines = [f"**aml-lint {rule}** ({finding.severity.label}): {message}", "", f"Fix: {what}"]
    if not fix.safe:
        lines[-1] += " (unsafe: it changes behaviour; review it before committing)"
    return lines


def comment_body(suggestion: Suggestion) -> str:
    """The review comment (GitHub) or thread comment (Azure DevOps) carrying the suggestion."""
    parts = [suggestion.marker, *_about(suggestion.finding, suggestion.fix), "",
             suggestion_block(suggestion.lines)]
    return "\n".join(parts) + "\n"


def keys_in(body: str) -> list[str]:
    """The suggestion keys a comment body carries (ours have exactly one, first)."""
    return MARKER_RE.findall(body or "")


def parse_suggestion(body: str) -> tuple[str, ...] | None:
    """The lines of the ```` ```suggestion ```` block of a comment body, as the platforms read it."""
    match = re.search(r"^(`{3,})suggestion\n", body, flags=re.M)
    if match is None:
        return None
    fence = match.group(1)
    rest = body[match.end():]
    close = re.search(rf"^ {{0,3}}{fence}`*[ \t]*$", rest, flags=re.M)
    if close is None:
        return None
    content = rest[: close.start()]
    return tuple(content.split("\n")[:-1]) if content else ()


def apply_suggestion(text: str, start_line: int, end_line: int, lines: Sequence[str]) -> str:
    """``text`` with lines ``start_line..end_line`` replaced, as "Commit suggestion" does.

    The new lines take the file's line break; the last one keeps a break when the replaced
    last line had one.
    """
    from aml_lint.fix import newline_of

    old = text.splitlines(keepends=True)
    newline = newline_of(text)
    had_break = old[end_line - 1].endswith(("\n", "\r"))
    new = [line + newline for line in lines]
    if new and not had_break:
        new[-1] = new[-1][: -len(newline)]
    return "".join(old[: start_line - 1] + new + old[end_line:])


# -- the summary's diff block ----------------------------------------------------------------


def _visible(text: str) -> str:
    return _HIDDEN.sub("\ufffd", text.replace("\r", "\ufffd"))


def unified_diff(fix: Fix, load: TextLoader) -> str:
    """The fix as a unified diff of every file it edits ('' when a file cannot be read)."""
    out: list[str] = []
    for path in fix.paths:
        text = load(path)
        if text is None:
            return ""
        try:
            after = apply_edits(text, [e for e in fix.edits if e.path == path])
        except ValueError:
            return ""
        name = _visible(path).replace("\n", " ").replace("\r", " ")
        lines = difflib.unified_diff(
            text.replace("\r\n", "\n").splitlines(keepends=True),
            after.replace("\r\n", "\n").splitlines(keepends=True),
            fromfile=f"a/{name}", tofile=f"b/{name}", n=2,
        )
        for line in lines:
            out.append(_visible(line.removesuffix("\n")) + "\n")
            if not line.endswith("\n"):
                out.append("\\ No newline at end of file\n")
    return "".join(out)


def diff_section(
    diffs: Sequence[tuple[Finding, Fix]],
    load: TextLoader,
    *,
    more_suggestions: int = 0,
    posted: int = 0,
    max_chars: int = FIX_DIFFS_MAX_CHARS,
) -> str:
    """Markdown for the summary: fixes the PR cannot show as suggestions, and what was left out."""
    lines: list[str] = []
    if posted:
        lines += ["", f"> {posted} fix{'es' if posted != 1 else ''} offered as suggested changes "
                      "on the diff: commit them from the review."]
    if more_suggestions:
        lines += ["", f"> {more_suggestions} more suggested change{'s' if more_suggestions != 1 else ''} "
                      f"not posted (at most {MAX_PER_RUN} per run); they come with the next runs, or run "
                      "`aml-lint check --fix` locally."]
    blocks: list[str] = []
    for finding, fix in diffs:
        diff = unified_diff(fix, load)
        if not diff:
            continue
        fence = fence_for(diff)
        about = _about(finding, fix)
        blocks.append("\n".join(["", about[0] + " " + about[2], "", f"{fence}diff", diff + fence]))
    if blocks:
        head = ["", "#### Fixes outside the diff", ""]
        used = len("\n".join(lines + head)) + 200
        shown = 0
        lines += head[:-1]
        for block in blocks:
            if used + len(block) + 1 > max_chars:
                break
            lines.append(block)
            used += len(block) + 1
            shown += 1
        if shown < len(blocks):
            left = len(blocks) - shown
            lines += ["", f"> {left} more fix{'es' if left != 1 else ''} not shown here; run "
                          "`aml-lint check --diff` to see every one."]
    return "\n".join(lines) + ("\n" if lines else "")
