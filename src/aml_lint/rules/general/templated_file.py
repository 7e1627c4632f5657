"""A templated file: YAML that parses only once a pipeline fills in its placeholders.

What it finds: an AzureML YAML file that is not valid YAML as it is, but is once its
placeholders are rendered: `{{ x }}` inside a value (`name: {{ env }}-blue`), Jinja or Helm
tags (`{% if %}`, `{{- include }}`), and the other forms release pipelines fill in
(`${x}`, `$(x)`, `#{x}#`, `__X__`, `<x>`, `<% x %>`). A file that parses is not a
template, whatever it holds: there, each placeholder value is skipped by the checks that
need it (a name, a path, a secret) and every other key is checked. A placeholder inside a
YAML comment is never looked at.

Why it matters: such a file is not a valid AzureML definition until a script substitutes
the placeholders, so checking it as it is would give a flood of false errors. aml-lint
reports it once, as info, and does not check it further.

Fails:
    name: blue
    endpoint_name: {{ENDPOINT_NAME}}-prod

Passes:
    name: blue
    endpoint_name: "{{ENDPOINT_NAME}}-prod"   # quoted: parses, only this value is skipped

Fix: nothing to fix. Quote the templated values so the file parses and aml-lint checks the
rest of it, or run aml-lint on the rendered output.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import YAML_KINDS, Document, Kind
from aml_lint.documents.classify import kind_from_yaml
from aml_lint.documents.placeholders import has_control_tags
from aml_lint.rules.base import Context, Hit

ID = "AML004"
NAME = "templated-file"
SEVERITY = "info"
KINDS = tuple(YAML_KINDS)
ACCEPTS_BROKEN = True


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    marker = doc.template_marker
    if marker is None:
        return
    rendered = doc.rendered
    if doc.kind is Kind.OTHER_YAML and rendered is not None and kind_from_yaml(rendered.data) is Kind.OTHER_YAML:
        return  # a template of something aml-lint does not check (a job, a Helm chart): not ours
    text, location = marker
    if doc.text is not None and has_control_tags(doc.text):
        yield Hit(f"templated file: its template tags ({text}) make it YAML only once rendered, so it is not "
                  "checked; lint the rendered output", location)
        return
    yield Hit(f"templated file: it parses as YAML only once {text} is filled in, so it is not checked; "
              "quote the templated value to have the rest of the file checked", location)
