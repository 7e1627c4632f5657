"""The shape every rule shares.

A rule is a module in ``aml_lint.rules`` with:

- a docstring that is its reference page (first line: a one-line summary; then
  "What it finds", "Why it matters", "Fails", "Passes", "Fix" sections);
- ``ID`` ("AML101"), ``NAME`` ("missing-link-target"), ``SEVERITY`` ("error" | "warning" | "info");
- ``KINDS``: the document kinds it looks at;
- ``check(doc, ctx)``: a generator of Hit.

Rules never print, never read files themselves (the Context has the parsed documents)
and never decide how findings are shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from aml_lint.findings import WHOLE_FILE, Location, Severity

if TYPE_CHECKING:
    from aml_lint.config import Settings
    from aml_lint.documents import Document, Kind
    from aml_lint.fix import Fix
    from aml_lint.graph import EnvSpec, Project


@dataclass(frozen=True)
class Hit:
    """One problem a rule found. The engine adds the rule id, severity and suppression handling."""

    message: str
    location: Location = WHOLE_FILE
    path: str | None = None  # defaults to the document being checked
    severity: Severity | None = None  # defaults to the rule's SEVERITY
    related: tuple[str, ...] = field(default_factory=tuple)
    fix: Fix | None = None  # text edits that make this finding go away (see aml_lint.fix)


@dataclass
class Context:
    """What a rule may look at besides its document."""

    project: Project
    settings: Settings

    def envs_for_script(self, rel: str) -> list[EnvSpec]:
        return self.project.script_envs.get(rel, [])

    def deployments_for_script(self, rel: str) -> list[Document]:
        return self.project.script_deployments.get(rel, [])

    def jobs_for_script(self, rel: str) -> list[Document]:
        """The jobs and components (pipeline jobs for their steps) whose command runs ``rel``."""
        return self.project.script_jobs.get(rel, [])


class RuleModule(Protocol):
    ID: str
    NAME: str
    SEVERITY: str
    KINDS: tuple[Kind, ...]
    __doc__: str | None

    def check(self, doc: Document, ctx: Context) -> Iterator[Hit]: ...
