"""The JSON schemas we write for AzureML and conda files, and turning their errors into findings.

Schemas are draft 2020-12 files beside this module, sharing ``common.schema.json``.
Validators are compiled once per process. Each jsonschema error becomes one
problem with a plain message and the YAML path it is about; unknown keys get a
"did you mean" suggestion, as the AzureML CLI rejects them (``unknown = RAISE``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aml_lint.documents import Kind
from aml_lint.schemas import quick

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

SCHEMA_FILES = {
    Kind.ENVIRONMENT: "environment.schema.json",
    Kind.ONLINE_DEPLOYMENT: "managedOnlineDeployment.schema.json",
    Kind.K8S_DEPLOYMENT: "kubernetesOnlineDeployment.schema.json",
    Kind.BATCH_DEPLOYMENT: "modelBatchDeployment.schema.json",
    Kind.PIPELINE_BATCH_DEPLOYMENT: "pipelineComponentBatchDeployment.schema.json",
    Kind.CONDA: "conda.schema.json",
    Kind.COMMAND_JOB: "commandJob.schema.json",
    Kind.SWEEP_JOB: "sweepJob.schema.json",
    Kind.PIPELINE_JOB: "pipelineJob.schema.json",
    Kind.COMMAND_COMPONENT: "commandComponent.schema.json",
}
# Definitions the kinds' schemas share (referenced as "<file>#/$defs/<name>").
SHARED_FILES = ("common.schema.json", "jobCommon.schema.json")


@dataclass(frozen=True)
class SchemaProblem:
    message: str
    path: tuple[str | int, ...]
    on_key: bool = False  # point at the key (unknown key) rather than the value
    missing: tuple[str, ...] = ()  # the required keys that are absent, for a "missing" problem
    coerced: bool = False  # a quoted number where a number is expected: the CLI converts it
    truncated: bool = False  # a fraction where an integer is expected: the CLI truncates it (2.5 -> 2)
    close: tuple[str, ...] = ()  # an unknown key's close matches among the allowed keys (at most 2)
    required: bool = False  # an unknown key whose close match is a required key that is missing


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A schema file beside this module, read once (do not modify the returned dict: it is shared)."""
    # Not importlib.resources: its imports would cost ~10 ms at every start.
    text = (Path(__file__).parent / name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def validator(kind: Kind) -> Validator:
    # Imported here: jsonschema costs ~50 ms to import and `--version` must not pay for it.
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    registry: Registry[Any] = Registry()
    for name in set(SCHEMA_FILES.values()) | set(SHARED_FILES):
        schema = load_schema(name)
        registry = registry.with_resource(schema["$id"], Resource.from_contents(schema))
    schema = load_schema(SCHEMA_FILES[kind])
    return Draft202012Validator(schema, registry=registry)


def _resolve(ref: str, root: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    # Our schemas refer to "#/$defs/x" in themselves and "common.schema.json#/$defs/x" beside them.
    name, _, pointer = ref.partition("#")
    target_root = load_schema(name.rsplit("/", 1)[-1]) if name else root
    node: Any = target_root
    for part in filter(None, pointer.split("/")):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node, target_root


def problems(kind: Kind, data: Any) -> Iterator[SchemaProblem]:
    if kind not in SCHEMA_FILES:
        return
    try:  # most documents are valid: say so without importing jsonschema
        schema = load_schema(SCHEMA_FILES[kind])
        if quick.is_valid(schema, data, schema, _resolve):
            return
    except quick.Unsure:
        pass
    for error in validator(kind).iter_errors(data):
        yield from _explain(error, kind.value)


def _explain(error: ValidationError, what: str = "") -> Iterator[SchemaProblem]:
    from jsonschema.exceptions import best_match

    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        schema: Any = error.schema
        allowed = sorted(schema.get("properties", {}))
        extras = [k for k in error.instance if k not in allowed]
        for key in extras:
            where = f" under '{_dotted(path)}'" if path else (f" for a {what}" if what else "")
            hint = _close_matches(str(key), allowed, n=2, cutoff=0.6)
            if hint:
                suggestion = f"; did you mean '{hint[0]}'?"
            elif len(allowed) <= 10:
                suggestion = f" (allowed: {', '.join(allowed)})"
            else:  # a list of 25 keys helps nobody: say what to do
                suggestion = "; the CLI refuses keys it does not know: remove it or correct its spelling"
            yield SchemaProblem(f"unknown key '{key}'{where}{suggestion}", (*path, key), on_key=True,
                                close=tuple(hint))
        return
    if "propertyNames" in error.relative_schema_path and isinstance(error.instance, str):
        # A key that breaks the naming rule (a pipeline step `PREP`): point at the key.
        described = error.schema.get("description") if isinstance(error.schema, dict) else None
        expected = described or error.message
        yield SchemaProblem(f"{_short(error.instance)} under '{_dotted(path)}' is not {expected}",
                            (*path, error.instance), on_key=True)
        return
    if error.validator == "anyOf" and error.context and isinstance(error.instance, dict) and all(
            e.validator == "required" and e.absolute_path == error.absolute_path for e in error.context):
        # `anyOf: [{required: [image]}, {required: [build]}]`: say "one of", not the first branch.
        options = [str(k) for e in error.context for k in e.validator_value]  # type: ignore[union-attr]
        where = f"'{_dotted(path)}'" if path else "the document"
        yield SchemaProblem(f"{where} needs one of: {', '.join(options)}", path)
        return
    if error.validator in ("oneOf", "anyOf") and error.context:
        # Pick the branch that got furthest instead of printing the whole error tree.
        # Branches that fail only because the value has another type are the wrong branch.
        candidates = [e for e in error.context
                      if not (e.validator == "type" and len(e.absolute_path) == len(error.absolute_path))]
        if candidates:
            deepest = max(candidates, key=lambda e: len(e.absolute_path))
            branch = deepest.relative_schema_path[0] if deepest.relative_schema_path else None
            for candidate in candidates:
                if not candidate.relative_schema_path or candidate.relative_schema_path[0] == branch:
                    yield from _explain(candidate, what)
            return
        best = best_match(error.context)
        if best is not None and best is not error:
            yield from _explain(best, what)
            return
    missing: tuple[str, ...] = ()
    if error.validator == "required" and isinstance(error.instance, dict):
        required: Any = error.validator_value
        missing = tuple(str(k) for k in required if k not in error.instance)
    elif error.validator == "dependentRequired" and isinstance(error.instance, dict):
        missing = tuple(dict.fromkeys(need for _, need in _dependencies(error)))
    if _numeric_text(error):
        where = f"'{_dotted(path)}'" if path else "the document"
        yield SchemaProblem(f"{where} is the quoted number {_short(error.instance)}: the CLI converts it, "
                            "but write it unquoted", path, coerced=True)
        return
    if (meant := _boolean_text(error)) is not None:
        where = f"'{_dotted(path)}'" if path else "the document"
        yield SchemaProblem(f"{where} is {_short(error.instance)}, which the CLI reads as the boolean {meant}: "
                            f"write {meant}", path, coerced=True)
        return
    yield SchemaProblem(_message(error, path), path, missing=missing, truncated=_fraction(error))


def _fraction(error: ValidationError) -> bool:
    """A number such as 2.5 where an integer is expected: the SDK's marshmallow Int fields (not
    strict) truncate it, so the file loads (azure-ai-ml 1.35 creates `instance_count: 2.5` with 2)."""
    if error.validator != "type" or not isinstance(error.instance, float):
        return False
    expected = error.validator_value
    wanted = set(expected) if isinstance(expected, list) else {expected}
    return "integer" in wanted and "number" not in wanted and math.isfinite(error.instance)


def _numeric_text(error: ValidationError) -> bool:
    """A string such as "3" where an integer or number is expected: the SDK's marshmallow fields
    convert it, so the file loads (azure-ai-ml 1.35 accepts `instance_count: "3"`)."""
    if error.validator != "type" or not isinstance(error.instance, str):
        return False
    expected = error.validator_value
    wanted = set(expected) if isinstance(expected, list) else {expected}
    text = error.instance.strip()
    try:
        if "integer" in wanted:
            int(text)
            return True
        if "number" in wanted:
            float(text)
            return text.lower() not in ("nan", "inf", "-inf", "infinity", "-infinity")
    except ValueError:
        return False
    return False


# What the SDK's marshmallow Boolean fields accept for true and false besides the booleans themselves.
_TRUTHY = {"t", "T", "true", "True", "TRUE", "on", "On", "ON", "y", "Y", "yes", "Yes", "YES", "1", 1}
_FALSY = {"f", "F", "false", "False", "FALSE", "off", "Off", "OFF", "n", "N", "no", "No", "NO", "0", 0}


def _boolean_text(error: ValidationError) -> str | None:
    """'true' or 'false' when a boolean is expected and the value is text or 0/1 the SDK converts
    (azure-ai-ml 1.35 loads `app_insights_enabled: "true"`), else None."""
    if error.validator != "type":
        return None
    expected = error.validator_value
    wanted = set(expected) if isinstance(expected, list) else {expected}
    value = error.instance
    if "boolean" not in wanted or isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return "true" if value in _TRUTHY else "false" if value in _FALSY else None


def _dependencies(error: ValidationError) -> list[tuple[str, str]]:
    """(present key, absent key it requires) pairs of a dependentRequired error."""
    value: Any = error.validator_value
    instance: Any = error.instance
    return [(str(key), str(need)) for key, needs in value.items() if key in instance
            for need in needs if need not in instance]


def _close_matches(word: str, options: list[str], n: int, cutoff: float) -> list[str]:
    import difflib  # only for unknown keys: not worth importing at every start

    return difflib.get_close_matches(word, options, n=n, cutoff=cutoff)


def _dotted(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(error: ValidationError, path: tuple[Any, ...]) -> str:
    where = f"'{_dotted(path)}'" if path else "the document"
    value = error.instance
    if error.validator == "type":
        expected = error.validator_value
        expected_text = " or ".join(expected) if isinstance(expected, list) else str(expected)
        return f"{where} must be {_article(expected_text)}, not {_describe(value)}"
    if error.validator == "enum":
        enum: Any = error.validator_value
        # One spelling per option: the schemas list the case variants the SDK accepts.
        options = ", ".join(dict.fromkeys(str(o) for o in enum if str(o).lower() == str(o) or
                                          str(o).lower() not in {str(x) for x in enum}))
        if isinstance(value, bool):
            return (f"{where} is the boolean {str(value).lower()} (YAML reads unquoted yes/no/on/off as "
                    f"booleans); expected one of: {options}, quoted if need be")
        return f"{where} is {_short(value)}; expected one of: {options}"
    if error.validator == "const":
        return f"{where} is {_short(value)}; expected {error.validator_value!r}"
    if error.validator == "required":
        required: Any = error.validator_value
        missing = [k for k in required if not isinstance(value, dict) or k not in value]
        described = error.schema.get("description") if isinstance(error.schema, dict) else None
        why = f" ({described})" if described else ""  # a pipeline step: command, or a component
        return f"{where} is missing required key(s): {', '.join(missing)}{why}"
    if error.validator == "dependentRequired" and isinstance(value, dict):
        pairs = _dependencies(error)
        if pairs:
            key, need = pairs[0]
            given = f"'{key}: {value[key]}'" if isinstance(value[key], (str, int, float)) else f"'{key}'"
            inside = f" in {where}" if path else ""
            return f"{given}{inside} requires '{need}' too, and it is missing"
    if error.validator == "pattern" and isinstance(error.schema, dict) and error.schema.get("description"):
        # The schemas describe their reference patterns in words: say what is expected, not the regex.
        return f"{where} is {_short(value)}; expected {error.schema['description']}"
    if error.validator in ("minimum", "maximum", "minLength", "minItems"):
        return f"{where} is {_short(value)}: {error.message}"
    return f"{where}: {error.message}"


def _article(text: str) -> str:
    text = text.replace("object", "mapping").replace("array", "list")
    return ("an " if text[:1] in "aeiou" else "a ") + text


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    return f"a string ({_short(value)})"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
