"""A templated file: placeholders are filled in before deployment.

What it finds: YAML files with `{{ ... }}`, `${{ ... }}` or `<PLACEHOLDER>` values.

Why it matters: such files are not valid AzureML definitions until a script substitutes
the placeholders, so checking them as they are would give a flood of false errors.
aml-lint reports them once, as info, and does not check them further.

Fails:
    endpoint_name: {{ENDPOINT_NAME}}

Passes:
    endpoint_name: my-endpoint

Fix: nothing to fix. To lint the real file, run aml-lint on the rendered output.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import YAML_KINDS, Document
from aml_lint.rules.base import Context, Hit

ID = "AML004"
NAME = "templated-file"
SEVERITY = "info"
KINDS = tuple(YAML_KINDS)
ACCEPTS_BROKEN = True


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    marker = doc.template_marker
    if marker is not None and doc.text is not None:
        text, location = marker
        yield Hit(f"templated file (placeholder {text}); not checked until it is rendered", location)
