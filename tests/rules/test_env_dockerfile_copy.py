from __future__ import annotations

import pytest

from lintkit import LintFn

RULE = "AML218"
AZUREML_IMAGE = "mcr.microsoft.com/azureml/minimal-py312-inference:20250601.v1"
ENV = ("$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: my-env\n"
       "build:\n  path: context\n  dockerfile_path: docker/Dockerfile\n")


def test_missing_copy_source_in_environment_build_context(lint: LintFn) -> None:
    found = lint({"env.yml": ENV.replace("  dockerfile_path: docker/Dockerfile\n", ""),
                  "context/Dockerfile": "FROM python:3.12-slim\nCOPY conda.yml /tmp/conda.yml\n",
                  "context/conda.yaml": "dependencies: [python=3.12]\n"}, rule=RULE)
    assert [(f.path, f.line, f.severity.label) for f in found] == [("context/Dockerfile", 2, "error")]
    assert "COPY source 'conda.yml' does not exist in the build context ('context')" in found[0].message


def test_unlinked_dockerfile_assumes_its_folder_and_warns(lint: LintFn) -> None:
    # In scope because it starts FROM an AzureML image; its context is written nowhere.
    found = lint({"env/Dockerfile": f"FROM {AZUREML_IMAGE}\nCOPY conda.yml /tmp/conda.yml\n"}, rule=RULE)
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


# -- which Dockerfiles are AzureML's, and the context the repository builds them from -----------

DEPLOY_SCRIPT = "az ml environment create --file env.yml\n"


def test_dev_container_and_ci_tool_dockerfiles_are_out_of_scope_for_every_rule(lint: LintFn) -> None:
    files = {
        ".devcontainer/Dockerfile": f"FROM {AZUREML_IMAGE.rpartition(':')[0]}\nCOPY environment.yml* /tmp/\n",
        ".devcontainer/devcontainer.json": '{"build": {"dockerfile": "../tools/dev.Dockerfile", // comment\n'
                                           '  "context": ".."}}\n',
        "tools/dev.Dockerfile": "FROM ubuntu:latest\nCOPY missing.txt /tmp/\n",
        "ci/lint.Dockerfile": "FROM python\nCOPY requirements-lint.txt /tmp/\nENV PASSWORD=hunter2hunter2\n",
    }
    assert [(f.path, f.rule_id) for f in lint(files)] == []


def test_dockerfile_from_an_azureml_image_is_still_checked(lint: LintFn) -> None:
    found = lint({"images/Dockerfile": f"FROM {AZUREML_IMAGE}\nCOPY missing.txt /tmp/\n"}, rule=RULE)
    assert [(f.path, f.line, f.severity.label) for f in found] == [("images/Dockerfile", 2, "warning")]


def test_context_from_a_ci_script_that_builds_for_azureml(lint: LintFn) -> None:
    files = {
        "docker/score.dockerfile": "FROM python:3.12-slim\nCOPY src/ /app/\nCOPY conda.yml /tmp/\n",
        "src/score.py": "def init():\n    pass\n",
        "scripts/build.sh": ("set -e\ndocker build -t myacr.azurecr.io/score:1 \\\n  -f docker/score.dockerfile .\n"
                             + DEPLOY_SCRIPT),
    }
    found = lint(files, rule=RULE)
    # src/ is found from the root, the context the script gives; conda.yml is in neither folder.
    assert [(f.path, f.line, f.severity.label) for f in found] == [("docker/score.dockerfile", 3, "error")]
    assert "('.', as scripts/build.sh builds it)" in found[0].message


def test_context_from_az_acr_build_in_a_pipeline(lint: LintFn) -> None:
    files = {
        "env/Dockerfile": "FROM python:3.12-slim\nCOPY env/requirements.txt /tmp/\nCOPY extra.txt /tmp/\n",
        "env/requirements.txt": "numpy==1.26.4\n",
        "azure-pipelines.yml": ("steps:\n  - script: |\n      az acr build --registry r --image score:1 "
                                "--file env/Dockerfile --no-logs .\n      az ml online-deployment create -f d.yml\n"),
    }
    found = lint(files, rule=RULE)
    # az acr build reads --file from the source folder ('.'); env/requirements.txt is found from there.
    assert [(f.line, f.severity.label) for f in found] == [(3, "error")]
    assert "azure-pipelines.yml builds it" in found[0].message


def test_a_ci_script_that_does_not_talk_to_azureml_does_not_bring_a_dockerfile_in(lint: LintFn) -> None:
    files = {"web/Dockerfile": "FROM node:20\nCOPY missing.json /app/\n",
             ".github/workflows/web.yml": "jobs:\n  b:\n    steps:\n      - run: docker build -f web/Dockerfile .\n"}
    assert lint(files) == []
    files[".github/workflows/web.yml"] += "      - run: az ml online-deployment create -f web/dep.yml\n"
    found = lint(files, rule=RULE)
    assert [(f.path, f.line, f.severity.label) for f in found] == [("web/Dockerfile", 2, "error")]


def test_a_missing_source_that_gitignore_lists_is_a_warning(lint: LintFn) -> None:
    files = {"env.yml": ENV.replace("  dockerfile_path: docker/Dockerfile\n", ""),
             "context/Dockerfile": "FROM python:3.12-slim\nCOPY model/ /model/\nCOPY conda.yml /tmp/\n",
             ".gitignore": "/context/model\n"}
    found = lint(files, rule=RULE)
    # model/ comes from training (ignored); conda.yml is simply missing.
    assert [(f.line, f.severity.label) for f in found] == [(2, "warning"), (3, "error")]
    assert ".gitignore ignores it" in found[0].message
    # A .gitignore at the root of the build context is the one AzureML applies to the upload:
    # the generated model is never sent, so the build fails.
    files[".gitignore"] = ""
    files["context/.gitignore"] = "/model\n"
    found = lint(files, rule=RULE)
    assert [(f.line, f.severity.label) for f in found] == [(2, "error"), (3, "error")]
    assert "context/.gitignore keeps it out of the context" in found[0].message


@pytest.mark.parametrize(("builder", "text", "dockerfile"), [
    ("job.yml", ("$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json\n"
                 "command: python train.py\nenvironment:\n  build:\n    path: docker-context\n"
                 "compute: azureml:cpu\n"), "docker-context/Dockerfile"),
    ("deploy/create_env.py", ("from azure.ai.ml.entities import BuildContext, Environment\n"
                              "env = Environment(name='r', build=BuildContext(path='docker', "
                              "dockerfile_path='r.dockerfile'))\n"), "deploy/docker/r.dockerfile"),
], ids=["job", "sdk"])
def test_a_job_or_sdk_code_that_builds_the_dockerfile_brings_it_in_with_its_context(
        lint: LintFn, builder: str, text: str, dockerfile: str) -> None:
    found = lint({builder: text, dockerfile: "FROM rocker/r-ver:4.0.0\nCOPY install.R /tmp/\n"}, rule=RULE)
    assert [(f.path, f.line, f.severity.label) for f in found] == [(dockerfile, 2, "error")]
    # A job is linked like an environment (graph.jobs): its build context is the environment's.
    context = "in the build context ('docker-context')" if builder == "job.yml" else f"as {builder} builds it"
    assert context in found[0].message


def test_shell_variables_of_the_script_are_followed(lint: LintFn) -> None:
    files = {"cli/endpoints/tf/tf.dockerfile": "FROM tensorflow/serving\nCOPY model /models/\n",
             "cli/deploy.sh": ("BASE_PATH=endpoints/tf\naz acr build -f $BASE_PATH/tf.dockerfile -t x -r $ACR "
                               "${BASE_PATH}\naz ml online-deployment create -f d.yml\n")}
    found = lint(files, rule=RULE)
    # Run from its own folder: the context is cli/endpoints/tf, where model/ is missing.
    assert [(f.path, f.severity.label) for f in found] == [("cli/endpoints/tf/tf.dockerfile", "error")]
    assert "('cli/endpoints/tf', as cli/deploy.sh builds it)" in found[0].message


def test_a_context_above_the_dockerfile_that_every_source_needs_is_taken(lint: LintFn) -> None:
    files = {"lab/environment/Dockerfile": (f"FROM {AZUREML_IMAGE}\nCOPY src/train.cpp /tmp/\n"
                                            "COPY environment/requirements.txt .\n"),
             "lab/src/train.cpp": "int main() {}\n", "lab/environment/requirements.txt": "numpy\n"}
    assert lint(files, rule=RULE) == []
    files["lab/environment/Dockerfile"] += "COPY gone.txt /tmp/\n"  # resolves from no folder: the own one is assumed
    found = lint(files, rule=RULE)
    assert [(f.line, f.severity.label) for f in found] == [(2, "warning"), (3, "warning"), (4, "warning")]


def test_a_placeholder_source_is_not_checked(lint: LintFn) -> None:
    files = {"env.yml": ENV.replace("  dockerfile_path: docker/Dockerfile\n", ""),
             "context/Dockerfile": "FROM python:3.12-slim\nCOPY {{ model_dir }} /model/\nCOPY __CONDA__ /tmp/\n"
                                   "COPY missing.txt /tmp/\n"}
    found = lint(files, rule=RULE)
    assert [(f.line, f.severity.label) for f in found] == [(4, "error")]



@pytest.mark.parametrize("move", ["cd docker\n", "pushd docker\n", "  working-directory: docker\n"])
def test_a_script_that_changes_folder_gives_no_context_to_check_against(lint: LintFn, move: str) -> None:
    # After `cd docker`, `docker build .` builds from docker/, a folder this scan does not follow:
    # the COPY sources are not judged against the repository root.
    files = {
        "Dockerfile": "FROM python:3.12-slim\nCOPY app.py /app/\n",
        "docker/app.py": "print('x')\n",
        "scripts/build.sh": f"set -e\n{move}docker build -t myacr.azurecr.io/score:1 -f ../Dockerfile .\n"
                            + DEPLOY_SCRIPT,
    }
    found = lint(files, rule=RULE)
    # Before: an error against a guessed context (scripts/). Now the build is not followed, and
    # nothing else builds this Dockerfile for AzureML, so it is not checked at all.
    assert found == []
