"""YAML that does not parse.

What it finds: a YAML file (deployment, environment, conda file) that is not valid YAML,
expands into an alias bomb, or nests absurdly deep.

A file that parses once its placeholders are filled in is a template (AML004, info);
one that is still broken then is reported here.

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

from aml_lint.documents import YAML_KINDS, Document
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
    if isinstance(result, YamlReadError):
        yield Hit(str(result), result.location)
