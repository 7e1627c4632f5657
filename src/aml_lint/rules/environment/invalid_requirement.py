"""A pip requirement or conda match spec that pip or conda cannot parse.

What it finds: lines of requirements files, of `pip:` lists in conda files (also inline
`conda_file:` mappings) and of `pip install` commands in Dockerfiles that pip cannot read
(requirements checked with `packaging`, the parser pip itself uses), and conda dependencies
that are not match specs (`numpy==>1.2`, `numpy>=1.2,`, a bare number such as `- 3.8`).
Everything pip accepts on a line is valid: options (`--index-url`, `--extra-index-url`, `-f`,
`--pre`, `--no-binary`, `--trusted-host`, `-c`, `-r`), `--hash=` options after a requirement,
editable and local installs (`-e .`, `.`, `.[extra]`, `./pkg`, a wheel file), VCS and direct
URLs (`git+https://...@ref#subdirectory=...&egg=name`, `name @ https://...`). Conda specs are
read as conda reads them: `PyJWT < 2.0.0`, `numpy >=1.20`, `numpy 1.21.2 py38h...`,
`conda-forge::numpy`, `conda-forge/linux-64::numpy==1.0`, `numpy[version='>=1.20']`, `numpy *`,
`=1.2`, `1.2.*`, `>=1.2,<2` and `1.2|1.3` are all valid. A requirements file that is not one
at all (a Python list, `'numpy',` on every line, JSON, a `conda list --export` dump) gets one
finding for the file, not one per line: an error when an environment here installs it, a
warning when nothing does (a file in another format may be read by something other than pip).

Why it matters: the image build stops at the first such line: pip fails with
"ERROR: Invalid requirement: 'numpy=1.26'" and conda with "InvalidMatchSpec"; AzureML
reports the deployment as "ImageBuildFailure" after minutes of waiting.

Fails:
    dependencies:
      - python=3.11
      - pip
      - pip:
          - numpy=1.26.4        # pip wants ==

Fixed:
    dependencies:
      - python=3.11
      - pip
      - pip:
          - numpy==1.26.4        # pip wants ==

Passes:
    dependencies:
      - python=3.11
      - pip
      - pip:
          - numpy==1.26.4

Fix: write pip pins with `==` (`numpy==1.26.4`) and conda pins as `name=version`,
`name>=version` or `name version build`; quote nothing, and keep one requirement per line.
`--fix` (safe) turns the single `=` of `name=version` in a pip list or requirements file into
`==` when the result is a valid requirement (one character added; quoting and comments stay; an
unsafe fix for a version of one or two parts: conda's `numpy=1.26` is any 1.26.x, pip's
`numpy==1.26` is 1.26.0 alone), and
a conda spec's reversed operator `=>` / `=<` into `>=` / `<=` (there is no other reading of it).
Other invalid lines (`numpy==>1.2`: at least, or exactly?) and Dockerfile `pip install`
arguments are left to you.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from packaging.requirements import InvalidRequirement, Requirement

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.documents.conda import CondaDep, parse_match_spec
from aml_lint.documents.placeholders import find_placeholder
from aml_lint.documents.requirements import PipLine, RequirementsFile
from aml_lint.findings import Location, Severity
from aml_lint.fix import Edit, Fix, line_end, line_start
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.environment.common import conda_envs
from aml_lint.rules.fix_helpers import positions_reliable, span

ID = "AML203"
NAME = "invalid-requirement"
SEVERITY = "error"
FIX = "safe"
KINDS = (Kind.CONDA, Kind.REQUIREMENTS, Kind.DOCKERFILE, Kind.ENVIRONMENT, *DEPLOYMENT_KINDS)


_SINGLE_EQUALS = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._\[\], -]*)=([^=<>!~]+)$")


def _pip_hit(line: PipLine, doc: Document | None = None) -> Hit | None:
    if line.error is None or "$" in line.text or find_placeholder(line.text):
        # a shell variable (Dockerfile), ${VAR} (pip expands them in requirements files), or a
        # placeholder a pipeline fills in ('=={{latest-pypi-version}}'): judged once rendered
        return None
    hint = ""
    head = line.display.split(";")[0].strip()
    pin = _SINGLE_EQUALS.match(head)
    if pin:  # conda's 'name=version' written for pip
        hint = f" (pip pins with '==': '{pin.group(1).strip()}=={pin.group(2).strip()}')"
    fix = _equals_fix(line, doc) if pin and doc is not None else None
    return Hit(f"invalid pip requirement '{line.display}': {line.error}{hint}", line.location, fix=fix)


def _region(doc: Document, loc: Location) -> tuple[int, int] | None:
    """The characters of one requirement: its YAML scalar, or its line of a requirements file."""
    text = doc.text
    if text is None or not positions_reliable(text) or loc.line < 1:
        return None
    if doc.kind is Kind.REQUIREMENTS:
        start, end = line_start(text, loc.line), line_end(text, loc.line)
        return None if text[start:end].rstrip().endswith("\\") else (start, end)
    where = span(text, loc)
    return where if where is not None and loc.end_line == loc.line else None


def _equals_fix(line: PipLine, doc: Document) -> Fix | None:
    """'name=version' -> 'name==version', when the line holds that one '=' and the result is valid."""
    where = _region(doc, line.location)
    if where is None or doc.text is None:
        return None
    raw = doc.text[where[0]:where[1]]
    cut = min((i for i in (raw.find(";"), raw.find("#")) if i >= 0), default=len(raw))
    requirement = re.split(r"\s#", line.text, maxsplit=1)[0]
    if raw[:cut].count("=") != 1 or requirement.split(";")[0].count("=") != 1:
        return None
    fixed = requirement.replace("=", "==", 1).strip()
    try:
        requirement_ = Requirement(fixed)
    except InvalidRequirement:
        return None
    at = where[0] + raw.index("=")
    name = fixed.split("==")[0].strip()
    version = next(iter(requirement_.specifier)).version
    if version.endswith(".*") or version.count(".") >= 2:
        return Fix(f"pin {name} with '=='", (Edit(doc.rel, at, at, "="),))
    # conda's 'numpy=1.26' is any 1.26.x; pip's '==1.26' is 1.26.0 alone: a reviewer's call
    return Fix(f"pin {name} with '==' ({version}.0 only; '={version}' meant any {version}.x to conda)",
               (Edit(doc.rel, at, at, "="),), safe=False)


_REVERSED = {"=>": ">=", "=<": "<="}


def _conda_fix(dep: CondaDep, doc: Document | None) -> Fix | None:
    """A conda spec with its operator reversed ('numpy=>1.2') -> 'numpy>=1.2'."""
    ops = [op for op in _REVERSED if op in dep.text]
    if doc is None or len(ops) != 1 or dep.text.count(ops[0]) != 1:
        return None
    fixed = dep.text.replace(ops[0], _REVERSED[ops[0]])
    if not parse_match_spec(fixed, dep.location).valid:
        return None
    where = _region(doc, dep.location)
    if where is None or doc.text is None:
        return None
    raw = doc.text[where[0]:where[1]]
    if raw.count(ops[0]) != 1:
        return None
    at = where[0] + raw.index(ops[0])
    return Fix(f"write '{fixed.split('#')[0].strip()}'", (Edit(doc.rel, at, at + 2, _REVERSED[ops[0]]),))


_SHAPES = {
    "python-list": "is written as a Python list, not one requirement per line",
    "json": "is JSON, not one requirement per line",
    "conda-list": "is a conda package list (name=version=build, read by 'conda create --file'), "
                  "not pip requirements",
    "comma-separated": "is written comma-separated, not one requirement per line",
    "docstring": "wraps its comments in a Python docstring",
    "other": "does not hold pip requirements",
}


def _file_hit(req: RequirementsFile) -> Hit | None:
    """One finding for a file that is not a requirements file at all (a Python list, JSON)."""
    bad = req.unparseable
    if bad is None:
        return None
    more = f" and {bad.bad - 1} more" if bad.bad > 1 else ""
    fix = {"conda-list": "write 'name==version' lines for pip, or use it as a conda file",
           "docstring": "start comment lines with '#' instead"}.get(
        bad.shape, "write one requirement per line, without quotes, commas or brackets")
    return Hit(f"{req.path} {_SHAPES[bad.shape]}: pip fails on line "
               f"{bad.first.location.line} ({_quoted(bad.first.display)}){more}; {fix}", bad.first.location)


def _quoted(text: str) -> str:
    return f'"{text}"' if "'" in text else f"'{text}'"


def _installed_here(doc: Document, ctx: Context) -> bool:
    """Something of the repository installs this requirements file: a link to it, or an environment
    file, Dockerfile or other requirements file naming it (asked only of malformed files: rare)."""
    if ctx.project.links_to(doc.rel):
        return True
    users = (Kind.CONDA, Kind.REQUIREMENTS, Kind.DOCKERFILE, Kind.ENVIRONMENT, *DEPLOYMENT_KINDS)
    for other in ctx.project.of_kind(*users):
        if other.rel == doc.rel or other.text is None:
            continue
        # The path as that file would write it, relative to its own folder (`-r requirements.txt`).
        written = posixpath.relpath(doc.rel, posixpath.dirname(other.rel) or ".")
        if written in other.text:
            return True
    return False


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    lines: list[PipLine] = []
    if doc.kind is Kind.REQUIREMENTS and doc.requirements is not None:
        whole = _file_hit(doc.requirements)
        if whole is not None:
            shape = doc.requirements.unparseable.shape if doc.requirements.unparseable else ""
            if shape != "docstring" and not _installed_here(doc, ctx):
                # Not pip's format and nothing here installs it: it may be read by something else
                # (a notebook, a component's own parser). An error only where an environment uses it.
                whole = Hit(whole.message + " (no environment here installs it)", whole.location,
                            severity=Severity.WARNING)
            yield whole
        else:
            lines = doc.requirements.lines
    elif doc.kind is Kind.DOCKERFILE and doc.dockerfile is not None:
        lines = doc.dockerfile.pip_installs()
    for line in lines:
        hit = _pip_hit(line, doc if doc.kind is Kind.REQUIREMENTS else None)
        if hit:
            yield hit
    for conda in conda_envs(doc, ctx):
        holder = ctx.project.documents.get(conda.path)
        for dep in conda.conda_deps:
            if not dep.valid and not find_placeholder(dep.text):
                hint = ""
                if re.fullmatch(r"\d+(\.\d+)*", dep.text):
                    hint = " (YAML read a number here: did you mean '- python=" + dep.text + "'?)"
                why = f"{dep.error}; " if dep.error else ""
                yield Hit(f"invalid conda match spec '{dep.text}': {why}write 'name', 'name=version', "
                          f"'name>=version' or 'name version build'{hint}", dep.location,
                          fix=_conda_fix(dep, holder))
        for line in conda.pip_lines:
            hit = _pip_hit(line, holder)
            if hit:
                yield hit
