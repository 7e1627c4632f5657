"""An endpoint or deployment name that AzureML does not accept.

What it finds: `name` of endpoints and deployments and `endpoint_name` of deployments
that do not match `^[a-zA-Z][-a-zA-Z0-9]*[a-zA-Z0-9]$` or are not 3 to 32 characters
long. A value that is a placeholder (`{{ name }}`, `$(name)`, `#{name}#`, `__NAME__`,
`<name>`, `${NAME}`) is filled in by the release pipeline: it is skipped.

Why it matters: the CLI refuses the name before creating anything: "The name for a
deployment must start with an upper- or lowercase letter and only consist of '-'s and
alphanumeric characters", or "... must be at least 3 and at most 32 characters long"
(the SDK's `validate_endpoint_or_deployment_name`). A deployment's `endpoint_name`
that breaks the rule names an endpoint that cannot exist, so the deployment cannot be
created either. Underscores and dots, common in names copied from models, are the
usual cause. The SDK checks the names of endpoints and online deployments only; a batch
deployment's own `name` is checked by the REST API alone, whose pattern is wider
(`^[a-zA-Z0-9][a-zA-Z0-9-_]{0,254}$`: `mnist_deployment` is accepted), so only a name
outside that pattern is reported there.

Fails:
    name: sklearn_blue
    endpoint_name: my-endpoint

Fixed:
    name: sklearn-blue
    endpoint_name: my-endpoint

Passes:
    name: sklearn-blue
    endpoint_name: my-endpoint

Fix: use letters, digits and hyphens, start with a letter, end with a letter or digit,
3–32 characters. `--unsafe-fixes` replaces the underscores of a name with hyphens when that alone
makes it valid (unsafe: renaming changes what is deployed, and scripts, pipelines and clients that
use the old name are not changed; an endpoint and its deployments' `endpoint_name` are each fixed
in their own file, the same way).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.documents.placeholders import is_placeholder
from aml_lint.fix import Edit, Fix
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.fix_helpers import span

ID = "AML404"
NAME = "endpoint-deployment-name"
SEVERITY = "error"
FIX = "unsafe"
KINDS = (Kind.ENDPOINT, *DEPLOYMENT_KINDS)
_NAME = re.compile(r"^[a-zA-Z][-a-zA-Z0-9]*[a-zA-Z0-9]$")
# What the REST API accepts for a batch deployment's own name (the SDK does not check it).
_REST_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9\-_]{0,254}$")
_VARIABLE = re.compile(r"[${}<>%]")  # any templating or variable syntax: the name is not known yet


def problem(name: str) -> str | None:
    if not 3 <= len(name) <= 32:
        return f"is {len(name)} characters long (3 to 32 allowed)"
    if not _NAME.match(name):
        return "must start with a letter, hold only letters, digits and hyphens, and end with a letter or digit"
    return None


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    assert doc.yaml is not None
    keys = ("name",) if doc.kind is Kind.ENDPOINT else ("name", "endpoint_name")
    for key in keys:
        value = doc.yaml.get((key,))
        if value is None or isinstance(value, bool) or is_placeholder(value) or _VARIABLE.search(str(value)):
            continue
        text = str(value)
        why = problem(text)
        if why:
            if key == "endpoint_name":
                yield Hit(f"endpoint_name '{text}' {why}: no endpoint can have this name, so the deployment "
                          "cannot be created", doc.yaml.loc((key,)), fix=_hyphens(doc, key, text))
            else:
                what = "endpoint name" if doc.kind is Kind.ENDPOINT else "deployment name"
                if doc.kind in (Kind.BATCH_DEPLOYMENT, Kind.PIPELINE_BATCH_DEPLOYMENT):
                    if not _REST_NAME.match(text):
                        yield Hit(f"batch deployment name '{text}' must start with a letter or digit and hold only "
                                  "letters, digits, '-' and '_' (at most 255 characters): AzureML refuses it",
                                  doc.yaml.loc((key,)))
                else:
                    yield Hit(f"{what} '{text}' {why}: AzureML refuses it", doc.yaml.loc((key,)),
                              fix=_hyphens(doc, key, text))


def _hyphens(doc: Document, key: str, name: str) -> Fix | None:
    """'my_name' -> 'my-name' where that alone makes the name valid."""
    fixed = name.replace("_", "-")
    if fixed == name or problem(fixed) is not None or doc.text is None or doc.yaml is None:
        return None
    where = span(doc.text, doc.yaml.loc((key,)))
    if where is None or not isinstance(doc.yaml.get((key,)), str):
        return None
    raw = doc.text[where[0]:where[1]]
    if raw.count(name) != 1:
        return None
    at = where[0] + raw.index(name)
    return Fix(f"rename '{name}' to '{fixed}'", (Edit(doc.rel, at, at + len(name), fixed),), safe=False)
