from __future__ import annotations

from lintkit import LintFn

RULE = "AML218"
ENV = ("$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: my-env\n"
       "build:\n  path: context\n  dockerfile_path: docker/Dockerfile\n")


def test_missing_copy_source_in_environment_build_context(lint: LintFn) -> None:
    found = lint({"env.yml": ENV.replace("  dockerfile_path: docker/Dockerfile\n", ""),
                  "context/Dockerfile": "FROM python:3.12-slim\nCOPY conda.yml /tmp/conda.yml\n",
                  "context/conda.yaml": "dependencies: [python=3.12]\n"}, rule=RULE)
    assert [(f.path, f.line, f.severity.label) for f in found] == [("context/Dockerfile", 2, "error")]
    assert "COPY source 'conda.yml' does not exist in the build context ('context')" in found[0].message


def test_unlinked_dockerfile_assumes_its_folder_and_warns(lint: LintFn) -> None:
    found = lint({"env/Dockerfile": "FROM python:3.12-slim\nCOPY conda.yml /tmp/conda.yml\n"}, rule=RULE)
    assert [(f.path, f.line, f.severity.label) for f in found] == [("env/Dockerfile", 2, "warning")]
    assert "assumed to be the Dockerfile's folder 'env'" in found[0].message


def test_build_context_of_the_environment_is_used(lint: LintFn) -> None:
    files = {
        "env.yml": ENV,
        "context/docker/Dockerfile": ("FROM python:3.12-slim\nCOPY requirements.txt /tmp/\n"
                                      "ADD [\"src/app.py\", \"/app/\"]\nCOPY ../secrets.txt /tmp/\n"
                                      "COPY *.whl /wheels/\n"),
        "context/requirements.txt": "numpy==1.26.4\n",
        "context/docker/src/app.py": "print('wrong folder')\n",
    }
    found = lint(files, rule=RULE)
    assert [f.line for f in found] == [3, 4, 5]
    assert "'src/app.py' does not exist in the build context ('context')" in found[0].message
    assert "leads outside the build context" in found[1].message
    assert "matches no file" in found[2].message


def test_present_sources_and_unjudgeable_copies_pass(lint: LintFn) -> None:
    assert lint({
        "env.yml": ENV,
        "context/docker/Dockerfile": (
            "FROM python:3.12-slim AS build\nCOPY requirements.txt /tmp/\nCOPY src/ /app/\n"
            "COPY --chown=1000:1000 *.txt /tmp/\n"
            "FROM build\nCOPY --from=build /app /app\nADD https://example.org/model.bin /models/\n"
            "COPY ${SRC} /x\nCOPY <<EOF /etc/conf\nkey=value\nEOF\n"),
        "context/requirements.txt": "numpy==1.26.4\n",
        "context/src/app.py": "print('ok')\n",
    }, rule=RULE) == []
