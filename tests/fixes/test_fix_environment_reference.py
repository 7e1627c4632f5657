"""AML102's fix: 'azureml:<name>:latest' becomes 'azureml:<name>@latest', nothing else changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from rule_fixkit import no_fix, roundtrip

HEAD = ("$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\r\n"
        "# blue: the current model\t(keep this comment)\r\n"
        "name: 'blue'\r\n"
        "endpoint_name: \"my-endpoint\"   # quoted\r\n"
        "model: azureml:m:1\r\n"
        "instance_type: Standard_DS3_v2\r\n"
        "instance_count: 1\r\n")


@pytest.mark.parametrize("written, fixed", [
    ("environment: azureml:my-env:latest\t# the newest\r\n", "environment: azureml:my-env@latest\t# the newest\r\n"),
    ("environment:   'azureml:my-env:latest'\r\n", "environment:   'azureml:my-env@latest'\r\n"),
    ('environment: "azureml:my.env_2:latest"  # x: y\r\n', 'environment: "azureml:my.env_2@latest"  # x: y\r\n'),
    ("environment:\r\n  azureml:my-env:latest\r\n", "environment:\r\n  azureml:my-env@latest\r\n"),
])
def test_latest_becomes_label(tmp_path: Path, written: str, fixed: str) -> None:
    found = roundtrip(tmp_path, {"dep.yml": HEAD + written + "# end\r\n"}, "AML102",
                      {"dep.yml": HEAD + fixed + "# end\r\n"}, safe=True,
                      allow=("AML103",))  # info: the environment is now found to be a registered one
    fix = next(f.fix for f in found if f.rule_id == "AML102" and f.fix)
    assert fix.description == "write 'azureml:my-env@latest'" or "my.env_2" in fix.description
    assert [e.end - e.start for e in fix.edits] == [1]  # one character


@pytest.mark.parametrize("value", [
    "azureml:my/env:latest",  # not a name: writing @latest would not make it one
    "my-env:latest",  # no azureml: prefix; the fix is not just the colon
    "azureml:my-env:LATEST",  # the label is lower case; leave the spelling to the author
    '"azureml:my-env\\x3alatest"',  # an escape: the text is not the value
])
def test_no_fix_when_not_certain(tmp_path: Path, value: str) -> None:
    no_fix(tmp_path, {"dep.yml": HEAD + f"environment: {value}\n"}, "AML102")
