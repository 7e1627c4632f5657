"""AML214 inference-server-pins and AML215 numpy-2-abi."""

from __future__ import annotations

from lintkit import LintFn


def conda(*pip: str, python: str = "3.12") -> str:
    return "\n".join(["dependencies:", f"  - python={python}", "  - pip", "  - pip:",
                      *[f"      - {p}" for p in pip]]) + "\n"


def test_flask_pin_next_to_server(lint: LintFn) -> None:
    # server 1.5.1 requires flask~=3.1.0, and every flask 3.1 requires Jinja2>=3.1.2: pip cannot resolve
    found = lint({"conda.yml": conda("azureml-inference-server-http==1.5.1", "flask==2.2.5", "jinja2<3.1")},
                 rule="AML214")
    assert [(f.line, f.severity.label) for f in found] == [(6, "error"), (7, "error")]
    assert "'flask==2.2.5' excludes 'flask~=3.1.0', which azureml-inference-server-http 1.5.1 requires" \
        in found[0].message
    assert "'jinja2>=3.1.2' (through 'flask~=3.1.0')" in found[1].message


def test_pydantic_1_with_a_server_range_falls_back(lint: LintFn) -> None:
    # 1.0.0 still requires pydantic<1.11 (its METADATA): pip resolves by falling back to it
    found = lint({"requirements.txt": "azureml-inference-server-http>=1.0\npydantic<2\n"}, rule="AML214")
    assert [(f.line, f.severity.label) for f in found] == [(2, "warning")]
    assert "pip falls back to azureml-inference-server-http 1.0.0" in found[0].message
    # only releases that need pydantic 2: no resolution
    found = lint({"requirements.txt": "azureml-inference-server-http>=1.1\npydantic<2\n"}, rule="AML214")
    assert [(f.line, f.severity.label) for f in found] == [(2, "error")]
    assert "ResolutionImpossible" in found[0].message


def test_pydantic_1_with_a_pydantic_1_server_passes(lint: LintFn) -> None:
    for server in ("0.8.4", "1.0.0"):
        assert lint({"requirements.txt": f"azureml-inference-server-http=={server}\npydantic<2\n"},
                    rule="AML214") == []


def test_pins_without_server_or_unpinned_pass(lint: LintFn) -> None:
    assert lint({
        "train.yml": conda("flask==2.2.5", "pydantic<2"),
        "serve.yml": conda("azureml-inference-server-http==1.5.1", "flask", "scikit-learn==1.5.2"),
    }, rule="AML214") == []


def test_old_pandas_with_unpinned_numpy(lint: LintFn) -> None:
    found = lint({"conda.yml": conda("pandas==1.5.3", "scikit-learn==1.2.2", "numpy", python="3.10"),
                  "requirements.txt": "scipy<1.12\n"}, rule="AML215")
    assert sorted((f.path, f.line) for f in found) == [("conda.yml", 5), ("conda.yml", 6), ("requirements.txt", 1)]
    assert "numpy 2 support came in pandas 2.2.2" in found[0].message or "pandas" in found[1].message


def test_numpy_pinned_below_2_or_new_pins_pass(lint: LintFn) -> None:
    assert lint({
        "a.yml": conda("numpy==1.26.4", "pandas==1.5.3"),
        "b.yml": "dependencies:\n  - python=3.10\n  - numpy=1.26\n  - pip\n  - pip:\n      - pandas==1.5.3\n",
        "c.yml": conda("pandas==2.2.3", "scikit-learn>=1.2"),
        "requirements.txt": "numpy<2\nscipy==1.11.4\n",
    }, rule="AML215") == []


def test_server_from_before_flask_2(lint: LintFn) -> None:
    # azureml-defaults 1.33.0 pins flask==1.0.3 and nothing holds Jinja2 or itsdangerous back
    found = lint({"conda.yml": conda("azureml-defaults==1.33.0", "scikit-learn==0.24.2", python="3.7")},
                 rule="AML214")
    assert [(f.line, f.severity.label) for f in found] == [(5, "warning")]
    assert "installs Flask 1.0.3" in found[0].message and "'jinja2<3.1' and 'itsdangerous<2.1'" in found[0].message
    # 1.38.0 brings server 0.4.14, whose own pins (Jinja2<3.1, itsdangerous<2.0) make Flask 1.0.3 work
    assert lint({"conda.yml": conda("azureml-defaults==1.38.0", "scikit-learn==0.24.2", python="3.7")},
                rule="AML214") == []
    assert lint({"conda.yml": conda("azureml-defaults>=1.44", "azureml-inference-server-http~=0.8.4")},
                rule="AML214") == []


def test_context_of_includes_and_environments(lint: LintFn) -> None:
    files: dict[str, str | bytes] = {
        # numpy pinned in an included file: no numpy-2 warning on the old pandas pin
        "req/requirements.txt": "-r base.txt\npandas==1.5.3\nflask==2.2.5\n",
        "req/base.txt": "numpy<2\n",
        # the server comes from the Dockerfile of the environment that installs these requirements
        "env.yml": ("$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: e\n"
                    "build:\n  path: docker\n"),
        "docker/Dockerfile": ("FROM python:3.11-slim\nRUN pip install azureml-inference-server-http==1.5.1\n"
                              "COPY requirements.txt /tmp/\nRUN pip install -r /tmp/requirements.txt\n"),
        "docker/requirements.txt": "flask==2.2.5\npydantic<2\n",
    }
    assert lint(files, rule="AML215") == []
    found = lint(files, rule="AML214")
    assert sorted((f.path, f.line, f.severity.label) for f in found) == [
        ("docker/requirements.txt", 1, "error"), ("docker/requirements.txt", 2, "error")]
