"""A path in a deployment or environment that points at nothing.

What it finds: `code_configuration.code`, `code_configuration.scoring_script`,
`environment.conda_file`, `build.path`, `build.dockerfile_path`, `model.path` and
`environment: file:...` values that do not exist, resolved the way AzureML resolves them
(from the folder of the YAML file; `scoring_script` from the code folder;
`dockerfile_path` from the build context), and paths that lead outside the repository.

Why it matters: the CLI fails with "Can't find directory or file in resolved absolute
path", or worse, uploads a different folder than you meant.

Fails:
    code_configuration:
      code: ../src
      scoring_script: scor.py      # the file is score.py

Passes:
    code_configuration:
      code: ../src
      scoring_script: score.py

Fix: correct the path; remember it is relative to the YAML file's folder.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.rules.base import Context, Hit

ID = "AML101"
NAME = "missing-link-target"
SEVERITY = "error"
KINDS = (*DEPLOYMENT_KINDS, Kind.ENVIRONMENT)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    for problem in ctx.project.problems:
        if problem.source == doc.rel:
            yield Hit(problem.message, problem.location)
