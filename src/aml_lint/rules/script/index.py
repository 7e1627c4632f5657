"""One walk of a script's syntax tree, shared by the scoring-script rules (AML3xx). Not a rule: no ``ID``.

Every AML3xx rule asks the same questions of the same tree (the calls in ``run``, the names
``init`` binds ...). Walking the tree for each question cost about nine full walks per script;
the index walks it once, breadth-first like ``ast.walk``, and keeps lists of references to its
nodes: all of them, by type, by function/class/lambda scope, and each node's parent.

The index never holds the root itself (only a weak reference), so the cache below lets the
index go as soon as the tree is released.
"""

from __future__ import annotations

import ast
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_T = TypeVar("_T")
_N = TypeVar("_N", bound=ast.AST)
_Lists = tuple[list[ast.AST], ...]


class ScriptIndex:
    """The nodes below one tree's root, found by one breadth-first traversal."""

    __slots__ = ("nodes", "by_type", "_root", "_module_own", "_own", "_nested", "_parent", "_memo", "__weakref__")

    def __init__(self, tree: ast.AST) -> None:
        self._root = weakref.ref(tree)
        self.nodes: list[ast.AST] = []  # every node but the root, in ast.walk order
        self.by_type: dict[type, list[ast.AST]] = {}
        self._module_own: list[ast.AST] = []
        self._own: dict[ast.AST, list[ast.AST]] = {}  # scope -> nodes of its own body
        self._nested: dict[ast.AST, list[ast.AST]] = {}  # scope -> nodes below it, nested scopes too
        self._parent: dict[ast.AST, ast.AST | None] = {}  # None: a child of the root
        self._memo: dict[object, object] = {}
        # Breadth-first, so every list below is in ast.walk order: restricted to one subtree (or to
        # one scope's own nodes), the order of a breadth-first walk is the subtree's own walk order.
        todo: deque[tuple[ast.AST, list[ast.AST], _Lists]] = deque([(tree, self._module_own, (self.nodes,))])
        pop, push = todo.popleft, todo.append
        by_type, parents, AST = self.by_type, self._parent, ast.AST  # locals: this loop is the hot path
        while todo:
            node, own, nested = pop()
            parent = None if node is tree else node
            for field in node._fields:  # ast.iter_child_nodes, inlined
                value = getattr(node, field, None)
                if isinstance(value, AST):
                    children: list[Any] | tuple[ast.AST] = (value,)
                elif isinstance(value, list):
                    children = value
                else:
                    continue
                for child in children:
                    if not isinstance(child, AST):
                        continue  # Global.names and the like: strings
                    own.append(child)
                    for lst in nested:
                        lst.append(child)
                    same_type = by_type.get(type(child))
                    if same_type is None:
                        by_type[type(child)] = [child]
                    else:
                        same_type.append(child)
                    parents[child] = parent
                    if isinstance(child, SCOPES):
                        inner_own = self._own[child] = []
                        inner = self._nested[child] = []
                        push((child, inner_own, (*nested, inner)))
                    else:
                        push((child, own, nested))

    @property
    def root(self) -> ast.AST:
        tree = self._root()
        if tree is None:  # only if someone keeps the index and drops the tree
            raise ReferenceError("the syntax tree of this index was released")
        return tree

    def scope(self, node: ast.AST, into_nested: bool = False) -> list[ast.AST]:
        """(Do not modify the returned list: it is shared.) The nodes of a function, lambda or class
        body, or of the module (the root): nested functions/classes/lambdas are listed but not
        entered unless ``into_nested``. In ``ast.walk`` order; the scope node itself is not included."""
        if node is self._root():
            return self.nodes if into_nested else self._module_own
        lists = self._nested if into_nested else self._own
        if node not in lists:
            raise ValueError(f"{type(node).__name__} is not a scope of this tree")
        return lists[node]

    def of_type(self, kind: type[_N]) -> list[_N]:
        """(Do not modify the returned list.) Nodes of this type (not subclasses), in ``ast.walk`` order."""
        return cast("list[_N]", self.by_type.get(kind, []))

    def of_types(self, *kinds: type[ast.AST]) -> list[ast.AST]:
        """(Do not modify the returned list.) Nodes of any of these types, in ``ast.walk`` order."""
        return self.memo(("of_types", kinds), lambda: [n for n in self.nodes if isinstance(n, kinds)])

    def parent(self, node: ast.AST) -> ast.AST | None:
        """The node's parent (the root for a top-level statement); None for the root itself.
        (CPython shares one ``Load``, ``Add`` ... object across trees: ask about real nodes only.)"""
        if node not in self._parent:
            if node is self._root():
                return None
            raise ValueError(f"{type(node).__name__} is not in this tree")
        parent = self._parent[node]
        return self.root if parent is None else parent

    def ancestors(self, node: ast.AST, stop: ast.AST | None = None) -> Iterator[ast.AST]:
        """The node's parent, grandparent ... up to the root, or up to (without) ``stop``."""
        current = self.parent(node)
        while current is not None and current is not stop:
            yield current
            current = self.parent(current)

    def inside(self, node: ast.AST, outer: ast.AST) -> bool:
        """Is ``node`` ``outer`` or somewhere below it? (Parent links: no walk of ``outer``.)"""
        return node is outer or any(a is outer for a in self.ancestors(node))

    def owner(self, node: ast.AST) -> ast.AST:
        """The innermost function, lambda or class whose own body holds the node, or the root."""
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, SCOPES):
                return ancestor
        return self.root

    def memo(self, key: object, compute: Callable[[], _T]) -> _T:
        """A result computed once per tree. Neither key nor result may hold the root: the cache
        would keep the tree alive."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[return-value]


_INDEXES: weakref.WeakKeyDictionary[ast.AST, ScriptIndex] = weakref.WeakKeyDictionary()


def index(tree: ast.AST) -> ScriptIndex:
    """The index of this tree (the same object), built on first use and dropped with the tree."""
    found = _INDEXES.get(tree)
    if found is None:
        found = _INDEXES[tree] = ScriptIndex(tree)
    return found
