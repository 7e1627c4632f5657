"""AML205's fix: '- pip' inserted before the 'pip:' list, with that item's indentation."""

from __future__ import annotations

from pathlib import Path

from rule_fixkit import no_fix, roundtrip


def test_conda_file(tmp_path: Path) -> None:
    text = ("name: scorer   # comment\r\n"
            "dependencies:\r\n"
            "    # python first\r\n"
            "    -   python=3.11\r\n"
            "    -   pip:\t# the pip list\r\n"
            "            - 'azureml-inference-server-http==1.5.1'\r\n")
    fixed = text.replace("    -   pip:", "    -   pip\r\n    -   pip:")
    roundtrip(tmp_path, {"conda.yml": text}, "AML205", {"conda.yml": fixed}, safe=True)


def test_inline_conda_file_of_an_environment(tmp_path: Path) -> None:
    text = ("$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\n"
            "name: my-env\n"
            "image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250601.v1\n"
            "conda_file:\n"
            "  dependencies:\n"
            "  - python=3.11\n"
            "  - pip:\n"
            "    - joblib==1.4.2\n")
    fixed = text.replace("  - pip:\n", "  - pip\n  - pip:\n")
    roundtrip(tmp_path, {"env.yml": text}, "AML205", {"env.yml": fixed}, safe=True)


def test_flow_list_gets_no_fix(tmp_path: Path) -> None:
    no_fix(tmp_path, {"conda.yml": "dependencies: [python=3.11, {pip: [joblib==1.4.2]}]\n"}, "AML205")
