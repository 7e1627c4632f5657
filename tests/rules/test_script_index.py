"""The shared syntax-tree index of the AML3xx rules lists the same nodes, in the same order, as
walking the tree (``ast.walk``) and walking each scope would, and lets go of them with the tree."""

from __future__ import annotations

import ast
import gc
import random
import sys
import weakref
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import pytest

from aml_lint.rules.script.index import ScriptIndex, index

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)

SCRIPTS = {
    "online scoring script": '''
import json
import logging
import os

import joblib
import numpy as np
from inference_schema.schema_decorators import input_schema, output_schema


def init():
    global model, labels
    path = os.path.join(os.getenv("AZUREML_MODEL_DIR"), "model", "model.pkl")
    model = joblib.load(path)
    labels = [line.strip() for line in open(os.path.join(os.path.dirname(path), "labels.txt"))]
    logging.info("loaded %s", path)


@input_schema("data", np.array([[1.0, 2.0]]))
@output_schema(np.array([0]))
def run(data, request_headers=None):
    try:
        rows = np.array(json.loads(data)["data"]) if isinstance(data, str) else data
        scores = model.predict_proba(rows)
        return {"labels": [labels[i] for i in scores.argmax(axis=1)], "scores": scores.tolist()}
    except Exception as exc:  # the server logs the message
        logging.exception("scoring failed")
        return {"error": str(exc)}
''',
    "batch driver with nested scopes": '''
import argparse, glob, os
import pandas as pd
from functools import lru_cache

model = None

class Scorer:
    threshold = 0.5

    def __init__(self, path):
        self.path = path
        self.key = lambda row: (row["id"], row.get("ts"))

    def score(self, frame):
        def keep(value, *, limit=self.threshold):
            return value > limit
        return frame[[keep(v) for v in frame["score"]]]


@lru_cache(maxsize=None)
def load(path=os.environ.get("AZUREML_MODEL_DIR", ".")):
    global model
    if model is None:
        import pickle
        with open(os.path.join(path, "model.pkl"), "rb") as handle:
            model = pickle.load(handle)
    return model


def init():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threshold", type=float, default=0.5)
    args, _ = parser.parse_known_args()
    Scorer.threshold = args.threshold
    load()


def run(mini_batch):
    frames = []
    for path in mini_batch:
        frame = pd.read_csv(path)
        frame["score"] = [p[1] for p in load().predict_proba(frame.drop(columns=["id"]))]
        frames.append(Scorer(path).score(frame))
    while False:
        break
    else:
        pass
    return pd.concat(frames) if frames else pd.DataFrame({k: [] for k in ("id", "score")})
''',
    "async, walrus, match, f-strings, star-args": '''
import asyncio as aio, subprocess as sp, sys
from os import system as sh

async def init(*args, **kwargs):
    async with aio.timeout(5) as scope, aio.Lock():
        async for item in source():
            pass
    if (n := len(sys.argv)) > 1:
        sp.check_call([sys.executable, "-m", "pip", "install", f"pkg=={sys.argv[n - 1]!r:>10}"])
    sh("pip install " + " ".join(f"{p}" for p in ("a", "b")))

async def run(raw, /, extra=None, *rest, flag, **more):
    match raw:
        case {"data": [first, *others]} if first:
            return [first, *others]
        case (str() | bytes()) as text:
            return {"text": text}
        case _:
            pass
    del extra
    nonlocal_free = [await aio.sleep(0) for _ in range(1) if _]
    return {**more, "x": (yield_ := 1), "set": {1, 2}, "slice": raw[1:2:3]}

try:
    import torch
except* ImportError as group:
    torch = None
finally:
    GLOBAL: int = 1
''',
    "empty": "",
    "one expression": "x",
}


def ref_walk_scope(node: ast.AST, into_nested: bool = False) -> Iterator[ast.AST]:
    """The walk the AML3xx rules did before the index: breadth-first from the scope's children."""
    todo = deque(ast.iter_child_nodes(node))
    while todo:
        child = todo.popleft()
        yield child
        if into_nested or not isinstance(child, _SCOPES):
            todo.extend(ast.iter_child_nodes(child))


def assert_same_nodes(actual: list[ast.AST], expected: list[ast.AST], what: str) -> None:
    """The same node objects in the same order (identity, not equal-looking copies)."""
    assert len(actual) == len(expected), f"{what}: {len(actual)} nodes, expected {len(expected)}"
    for position, (got, want) in enumerate(zip(actual, expected, strict=True)):
        assert got is want, f"{what}: node {position} is {ast.dump(got)[:80]}, expected {ast.dump(want)[:80]}"


def _own_source() -> dict[str, str]:
    """The project's own modules: real, varied Python."""
    src = Path(__file__).resolve().parents[2] / "src" / "aml_lint"
    return {str(p.relative_to(src)): p.read_text(encoding="utf-8") for p in sorted(src.rglob("*.py"))}


def _parse(text: str) -> ast.Module:
    if sys.version_info < (3, 11) and "except*" in text:
        pytest.skip("except* needs Python 3.11")
    return ast.parse(text)


ALL_SCRIPTS = {**SCRIPTS, **{f"src/{k}": v for k, v in _own_source().items()}}


@pytest.mark.parametrize("name", sorted(ALL_SCRIPTS))
def test_index_lists_the_nodes_of_ast_walk_and_of_each_scope(name: str) -> None:
    tree = _parse(ALL_SCRIPTS[name])
    ix = index(tree)
    walked = list(ast.walk(tree))
    assert_same_nodes(ix.nodes, walked[1:], "all nodes")
    assert_same_nodes(ix.scope(tree, into_nested=True), walked[1:], "module, nested")
    assert_same_nodes(ix.scope(tree), list(ref_walk_scope(tree)), "module, own body")
    scopes = [n for n in walked if isinstance(n, _SCOPES)]
    for scope in scopes:
        where = f"{type(scope).__name__} at line {scope.lineno}"
        assert_same_nodes(ix.scope(scope), list(ref_walk_scope(scope)), where)
        assert_same_nodes(ix.scope(scope, into_nested=True), list(ref_walk_scope(scope, True)), where + ", nested")
    for kind in {type(n) for n in walked[1:]}:
        assert_same_nodes(ix.of_type(kind), [n for n in walked[1:] if type(n) is kind], kind.__name__)
    kinds = (ast.Call, ast.Import, ast.ImportFrom)
    assert_same_nodes(ix.of_types(*kinds), [n for n in walked[1:] if isinstance(n, kinds)], "calls and imports")


# CPython shares one Load, Store, Add ... object across every tree: it has no parent of its own.
_SHARED = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


@pytest.mark.parametrize("name", sorted(ALL_SCRIPTS))
def test_parents_owners_and_inside_agree_with_the_tree(name: str) -> None:
    tree = _parse(ALL_SCRIPTS[name])
    ix = index(tree)
    assert ix.parent(tree) is None
    owner_of: dict[int, ast.AST] = {}
    for scope in [tree, *(n for n in ast.walk(tree) if isinstance(n, _SCOPES))]:
        for node in ref_walk_scope(scope):
            owner_of[id(node)] = scope
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, _SHARED):
                assert ix.parent(child) is node
                assert ix.owner(child) is owner_of[id(child)]
    nodes = [n for n in ast.walk(tree) if not isinstance(n, _SHARED)]
    rng = random.Random(name)
    for _ in range(200 if len(nodes) > 1 else 0):
        inner, outer = rng.choice(nodes), rng.choice(nodes[:len(nodes) // 2 + 1])  # some big subtrees too
        assert ix.inside(inner, outer) is any(n is inner for n in ast.walk(outer))
        assert ix.inside(inner, inner) and ix.inside(inner, tree)
    for node in nodes[1:]:  # a node's ancestors, nearest first, end at the root
        chain = [node, *ix.ancestors(node)]
        assert chain[-1] is tree and tree not in chain[:-1]
        assert all(ix.parent(a) is b for a, b in zip(chain, chain[1:], strict=False))


def test_scope_refuses_a_node_that_is_not_a_scope_of_the_tree() -> None:
    tree = _parse(SCRIPTS["online scoring script"])
    ix = index(tree)
    call = ix.of_type(ast.Call)[0]
    with pytest.raises(ValueError, match="not a scope"):
        ix.scope(call)
    other = ast.parse("def run(data):\n    return data\n")
    with pytest.raises(ValueError, match="not a scope"):
        ix.scope(other.body[0])
    with pytest.raises(ValueError, match="not in this tree"):
        ix.parent(other.body[0])


def test_one_index_per_tree_dropped_with_the_tree() -> None:
    tree = _parse(SCRIPTS["batch driver with nested scopes"])
    ix = index(tree)
    assert index(tree) is ix
    assert index(_parse(SCRIPTS["batch driver with nested scopes"])) is not ix  # a new parse, a new index
    ix.memo("answer", lambda: 42)
    assert ix.memo("answer", lambda: 0) == 42
    alive = weakref.ref(ix)
    del ix, tree
    gc.collect()
    assert alive() is None, "the index outlived its tree"


def test_index_of_a_deep_tree_needs_no_recursion() -> None:
    depth = 5 * sys.getrecursionlimit()  # past the recursion limit: the index walks with a queue
    tree = ast.Module(body=[ast.Expr(value=ast.Name(id="x", ctx=ast.Load()))], type_ignores=[])
    expr: ast.expr = tree.body[0].value  # type: ignore[attr-defined]
    for _ in range(depth):
        expr = ast.UnaryOp(op=ast.Not(), operand=expr)
    tree.body[0].value = expr  # type: ignore[attr-defined]
    ix = ScriptIndex(tree)
    assert len(ix.nodes) == 1 + 2 * depth + 2  # Expr, UnaryOp + Not each level, the Name and its Load
    assert len(list(ix.ancestors(ix.of_type(ast.Name)[0]))) == depth + 2  # the UnaryOps, Expr, Module
