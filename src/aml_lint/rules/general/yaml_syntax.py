"""YAML that does not parse.

What it finds: a YAML file (deployment, environment, conda file) that is not valid YAML,
expands into an alias bomb, or nests absurdly deep.

A file that parses once its placeholders are filled in is a template (AML004, info);
one that is still broken then is reported here. A broken file that is not one of the kinds
aml-lint checks (its `$schema` or `type:` names a job, a component, a prompt flow; it has
none of the top-level keys of a deployment, environment or conda file) is left alone.

Why it matters: `az ml online-deployment create` and `conda env create` stop at the first
syntax error; nothing else in the file can be checked until it parses.

Fails:
    dependencies:
      - python=3.10
     - pip

Passes:
    dependencies:
      - python=3.10
      - pip

Fix: correct the indentation or quoting at the reported line.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import YAML_KINDS, Document, Kind
from aml_lint.documents.classify import looks_like_checked_kind
from aml_lint.documents.yaml_doc import YamlReadError
from aml_lint.rules.base import Context, Hit

ID = "AML002"
NAME = "yaml-syntax"
SEVERITY = "error"
KINDS = tuple(YAML_KINDS)
ACCEPTS_BROKEN = True


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    if doc.template_marker is not None:
        return  # parses once rendered: a template, reported once by AML004, not a syntax error
    result = doc.yaml_result
    if not isinstance(result, YamlReadError):
        return
    if doc.kind is Kind.OTHER_YAML and doc.text is not None and not result.over_limit \
            and not looks_like_checked_kind(doc.text):
        return  # a job, component or prompt flow that fails to parse: not a kind aml-lint checks
    yield Hit(str(result), result.location)
