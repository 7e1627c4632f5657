"""A deployment, environment or conda file that breaks its schema.

What it finds: unknown keys (with a "did you mean" for near misses), values of the wrong
type, and values outside the allowed set, in AzureML environment YAMLs, managed and
Kubernetes online deployments, batch model and pipeline-component deployments, and conda
environment files. The schemas are aml-lint's own, written from the AzureML CLI's field
inventory.

Why it matters: the AzureML CLI rejects unknown keys ("Unknown field") and wrong types
before it uploads anything; conda rejects unknown top-level keys too. A typo such as
`conda_fle` would otherwise be found only when `az ml` runs.

Fails:
    $schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
    name: blue
    endpoint_name: my-endpoint
    instance_type: Standard_DS3_v2
    instance_count: one

Passes:
    $schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
    name: blue
    endpoint_name: my-endpoint
    instance_type: Standard_DS3_v2
    instance_count: 1

Fix: rename the key or correct the value as the message says.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.rules.base import Context, Hit
from aml_lint.schemas import SCHEMA_FILES, problems

ID = "AML005"
NAME = "schema"
SEVERITY = "error"
KINDS = tuple(SCHEMA_FILES)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    assert doc.yaml is not None
    data = doc.yaml.data
    if doc.kind is Kind.CONDA and not isinstance(data, dict):
        return
    for problem in problems(doc.kind, data):
        yield Hit(problem.message, doc.yaml.loc(problem.path, key=problem.on_key))
