"""AML205 pip-not-listed and the Python pin rules AML206-AML209 (one file: they share fixtures)."""

from __future__ import annotations

from lintkit import ENV_BUILDS_DOCKERFILE, LintFn


def conda(*deps: str, pip: tuple[str, ...] = ()) -> str:
    lines = ["channels: [conda-forge]", "dependencies:", *[f"  - {d}" for d in deps]]
    if pip:
        lines += ["  - pip:", *[f"      - {p}" for p in pip]]
    return "\n".join(lines) + "\n"


def test_pip_list_without_pip(lint: LintFn) -> None:
    found = lint({"conda.yml": conda("python=3.11", pip=("azureml-inference-server-http",))}, rule="AML205")
    assert [(f.line, f.severity.label) for f in found] == [(4, "info")]  # conda adds pip itself
    assert "'- pip=24.2'" in found[0].message


def test_pip_listed_passes(lint: LintFn) -> None:
    assert lint({"conda.yml": conda("python=3.11", "pip=24.2", pip=("numpy",))}, rule="AML205") == []


def test_python_missing(lint: LintFn) -> None:
    found = lint({"conda.yml": conda("pip", pip=("numpy",))}, rule="AML206")
    assert [(f.line, f.severity.label) for f in found] == [(2, "warning")]
    assert "does not pin Python" in found[0].message


def test_python_without_version(lint: LintFn) -> None:
    found = lint({"conda.yml": conda("python", "pip")}, rule="AML206")
    assert [f.line for f in found] == [3]
    assert "'python' does not pin a version" in found[0].message


def test_python_pinned_passes(lint: LintFn) -> None:
    assert lint({"conda.yml": conda("python=3.12", "pip")}, rule="AML206") == []


def test_python_twice(lint: LintFn) -> None:
    found = lint({"conda.yml": conda("python=3.10", "numpy=1.26", "python=3.11")}, rule="AML207")
    assert [(f.line, f.severity.label) for f in found] == [(5, "error")]
    assert "'python=3.11'" in found[0].message and "line 3" in found[0].message


def test_python_once_passes(lint: LintFn) -> None:
    assert lint({"conda.yml": conda("python=3.11", "numpy=1.26")}, rule="AML207") == []


def test_end_of_life_python(lint: LintFn) -> None:
    found = lint({"conda.yml": conda("python=3.8.5", "pip"),
                  "Dockerfile": "FROM python:3.7-slim\nRUN pip install numpy==1.21.6\n",
                  "docker-env.yml": ENV_BUILDS_DOCKERFILE,
                  "env.yml": "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\n"
                             "name: e\nimage: docker.io/python:3.9.18\n"}, rule="AML208")
    assert sorted((f.path, f.line) for f in found) == [("Dockerfile", 1), ("conda.yml", 3), ("env.yml", 3)]
    by_path = {f.path: f.message for f in found}
    assert "Python 3.8 reached end of life on 2024-10-07" in by_path["conda.yml"]
    assert "Python 3.7 reached end of life on 2023-06-27" in by_path["Dockerfile"]


def test_supported_python_passes(lint: LintFn) -> None:
    assert lint({"conda.yml": conda("python=3.12", "pip"),
                 "Dockerfile": "FROM python:3.12-slim\n",
                 "other.yml": conda("python>=3.8", "pip")}, rule="AML208") == []


def test_python_313_with_inference_server(lint: LintFn) -> None:
    # 1.5.1 installs on 3.13 (Requires-Python >=3.9) but its classifiers stop at 3.12: untested, a warning
    found = lint({"conda.yml": conda("python=3.13", "pip", pip=("azureml-inference-server-http==1.5.1",))},
                 rule="AML209")
    assert [(f.line, f.severity.label) for f in found] == [(3, "warning")]
    assert "Python 3.13" in found[0].message and "(3.9–3.12)" in found[0].message


def test_python_38_with_server_14(lint: LintFn) -> None:
    found = lint({"conda.yml": conda("python=3.8", "pip", pip=("azureml-inference-server-http>=1.4.0",))},
                 rule="AML209")
    assert [f.severity.label for f in found] == ["error"]
    assert "no release of 'azureml-inference-server-http>=1.4.0' installs on Python 3.8.20: it requires " \
        "Python >=3.9" in found[0].message


def test_unpinned_server_with_313(lint: LintFn) -> None:
    found = lint({"conda.yml": conda("python=3.13", "pip", pip=("azureml-inference-server-http",))},
                 rule="AML209")
    assert [f.severity.label for f in found] == ["warning"]
    assert "azureml-inference-server-http 1.5.1 declares (3.9–3.12)" in found[0].message


def test_supported_combinations_pass(lint: LintFn) -> None:
    assert lint({
        "a.yml": conda("python=3.12", "pip", pip=("azureml-inference-server-http==1.5.1",)),
        "b.yml": conda("python=3.8", "pip", pip=("azureml-inference-server-http",)),
        "c.yml": conda("python=3.13", "pip", pip=("numpy",)),
    }, rule="AML209") == []
