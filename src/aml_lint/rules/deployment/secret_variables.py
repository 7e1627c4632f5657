"""A secret written in clear in a deployment's `environment_variables`.

What it finds: `environment_variables` of online deployments (and `environment_variables`
of batch deployments, at the root or under `settings:`) whose names say secret
(`*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `API_KEY`, `*_ACCESS_KEY`, `CONNECTION_STRING` ...)
with a literal value, `*_KEY` with a random-looking value (not `PARTITION_KEY: userId`),
or whose values carry a secret whatever the name (`AccountKey=`,
`SharedAccessKey=`, a SAS `sig=`, a password in a URL, GitHub/AWS/`sk-` tokens).
References pass: `${{...}}`, `$VAR`, Key Vault references (`name@https://<vault>.vault.azure.net`),
and placeholders a release pipeline fills in (`$(db_password)`, `#{token}#`, `{{ key }}`,
`__KEY__`, `<key>`), whole or inside a value (`AccountKey=#{key}#`).

Why it matters: deployment variables are stored in the deployment definition and shown
to everyone with read access to the workspace (and they are in your repository's
history): it is an unsafe way to hand a secret to the scoring script.

Fails:
    environment_variables:
      OPENAI_API_KEY: sk-proj-abcdefghijklmnopqrstuvwxyz

Passes:
    environment_variables:
      OPENAI_API_KEY_SECRET_NAME: openai-key      # read from Key Vault in init()

Fix: remove the value and rotate it; give the deployment a managed identity and read the
secret from Key Vault in `init()`.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, Document
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.environment.common import literal_secret

ID = "AML407"
NAME = "secret-environment-variable"
SEVERITY = "error"
KINDS = tuple(DEPLOYMENT_KINDS)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    assert doc.yaml is not None
    for base in (("environment_variables",), ("settings", "environment_variables")):
        variables = doc.yaml.get(base)
        if not isinstance(variables, dict):
            continue
        for name, value in variables.items():
            what = literal_secret(str(name), value)
            if what:
                yield Hit(f"{what} is written in clear in environment_variables: remove and rotate it, and "
                          "read it from Key Vault with the deployment's managed identity",
                          doc.yaml.loc((*base, name)))
