"""Odd but readable inputs give findings or nothing from the environment and deployment rules, never a crash."""

from __future__ import annotations

from lintkit import ENV_BUILDS_DOCKERFILE, LintFn

ODD: dict[str, str | bytes] = {
    "c1.yml": "dependencies: python=3.8\n",
    "c2.yml": "dependencies:\n  - python: 3.8\n  - pip: numpy\n  - 3.10\n  - null\n  - pip:\n      - null\n      - 5\n",
    "c3.yml": "name: x\ndependencies:\n  - python=3.1|3.2\n  - numpy >=1.2,<2|>=3\n  - pip\n  - pip:\n      - numpy===1.0\n",
    "c4.yml": "dependencies:\n  - python=3.x\n  - python\n  - pip:\n      - -r\n      - --requirement=\n",
    "c5.yml": "variables: [a, b]\ndependencies:\n  - pip\n",
    "env.yml": ("$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: e\n"
                "image: [a, b]\nconda_file: {dependencies: 5, variables: {K: [1]}}\n"),
    "env2.yml": ("$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: e\n"
                 "image: ':'\nbuild: {path: 5}\n"),
    "dep.yml": ("$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
                "name: 12\nendpoint_name: true\nenvironment: 7\ncode_configuration: [x]\n"
                "request_settings: {request_timeout_ms: '999999', max_concurrent_requests_per_instance: true}\n"
                "environment_variables: [a]\ninstance_count: 1.5\n"),
    "batch.yml": ("$schema: https://azuremlschemas.azureedge.net/latest/modelBatchDeployment.schema.json\n"
                  "name: b\nendpoint_name: e-e-e\ntype: model\nsettings: [1]\nenvironment_variables: {A: {b: 1}}\n"),
    "Dockerfile": ("FROM\nFROM $X AS\nCOPY\nCOPY [\"a\"\nADD --from=x\nENV\nENV A\nARG =\nRUN pip install\n"
                   "RUN pip install -r\nCOPY ../../../../../etc/passwd /x\nCOPY [1, 2] /x\nCOPY \"unterminated /x\n"),
    "requirements.txt": "-r\n-r ../../../../outside.txt\n--index-url\n\\\n",
    "docker-env.yml": ENV_BUILDS_DOCKERFILE,
}


def test_no_crash_on_odd_inputs(lint: LintFn) -> None:
    found = lint(ODD, select=["AML2", "AML4"])
    ours = [f for f in found if f.rule_id[:4] in ("AML2", "AML4") and f.rule_id not in ("AML201", "AML202")]
    # Some of these are real problems (an invalid match spec, a missing include): they are reported.
    assert {"AML203", "AML204", "AML218"} <= {f.rule_id for f in ours}
    assert all(f.message and f.location.line >= 0 for f in ours)
