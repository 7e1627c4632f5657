"""numpy left free to move to 2.x next to pip pins built for numpy 1.x.

What it finds: in a conda spec, requirements file or Dockerfile, a pip-installed pin of
a compiled package to a release older than its first numpy-2-compatible one (pandas
before 2.2.2, scikit-learn before 1.4.2, scipy before 1.13.0, matplotlib before 3.8.4,
pyarrow before 16.0.0, h5py before 3.11.0, statsmodels before 0.14.2; table in
`knowledge/numpy1_builds.json`) when pip would install numpy 2 beside it. Not reported when
numpy 2 cannot be installed there: numpy is pinned below 2; the pinned Python has no numpy 2
wheel (numpy 2.0 needs Python 3.9); another pin already caps numpy below 2 through its own
requirements (`scipy==1.10.1` requires `numpy<1.27`, from the releases' METADATA in
`knowledge/releases.json`; or through an extra, `azureml-dataset-runtime[pandas]` requires
`numpy<2.0.0`, from `knowledge/requires.json`); or conda provides numpy (numpy, or a conda
package that brings it, in the conda list, or in a Dockerfile's own `conda create|install` of
the env its pip runs in), so pip keeps conda's. In a Dockerfile, the Python is the one its own
`conda create -p $ENV python=3.8.5` gives the env it puts on PATH (or SHELL, or activates). The `requirements.txt` MLflow writes beside an `MLmodel`
file is not checked (AzureML builds an MLflow model's environment from its `conda.yaml`, which is).

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

Fixed:
    dependencies:
      - python=3.10
      - pip
      - pip:
          - numpy<2
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
pins to releases built for numpy 2. `--fix` (safe) inserts `numpy<2` just before the first such
pin, with its indentation and quoting (a pip list or requirements file; not a Dockerfile's `pip
install`), unless the environment's Python has no numpy 1.x wheel or the environment already
declares numpy (a second numpy line beside `numpy>=1.21`: cap that one instead).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import PurePosixPath

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.documents.requirements import Declared
from aml_lint.fix import Edit, Fix
from aml_lint.knowledge import deps
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.environment.common import declared_groups, only_below, specifier_of, table
from aml_lint.rules.environment.inference_server_pins import environment_python
from aml_lint.rules.fix_helpers import insert_item_before, insert_line_before

ID = "AML215"
NAME = "numpy-2-abi"
SEVERITY = "warning"
FIX = "safe"
KINDS = (Kind.CONDA, Kind.REQUIREMENTS, Kind.DOCKERFILE, Kind.ENVIRONMENT, *DEPLOYMENT_KINDS)
NUMPY = "numpy"


@cache
def numpy2_releases(python: deps.PythonVersion | None) -> tuple[Version, ...]:
    """numpy 2.x releases with a wheel for `python` (every numpy 2.x release when None)."""
    table_ = deps.supported_pythons(NUMPY) or {}
    return tuple(sorted(Version(v) for v, minors in table_.items()
                        if Version(v).major >= 2 and (python is None or python[1] in minors)))


def _excludes_numpy2(specifier: str, python: deps.PythonVersion | None) -> bool:
    try:
        spec = SpecifierSet(specifier)
    except InvalidSpecifier:
        return False
    return not any(spec.contains(v, prereleases=True) for v in numpy2_releases(python))


def caps_numpy(dep: Declared, python: deps.PythonFull | None) -> bool:
    """Does every release the declaration may install require numpy below 2 (on `python`)? Known
    only for packages whose every release the data hold (releases.json); unknown means no."""
    releases = deps.matching_releases(dep.name, dep.specifier) if deps.has_releases(dep.name) else None
    if not releases:
        return False
    if python is not None:
        releases = tuple(v for v in releases if deps.python_blocker(dep.name, f"=={v}", python) is None)
    if not dep.specifier and releases:
        releases = releases[-1:]  # unpinned: pip takes the newest that installs
    minor = python[:2] if python else None
    for version in releases:
        reqs = deps.release_requires(dep.name, version, minor) or ()
        numpy = [r.specifier for r in reqs if r.name == NUMPY]
        if not any(_excludes_numpy2(s, minor) for s in numpy):
            return False
    return bool(releases)


def extra_caps_numpy(dep: Declared, python: deps.PythonFull | None) -> bool:
    """Does every release the declaration may install (requires.json: the few releases it holds,
    `azureml-dataset-runtime[pandas]` 1.62.0 among them) require numpy below 2, its extras
    included? Unknown (a release the table does not hold) means no."""
    minor = python[:2] if python else None
    per_release = deps.requirement_specifiers(dep.name, dep.specifier, minor, dep.extras, NUMPY)
    return bool(per_release) and all(any(_excludes_numpy2(spec, minor) for spec in numpy)
                                     for numpy in per_release or ())


def conda_provides_numpy(context: Sequence[Declared]) -> bool:
    conda = [d.name for d in context if d.source == "conda"]
    return NUMPY in conda or (bool(conda) and NUMPY in deps.closure(conda))


def numpy2_blocked(context: Sequence[Declared], python: deps.PythonFull | None) -> bool:
    """numpy 2 cannot end up in this environment: see the module docstring."""
    minor = python[:2] if python else None
    if python is not None and not numpy2_releases(minor):
        return True
    if any(d.name == NUMPY and d.specifier and _excludes_numpy2(d.specifier, minor) for d in context):
        return True
    if conda_provides_numpy(context):
        return True
    return any(d.source != "conda" and (caps_numpy(d, python) or extra_caps_numpy(d, python)) for d in context)


_CONDA = ("conda", "mamba", "micromamba")
_CONDA_SPEC = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?P<version>[=<>!~].*)?")


def _conda_commands(doc: Document) -> list[tuple[str | None, list[str]]]:
    """`conda create` / `conda install` commands in the Dockerfile's RUN lines: (the -p/-n target,
    or None for the active env; the package specs)."""
    if doc.dockerfile is None:
        return []
    out: list[tuple[str | None, list[str]]] = []
    for ins in doc.dockerfile.instructions:
        if ins.keyword != "RUN":
            continue
        for command in re.split(r"&&|\|\||;", ins.args):
            try:
                words = shlex.split(command)
            except ValueError:
                words = command.split()
            at = next((i for i, w in enumerate(words) if w.rsplit("/", 1)[-1] in _CONDA), None)
            if at is None or len(words) <= at + 1 or words[at + 1] not in ("create", "install"):
                continue
            target: str | None = None
            specs: list[str] = []
            rest = words[at + 2:]
            for k, word in enumerate(rest):
                if k and rest[k - 1] in ("-p", "--prefix", "-n", "--name"):
                    target = word
                elif k and rest[k - 1] in ("-c", "--channel", "--file"):
                    continue
                elif not word.startswith("-"):
                    specs.append(word)
            out.append((target, specs))
    return out


def _active(doc: Document, target: str | None) -> bool:
    """Is the env the pip installs run in this one: the active env (no -p/-n), or one the
    Dockerfile puts on PATH, makes the SHELL of, or activates."""
    if target is None:
        return True
    assert doc.dockerfile is not None
    return any(target in ins.args and (ins.keyword in ("ENV", "SHELL")
                                       or any(w in ins.args for w in ("activate", "conda run")))
               for ins in doc.dockerfile.instructions)


def dockerfile_conda(doc: Document) -> tuple[deps.PythonFull | None, bool]:
    """The Python a Dockerfile's own `conda create|install python=X.Y[.Z]` gives the env its pip
    runs in (when they agree), and whether conda installs numpy there."""
    pythons: set[deps.PythonFull] = set()
    numpy = False
    for target, specs in _conda_commands(doc):
        if not _active(doc, target):
            continue
        for spec in specs:
            m = _CONDA_SPEC.fullmatch(spec.split("::")[-1])
            if m is None:
                continue
            name, version = m.group("name").lower(), m.group("version") or ""
            minor = deps.parse_python_pin(version) if name == "python" else None
            if minor is not None and minor[0] == 3:
                pythons.add(deps.python_full(version, minor))
            numpy = numpy or name == NUMPY
    return (pythons.pop() if len(pythons) == 1 else None), numpy


def _mlflow_requirements(doc: Document, ctx: Context) -> bool:
    """MLflow's requirements.txt beside MLmodel and conda.yaml: AzureML builds from the conda.yaml."""
    folder = ctx.settings.root / PurePosixPath(doc.rel).parent
    return doc.kind is Kind.REQUIREMENTS and (folder / "MLmodel").is_file() and (folder / "conda.yaml").is_file()


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    first = table("numpy1_builds.json")["first_numpy2_release"]
    if _mlflow_requirements(doc, ctx):
        return
    python = environment_python(doc, ctx)
    conda_numpy = False
    if doc.kind is Kind.DOCKERFILE:
        # the Dockerfile's own `conda create -p $ENV python=3.8.5 numpy~=1.23.5`, env on PATH
        own_python, conda_numpy = dockerfile_conda(doc)
        python = python or own_python
    for group in declared_groups(doc, ctx):
        old = [d for d in group.own if d.source != "conda" and d.name in first
               and (spec := specifier_of(d)) is not None and only_below(spec, first[d.name])]
        if not old or numpy2_blocked(group.context, python) or conda_numpy:
            continue  # conda's numpy (any, as in a conda spec) stays: pip keeps it
        fix = _cap_fix(doc, ctx, old[0], python, group.context)
        for dep in old:
            yield Hit(f"'{dep.spec}' was built for numpy 1.x (numpy 2 support came in {dep.name} "
                      f"{first[dep.name]}) but nothing here holds numpy below 2: pip will install numpy 2 "
                      "and the import fails with 'numpy.dtype size changed'; add 'numpy<2'", dep.location,
                      fix=fix)


def _cap_fix(doc: Document, ctx: Context, first: Declared, python: deps.PythonFull | None,
             context: Sequence[Declared]) -> Fix | None:
    """'numpy<2' on its own line (item) just before the first old pin."""
    if any(d.name == NUMPY for d in context):
        return None  # numpy is declared already: its own line gets the cap, not a second numpy line
    if python is not None and not any(Version(v).major < 2 and python[1] in minors
                                      for v, minors in (deps.supported_pythons(NUMPY) or {}).items()):
        return None
    holder = ctx.project.documents.get(first.path)
    if holder is None or holder.text is None or first.source != "pip":
        return None
    if holder.kind is Kind.REQUIREMENTS:
        edit: Edit | None = insert_line_before(holder, first.location, "numpy<2")
    elif holder.yaml is not None:
        edit = insert_item_before(holder.rel, holder.text, first.location, "numpy<2")
    else:
        edit = None
    return Fix("add 'numpy<2' before the numpy-1 pins", (edit,)) if edit else None
