"""Issue 12, class N4: a path that CI replaces with `az ml ... --set key=value` is not an error.

A release script deploys the YAML with `--set code_configuration.code=... --set
environment.conda_file=...`: the values written in the YAML are never used, so a missing path
there is information. Keys the script does not set, and YAMLs it does not deploy, keep the error.
"""

from __future__ import annotations

import pytest

from aml_lint.overrides import SetOverride, names_file, parse_overrides
from lintkit import LintFn

RULE = "AML101"
DEPLOYMENT = """\
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: blue
endpoint_name: my-endpoint
model:
  path: model/
code_configuration:
  code: src/app/
  scoring_script: score.py
environment:
  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20240101.v1
  conda_file: env/conda.yml
instance_type: Standard_DS3_v2
instance_count: 1
"""
GROOVY = """\
def call(String endpointName, String fileNamePrefix) {
    sh '''
        az ml online-deployment create --all-traffic --endpoint-name $endpointName \\
          --file $WORKSPACE/$deployFolder/$fileNamePrefix-online-endpoint.yml \\
          --set code_configuration.code=$WORKSPACE/src/app --set environment.conda_file=$WORKSPACE/env/conda.yml
    '''
}
"""


def _found(found: list) -> list[tuple[str, int, str]]:
    return [(f.path, f.line, f.severity.label) for f in found]


def test_paths_set_at_deploy_time_by_a_jenkins_script_are_info(lint: LintFn) -> None:
    found = lint({"mlops/managed-online-endpoint.yml": DEPLOYMENT,
                  "jenkins/vars/deployToOnlineEndpoint.groovy": GROOVY}, rule=RULE)
    # model.path is not set by the script: still an error
    assert _found(found) == [("mlops/managed-online-endpoint.yml", 5, "error"),
                             ("mlops/managed-online-endpoint.yml", 7, "info"),
                             ("mlops/managed-online-endpoint.yml", 11, "info")]
    assert ("jenkins/vars/deployToOnlineEndpoint.groovy sets code_configuration.code at deploy time"
            in found[1].message)
    assert "environment.conda_file" in found[2].message


def test_without_the_script_the_paths_are_errors(lint: LintFn) -> None:
    found = lint({"mlops/managed-online-endpoint.yml": DEPLOYMENT,
                  "jenkins/vars/deploy.groovy": GROOVY.replace("--set", "--name")}, rule=RULE)
    assert {f.severity.label for f in found} == {"error"}
    assert len(found) >= 2


def test_a_script_deploying_another_yaml_changes_nothing(lint: LintFn) -> None:
    workflow = """\
    on: push
    jobs:
      deploy:
        runs-on: ubuntu-latest
        steps:
          - run: |
              az ml online-deployment create -f endpoints/green-deployment.yml \\
                --set code_configuration.code=../src environment.conda_file=../env/conda.yml
    """
    files = {"endpoints/blue-deployment.yml": DEPLOYMENT, "endpoints/green-deployment.yml": DEPLOYMENT,
             ".github/workflows/deploy.yml": workflow}
    found = [f for f in lint(files, rule=RULE) if f.line in (7, 11)]
    assert sorted(_found(found)) == [("endpoints/blue-deployment.yml", 7, "error"),
                                     ("endpoints/blue-deployment.yml", 11, "error"),
                                     ("endpoints/green-deployment.yml", 7, "info"),
                                     ("endpoints/green-deployment.yml", 11, "info")]


def test_setting_a_parent_key_covers_the_paths_under_it(lint: LintFn) -> None:
    pipeline = ("steps:\n- task: AzureCLI@2\n  inputs:\n    inlineScript: |\n"
                "      az ml online-deployment create --file mlops/deploy.yml "
                "--set environment=azureml:my-env:3 model=azureml:my-model:1 && echo done\n")
    found = lint({"mlops/deploy.yml": DEPLOYMENT, "devops/deploy-pipeline.yml": pipeline}, rule=RULE)
    assert [(f.line, f.severity.label) for f in found if f.line in (5, 11)] == [(5, "info"), (11, "info")]
    assert [f.severity.label for f in found if f.line == 7] == ["error"]  # the code folder is not set


@pytest.mark.parametrize(("text", "expected"), [
    ("az ml online-deployment create -f d.yml --set a.b=1 c=2 --all-traffic", [("d.yml", ("a.b", "c"))]),
    ("az ml online-deployment update --file=d.yml --set=a=1", [("d.yml", ("a",))]),
    ('sh "az ml batch-deployment create --file ${F} --set code_configuration.code=${W}/src"',
     [("${F}", ("code_configuration.code",))]),
    ("az ml online-deployment create -f d.yml --set a=1 2>/dev/null || az ml online-endpoint show",
     [("d.yml", ("a",))]),
    ("az ml online-endpoint show -n x --set a=1", []),  # not a create/update
    ("az ml online-deployment create -f d.yml", []),  # nothing set
])
def test_parse_overrides(text: str, expected: list) -> None:
    assert [(o.file, o.keys) for o in parse_overrides(text, "ci.sh")] == expected


@pytest.mark.parametrize(("file", "yaml_rel", "text", "expected"), [
    ("deploy.yml", "ci/deploy.yml", "", True),  # from the script's folder
    ("deploy.yml", "other/deploy.yml", "", False),
    ("./endpoints/blue.yml", "cli/endpoints/blue.yml", "", True),  # a tail with a folder
    ("$W/$d/$p-online-endpoint.yml", "mlops/managed-online-endpoint.yml", "", True),
    ("$W/$d/$p-online-endpoint.yml", "mlops/deployment.yml", "", False),
    ("$FILE", "mlops/deploy.yml", "FILE=mlops/deploy.yml", True),  # only a variable: named elsewhere
    ("$FILE", "mlops/deploy.yml", "FILE=$1", False),
])
def test_names_file(file: str, yaml_rel: str, text: str, expected: bool) -> None:
    assert names_file(SetOverride("ci/run.sh", file, ("a",)), yaml_rel, text) is expected


def test_the_script_counts_when_only_the_yaml_changed(lint: LintFn) -> None:
    found = lint({"mlops/managed-online-endpoint.yml": DEPLOYMENT,
                  "jenkins/vars/deployToOnlineEndpoint.groovy": GROOVY}, rule=RULE,
                 changed_files=frozenset({"mlops/managed-online-endpoint.yml"}))
    assert [(f.line, f.severity.label) for f in found] == [(5, "error"), (7, "info"), (11, "info")]


@pytest.mark.parametrize("script", ["Jenkinsfile", "ci/Jenkinsfile.deploy", "ci/deploy.cmd", "ci/deploy.bat",
                                    "ci/deploy.ps1"])
def test_jenkins_batch_and_powershell_scripts_are_read(lint: LintFn, script: str) -> None:
    command = ("az ml online-deployment create --file mlops/managed-online-endpoint.yml "
               "--set code_configuration.code=src/app environment.conda_file=env/conda.yml\n")
    found = lint({"mlops/managed-online-endpoint.yml": DEPLOYMENT, script: command}, rule=RULE)
    assert _found(found) == [("mlops/managed-online-endpoint.yml", 5, "error"),
                             ("mlops/managed-online-endpoint.yml", 7, "info"),
                             ("mlops/managed-online-endpoint.yml", 11, "info")]
