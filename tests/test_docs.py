"""docs/rules.md is generated from the rule docstrings, and every rule's page has the same shape."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from aml_lint.rules import all_rules

ROOT = Path(__file__).resolve().parent.parent


def test_rules_md_is_in_sync() -> None:
    spec = importlib.util.spec_from_file_location("gen_rules_doc", ROOT / "tools" / "gen_rules_doc.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == module.render(), (
        "docs/rules.md is out of date: run python tools/gen_rules_doc.py")


def test_every_rule_page_has_the_sections() -> None:
    for rule in all_rules():
        doc = rule.info.doc
        for heading in ("What it finds:", "Why it matters:", "Fails:", "Passes:", "Fix:"):
            assert heading in doc, f"{rule.id} lacks '{heading}'"
        assert rule.info.summary, rule.id
        assert rule.id[:3] == "AML" and rule.id[3:].isdigit()
