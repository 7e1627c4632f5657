"""A scoring or entry script imports a package its environment does not install.

What it finds: an absolute import in a scoring script, or in a job's entry script (the script a
command job, sweep trial, pipeline step or command component runs from its `command:`), that
is not the standard library of the environment's Python, not a module in the script's code
folder (or one a component's `additional_includes` copies there), and not provided by any package the environment declares (conda list, its pip list,
requirements files, Dockerfile installs) nor by anything those packages depend on. Import names
are mapped to distributions with aml-lint's data (`import sklearn` needs `scikit-learn`,
`import cv2` needs `opencv-python`, `from azure.ai.ml import MLClient` needs `azure-ai-ml`).
Submodules that need an extra are checked too (`inference_schema.parameter_types.numpy_parameter_type`
needs `numpy`). Environments registered in the workspace (`azureml:...`) cannot be seen and are
not guessed, and neither is an environment that installs something aml-lint cannot see into (a
local package such as `-e .`, `.` or `./pkg`, a VCS or direct URL), nor the environment of a job
whose own command installs packages before the script (`pip install -r requirements.txt && python
train.py`): what those bring is unknown, so their imports are never called missing; nor is a
package whose name extends that of a declared package with unknown dependencies
(`azure-keyvault-secrets` beside the metapackage `azure-keyvault`), nor setuptools or wheel
(`import pkg_resources`) where conda installs pip, which has long brought them. The finding is a warning,
not an error, when the import is guarded by `try/except ImportError` or an `if`, or when the
environment declares a pip package whose dependencies aml-lint does not know (that package may
bring it). An import in the `except ImportError:` of a `try` that imports too (`try: from
.features import f` / `except ImportError: from features import f`) stands in for that import
and is not judged: the one it stands in for is. A curated environment is judged by its whole installed set when aml-lint's table
holds it (its current version's packages resolved with their dependencies when the table was
built): an import none of them provides is an error like any other, and the fix is an
environment of your own built from the curated one. Without that set (an older pinned
version, a framework base such as ACPT) an import that a package of unknown dependencies may
bring is info (Microsoft builds and tests those environments, and their azureml-* packages
bring much that aml-lint's data does not list), while an import no package of the curated
environment can bring stays an error. A top-level name the data does not know (`import utils`)
is not matched to a PyPI project of that name: the message asks for the package that provides
it, or the module. The
message names the script's role: "the environment" of a deployment, "the job's environment" of
an entry script.

Why it matters: the container starts, the server imports the scoring script (or the job runs
the entry script), and the deployment or job fails with `ModuleNotFoundError` after a
twenty-minute image build.

Fails:
    # conda.yml
    dependencies:
      - python=3.10
      - pip:
          - azureml-inference-server-http
    # score.py
    import sklearn

Fixed:
    # conda.yml
    dependencies:
      - python=3.10
      - pip:
          - azureml-inference-server-http
          - scikit-learn==1.7.2
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
its conda dependencies when it has no pip list, or the requirements file). If the module
lives in your code folder, keep it next to the script so aml-lint (and the server or job)
find it. `--fix` (safe) appends the package, pinned, to the conda file's pip list (created after
the conda dependencies, with `- pip`, when there is none), or to the requirements file when the
pip list only includes one; the list's indentation and quoting are kept. It does so only when the
import is certainly missing (not guarded, no declared package of unknown dependencies that may
bring it), the import maps to exactly one package in aml-lint's data (not guessed from the name),
the environment's Python is pinned, and the bundled release data name the newest release that
installs on it (`knowledge/python_support.json`, `knowledge/releases.json`; a package they do not
hold gets no fix rather than a guessed pin). The same holds for a job's environment, whose file
the fix edits the same way. Adding a package changes the image, which is why the
pin is written out: the reviewer sees exactly what will be installed. A Dockerfile environment is
left to you.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.findings import Severity
from aml_lint.fix import Fix
from aml_lint.knowledge import deps
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.fix_helpers import add_to_environment, installable_pin
from aml_lint.rules.imports import verdict as iv

ID = "AML501"
NAME = "import-not-provided"
SEVERITY = "error"
FIX = "safe"
KINDS = (Kind.SCORING_SCRIPT, Kind.ENTRY_SCRIPT)


def _env_name(env: iv.EnvView) -> str:
    """The environment as the message names it: a curated one with its table name and version."""
    c = env.spec.curated
    if not env.spec.curated_contents or c is None or c.installed is None:
        return env.label
    version = f" version {c.resolved_version}" if c.resolved_version else ""
    return f"{env.label} (curated environment '{c.environment}'{version})"


def _message(v: iv.Verdict, role: iv.Role) -> str:
    top = v.ref.module.split(".")[0]
    where = v.env.where_to_add()
    label = _env_name(v.env)
    if v.guessed and v.suggestion == deps.normalize(top):
        # A name the data does not know: as likely the user's own module kept elsewhere as a
        # package, so no PyPI project is proposed by name.
        return (f"'{v.ref.module}' is imported but is neither a module next to the {role.script} nor "
                f"installed by {role.env} {label}: keep {top}.py (or {top}/) next to the "
                f"{role.script} if it is your own module, else declare the package that provides it "
                f"in {where}")
    guess = " (guessed from the name)" if v.guessed else ""
    return (f"'{v.ref.module}' is imported but {role.env} {label} does not install it: "
            f"add '{v.suggestion}'{guess} to {where}")


def _add_fix(v: iv.Verdict, ctx: Context) -> Fix | None:
    """The missing package added, pinned, to the environment: see the page's Fix section."""
    cands = deps.import_candidates(v.ref.module)
    top = deps.normalize(v.ref.module.split(".")[0])
    unambiguous = len(cands.dists) == 1 and (not cands.heuristic or cands.dists == (top,))
    if v.guessed or v.needs or not unambiguous or v.suggestion != cands.dists[0] or v.env.python is None:
        return None
    dist = cands.dists[0]
    pin = installable_pin(dist, deps.python_full(None, v.env.python))
    if pin is None:
        return None
    edits = add_to_environment(v.env.spec, ctx.project.documents, [f"{dist}=={pin}"])
    if not edits:
        return None
    return Fix(f"add '{dist}=={pin}' to {edits[0].path}", tuple(edits))


def _unknown_note(v: iv.Verdict) -> str:
    """Declared pip packages whose dependencies the data does not know: one of them may bring it."""
    env = v.env
    if env.resolution is not None:
        return ""
    pip_declared = {name for name, d in env.direct.items() if d.source != "conda"}
    unknown = sorted((env.closure.unknown & pip_declared) - {v.suggestion or ""})
    if not unknown:
        return ""
    shown = ", ".join(unknown[:3]) + (" ..." if len(unknown) > 3 else "")
    return f", unless {shown} (whose dependencies aml-lint does not know) brings it"


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    analysis = iv.analyze(doc, ctx)
    role = iv.role_of(doc)
    for v in analysis.verdicts:
        env = v.env
        if v.status == iv.MISSING:
            guard = " (the import is guarded, so the script may cope without it)" if v.ref.guarded else ""
            # A package whose dependencies are unknown may bring it: likely missing, not provably.
            note = _unknown_note(v)
            yield Hit(
                f"{_message(v, role)}{note}{guard}",
                v.ref.location,
                severity=(Severity.INFO if note and env.spec.curated_contents
                          else Severity.WARNING if v.ref.guarded or note else None),
                path=v.path, related=(env.label,),
                fix=None if v.ref.guarded or note else _add_fix(v, ctx),
            )
        elif v.needs and v.status in (iv.DIRECT, iv.TRANSITIVE):
            names = ", ".join(f"'{n}'" for n in v.needs)
            extra = f"'{v.providers[0]}[{v.needs[0]}-support]'" \
                if v.providers and v.providers[0] == "inference-schema" else "the package's extra that brings it"
            yield Hit(
                f"'{v.ref.module}' needs {names}, which {role.env} {env.label} does not "
                f"install: add {names} to {env.where_to_add(v.needs[0])} (or {extra})",
                v.ref.location,
                severity=Severity.WARNING if v.ref.guarded else None,
                path=v.path, related=(env.label,),
            )
