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
    r"|<[A-Za-z_][A-Za-z0-9_\-. ]*>"     # documentation style: <x>, <SUBSCRIPTION_ID>
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
