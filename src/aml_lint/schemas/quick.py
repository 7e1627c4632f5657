"""A quick yes/no: is a document valid against one of our schemas?

Most files in a pull request are valid, and jsonschema costs ~80 ms to import (its format
checkers compile dozens of regular expressions) before it validates anything. This module
answers "valid" for the keywords our own schemas use, without importing jsonschema; when it
says "not sure" (an invalid document, a keyword it does not know, a value of an odd type),
the caller asks jsonschema, which also explains the problems.

It may only ever err towards "not sure": a document it calls valid must be valid for
jsonschema too. tests/test_schema_quick.py checks that on every schema fixture and on
generated documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Schema = dict[str, Any]
Resolve = Callable[[str, Schema], "tuple[Schema, Schema]"]

# Keywords that only describe or name a schema: no effect on validity.
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description", "$comment",
                          "default", "examples"})
# Evaluated with their `if` (on their own they have no effect).
_CONDITIONAL = frozenset({"then", "else"})


def _is_type(value: Any, name: str) -> bool:
    # JSON types of YAML values, as jsonschema's draft 2020-12 type checker sees them:
    # booleans are not numbers, and 1.0 is an integer.
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if isinstance(value, bool):
        return False
    if name == "number":
        return isinstance(value, (int, float))
    if name == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    return False


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: True is not 1, and containers compare element by element."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
        return False
    return bool(a == b)


class Unsure(Exception):
    """The schema uses something this module does not evaluate: ask jsonschema."""


def is_valid(schema: Schema, instance: Any, root: Schema, resolve: Resolve, depth: int = 0) -> bool:
    """True when `instance` is valid against `schema`; False when it is not.

    `root` is the schema document `schema` sits in (for "#/$defs/..." references);
    `resolve(ref, root)` returns (target schema, its root). Raises Unsure for keywords it
    does not know, so the caller can fall back to a full validator.
    """
    if depth > 100:
        raise Unsure("nesting")  # a reference cycle in a schema, or a pathological document
    for key, value in schema.items():
        if key in _ANNOTATIONS or key in _CONDITIONAL:
            continue
        if key == "$ref":
            target, target_root = resolve(value, root)
            if not is_valid(target, instance, target_root, resolve, depth + 1):
                return False
        elif key == "type":
            names = value if isinstance(value, list) else [value]
            if not any(_is_type(instance, n) for n in names):
                return False
        elif key == "enum":
            if not any(_equal(instance, option) for option in value):
                return False
        elif key == "const":
            if not _equal(instance, value):
                return False
        elif key == "required":
            if isinstance(instance, dict) and any(k not in instance for k in value):
                return False
        elif key == "properties":
            if isinstance(instance, dict):
                for name, sub in value.items():
                    if name in instance and not is_valid(sub, instance[name], root, resolve, depth + 1):
                        return False
        elif key == "additionalProperties":
            if isinstance(instance, dict):
                known = schema.get("properties", {})
                if "patternProperties" in schema:
                    raise Unsure("patternProperties")
                extras = [k for k in instance if k not in known]
                if value is False and extras:
                    return False
                if isinstance(value, dict) and not all(
                        is_valid(value, instance[k], root, resolve, depth + 1) for k in extras):
                    return False
        elif key == "items":
            if "prefixItems" in schema:
                raise Unsure("prefixItems")
            if isinstance(instance, list) and not all(
                    is_valid(value, item, root, resolve, depth + 1) for item in instance):
                return False
        elif key == "minLength":
            if isinstance(instance, str) and len(instance) < value:
                return False
        elif key == "minimum":
            if _is_type(instance, "number") and instance < value:
                return False
        elif key == "maximum":
            if _is_type(instance, "number") and instance > value:
                return False
        elif key == "pattern":
            if isinstance(instance, str) and re.search(value, instance) is None:
                return False
        elif key == "dependentRequired":
            if isinstance(instance, dict) and any(
                    name in instance and any(d not in instance for d in needs) for name, needs in value.items()):
                return False
        elif key == "oneOf":
            if sum(1 for sub in value if is_valid(sub, instance, root, resolve, depth + 1)) != 1:
                return False
        elif key == "anyOf":
            if not any(is_valid(sub, instance, root, resolve, depth + 1) for sub in value):
                return False
        elif key == "propertyNames":
            if isinstance(instance, dict) and not all(
                    is_valid(value, name, root, resolve, depth + 1) for name in instance):
                return False
        elif key == "not":
            if is_valid(value, instance, root, resolve, depth + 1):
                return False
        elif key == "if":
            branch = schema.get("then" if is_valid(value, instance, root, resolve, depth + 1) else "else")
            if branch is not None and not is_valid(branch, instance, root, resolve, depth + 1):
                return False
        else:
            raise Unsure(key)
    return True
