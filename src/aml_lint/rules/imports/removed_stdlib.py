"""A script imports a standard-library module that the environment's Python removed.

What it finds: imports, in a scoring script or a job's entry script (and the local modules it
imports), of modules removed from the standard library (`distutils`, `imp`,
`asyncore`, `asynchat`, `smtpd` in Python 3.12; `cgi`, `cgitb`, `imghdr`, `telnetlib`, `pipes`,
`audioop`, ... in 3.13) when the environment pins a Python that no longer has them and declares
no package that brings them back (`setuptools` for `distutils`, `zombie-imp` for `imp`,
`legacy-cgi` for `cgi`, `standard-imghdr` for `imghdr`, ...). The Python version comes from the
conda file's `python` pin, or from the image name (`...-py312-...`) when there is no pin. An
entry script whose job installs packages in its own command before the script (`pip install -r
requirements.txt && python train.py`) is left alone: that install may bring the backport.

Why it matters: the import fails with `ModuleNotFoundError` when the server loads the scoring
script, or when the job starts its entry script, after the image build.

Fails:
    # conda.yml
    dependencies:
      - python=3.12
      - pip:
          - azureml-inference-server-http
    # score.py
    import imp

Passes:
    # conda.yml
    dependencies:
      - python=3.12
      - pip:
          - azureml-inference-server-http
    # score.py
    import importlib

Fix: move to the replacement (`importlib` for `imp`, `sysconfig`/`setuptools` for `distutils`,
`email`/`urllib.parse` for `cgi`), declare the backport the message names, or pin an older Python.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.knowledge.deps import format_python
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.imports import verdict as iv

ID = "AML503"
NAME = "removed-stdlib-import"
SEVERITY = "error"
KINDS = (Kind.SCORING_SCRIPT, Kind.ENTRY_SCRIPT)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    for v in iv.analyze(doc, ctx).verdicts:
        if v.status != iv.REMOVED or v.env.python is None or v.removed_in is None:
            continue
        top = v.ref.module.split(".")[0]
        source = "pins" if v.env.python_source == "conda" else "uses (from its image name)"
        fix = f"declare '{v.suggestion}' in {v.env.where_to_add()} or stop importing it" \
            if v.suggestion else "stop importing it"
        yield Hit(
            f"'{top}' was removed from the standard library in Python {format_python(v.removed_in)} "
            f"and {v.env.label} {source} Python {format_python(v.env.python)}: {fix}",
            v.ref.location,
            path=v.path, related=(v.env.label,),
        )
