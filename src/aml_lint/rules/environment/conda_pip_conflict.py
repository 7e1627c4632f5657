"""A package pinned differently in a conda file's conda list and its pip list.

What it finds: a package in both lists of one conda spec (file or inline
`conda_file:`) whose pins cannot both hold, decided with `packaging` specifiers after
reading conda's syntax the way conda does: `=1.2` is `==1.2.*`, `1.2.*` is
`==1.2.*`, `==1.2` is exactly 1.2, a build string (`=1.2.3=py311_0`) is ignored.
Names are compared normalized and with the usual aliases (`pytorch` = `torch`).

Why it matters: conda installs one version, then pip replaces it with the other. The
build usually succeeds (pip uninstalls conda's copy and installs its own), so this is never
an error. Within one major version (`cryptography=42.0.2` beside `cryptography>=42.0.4`,
`py-xgboost=1.7.6` beside `xgboost==1.5.2`) it is info: pip's copy serves what conda chose.
Across major versions it is a warning: the packages conda chose against the first version
may now be broken (typically "numpy.dtype size changed, may indicate binary incompatibility" or
an `ImportError` from a compiled module), and pip cannot uninstall some conda packages
("Cannot uninstall 'X'. It is a distutils installed project"). In a `conda env export`
snapshot (a `prefix:` key, conda pins carrying build strings such as
`numpy=1.26.4=py311h64a7726_0`, or, from `--no-builds`, exact pins of the system
libraries only a solver lists: `ca-certificates`, `openssl`, `xz`, `zlib` ...) such pairs
are normal: they record what pip already
replaced in a working environment, so there it is information only.

Fails:
    dependencies:
      - python=3.11
      - numpy=1.26
      - pip
      - pip:
          - numpy==2.1.0

Passes:
    dependencies:
      - python=3.11
      - numpy=1.26
      - pip
      - pip:
          - pandas==2.2.2

Fix: keep the package on one list, with the version you mean.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.documents.conda import CondaEnv
from aml_lint.documents.requirements import Declared
from aml_lint.findings import Severity
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.environment.common import conda_envs, literals, specifier_of
from aml_lint.rules.environment.conda_pip_duplicate import conflict, pairs

ID = "AML211"
NAME = "conda-pip-conflict"
SEVERITY = "warning"
KINDS = (Kind.CONDA, Kind.ENVIRONMENT, *DEPLOYMENT_KINDS)


# name=version=build, as `conda env export` writes every conda dependency
_EXPORTED = re.compile(r"^[A-Za-z0-9_.\-]+=[^=<>!~\s,|]+=[^=<>!~\s,|]+$")


# Libraries people do not write into a conda file, but `conda env export --no-builds` lists.
_SOLVER_ONLY = {"ca-certificates", "openssl", "_libgcc_mutex", "_openmp_mutex", "ld_impl_linux-64", "libgcc-ng",
                "libstdcxx-ng", "libgomp", "libffi", "ncurses", "readline", "sqlite", "tk", "xz", "zlib", "tzdata",
                "libzlib", "bzip2", "libuuid", "libnsl"}


def export_snapshot(doc: Document, conda: CondaEnv) -> bool:
    """A `conda env export` file: a `prefix:` key, (nearly) every conda pin with a build string, or
    (nearly) every conda dependency pinned exactly, solver-only system libraries among them."""
    if doc.yaml is not None and doc.yaml.get((*conda.base, "prefix")) is not None:
        return True
    deps = [d for d in conda.conda_deps if d.valid]
    if len(deps) < 3:
        return False
    built = sum(1 for d in deps if getattr(d, "build", "") or _EXPORTED.match(d.text.strip()))
    exact = sum(1 for d in deps if re.fullmatch(r"[A-Za-z0-9_.\-]+=[0-9][^=<>!~\s,|*]*", d.text.strip()))
    solver_only = sum(1 for d in deps if d.name in _SOLVER_ONLY)
    return built >= 0.8 * len(deps) or (solver_only >= 3 and exact + built >= 0.8 * len(deps))


def _same_major(a: Declared, b: Declared) -> bool:
    """Every version either pin names has one major version (an ABI break is unlikely then)."""
    majors = {v.major for d in (a, b) if (spec := specifier_of(d)) is not None for v in literals(spec)}
    return len(majors) == 1


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    for conda in conda_envs(doc, ctx):
        snapshot: bool | None = None
        for on_conda, on_pip in pairs(conda):
            if not conflict(on_conda, on_pip):
                continue
            if snapshot is None:
                snapshot = export_snapshot(doc, conda)
            if snapshot:
                yield Hit(f"'{on_pip.spec}' in the pip list differs from '{on_conda.spec}' in the conda list "
                          f"(line {on_conda.location.line}): in this `conda env export` snapshot it records "
                          "that pip replaced conda's copy; write the package once if you rebuild from this "
                          "file", on_pip.location, severity=Severity.INFO)
            elif _same_major(on_conda, on_pip):
                yield Hit(f"'{on_pip.spec}' in the pip list differs from '{on_conda.spec}' in the conda list "
                          f"(line {on_conda.location.line}): pip replaces conda's copy at build time with "
                          "the same major version; keep the package on one list", on_pip.location,
                          severity=Severity.INFO)
            else:
                yield Hit(f"'{on_pip.spec}' in the pip list contradicts '{on_conda.spec}' in the conda list "
                          f"(line {on_conda.location.line}): pip replaces conda's copy at build time, which "
                          "can break packages conda chose for the first version; keep the package on one "
                          "list", on_pip.location)
