"""numpy left unpinned next to pip pins built for numpy 1.x.

What it finds: in a conda spec, requirements file or Dockerfile, a pip-installed pin of
a compiled package to a release older than its first numpy-2-compatible one (pandas
before 2.2.2, scikit-learn before 1.4.2, scipy before 1.13.0, matplotlib before 3.8.4,
pyarrow before 16.0.0, h5py before 3.11.0, statsmodels before 0.14.2; table in
`knowledge/numpy1_builds.json`) while numpy is not pinned below 2 anywhere in the
same spec.

Why it matters: those old wheels do not cap numpy, so pip installs numpy 2 and the
import fails in the container: "ValueError: numpy.dtype size changed, may indicate
binary incompatibility. Expected 96 from C header, got 88 from PyObject" — the
failure behind Azure/azureml-examples#3415.

Fails:
    dependencies:
      - python=3.10
      - pip
      - pip:
          - pandas==1.5.3
          - scikit-learn==1.2.2

Passes:
    dependencies:
      - python=3.10
      - pip
      - pip:
          - numpy==1.26.4
          - pandas==1.5.3
          - scikit-learn==1.2.2

Fix: pin numpy below 2 (`numpy<2` or an exact 1.x) next to the old pins, or move the
pins to releases built for numpy 2.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.documents.requirements import Declared
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.env_common import (
    allows_any,
    declared_groups,
    only_below,
    specifier_of,
    table,
)

ID = "AML215"
NAME = "numpy-2-abi"
SEVERITY = "warning"
KINDS = (Kind.CONDA, Kind.REQUIREMENTS, Kind.DOCKERFILE, Kind.ENVIRONMENT, *DEPLOYMENT_KINDS)
NUMPY2 = ("2.0.0", "2.1.3", "2.2.6", "2.3.1", "2.99.0")


def numpy_allows_2(declared: list[Declared]) -> bool:
    pins = [specifier_of(d) for d in declared if d.name == "numpy"]
    return not any(spec is not None and str(spec) and not allows_any(spec, NUMPY2) for spec in pins)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    first = table("numpy1_builds.json")["first_numpy2_release"]
    for group in declared_groups(doc, ctx):
        if not numpy_allows_2(group.context):
            continue
        for dep in group.own:
            if dep.source == "conda" or dep.name not in first:
                continue
            spec = specifier_of(dep)
            if spec is not None and only_below(spec, first[dep.name]):
                yield Hit(f"'{dep.spec}' was built for numpy 1.x (numpy 2 support came in {dep.name} "
                          f"{first[dep.name]}) but numpy is not pinned below 2 here: pip will install numpy 2 "
                          "and the import fails with 'numpy.dtype size changed'; add 'numpy<2'", dep.location)
