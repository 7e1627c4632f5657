"""Generate docs/rules.md from the rule docstrings (``--check``: fail when it is out of date)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aml_lint.fixing import rule_fix
from aml_lint.rules import all_rules

OUT = Path(__file__).resolve().parent.parent / "docs" / "rules.md"

HEADER = """# aml-lint rules

Generated from the rule modules' docstrings by `python tools/gen_rules_doc.py`; do not edit by hand.
`aml-lint rules RULE` prints the same page in a terminal.

## Severities

One principle decides every rule's default severity:

- **error**: the deployment will fail (image build, `az ml ... create`, container start or first request),
  or it is unsafe (credentials in the repository, remote code execution).
- **warning**: likely to fail, or to drift: works today by luck (an undeclared transitive dependency,
  an unpinned image that changes under you, an end-of-life Python).
- **info**: worth knowing; nothing to fix (a templated file that was skipped, an environment that lives
  in the workspace and cannot be checked).

Severities can be changed per rule in the config (`severity: {AML213: error}`), and findings can be
suppressed with `# aml-lint: ignore[RULE]` on the line or `# aml-lint: ignore-file[RULE]` anywhere in the file.

## Fixes

A rule with a fix mends its findings with `aml-lint check --fix` (the **fix** column). A *safe*
fix keeps what the author meant and is applied by `--fix`; an *unsafe* one changes behaviour in a
way a reviewer must judge and is applied only with `--fix --unsafe-fixes` (on a pull request it is
offered as a suggested change either way). `aml-lint check --diff` shows the edits without writing.
A rule page's `Fixed:` example is its `Fails:` example after the fix.

## Index

| rule | name | severity | fix | what it finds |
|---|---|---|---|---|
"""


def render() -> str:
    rules = all_rules()
    parts = [HEADER]
    for rule in rules:
        info = rule.info
        fix = rule_fix(rule.module) or ""
        parts.append(f"| [{info.id}](#{info.id.lower()}) | {info.name} | {info.severity.label} | {fix} "
                     f"| {info.summary} |\n")
    for rule in rules:
        info = rule.info
        body = info.doc.split("\n", 1)[1].strip() if "\n" in info.doc else ""
        fix = rule_fix(rule.module)
        fixable = f"; {fix} fix" if fix else ""
        parts.append(f"\n## {info.id}\n\n**{info.name}** ({info.severity.label}{fixable}): {info.summary}.\n\n")
        parts.append(_markdown(body) + "\n")
    return "".join(parts)


def _markdown(body: str) -> str:
    """Docstring sections -> Markdown: indented examples become code blocks."""
    out: list[str] = []
    in_code = False
    for line in body.splitlines():
        if line.startswith("    ") and not in_code:
            out.append("```")
            in_code = True
        elif in_code and line.strip() and not line.startswith("    "):
            while out and not out[-1].strip():
                out.pop()
            out += ["```", ""]
            in_code = False
        out.append(line[4:] if in_code else line)
    if in_code:
        while out and not out[-1].strip():
            out.pop()
        out.append("```")
    return "\n".join(out).strip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/rules.md is out of date")
    args = parser.parse_args()
    text = render()
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            sys.stderr.write("docs/rules.md is out of date: run python tools/gen_rules_doc.py\n")
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
