"""A script imports a package its environment installs only as a dependency of another.

What it finds: an import in a scoring script or a job's entry script (and the local modules it
imports) provided by a package the environment does not declare but gets through the
dependencies of one it does (for example `import numpy` with only `scikit-learn` declared).
The dependency chain comes from the packages' published Requires-Dist (or from the exact
resolved set with `--resolve`). A curated environment is not reported: you cannot declare
anything in it, and a given version of it installs the same set every time.

Why it matters: it works today because the declared package depends on the one you import;
when that package drops or changes the dependency (a new major version, an extra that is no
longer default), the import breaks at container start (or when the job runs) without any
change in your repository.

Severity: info. The image builds and the script imports today, and the break needs a declared
package to drop a dependency it has, which is rare for the chains this finds (pandas -> numpy,
scikit-learn -> joblib); that is a possible drift, not a likely one, so it is worth knowing
rather than a warning. Declaring the package also lets you pin the version you rely on.

Fails:
    # conda.yml
    dependencies:
      - python=3.10
      - pip:
          - scikit-learn==1.5.1
    # score.py
    import numpy

Passes:
    # conda.yml
    dependencies:
      - python=3.10
      - pip:
          - scikit-learn==1.5.1
          - numpy
    # score.py
    import numpy

Fix: declare the imported package itself, next to the one that brings it: in the conda
dependencies when a conda package brings it, else in the pip list (or requirements file).
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.knowledge import deps
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.imports import verdict as iv

ID = "AML502"
NAME = "import-only-transitive"
SEVERITY = "info"
KINDS = (Kind.SCORING_SCRIPT, Kind.ENTRY_SCRIPT)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    for v in iv.analyze(doc, ctx).verdicts:
        if v.status != iv.TRANSITIVE or v.ref.guarded or v.env.spec.curated_contents:
            continue
        env = v.env
        provider = v.providers[0]
        chain = env.chain(provider)
        if len(chain) >= 2:
            via = " -> ".join(chain)
            why = f"works today because {chain[0]} depends on {provider} ({via})"
        elif env.resolution is not None and env.resolution.ok:
            version = env.resolution.installed.get(provider, "")
            why = f"works today because the resolved environment includes {provider} {version}".rstrip()
        else:
            why = f"works today because a declared package brings {provider}"
        top = v.ref.module.split(".")[0]
        what = f"'{v.ref.module}'" if deps.normalize(top) == provider else \
            f"'{v.ref.module}' (package {provider})"
        yield Hit(
            f"{what} is not declared in {env.label}: {why}; declare {provider} in "
            f"{env.where_to_add(provider)}",
            v.ref.location,
            path=v.path, related=(env.label,),
        )
