"""AML404's fix (unsafe): underscores of an endpoint or deployment name become hyphens."""

from __future__ import annotations

from pathlib import Path

import pytest
from rule_fixkit import no_fix, roundtrip

DEPLOY = ("$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\r\n"
          "# the blue slot\r\n"
          "name: {name}\t# slot\r\n"
          "endpoint_name: {endpoint}\r\n"
          "model: azureml:m:1\r\n"
          "instance_type: Standard_DS3_v2\r\n"
          "instance_count: 3\r\n")


@pytest.mark.parametrize("name, endpoint, fixed_name, fixed_endpoint", [
    ("sklearn_blue", "my-endpoint", "sklearn-blue", "my-endpoint"),
    ("'sklearn_blue'", '"my_endpoint"', "'sklearn-blue'", '"my-endpoint"'),
])
def test_underscores_become_hyphens(tmp_path: Path, name: str, endpoint: str, fixed_name: str,
                                    fixed_endpoint: str) -> None:
    roundtrip(tmp_path, {"dep.yml": DEPLOY.format(name=name, endpoint=endpoint)}, "AML404",
              {"dep.yml": DEPLOY.format(name=fixed_name, endpoint=fixed_endpoint)}, safe=False)


def test_endpoint_file(tmp_path: Path) -> None:
    text = ("$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json\n"
            "name: my_endpoint   # public\nauth_mode: key\n")
    roundtrip(tmp_path, {"endpoint.yml": text}, "AML404", {"endpoint.yml": text.replace("my_endpoint", "my-endpoint")},
              safe=False)


@pytest.mark.parametrize("name", ["sklearn.blue", "_blue", "a_", "x" * 40 + "_y"])
def test_no_fix_when_hyphens_are_not_enough(tmp_path: Path, name: str) -> None:
    no_fix(tmp_path, {"dep.yml": DEPLOY.format(name=name, endpoint="my-endpoint")}, "AML404")
