"""Conda environment files (``channels`` / ``dependencies`` / nested ``pip:`` list).

The same reader serves a conda file on disk and a ``conda_file:`` written inline
in an AzureML environment YAML: it takes a YamlDoc and the path of the conda
mapping inside it, so positions always point into the real file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from packaging.utils import canonicalize_name

from aml_lint.documents.requirements import Declared, PipLine, declared_from, parse_pip_line
from aml_lint.documents.yaml_doc import Path_, YamlDoc
from aml_lint.findings import Location

# [channel::]name[ version[ build]] | name=version[=build] | name>=version[,<version] ...
_VERSION = r"(?:==|>=|<=|!=|~=|>|<|=)?\s*[0-9A-Za-z*][0-9A-Za-z.*+!_]*"
_MATCH_SPEC = re.compile(
    r"^(?:(?P<channel>[A-Za-z0-9_./:-]+)::)?(?P<name>[A-Za-z0-9_][A-Za-z0-9_.\-]*)(?:\[[^\]]*\])?"
    rf"(?P<rest>\s*{_VERSION}(?:\s*[,|]\s*{_VERSION})*(?:[=\s]\s*[A-Za-z0-9_.*+]+)?)?\s*$"
)


@dataclass(frozen=True, slots=True)
class CondaDep:
    text: str
    name: str  # conda-side name, lower case ("pytorch", "py-xgboost")
    version: str  # version part as written ("=1.2", ">=2", "1.2.*"), "" when none
    location: Location
    valid: bool = True


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
    m = _MATCH_SPEC.match(text.strip())
    if not m:
        return CondaDep(text, text.strip().lower(), "", location, valid=False)
    rest = (m.group("rest") or "").strip()
    return CondaDep(text, m.group("name").lower(), rest, location)


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


def conda_name_key(name: str) -> str:
    """Conda names compared case-insensitively with '-'/'_' folded (as PyPI names are)."""
    return canonicalize_name(name)
