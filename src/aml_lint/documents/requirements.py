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

from aml_lint.documents.placeholders import find_placeholder
from aml_lint.findings import Location


@dataclass(frozen=True, slots=True)
class Declared:
    """A package an environment installs, and where it is declared."""

    name: str  # PEP 503-normalized PyPI-side name
    spec: str  # the text as written, without --hash options (for messages)
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
    url: str | None = None  # direct reference: VCS URL, local path, archive, 'name @ url'
    egg: str | None = None  # the name a URL's '#egg=' fragment gives, normalized
    placeholder: str | None = None  # a pipeline placeholder in the line ('{{latest-pypi-version}}')

    @property
    def display(self) -> str:
        """The line as messages quote it: without its ``--hash`` options, one space between words."""
        return " ".join(_HASH_OPTION.sub(" ", self.text).split())

    @property
    def local(self) -> bool:
        """Installs a local folder or archive ('.', '-e .', './pkg[extra]', '/wheels/a.whl')."""
        return self.url is not None and not _REMOTE.match(self.url)

    @property
    def opaque(self) -> bool:
        """Installs something aml-lint cannot see into: a local path or a URL, named or not.

        What it brings (its own modules, its dependencies) is unknown here, so an import it
        may provide is 'unknown', never 'missing'.
        """
        # A placeholder in place of the package ('{{ extra_package }}') hides what it installs too.
        return self.url is not None or self.placeholder is not None and self.requirement is None


_OPTION_WITH_FILE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)")
_EDITABLE = re.compile(r"^(-e|--editable)(?:\s+|=)(\S+)")
_HASH_OPTION = re.compile(r"(?:^|\s)--hash(?:\s*=\s*|\s+)\S+")
# pip's own tests: a URL (a VCS scheme or http/https/file) ...
_REMOTE = re.compile(r"^(?:(?:git|hg|svn|bzr)\+[a-z]+://|(?:git|hg|svn|bzr)://|https?://|ftp://)", re.I)
_URL = re.compile(r"^(?:(?:git|hg|svn|bzr)\+[a-z]+:|(?:git|hg|svn|bzr)://|https?://|ftp://|file:)", re.I)
# ... a path (it holds a separator or starts with '.', as pip's _looks_like_path), or an archive file.
_PATHISH = re.compile(r"^(?:\.|~|/|[A-Za-z]:[\\/])|[\\/]")
_NOT_A_PATH = re.compile(r"""['"\s,]""")  # quoted list items ('pkg/x',) are not paths
_SHELL_REDIRECT = re.compile(r"^(?:\d*>>?|<|\d*>&|\||&&|;)")  # 2>/dev/null, >> log, | tee, && ...
_ARCHIVE = re.compile(r"\.(?:whl|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar|zip)$", re.I)
_NAME_AND_EXTRAS = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(?:\[[A-Za-z0-9._, -]*\])?")
_NAMED_URL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*@")  # 'name[extra] @ url'
_EGG = re.compile(r"(?:^|&)egg=([A-Za-z0-9][A-Za-z0-9._-]*)")


def parse_pip_line(text: str, location: Location) -> PipLine | None:
    """Parse one logical line the way pip reads requirements files; None for blanks and comments.

    Valid without being a named requirement: options (``--index-url``, ``-f``, ``--pre``,
    ``--no-binary``, ``--trusted-host``, ...), includes (``-r``/``-c``), editable installs
    (``-e .``), local paths (``.``, ``./pkg``, ``.[extra]``), archives, VCS and direct URLs
    (``git+https://...@ref#subdirectory=...&egg=name``); per-requirement options after the
    requirement (``--hash=...``) are ignored.
    """
    stripped = _strip_comment(text).strip()
    if not stripped or _SHELL_REDIRECT.match(stripped):
        return None  # blank, a comment, or shell syntax a Dockerfile RUN line put after pip's words
    m = _OPTION_WITH_FILE.match(stripped)
    if m:
        return PipLine(stripped, location, include=m.group(2), option=m.group(1))
    m = _EDITABLE.match(stripped)
    if m:
        return PipLine(stripped, location, url=m.group(2), option=m.group(1), egg=_egg(m.group(2)))
    if stripped.startswith("-"):
        return PipLine(stripped, location, option=stripped.split()[0].split("=")[0])
    # pip: the requirement ends where the first option starts (--hash=..., --config-settings ...).
    spec_text = re.split(r"\s+--?[A-Za-z]", stripped, maxsplit=1)[0].strip()
    head = spec_text.split("; ", 1)[0].split(" ;", 1)[0].strip()
    bare = _without_extras(head)
    pathish = _PATHISH.search(bare) and not _NOT_A_PATH.search(bare)
    if not _NAMED_URL.match(head) and (_URL.match(head) or _ARCHIVE.search(bare) or pathish):
        return PipLine(stripped, location, url=head, egg=_egg(head))
    try:
        req = Requirement(spec_text)
    except (InvalidRequirement, InvalidSpecifier) as exc:
        # packaging raises InvalidSpecifier, not InvalidRequirement, for some arbitrary-equality
        # specifier lists ('x===1,/y').
        placeholder = find_placeholder(spec_text)
        if placeholder is not None:  # 'numpy=={{version}}': the package is known, its version is not yet
            name = _NAME_AND_EXTRAS.match(spec_text)
            named = Requirement(name.group()) if name and placeholder not in name.group() else None
            return PipLine(stripped, location, requirement=named, placeholder=placeholder)
        return PipLine(stripped, location, error=_clean_error(str(exc)))
    except RecursionError:  # packaging parses markers recursively: "x; ((((((..." runs out of stack
        return PipLine(stripped, location, error="markers nested too deeply to parse")
    return PipLine(stripped, location, requirement=req, url=req.url)


def _without_extras(path: str) -> str:
    return re.sub(r"\[[^\]]*\]$", "", path)


def _egg(url: str) -> str | None:
    fragment = url.partition("#")[2]
    m = _EGG.search(fragment)
    return canonicalize_name(m.group(1)) if m else None


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
        spec=line.display,
        path=path,
        location=line.location,
        source=source,
        specifier=str(req.specifier),
        extras=tuple(sorted(req.extras)),
    )


@dataclass(frozen=True, slots=True)
class Unparseable:
    """A requirements file pip cannot read at all: what it looks like, and its first bad line."""

    shape: str  # "python-list", "json", "conda-list", "comma-separated", "docstring" or "other"
    first: PipLine
    bad: int  # how many lines fail to parse


@dataclass
class RequirementsFile:
    path: str
    lines: list[PipLine] = field(default_factory=list)
    opening: str = ""  # first non-blank character of the file

    @cached_property  # asked by several rules: 6 parses of a long list were 6x the time
    def declared(self) -> list[Declared]:
        return [d for line in self.lines if (d := declared_from(line, self.path, "pip"))]

    @property
    def includes(self) -> list[PipLine]:
        return [line for line in self.lines if line.include]

    @cached_property
    def unparseable(self) -> Unparseable | None:
        """The file as a whole is not in requirements format (one finding, not one per line).

        So judged when it opens like JSON or a Python list, when no line installs anything and
        two or more lines fail, or when three or more lines fail and every failing line is a
        quoted or comma-terminated list item.
        """
        bad = [line for line in self.lines if line.error]
        if not bad:
            return None
        installs = [line for line in self.lines if line.requirement is not None or line.url]
        fences = [line.location.line for line in bad if line.text.startswith(('"""', "'''"))]
        if len(fences) >= 2 and all(fences[0] <= line.location.line <= fences[-1] for line in bad):
            return Unparseable("docstring", bad[0], len(bad))  # comments wrapped in a Python docstring
        items = [line for line in bad if _LIST_ITEM.search(line.text)]
        whole = (self.opening in ("[", "{") or len(bad) >= 2 and not installs
                 or len(bad) >= 3 and len(items) == len(bad))
        if not whole:
            return None
        if self.opening == "{":
            shape = "json"
        elif self.opening == "[" or any(line.text[:1] in "'\"" for line in items):
            shape = "python-list"
        elif all(_CONDA_EXPORT.match(line.text) for line in bad):
            shape = "conda-list"
        elif items:
            shape = "comma-separated"
        else:
            shape = "other"
        return Unparseable(shape, bad[0], len(bad))


# 'numpy', | "numpy==1.2", | numpy, | ["numpy", ...
_LIST_ITEM = re.compile(r"""^\s*[\[(]?\s*['"].*['"]\s*[,\])]?\s*$|,\s*$""")
_CONDA_EXPORT = re.compile(r"^[A-Za-z0-9_.-]+=[^=\s]+=[^=\s]+$")


def read_requirements(text: str, path: str) -> RequirementsFile:
    stripped = text.lstrip()
    result = RequirementsFile(path, opening=stripped[:1])
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
