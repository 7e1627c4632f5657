from __future__ import annotations

import pytest

from lintkit import LintFn

RULE = "AML203"
# A Dockerfile is checked when an AzureML environment builds it.
BUILD_ENV = ("$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\n"
             "name: e\nbuild:\n  path: .\n")


def test_pip_line_with_single_equals_in_conda_file(lint: LintFn) -> None:
    found = lint({"conda.yml": """
        dependencies:
          - python=3.11
          - pip
          - pip:
              - numpy=1.26.4
    """}, rule=RULE)
    assert len(found) == 1
    assert found[0].line == 5
    assert "numpy=1.26.4" in found[0].message and "'numpy==1.26.4'" in found[0].message


def test_invalid_line_in_requirements_and_dockerfile(lint: LintFn) -> None:
    found = lint({
        "requirements.txt": "pandas==2.2.2\nscikit-learn>>1.4\n",
        "Dockerfile": "FROM python:3.12\nRUN pip install 'torch=>2'\n", "env.yml": BUILD_ENV,
    }, rule=RULE)
    assert sorted((f.path, f.line) for f in found) == [("Dockerfile", 2), ("requirements.txt", 2)]
    assert all("invalid pip requirement" in f.message for f in found)
    assert "==" not in next(f.message for f in found if f.path == "Dockerfile")  # '=>' is no '=' pin


def test_invalid_conda_match_spec(lint: LintFn) -> None:
    found = lint({"env/conda.yml": """
        dependencies:
          - python=3.11
          - 3.8
          - numpy==>1.2
    """}, rule=RULE)
    assert [(f.line, "invalid conda match spec" in f.message) for f in found] == [(3, True), (4, True)]


def test_inline_conda_file_in_deployment(lint: LintFn) -> None:
    found = lint({"dep.yml": """
        $schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
        name: blue
        endpoint_name: my-endpoint
        environment:
          image: mcr.microsoft.com/azureml/minimal-py312-inference:20250601.v1
          conda_file:
            dependencies:
              - python=3.11
              - pip
              - pip:
                  - flask=3
        instance_type: Standard_DS3_v2
        instance_count: 1
    """}, rule=RULE)
    assert [(f.path, f.line) for f in found] == [("dep.yml", 11)]


def test_valid_lines_pass(lint: LintFn) -> None:
    assert lint({
        "conda.yml": """
            channels: [conda-forge]
            dependencies:
              - python=3.11
              - numpy>=1.26,<2
              - conda-forge::pandas 2.2.2 py311_0
              - pip
              - pip:
                  - numpy==1.26.4
                  - -r requirements.txt
                  - git+https://github.com/org/pkg.git@v1
                  - azureml-inference-server-http~=1.4 ; python_version >= "3.9"
        """,
        "requirements.txt": "# comment\n--extra-index-url https://example.org/simple\nrequests[socks]>=2.31\n",
        "Dockerfile": "FROM python:3.12\nRUN pip install --no-cache-dir numpy==1.26.4 'pandas>=2' $EXTRA \"${PKG}\"\n",
        "env.yml": BUILD_ENV,
        "requirements-private.txt": "${PRIVATE_PACKAGE}\n",
    }, rule=RULE) == []


# --------------------------------------------------------------------------- pip's own line forms


PIP_FORMS = [
    ".", "-e .", ".[train]", "./pkg", "../libs/common[extra]", "/opt/wheels/pkg-1.0-py3-none-any.whl",
    "wheels/pkg-1.0.tar.gz", "git+https://github.com/org/repo.git@v1.2#subdirectory=pkg&egg=pkg",
    "-e git+https://github.com/org/repo.git@main#egg=pkg", "https://example.org/pkg-1.0-py3-none-any.whl",
    "pkg @ https://example.org/pkg-1.0.tar.gz", "pkg[extra] @ git+https://github.com/org/repo.git@v1",
    "--index-url https://example.org/simple", "--extra-index-url=https://example.org/simple",
    "-f https://download.pytorch.org/whl/torch_stable.html", "--pre", "--no-binary :all:",
    "--only-binary=:all:", "--trusted-host example.org", "-c constraints.txt", "-r base.txt",
    "numpy==1.26.4 --hash=sha256:aaaa --hash=sha256:bbbb",
]


@pytest.mark.parametrize("line", PIP_FORMS)
def test_pip_forms_are_valid_in_requirements_files_and_pip_lists(lint: LintFn, line: str) -> None:
    assert lint({"requirements.txt": f"pandas==2.2.2\n{line}\n",
                 "conda.yml": f"dependencies:\n  - python=3.11\n  - pip\n  - pip:\n    - \"{line}\"\n"},
                rule=RULE) == []
    # the true case beside it is still reported
    found = lint({"requirements.txt": f"{line}\npandas=2.2.2\n"}, rule=RULE)
    assert [(f.line, "pandas=2.2.2" in f.message) for f in found] == [(2, True)]


def test_install_of_the_build_context_in_a_dockerfile(lint: LintFn) -> None:
    assert lint({"Dockerfile": "FROM python:3.11\nCOPY . /src\nWORKDIR /src\nRUN pip install .\n"
                               "RUN pip install -e .[train] ./extra\n", "env.yml": BUILD_ENV}, rule=RULE) == []
    found = lint({"Dockerfile": "FROM python:3.11\nRUN pip install . 'torch=>2'\n", "env.yml": BUILD_ENV},
                 rule=RULE)
    assert [f.line for f in found] == [2]


def test_hash_options_are_not_quoted_in_messages(lint: LintFn) -> None:
    found = lint({"requirements.txt": "pandas=2.2.2 \\\n    --hash=sha256:0123456789abcdef \\\n"
                                      "    --hash=sha256:fedcba9876543210\n"}, rule=RULE)
    assert len(found) == 1
    assert found[0].message.startswith("invalid pip requirement 'pandas=2.2.2':")
    assert "sha256" not in found[0].message


# --------------------------------------------------------------------------- a file pip cannot read at all


@pytest.mark.parametrize(("text", "shape"), [
    ("'jsonpickle',\n'mlflow==2.3.1',\n'scikit-learn>=0.24.0',\n'Pillow==9.4.0'\n", "is written as a Python list"),
    ('[\n  "numpy==1.26.4",\n  "pandas"\n]\n', "is written as a Python list"),
    ('{"dependencies": ["numpy", "pandas"]}\n', "is JSON"),
    ("numpy=1.21.2=py38h6c91a56_0\npandas=1.3.0=py38h8c16a72_0\n", "is a conda package list"),
    ('"""\nDependencies of the app.\n"""\nnumpy\npandas\n', "wraps its comments in a Python docstring"),
])
def test_unreadable_file_gets_one_error(lint: LintFn, text: str, shape: str) -> None:
    found = lint({"requirements.txt": text}, rule=RULE)
    assert len(found) == 1, [f.message for f in found]
    assert found[0].message.startswith(f"requirements.txt {shape}")
    assert found[0].line == 1


def test_one_bad_line_among_good_ones_is_reported_on_its_line(lint: LintFn) -> None:
    found = lint({"requirements.txt": "numpy==1.26.4\npandas=2.2.2\nscikit-learn\nlightgbm>>4\n"}, rule=RULE)
    assert [f.line for f in found] == [2, 4]
    assert all(f.message.startswith("invalid pip requirement") for f in found)


# --------------------------------------------------------------------------- conda match specs


CONDA_FORMS = [
    "PyJWT < 2.0.0", "numpy >=1.20", "python = 3.8", "numpy 1.21.2 py38h6c91a56_0", "conda-forge::numpy",
    "conda-forge/linux-64::numpy==1.26.4", "numpy[version='>=1.20']", "numpy[version='>=1.20', build=py38*]",
    "numpy *", "numpy * openblas_0", "numpy 1.26.*", "numpy=1.26", "numpy>=1.2,<2", "numpy 1.25|1.26",
    "numpy >= 1.0 , < 2.0 py310_0", "numpy=1.26.4=py310h_0", "python=3.10.*=*_cpython",
    "https://conda.anaconda.org/conda-forge::numpy>=1.26",
]


@pytest.mark.parametrize("spec", CONDA_FORMS)
def test_conda_match_specs_conda_accepts(lint: LintFn, spec: str) -> None:
    found = lint({"conda.yml": f"dependencies:\n  - \"{spec}\"\n  - numpy==>1.2\n"}, rule=RULE)
    assert [f.line for f in found] == [3]  # only the true mistake


def test_placeholders_a_pipeline_fills_in_are_not_judged(lint: LintFn) -> None:
    assert lint({"requirements.txt": "azureml-core=={{latest-pypi-version}}\nmldesigner=={{latest-pypi-version:pre}}\n"
                                     "numpy==$(NUMPY_VERSION)\npandas==#{PANDAS_VERSION}#\n",
                 "conda.yml": "dependencies:\n  - python={{python_version}}\n  - pip\n  - pip:\n"
                              "    - azure-ai-ml=={{latest-pypi-version}}\n"}, rule=RULE) == []
    found = lint({"requirements.txt": "azureml-core=={{latest-pypi-version}}\npandas=2.2.2\n"}, rule=RULE)
    assert [f.line for f in found] == [2]


def test_placeholder_version_keeps_the_package_declared() -> None:
    from aml_lint.documents.requirements import read_requirements

    req = read_requirements("azureml-core=={{latest-pypi-version}}\n", "requirements.txt")
    assert [(d.name, d.specifier) for d in req.declared] == [("azureml-core", "")]


def test_shell_redirections_in_a_pip_run_line(lint: LintFn) -> None:
    files = {"Dockerfile": "FROM python:3.11\nRUN pip install numpy==1.26.4 2>/dev/null || true\n",
             "env.yml": BUILD_ENV}
    assert lint(files, rule=RULE) == []
    files["Dockerfile"] += "RUN pip install 'torch=>2' >> /tmp/pip.log\n"
    assert [f.line for f in lint(files, rule=RULE)] == [3]
