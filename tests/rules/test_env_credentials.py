from __future__ import annotations

from lintkit import ENV_BUILDS_DOCKERFILE, LintFn

RULE = "AML219"
TOKEN = "ghp_" + "a1B2c3D4e5" * 4


def test_secrets_in_conda_variables_and_pip_index(lint: LintFn) -> None:
    found = lint({"conda.yml": f"""
        variables:
          STORAGE_KEY: 3kq9S0mEs3cretValue==
          STORAGE_ACCOUNT: mystorage
        dependencies:
          - python=3.11
          - pip
          - pip:
              - --extra-index-url https://build:{TOKEN}@pkgs.example.org/simple
              - numpy==1.26.4
    """}, rule=RULE)
    assert [(f.line, f.severity.label) for f in found] == [(2, "error"), (8, "error")]
    assert "a literal value for 'STORAGE_KEY'" in found[0].message
    assert "a password inside a URL" in found[1].message and TOKEN not in found[1].message


def test_registry_password_in_environment_yaml(lint: LintFn) -> None:
    found = lint({"env.yml": """
        $schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json
        name: my-env
        image: myregistry.azurecr.io/base:1
        docker:
          base_image_registry:
            username: builder
            password: Sup3rS3cretPassw0rd
    """}, rule=RULE)
    assert [f.line for f in found] == [7]
    assert "'password'" in found[0].message


def test_secrets_in_dockerfile_and_requirements(lint: LintFn) -> None:
    found = lint({
        "Dockerfile": "FROM python:3.12\nENV API_TOKEN=abcdef123456\n"
                      "RUN pip install --index-url https://u:p4ssw0rd@feed.example.org/simple pkg\n"
                      "ARG PIP_TOKEN\n",
        "requirements.txt": "--extra-index-url https://user:s3cr3t@feed.example.org/simple\nnumpy\n",
        "docker-env.yml": ENV_BUILDS_DOCKERFILE,
    }, rule=RULE)
    assert sorted((f.path, f.line) for f in found) == [("Dockerfile", 2), ("Dockerfile", 3), ("requirements.txt", 1)]


def test_references_and_harmless_values_pass(lint: LintFn) -> None:
    assert lint({
        "conda.yml": """
            variables:
              API_KEY: ${{secrets.API_KEY}}
              KV_SECRET: multiplier@https://myvault.vault.azure.net
              TOKEN_LIMIT: "512"
              MODEL_NAME: bert-base
            dependencies:
              - python=3.11
              - pip
              - pip:
                  - --extra-index-url https://pkgs.example.org/simple
        """,
        "Dockerfile": "FROM python:3.12\nENV AZUREML_MODEL_DIR=/var/azureml-app\nARG PIP_TOKEN\n"
                      "RUN pip install --index-url https://build:${PIP_TOKEN}@feed.example.org/simple pkg\n",
        "requirements.txt": "git+https://github.com/org/pkg.git@v1\n",
    }, rule=RULE) == []
