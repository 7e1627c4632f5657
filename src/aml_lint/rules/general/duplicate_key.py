"""The same key twice in one YAML mapping.

What it finds: a mapping that defines a key more than once, in an AzureML deployment,
environment, endpoint or conda file.

Why it matters: PyYAML, and so the AzureML CLI and SDK, silently keep the last value: the
first `instance_type` or `conda_file` you wrote is ignored without a word (a conda file is
read by the SDK too, and sent to the image build with the duplicate already dropped). When
the kept value is valid, the file still works, only not as its first entry says: a warning.
When the schema rejects the document as loaded (the kept value is wrong), the duplicate is
part of an error that will stop the deployment: an error.

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

from aml_lint.documents import YAML_KINDS, Document, Kind
from aml_lint.findings import Severity
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.general.schema import reported_problems
from aml_lint.schemas import SCHEMA_FILES

ID = "AML003"
NAME = "duplicate-key"
SEVERITY = "warning"
KINDS = tuple(YAML_KINDS - {Kind.OTHER_YAML})


def _short(value: object) -> str:
    text = repr(value) if isinstance(value, str) else ("a mapping" if isinstance(value, dict) else
                                                        "a list" if isinstance(value, list) else repr(value))
    return text if len(text) <= 40 else text[:37] + "..."


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    assert doc.yaml is not None
    if not doc.yaml.duplicates:
        return
    problems = reported_problems(doc) if doc.kind in SCHEMA_FILES else []
    for dup in doc.yaml.duplicates:
        path = (*dup.path, dup.key)
        kept = doc.yaml.get(path)
        invalid = any(p.path[:len(path)] == path for p in problems)
        if invalid:
            yield Hit(f"key '{dup.key}' appears again (first at line {dup.first.line}); AzureML keeps only this "
                      "last value, which the schema rejects (AML005): keep one entry, with a valid value",
                      dup.again, severity=Severity.ERROR)
        else:
            yield Hit(f"key '{dup.key}' appears again (first at line {dup.first.line}); AzureML keeps only this "
                      f"last value ({_short(kept)}) and ignores line {dup.first.line}: remove one", dup.again)
