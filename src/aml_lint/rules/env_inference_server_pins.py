"""A pin of Flask, Werkzeug, Jinja2, pydantic ... next to the inference server.

What it finds: in a conda spec, requirements file or Dockerfile that installs
`azureml-inference-server-http` or `azureml-defaults`, version constraints on the
packages the server pins itself: flask, werkzeug, jinja2, itsdangerous, markupsafe,
click, pydantic, gunicorn (warning); and pins of the server itself to releases from
before Flask 2 support (`azureml-inference-server-http<0.7`, `azureml-defaults<1.44`),
which break as soon as pip installs Flask 2 (warning). A `pydantic<2` constraint next to a server that
needs pydantic 2 (every release since 1.0.0, and an unpinned server) is an error.

Why it matters: the server is tested with its own pins; yours either make pip fail the
build ("ResolutionImpossible ... azureml-inference-server-http 1.5.1 depends on
pydantic~=2.12.0") or, with older servers, let pip install a combination that crashes
at start: "TypeError: register() takes 3 positional arguments but 4 were given", or
"cannot import name 'Markup' from 'jinja2'". Microsoft's troubleshooting guide says to
remove Flask and its dependencies from the environment and let the server install them.

Fails:
    dependencies:
      - python=3.12
      - pip
      - pip:
          - azureml-inference-server-http==1.5.1
          - pydantic<2

Passes:
    dependencies:
      - python=3.12
      - pip
      - pip:
          - azureml-inference-server-http==1.5.1
          - scikit-learn==1.5.2

Fix: remove the constraint and let the server choose; if your own code needs pydantic 1,
it cannot share the process with a current server.
"""

from __future__ import annotations

from collections.abc import Iterator

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.documents.requirements import Declared
from aml_lint.findings import Severity
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.env_common import (
    allows_any,
    declared_groups,
    only_below,
    specifier_of,
    table,
)

ID = "AML214"
NAME = "inference-server-pins"
SEVERITY = "warning"
KINDS = (Kind.CONDA, Kind.REQUIREMENTS, Kind.DOCKERFILE, Kind.ENVIRONMENT, *DEPLOYMENT_KINDS)
SERVER = "azureml-inference-server-http"


def server_needs_pydantic2(declared: list[Declared]) -> Declared | None:
    """The server declaration, when every release it allows needs pydantic 2."""
    for dep in declared:
        if dep.name == "azureml-defaults" and not dep.specifier:
            return dep  # today's azureml-defaults depends on azureml-inference-server-http~=1.4
        if dep.name != SERVER:
            continue
        try:
            spec = SpecifierSet(dep.specifier)
        except InvalidSpecifier:
            return None
        releases = table("inference_server.json")["releases"]
        majors = {info["pydantic"] for v, info in releases.items() if spec.contains(Version(v), prereleases=True)}
        return dep if majors == {2} else None
    return None


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    managed = set(table("inference_server.json")["server_managed"]["packages"])
    providers = set(table("inference_server.json")["providers"])
    old_servers = {k: v for k, v in table("inference_server.json")["flask2_support"].items() if not k.startswith("_")}
    for group in declared_groups(doc, ctx):
        server = next((d for d in group.context if d.name in providers), None)
        if server is None:
            continue
        for dep in group.own:
            spec = specifier_of(dep) if dep.name in old_servers and dep.specifier else None
            if spec is not None and only_below(spec, old_servers[dep.name]):
                yield Hit(f"'{dep.spec}' is an inference server from before Flask 2 support ({dep.name} "
                          f"{old_servers[dep.name]}): with today's Flask it fails at start with 'TypeError: "
                          "register() takes 3 positional arguments but 4 were given'; upgrade it",
                          dep.location)
        for dep in group.own:
            if dep.name not in managed or not dep.specifier:
                continue
            spec = specifier_of(dep)
            if dep.name == "pydantic" and spec is not None and not allows_any(
                    spec, ("2.0.0", "2.7.1", "2.12.0", "2.99.0")):
                needs = server_needs_pydantic2(group.context)
                if needs is not None:
                    yield Hit(f"'{dep.spec}' excludes pydantic 2, which '{needs.spec}' requires: pip cannot "
                              "install both; remove the pydantic constraint", dep.location,
                              severity=Severity.ERROR)
                    continue
            yield Hit(f"'{dep.spec}' constrains a package the inference server pins itself ('{server.spec}' "
                      f"is installed here): remove it and let the server choose its {dep.name} version",
                      dep.location)
