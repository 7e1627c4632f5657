"""A package pin that cannot install on the environment's Python.

What it finds: in a conda file (on disk, or inline in an environment, deployment or job YAML),
a pin of one of the packages whose Python support aml-lint knows (azureml-inference-server-http, numpy, pandas,
scikit-learn, scipy, torch, tensorflow, xgboost, lightgbm, mlflow) where no release matching the
pin has a wheel for the pinned Python on Linux x86_64; and, for the packages whose every release's
METADATA aml-lint holds (inference-schema, flask, matplotlib, pyarrow, h5py, statsmodels, numba ...),
a pin no release of which installs on that Python because of its own Requires-Python or that of
one of its dependencies, which the message names (`inference-schema==1.5.1` needs Python < 3.11).
The Python is the pinned micro (`python=3.7.11`), else the newest patch of the minor, never X.Y.0
(`pandas==1.3.5` requires `>=3.7.1` and installs on `python=3.7`). Conda-list pins (`numpy=1.19`) and pip
pins (`numpy==1.19.5`) are both checked against an exact `python` pin (a range such as
`python>=3.8` lets conda choose, so it is not checked). A pip pin is an error; a conda-list pin
is a warning, because the data are PyPI's wheels and conda-forge builds can differ. (The
inference server's and azureml-defaults' Python range is AML209's job.)

Why it matters: the image build fails ("No matching distribution found", or a source build of
numpy that cannot succeed), twenty minutes in, or conda reports an unsatisfiable environment.

Fails:
    dependencies:
      - python=3.10
      - pip:
          - numpy==1.19.5

Passes:
    dependencies:
      - python=3.10
      - pip:
          - numpy==1.26.4

Fix: move the package pin to a release that supports your Python (the message says which
Pythons the pinned releases support), or pin the Python those releases were built for.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, JOB_KINDS, Document, Kind
from aml_lint.documents.conda import CondaDep, CondaEnv
from aml_lint.findings import Location, Severity
from aml_lint.knowledge import deps
from aml_lint.knowledge.deps import PinSupport, format_python
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.imports import verdict as iv

ID = "AML504"
NAME = "pin-python-incompatible"
SEVERITY = "error"
KINDS = (Kind.CONDA, Kind.ENVIRONMENT, *DEPLOYMENT_KINDS, *sorted(JOB_KINDS, key=lambda k: k.value))
_LEFT_TO_OTHER_RULES = frozenset({"azureml-inference-server-http", "azureml-defaults"})  # AML209


def _conda_envs(doc: Document, ctx: Context) -> list[CondaEnv]:
    if doc.kind is Kind.CONDA:
        return [doc.conda] if doc.conda is not None else []
    return [spec.conda for spec in ctx.project.environments.get(doc.rel, [])
            if spec.conda is not None and spec.conda_doc is None]


def _span(minors: tuple[int, ...]) -> str:
    if not minors:
        return "no Python"
    if list(minors) == list(range(minors[0], minors[-1] + 1)) and len(minors) > 2:
        return f"Python 3.{minors[0]}-3.{minors[-1]}"
    return "Python " + ", ".join(f"3.{m}" for m in minors)


def _blocker_hit(name: str, spec: str, text: str, location: Location, from_conda: bool,
                 py: deps.PythonVersion, pin: CondaDep) -> Hit | None:
    """A pin no release of which installs on the Python, naming the Requires-Python that blocks it
    (the package's own, or that of the dependency on its path)."""
    full = deps.python_full(pin.version, py)
    blocker = deps.python_blocker(name, spec, full)
    if blocker is None:
        return None
    what = (f"it requires Python {blocker.requires_python}" if len(blocker.chain) == 1 else
            f"its dependency '{blocker.blocker}' requires Python {blocker.requires_python}")
    where = f"Python {deps.format_full(full)} ('{pin.text.strip()}', line {pin.location.line})"
    if from_conda:
        return Hit(f"'{text.strip()}' probably cannot install on {where}: on PyPI {what} (conda-forge builds "
                   "may differ)", location, severity=Severity.WARNING)
    return Hit(f"'{text.strip()}' cannot install on {where}: {what}", location)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    for conda in _conda_envs(doc, ctx):
        pins = [p for p in conda.python if deps.parse_python_pin(p.version)]
        if not pins:
            continue  # unpinned or a range: conda picks a Python that fits
        py = deps.parse_python_pin(pins[0].version)
        assert py is not None
        python_pin = pins[0].text.strip()
        candidates: list[tuple[str, str, str, Location, bool]] = []
        for dep in conda.conda_deps:
            if dep.valid and dep.name not in ("python", "pip") and dep.version:
                for name in deps.conda_to_pypi(dep.name):
                    candidates.append((name, iv.conda_specifier(dep.version), dep.text, dep.location, True))
        for dec in conda.pip_declared:
            if dec.specifier:
                candidates.append((dec.name, dec.specifier, dec.spec, dec.location, False))
        for name, spec, text, location, from_conda in candidates:
            if not spec or name in _LEFT_TO_OTHER_RULES:
                continue
            verdict: PinSupport | None = deps.specifier_supports_python(name, spec, py)
            if (verdict is None or verdict.ok is not False) and deps.has_releases(name):
                # the Requires-Python of every release, judged on the pinned micro when there is one
                hit = _blocker_hit(name, spec, text, location, from_conda, py, pins[0])
                if hit is not None:
                    yield hit
                continue
            if verdict is None or verdict.ok is not False:
                continue
            if from_conda:
                # Checked against PyPI's wheels; conda-forge builds usually cover the same
                # Pythons but not always, so a conda pin is a warning.
                yield Hit(
                    f"'{text.strip()}' probably cannot install on Python {format_python(py)} "
                    f"('{python_pin}', line {pins[0].location.line}): {name} releases matching "
                    f"{spec} have PyPI wheels for {_span(verdict.pythons)} only (conda-forge "
                    "builds usually cover the same Pythons)",
                    location, severity=Severity.WARNING,
                )
                continue
            yield Hit(
                f"'{text.strip()}' cannot install on Python {format_python(py)} "
                f"('{python_pin}', line {pins[0].location.line}): {name} releases matching "
                f"{spec} have Linux x86_64 wheels for {_span(verdict.pythons)} only",
                location,
            )
