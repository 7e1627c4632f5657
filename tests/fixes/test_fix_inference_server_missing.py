"""AML212's fix: azureml-inference-server-http added, pinned to a release for the env's Python."""

from __future__ import annotations

from pathlib import Path

import pytest
from rule_fixkit import no_fix, roundtrip

from lintkit import CONDA_ONLINE_DEPLOYMENT

SCRIPT = "def init():\r\n\tpass\r\n\r\n\r\ndef run(data):\r\n\treturn data\r\n"
DEPLOY = CONDA_ONLINE_DEPLOYMENT.replace(":latest", ":20250601.v1")


def files(conda: str) -> dict[str, str]:
    return {"deploy.yml": DEPLOY, "env/conda.yml": conda, "src/score.py": SCRIPT}


@pytest.mark.parametrize("python, server", [("3.12", "1.5.1"), ("3.8", "1.3.4")])
def test_added_to_the_pip_list(tmp_path: Path, python: str, server: str) -> None:
    conda = ("name: scorer   # env\r\n"
             "dependencies:\r\n"
             f"  - python={python}\r\n"
             "  - pip\r\n"
             "  - pip:\r\n"
             "      #\ttabs in comments are fine\r\n"
             "      - \"joblib\"\r\n")
    fixed = conda + f"      - \"azureml-inference-server-http=={server}\"\r\n"
    roundtrip(tmp_path, files(conda), "AML212", {"env/conda.yml": fixed}, safe=True)


def test_pip_list_created(tmp_path: Path) -> None:
    conda = "channels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - scikit-learn  # conda\n# end\n"
    fixed = conda.replace("# conda\n", "# conda\n  - pip\n  - pip:\n      - azureml-inference-server-http==1.5.1\n")
    roundtrip(tmp_path, files(conda), "AML212", {"env/conda.yml": fixed}, safe=True)


def test_a_pin_the_newest_server_refuses_picks_an_older_one(tmp_path: Path) -> None:
    conda = "dependencies:\n  - python=3.10\n  - pip\n  - pip:\n    - flask==2.2.5\n"  # 1.4 needs flask 3
    roundtrip(tmp_path, files(conda), "AML212", {"env/conda.yml": conda + "    - azureml-inference-server-http==1.3.4\n"})


def test_unpinned_python_gets_no_fix(tmp_path: Path) -> None:
    no_fix(tmp_path, files("dependencies:\n  - python\n  - pip\n  - pip:\n    - joblib\n"), "AML212")


def test_python_no_release_declares_gets_the_newest_that_installs(tmp_path: Path) -> None:
    conda = "dependencies:\n  - python=3.13\n  - pip\n  - pip:\n    - joblib\n"
    found = roundtrip(tmp_path, files(conda), "AML212",
                      {"env/conda.yml": conda + "    - azureml-inference-server-http==1.5.1\n"},
                      safe=True, allow=("AML209",))  # untested on 3.13: a warning, not a failed start
    assert "AML209" not in {f.rule_id for f in found}
