"""AML005's fix: an unknown key renamed to its one close match; nothing else changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from rule_fixkit import no_fix, roundtrip

ENV = ("$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\r\n"
       "name: 'my-env'   # registered as\r\n"
       "image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250601.v1\r\n"
       "{key}: conda.yml\t# the spec\r\n")
CONDA = "dependencies:\n  - python=3.11\n  - pip\n  - pip:\n    - azureml-inference-server-http==1.5.1\n"


def test_environment_key(tmp_path: Path) -> None:
    roundtrip(tmp_path, {"env.yml": ENV.format(key="conda_fle"), "conda.yml": CONDA}, "AML005",
              {"env.yml": ENV.format(key="conda_file")}, safe=True)


def test_conda_file_key(tmp_path: Path) -> None:
    text = "name: x\r\n# channels\r\nchanels: [conda-forge]\r\ndependencies: [python=3.10]\r\n"
    roundtrip(tmp_path, {"conda.yml": text}, "AML005", {"conda.yml": text.replace("chanels", "channels")},
              safe=True)


@pytest.mark.parametrize("key", [
    "instance_typ",  # close to instance_type and to instance_count: which one?
    "'conda_fle'",  # quoted: left to the author
    "docker_image",  # nothing close enough
])
def test_no_fix(tmp_path: Path, key: str) -> None:
    text = ("$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
            "name: blue\nendpoint_name: my-endpoint\nmodel: azureml:m:1\ninstance_type: Standard_DS3_v2\n"
            f"instance_count: 3\n{key}: x\n")
    no_fix(tmp_path, {"dep.yml": text}, "AML005")


def test_target_already_present_gets_no_fix(tmp_path: Path) -> None:
    text = ENV.format(key="conda_fle").replace("\r\n", "\n") + "conda_file: conda.yml\n"
    no_fix(tmp_path, {"env.yml": text, "conda.yml": CONDA}, "AML005")
