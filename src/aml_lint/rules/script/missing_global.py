"""A name that init() sets for run() without declaring it global.

What it finds: a name assigned in `init()` and read in `run()` (or in a function of the
script that `run()` calls) while `init()` has no `global` statement for it. Without
`global`, the assignment creates a local variable of `init()` that disappears when `init()`
returns. When the module also assigns the name (`model = None` at the top), `run()` reads
that module-level value, which `init()` never changed. Reported as an error when the name
is missing or None at module level, as a warning when the module gives it another value.

Why it matters: the deployment starts, but every request fails: `run()` raises
"NameError: name 'model' is not defined" (or "'NoneType' object has no attribute 'predict'"
when the module sets `model = None`), and the endpoint answers HTTP 500 "An unexpected
error occurred in scoring script".

Fails:
    def init():
        model = joblib.load("model.pkl")

    def run(data):
        return model.predict(data).tolist()

Fixed:
    def init():
        global model
        model = joblib.load("model.pkl")

    def run(data):
        return model.predict(data).tolist()

Passes:
    def init():
        global model
        model = joblib.load("model.pkl")

    def run(data):
        return model.predict(data).tolist()

Fix: add `global <name>` as the first statement of `init()` for every name `run()` uses.
`--fix` inserts that line with the indentation of init's body (after its docstring). Safe when
`run()` would otherwise fail (the name is missing or None at module level); unsafe (applied with
`--unsafe-fixes`) when the module gives the name another value, which `run()` then stops seeing.
No fix when init's body starts on the `def` line, or a function nested in it says `nonlocal <name>`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.documents.python_script import node_location
from aml_lint.findings import Severity
from aml_lint.fix import Edit, Fix, line_end, line_start, newline_of
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.fix_helpers import positions_reliable
from aml_lint.rules.script import tree as sa

ID = "AML303"
NAME = "init-missing-global"
SEVERITY = "error"
FIX = "safe or unsafe"
KINDS = (Kind.SCORING_SCRIPT,)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    tree = sa.script_tree(doc)
    init = sa.module_function(tree, "init")
    run = sa.module_function(tree, "run")
    if init is None or run is None:
        return
    ix = sa.index(tree)
    if any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ("globals", "setattr")
           for n in ix.scope(init, into_nested=True)):
        return  # init() sets globals dynamically (globals()[...] = ..., setattr(module, ...)): cannot tell
    init_globals = sa.declared_global(ix, init)
    init_locals = {name: node for name, node in sa.bindings(ix, init).items()
                   if name not in init_globals and name not in sa.parameters(init)}
    if not init_locals:
        return
    reads = _reads(ix, run)
    # One level down: module-level functions run() calls read module globals too.
    helpers = {f.name: f for f in tree.body
               if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.name not in ("init", "run")}
    called = {n.func.id for n in ix.scope(run, into_nested=True)
              if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in helpers}
    via: dict[str, str] = {}
    for helper_name in sorted(called):
        for name, use in _reads(ix, helpers[helper_name]).items():
            if name not in reads:
                reads[name] = use
                via[name] = helper_name
    module = sa.module_bindings(tree)
    set_elsewhere = _globals_set_by_other_functions(ix, init, run)
    for name, node in sorted(init_locals.items(), key=lambda item: _line(item[1])):
        if name not in reads or name in set_elsewhere:
            continue
        use = reads[name]
        if name in module and not isinstance(module[name], (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            continue  # a module-level import, def or class: run() uses that, init's local is unrelated
        if name in module:
            placeholder = _is_placeholder(module[name])
            what = ("is None at module level" if placeholder else "keeps its module-level value")
            yield Hit(f"init() assigns '{name}' without 'global {name}', so it only sets a local variable and "
                      f"the module-level '{name}' that {_reader(name, via)} reads at line {use.lineno} {what}; "
                      f"add 'global {name}' at the top of init()",
                      node_location(node), severity=None if placeholder else Severity.WARNING,
                      fix=_global_fix(doc, ix, init, name, safe=placeholder))
        elif name not in sa.BUILTIN_NAMES:
            yield Hit(f"init() assigns '{name}' without 'global {name}', so {_reader(name, via)} fails with "
                      f"\"NameError: name '{name}' is not defined\" at line {use.lineno} on the first request; "
                      f"add 'global {name}' at the top of init()", node_location(node),
                      fix=_global_fix(doc, ix, init, name, safe=True))


def _global_fix(doc: Document, ix: sa.ScriptIndex, init: sa.FunctionNode, name: str, *,
                safe: bool) -> Fix | None:
    """'global <name>' on its own line before init's first statement (after its docstring)."""
    if any(isinstance(node, ast.Nonlocal) and name in node.names for node in ix.scope(init, into_nested=True)):
        return None  # a nested function's 'nonlocal name' would no longer compile
    text = doc.text
    body = init.body
    first = body[1] if len(body) > 1 and _is_docstring(body[0]) else body[0]
    if text is None or not positions_reliable(text) or first.lineno <= init.lineno:
        return None
    start = line_start(text, first.lineno)
    line = text[start:line_end(text, first.lineno)]
    # col_offset counts UTF-8 bytes; the indentation before a statement is ASCII whitespace.
    indent = line[:first.col_offset]
    if indent.strip(" \t") or len(indent.encode()) != first.col_offset:
        return None  # the statement does not start its line (after ';' or a docstring on that line)
    edit = Edit(doc.rel, start, start, f"{indent}global {name}{newline_of(text)}")
    return Fix(f"add 'global {name}' at the top of init()", (edit,), safe=safe)


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _reader(name: str, via: dict[str, str]) -> str:
    return f"{via[name]}() (called by run())" if name in via else "run()"


def _line(node: ast.AST) -> int:
    return getattr(node, "lineno", 0)


def _reads(ix: sa.ScriptIndex, func: sa.FunctionNode | ast.Lambda, depth: int = 0) -> dict[str, ast.Name]:
    """Names a function reads from outside itself (its free variables), first read each.

    Nested functions and lambdas count with their own free variables; comprehension
    variables are local to the comprehension.
    """
    local = set(sa.parameters(func))
    if not isinstance(func, ast.Lambda):
        local |= set(sa.bindings(ix, func))
        local -= sa.declared_global(ix, func)
    nodes = ix.scope(func)
    local |= {name.id for node in nodes if isinstance(node, ast.comprehension)
              for name in sa.target_names(node.target)}
    out: dict[str, ast.Name] = {}

    def add(name: ast.Name) -> None:
        if name.id not in local and (name.id not in out or name.lineno < out[name.id].lineno):
            out[name.id] = name

    for node in nodes:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            add(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and depth < 20:
            for inner in _reads(ix, node, depth + 1).values():
                add(inner)
    return out


def _globals_set_by_other_functions(ix: sa.ScriptIndex, init: sa.FunctionNode, run: sa.FunctionNode) -> set[str]:
    """Names some other function declares global (a loader helper init calls may set them)."""
    out: set[str] = set()
    for node in ix.of_type(ast.Global):
        owner = ix.owner(node)  # the function whose own body holds the statement
        if isinstance(owner, (ast.FunctionDef, ast.AsyncFunctionDef)) and owner is not init and owner is not run:
            out.update(node.names)
    return out


def _is_placeholder(node: ast.AST) -> bool:
    """``model = None`` (or ``model: Any = None``) at module level: a slot for init() to fill."""
    value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
    return isinstance(value, ast.Constant) and value.value is None
