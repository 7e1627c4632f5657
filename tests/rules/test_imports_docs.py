"""The Fails and Passes examples in the import rules' docstrings (their reference pages) run here.

An example is split into files by `# <file name>` lines; a block without one is a conda file.
Scripts get a deployment that links them to the conda file.
"""

from __future__ import annotations

import re
import textwrap

import pytest

from aml_lint.rules import find_rule
from lintkit import LintFn

DEPLOYMENT = """\
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: blue
endpoint_name: my-endpoint
model: azureml:my-model:1
code_configuration:
  code: .
  scoring_script: score.py
environment:
  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest
  conda_file: conda.yml
instance_type: Standard_DS3_v2
instance_count: 1
"""
SCORE_TAIL = "\n\ndef init():\n    pass\n\n\ndef run(data):\n    return data\n"


def example(rule_id: str, section: str) -> dict[str, str | bytes]:
    rule = find_rule(rule_id)
    assert rule is not None
    m = re.search(rf"^{section}:\n(.*?)(?=^\S)", rule.info.doc + "\nEnd", re.S | re.M)
    assert m, f"{rule_id} has no {section} example"
    block = textwrap.dedent(m.group(1))
    files: dict[str, str | bytes] = {}
    name = "conda.yml"
    for part in re.split(r"^# (\S+\.(?:yml|yaml|py|txt))\n", block, flags=re.M):
        if re.fullmatch(r"\S+\.(?:yml|yaml|py|txt)", part):
            name = part
        elif part.strip():
            files[name] = part
    if "score.py" in files:
        files["score.py"] = str(files["score.py"]) + SCORE_TAIL
        files["deployment.yml"] = DEPLOYMENT
    return files


@pytest.mark.parametrize("rule_id", ["AML501", "AML502", "AML503", "AML504"])
def test_docstring_examples(rule_id: str, lint: LintFn) -> None:
    assert lint(example(rule_id, "Fails"), rule=rule_id), f"{rule_id}: the Fails example passes"
    assert lint(example(rule_id, "Passes"), rule=rule_id) == [], f"{rule_id}: the Passes example fails"
