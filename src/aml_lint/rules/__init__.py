"""The rule catalogue: every module that defines ``ID`` in this package's family folders is a rule.

The folders follow the ID ranges a user sees: general/ (AML0xx files and syntax), links/ (AML1xx),
environment/ (AML2xx), script/ (AML3xx), deployment/ (AML4xx), imports/ (AML5xx), job/ (AML6xx).
Modules without ``ID`` (shared helpers such as script/tree.py) are skipped.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import cache

from aml_lint.findings import RuleInfo, Severity
from aml_lint.rules.base import RuleModule

_NOT_RULES = {"base"}


@dataclass(frozen=True)
class Rule:
    module: RuleModule
    info: RuleInfo

    @property
    def id(self) -> str:
        return self.info.id


def _doc_summary(doc: str) -> str:
    return doc.strip().splitlines()[0].strip().rstrip(".") if doc.strip() else ""


@cache
def all_rules() -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for info in pkgutil.walk_packages(__path__, prefix=f"{__name__}."):
        short = info.name.rpartition(".")[2]
        if info.ispkg or short in _NOT_RULES or short.startswith("_"):
            continue
        module = importlib.import_module(info.name)
        if not hasattr(module, "ID"):
            continue
        doc = module.__doc__ or ""
        rules.append(Rule(module, RuleInfo(
            id=module.ID, name=module.NAME, severity=Severity.parse(module.SEVERITY),
            summary=_doc_summary(doc), doc=doc.strip())))
    rules.sort(key=lambda r: r.id)
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RuntimeError(f"two rules share the id {rule.id}")
        seen.add(rule.id)
    return tuple(rules)


def find_rule(key: str) -> Rule | None:
    key = key.strip()
    for rule in all_rules():
        if key.upper() == rule.id or key.lower() == rule.info.name:
            return rule
    return None
