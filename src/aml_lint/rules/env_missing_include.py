"""A `-r`/`-c` include in a requirements file or a conda pip list that points at nothing.

What it finds: `-r other.txt`, `--requirement`, `-c`, `--constraint` lines of
requirements files and of conda `pip:` lists whose file does not exist (pip resolves
them from the folder of the file that contains the line). It also warns about an
include in the pip list of a conda file that an AzureML environment uses: AzureML
builds the image from the conda file's content and does not upload the included file.

Why it matters: pip stops with "ERROR: Could not open requirements file: [Errno 2]
No such file or directory: 'requirements-prod.txt'", and the image build fails
("CondaValueError: pip returned an error").

Fails:
    # requirements.txt
    -r requirements-base.txt      # the file is called requirements/base.txt

Passes:
    # requirements.txt
    -r requirements/base.txt

Fix: correct the path (relative to the file holding the line), or list the packages
directly in the conda file's pip list.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.documents.requirements import PipLine
from aml_lint.findings import Severity
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.env_common import conda_envs
from aml_lint.workspace import is_inside

ID = "AML204"
NAME = "missing-include"
SEVERITY = "error"
KINDS = (Kind.REQUIREMENTS, Kind.CONDA, Kind.ENVIRONMENT, *DEPLOYMENT_KINDS)


def _missing(line: PipLine, folder: Path, root: Path) -> bool:
    target = str(line.include)
    if "://" in target or "$" in target:
        return False
    path = (folder / target).absolute()
    try:
        return not (path.is_file() and is_inside(path, root))
    except (OSError, ValueError):  # a name the OS refuses (over NAME_MAX, NUL): not there
        return True


def _used_by_azureml(doc: Document, ctx: Context) -> bool:
    if doc.kind is not Kind.CONDA:
        return True  # an inline conda_file of an AzureML environment
    return any(link.role == "conda_file" for link in ctx.project.links_to(doc.rel))


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    root = ctx.project.root
    folder = doc.path.parent
    if doc.kind is Kind.REQUIREMENTS and doc.requirements is not None:
        for line in doc.requirements.includes:
            if _missing(line, folder, root):
                yield Hit(f"'{line.text}': the file '{line.include}' does not exist (pip resolves it "
                          f"from the folder of {doc.rel})", line.location)
        return
    for conda in conda_envs(doc, ctx):
        for line in conda.pip_lines:
            if not line.include:
                continue
            if _missing(line, folder, root):
                yield Hit(f"'{line.text}' in the pip list: the file '{line.include}' does not exist "
                          f"(pip resolves it from the folder of {doc.rel})", line.location)
            elif _used_by_azureml(doc, ctx):
                yield Hit(f"'{line.text}' in the pip list of an AzureML conda file: AzureML builds the "
                          f"image from the conda file alone and '{line.include}' is not uploaded with it; "
                          "list its packages in the pip list instead", line.location,
                          severity=Severity.WARNING)
