"""SARIF 2.1.0: one run, every rule in ``tool.driver.rules``, results with fingerprints.

Shaped for GitHub code scanning (``upload-sarif``) and Azure DevOps' SARIF Scans tab:
repository-relative URIs with ``%SRCROOT%`` as base, levels error/warning/note.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from aml_lint import __version__
from aml_lint.findings import LintResult, Severity
from aml_lint.fix import Fix

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
HELP_URI = "https://github.com/aml-lint/aml-lint/blob/main/docs/rules.md#"


def _uri(path: str) -> str:
    """Percent-encoded bytes of the path as the OS has it: a file name that is not UTF-8
    (surrogate-escaped by Python) still gets the URI of the real file, not an exception."""
    return quote(os.fsencode(path), safe="/")


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (code points, as ``columnKind``) of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _fix(fix: Fix, sources: dict[str, str]) -> dict[str, object]:
    """A SARIF ``fix``: per file, replacements of a ``deletedRegion`` (empty: an insertion point)
    by ``insertedContent``. Regions in lines and columns of the text aml-lint read; character
    offsets only when that text is not at hand."""
    changes = []
    for path in fix.paths:
        text = sources.get(path)
        replacements = []
        for edit in sorted((e for e in fix.edits if e.path == path), key=lambda e: (e.start, e.end)):
            if text is not None:
                start_line, start_col = _position(text, edit.start)
                end_line, end_col = _position(text, edit.end)
                region: dict[str, int] = {"startLine": start_line, "startColumn": start_col,
                                          "endLine": end_line, "endColumn": end_col}
            else:
                region = {"charOffset": edit.start, "charLength": edit.end - edit.start}
            replacement: dict[str, object] = {"deletedRegion": region}
            if edit.replacement:
                replacement["insertedContent"] = {"text": edit.replacement}
            replacements.append(replacement)
        changes.append({"artifactLocation": {"uri": _uri(path), "uriBaseId": "%SRCROOT%"},
                        "replacements": replacements})
    return {"description": {"text": fix.description}, "artifactChanges": changes,
            "properties": {"safe": fix.safe}}


def render(result: LintResult) -> str:
    rules = sorted(result.rules.values(), key=lambda r: r.id)
    index = {r.id: i for i, r in enumerate(rules)}
    driver = {
        "name": "aml-lint",
        "informationUri": "https://github.com/aml-lint/aml-lint",
        "semanticVersion": __version__,
        "version": __version__,
        "rules": [
            {
                "id": r.id,
                "name": r.name,
                "shortDescription": {"text": r.summary or r.name},
                "fullDescription": {"text": r.doc or r.summary or r.name},
                "help": {"text": r.doc or r.summary or r.name},
                "helpUri": HELP_URI + r.id.lower(),
                "defaultConfiguration": {"level": _LEVEL[r.severity]},
                "properties": {"tags": ["azureml"]},
            }
            for r in rules
        ],
    }
    results = []
    for f in result.findings:
        region: dict[str, int] = {"startLine": max(f.line, 1)}
        if f.col:
            region["startColumn"] = f.col
        if f.location.end_line >= f.line and f.location.end_line:
            region["endLine"] = f.location.end_line
            if f.location.end_col and (f.location.end_line > f.line or f.location.end_col > f.col):
                region["endColumn"] = f.location.end_col
        entry: dict[str, object] = {
            "ruleId": f.rule_id,
            "level": _LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(f.path), "uriBaseId": "%SRCROOT%"},
                    "region": region,
                }
            }],
            "partialFingerprints": {"amlLint/v1": f.fingerprint()},
        }
        if f.rule_id in index:
            entry["ruleIndex"] = index[f.rule_id]
        if f.fix is not None:
            entry["fixes"] = [_fix(f.fix, result.sources)]
        results.append(entry)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": Path(result.root).absolute().as_uri().rstrip("/") + "/"}},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }
    # "##" as "#\u0023" (the same JSON string): printed in a CI log, a value such as
    # "##[error]" or "##vso[" must not be read as a runner or agent command.
    return json.dumps(log, indent=2, ensure_ascii=True).replace("##", "#\\u0023") + "\n"
