"""Values that CI sets at deploy time: ``az ml <asset> create --file X.yml --set key=value``.

A release script may deploy a YAML whose paths only make sense on the build agent, and
replace them on the command line (``--set code_configuration.code=$WORKSPACE/src``). The
value written in the YAML is then never used, so a missing path there is not a failure.

One text scan, done only when asked (when some path is missing): the repository's scripts and
CI pipelines, chosen by name while the workspace is listed (``Project.note_scripts``: shell,
PowerShell, batch, Jenkins, workflow and pipeline YAML), are read once per run through the
project, and only those that mention ``az ml`` and ``--set`` are parsed. No subprocess, no
second walk.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
import shlex
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aml_lint.graph import Project

_AZ_ML = re.compile(r"\baz\s+ml\s+[\w-]+(?:\s+[\w-]+)?\s+(?:create|update)\b")
# Shell, pipeline and template variables in a --file value: any text once the script runs.
_VARIABLE = re.compile(r"\$\{[^}]*\}|\$\([^)]*\)|\$\w+|\{\{[^}]*\}\}|%\w+%|#\{[^}]*\}#|@\w+@")
_MAX_COMMAND = 8192  # one command line; shlex is slow on a long one


@dataclass(frozen=True, slots=True)
class SetOverride:
    """One ``az ml ... --file FILE --set KEY=VALUE ...`` command."""

    script: str  # repository-relative file holding the command
    file: str  # the --file value as written
    keys: tuple[str, ...]  # the keys it sets ('code_configuration.code')


def parse_overrides(text: str, script: str) -> list[SetOverride]:
    """The ``az ml ... create|update --file X --set k=v`` commands of a script's text."""
    if "--set" not in text or not _AZ_ML.search(text):
        return []
    text = re.sub(r"[\\`]\r?\n", " ", text)  # shell and PowerShell line continuations
    out: list[SetOverride] = []
    for line in text.splitlines():
        for m in _AZ_ML.finditer(line):
            command = re.split(r"&&|\|\||;|\s\|\s|\s#", line[m.end():m.end() + _MAX_COMMAND])[0]
            if "--set" not in command:
                continue
            try:
                words = shlex.split(command) if "'" in command or '"' in command else command.split()
            except ValueError:  # a quote opened before 'az ml' (Groovy sh "...", YAML '...')
                words = command.split()
            words = [w.strip("\"'") for w in words]
            file, keys = _file_and_keys(words)
            if file and keys:
                out.append(SetOverride(script, file, tuple(keys)))
    return out


def _file_and_keys(words: list[str]) -> tuple[str | None, list[str]]:
    file: str | None = None
    keys: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        name, eq, value = word.partition("=")
        if name in ("-f", "--file"):
            if eq:
                file = value
            elif i + 1 < len(words):
                file = words[i + 1]
                i += 1
        elif name == "--set":
            pairs = [value] if eq else []
            # '--set a=1 b=2': every following 'key=value' word until the next option
            while i + 1 < len(words) and "=" in words[i + 1] and not words[i + 1].startswith("-"):
                pairs.append(words[i + 1])
                i += 1
            keys += [p.partition("=")[0].strip() for p in pairs if p.partition("=")[0].strip()]
        i += 1
    return file, keys


def names_file(override: SetOverride, yaml_rel: str, script_text: str) -> bool:
    """True when the command's ``--file`` is the YAML at ``yaml_rel``.

    A literal path is resolved from the script's folder or the repository root (where CI jobs
    start), or matched as a tail of the YAML's path when it names a folder too. Variables match
    any text (``$WORKSPACE/$dir/$prefix-online-endpoint.yml``); a file name that is nothing but a
    variable (``$file``) matches only a YAML whose name the script also mentions.
    """
    pattern = override.file.replace("\\", "/")
    if _VARIABLE.search(pattern) is None:
        path = posixpath.normpath(pattern)
        if "/" in path.lstrip("./"):
            tail = re.sub(r"^(?:\.\.?/)+", "", path)
            if yaml_rel == tail or yaml_rel.endswith("/" + tail):
                return True
        folder = override.script.rpartition("/")[0]
        return yaml_rel in (path, posixpath.normpath(posixpath.join(folder, pattern)))
    # Leading folders that are only variables ($WORKSPACE/$dir/...) may stand for any depth, or none.
    glob = re.sub(r"^(?:(?:\.\.?|\*)/)+", "", _VARIABLE.sub("*", pattern))
    stem = re.sub(r"\.ya?ml$", "", glob.rpartition("/")[2]).replace("*", "")
    if len(stem) < 3 and yaml_rel.rpartition("/")[2] not in script_text:
        return False
    return fnmatch.fnmatchcase(yaml_rel, glob) or fnmatch.fnmatchcase(yaml_rel, "*/" + glob)


_SCANNED: weakref.WeakKeyDictionary[Project, list[tuple[SetOverride, str]]] = weakref.WeakKeyDictionary()


def _scan(project: Project) -> list[tuple[SetOverride, str]]:
    """Every ``--set`` command of the project's scripts, with its script's text (parsed once)."""
    if project not in _SCANNED:
        _SCANNED[project] = [(o, text) for rel, text in project.scripts() for o in parse_overrides(text, rel)]
    return _SCANNED[project]


def overriding(project: Project, yaml_rel: str, key: str) -> tuple[SetOverride, str] | None:
    """(command, the key it sets) of a script that sets ``key`` (or a key above it) of the YAML
    at ``yaml_rel`` at deploy time; None when nothing does."""
    for override, text in _scan(project):
        hit = next((k for k in override.keys if key == k or key.startswith(k + ".")), None)
        if hit is not None and names_file(override, yaml_rel, text):
            return override, hit
    return None
