"""Import rules AML501-AML505 on small repositories: a deployment, its conda file, its script."""

from __future__ import annotations

from pathlib import Path

import pytest

from aml_lint.config import build_settings
from aml_lint.documents import Kind
from aml_lint.engine import discover
from aml_lint.rules.base import Context
from aml_lint.rules.imports import verdict as iv
from lintkit import CONDA_ONLINE_DEPLOYMENT as DEPLOYMENT
from lintkit import LintFn


def conda(*deps: str, pip: tuple[str, ...] = ()) -> str:
    lines = ["channels: [conda-forge]", "dependencies:", *[f"  - {d}" for d in deps]]
    if pip:
        lines += ["  - pip:", *[f"      - {p}" for p in pip]]
    return "\n".join(lines) + "\n"


def script(*imports: str) -> str:
    return "\n".join([*imports, "", "def init():", "    pass", "", "def run(data):",
                      "    return data", ""])


def repo(env: str, score: str, **extra: str) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {"deployment.yml": DEPLOYMENT, "env/conda.yml": env,
                                     "src/score.py": score}
    files.update(extra)
    return files


SERVER = "azureml-inference-server-http"


# --------------------------------------------------------------------------- AML501


def test_missing_import_names_env_and_what_to_add(lint: LintFn) -> None:
    found = lint(repo(conda("python=3.10", "pip", pip=(SERVER,)),
                      script("import os", "import sklearn", "from cv2 import imread")), rule="AML501")
    assert [(f.path, f.line, f.severity.label) for f in found] == [
        ("src/score.py", 2, "error"), ("src/score.py", 3, "error")]
    assert found[0].message == (
        "'sklearn' is imported but the environment env/conda.yml does not install it: add "
        "'scikit-learn' to its pip list")
    assert "add 'opencv-python'" in found[1].message
    assert found[0].related == ("env/conda.yml",)


def test_declared_imports_pass(lint: LintFn) -> None:
    files = repo(conda("python=3.10", "pip", "pytorch", "py-opencv",
                       pip=(SERVER, "scikit-learn", "azure-ai-ml", "PyYAML", "pillow")),
                 script("import sklearn", "import torch", "import cv2", "import yaml",
                        "from PIL import Image", "from azure.ai.ml import MLClient",
                        "from azureml.contrib.services.aml_request import rawhttp"))
    assert lint(files, rule="AML501") == []
    assert lint(files, rule="AML502") == []


def test_local_modules_and_relative_imports_are_not_findings(lint: LintFn) -> None:
    files = repo(conda("python=3.10", "pip", pip=(SERVER,)),
                 script("import helpers", "from utils.io import load", "from . import sibling",
                        "from .models import Net"),
                 **{"src/helpers.py": "X = 1\n", "src/utils/io.py": "def load(): pass\n"})
    assert lint(files, rule="AML501") == []


def test_guarded_missing_import_is_a_warning(lint: LintFn) -> None:
    found = lint(repo(conda("python=3.10", "pip", pip=(SERVER,)),
                      script("try:", "    import lightgbm", "except ImportError:", "    lightgbm = None")),
                 rule="AML501")
    assert [(f.line, f.severity.label) for f in found] == [(2, "warning")]
    assert "guarded" in found[0].message


def test_extra_needed_by_submodule(lint: LintFn) -> None:
    module = "inference_schema.parameter_types.numpy_parameter_type"
    found = lint(repo(conda("python=3.10", "pip", pip=(SERVER,)),
                      script(f"from {module} import NumpyParameterType")), rule="AML501")
    assert len(found) == 1 and "needs 'numpy'" in found[0].message
    assert found[0].message.endswith("add 'numpy' to its pip list (or 'inference-schema[numpy-support]')")
    assert lint(repo(conda("python=3.10", "pip", pip=(SERVER, "inference-schema[numpy-support]")),
                     script(f"from {module} import NumpyParameterType")), rule="AML501") == []


def test_namespace_guess_is_labelled(lint: LintFn) -> None:
    found = lint(repo(conda("python=3.10", "pip", pip=(SERVER,)),
                      script("from azure.zzfake.client import Client")), rule="AML501")
    assert len(found) == 1
    assert "add 'azure-zzfake-client' (guessed from the name)" in found[0].message


def test_registered_environment_is_not_guessed(lint: LintFn) -> None:
    dep = DEPLOYMENT.replace("environment:\n  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest\n"
                             "  conda_file: env/conda.yml\n", "environment: azureml:my-env:3\n")
    files: dict[str, str | bytes] = {"deployment.yml": dep, "src/score.py": script("import sklearn")}
    assert lint(files, rule="AML501") == [] and lint(files, rule="AML502") == []


# --------------------------------------------------------------------------- AML502


def test_transitive_only_import_is_information(lint: LintFn) -> None:
    """It works today and breaks only if scikit-learn drops numpy: drift at most, not a warning."""
    found = lint(repo(conda("python=3.10", "pip", pip=(SERVER, "scikit-learn==1.5.1")),
                      script("import numpy as np", "import joblib", "import scipy.sparse")), rule="AML502")
    assert [(f.line, f.severity.label) for f in found] == [(1, "info"), (2, "info"), (3, "info")]
    assert found[0].message == (
        "'numpy' is not declared in env/conda.yml: works today because scikit-learn depends on "
        "numpy (scikit-learn -> numpy); declare numpy in its pip list")


def test_transitive_names_the_package_when_it_differs(lint: LintFn) -> None:
    found = lint(repo(conda("python=3.10", "pip", pip=(SERVER, "pandas")),
                      script("import dateutil.parser")), rule="AML502")
    assert len(found) == 1
    assert found[0].message.startswith("'dateutil.parser' (package python-dateutil) is not declared")


def test_transitive_through_conda_package(lint: LintFn) -> None:
    found = lint(repo(conda("python=3.10", "pip", "scikit-learn", pip=(SERVER,)), script("import numpy")),
                 rule="AML502")
    assert len(found) == 1 and "scikit-learn depends on numpy" in found[0].message
    # conda brings it: declared in the conda list, not the pip list
    assert found[0].message.endswith("declare numpy in its conda dependencies")


def test_transitive_through_pip_package_is_declared_in_the_pip_list(lint: LintFn) -> None:
    found = lint(repo(conda("python=3.10", "pip", pip=(SERVER, "scikit-learn")), script("import numpy")),
                 rule="AML502")
    assert len(found) == 1 and found[0].message.endswith("declare numpy in its pip list")


def test_missing_import_in_conda_only_environment(lint: LintFn) -> None:
    found = lint(repo(conda("python=3.10", "scikit-learn"), script("import lightgbm")), rule="AML501")
    assert [f.message for f in found] == [
        "'lightgbm' is imported but the environment env/conda.yml does not install it: add 'lightgbm' "
        "to its dependencies (as a conda package, or in a pip: list)"]


def test_declared_direct_dependency_passes(lint: LintFn) -> None:
    assert lint(repo(conda("python=3.10", "pip", "numpy", pip=(SERVER, "scikit-learn")),
                     script("import numpy")), rule="AML502") == []


# --------------------------------------------------------------------------- AML503


def test_removed_stdlib_module_on_312(lint: LintFn) -> None:
    found = lint(repo(conda("python=3.12", "pip", pip=(SERVER,)),
                      script("import imp", "from distutils.version import LooseVersion", "import os")),
                 rule="AML503")
    assert [(f.line, f.severity.label) for f in found] == [(1, "error"), (2, "error")]
    assert found[0].message == (
        "'imp' was removed from the standard library in Python 3.12 and env/conda.yml pins "
        "Python 3.12: declare 'zombie-imp' in its pip list or stop importing it")


def test_removed_stdlib_passes_on_older_python_or_with_backport(lint: LintFn) -> None:
    assert lint(repo(conda("python=3.11", "pip", pip=(SERVER,)), script("import imp", "import cgi")),
                rule="AML503") == []
    assert lint(repo(conda("python=3.13", "pip", pip=(SERVER, "legacy-cgi")), script("import cgi")),
                rule="AML503") == []


def test_removed_stdlib_python_from_image_name(lint: LintFn) -> None:
    dep = DEPLOYMENT.replace("openmpi4.1.0-ubuntu22.04:latest", "minimal-py312-inference:latest")
    files = repo(conda("pip", pip=(SERVER,)), script("import asyncore"))
    files["deployment.yml"] = dep
    found = lint(files, rule="AML503")
    assert len(found) == 1 and "uses (from its image name) Python 3.12" in found[0].message


def test_removed_stdlib_is_not_also_reported_missing(lint: LintFn) -> None:
    found = lint(repo(conda("python=3.13", "pip", pip=(SERVER,)), script("import telnetlib")))
    assert [f.rule_id for f in found if f.rule_id.startswith("AML5")] == ["AML503"]


# --------------------------------------------------------------------------- AML504


def test_pin_that_cannot_install_on_python(lint: LintFn) -> None:
    found = lint({"conda.yml": conda("python=3.10", "pip", "scikit-learn=0.24", pip=("numpy==1.19.5",))},
                 rule="AML504")
    assert [(f.line, f.severity.label) for f in found] == [(5, "warning"), (7, "error")]
    assert found[0].message.startswith("'scikit-learn=0.24' probably cannot install on Python 3.10")
    assert found[1].message.startswith("'numpy==1.19.5' cannot install on Python 3.10 ('python=3.10', line 3)")
    assert "3.10" not in found[1].message.split("wheels for")[1]


def test_python_range_is_not_checked_against_pins(lint: LintFn) -> None:
    assert lint({"conda.yml": conda("python>=3.8", "pip", pip=("pandas==2.2.3",))}, rule="AML504") == []


@pytest.mark.parametrize(("python", "expected"), [
    ("python=3.10", (3, 10)), ("python==3.8.13", (3, 8)), ("python=3.12.*", (3, 12)),
    ("python>=3.8", None), ("python", None),
])
def test_env_python_needs_an_exact_pin(tmp_path: Path, python: str, expected: object) -> None:
    a = _analysis(tmp_path, repo(conda(python, "pip", pip=(SERVER,)), script("import os")))
    assert a.envs[0].python == expected


def test_pins_that_fit_the_python_pass(lint: LintFn) -> None:
    assert lint({"conda.yml": conda("python=3.10", "pip", "scikit-learn=1.5", "numpy>=1.19",
                                    pip=("numpy==1.26.4", "pandas", "left-pad==1.0"))},
                rule="AML504") == []


def test_pin_check_on_inline_conda(lint: LintFn) -> None:
    env = ("$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\n"
           "name: e\nimage: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest\n"
           "conda_file:\n  dependencies:\n    - python=3.8\n    - pip\n    - pip:\n"
           "      - pandas==2.2.3\n")
    found = lint({"env.yml": env}, rule="AML504")
    assert [(f.path, f.line) for f in found] == [("env.yml", 9)]
    assert "3.8" in found[0].message and "pandas" in found[0].message


# --------------------------------------------------------------------------- analysis


def _analysis(tmp_path: Path, files: dict[str, str | bytes]) -> iv.ScriptAnalysis:
    from lintkit import write_tree

    write_tree(tmp_path, files)
    settings = build_settings(tmp_path)
    project = discover(settings)
    doc = next(d for d in project.of_kind(Kind.SCORING_SCRIPT))
    return iv.analyze(doc, Context(project, settings))


def test_every_import_gets_a_verdict(tmp_path: Path) -> None:
    a = _analysis(tmp_path, repo(conda("python=3.12", "pip", pip=(SERVER, "scikit-learn")),
                                 script("import os", "import numpy", "import sklearn", "import imp",
                                        "import lightgbm", "import azure", "import helpers",
                                        "from azureml.contrib.services.aml_request import rawhttp",
                                        "from . import x"),
                                 **{"src/helpers.py": ""}))
    got = {v.ref.module: v.status for v in a.verdicts}
    assert got == {"os": iv.STDLIB, "numpy": iv.TRANSITIVE, "sklearn": iv.DIRECT, "imp": iv.REMOVED,
                   "lightgbm": iv.MISSING, "azure": iv.UNKNOWN, "helpers": iv.LOCAL,
                   "azureml.contrib.services.aml_request": iv.DIRECT}


@pytest.mark.parametrize(("version", "pep440"), [
    ("", ""), ("=1.21", "==1.21.*"), ("1.21", "==1.21.*"), ("==1.2.3", "==1.2.3"),
    ("=1.2.3=py38_0", "==1.2.3.*"), (">=1.2,<2", "<2,>=1.2"), ("1.2.*", "==1.2.*"),
    ("*", ""), ("=*", ""), ("1.2|1.3", ""), ("<2.0.0", "<2.0.0"),
])
def test_conda_specifier(version: str, pep440: str) -> None:
    assert iv.conda_specifier(version) == pep440


def test_imports_of_local_modules_are_checked_too(lint: LintFn) -> None:
    found = lint(repo(conda("python=3.10", "pip", pip=(SERVER,)), script("import helpers"),
                      **{"src/helpers.py": "import os\nimport lightgbm\n"}), rule="AML501")
    assert [(f.path, f.line) for f in found] == [("src/helpers.py", 2)]
    assert "'lightgbm' is imported but the environment env/conda.yml" in found[0].message


def test_requirements_for_resolution_skip_conda_only_packages(tmp_path: Path) -> None:
    a = _analysis(tmp_path, repo(conda("python=3.10", "pip", "cudatoolkit=11.8", "mkl", "pytorch=2.3",
                                       "scikit-learn", pip=(SERVER + "==1.5.1", "inference-schema[numpy-support]")),
                                 script("import os")))
    assert iv.pip_requirements(a.envs[0].spec) == [
        "torch==2.3.*", "scikit-learn", "azureml-inference-server-http==1.5.1",
        "inference-schema[numpy-support]"]


def test_unknown_top_level_name_may_be_the_users_module(lint: LintFn) -> None:
    found = lint(repo(conda("python=3.10", "pip", pip=(SERVER,)), script("from utils import load")),
                 rule="AML501")
    assert len(found) == 1
    assert found[0].message == (
        "'utils' is imported but is neither a module next to the scoring script nor installed by the "
        "environment env/conda.yml: keep utils.py (or utils/) next to the scoring script if it is your "
        "own module, else declare the package that provides it in its pip list")
    assert "'utils' to" not in found[0].message  # no PyPI project proposed by import name


def test_known_name_is_never_called_unknown(lint: LintFn) -> None:
    """numpy's import name is its distribution name: the data knows it, nothing is 'guessed'."""
    found = lint(repo(conda("python=3.10", "pip", pip=(SERVER,)), script("import numpy")), rule="AML501")
    assert [f.message for f in found] == [
        "'numpy' is imported but the environment env/conda.yml does not install it: add 'numpy' to "
        "its pip list"]


def test_missing_import_mentions_declared_packages_with_unknown_dependencies(lint: LintFn) -> None:
    found = lint(repo(conda("python=3.10", "pip", pip=(SERVER, "zz-private-package==1.0")),
                      script("import lightgbm")), rule="AML501")
    assert len(found) == 1
    assert found[0].message.endswith(
        "add 'lightgbm' to its pip list, unless zz-private-package (whose dependencies aml-lint does "
        "not know) brings it")
    assert found[0].severity.label == "warning"  # it may: likely missing, not provably


def test_missing_import_is_an_error_when_every_dependency_is_known(lint: LintFn) -> None:
    found = lint(repo(conda("python=3.10", "pip", pip=(SERVER, "pandas==2.2.2")), script("import lightgbm")),
                 rule="AML501")
    assert [(f.severity.label, "unless" in f.message) for f in found] == [("error", False)]


def test_dockerfile_built_environment_is_not_judged_missing(tmp_path: Path) -> None:
    dep = DEPLOYMENT.replace(
        "  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest\n  conda_file: env/conda.yml\n",
        "  build:\n    path: docker\n")
    a = _analysis(tmp_path, {"deployment.yml": dep, "src/score.py": script("import lightgbm", "import numpy"),
                             "docker/Dockerfile": "FROM python:3.10-slim\nRUN pip install numpy==1.26.4\n"})
    assert {v.ref.module: v.status for v in a.verdicts} == {"lightgbm": iv.UNKNOWN, "numpy": iv.DIRECT}


# --------------------------------------------------------------------------- lines aml-lint cannot see into


@pytest.mark.parametrize("line", [
    "-e .", ".", ".[serving]", "./model_pkg", "git+https://github.com/org/repo.git@v1.2#subdirectory=pkg&egg=scorer",
    "https://example.org/wheels/scorer-1.0-py3-none-any.whl", "scorer @ https://example.org/scorer-1.0.tar.gz",
])
def test_import_a_local_or_url_package_may_provide_is_unknown_not_missing(lint: LintFn, tmp_path: Path,
                                                                           line: str) -> None:
    files = repo(conda("python=3.10", "pip", pip=(SERVER, line)), script("import scorer", "import lightgbm"))
    assert lint(files, rule="AML501") == []
    verdicts = {v.ref.module: v.status for v in _analysis(tmp_path, files).verdicts}
    named = "egg=scorer" in line or line.startswith("scorer @")
    assert verdicts == {"scorer": iv.DIRECT if named else iv.UNKNOWN, "lightgbm": iv.UNKNOWN}


def test_import_a_local_package_may_provide_from_a_requirements_file(lint: LintFn) -> None:
    files = repo(conda("python=3.10", "pip", pip=(SERVER, "-r requirements.txt")), script("import scorer"),
                 **{"env/requirements.txt": "numpy==1.26.4\n-e ../pkg\n"})
    assert lint(files, rule="AML501") == []
    # the same environment without the local package: the import is missing, and said so
    files["env/requirements.txt"] = "numpy==1.26.4\n"
    assert len(lint(files, rule="AML501")) == 1


def test_url_of_a_package_aml_lint_knows_hides_nothing(lint: LintFn) -> None:
    """'numpy @ <wheel URL>' names a package whose dependencies are known: a missing import stays missing."""
    found = lint(repo(conda("python=3.10", "pip", pip=(SERVER, "numpy @ https://example.org/numpy-1.26.4-cp310"
                                                       "-cp310-manylinux_2_17_x86_64.whl")),
                      script("import numpy", "import lightgbm")), rule="AML501")
    assert [f.line for f in found] == [2]


def test_egg_name_of_a_vcs_line_provides_its_import(tmp_path: Path) -> None:
    files = repo(conda("python=3.10", "pip", pip=(SERVER, "git+https://github.com/org/repo.git@main#egg=scorer")),
                 script("import scorer"))
    assert {v.ref.module: v.status for v in _analysis(tmp_path, files).verdicts} == {"scorer": iv.DIRECT}


def test_part_of_a_declared_metapackage_with_unknown_dependencies_is_unknown(tmp_path: Path, lint: LintFn) -> None:
    """'zzvault' (dependencies unknown) most likely brings 'zzvault-secrets': not missing."""
    files = repo(conda("python=3.10", "pip", pip=(SERVER, "zzvault")),
                 script("from zzvault_secrets import SecretClient", "import lightgbm"))
    assert {v.ref.module: v.status for v in _analysis(tmp_path, files).verdicts} == {
        "zzvault_secrets": iv.UNKNOWN, "lightgbm": iv.MISSING}
    assert [f.line for f in lint(files, rule="AML501")] == [2]


def test_fallback_import_after_a_relative_one_is_not_judged(lint: LintFn) -> None:
    # `from .features import f` works inside the package; `from features import f` runs only
    # when it fails (the script run as a file): a stand-in, not an import the image must provide.
    fallback = ["try:", "    from .features import build", "except ImportError:",
                "    from features import build"]
    found = lint(repo(conda("python=3.10", "pip", pip=(SERVER,)), script(*fallback),
                      **{"src/helpers/features.py": "def build():\n    pass\n"}), rule="AML501")
    assert found == []


def test_primary_import_of_a_try_is_still_judged(lint: LintFn) -> None:
    primary = ["try:", "    import ujson as json", "except ImportError:", "    import sklearn"]
    found = lint(repo(conda("python=3.10", "pip", pip=(SERVER,)), script(*primary)), rule="AML501")
    # ujson (the primary) is reported, guarded: a warning; sklearn (the stand-in) is not judged
    assert [(f.line, f.severity.label) for f in found] == [(2, "warning")]
    assert "'ujson'" in found[0].message


def test_setuptools_and_wheel_of_a_conda_pip_are_not_called_missing(lint: LintFn) -> None:
    # conda's pip has long depended on setuptools and wheel: `import pkg_resources` most likely works there.
    imports = ("import pkg_resources", "import setuptools", "import wheel", "import catboost")
    found = lint(repo(conda("python=3.10", "pip", pip=(SERVER,)), script(*imports)), rule="AML501")
    assert [(f.line, f.severity.label) for f in found] == [(4, "error")]
    # Without conda's pip (pip's own package list only), nothing says they are there.
    files = repo(conda("python=3.10", pip=(SERVER,)), script(*imports))
    assert [f.line for f in lint(files, rule="AML501")] == [1, 2, 3, 4]
