"""Python files (scoring scripts and the local modules they import), parsed with ``ast``.

The code is never imported or executed: every fact comes from the syntax tree.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field

from aml_lint.findings import Location


@dataclass(frozen=True)
class ImportRef:
    module: str  # absolute dotted name ("sklearn.linear_model"); for relative imports the text after dots
    level: int  # 0 absolute, >0 relative
    location: Location
    names: tuple[str, ...] = ()  # for "from m import a, b"
    guarded: bool = False  # inside try/except ImportError or an if-block: optional import
    # In the `except ImportError:` of a try whose body imports too: runs only when that import
    # failed (`try: from .features import f` / `except ImportError: from features import f`).
    fallback: bool = False


@dataclass
class PythonScript:
    path: str
    tree: ast.Module | None = None
    error: str | None = None
    error_location: Location = field(default_factory=Location)
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    imports: list[ImportRef] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.tree is not None

    @property
    def has_contract(self) -> bool:
        return "init" in self.functions and "run" in self.functions


def node_location(node: ast.AST) -> Location:
    line = getattr(node, "lineno", 0) or 0
    col = (getattr(node, "col_offset", 0) or 0) + 1
    end_line = getattr(node, "end_lineno", None) or line
    end_col = (getattr(node, "end_col_offset", None) or col - 1) + 1
    return Location(line, col, end_line, end_col)


def _collect_imports(tree: ast.Module) -> list[ImportRef]:
    refs: list[ImportRef] = []

    def visit(body: list[ast.stmt], guarded: bool, fallback: bool = False) -> None:
        for stmt in body:
            if isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    refs.append(ImportRef(alias.name, 0, node_location(stmt), guarded=guarded, fallback=fallback))
            elif isinstance(stmt, ast.ImportFrom):
                names = tuple(a.name for a in stmt.names)
                refs.append(ImportRef(stmt.module or "", stmt.level, node_location(stmt), names, guarded, fallback))
            elif isinstance(stmt, ast.Try):
                catches_import = any(_catches_import_error(h) for h in stmt.handlers)
                visit(stmt.body, guarded or catches_import, fallback)
                tries_import = catches_import and any(isinstance(s, (ast.Import, ast.ImportFrom)) for s in stmt.body)
                for handler in stmt.handlers:
                    handles = tries_import and _catches_import_error(handler)
                    visit(handler.body, guarded or handles, fallback or handles)
                visit(stmt.orelse, guarded, fallback)
                visit(stmt.finalbody, guarded, fallback)
            elif isinstance(stmt, ast.If):
                # `if TYPE_CHECKING:` and version checks: not certain to run.
                visit(stmt.body, True, fallback)
                visit(stmt.orelse, True, fallback)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.With, ast.For,
                                   ast.While, ast.AsyncWith, ast.AsyncFor)):
                visit(stmt.body, guarded, fallback)
                visit(getattr(stmt, "orelse", []) or [], guarded, fallback)

    visit(tree.body, False)
    return refs


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(n, ast.Name) and n.id in ("ImportError", "ModuleNotFoundError", "Exception")
               for n in names)


def read_python(text: str, path: str) -> PythonScript:
    script = PythonScript(path)
    try:
        # ast.parse reports odd code (invalid escapes, '1if') as SyntaxWarning through the
        # warnings module, which prints the file name, raw, on stderr: a name with
        # "\n::error::" or "##vso[" would be a CI command there. The code is not ours to warn about.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        script.error = f"syntax error: {exc.msg}"
        script.error_location = Location(exc.lineno or 0, exc.offset or 0)
        return script
    except (ValueError, RecursionError, MemoryError) as exc:
        # ValueError: null bytes (before 3.12); RecursionError/MemoryError: absurd expressions.
        script.error = f"cannot be parsed: {type(exc).__name__}: {str(exc)[:200]}"
        return script
    script.tree = tree
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            script.functions[stmt.name] = stmt
    try:
        script.imports = _collect_imports(tree)
    except RecursionError:
        script.imports = []
    return script
