"""A pip requirement or conda match spec that pip or conda cannot parse.

What it finds: lines of requirements files, of `pip:` lists in conda files (also inline
`conda_file:` mappings) and of `pip install` commands in Dockerfiles that are not valid
PEP 508 requirements (checked with `packaging`, the parser pip itself uses), and conda
dependencies that are not match specs (`numpy==>1.2`, a bare number such as `- 3.8`).

Why it matters: the image build stops at the first such line: pip fails with
"ERROR: Invalid requirement: 'numpy=1.26'" and conda with "InvalidMatchSpec"; AzureML
reports the deployment as "ImageBuildFailure" after minutes of waiting.

Fails:
    dependencies:
      - python=3.11
      - pip
      - pip:
          - numpy=1.26.4        # pip wants ==

Passes:
    dependencies:
      - python=3.11
      - pip
      - pip:
          - numpy==1.26.4

Fix: write pip pins with `==` (`numpy==1.26.4`) and conda pins as `name=version` or
`name>=version`; quote nothing, and keep one requirement per line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.documents.requirements import PipLine
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.env_common import conda_envs

ID = "AML203"
NAME = "invalid-requirement"
SEVERITY = "error"
KINDS = (Kind.CONDA, Kind.REQUIREMENTS, Kind.DOCKERFILE, Kind.ENVIRONMENT, *DEPLOYMENT_KINDS)

# One version clause of a match spec: an optional operator, a version, an optional =build.
_CLAUSE = re.compile(r"^(?:==|>=|<=|!=|~=|=|<|>)?[\w.*+!]+(?:=[\w.*+!]+)?$")


def _valid_version(version: str) -> bool:
    words = version.split()
    if not words:
        return True
    return all(_CLAUSE.match(clause.strip()) for alt in words[0].split("|") for clause in alt.split(","))


def _pip_hit(line: PipLine) -> Hit | None:
    if line.error is None or "$" in line.text:
        return None  # a shell variable (Dockerfile) or ${VAR} (pip expands them in requirements files)
    hint = ""
    head = line.text.split(";")[0]
    if "=" in head and "==" not in head and not any(op in head for op in ("<=", ">=", "!=", "~=")):
        hint = f" (pip pins with '==': '{head.replace('=', '==', 1).strip()}')"
    return Hit(f"invalid pip requirement '{line.text}': {line.error}{hint}", line.location)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    if doc.kind is Kind.REQUIREMENTS and doc.requirements is not None:
        lines = doc.requirements.lines
    elif doc.kind is Kind.DOCKERFILE and doc.dockerfile is not None:
        lines = doc.dockerfile.pip_installs()
    else:
        lines = []
    for line in lines:
        hit = _pip_hit(line)
        if hit:
            yield hit
    for conda in conda_envs(doc, ctx):
        for dep in conda.conda_deps:
            if not dep.valid or not _valid_version(dep.version):
                hint = ""
                if re.fullmatch(r"\d+(\.\d+)*", dep.text):
                    hint = " (YAML read a number here: did you mean '- python=" + dep.text + "'?)"
                yield Hit(f"invalid conda match spec '{dep.text}': write 'name', 'name=version' or "
                          f"'name>=version'{hint}", dep.location)
        for line in conda.pip_lines:
            hit = _pip_hit(line)
            if hit:
                yield hit
