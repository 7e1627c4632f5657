"""The environment's pip requirements cannot be resolved (only with --resolve).

What it finds: with `--resolve` (or `resolve: true` in the config), aml-lint resolves each
visible environment's requirements (of an environment YAML, a deployment or a job; not a
curated environment's, which is published already built) for real,
for its Python on Linux x86_64, with uv when it is installed and pip's `--dry-run --report`
otherwise (time-boxed, cached per requirements hash). A failure is reported on the
requirement(s) the resolver blames, with its reason: conflicting pins, a package that needs a newer or older Python, a package that does not exist.
A successful resolution (or one that could not run: no resolver, time-out, a package published
only as source code, which aml-lint does not build because building runs the package's code
unless the pipeline sets AML_LINT_RESOLVE_BUILD_SOURCES=1) is reported once per environment as
information: "resolved 52 packages for Python 3.10 in 5.1 s (uv)". Without --resolve this rule
does nothing (no network by default).

Why it matters: the image build runs the same resolution and fails the same way, after
minutes of building; on the pull request it costs seconds.

Fails:
    dependencies:
      - python=3.8
      - pip:
          - pandas==2.2.3     # needs Python >= 3.9

Passes:
    dependencies:
      - python=3.10
      - pip:
          - pandas==2.2.3

Fix: do what the resolver's reason says: align the conflicting pins, pick releases that
support the pinned Python, or correct the package name.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, JOB_KINDS, Document, Kind
from aml_lint.findings import Location, Severity
from aml_lint.knowledge import deps
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.imports import verdict as iv

ID = "AML505"
NAME = "environment-does-not-resolve"
SEVERITY = "error"
KINDS = (Kind.ENVIRONMENT, *DEPLOYMENT_KINDS, *sorted(JOB_KINDS, key=lambda k: k.value))


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    if not getattr(ctx.settings, "resolve", False):
        return
    for spec in ctx.project.environments.get(doc.rel, []):
        if not spec.visible or spec.curated_contents:
            continue  # a curated environment was built and published: nothing of the user's to resolve
        python, _ = iv.python_of(spec)
        if python is None:
            continue
        result = iv.resolved(spec, python, ctx)
        if result is None:
            continue
        if result.ok or result.kind == "unavailable" or result.kind == "timeout":
            # Say what was done (or could not be), once per environment, as information.
            yield Hit(result.describe(), Location(), path=spec.label, severity=Severity.INFO)
            continue
        blamed = [d for d in spec.declared() if d.name in result.culprits
                  or d.source == "conda" and set(deps.conda_to_pypi(d.name)) & set(result.culprits)]
        message = result.describe()
        if not blamed:
            yield Hit(message, Location(), path=spec.label)
        for dec in blamed:
            yield Hit(f"'{dec.spec.strip()}': {message}", dec.location, path=dec.path)
