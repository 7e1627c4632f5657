"""Placeholders that release pipelines fill in before a file reaches Azure ML.

A value such as ``{{ ENDPOINT }}``, ``${MODEL_PATH}``, ``$(conda_file)``, ``#{name}#``,
``__NAME__``, ``<subscription-id>`` or ``<% env %>`` is not a path, a name or a secret yet:
the checks that need the value skip it, every other key of the file is still checked.

AzureML's own expression syntax, ``${{inputs.x}}`` / ``${{parent.jobs...}}``, is valid as it
is and is not a placeholder. Text inside YAML comments is never looked at here: callers pass
values, not lines.
"""

from __future__ import annotations

import re

# One alternative per templating convention; each needs its closing delimiter so that a pip
# specifier (`numpy<2`), a shell `$` or a Python dunder (`__init__`) is not taken for one.
_PLACEHOLDER_RE = re.compile(
    r"(?<!\$)\{\{[^{}\n]*\}\}"           # Jinja / Helm / mustache: {{ x }} (not AzureML's ${{ }})
    r"|\$\{(?!\{)[^{}\n]+\}"             # envsubst / shell: ${x}
    r"|\$[A-Za-z_][A-Za-z0-9_]*"         # envsubst: $x
    r"|\$\([^()\n]+\)"                   # Azure Pipelines macro: $(x)
    r"|#\{[^{}\n]+\}#"                   # replace-tokens: #{x}#
    r"|(?<![A-Za-z0-9_])__[A-Z][A-Z0-9_]*__(?![A-Za-z0-9_])"  # token replacement: __X__
    r"|<%[^%\n]*%>"                      # ERB / EJS: <% x %>
    r"|< ?[A-Za-z_][A-Za-z0-9_\-. ]*>"   # documentation style: <x>, <SUBSCRIPTION_ID>, < your name >
)


def find_placeholder(value: object) -> str | None:
    """The first placeholder inside a string value, or None (for non-strings too)."""
    if not isinstance(value, str) or not value:
        return None
    m = _PLACEHOLDER_RE.search(value)
    return m.group() if m else None


def is_placeholder(value: object) -> bool:
    """True when the value holds a placeholder: its real value is only known once rendered."""
    return find_placeholder(value) is not None


def is_whole_placeholder(value: object) -> bool:
    """True when the whole value (spaces aside) is one placeholder: ``$(key)``, ``{{ x }}``."""
    return isinstance(value, str) and _PLACEHOLDER_RE.fullmatch(value.strip()) is not None


def find_delimited_placeholder(value: object) -> str | None:
    """The first placeholder with delimiters on both sides (not a bare ``$x``), or None.

    A bare ``$word`` inside a longer value may be part of a literal (``pa$$word``); the
    delimited forms cannot be.
    """
    if not isinstance(value, str) or not value:
        return None
    for m in _PLACEHOLDER_RE.finditer(value):
        if not _BARE_DOLLAR_RE.fullmatch(m.group()):
            return m.group()
    return None


_BARE_DOLLAR_RE = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*")

# -- whole files ---------------------------------------------------------------------------------
# A file that does not parse as YAML until it is rendered (`name: {{ x }}-blue`, Jinja blocks) is
# skipped as a whole. These helpers look at its text, comments excluded.

# Template syntax that can break YAML parsing: the delimited placeholders and Jinja/Helm tags.
_TEMPLATE_SYNTAX_RE = re.compile(
    r"(?<!\$)\{\{[^{}\n]*\}\}|\{%[^\n]*?%\}|\{#[^\n]*?#\}"
    r"|\$\{(?!\{)[^{}\n]+\}|\$\([^()\n]+\)|#\{[^{}\n]+\}#"
    r"|(?<![A-Za-z0-9_])__[A-Z][A-Z0-9_]*__(?![A-Za-z0-9_])|<%[^%\n]*%>|<[A-Za-z_][A-Za-z0-9_\-. ]*>"
)
# Control tags that render to nothing or to whole blocks: `{% if x %}`, `{{- include ... }}`.
_CONTROL_RE = re.compile(r"\{%|\{\{-|-\}\}|\{#")


def _code_part(line: str) -> str:
    """The line without its YAML comment (a '#' at the start or after a space, outside quotes;
    a replace-tokens ``#{x}#`` is not a comment)."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"" and (i == 0 or line[i - 1] in " \t:[{,-"):
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t") and not re.match(r"#\{[^{}\n]+\}#", line[i:]):
            return line[:i]
    return line


def find_template_syntax(text: str) -> tuple[str, int, int] | None:
    """(placeholder, line, column) of the first template syntax outside comments, or None."""
    for number, line in enumerate(text.splitlines(), start=1):
        if "#" in line or any(c in line for c in "{$_<"):
            m = _TEMPLATE_SYNTAX_RE.search(_code_part(line))
            if m:
                return m.group(), number, m.start() + 1
    return None


def has_control_tags(text: str) -> bool:
    """Jinja/Helm control tags outside comments: the text is a template program, not a document."""
    return any(_CONTROL_RE.search(_code_part(line)) for line in text.splitlines())


def render(text: str) -> str:
    """The text with every placeholder outside comments replaced by a plain word, and lines that
    hold only a template tag emptied (line numbers are kept): what a pipeline would produce."""
    out = []
    for line in text.splitlines():
        code = _code_part(line)
        if _TEMPLATE_SYNTAX_RE.search(code) is None:
            out.append(line)
        elif not _TEMPLATE_SYNTAX_RE.sub("", code).strip(" \t-"):
            out.append("")  # `{% if x %}`, `{{- include "x" . }}`, `- {{ item }}`: nothing left to parse
        else:
            out.append(_TEMPLATE_SYNTAX_RE.sub("placeholder", code))
    return "\n".join(out) + "\n"


def strip_placeholders(value: str) -> str:
    """The value with its delimited placeholders removed: what is literal in it."""
    if not any(c in value for c in "{$#_<"):
        return value
    return _PLACEHOLDER_RE.sub(lambda m: m.group() if _BARE_DOLLAR_RE.fullmatch(m.group()) else "", value)
