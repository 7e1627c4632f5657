from __future__ import annotations

from lintkit import LintFn

RULE = "AML204"
DEPLOYMENT = """
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: blue
endpoint_name: my-endpoint
environment:
  image: mcr.microsoft.com/azureml/minimal-py312-inference:20250601.v1
  conda_file: env/conda.yml
instance_type: Standard_DS3_v2
instance_count: 1
"""


def test_missing_include_in_requirements_file(lint: LintFn) -> None:
    found = lint({"src/requirements.txt": "numpy==1.26.4\n-r requirements-base.txt\n"}, rule=RULE)
    assert len(found) == 1
    assert (found[0].path, found[0].line, found[0].severity.label) == ("src/requirements.txt", 2, "error")
    assert "'requirements-base.txt' does not exist" in found[0].message


def test_missing_include_in_conda_pip_list(lint: LintFn) -> None:
    found = lint({"env/conda.yml": """
        dependencies:
          - python=3.11
          - pip
          - pip:
              - -r reqs/missing.txt
    """}, rule=RULE)
    assert [(f.line, f.severity.label) for f in found] == [(5, "error")]
    assert "reqs/missing.txt" in found[0].message


def test_existing_include_in_conda_used_by_azureml_warns(lint: LintFn) -> None:
    found = lint({
        "dep.yml": DEPLOYMENT,
        "env/conda.yml": "dependencies:\n  - python=3.11\n  - pip\n  - pip:\n      - -r requirements.txt\n",
        "env/requirements.txt": "numpy==1.26.4\n",
    }, rule=RULE)
    assert [(f.path, f.line, f.severity.label) for f in found] == [("env/conda.yml", 5, "warning")]
    assert "not uploaded" in found[0].message


def test_existing_includes_pass(lint: LintFn) -> None:
    assert lint({
        "requirements.txt": "-r requirements/base.txt\n-c constraints.txt\n",
        "requirements/base.txt": "numpy==1.26.4\n",
        "constraints.txt": "numpy<2\n",
        "conda.yml": "dependencies:\n  - python=3.11\n  - pip\n  - pip:\n      - -r requirements.txt\n",
    }, rule=RULE) == []


def test_generated_absolute_and_placeholder_includes_are_not_errors(lint: LintFn) -> None:
    found = lint({
        "requirements.txt": ("-r requirements/locked.txt\n-r /home/me/base.txt\n-r {{ extra_requirements }}\n"
                             "-c constraints-dev.txt\n-r requirements/bsae.txt\n"),
        "requirements/base.txt": "numpy==1.26.4\n",
        ".gitignore": "requirements/locked.txt\n",  # pip-compile writes it in CI
    }, rule=RULE)
    # Line 2 names a file inside an image (absolute), line 3 is filled in later: neither is checked.
    assert [(f.line, f.severity.label) for f in found] == [(1, "warning"), (4, "error"), (5, "error")]
    assert ".gitignore ignores it" in found[0].message
    assert "did you mean 'requirements/base.txt'?" in found[2].message
