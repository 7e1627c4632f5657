"""A scoring script imports a package its environment does not install.

What it finds: an absolute import in a scoring script that is not the standard library of the
environment's Python, not a module in the script's code folder, and not provided by any package
the environment declares (conda list, its pip list, requirements files, Dockerfile installs) nor
by anything those packages depend on. Import names are mapped to distributions with aml-lint's
data (`import sklearn` needs `scikit-learn`, `import cv2` needs `opencv-python`, `from azure.ai.ml
import MLClient` needs `azure-ai-ml`). Submodules that need an extra are checked too
(`inference_schema.parameter_types.numpy_parameter_type` needs `numpy`). Environments registered
in the workspace (`azureml:...`) cannot be seen and are not guessed; an import guarded by
`try/except ImportError` or an `if` is reported as a warning.

Why it matters: the container starts, the server imports the script, and the deployment fails
with `ModuleNotFoundError` after a twenty-minute image build.

Fails:
    # conda.yml
    dependencies:
      - python=3.10
      - pip:
          - azureml-inference-server-http
    # score.py
    import sklearn

Passes:
    # conda.yml
    dependencies:
      - python=3.10
      - pip:
          - azureml-inference-server-http
          - scikit-learn
    # score.py
    import sklearn

Fix: add the package the message names to the environment (the pip list of the conda file,
or the requirements file). If the module lives in your code folder, keep it next to the
scoring script so aml-lint (and the server) find it.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.findings import Severity
from aml_lint.knowledge import deps
from aml_lint.rules import imports_verdict as iv
from aml_lint.rules.base import Context, Hit

ID = "AML501"
NAME = "import-not-provided"
SEVERITY = "error"
KINDS = (Kind.SCORING_SCRIPT,)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    analysis = iv.analyze(doc, ctx)
    for v in analysis.verdicts:
        env = v.env
        if v.status == iv.MISSING:
            add = f"'{v.suggestion}'" + (" (guessed from the name)" if v.guessed else "")
            top = v.ref.module.split(".")[0]
            if v.guessed and v.suggestion == deps.normalize(top):
                # Not a name the data knows: as likely the user's own module kept elsewhere.
                add = (f"'{v.suggestion}' if that is the package (aml-lint does not know the "
                       f"name), or keep {top}.py next to the scoring script if it is your module")
            unknown = sorted(env.closure.unknown - {v.suggestion or ""})
            note = ""
            if unknown and env.resolution is None:
                shown = ", ".join(unknown[:3]) + (" ..." if len(unknown) > 3 else "")
                note = (f"; aml-lint does not know what {shown} depend"
                        f"{'s' if len(unknown) == 1 else ''} on, but declare it anyway")
            guard = " (the import is guarded, so the script may cope without it)" if v.ref.guarded else ""
            yield Hit(
                f"'{v.ref.module}' is imported but the environment {env.label} does not install "
                f"it: add {add} to {env.where_to_add()}{note}{guard}",
                v.ref.location,
                severity=Severity.WARNING if v.ref.guarded else None,
                path=v.path, related=(env.label,),
            )
        elif v.needs and v.status in (iv.DIRECT, iv.TRANSITIVE):
            names = ", ".join(f"'{n}'" for n in v.needs)
            yield Hit(
                f"'{v.ref.module}' needs {names}, which the environment {env.label} does not "
                f"install: add {names} to {env.where_to_add()} (or the package's extra that "
                "brings it, e.g. inference-schema[numpy-support])",
                v.ref.location,
                severity=Severity.WARNING if v.ref.guarded else None,
                path=v.path, related=(env.label,),
            )
