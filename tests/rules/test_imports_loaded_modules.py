"""Issue 12, class N6: only local modules the scoring script loads are checked against its environment.

`score.py` imports `app.core.analyzer`; `app/__init__.py` imports the web routes only inside
`create_app()`, which the inference server never calls: the routes module's `import lightgbm`
is not an import of the deployment (no AML501/AML502). Imported at module level, it is.
"""

from __future__ import annotations

from lintkit import CONDA_ONLINE_DEPLOYMENT as DEPLOYMENT
from lintkit import LintFn

CONDA = ("channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n"
         "      - azureml-inference-server-http\n      - numpy\n")
SCORE = ("from app.core.analyzer import analyze\n\n\ndef init():\n    pass\n\n\n"
         "def run(data):\n    return analyze(data)\n")
APP_INIT_DEFERRED = "import logging\n\n\ndef create_app():\n    from app.routes import api\n    return api\n"
APP_INIT_EAGER = "import logging\n\nfrom app.routes import api\n"


def _files(app_init: str, analyzer: str = "import numpy\n\n\ndef analyze(data):\n    return data\n") -> dict:
    return {"deployment.yml": DEPLOYMENT, "env/conda.yml": CONDA, "src/score.py": SCORE,
            "src/app/__init__.py": app_init, "src/app/core/__init__.py": "",
            "src/app/core/analyzer.py": analyzer, "src/app/routes/__init__.py": "",
            "src/app/routes/api.py": "import lightgbm\n\n\ndef predict():\n    return lightgbm\n"}


def _imports(found: list) -> list[tuple[str, str, int]]:
    return [(f.rule_id, f.path, f.line) for f in found if f.rule_id in ("AML501", "AML502")]


def test_module_imported_only_inside_a_function_of_another_module_is_not_loaded(lint: LintFn) -> None:
    assert _imports(lint(_files(APP_INIT_DEFERRED))) == []


def test_module_imported_at_module_level_is_loaded(lint: LintFn) -> None:
    assert _imports(lint(_files(APP_INIT_EAGER))) == [("AML501", "src/app/routes/api.py", 1)]


def test_imports_inside_functions_of_a_loaded_module_are_still_checked(lint: LintFn) -> None:
    analyzer = "import numpy\n\n\ndef analyze(data):\n    import lightgbm\n    return lightgbm\n"
    assert _imports(lint(_files(APP_INIT_DEFERRED, analyzer))) == [("AML501", "src/app/core/analyzer.py", 5)]
