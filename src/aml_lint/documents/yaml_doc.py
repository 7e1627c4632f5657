"""YAML read with positions: plain Python data plus the line/column of every key and value.

PyYAML's composer gives nodes with marks; we build the data ourselves so that
we can (1) remember where each key and value sits, (2) report duplicate keys,
which PyYAML (and AzureML) silently resolve to the last one, and (3) refuse
alias bombs and absurd nesting instead of expanding them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from aml_lint.documents.placeholders import find_placeholder
from aml_lint.findings import WHOLE_FILE, Location

try:  # libyaml when available: several times faster.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path_ = tuple[str | int, ...]

MAX_NODES = 200_000  # expanded nodes per document; an alias bomb exceeds this quickly
MAX_DEPTH = 200  # nesting levels; real AzureML files use fewer than 10
_FLOW_DEPTH_RE = re.compile(r"[\[\]{}]")
_SCALAR_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_NULL = "tag:yaml.org,2002:null"
# `key: #{name}#` (replace-tokens) is a YAML comment: the value reads as empty, the token follows.
_TOKEN_AFTER_RE = re.compile(r"[ \t]*(#\{[^{}\n]+\}#)")


class YamlReadError(Exception):
    """The text is not YAML we can use; ``location`` points at the problem when known."""

    def __init__(self, message: str, location: Location = WHOLE_FILE) -> None:
        super().__init__(message)
        self.location = location

    @property
    def over_limit(self) -> bool:
        """An alias bomb or absurd nesting (hostile input), rather than a plain syntax error."""
        return not str(self).startswith("invalid YAML")


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    path: Path_
    key: str
    first: Location
    again: Location


@dataclass
class YamlDoc:
    data: Any
    keys: dict[Path_, Location] = field(default_factory=dict)
    values: dict[Path_, Location] = field(default_factory=dict)
    duplicates: list[DuplicateKey] = field(default_factory=list)

    def loc(self, path: Path_, *, key: bool = False) -> Location:
        """Where ``path`` is; falls back to the nearest ancestor that exists."""
        path = tuple(path)
        while True:
            table = self.keys if key else self.values
            if path in table:
                return table[path]
            if not key and path in self.keys:
                return self.keys[path]
            if not path:
                return Location(1, 1)
            path = path[:-1]
            key = True

    def placeholder(self, path: Path_) -> str | None:
        """The placeholder in the string value at ``path`` (``$(count)``, ``{{ name }}``), or None."""
        return find_placeholder(self.get(path))

    def get(self, path: Path_, default: Any = None) -> Any:
        node: Any = self.data
        for part in path:
            if isinstance(node, list) and isinstance(part, int) and -len(node) <= part < len(node):
                node = node[part]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                return default
        return node


def _mark(node: yaml.Node) -> Location:
    start, end = node.start_mark, node.end_mark
    return Location(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _flow_depth(text: str) -> int:
    """Upper bound of flow nesting ('[' and '{'), ignoring quoting: a cheap guard, not a parser."""
    depth = worst = 0
    for m in _FLOW_DEPTH_RE.finditer(text):
        if m.group() in "[{":
            depth += 1
            worst = max(worst, depth)
        else:
            depth = max(0, depth - 1)
    return worst


def _is_empty(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _NULL and node.value == "" and not node.style


def _jinja_name(node: yaml.Node) -> str | None:
    """``x`` when the node is an unquoted ``{{ x }}``, which YAML reads as a flow mapping whose only
    key is the flow mapping ``{x: null}``."""
    if not (isinstance(node, yaml.MappingNode) and node.flow_style and len(node.value) == 1):
        return None
    inner, value = node.value[0]
    if not (_is_empty(value) and isinstance(inner, yaml.MappingNode) and inner.flow_style
            and len(inner.value) == 1):
        return None
    name, empty = inner.value[0]
    if isinstance(name, yaml.ScalarNode) and not name.style and _is_empty(empty):
        return str(name.value)
    return None


class _Builder:
    def __init__(self, doc: YamlDoc, lines: list[str]) -> None:
        self.doc = doc
        self.lines = lines
        self.count = 0

    def _token_after(self, node: yaml.Node) -> str | None:
        """A ``#{name}#`` token right where an empty value starts, on the same line."""
        line = node.start_mark.line
        if line >= len(self.lines):
            return None
        m = _TOKEN_AFTER_RE.match(self.lines[line], node.start_mark.column)
        return m.group(1) if m else None

    def build(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlReadError(
                f"the document expands to more than {MAX_NODES:,} nodes (alias bomb?); not read",
                _mark(node),
            )
        if depth > MAX_DEPTH:
            raise YamlReadError(f"nested more than {MAX_DEPTH} levels deep; not read", _mark(node))
        self.doc.values.setdefault(path, _mark(node))
        if isinstance(node, yaml.ScalarNode):
            if _is_empty(node) and "#{" in self.lines[min(node.start_mark.line, len(self.lines) - 1)]:
                token = self._token_after(node)
                if token is not None:
                    return token  # a placeholder for the pipeline to fill in, not an empty value
            return self.scalar(node)
        if isinstance(node, yaml.MappingNode) and node.flow_style:
            name = _jinja_name(node)
            if name is not None:
                return "{{ " + name + " }}"  # `name: {{ name }}` unquoted is a placeholder too
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        raise YamlReadError(f"unsupported YAML node {type(node).__name__}", _mark(node))

    @staticmethod
    def scalar(node: yaml.ScalarNode) -> Any:
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # keep dates as text: schemas and messages want the user's spelling
        constructor = _SCALAR_CONSTRUCTOR.yaml_constructors.get(node.tag)
        if constructor is None:
            return node.value
        try:
            return constructor(_SCALAR_CONSTRUCTOR, node)
        except (yaml.YAMLError, ValueError, TypeError):
            return node.value

    def mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_seen: dict[Any, Location] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged = self.build(value_node, path, depth + 1)
                for item in merged if isinstance(merged, list) else [merged]:
                    if isinstance(item, dict):
                        for k, v in item.items():
                            result.setdefault(k, v)
                continue
            if isinstance(key_node, yaml.ScalarNode):
                key = self.scalar(key_node)
            else:
                key = f"<{type(key_node).__name__.removesuffix('Node').lower()} key>"
            if not isinstance(key, (str, int, float, bool)) or key is None:
                key = str(key)
            key_loc = _mark(key_node)
            child_path = (*path, key if isinstance(key, (str, int)) else str(key))
            if key in first_seen:
                self.doc.duplicates.append(DuplicateKey(path, str(key), first_seen[key], key_loc))
                # Last one wins, as in PyYAML and AzureML; point positions at it.
                self.doc.values.pop(child_path, None)
            first_seen[key] = key_loc
            self.doc.keys[child_path] = key_loc
            result[key] = self.build(value_node, child_path, depth + 1)
        return result


def load_yaml(text: str) -> YamlDoc:
    """Parse one YAML document with positions. Raises YamlReadError with a location."""
    if _flow_depth(text) > MAX_DEPTH:
        raise YamlReadError(f"nested more than {MAX_DEPTH} levels deep; not read")
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or str(exc)
        if exc.context == "while scanning a simple key" and exc.context_mark is not None:
            # PyYAML points past the end of the text; the line at fault is where the "key" began.
            mark = exc.context_mark
            problem = "this line is neither 'key: value' nor a list item '- value' (a missing ':' or '- ')"
        elif exc.context:
            problem = f"{problem} ({exc.context})"
        loc = Location(mark.line + 1, mark.column + 1) if mark else Location()
        raise YamlReadError(f"invalid YAML: {problem}", loc) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise YamlReadError(f"invalid YAML: {exc}") from None
    doc = YamlDoc(data=None)
    if node is None:
        return doc
    try:
        doc.data = _Builder(doc, text.splitlines() or [""]).build(node, (), 0)
    except RecursionError:
        raise YamlReadError(f"nested more than {MAX_DEPTH} levels deep; not read") from None
    return doc
