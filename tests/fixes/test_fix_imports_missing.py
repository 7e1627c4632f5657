"""AML501's fix: the missing package appended, pinned to the newest release the environment's
Python installs (bundled data), to the pip list, a new pip list, or the requirements file."""

from __future__ import annotations

from pathlib import Path

import pytest
from rule_fixkit import no_fix, roundtrip

from lintkit import CONDA_ONLINE_DEPLOYMENT

DEPLOY = {"deploy.yml": CONDA_ONLINE_DEPLOYMENT}
SCRIPT = ("# scorer\r\nimport json\r\nimport sklearn  # the model\r\n\r\n\r\n"
          "def init():\r\n\tpass\r\n\r\n\r\ndef run(data):\r\n\treturn json.dumps(data)\r\n")


def files(conda: str, **more: str) -> dict[str, str]:
    return {**DEPLOY, "env/conda.yml": conda, "src/score.py": SCRIPT, **more}


def test_appended_to_the_pip_list_with_its_quoting(tmp_path: Path) -> None:
    conda = ("name: scorer\r\n"
             "dependencies:\r\n"
             "- python=3.12   # pinned\r\n"
             "- pip=24.2\r\n"
             "- pip:\r\n"
             "  - 'azureml-inference-server-http==1.5.1'\t# server\r\n"
             "  # a comment after the list\r\n"
             "channels: [conda-forge]\r\n")
    fixed = conda.replace("# server\r\n", "# server\r\n  - 'scikit-learn==1.9.1'\r\n")
    found = roundtrip(tmp_path, files(conda), "AML501", {"env/conda.yml": fixed}, safe=True)
    fix = next(f.fix for f in found if f.rule_id == "AML501" and f.fix)
    assert fix.description == "add 'scikit-learn==1.9.1' to env/conda.yml"


def test_pip_list_created_after_the_conda_dependencies(tmp_path: Path) -> None:
    conda = ("dependencies:\n"
             "    - python=3.10\n"
             "    - conda-forge::azureml-inference-server-http=1.5.1  # from conda\n")
    fixed = conda + "    - pip\n    - pip:\n        - scikit-learn==1.7.2\n"
    roundtrip(tmp_path, files(conda), "AML501", {"env/conda.yml": fixed}, safe=True)


def test_requirements_file_included_by_the_pip_list(tmp_path: Path) -> None:
    conda = "dependencies:\n  - python=3.10\n  - pip\n  - pip:\n    - -r requirements.txt\n"
    reqs = "azureml-inference-server-http==1.5.1\r\n# end"
    roundtrip(tmp_path, files(conda, **{"env/requirements.txt": reqs}), "AML501",
              {"env/requirements.txt": reqs + "\r\nscikit-learn==1.7.2\r\n"}, safe=True)


@pytest.mark.parametrize("conda, script", [
    # no Python pin: which release installs is unknown
    ("dependencies:\n  - pip\n  - pip:\n    - azureml-inference-server-http\n", SCRIPT),
    # the bundled release data do not hold the package: no guessed pin
    ("dependencies:\n  - python=3.10\n  - pip\n  - pip:\n    - azureml-inference-server-http\n",
     SCRIPT.replace("import sklearn", "import yaml")),
    # a flow-style pip list
    ("dependencies: [python=3.10, pip, {pip: [azureml-inference-server-http]}]\n", SCRIPT),
])
def test_no_fix_when_not_certain(tmp_path: Path, conda: str, script: str) -> None:
    no_fix(tmp_path, {**files(conda), "src/score.py": script}, "AML501")


def test_guarded_import_gets_no_fix(tmp_path: Path) -> None:
    conda = "dependencies:\n  - python=3.10\n  - pip\n  - pip:\n    - azureml-inference-server-http\n"
    script = SCRIPT.replace("import sklearn  # the model", "try:\r\n\timport sklearn\r\nexcept ImportError:\r\n\tpass")
    no_fix(tmp_path, {**files(conda), "src/score.py": script}, "AML501")
