"""Paths inside a git submodule: present in a recursive clone only, so a missing one is not an error."""

from __future__ import annotations

import pytest

from lintkit import LintFn

JOB = """
$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json
code: src
command: python Megatron/pretrain.py --data ${{inputs.data}}
inputs:
  data:
    type: uri_folder
    path: azureml://datastores/workspaceblobstore/paths/data/
environment: azureml:my-training-env@latest
compute: azureml:gpu-cluster
"""

GITMODULES = """
[submodule "src/Megatron"]
	path = src/Megatron
	url = https://example.invalid/megatron.git
"""


def test_entry_script_in_a_submodule_is_not_reported(lint: LintFn) -> None:
    found = lint({"job.yml": JOB, ".gitmodules": GITMODULES, "src/other.py": "print(1)\n"}, rule="AML101")
    assert found == []


def test_the_same_path_outside_a_submodule_is_an_error(lint: LintFn) -> None:
    found = lint({"job.yml": JOB, "src/other.py": "print(1)\n"}, rule="AML101")
    assert [(f.path, f.severity.label) for f in found] == [("job.yml", "error")]
    assert "Megatron/pretrain.py" in found[0].message


def test_a_submodule_elsewhere_does_not_hide_the_error(lint: LintFn) -> None:
    other = GITMODULES.replace("src/Megatron", "vendor/Megatron")
    found = lint({"job.yml": JOB, ".gitmodules": other, "src/other.py": "print(1)\n"}, rule="AML101")
    assert [f.severity.label for f in found] == ["error"]


COMPONENT = """
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: command
name: fixture_component
version: 1
code: .
environment: azureml:my-training-env@latest
command: python run.py
"""


def test_missing_entry_script_of_a_test_fixture_is_a_warning(lint: LintFn) -> None:
    found = lint({"test/resources/pytest/good-asset/spec.yaml": COMPONENT}, rule="AML101")
    assert [f.severity.label for f in found] == ["warning"]
    assert "test fixture" in found[0].message


@pytest.mark.parametrize("rel", ["components/train/spec.yaml", "tests/integration/spec.yaml"])
def test_missing_entry_script_outside_fixtures_stays_an_error(lint: LintFn, rel: str) -> None:
    found = lint({rel: COMPONENT}, rule="AML101")
    assert [f.severity.label for f in found] == ["error"]


def test_missing_build_context_in_a_template_folder_is_a_warning(lint: LintFn) -> None:
    job = JOB.replace("environment: azureml:my-training-env@latest", "environment:\n  build:\n    path: ./environment")
    files = {".package-template/aml-job.yaml": job, ".package-template/src/Megatron/pretrain.py": "print(1)\n"}
    found = lint(files, rule="AML101")
    assert [f.severity.label for f in found] == ["warning"]
    assert "template folder" in found[0].message
