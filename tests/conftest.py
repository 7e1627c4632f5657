"""The ``lint`` fixture; the helpers it uses live in lintkit.py (importable from every test folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lintkit import LintFn, lint_tree


@pytest.fixture
def lint(tmp_path: Path) -> LintFn:
    """``lint(files, rule=None, **settings)`` -> findings (of ``rule`` only, when given)."""

    def _lint(files: dict[str, str | bytes], rule: str | None = None, **settings: object) -> list:
        result = lint_tree(tmp_path, files, **settings)
        return [f for f in result.findings if rule is None or f.rule_id == rule]

    return _lint
