"""An environment reference AzureML cannot resolve.

What it finds: `environment:` strings in deployments that are not a valid reference:
`azureml:<name>:latest` (that asks for a version literally called "latest"), names
without the `azureml:` prefix, names containing `/`, and malformed registry URIs. A
value holding a placeholder that a release pipeline fills in (`azureml:$(envName):1`,
`{{ env }}`, `#{env}#`, `<ENVIRONMENT>`, `${{ vars.ENV }}`) is not a reference yet and is
skipped.

Why it matters: "No definition exists for environment ...": the deployment fails after
upload. AzureML's own troubleshooting guide says to use `<name>@latest` for the latest
version.

Fails:
    environment: azureml:my-env:latest

Fixed:
    environment: azureml:my-env@latest

Passes:
    environment: azureml:my-env@latest

Fix: write `azureml:<name>:<version>`, `azureml:<name>@latest`,
`azureml://registries/<registry>/environments/<name>/versions/<version>` (or
`/labels/latest`), or define the environment inline or with `file:`. `--fix` rewrites
`azureml:<name>:latest` as `azureml:<name>@latest` (safe: the one character that changes is the
one AzureML's guide says to change; the value's quoting and the rest of the line stay).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, Document
from aml_lint.documents.placeholders import is_placeholder
from aml_lint.findings import Location
from aml_lint.fix import Edit, Fix
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.fix_helpers import span

ID = "AML102"
NAME = "environment-reference"
SEVERITY = "error"
FIX = "safe"
KINDS = tuple(DEPLOYMENT_KINDS)

_REGISTRY = re.compile(r"^azureml://registries/[^/]+/environments/[^/]+/(versions|labels)/[^/]+$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")


def problem(ref: str) -> str | None:
    """Why ``ref`` is not a usable environment reference, or None when it is."""
    if ref.startswith("file:"):
        return None
    if ref.startswith("azureml://"):
        if _REGISTRY.match(ref):
            return None
        return (f"'{ref}' is not a registry reference; expected "
                "azureml://registries/<registry>/environments/<name>/versions/<version> (or /labels/latest)")
    if not ref.startswith("azureml:"):
        return (f"'{ref}' is neither a registered environment ('azureml:<name>:<version>') nor a file "
                "('file:<path>'); prefix it with 'azureml:' or define the environment inline")
    body = ref[len("azureml:"):]
    if body.startswith("/"):
        return None  # full ARM id
    if "/" in body:
        return f"'{ref}': an environment name cannot contain '/'; an ARM id must start with 'azureml:/subscriptions/'"
    name, _, label = body.partition("@")
    name, _, version = name.partition(":")
    if version.lower() == "latest":
        return (f"'{ref}' asks for a version named 'latest', which does not exist; "
                f"write 'azureml:{name}@latest' for the latest version")
    if not _NAME.match(name):
        return f"'{ref}': '{name}' is not a valid environment name"
    if label and not version and not re.match(r"^[A-Za-z0-9_.\-]+$", label):
        return f"'{ref}': '@{label}' is not a valid label"
    return None


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    assert doc.yaml is not None
    value = doc.yaml.get(("environment",))
    # ${{ }} is no AzureML expression in a deployment: a CI system (GitHub Actions) fills it in.
    if isinstance(value, str) and not is_placeholder(value) and "${{" not in value:
        message = problem(value.strip())
        if message:
            loc = doc.yaml.loc(("environment",))
            yield Hit(message, loc, fix=_latest_fix(doc, value, loc))


_LATEST = re.compile(r"^(azureml:[^:/@]+):latest$")


def _latest_fix(doc: Document, value: str, loc: Location) -> Fix | None:
    """'azureml:<name>:latest' -> 'azureml:<name>@latest': the ':' before 'latest' becomes '@'."""
    m = _LATEST.match(value.strip())
    if m is None or doc.text is None or problem(f"{m.group(1)}@latest") is not None:
        return None
    where = span(doc.text, loc)
    if where is None:
        return None
    raw = doc.text[where[0]:where[1]]
    if raw.count(value.strip()) != 1:  # escapes or a folded scalar: the text is not the value
        return None
    colon = where[0] + raw.index(value.strip()) + len(m.group(1))
    return Fix(f"write '{m.group(1)}@latest'", (Edit(doc.rel, colon, colon + 1, "@"),))
