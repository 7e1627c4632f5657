"""The Fails/Passes examples in every AML3xx rule page behave as the page says."""

from __future__ import annotations

import ast
import re
import textwrap

import pytest

from aml_lint.rules import Rule, all_rules
from lintkit import SCRIPT_ONLINE_DEPLOYMENT as ONLINE
from lintkit import LintFn

SCRIPT_RULES = [r for r in all_rules() if r.id.startswith("AML3")]


def example(doc: str, heading: str) -> str:
    """The indented block after ``heading:`` in a rule page."""
    m = re.search(rf"^{heading}:\n((?:    .*\n|\n)+)", doc + "\n", re.M)
    assert m, heading
    return textwrap.dedent(m.group(1)).strip() + "\n"


def python_or_none(text: str) -> str | None:
    try:
        ast.parse(text)
    except SyntaxError:
        return None  # e.g. a conda file shown as the fix
    return text


def test_there_are_script_rules() -> None:
    assert len(SCRIPT_RULES) >= 7


@pytest.mark.parametrize("rule", SCRIPT_RULES, ids=lambda r: r.id)
def test_fails_example_fails(lint: LintFn, rule: Rule) -> None:
    script = python_or_none(example(rule.info.doc, "Fails"))
    assert script is not None, "the Fails example of a scoring-script rule is Python"
    found = lint({"deploy.yml": ONLINE, "src/score.py": script}, rule=rule.id)
    assert found, f"{rule.id}: its Fails example gives no finding"


@pytest.mark.parametrize("rule", SCRIPT_RULES, ids=lambda r: r.id)
def test_passes_example_passes(lint: LintFn, rule: Rule) -> None:
    script = python_or_none(example(rule.info.doc, "Passes"))
    if script is None:
        pytest.skip("the Passes example is not a script (it shows where the fix goes)")
    found = lint({"deploy.yml": ONLINE, "src/score.py": script}, rule=rule.id)
    assert found == []
