"""JSON: a stable, documented shape for scripts.

    {"version": 1, "summary": {...}, "findings": [{rule, severity, message, path, line, column, ...}]}
"""

from __future__ import annotations

import json

from aml_lint import __version__
from aml_lint.findings import LintResult, Severity


def render(result: LintResult) -> str:
    safe, unsafe = result.fixable()
    payload = {
        "version": 1,
        "tool": {"name": "aml-lint", "version": __version__},
        "summary": {
            "errors": result.count(Severity.ERROR),
            "warnings": result.count(Severity.WARNING),
            "info": result.count(Severity.INFO),
            "files_checked": result.files_checked,
            # Findings --fix mends, and those only --fix --unsafe-fixes does (each finding's "fix").
            "fixable": safe,
            "unsafe_fixable": unsafe,
            "elapsed_seconds": round(result.elapsed, 3),
        },
        "findings": [dict(f.to_dict(), fingerprint=f.fingerprint()) for f in result.findings],
        "notes": result.notes,
    }
    # "##" as "#\u0023" (the same JSON string): printed in a CI log, a value such as
    # "##[error]" or "##vso[" must not be read as a runner or agent command.
    return json.dumps(payload, indent=2, ensure_ascii=True).replace("##", "#\\u0023") + "\n"
