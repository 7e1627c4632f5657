"""A credential written in clear in an environment definition.

What it finds: literal secrets in the files that define an environment: keys such as
`password`, `*_TOKEN`, `*_SECRET`, `*_API_KEY`, `*_CONNECTION_STRING` with a literal
value (and `*_KEY` with a random-looking one) in an environment YAML
(including v1-style registry credentials) or an inline environment, in a conda file's
`variables:`, and in a Dockerfile's `ENV`/`ARG` defaults; and, whatever the name,
values that carry a secret: a password inside a URL (`https://user:token@feed/...` in
a pip index option), `AccountKey=`, `SharedAccessKey=`, a SAS `sig=`, a private key,
GitHub/AWS/`sk-` style tokens. References are fine: `${{...}}`, `$VAR`, Key Vault
references, `azureml://` connections, and placeholders a release pipeline fills in
(`$(token)`, `#{token}#`, `{{ token }}`, `__TOKEN__`, `<token>`), whole or inside a value
(`https://build:$(PAT)@pkgs.example.org/simple`).

Why it matters: environment definitions are stored, versioned and shown in the
workspace, baked into image layers and pushed to the registry: a secret there is
readable by everyone with access to any of them, and it is in your git history.
AzureML rejects registry credentials in environment definitions ("Secrets in base
image registry ... no longer supported: use workspace connections").

Fails:
    # conda.yml
    variables:
      STORAGE_KEY: 3kq9S0mEs3cretValue==
    dependencies:
      - pip:
          - --extra-index-url https://build:ghp_abcdefghijklmnopqrstuvwxyz0123456789@pkgs.example.org/simple

Passes:
    variables:
      STORAGE_ACCOUNT: mystorage
    dependencies:
      - pip:
          - --extra-index-url https://pkgs.example.org/simple

Fix: remove the secret (and rotate it: it is in the history); give the build access
through a workspace connection or a managed identity, and read runtime secrets from
Key Vault.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from typing import Any

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.documents.yaml_doc import Path_
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.environment.common import conda_envs, env_body, literal_secret, secret_in_value

ID = "AML219"
NAME = "env-credentials"
SEVERITY = "error"
KINDS = (Kind.ENVIRONMENT, Kind.CONDA, Kind.REQUIREMENTS, Kind.DOCKERFILE, *DEPLOYMENT_KINDS)
ADVICE = "remove it, rotate it, and use a workspace connection, managed identity or Key Vault instead"


def _walk(value: Any, path: Path_) -> Iterator[tuple[Path_, str, Any]]:
    """(path, key, value) of every scalar under a mapping."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)):
                yield from _walk(item, (*path, key))
            else:
                yield (*path, key), str(key), item
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, (dict, list)):
                yield from _walk(item, (*path, i))
            elif isinstance(item, str):
                yield (*path, i), "", item


def _yaml_hits(doc: Document, base: Path_, body: Any) -> Iterator[Hit]:
    assert doc.yaml is not None
    for path, key, value in _walk(body, base):
        what = literal_secret(key, value) if key else (secret_in_value(value) if isinstance(value, str) else None)
        if what:
            yield Hit(f"{what} is written in clear in the environment definition: {ADVICE}", doc.yaml.loc(path))


def _dockerfile_hits(doc: Document) -> Iterator[Hit]:
    assert doc.dockerfile is not None
    for ins in doc.dockerfile.instructions:
        if ins.keyword in ("ENV", "ARG"):
            try:
                words = shlex.split(ins.args)
            except ValueError:
                words = ins.args.split()
            pairs = [w.partition("=")[::2] for w in words if "=" in w]
            if ins.keyword == "ENV" and len(words) >= 2 and "=" not in words[0]:
                pairs = [(words[0], " ".join(words[1:]))]
            for name, value in pairs:
                what = literal_secret(name, value)
                if what:
                    yield Hit(f"{what} is baked into the image by {ins.keyword}: {ADVICE}", ins.location)
                    break
            continue
        what = secret_in_value(ins.args)
        if what:
            yield Hit(f"{what} is written in the Dockerfile's {ins.keyword} line and kept in the image "
                      f"history: {ADVICE}", ins.location)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    if doc.kind is Kind.DOCKERFILE:
        if doc.dockerfile is not None:
            yield from _dockerfile_hits(doc)
        return
    if doc.kind is Kind.REQUIREMENTS:
        for line in doc.requirements.lines if doc.requirements else []:
            what = secret_in_value(line.text)
            if what:
                yield Hit(f"{what} is written in clear in the requirements file: {ADVICE}", line.location)
        return
    if doc.kind is Kind.ENVIRONMENT or doc.kind in DEPLOYMENT_KINDS:
        found = env_body(doc)
        if found is not None:
            base, body = found
            # the inline conda file is checked below, with conda's own rules
            yield from _yaml_hits(doc, base, {k: v for k, v in body.items() if k != "conda_file"})
    for conda in conda_envs(doc, ctx):
        if doc.yaml is None:
            continue
        variables = doc.yaml.get((*conda.base, "variables"))
        if isinstance(variables, dict):
            for name, value in variables.items():
                what = literal_secret(str(name), value)
                if what:
                    yield Hit(f"{what} is written in clear in the conda file's variables: {ADVICE}",
                              doc.yaml.loc((*conda.base, "variables", name)))
        for line in conda.pip_lines:
            what = secret_in_value(line.text)
            if what:
                yield Hit(f"{what} is written in clear in the conda file's pip list: {ADVICE}", line.location)
