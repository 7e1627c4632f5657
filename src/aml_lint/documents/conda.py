"""Conda environment files (``channels`` / ``dependencies`` / nested ``pip:`` list).

The same reader serves a conda file on disk and a ``conda_file:`` written inline
in an AzureML environment YAML: it takes a YamlDoc and the path of the conda
mapping inside it, so positions always point into the real file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property

from aml_lint.documents.requirements import Declared, PipLine, declared_from, parse_pip_line
from aml_lint.documents.yaml_doc import Path_, YamlDoc
from aml_lint.findings import Location


@dataclass(frozen=True, slots=True)
class CondaDep:
    text: str
    name: str  # conda-side name, lower case ("pytorch", "py-xgboost")
    version: str  # version constraint without spaces or build ("=1.2", ">=2,<3", "1.2.*"), "" when none
    location: Location
    valid: bool = True
    build: str = ""  # build string ("py38h1234_0", "*cuda*"), "" when none
    channel: str = ""  # "conda-forge", "conda-forge/linux-64", a channel URL; "" when none
    error: str = ""  # why conda rejects it, when not valid


@dataclass
class CondaEnv:
    path: str
    base: Path_
    name: str | None = None
    channels: list[str] = field(default_factory=list)
    conda_deps: list[CondaDep] = field(default_factory=list)
    pip_lines: list[PipLine] = field(default_factory=list)
    pip_list_location: Location | None = None
    shape_ok: bool = True

    @property
    def python(self) -> list[CondaDep]:
        return [d for d in self.conda_deps if d.name == "python"]

    @property
    def has_pip(self) -> bool:
        return any(d.name == "pip" for d in self.conda_deps)

    @cached_property  # asked by several rules: 6 parses of a long list were 6x the time
    def pip_declared(self) -> list[Declared]:
        return [d for line in self.pip_lines if (d := declared_from(line, self.path, "pip"))]


def parse_match_spec(text: str, location: Location) -> CondaDep:
    """Read a conda match spec the way conda's MatchSpec does (conda/models/match_spec.py).

    ``[channel[/subdir]::]name[ ]*[op]version[ [=]build][[key=value, ...]]``: spaces may sit
    between the name, the operator and the version (``PyJWT < 2.0.0``, ``numpy >=1.20``,
    ``python = 3.8``); a build follows the version after a space or '=' (``numpy 1.21.2
    py38h1234_0``, ``numpy=1.21.2=py38h1234_0``); brackets override the parts
    (``numpy[version='>=1.20',build=py38*]``); versions combine with ',' (and) and '|' (or).
    A package file or URL (``.conda``, ``.tar.bz2``) names its package in the file name.
    """
    spec = text.split("#", 1)[0].split(" if ", 1)[0].strip()
    invalid = CondaDep(text, text.strip().lower(), "", location, valid=False)
    if not spec:
        return replace(invalid, error="no package name")
    if spec.startswith("-"):  # conda takes '-r x.txt' for a package named '-r' and finds none
        return replace(invalid, error="a pip option in the conda list belongs under '- pip:'")
    if _PACKAGE_FILE.search(spec):
        name = spec.rstrip("/").rsplit("/", 1)[-1]
        name = _PACKAGE_FILE.sub("", name).rsplit("-", 2)[0]
        return CondaDep(text, name.lower(), "", location)
    brackets: dict[str, str] = {}
    m = _BRACKETS.match(spec)
    if m:
        spec = spec.replace(m.group(1), "")
        for pair in _BRACKET_PAIR.finditer(m.group(1)[1:-1]):
            key, value = pair.group(1), pair.group(3)
            if not value:
                return replace(invalid, error=f"no value for '{key}' in brackets")
            brackets[key] = value
    channel = ""
    parts = spec.rsplit(":", 2)
    if len(parts) == 3:
        channel, spec = parts[0], parts[2]
    elif len(parts) == 2:
        spec = parts[1]
    m = _NAME.match(spec)
    if not m or not m.group(1):
        return replace(invalid, error="no package name")
    name, rest = m.group(1), (m.group(2) or "").strip()
    if "[" in rest:
        return replace(invalid, name=name.lower(), error="more than one bracket section")
    version, build = _version_and_build(rest)
    version = brackets.get("version", version).replace(" ", "")
    build = brackets.get("build", build)
    channel = brackets.get("channel", channel)
    error = version_error(version)
    if error:
        return replace(invalid, name=name.lower(), version=version, error=error)
    return CondaDep(text, name.lower(), version, location, build=build, channel=channel)


def version_error(version: str) -> str:
    """Why conda's VersionSpec rejects a version constraint, or "" (it accepts it).

    Terms joined by ',' (and) and '|' (or), grouped by parentheses; each term is '*', a
    version with an optional trailing '*', or an operator (==, !=, <=, >=, ~=, <, >, =) and a
    version; '^...$' is a regular expression. Versions hold letters, digits and ``._+!*-``.
    """
    if not version or version.startswith("^") or version.endswith("$"):
        return ""
    for term in re.split(r"[,|]", version.replace("(", "").replace(")", "")):
        if not term:
            return f"an empty term in '{version}'"
        m = _TERM.match(term)
        if not m:
            return f"'{term}' is not a version constraint"
    return ""


def _version_and_build(text: str) -> tuple[str, str]:
    """Split what follows the name into (version without spaces, build).

    The build is the last word, after a space or '=' that does not follow an operator or a
    ',' / '|', holding none of ``-=,|<>~`` ('=1.2.3 0', '1.2.3=0', '>=1.0 , < 2.0 py34_0').
    """
    if not text:
        return "", ""
    for i in range(1, len(text)):
        if text[i] in " =" and text[i - 1] not in "=!|,<>~ " and not _NOT_BUILD.search(text[i + 1:]):
            build = text[i + 1:].strip()
            if build:
                return text[:i].replace(" ", ""), build
    return text.replace(" ", ""), ""


_PACKAGE_FILE = re.compile(r"\.(?:conda|tar\.bz2)$")
_BRACKETS = re.compile(r".*(\[.*\])")  # conda keeps the last bracket section
_BRACKET_PAIR = re.compile(r"""([A-Za-z0-9_-]+?)=(["']?)([^'"]*?)\2(?:[, ]|$)""")
_NAME = re.compile(r"([^ =<>!~]+)?([><!=~ ].*)?$")
_NOT_BUILD = re.compile(r"[-=,|<>~]")
_TERM = re.compile(r"^(?:(?:==|!=|<=|>=|~=|<|>|=)(?![=<>!~]))?[0-9A-Za-z._+!*-]+$")


def read_conda(doc: YamlDoc, path: str, base: Path_ = ()) -> CondaEnv:
    env = CondaEnv(path=path, base=base)
    data = doc.get(base)
    if not isinstance(data, dict):
        env.shape_ok = False
        return env
    if isinstance(data.get("name"), str):
        env.name = data["name"]
    channels = data.get("channels")
    if isinstance(channels, list):
        env.channels = [str(c) for c in channels]
    deps = data.get("dependencies")
    if not isinstance(deps, list):
        env.shape_ok = deps is None
        return env
    for i, item in enumerate(deps):
        loc = doc.loc((*base, "dependencies", i))
        if isinstance(item, str):
            env.conda_deps.append(parse_match_spec(item, loc))
        elif isinstance(item, (int, float)):
            env.conda_deps.append(CondaDep(str(item), str(item), "", loc, valid=False))
        elif isinstance(item, dict) and isinstance(item.get("pip"), list):
            env.pip_list_location = doc.loc((*base, "dependencies", i, "pip"), key=True)
            for j, line in enumerate(item["pip"]):
                line_loc = doc.loc((*base, "dependencies", i, "pip", j))
                parsed = parse_pip_line(str(line), line_loc) if line is not None else None
                if parsed:
                    env.pip_lines.append(parsed)
        else:
            env.shape_ok = False
    return env
