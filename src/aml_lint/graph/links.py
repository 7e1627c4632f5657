"""Links between files, and the problems met while resolving them."""

from __future__ import annotations

from dataclasses import dataclass, field

from aml_lint.documents.yaml_doc import Path_
from aml_lint.findings import Location, Severity


@dataclass(frozen=True, slots=True)
class Link:
    source: str  # repo-relative file that names the target
    target: str  # repo-relative file or folder
    role: str  # code | scoring_script | conda_file | build | dockerfile | model | environment | requirements | module
    key: Path_ = ()  # where in the source (YAML path); () for non-YAML sources
    location: Location = field(default_factory=Location)


@dataclass(frozen=True, slots=True)
class LinkProblem:
    source: str
    role: str
    value: str
    location: Location
    message: str
    severity: Severity = Severity.ERROR
    target: str | None = None  # repository-relative path it resolved to, when it is missing
    missing_folder: str | None = None  # the outermost missing folder holding ``target``, if any
    from_root: str | None = None  # what to write instead when the path was written from a folder above
    written_from: str | None = None  # that folder ("" for the repository root)
