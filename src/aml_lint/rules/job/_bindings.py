"""What the job rules share (not a rule: no ID): the commands a job document runs, the
`${{...}}` expressions in them, and where each expression sits in the file.

A command job runs its root `command:` with its root `inputs:`/`outputs:`; a sweep job runs
`trial.command` with the sweep's root `inputs:`/`outputs:` and `search_space:`; a pipeline job
runs each inline command step (`jobs.<name>.command`) with the step's own `inputs:`/`outputs:`;
a command component runs its root `command:` with its declared `inputs:`/`outputs:`.
"""

from __future__ import annotations

import bisect
import difflib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aml_lint.documents import Document, Kind
from aml_lint.documents.placeholders import is_placeholder
from aml_lint.documents.yaml_doc import Path_
from aml_lint.findings import Location

if TYPE_CHECKING:
    from aml_lint.rules.base import Context

# Every expression, as azure-ai-ml's get_all_data_binding_expressions reads it (spaces allowed).
EXPRESSION_RE = re.compile(r"\$\{\{\s*(\S*?)\s*\}\}")
# The spelling CommandJob._validate checks (no spaces), and the one it treats as optional:
# `[` then only word characters, dots, dashes and spaces, the expression, then `]` (`$[[--x ${{inputs.x}}]]`).
JOB_INPUT_RE = re.compile(r"\$\{\{inputs\.([\w\.-]+)\}\}")
JOB_OPTIONAL_RE = re.compile(r"\[[\w\.\s-]*\$\{\{inputs\.([\w\.-]+)\}\}\]")
# An optional part of a command: `$[[ ... ]]` (not nested).
OPTIONAL_PART_RE = re.compile(r"\$\[\[(.*?)\]\]", re.S)


@dataclass(frozen=True)
class Command:
    """One command a job document runs, and the declarations it may bind to."""

    role: str  # "job", "trial", "step" or "component"
    path: Path_  # where the command string is
    text: str
    io_base: Path_  # the mapping whose `inputs:` / `outputs:` the command binds to
    step: str | None = None  # the pipeline step's name

    @property
    def what(self) -> str:
        """How a message names the command's owner."""
        return {"job": "the job", "trial": "the sweep's trial", "component": "the component"}.get(
            self.role, f"step '{self.step}'")


def commands(doc: Document) -> Iterator[Command]:
    data = doc.data
    if not isinstance(data, dict):
        return
    if doc.kind in (Kind.COMMAND_JOB, Kind.COMMAND_COMPONENT):
        role = "job" if doc.kind is Kind.COMMAND_JOB else "component"
        if isinstance(data.get("command"), str):
            yield Command(role, ("command",), data["command"], ())
    elif doc.kind is Kind.SWEEP_JOB:
        trial = data.get("trial")
        if isinstance(trial, dict) and isinstance(trial.get("command"), str):
            yield Command("trial", ("trial", "command"), trial["command"], ())
    elif doc.kind is Kind.PIPELINE_JOB:
        for name, step in inline_steps(data):
            yield Command("step", ("jobs", name, "command"), step["command"], ("jobs", name), step=name)


def inline_steps(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The pipeline's inline command steps (a `command:` of their own, no `component:`)."""
    jobs = data.get("jobs")
    if not isinstance(jobs, dict):
        return
    for name, step in jobs.items():
        if (isinstance(name, str) and isinstance(step, dict) and isinstance(step.get("command"), str)
                and "component" not in step and step.get("type", "command") == "command"):
            yield name, step


def declared(doc: Document, base: Path_, which: str) -> set[str] | None:
    """The names declared under `<base>.<which>` ({} when the key is absent), or None when they
    cannot be known: not a mapping, or a name that is a placeholder a pipeline fills in."""
    value = doc.yaml.get((*base, which)) if doc.yaml is not None else None
    if value is None:
        return set()
    if not isinstance(value, dict):
        return None
    names = {str(k) for k in value}
    if any(is_placeholder(k) for k in names):
        return None
    return names


def location_in(doc: Document, path: Path_, token: str, nth: int = 0) -> Location:
    """Where the `nth` occurrence of `token` is inside the YAML value at `path`: the text between
    the value's start and end marks holds it verbatim (an expression has no escapes and, without
    spaces, is never folded), else the value's own position."""
    where = doc.yaml.loc(path) if doc.yaml is not None else Location()
    text = doc.text
    if text is None or not where.line or not where.end_line:
        return where
    starts = [0]  # offset of each line's first character
    for line_text in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line_text))
    if where.end_line > len(starts):
        return where
    begin = starts[where.line - 1] + where.col - 1
    end = starts[where.end_line - 1] + where.end_col - 1
    at = begin - 1
    for _ in range(nth + 1):
        at = text.find(token, at + 1, end)
        if at < 0:
            return where
    row = bisect.bisect_right(starts, at) - 1
    col = at - starts[row] + 1
    return Location(row + 1, col, row + 1, col + len(token))


def occurrences(text: str, pattern: re.Pattern[str]) -> Iterator[tuple[re.Match[str], int]]:
    """Each match with its rank among the matches of the same text (for location_in). An
    expression holding a placeholder a pipeline fills in (`${{inputs.$(name)}}`) is skipped:
    its name is not known yet."""
    seen: dict[str, int] = {}
    for m in pattern.finditer(text):
        rank = seen.get(m.group(), 0)
        seen[m.group()] = rank + 1
        if not is_placeholder(m.group(1)):
            yield m, rank


def inputs_without_default(doc: Document) -> Iterator[tuple[str, bool]]:
    """Each input a component declares without a `default:`, and whether it is `optional: true`."""
    inputs = doc.yaml.get(("inputs",)) if doc.yaml is not None else None
    if isinstance(inputs, dict):
        for name, spec in inputs.items():
            if isinstance(spec, dict) and spec.get("default") is None:
                yield str(name), truthy(spec.get("optional"))


def near(name: str, names: set[str]) -> str:
    """A message's "(did you mean 'x'?)" for a declared name close to `name`, or ""."""
    close = difflib.get_close_matches(name, sorted(names), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def local_component(doc: Document, ctx: Context, step: dict[str, Any]) -> Document | None:
    """The command component a pipeline step's `component:` names by local path, when aml-lint
    has read it (None for a registered component, a placeholder, a file not loaded)."""
    value = step.get("component")
    if not isinstance(value, str) or is_placeholder(value) or value.startswith(("azureml:", "azureml/")):
        return None
    rel_path = value[5:] if value.startswith("file:") else value
    target = Path(os.path.normpath(doc.path.parent / rel_path.strip()))
    try:
        rel = target.relative_to(ctx.project.root.absolute()).as_posix()
    except ValueError:
        return None
    component = ctx.project.documents.get(rel)
    if component is None or component.kind is not Kind.COMMAND_COMPONENT or component.yaml is None:
        return None
    return component


# What azure-ai-ml's marshmallow Boolean reads as true (`optional: "true"` is optional too).
_TRUTHY = {"t", "true", "on", "y", "yes", "1"}


def truthy(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value == 1
    return isinstance(value, str) and value.strip().lower() in _TRUTHY
