from __future__ import annotations

import pytest

from lintkit import SCRIPT_ONLINE_DEPLOYMENT as ONLINE
from lintkit import LintFn

RULE = "AML302"



def _script(body: str, imports: str = "import os, subprocess, sys") -> str:
    lines = "\n".join("    " + line for line in body.strip().splitlines())
    return f"{imports}\n\ndef init():\n{lines}\n\ndef run(data):\n    return data\n"


def test_docstring_example_fails(lint: LintFn) -> None:
    found = lint({"src/score.py": """
        import subprocess, sys

        def init():
            subprocess.check_call([sys.executable, "-m", "pip", "install", "lightgbm"])

        def run(data):
            return data
    """}, rule=RULE)
    assert len(found) == 1
    assert (found[0].path, found[0].line, found[0].col) == ("src/score.py", 4, 5)
    assert "'python -m pip install'" in found[0].message and "score.py" in found[0].message
    assert "declare the package" in found[0].message


def test_docstring_example_passes(lint: LintFn) -> None:
    files = {
        "deploy.yml": ONLINE.replace("azureml:my-env:1", "\n  image: mcr.microsoft.com/azureml/minimal-py311-inference:20250101.v1\n  conda_file: conda.yml"),
        "conda.yml": "dependencies:\n  - python=3.11\n  - pip\n  - pip:\n      - lightgbm==4.5.0\n",
        "src/score.py": "import lightgbm\n\ndef init():\n    pass\n\ndef run(data):\n    return data\n",
    }
    assert lint(files, rule=RULE, select=RULE) == []


def test_related_points_at_the_environment_files(lint: LintFn) -> None:
    files = {
        "deploy.yml": ONLINE.replace("azureml:my-env:1", "\n  image: mcr.microsoft.com/azureml/minimal-py311-inference:20250101.v1\n  conda_file: conda.yml"),
        "conda.yml": "dependencies:\n  - python=3.11\n  - pip\n",
        "src/score.py": "import os\n\ndef init():\n    os.system('pip install lightgbm')\n\ndef run(data):\n    return data\n",
    }
    found = lint(files, rule=RULE, select=RULE)
    assert len(found) == 1 and found[0].related == ("conda.yml",)


@pytest.mark.parametrize(("body", "imports", "what"), [
    ('os.system("pip install lightgbm==4.5.0")', "import os", "pip install"),
    ('os.popen("pip3 install -q xgboost").read()', "import os", "pip3 install"),
    ('subprocess.run("apt-get update && apt-get install -y libgomp1", shell=True)', "import subprocess",
     "apt-get install"),
    ('subprocess.call(["conda", "install", "-y", "-c", "conda-forge", "lightgbm"])', "import subprocess",
     "conda install"),
    ('subprocess.Popen(["mamba", "install", "numpy"])', "import subprocess", "mamba install"),
    ('subprocess.check_output(["micromamba", "install", "-y", "numpy"])', "import subprocess",
     "micromamba install"),
    ('subprocess.run(["uv", "pip", "install", "torch"])', "import subprocess", "uv pip install"),
    ('subprocess.run(["yum", "install", "-y", "gcc"])', "import subprocess", "yum install"),
    ('subprocess.run(["apt", "install", "-y", "ffmpeg"])', "import subprocess", "apt install"),
    ('sp.check_call(f"{sys.executable} -m pip install {pkg}", shell=True)', "import subprocess as sp, sys",
     "python -m pip install"),
    ('system("pip install " + name)', "from os import system", "pip install"),
    ('check_call(["pip", "install"] + packages)', "from subprocess import check_call", "pip install"),
    ('subprocess.run(["bash", "-c", "pip install torch"])', "import subprocess", "pip install"),
    ('subprocess.run(["/opt/conda/bin/python3.11", "-m", "pip", "install", "x"])', "import subprocess",
     "python -m pip install"),
    ('pip.main(["install", "scikit-learn"])', "import pip", "pip.main(['install', ...])"),
    ('cmd = "pip install -r requirements.txt"\nos.system(cmd)', "import os", "pip install"),
    ('subprocess.call("pip install xgboost".split(" "))', "import subprocess", "pip install"),
    ('subprocess.call(f"{sys.executable} -m pip install x".split())', "import subprocess, sys",
     "python -m pip install"),
    ('subprocess.run(shlex.split("conda env update -f env.yml"))', "import subprocess, shlex",
     "conda env update"),
])
def test_install_forms(lint: LintFn, body: str, imports: str, what: str) -> None:
    found = lint({"src/score.py": _script(body, imports)}, rule=RULE)
    assert len(found) == 1, (body, found)
    assert f"'{what}'" in found[0].message
    assert found[0].line >= 4


def test_pip_internal_import_and_call(lint: LintFn) -> None:
    found = lint({"src/score.py": _script('pipmain(["install", "torch"])',
                                          "from pip._internal.cli.main import main as pipmain")}, rule=RULE)
    assert len(found) == 1 and found[0].line == 4
    assert "pip._internal.cli.main.main" in found[0].message
    found = lint({"src/score.py": _script("pass", "from pip import _internal")}, rule=RULE)
    assert len(found) == 1 and found[0].line == 1 and "pip._internal" in found[0].message


@pytest.mark.parametrize("body", [
    'subprocess.run(["nvidia-smi"], stdout=subprocess.PIPE)',
    'os.system("pip list")',
    'subprocess.run(["pip", "freeze"])',
    'pip.main(["list"])',
    'subprocess.run(["conda", "list"])',
    'print("run pip install lightgbm to use this")',
    'os.system(command)',
])
def test_benign_commands_pass(lint: LintFn, body: str) -> None:
    assert lint({"src/score.py": _script(body, "import os, subprocess, pip")}, rule=RULE) == []


def test_install_in_imported_local_module(lint: LintFn) -> None:
    found = lint({
        "deploy.yml": ONLINE,
        "src/score.py": "import setup_deps\n\ndef init():\n    setup_deps.ensure()\n\ndef run(data):\n    return data\n",
        "src/setup_deps.py": "import os\n\n\ndef ensure():\n    os.system('pip install lightgbm')\n",
    }, rule=RULE)
    assert len(found) == 1
    assert (found[0].path, found[0].line) == ("src/setup_deps.py", 5)
    assert "setup_deps.py, a module imported by the scoring script score.py" in found[0].message
    assert found[0].related == ("src/score.py",)


def test_module_not_imported_by_a_scoring_script_is_not_checked(lint: LintFn) -> None:
    assert lint({"tools/setup_dev.py": "import os\nos.system('pip install -e .')\n"}, rule=RULE) == []


def test_changed_module_alone_is_reported(lint: LintFn) -> None:
    files = {
        "deploy.yml": ONLINE,
        "src/score.py": "import setup_deps\n\ndef init():\n    setup_deps.ensure()\n\ndef run(data):\n    return data\n",
        "src/setup_deps.py": "import subprocess\n\n\ndef ensure():\n    subprocess.run(['pip', 'install', 'x'])\n",
    }
    found = lint(files, rule=RULE, changed_files=frozenset({"src/setup_deps.py"}))
    assert [(f.path, f.line) for f in found] == [("src/setup_deps.py", 5)]


def test_pip_internal_helpers_that_do_not_install_pass(lint: LintFn) -> None:
    script = _script("names = [d.canonical_name for d in get_default_environment().iter_installed_distributions()]",
                     "from pip._internal.metadata import get_default_environment")
    assert lint({"src/score.py": script}, rule=RULE) == []
    script = _script("InstallCommand('install', 'x').main(['lightgbm'])",
                     "from pip._internal.commands.install import InstallCommand")
    found = lint({"src/score.py": script}, rule=RULE)
    assert len(found) == 1 and found[0].line == 4 and "InstallCommand" in found[0].message
