"""The same key twice in one YAML mapping.

What it finds: a mapping that defines a key more than once.

Why it matters: PyYAML, and so the AzureML CLI, silently keeps the last value: the first
`instance_type` or `conda_file` you wrote is ignored without a word.

Fails:
    instance_type: Standard_DS3_v2
    instance_count: 1
    instance_type: Standard_F2s_v2

Passes:
    instance_type: Standard_DS3_v2
    instance_count: 1

Fix: keep one of the two entries.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import YAML_KINDS, Document
from aml_lint.rules.base import Context, Hit

ID = "AML003"
NAME = "duplicate-key"
SEVERITY = "error"
KINDS = tuple(YAML_KINDS)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    assert doc.yaml is not None
    for dup in doc.yaml.duplicates:
        yield Hit(
            f"key '{dup.key}' appears again (first at line {dup.first.line}); "
            "AzureML keeps only the last value: remove one",
            dup.again,
        )
