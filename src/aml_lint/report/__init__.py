"""Reporters: turn a LintResult into text for one sink. They know nothing about rules.

Each format is a module ``aml_lint.report.<format>`` with ``render(result) -> str``;
modules are imported only when asked for, to keep start-up fast.
"""

from __future__ import annotations

import importlib

from aml_lint.findings import LintResult

FORMATS = ("text", "json", "sarif", "github", "azure")


def render(result: LintResult, fmt: str, *, color: bool = False, unsafe_fixes: bool = False) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    module = importlib.import_module(f"aml_lint.report.{fmt}")
    if fmt == "text":
        return str(module.render(result, color=color, unsafe_fixes=unsafe_fixes))
    return str(module.render(result))
