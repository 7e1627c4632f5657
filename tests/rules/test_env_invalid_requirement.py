from __future__ import annotations

from lintkit import LintFn

RULE = "AML203"


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
        "Dockerfile": "FROM python:3.12\nRUN pip install 'torch=>2'\n",
    }, rule=RULE)
    assert sorted((f.path, f.line) for f in found) == [("Dockerfile", 2), ("requirements.txt", 2)]
    assert all("invalid pip requirement" in f.message for f in found)


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
        "requirements-private.txt": "${PRIVATE_PACKAGE}\n",
    }, rule=RULE) == []
