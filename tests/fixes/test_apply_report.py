"""Fixes in the reports: JSON carries them, SARIF has ``fixes`` that give the same text when applied."""

from __future__ import annotations

import json
import os
from pathlib import Path

import fixkit
import pytest

from aml_lint.fix import apply_edits
from aml_lint.report import render

SCHEMA_FILE = Path(__file__).resolve().parent.parent.parent / ".cache" / "sarif-2.1.0.json"
FILES: dict[str, str | bytes] = {"requirements.txt": "colour==1\r\n# é colour\r\nmove: pkg\r\n",
                                 "requirements-extra.txt": "x==1"}


def _sarif_apply(text: str, replacements: list[dict[str, object]]) -> str:
    """Apply SARIF replacements as a SARIF consumer would: lines and columns to offsets."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def at(line: int, col: int) -> int:
        return starts[line - 1] + col - 1

    out, position = [], 0
    for rep in replacements:
        region = rep["deletedRegion"]
        assert isinstance(region, dict)
        start = at(region["startLine"], region["startColumn"])
        end = at(region["endLine"], region["endColumn"])
        out += [text[position:start], rep.get("insertedContent", {"text": ""})["text"]]  # type: ignore[index, union-attr]
        position = end
    return "".join(out) + text[position:]


def test_sarif_fixes_validate_and_apply_like_the_edits(tmp_path: Path) -> None:
    fixkit.write(tmp_path, FILES)
    result = fixkit.lint(fixkit.settings(tmp_path))
    fixes = [f for f in result.findings if f.fix]
    assert len(fixes) == 3
    log = json.loads(render(result, "sarif"))
    if SCHEMA_FILE.is_file():
        from jsonschema import Draft202012Validator

        schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
        assert sorted(Draft202012Validator(schema).iter_errors(log), key=str) == []
    elif os.environ.get("CI"):
        pytest.fail("SARIF schema missing: run tools/get_sarif_schema.sh")
    results = log["runs"][0]["results"]
    assert len(results) == len(result.findings)
    for finding, entry in zip(result.findings, results, strict=True):
        if finding.fix is None:
            assert "fixes" not in entry
            continue
        (sarif_fix,) = entry["fixes"]
        assert sarif_fix["description"]["text"] == finding.fix.description
        assert sarif_fix["properties"]["safe"] is finding.fix.safe
        for change in sarif_fix["artifactChanges"]:
            path = change["artifactLocation"]["uri"]
            text = result.sources[path]
            expected = apply_edits(text, [e for e in finding.fix.edits if e.path == path])
            assert _sarif_apply(text, change["replacements"]) == expected
    move = next(e for e in results if "belongs in" in e["message"]["text"])
    assert [c["artifactLocation"]["uri"] for c in move["fixes"][0]["artifactChanges"]] == \
        ["requirements.txt", "requirements-extra.txt"]
    # An insertion is an empty region.
    insert = move["fixes"][0]["artifactChanges"][1]["replacements"][0]["deletedRegion"]
    assert (insert["startLine"], insert["startColumn"]) == (insert["endLine"], insert["endColumn"]) == (1, 5)


def test_json_carries_the_fix(tmp_path: Path) -> None:
    fixkit.write(tmp_path, FILES)
    data = json.loads(render(fixkit.lint(fixkit.settings(tmp_path)), "json"))
    assert (data["summary"]["fixable"], data["summary"]["unsafe_fixable"]) == (2, 1)
    fix = data["findings"][0]["fix"]
    assert fix == {"description": "write 'color'", "safe": True,
                   "edits": [{"path": "requirements.txt", "start": 0, "end": 6, "replacement": "color"}]}
