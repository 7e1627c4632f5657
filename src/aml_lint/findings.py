"""What a rule reports: a Finding at a place in a file, with a severity.

Findings are plain data. Rules create them; the engine filters them; reporters
render them. Paths are repository-relative POSIX strings so that every
reporter (terminal, SARIF, GitHub, Azure DevOps) can use them unchanged.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aml_lint.fix import Fix


class Severity(enum.IntEnum):
    """Ordered so that ``Severity.ERROR > Severity.WARNING > Severity.INFO``."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected error, warning or info)") from None

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True, slots=True)  # one per YAML node: slots halve its size
class Location:
    """1-based line and column of the offending token; ``line == 0`` means the whole file."""

    line: int = 0
    col: int = 0
    end_line: int = 0
    end_col: int = 0


WHOLE_FILE = Location()


@dataclass
class Finding:
    rule_id: str
    severity: Severity
    message: str
    path: str
    location: Location = WHOLE_FILE
    # Extra paths a finding is about (e.g. the conda file a missing import should be added to).
    related: tuple[str, ...] = field(default_factory=tuple)
    fix: Fix | None = None  # edits that make it go away, when the rule knows them for certain

    @property
    def line(self) -> int:
        return self.location.line

    @property
    def col(self) -> int:
        return self.location.col

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.location.line, self.location.col, self.rule_id)

    def fingerprint(self) -> str:
        """Stable across runs and unrelated edits: rule, file and message, not the line."""
        import hashlib  # only reporters that print fingerprints need it

        text = "\0".join((self.rule_id, self.path, self.message))
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "rule": self.rule_id,
            "severity": self.severity.label,
            "message": self.message,
            "path": self.path,
            "line": self.location.line,
            "column": self.location.col,
            "end_line": self.location.end_line,
            "end_column": self.location.end_col,
        }
        if self.fix is not None:
            out["fix"] = self.fix.to_dict()
        return out


@dataclass(frozen=True)
class RuleInfo:
    """What reporters need to know about a rule (SARIF ``tool.driver.rules``, summaries)."""

    id: str
    name: str
    severity: Severity
    summary: str  # one line: what it finds
    doc: str = ""  # the full reference page (the rule module's docstring)


@dataclass
class LintResult:
    """Everything one run produced, in the order reporters want it."""

    findings: list[Finding]
    rules: dict[str, RuleInfo]
    files_checked: int = 0
    elapsed: float = 0.0
    root: str = "."
    # Plain-language notes about the run itself (e.g. "history too shallow"), shown by reporters.
    notes: list[str] = field(default_factory=list)
    # Bugs in aml-lint met during the run (a rule that raised): reported, never a lint result.
    internal_errors: list[str] = field(default_factory=list)
    # The text each fix's edits count in (repository-relative path -> Document.text), for --fix.
    sources: dict[str, str] = field(default_factory=dict)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def fixable(self) -> tuple[int, int]:
        """(findings with a safe fix, findings with an unsafe one)."""
        safe = sum(1 for f in self.findings if f.fix is not None and f.fix.safe)
        unsafe = sum(1 for f in self.findings if f.fix is not None and not f.fix.safe)
        return safe, unsafe

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)
