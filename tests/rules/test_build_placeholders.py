"""Issue 12, classes N1 and N2: build placeholders and shell syntax in pip lines are not requirements.

N1: `azureml-core=={{latest-pypi-version}}` in a requirements file, a conda `pip:` list or a
Dockerfile `RUN pip install` is filled in by a build step: no AML203, the package stays declared
(an import of it is not "missing") and its unknown version conflicts with nothing.
N2: redirections and `||` after `pip install` in a RUN line end the pip arguments.
"""

from __future__ import annotations

from lintkit import CONDA_ONLINE_DEPLOYMENT as DEPLOYMENT
from lintkit import LintFn

SCRIPT = "import azureml.core\nimport sklearn\n\ndef init():\n    pass\n\ndef run(data):\n    return data\n"


def _rules(found: list, *rules: str) -> list[tuple[str, str, int]]:
    return [(f.rule_id, f.path, f.line) for f in found if f.rule_id in rules]


def test_placeholder_version_in_requirements_file_is_not_an_invalid_requirement(lint: LintFn) -> None:
    found = lint({"requirements.txt": "azureml-core=={{latest-pypi-version}}\n"
                                      "azureml-metrics[image]~={{ latest-pypi-version }}\n"
                                      "pandas=2.2.2\n"}, rule="AML203")
    assert [f.line for f in found] == [3]  # the true mistake is still an error
    assert "pandas=2.2.2" in found[0].message


def test_placeholder_in_dockerfile_pip_install(lint: LintFn) -> None:
    found = lint({"env/Dockerfile": ("FROM mcr.microsoft.com/azureml/minimal-py311-inference:20240101.v1\n"
                                     "RUN pip install azureml-core=={{latest-pypi-version}} \\\n"
                                     "    azureml-mlflow=={{ latest-pypi-version }}\n"
                                     "RUN pip install numpy=1.26.4\n")}, rule="AML203")
    assert [f.line for f in found] == [4]


def test_placeholder_package_is_declared_not_missing_and_conflicts_with_nothing(lint: LintFn) -> None:
    conda = ("dependencies:\n  - python=3.10\n  - pip\n  - pip:\n"
             "    - azureml-inference-server-http=={{latest-pypi-version}}\n"
             "    - azureml-core=={{latest-pypi-version}}\n"
             "    - scikit-learn=={{latest-pypi-version}}\n")
    found = lint({"deployment.yml": DEPLOYMENT, "env/conda.yml": conda, "src/score.py": SCRIPT})
    assert _rules(found, "AML203", "AML211", "AML214", "AML501", "AML502", "AML504") == []
    assert not [f for f in found if f.severity.label == "error"]
    # the same environment without the placeholder package: the import is missing
    found = lint({"env/conda.yml": conda.replace("    - scikit-learn=={{latest-pypi-version}}\n", "")},
                 rule="AML501")
    assert [(f.path, f.line) for f in found] == [("src/score.py", 2)]


def test_placeholder_in_place_of_the_package_makes_imports_unknown_not_missing(lint: LintFn) -> None:
    conda = ("dependencies:\n  - python=3.10\n  - pip\n  - pip:\n"
             "    - azureml-inference-server-http\n    - azureml-core\n    - '{{ extra_package }}'\n")
    found = lint({"deployment.yml": DEPLOYMENT, "env/conda.yml": conda, "src/score.py": SCRIPT})
    assert _rules(found, "AML203", "AML501") == []


def test_placeholder_version_and_conda_pin_are_not_a_conflict(lint: LintFn) -> None:
    conda = ("dependencies:\n  - python=3.10\n  - numpy=1.26\n  - pip\n  - pip:\n"
             "    - numpy=={{latest-pypi-version}}\n    - pandas==2.2.2\n  - pandas=1.5\n")
    found = lint({"env/conda.yml": conda}, rule="AML211")
    assert [f.line for f in found] == [7]  # pandas==2.2.2 vs pandas=1.5 is still reported


def test_shell_redirections_and_or_end_the_pip_arguments(lint: LintFn) -> None:
    found = lint({"env/Dockerfile": (
        "FROM mcr.microsoft.com/azureml/minimal-py311-inference:20240101.v1\n"
        "RUN python -m pip install --upgrade pip==24.2 2>/dev/null || true\n"
        "RUN pip install numpy==1.26.4 > /tmp/pip.log 2>&1 && echo done\n"
        "RUN pip install pandas==2.2.2 &>/dev/null; pip install scipy==1.13.1 >> log\n"
        "RUN pip install -r /tmp/r.txt < /dev/null | tee out\n"
        "RUN pip install requests=2.32.3 2>/dev/null\n")}, rule="AML203")
    assert [(f.line, f.message.split("'")[1]) for f in found] == [(6, "requests=2.32.3")]


def test_redirections_are_not_packages(lint: LintFn) -> None:
    from aml_lint.documents.dockerfile import read_dockerfile

    df = read_dockerfile("FROM x\nRUN pip install a==1 2>/dev/null b==2 >log || pip install c 2>&1\n", "Dockerfile")
    assert [line.text for line in df.pip_installs()] == ["a==1", "b==2", "c"]
