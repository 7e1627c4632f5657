"""AML302's fix (unsafe, two files): the run-time 'pip install' removed from the scoring script and
its packages declared in the deployment's environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from rule_fixkit import no_fix, roundtrip

from lintkit import CONDA_ONLINE_DEPLOYMENT, SCRIPT_ONLINE_DEPLOYMENT

CONDA = ("# env\r\n"
         "dependencies:\r\n"
         "  - python=3.11\r\n"
         "  - pip=24.2\r\n"
         "  - pip:\r\n"
         "    - \"azureml-inference-server-http==1.5.1\"   # server\r\n")
SCRIPT = ("import os\r\n"
          "import subprocess\r\n"
          "import sys\r\n"
          "\r\n"
          "\r\n"
          "def init():\r\n"
          "\t# install what the model needs\r\n"
          "\t{call}\r\n"
          "\tos.environ['X'] = '1'\r\n"
          "\r\n"
          "\r\n"
          "def run(data):\r\n"
          "\treturn data\r\n")


def files(call: str, conda: str = CONDA) -> dict[str, str]:
    return {"deploy.yml": CONDA_ONLINE_DEPLOYMENT, "env/conda.yml": conda, "src/score.py": SCRIPT.format(call=call)}


@pytest.mark.parametrize("call, added", [
    ('subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "lightgbm==4.5.0"])',
     ["lightgbm==4.5.0"]),
    ("os.system('pip install -U lightgbm joblib')  # at start", ["lightgbm", "joblib"]),
])
def test_removed_and_declared(tmp_path: Path, call: str, added: list[str]) -> None:
    script = SCRIPT.format(call=call).replace(f"\t{call}\r\n", "")
    conda = CONDA + "".join(f"    - \"{p}\"\r\n" for p in added)
    roundtrip(tmp_path, files(call), "AML302", {"src/score.py": script, "env/conda.yml": conda}, safe=False)


def test_already_declared_is_only_removed_and_a_lone_statement_becomes_pass(tmp_path: Path) -> None:
    call = "subprocess.run(['pip', 'install', 'azureml-inference-server-http==1.5.1'])"
    source = files(call)
    source["src/score.py"] = source["src/score.py"].replace("\tos.environ['X'] = '1'\r\n", "")
    fixed = source["src/score.py"].replace(f"\t{call}\r\n", "\tpass\r\n")
    roundtrip(tmp_path, source, "AML302", {"src/score.py": fixed}, safe=False)


@pytest.mark.parametrize("call", [
    "subprocess.check_call(['pip', 'install', '-r', 'requirements.txt'])",  # a file: its contents unknown
    "subprocess.check_call(['pip', 'install', '--index-url', 'https://x/simple', 'lightgbm'])",
    "subprocess.check_call(['pip', 'install', PACKAGE])",  # a name aml-lint cannot read
    "x = subprocess.check_call(['pip', 'install', 'lightgbm'])",  # the result is used
    "os.system('pip install lightgbm && echo done')",
])
def test_no_fix(tmp_path: Path, call: str) -> None:
    no_fix(tmp_path, files(call), "AML302")


def test_registered_environment_gets_no_fix(tmp_path: Path) -> None:
    no_fix(tmp_path, {"deploy.yml": SCRIPT_ONLINE_DEPLOYMENT.lstrip("\n"),
                      "src/score.py": SCRIPT.format(call="os.system('pip install lightgbm')")}, "AML302")
