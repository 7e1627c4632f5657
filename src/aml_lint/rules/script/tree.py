"""Syntax-tree helpers shared by the scoring-script rules (AML3xx). Not a rule: no ``ID``.

Everything here reads an ``ast`` tree; nothing imports or runs the code being linted. Questions
about a whole scope or tree go through the tree's shared index (script_index): one walk per tree.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from aml_lint.documents import Document, Kind
from aml_lint.rules.base import Context
from aml_lint.rules.script.index import ScriptIndex, index  # rules reach the index as sa.index

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
BUILTIN_NAMES = frozenset(dir(builtins))
PLACEHOLDER = "\x00"  # stands for a part of a string we cannot know (an f-string field, a variable)


# -- names and aliases ---------------------------------------------------------------------------

def aliases(tree: ast.Module) -> dict[str, str]:
    """(Do not modify the returned dict: it is shared.) Local name -> dotted name it stands for, from every import in the file.

    ``import subprocess as sp`` gives sp -> subprocess; ``from os import system`` gives
    system -> os.system; ``import os.path`` gives os -> os. Every AML3xx rule asks: computed once per tree.
    """
    ix = index(tree)
    return ix.memo("aliases", lambda: _aliases(ix))


def _aliases(ix: ScriptIndex) -> dict[str, str]:
    out: dict[str, str] = {}
    for node in ix.of_types(ast.Import, ast.ImportFrom):  # in walk order: a later import wins
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    out[alias.asname] = alias.name
                else:
                    first = alias.name.split(".")[0]
                    out[first] = first
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                if alias.name != "*":
                    out[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return out


def qualname(node: ast.AST, names: dict[str, str]) -> str | None:
    """The dotted name an expression refers to (``sp.run`` -> ``subprocess.run``), or None.

    A call in the chain is kept as ``()`` so ``xgb.Booster().load_model`` reads
    ``xgboost.Booster().load_model``; an unknown base reads ``?`` (``get().x`` -> ``?.x``).
    """
    parts: list[str] = []
    while True:  # a loop, not recursion: attribute chains can be arbitrarily long
        if isinstance(node, ast.Name):
            parts.append(names.get(node.id, node.id))
            break
        if isinstance(node, ast.Attribute):
            parts.append("." + node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            parts.append("()")
            node = node.func
        else:
            if not parts or parts[-1] == "()":
                return None
            parts.append("?")
            break
    return "".join(reversed(parts))


def call_name(call: ast.Call, names: dict[str, str]) -> str:
    return qualname(call.func, names) or ""


def short(name: str) -> str:
    """A dotted name as the user would recognise it in a message."""
    return name.replace("()", "(...)")


# -- scopes --------------------------------------------------------------------------------------

def target_names(target: ast.AST) -> Iterator[ast.Name]:
    if isinstance(target, ast.Name):
        yield target
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            yield from target_names(elt)
    elif isinstance(target, ast.Starred):
        yield from target_names(target.value)


def bindings(ix: ScriptIndex, func: FunctionNode) -> dict[str, ast.AST]:
    """Names a function binds in its own scope (first binding node each): assignments, loop and
    ``with`` targets, walrus, imports, nested defs and classes, ``except ... as``, ``del``."""
    out: dict[str, ast.AST] = {}

    def add(name: str, node: ast.AST) -> None:
        out.setdefault(name, node)

    for node in ix.scope(func):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if isinstance(node, ast.AnnAssign) and node.value is None:
                continue  # `x: int` alone binds nothing at run time, but still makes x local
            for target in targets:
                for name in target_names(target):
                    add(name.id, node)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            for name in target_names(node.target):
                add(name.id, node)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            for name in target_names(node.optional_vars):
                add(name.id, node.optional_vars)
        elif isinstance(node, ast.NamedExpr):
            add(node.target.id, node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    add(alias.asname or alias.name.split(".")[0], node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            add(node.name, node)
        elif isinstance(node, ast.ExceptHandler) and node.name is not None:
            add(str(node.name), node)
    return out


def parameters(func: FunctionNode | ast.Lambda) -> list[str]:
    args = func.args
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    if args.vararg:
        names.append(args.vararg.arg)
    if args.kwarg:
        names.append(args.kwarg.arg)
    return names


def declared_global(ix: ScriptIndex, func: FunctionNode) -> set[str]:
    out: set[str] = set()
    for node in ix.scope(func):
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            out.update(node.names)
    return out


def module_bindings(tree: ast.Module) -> dict[str, ast.AST]:
    """(Do not modify the returned dict: it is shared.) Names bound at module level (also inside
    top-level if/try/with/for blocks)."""
    return index(tree).memo("module_bindings", lambda: _module_bindings(tree))


def _module_bindings(tree: ast.Module) -> dict[str, ast.AST]:
    out: dict[str, ast.AST] = {}

    def visit(body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                if isinstance(stmt, ast.AnnAssign) and stmt.value is None:
                    continue  # `model: Any` alone binds nothing
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    for name in target_names(target):
                        out.setdefault(name.id, stmt)
            elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
                for alias in stmt.names:
                    if alias.name != "*":
                        out.setdefault(alias.asname or alias.name.split(".")[0], stmt)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                out.setdefault(stmt.name, stmt)
            elif isinstance(stmt, (ast.For, ast.AsyncFor)):
                for name in target_names(stmt.target):
                    out.setdefault(name.id, stmt)
            if isinstance(stmt, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith)):
                visit(stmt.body)
                visit(getattr(stmt, "orelse", []) or [])
            elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
                visit(stmt.body)  # type: ignore[attr-defined]
                for handler in stmt.handlers:  # type: ignore[attr-defined]
                    visit(handler.body)
                visit(stmt.orelse)  # type: ignore[attr-defined]
                visit(stmt.finalbody)  # type: ignore[attr-defined]

    visit(tree.body)
    return out


def script_tree(doc: Document) -> ast.Module:
    """The script's syntax tree (the engine gives script rules only scripts that parse)."""
    script = doc.script
    assert script is not None and script.tree is not None
    return script.tree


def module_function(tree: ast.Module, name: str) -> FunctionNode | None:
    """The last module-level ``def name`` (also inside top-level if/try blocks): the one Python keeps."""
    return index(tree).memo("module_functions", lambda: _module_functions(tree)).get(name)


def _module_functions(tree: ast.Module) -> dict[str, FunctionNode]:
    found: dict[str, FunctionNode] = {}

    def visit(body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found[stmt.name] = stmt
            elif isinstance(stmt, (ast.If, ast.Try)):
                visit(stmt.body)
                visit(stmt.orelse)

    visit(tree.body)
    return found


def decorator_name(node: ast.expr, names: dict[str, str]) -> str:
    """``@input_schema("data", ...)`` -> 'input_schema' (last part of the dotted name)."""
    target = node.func if isinstance(node, ast.Call) else node
    return (qualname(target, names) or "").rsplit(".", 1)[-1]


# -- strings -------------------------------------------------------------------------------------

def string_value(node: ast.AST | None, assigned: dict[str, ast.AST] | None = None, depth: int = 0) -> str | None:
    """The text of a string expression, unknown parts replaced by PLACEHOLDER; None if not a string.

    Follows f-strings, ``+`` concatenation, ``%`` and ``.format`` (the template is known),
    ``" ".join([...])`` and simple names assigned once (``assigned``).
    """
    if node is None or depth > 10:
        return None
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            text = string_value(value, assigned, depth + 1) if isinstance(value, ast.Constant) else None
            if text is None and isinstance(value, ast.FormattedValue):
                text = string_value(value.value, assigned, depth + 1)
                if text is None and _is_sys_executable(value.value):
                    text = "python"
            parts.append(text if text is not None else PLACEHOLDER)
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = string_value(node.left, assigned, depth + 1)
        right = string_value(node.right, assigned, depth + 1)
        if left is None and right is None:
            return None
        return (left if left is not None else PLACEHOLDER) + (right if right is not None else PLACEHOLDER)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return string_value(node.left, assigned, depth + 1)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "format":
            return string_value(node.func.value, assigned, depth + 1)
        if node.func.attr == "join" and node.args:
            sep = string_value(node.func.value, assigned, depth + 1)
            words = word_list(node.args[0], assigned, depth + 1)
            if sep is not None and words is not None:
                return sep.join(words)
    if isinstance(node, ast.Name) and assigned and node.id in assigned:
        return string_value(assigned[node.id], None, depth + 1)
    return None


def _is_sys_executable(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "executable" and \
        isinstance(node.value, ast.Name) and node.value.id == "sys"


def word_list(node: ast.AST | None, assigned: dict[str, ast.AST] | None = None, depth: int = 0) -> list[str] | None:
    """The words of a list/tuple command (``["pip", "install", pkg]``), unknown words as PLACEHOLDER."""
    if node is None or depth > 10:
        return None
    if isinstance(node, (ast.List, ast.Tuple)):
        words = []
        for elt in node.elts:
            if isinstance(elt, ast.Starred):
                inner = word_list(elt.value, assigned, depth + 1)
                words.extend(inner if inner is not None else [PLACEHOLDER])
                continue
            text = string_value(elt, assigned, depth + 1)
            if text is None and _is_sys_executable(elt):
                text = "python"
            words.append(text if text is not None else PLACEHOLDER)
        return words
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = word_list(node.left, assigned, depth + 1)
        right = word_list(node.right, assigned, depth + 1)
        if left is None and right is None:
            return None
        return (left or [PLACEHOLDER]) + (right or [PLACEHOLDER])
    if isinstance(node, ast.Call) and len(node.args) == 1 and qualname(node.func, {}) == "shlex.split":
        text = string_value(node.args[0], assigned, depth + 1)
        return text.split() if text is not None else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "split":
        text = string_value(node.func.value, assigned, depth + 1)  # "pip install x".split(" ")
        sep = string_value(node.args[0]) if node.args else None
        return (text.split(sep) if sep else text.split()) if text is not None else None
    if isinstance(node, ast.Name) and assigned and node.id in assigned:
        return word_list(assigned[node.id], None, depth + 1)
    return None


def single_assignments(ix: ScriptIndex, scope: ast.AST) -> dict[str, ast.AST]:
    """Names assigned exactly once in a scope (module or function), to their value expression."""
    seen: dict[str, ast.AST] = {}
    twice: set[str] = set()
    for node in ix.scope(scope):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in seen:
                twice.add(name)
            seen[name] = node.value
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and isinstance(node.target, ast.Name):
            twice.add(node.target.id)
    return {k: v for k, v in seen.items() if k not in twice}


# -- how the script is used ----------------------------------------------------------------------

BATCH_KINDS = frozenset({Kind.BATCH_DEPLOYMENT, Kind.PIPELINE_BATCH_DEPLOYMENT})
ONLINE_KINDS = frozenset({Kind.ONLINE_DEPLOYMENT, Kind.K8S_DEPLOYMENT})


@dataclass(frozen=True)
class Role:
    """How the deployments that name a script call it."""

    online: list[str]  # online deployment files that use it
    batch: list[str]  # batch deployment files that use it

    @property
    def linked(self) -> bool:
        return bool(self.online or self.batch)

    @property
    def batch_only(self) -> bool:
        return bool(self.batch) and not self.online

    @property
    def online_like(self) -> bool:
        """Served by the inference server, or not linked to any deployment (so judged as online)."""
        return not self.batch_only


def role(doc: Document, ctx: Context) -> Role:
    deployments = ctx.deployments_for_script(doc.rel)
    return Role(sorted({d.rel for d in deployments if d.kind in ONLINE_KINDS}),
                sorted({d.rel for d in deployments if d.kind in BATCH_KINDS}))


def looks_batch(ix: ScriptIndex, run: FunctionNode, rel: str) -> bool:
    """An unlinked script that looks like a batch (or parallel-job) driver: its file name says
    batch, run takes a ``mini_batch``, or run loops over its input (a list of files)."""
    if "batch" in rel.rsplit("/", 1)[-1].lower():
        return True
    params = parameters(run)
    if any("mini_batch" in name for name in params):
        return True
    first = params[0] if params else None
    for node in ix.scope(run, into_nested=True):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)) and \
                isinstance(node.iter, ast.Name) and node.iter.id == first:
            return True
    return False


# -- data that comes from the request ------------------------------------------------------------

def names_in(node: ast.AST) -> set[str]:
    """Names read or bound in one small expression (a target, a test): a walk of that expression only."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def tainted_names(ix: ScriptIndex, run: FunctionNode, seeds: frozenset[str] | None = None) -> frozenset[str]:
    """The function's parameters (or only ``seeds``) and every name assigned from an expression
    that uses one of them."""
    return ix.memo(("tainted", run, seeds), lambda: _tainted_names(ix, run, seeds))


def _tainted_names(ix: ScriptIndex, run: FunctionNode, seeds: frozenset[str] | None) -> frozenset[str]:
    tainted = set(parameters(run) if seeds is None else seeds)
    nodes = ix.scope(run, into_nested=True)
    flows: dict[ast.AST, list[list[ast.AST]]] = {}  # value expression -> the targets it is assigned to
    for node in nodes:
        if isinstance(node, ast.Assign):
            flows.setdefault(node.value, []).append(list(node.targets))
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and node.value is not None:
            flows.setdefault(node.value, []).append([node.target])
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            flows.setdefault(node.iter, []).append([node.target])
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            flows.setdefault(node.context_expr, []).append([node.optional_vars])
        elif isinstance(node, ast.NamedExpr):
            flows.setdefault(node.value, []).append([node.target])
    # name -> targets of the flows that read it: a name read anywhere below a flow's value feeds
    # that flow, found by climbing from each name (parent links) rather than walking each value.
    readers: dict[str, list[list[ast.AST]]] = {}
    for node in nodes:
        if isinstance(node, ast.Name):
            for above in (node, *ix.ancestors(node, stop=run)):
                for targets in flows.get(above, ()):
                    readers.setdefault(node.id, []).append(targets)
    todo = list(tainted)
    while todo:
        for targets in readers.get(todo.pop(), []):
            for target in targets:
                for bound in target_names(target):
                    if bound.id not in tainted:
                        tainted.add(bound.id)
                        todo.append(bound.id)
    return frozenset(tainted)


def uses(node: ast.AST, names: AbstractSet[str]) -> str | None:
    """The first of ``names`` an expression reads, or None. For small expressions (a call's
    arguments): it walks the expression."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name) and inner.id in names:
            return inner.id
    return None
