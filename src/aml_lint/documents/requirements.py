"""pip requirement lines, from requirements files, conda ``pip:`` lists and Dockerfile RUN lines.

One parser for all three, so that a package is the same thing wherever it was
declared: a normalized name, the specifier text and where it was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier
from packaging.utils import canonicalize_name

from aml_lint.findings import Location


@dataclass(frozen=True, slots=True)
class Declared:
    """A package an environment installs, and where it is declared."""

    name: str  # PEP 503-normalized PyPI-side name
    spec: str  # the text as written (for messages)
    path: str  # repo-relative file
    location: Location
    source: str  # "pip" | "conda" | "dockerfile"
    specifier: str = ""  # PEP 440 specifier ("==1.2", ">=2") when known
    extras: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PipLine:
    text: str
    location: Location
    requirement: Requirement | None = None
    include: str | None = None  # -r / -c target
    error: str | None = None  # why it is not a valid requirement
    option: str | None = None  # --index-url etc.
    url: str | None = None  # direct reference: VCS URL, local path, wheel file


_OPTION_WITH_FILE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)")
_EDITABLE = re.compile(r"^(-e|--editable)(?:\s+|=)(\S+)")
_URLISH = re.compile(r"^(git\+|hg\+|svn\+|bzr\+|https?://|file:|\.{0,2}/)|\.(whl|tar\.gz|zip)$")


def parse_pip_line(text: str, location: Location) -> PipLine | None:
    """Parse one logical line; None for blank lines and comments."""
    stripped = _strip_comment(text).strip()
    if not stripped:
        return None
    m = _OPTION_WITH_FILE.match(stripped)
    if m:
        return PipLine(stripped, location, include=m.group(2), option=m.group(1))
    m = _EDITABLE.match(stripped)
    if m:
        return PipLine(stripped, location, url=m.group(2), option=m.group(1))
    if stripped.startswith("-"):
        return PipLine(stripped, location, option=stripped.split()[0])
    if _URLISH.search(stripped.split(";")[0].strip()):
        return PipLine(stripped, location, url=stripped)
    # pip accepts per-requirement options after the spec (--hash=...); drop them.
    spec_text = re.split(r"\s+--?\w", stripped, maxsplit=1)[0].strip()
    try:
        req = Requirement(spec_text)
    except (InvalidRequirement, InvalidSpecifier) as exc:
        # packaging raises InvalidSpecifier, not InvalidRequirement, for some arbitrary-equality
        # specifier lists ('x===1,/y').
        return PipLine(stripped, location, error=_clean_error(str(exc)))
    except RecursionError:  # packaging parses markers recursively: "x; ((((((..." runs out of stack
        return PipLine(stripped, location, error="markers nested too deeply to parse")
    return PipLine(stripped, location, requirement=req)


def _strip_comment(text: str) -> str:
    # pip: a comment starts at '#' at line start or after whitespace.
    return re.split(r"(?:^|\s)#", text, maxsplit=1)[0]


def _clean_error(message: str) -> str:
    return message.splitlines()[0].strip().rstrip(".")


def declared_from(line: PipLine, path: str, source: str) -> Declared | None:
    if line.requirement is None:
        return None
    req = line.requirement
    return Declared(
        name=canonicalize_name(req.name),
        spec=line.text,
        path=path,
        location=line.location,
        source=source,
        specifier=str(req.specifier),
        extras=tuple(sorted(req.extras)),
    )


@dataclass
class RequirementsFile:
    path: str
    lines: list[PipLine] = field(default_factory=list)

    @cached_property  # asked by several rules: 6 parses of a long list were 6x the time
    def declared(self) -> list[Declared]:
        return [d for line in self.lines if (d := declared_from(line, self.path, "pip"))]

    @property
    def includes(self) -> list[PipLine]:
        return [line for line in self.lines if line.include]


def read_requirements(text: str, path: str) -> RequirementsFile:
    result = RequirementsFile(path)
    pending = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        line = pending + raw
        pending = ""
        col = len(line) - len(line.lstrip()) + 1
        parsed = parse_pip_line(line, Location(start, col, start, len(line.rstrip()) + 1))
        if parsed:
            result.lines.append(parsed)
    return result
