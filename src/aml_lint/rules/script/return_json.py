"""run() returns a numpy array, a pandas object, or a JSON string.

What it finds: in a script served online (or not linked to a batch deployment), a `return`
in `run()` of a value that JSON cannot encode, as far as the script shows it: the result of
`model.predict(...)` / `predict_proba(...)`, of a `numpy` function or of `pandas.DataFrame(...)`
/ `Series(...)`, directly or through a variable or inside a returned dict or list, without
`.tolist()`, `.to_dict()` or `.to_json()`. Also `return json.dumps(...)`. Not reported when
`run()` has `@output_schema` (inference-schema converts the result) or another decorator than
`@input_schema`/`@rawhttp`, or returns an `AMLResponse`, nor for batch scripts (batch `run()`
returns a DataFrame or a list; a script no deployment names counts as batch when its file
name says "batch", `run` takes a `mini_batch` or loops over its argument).

Why it matters: the inference server encodes what `run()` returns with `json.dumps`. A numpy
array or DataFrame raises "TypeError: Object of type ndarray is not JSON serializable" and
the client gets HTTP 500 "An unexpected internal error occurred". A string from
`json.dumps(...)` is encoded again, so clients receive a JSON string that holds JSON
and must decode it twice: the deployment works, and many clients are written for exactly
that, so this case is information only.

Fails:
    def run(raw_data):
        data = np.array(json.loads(raw_data)["data"])
        result = model.predict(data)
        return result

Passes:
    def run(raw_data):
        data = np.array(json.loads(raw_data)["data"])
        result = model.predict(data)
        return result.tolist()

Fix: return plain Python values: `.tolist()` for arrays, `.to_dict(orient="records")` for
DataFrames, `float(x)`/`int(x)` for numpy scalars; return the dict or list itself instead of
`json.dumps(...)` of it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.documents.python_script import node_location
from aml_lint.findings import Severity
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.script import tree as sa

ID = "AML305"
NAME = "run-returns-unserializable"
SEVERITY = "warning"
KINDS = (Kind.SCORING_SCRIPT,)

_PREDICT = {"predict", "predict_proba", "predict_log_proba", "decision_function"}
_PANDAS = {"pandas.DataFrame", "pandas.Series", "pandas.concat", "pandas.read_csv", "pandas.read_json"}
# numpy functions that return numpy.float64, a subclass of float that json encodes.
_NUMPY_FLOATS = {"mean", "average", "std", "var", "median", "nanmean", "nanstd", "nanmedian", "float64",
                 "float_", "double"}


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    tree = sa.script_tree(doc)
    run = sa.module_function(tree, "run")
    if run is None:
        return
    role = sa.role(doc, ctx)
    ix = sa.index(tree)
    if role.batch_only or (not role.linked and sa.looks_batch(ix, run, doc.rel)):
        return
    names = sa.aliases(tree)
    if any(sa.decorator_name(d, names) not in ("input_schema", "rawhttp") for d in run.decorator_list):
        return  # @output_schema converts the result; another decorator of the user's may too
    assignments = _assignments(ix, run)
    for node in ix.scope(run):
        if not isinstance(node, ast.Return) or node.value is None:
            continue
        value = node.value
        if isinstance(value, ast.Call) and sa.call_name(value, names) == "json.dumps":
            yield Hit("run() returns json.dumps(...): the inference server JSON-encodes the return value again, "
                      "so clients get a JSON string holding JSON; return the dict or list itself",
                      node_location(value), severity=Severity.INFO)
            continue
        found = _unserializable(value, names, assignments, node.lineno, 0)
        if found:
            what, kind, where = found
            yield Hit(f"run() returns {what}, which JSON cannot encode: the inference server answers HTTP 500 "
                      f"('Object of type {kind} is not JSON serializable'); convert it with .tolist() "
                      "(arrays) or .to_dict() (DataFrames)", node_location(where))


def _assignments(ix: sa.ScriptIndex, run: sa.FunctionNode) -> dict[str, list[ast.stmt]]:
    """Statements that (re)bind each name in run(); only plain assignments are followed."""
    out: dict[str, list[ast.stmt]] = {}
    for node in ix.scope(run):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                for name in sa.target_names(target):
                    out.setdefault(name.id, []).append(node)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
            for name in sa.target_names(node.target):
                out.setdefault(name.id, []).append(node)
    return out


def _unserializable(value: ast.AST, names: dict[str, str], assignments: dict[str, list[ast.stmt]],
                    line: int, depth: int) -> tuple[str, str, ast.AST] | None:
    """(description, type name, node) when the expression is, as far as we can tell, an array or DataFrame."""
    if depth > 5:
        return None
    if isinstance(value, ast.Call):
        name = sa.call_name(value, names)
        method = value.func.attr if isinstance(value.func, ast.Attribute) else ""
        if method in _PREDICT:
            return f"the result of .{method}(...) (a numpy array for most models)", "ndarray", value
        if name in _PANDAS:
            kind = "Series" if name.endswith("Series") else "DataFrame"
            return f"a pandas object from {sa.short(name)}(...)", kind, value
        if name.startswith("numpy.") and "()" not in name and name.rsplit(".", 1)[-1] not in _NUMPY_FLOATS:
            return f"a numpy value from {sa.short(name)}(...)", "ndarray", value
        return None
    if isinstance(value, (ast.Dict, ast.List, ast.Tuple)):
        items = value.values if isinstance(value, ast.Dict) else value.elts
        for item in items:
            found = _unserializable(item, names, assignments, line, depth + 1) if item is not None else None
            if found:
                return found
        return None
    if isinstance(value, ast.Name):
        before = [a for a in assignments.get(value.id, []) if a.lineno < line]
        if not before:
            return None
        last = max(before, key=lambda a: a.lineno)
        if not isinstance(last, ast.Assign) or not any(isinstance(t, ast.Name) for t in last.targets):
            return None  # augmented, loop or tuple-unpacking assignment: unknown
        found = _unserializable(last.value, names, assignments, last.lineno, depth + 1)
        if found:
            return f"'{value.id}' ({found[0]})", found[1], value
    return None
