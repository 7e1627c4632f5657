"""Run the rules: files -> documents -> graph -> rules -> findings.

The engine owns everything between the settings and the findings: discovery,
the project graph, which rules run on which documents, severity overrides,
suppression comments and the ``--changed-files`` scope.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable

from aml_lint.config import Settings
from aml_lint.documents import PYTHON_KINDS, Document
from aml_lint.findings import Finding, LintResult, Location, Severity
from aml_lint.graph import Project
from aml_lint.rules import Rule, all_rules
from aml_lint.rules.base import Context, Hit
from aml_lint.scope import files_in_scope
from aml_lint.workspace import walk

# The rule list is bounded and stops at "[": "aml-lint: ignore[" repeated on one long line
# without "]" made each match scan to the end of the line (quadratic: hours for 3 MB).
_SUPPRESS_RE = re.compile(r"aml-lint:\s*ignore(?P<file>-file)?(?:\[(?P<rules>[^\[\]\n]{0,1000})\])?", re.I)
ALL = "*"


def discover(settings: Settings) -> Project:
    """Load the documents in scope and resolve their links."""
    project = Project(settings.root)
    candidates = list(walk(settings.root, settings.paths, settings.exclude))
    project.note_scripts(candidates)  # by name, before --changed-files narrows the list
    if settings.changed_files is not None:
        # A text scan decides which files could link to a changed file; only those are parsed.
        candidates = files_in_scope(settings.root, candidates, settings.changed_files)
    for rel in candidates:
        project.add_listed(rel)
    project.resolve_links()
    project.follow_requirement_includes()
    project.link_local_modules()
    project.link_sdk_usage()
    for link in settings.links:
        script = (settings.root / link.script).absolute()
        env = (settings.root / link.environment).absolute()
        try:
            both = script.is_file() and env.is_file()
        except (OSError, ValueError):  # a name the OS refuses (over NAME_MAX, NUL): nothing to link
            both = False
        if both:
            project.add_explicit_link(script, env, settings.config_path.name if settings.config_path else "config")
    project.settle_dockerfiles()  # once every link is known: Dockerfiles no AzureML asset builds leave
    return project


def _by_unit(project: Project, documents: list[Document]) -> list[Document]:
    """``documents`` with each scoring script moved right after the local modules it imports."""
    wanted = {d.rel: d for d in documents}
    order: list[Document] = []
    placed: set[str] = set()
    for doc in documents:
        if doc.kind.is_script:
            for link in project.links_from(doc.rel):
                module = wanted.get(link.target)
                if link.role == "module" and module is not None and module.rel not in placed:
                    placed.add(module.rel)
                    order.append(module)
        if doc.rel not in placed:
            placed.add(doc.rel)
            order.append(doc)
    return order


def _usable(doc: Document) -> bool:
    """A document the ordinary rules can look at: read, parsed, and not a template."""
    if doc.text is None:
        return False
    if doc.kind.is_yaml:
        return doc.yaml is not None and doc.template_marker is None
    if doc.kind in PYTHON_KINDS:
        return doc.script is not None and doc.script.ok
    return True


class Suppressions:
    """``# aml-lint: ignore[RULE]`` on a line, ``# aml-lint: ignore-file[RULE]`` anywhere."""

    def __init__(self, text: str | None) -> None:
        self.lines: dict[int, set[str]] = {}
        self.file: set[str] = set()
        if not text or "aml-lint" not in text:
            return
        for number, line in enumerate(text.splitlines(), start=1):
            for m in _SUPPRESS_RE.finditer(line):
                rules = {r.strip().upper() for r in (m.group("rules") or "").split(",") if r.strip()} or {ALL}
                if m.group("file"):
                    self.file |= rules
                else:
                    self.lines.setdefault(number, set()).update(rules)

    def hides(self, rule_id: str, line: int) -> bool:
        if ALL in self.file or rule_id in self.file:
            return True
        on_line = self.lines.get(line, set())
        return ALL in on_line or rule_id in on_line


def run(settings: Settings, rules: Iterable[Rule] | None = None) -> LintResult:
    started = time.perf_counter()
    project = discover(settings)
    selected = [r for r in (rules if rules is not None else all_rules()) if settings.rule_enabled(r.id)]
    scope: set[str] | None = None
    if settings.changed_files is not None:
        scope = project.neighbourhood(settings.changed_files)
    ctx = Context(project, settings)
    findings: list[Finding] = []
    suppressions: dict[str, Suppressions] = {}
    internal_errors: list[str] = []
    documents = [d for d in project.documents.values() if scope is None or d.rel in scope]
    # Document by document, every rule in turn, a scoring script right after the modules it
    # imports: per-file caches (a script's import aliases) are hit by every rule while the file
    # is current, and a unit's syntax trees, the largest thing a run holds, are let go when its
    # script is done (peak memory). A tree asked for again is parsed again.
    for doc in _by_unit(project, documents):
        usable: bool | None = None  # asked only when a rule wants it: it parses the file
        for rule in selected:
            if doc.kind not in rule.module.KINDS:
                continue
            if not getattr(rule.module, "ACCEPTS_BROKEN", False):
                if usable is None:
                    usable = _usable(doc)
                if not usable:
                    continue
            try:
                hits = list(rule.module.check(doc, ctx))
            except Exception as exc:  # a bug in a rule must not hide the other rules' findings
                internal_errors.append(f"rule {rule.id} failed on {doc.rel}: {type(exc).__name__}: {exc}")
                continue
            for hit in hits:
                finding = _finding(rule, hit, doc, settings)
                if finding is None:
                    continue
                if scope is not None and finding.path not in scope:
                    continue
                sup = suppressions.get(finding.path)
                if sup is None:
                    source = project.documents.get(finding.path)
                    sup = suppressions[finding.path] = Suppressions(source.text if source else None)
                if not sup.hides(finding.rule_id, finding.location.line):
                    findings.append(finding)
        if doc.kind.is_script:
            doc.release_tree()
            for link in project.links_from(doc.rel):
                module = project.documents.get(link.target)
                if link.role == "module" and module is not None:
                    module.release_tree()
    findings = _dedupe(findings)
    findings.sort(key=Finding.sort_key)
    return LintResult(
        findings=findings,
        rules={r.id: r.info for r in all_rules()},
        files_checked=len(documents),
        elapsed=time.perf_counter() - started,
        root=str(settings.root),
        internal_errors=internal_errors,
        sources={rel: fixed.text for f in findings if f.fix is not None for rel in f.fix.paths
                 if (fixed := project.documents.get(rel)) is not None and fixed.text is not None},
    )


def _finding(rule: Rule, hit: Hit, doc: Document, settings: Settings) -> Finding | None:
    severity = hit.severity or rule.info.severity
    if rule.id in settings.severity_overrides:
        override = settings.severity_overrides[rule.id]
        if override is None:
            return None
        severity = override
    return Finding(rule.id, Severity(severity), hit.message, hit.path or doc.rel,
                   hit.location or Location(), hit.related, hit.fix)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """The same problem reached twice (a conda file shared by two deployments) is reported once."""
    seen: set[tuple[str, str, int, int, str]] = set()
    out = []
    for f in findings:
        key = (f.rule_id, f.path, f.location.line, f.location.col, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
