"""SARIF output validates against the SARIF 2.1.0 JSON schema and has what code scanning needs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from aml_lint.report import render
from lintkit import lint_tree

SCHEMA_FILE = Path(__file__).resolve().parent.parent / ".cache" / "sarif-2.1.0.json"
DEPLOY = ("$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
          "name: blue\nendpoint_name: my-endpoint\nenvironment: azureml:env:latest\ncode_configuration:\n"
          "  code: src dir\n  scoring_script: score.py\ninstance_count: 0\n")


def _schema() -> dict[str, object]:
    if not SCHEMA_FILE.is_file():
        message = "SARIF schema missing: run tools/get_sarif_schema.sh (CI does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    data: dict[str, object] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data


def test_sarif_validates_against_the_2_1_0_schema(tmp_path: Path) -> None:
    from jsonschema import Draft202012Validator

    result = lint_tree(tmp_path, {"deploy ments/dep.yml": DEPLOY, "env.yml": "[1, 2\n"})
    assert len(result.findings) >= 3
    log = json.loads(render(result, "sarif"))
    errors = sorted(Draft202012Validator(_schema()).iter_errors(log), key=str)
    assert errors == []
    run = log["runs"][0]
    ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    for res in run["results"]:
        assert res["ruleId"] in ids
        loc = res["locations"][0]["physicalLocation"]
        assert not loc["artifactLocation"]["uri"].startswith("/")
        assert loc["region"]["startLine"] >= 1
        assert res["partialFingerprints"]["amlLint/v1"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert "deploy%20ments/dep.yml" in uris
    levels = {r["defaultConfiguration"]["level"] for r in run["tool"]["driver"]["rules"]}
    assert levels <= {"error", "warning", "note"}


def test_fingerprints_survive_line_moves(tmp_path: Path) -> None:
    first = lint_tree(tmp_path, {"dep.yml": DEPLOY})
    moved = lint_tree(tmp_path, {"dep.yml": "# a comment added above\n" + DEPLOY})
    assert [f.fingerprint() for f in first.findings] == [f.fingerprint() for f in moved.findings]
    assert [f.line + 1 for f in first.findings] == [f.line for f in moved.findings]
