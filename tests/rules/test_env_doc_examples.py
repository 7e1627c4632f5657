"""The Fails/Passes examples of the environment and deployment rule pages run as tests.

Each page's examples are written into a small repository (wrapped in the rest of the
file where the example is a fragment): the Fails example must produce the rule, the
Passes example must not.
"""

from __future__ import annotations

import pytest

from lintkit import LintFn
from lintkit import doc_example as example

SCRIPT = "def init():\n    pass\n\n\ndef run(data):\n    return data\n"
ONLINE = ("$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
          "model: azureml:m:1\ninstance_type: Standard_DS3_v2\n")
NAMED = ONLINE + "name: blue\nendpoint_name: my-endpoint\n"
BATCH = ("$schema: https://azuremlschemas.azureedge.net/latest/modelBatchDeployment.schema.json\n"
         "name: nightly\nendpoint_name: my-batch\nmodel: azureml:m:1\ncompute: azureml:cpu\n")
ENV = "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: my-env\n"

# rule -> (file the example is written to, text around it with {example}, other files)
CASES: dict[str, tuple[str, str, dict[str, str]]] = {
    "AML203": ("conda.yml", "{example}", {}),
    "AML205": ("conda.yml", "{example}", {}),
    "AML206": ("conda.yml", "{example}", {}),
    "AML207": ("conda.yml", "{example}", {}),
    "AML208": ("conda.yml", "{example}", {}),
    "AML209": ("conda.yml", "{example}", {}),
    "AML210": ("conda.yml", "{example}", {}),
    "AML211": ("conda.yml", "{example}", {}),
    "AML213": ("conda.yml", "{example}", {
        "batch.yml": BATCH + "type: model\ncode_configuration:\n  code: src\n  scoring_script: score.py\n"
                     "environment:\n  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250601.v1\n"
                     "  conda_file: conda.yml\n",
        "src/score.py": SCRIPT}),
    "AML214": ("conda.yml", "{example}", {}),
    "AML215": ("conda.yml", "{example}", {}),
    "AML216": ("env.yml", ENV + "{example}", {}),
    "AML217": ("env.yml", ENV + "{example}", {}),
    "AML218": ("environment/Dockerfile", "{example}", {
        "env.yml": ENV + "build:\n  path: environment\n",
        "environment/conda.yaml": "dependencies: [python=3.12]\n"}),
    "AML219": ("conda.yml", "{example}", {}),
    "AML401": ("dep.yml", NAMED + "instance_count: 3\n{example}", {}),
    "AML402": ("dep.yml", NAMED + "instance_count: 3\n{example}", {}),
    "AML403": ("dep.yml", BATCH + "{example}", {}),
    "AML404": ("dep.yml", ONLINE + "instance_count: 3\n{example}", {}),
    "AML405": ("dep.yml", NAMED + "instance_count: 3\ncode_configuration:\n  code: src\n  scoring_script: score.py\n"
               "{example}", {"src/score.py": SCRIPT}),
    "AML406": ("dep.yml", NAMED + "{example}", {}),
    "AML407": ("dep.yml", NAMED + "instance_count: 3\n{example}", {}),
}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_fails_example_fails(lint: LintFn, rule_id: str) -> None:
    target, wrapper, others = CASES[rule_id]
    files: dict[str, str | bytes] = {**others, target: wrapper.replace("{example}", example(rule_id, "Fails"))}
    assert lint(files, rule=rule_id), f"{rule_id}: its Fails example produces no finding"


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_passes_example_passes(lint: LintFn, rule_id: str) -> None:
    target, wrapper, others = CASES[rule_id]
    files: dict[str, str | bytes] = {**others, target: wrapper.replace("{example}", example(rule_id, "Passes"))}
    assert lint(files, rule=rule_id) == [], f"{rule_id}: its Passes example produces a finding"
