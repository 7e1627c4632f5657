"""A deployment whose `$schema` and `type:` name different kinds.

What it finds: an online deployment whose `type:` says `kubernetes` while its `$schema` names
the managed schema (or `type: managed` with the Kubernetes schema, or the Kubernetes schema
without `type: kubernetes`), and a batch deployment whose `type:` (`model`, `pipeline`)
contradicts its `$schema`.

Why it matters: the CLI does not read `$schema`; the SDK picks the schema from `type:`
(`load_online_deployment` loads `type: kubernetes` as a Kubernetes deployment and anything
else as a managed one). aml-lint checks the file the same way, so the file is checked
against the schema the CLI will use, and this finding says the `$schema` line misleads
editors and readers. Without `type: kubernetes`, a file written for Kubernetes is loaded as a
managed deployment: an error when the file then breaks the managed schema (its Kubernetes
keys such as `resources` are refused), a warning when it happens to load either way.

Fails:
    $schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
    name: blue
    endpoint_name: my-endpoint
    type: kubernetes
    instance_count: 1

Passes:
    $schema: https://azuremlschemas.azureedge.net/latest/kubernetesOnlineDeployment.schema.json
    name: blue
    endpoint_name: my-endpoint
    type: kubernetes
    instance_count: 1

Fix: point `$schema` at the schema of the kind `type:` names, or correct `type:`.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.documents.classify import kind_from_schema
from aml_lint.findings import Severity
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.general.schema import about_placeholder
from aml_lint.schemas import SCHEMA_FILES, problems

ID = "AML008"
NAME = "deployment-type-mismatch"
SEVERITY = "warning"
KINDS = tuple(DEPLOYMENT_KINDS)

def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    yaml = doc.yaml
    assert yaml is not None
    named = kind_from_schema(yaml.data)
    if named is None or not named.is_deployment:
        return
    declared = yaml.get(("type",))
    schema = str(yaml.get(("$schema",), "")).strip().rpartition("/")[2]
    if named is Kind.K8S_DEPLOYMENT and declared is None:
        # The CLI will validate it as a managed deployment: certain to fail if that schema refuses it.
        # Only what AML005 would call an error there: a quoted number loads, a placeholder is replaced.
        refused = [p for p in problems(Kind.ONLINE_DEPLOYMENT, yaml.data)
                   if p.path and not p.coerced and not about_placeholder(yaml, p)]
        if refused:
            what = refused[0].path[0]
            yield Hit(f"$schema names {schema}, but without 'type: kubernetes' the CLI loads this file as a "
                      f"managed online deployment, which refuses '{what}': add 'type: kubernetes'",
                      yaml.loc(("$schema",)), severity=Severity.ERROR)
        else:
            yield Hit(f"$schema names {schema}, but without 'type: kubernetes' the CLI loads this file as a "
                      "managed online deployment: add 'type: kubernetes'", yaml.loc(("$schema",)))
        return
    if named is not doc.kind and declared is not None and schema.lower() != "batchdeployment.schema.json":
        yield Hit(f"'type: {declared}' makes the CLI load this file as a {doc.kind.value}, but $schema names "
                  f"{schema}: point $schema at {SCHEMA_FILES[doc.kind]} (checked here as the CLI "
                  "reads it)", yaml.loc(("type",)))
