"""Every fixable rule's page tells the truth: its Fails example, fixed, is its Fixed example.

For each rule with a ``FIX`` constant: the Fails example is written into a small repository the
way the rule's own docs test does it (tests/rules/test_env_doc_examples.py for the environment
and deployment rules, test_script_docs.py for scoring-script rules, test_imports_docs.py for the
import rules), that rule's fixes are applied (unsafe ones too) with the fix engine, and every
file must then read as the Fixed example laid out the same way. Linted again, the fixed findings
are gone and no other finding appears.

A stand-in rule (fixkit.py, with a page of its own) runs through the same test, so the test can
fail whatever the real rules' fixes are; ``test_covered_rules`` lists the rules covered.
"""

from __future__ import annotations

import importlib.util
import re
import textwrap
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import fixkit
import pytest

from aml_lint.config import Settings, build_settings
from aml_lint.engine import run
from aml_lint.findings import LintResult
from aml_lint.fixing import fix_project, rule_fix, write_fixes
from aml_lint.rules import Rule, all_rules
from lintkit import CONDA_ONLINE_DEPLOYMENT, SCRIPT_ONLINE_DEPLOYMENT

RULES_TESTS = Path(__file__).resolve().parent.parent / "rules"

STANDIN_DOC = """A stand-in rule with a fix.

What it finds: 'colour'.

Why it matters: it stands in for a fixable rule.

Fails:
    # keep this comment
    colour==1.0   # colour

Fixed:
    # keep this comment
    color==1.0   # color

Passes:
    color==1.0

Fix: write 'color'.
"""
STANDIN = Rule(fixkit.RULE.module, replace(fixkit.RULE.info, doc=STANDIN_DOC))

# A finding the fix is expected to bring: AML102's fixed reference names a registered environment,
# whose contents aml-lint cannot see (AML103, info).
EXPECTED_NEW = {"AML102": {"AML103"}}


def _load(name: str) -> ModuleType:
    """Another test module, for the way it lays an example out (loaded by path, under its own name)."""
    spec = importlib.util.spec_from_file_location(f"_fixdocs_{name}", RULES_TESTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ENV_DOCS = _load("test_env_doc_examples")
IMPORT_DOCS = _load("test_imports_docs")

# Rules whose docs tests lay examples out elsewhere: (file, text around the example).
OWN_CASES: dict[str, tuple[str, str]] = {
    "AML005": ("dep.yml", "{example}"),
    "AML102": ("dep.yml", ENV_DOCS.NAMED + "instance_count: 3\n{example}"),
    "AML998": ("requirements.txt", "{example}"),
}


# Scoring-script rules whose fix also declares a package in the environment: the conda file
# their Fails example runs with (their Fixed example shows it after the fix, after '# env/conda.yml').
SCRIPT_AND_ENV = {"AML302": "dependencies:\n  - python=3.11\n  - pip\n  - pip:\n"
                            "      - azureml-inference-server-http==1.5.1\n"}


# Rules whose examples are '# <file>' parts: the files around them ({example}: where the part goes).
FILES_AROUND = {"AML212": {"deployment.yml": ENV_DOCS.NAMED + "instance_count: 3\n{example}",
                           "src/score.py": ENV_DOCS.SCRIPT}}


def block(doc: str, section: str) -> str | None:
    """The indented block after ``section:`` in a rule page, dedented."""
    m = re.search(rf"^{section}:\n((?:[ \t]+.*\n|[ \t]*\n)+)", doc + "\n", re.M)
    return textwrap.dedent(m.group(1)).strip("\n") + "\n" if m else None


def layout(rule_id: str, example: str) -> dict[str, str]:
    """The repository an example is checked in, as the rule's docs test builds it."""
    if rule_id in OWN_CASES:
        target, wrapper = OWN_CASES[rule_id]
        files = {target: wrapper.replace("{example}", example)}
    elif rule_id in ENV_DOCS.CASES:
        target, wrapper, others = ENV_DOCS.CASES[rule_id]
        files = {**others, target: wrapper.replace("{example}", example)}
    elif rule_id in SCRIPT_AND_ENV:  # the fix edits the script and its environment: Fixed: shows both
        script, _, conda = example.partition("# env/conda.yml\n")
        files = {"deploy.yml": CONDA_ONLINE_DEPLOYMENT, "src/score.py": script.strip() + "\n",
                 "env/conda.yml": conda or SCRIPT_AND_ENV[rule_id]}
    elif rule_id in FILES_AROUND:  # '# <file>' parts, each wrapped in the rest of its file
        files = dict(FILES_AROUND[rule_id])
        for rel, part in zip(*[iter(re.split(r"^# (\S+\.(?:yml|yaml|py|txt))\n", example, flags=re.M)[1:])] * 2,
                             strict=True):
            files[rel] = files.get(rel, "{example}").replace("{example}", part)
    elif rule_id.startswith("AML3"):
        files = {"deploy.yml": SCRIPT_ONLINE_DEPLOYMENT, "src/score.py": example.strip() + "\n"}
    elif rule_id.startswith("AML5"):
        files, name = {}, "conda.yml"
        for part in re.split(r"^# (\S+\.(?:yml|yaml|py|txt))\n", example, flags=re.M):
            if re.fullmatch(r"\S+\.(?:yml|yaml|py|txt)", part):
                name = part
            elif part.strip():
                files[name] = part
        if "score.py" in files:
            files["score.py"] += IMPORT_DOCS.SCORE_TAIL
            files["deployment.yml"] = IMPORT_DOCS.DEPLOYMENT
    else:
        raise LookupError(f"{rule_id}: no known layout for its examples; add it to OWN_CASES")
    # As lintkit.write_tree writes them.
    return {rel: textwrap.dedent(text).lstrip("\n") for rel, text in files.items()}


def fixable_rules() -> list[Rule]:
    return [r for r in all_rules() if rule_fix(r.module)]


def _lint_with(rule: Rule) -> Callable[[Settings], LintResult]:
    rules = list(all_rules()) + ([rule] if rule.id == STANDIN.id else [])
    return lambda settings: run(settings, rules=rules)


def _only(result: LintResult, rule_id: str) -> LintResult:
    return replace(result, findings=[f for f in result.findings if f.rule_id == rule_id])


def check_page(rule: Rule, root: Path) -> None:
    doc = rule.info.doc
    fails, fixed = block(doc, "Fails"), block(doc, "Fixed")
    assert fails is not None, f"{rule.id}: no Fails: example"
    assert fixed is not None, f"{rule.id} can fix (FIX = {rule_fix(rule.module)!r}) but its page has no Fixed: example"
    assert doc.index("Fails:") < doc.index("Fixed:") < doc.index("Passes:"), f"{rule.id}: Fixed: goes after Fails:"
    before_files, expected = layout(rule.id, fails), layout(rule.id, fixed)
    assert set(before_files) == set(expected)
    for rel, text in before_files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    lint = _lint_with(rule)
    settings = build_settings(root)
    before = lint(settings)
    mine = [f for f in before.findings if f.rule_id == rule.id]
    assert any(f.fix for f in mine), f"{rule.id}: its Fails example gives no fixable finding"
    outcome = fix_project(settings, unsafe=True, lint=lambda s: _only(lint(s), rule.id))
    write_fixes(outcome, root)
    assert outcome.skipped == [], outcome.skipped
    for rel, text in expected.items():
        assert (root / rel).read_bytes().decode("utf-8") == text, f"{rule.id}: {rel} after the fix is not its Fixed example"
    after = lint(settings)
    unfixed = {(f.path, f.message) for f in mine if f.fix is None}
    left = [f for f in after.findings if f.rule_id == rule.id and (f.path, f.message) not in unfixed]
    assert left == [], f"{rule.id}: still found after its fix: {[f.message for f in left]}"
    new = Counter((f.rule_id, f.path) for f in after.findings if f.rule_id not in EXPECTED_NEW.get(rule.id, ()))
    new -= Counter((f.rule_id, f.path) for f in before.findings)
    assert not new, f"{rule.id}: its fix brings new findings: {sorted(new)}"
    again = fix_project(settings, unsafe=True, lint=lambda s: _only(lint(s), rule.id))
    assert again.changed == [], f"{rule.id}: applying the fix twice changes the file again"


@pytest.mark.parametrize("rule", [*fixable_rules(), STANDIN], ids=lambda r: r.id)
def test_fixed_example_is_the_fails_example_fixed(rule: Rule, tmp_path: Path) -> None:
    check_page(rule, tmp_path)


def test_the_check_can_fail(tmp_path: Path) -> None:
    """A page whose Fixed example is not what the fix gives is caught."""
    wrong = Rule(STANDIN.module, replace(STANDIN.info, doc=STANDIN_DOC.replace("color==1.0   # color",
                                                                             "color==1.0   # colour")))
    with pytest.raises(AssertionError, match="not its Fixed example"):
        check_page(wrong, tmp_path)


def test_covered_rules(capsys: pytest.CaptureFixture[str]) -> None:
    covered = [r.id for r in fixable_rules()]
    # the page checks are parametrized over these: none found would make them all pass vacuously
    assert "AML205" in covered and len(covered) >= 10, covered
    with capsys.disabled():
        print(f"\nfix docs: {len(covered)} fixable rule(s) covered: {', '.join(covered) or 'none yet'}")
    for rule in fixable_rules():
        layout(rule.id, "x\n")  # every fixable rule has a known layout (LookupError otherwise)


def test_rules_md_shows_the_fix() -> None:
    """docs/rules.md: the fix column of the index, the page header, and Fixed: as a code block."""
    text = (Path(__file__).resolve().parent.parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in fixable_rules():
        fix = rule_fix(rule.module)
        assert f"| {rule.info.severity.label} | {fix} |" in text.split(f"[{rule.id}]", 1)[1].split("\n", 1)[0]
        page = text.split(f"\n## {rule.id}\n", 1)[1].split("\n## ", 1)[0]
        assert f"({rule.info.severity.label}; {fix} fix)" in page
        assert "\nFixed:\n```\n" in page, f"{rule.id}: its Fixed: example is not a code block"
