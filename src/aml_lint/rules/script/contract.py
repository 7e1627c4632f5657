"""A scoring script whose init() or run() does not fit how the server calls them.

What it finds: a scoring script without a module-level `init` or `run`; an `init` with
required parameters (it is called with none); for scripts served online (or not linked to
any deployment), a `run` with no parameter for the input data besides `request_headers`,
with `*args`, `**kwargs` or positional-only parameters, decorated with both `@rawhttp` and
`@input_schema`, or with an `@input_schema(param_name, ...)` whose `param_name` is not a
parameter of `run`; for scripts of batch deployments, a `run` that cannot be called as
`run(mini_batch)`.

Why it matters: the inference server checks the script when the container starts and stops
it, so the deployment never becomes ready: "User script at ... does not have a init()
function defined.", "run() cannot accept positional-only arguments, *args, or **kwargs.",
"run() needs to accept an argument for input data.", "run() cannot be decorated with both
@rawhttp and @input_schema". A wrong `param_name` fails on the first request with 'Error,
provided param_name "..." is not in the decorated function.'. Batch jobs call
`init()` once per worker and then `run(mini_batch)` with a list of file paths. The `run`
checks of a script that no deployment in the repository names are warnings: it is judged
as served online, but a batch or parallel job calling `run(mini_batch)` would accept it.

Fails:
    def init():
        global model
        model = load_model()

    def run(*args, **kwargs):
        return model.predict(args[0]).tolist()

Passes:
    def init():
        global model
        model = load_model()

    def run(raw_data):
        return model.predict(raw_data).tolist()

Fix: define `init()` with no required parameters and `run(data)` at module level; give
`@input_schema` the name of a parameter of `run`; use either `@rawhttp` (you parse the
request) or `@input_schema` (the server parses it), not both. In a batch scoring script
use `run(mini_batch)`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import replace

from aml_lint.documents import Document, Kind
from aml_lint.documents.python_script import node_location
from aml_lint.findings import Location, Severity
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.script import tree as sa

ID = "AML301"
NAME = "scoring-script-contract"
SEVERITY = "error"
KINDS = (Kind.SCORING_SCRIPT,)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    tree = sa.script_tree(doc)
    role = sa.role(doc, ctx)
    bound = sa.module_bindings(tree)
    star = any(isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names) for n in tree.body)
    for name in ("init", "run"):
        if name not in bound and not star:  # `from x import *` may bring it: we cannot tell
            yield Hit(_missing(name, role), Location())
    init = sa.module_function(tree, "init")
    run = sa.module_function(tree, "run")
    if init is not None:
        yield from _check_init(init)
    if run is None:
        return
    if role.batch_only:
        yield from _check_batch_run(run, role)
    elif role.linked:
        yield from _check_online_run(run, sa.aliases(tree))
    else:
        # No deployment in the repository names it: judged as online, but a batch or parallel job would
        # call run(mini_batch) and accept these shapes, so the failure is likely, not certain.
        for hit in _check_online_run(run, sa.aliases(tree)):
            yield replace(hit, severity=Severity.WARNING)


def _missing(name: str, role: sa.Role) -> str:
    call = "init()" if name == "init" else ("run(mini_batch)" if role.batch_only else "run(data)")
    used = role.online[0] if role.online else role.batch[0] if role.batch else ""
    by = f" (used by {used})" if used else ""
    return (f"the scoring script{by} has no module-level {name}() function, so the server cannot start it "
            f"('does not have a {name}() function defined'); define {call} at module level")


def _check_init(init: sa.FunctionNode) -> Iterator[Hit]:
    args = init.args
    positional = [*args.posonlyargs, *args.args]
    required = positional[:len(positional) - len(args.defaults)]
    required += [a for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None]
    if required:
        names = ", ".join(f"'{a.arg}'" for a in required)
        yield Hit(f"init() has required parameter(s) {names}, but the server calls init() with no arguments; "
                  "remove them or give them defaults", node_location(required[0]))


def _check_online_run(run: sa.FunctionNode, names: dict[str, str]) -> Iterator[Hit]:
    args = run.args
    bad = [*args.posonlyargs[:1], *([args.vararg] if args.vararg else []), *([args.kwarg] if args.kwarg else [])]
    for bad_arg in bad:
        kind = ("positional-only parameters" if bad_arg in args.posonlyargs
                else "*" + bad_arg.arg if bad_arg is args.vararg else "**" + bad_arg.arg)
        yield Hit(f"run() takes {kind}, which the inference server refuses at start "
                  "('run() cannot accept positional-only arguments, *args, or **kwargs'); "
                  "name each input parameter, e.g. run(data)", node_location(bad_arg))
    params = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    data_params = [p for p in params if p != "request_headers"]
    if not data_params and not bad:
        what = "only 'request_headers'" if params else "no parameters"
        yield Hit(f"run() takes {what}, but the inference server passes the request data as an argument "
                  "('run() needs to accept an argument for input data'); add a parameter, e.g. run(data)",
                  node_location(run))
    decorators = {sa.decorator_name(d, names): d for d in run.decorator_list}
    if "rawhttp" in decorators and "input_schema" in decorators:
        yield Hit("run() is decorated with both @rawhttp and @input_schema, which the inference server refuses "
                  "at start; keep @rawhttp to parse the request yourself, or @input_schema to let the server "
                  "parse it", node_location(decorators["rawhttp"]))
    for deco in run.decorator_list:
        if not isinstance(deco, ast.Call) or sa.decorator_name(deco, names) != "input_schema":
            continue
        arg = deco.args[0] if deco.args else next((k.value for k in deco.keywords if k.arg == "param_name"),
                                                  None)
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value not in params \
                and not args.kwarg:
            known = ", ".join(f"'{p}'" for p in params) or "none"
            yield Hit(f"@input_schema names parameter '{arg.value}', but run() has no such parameter "
                      f"(its parameters: {known}); every request fails with 'provided param_name is not in "
                      "the decorated function': use the name of a run() parameter", node_location(arg))


def _check_batch_run(run: sa.FunctionNode, role: sa.Role) -> Iterator[Hit]:
    args = run.args
    positional = [*args.posonlyargs, *args.args]
    required = positional[:len(positional) - len(args.defaults)]
    required_kw = [a for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None]
    where = role.batch[0]
    if not positional and not args.vararg:
        yield Hit(f"run() takes no positional parameter, but the batch deployment {where} calls "
                  "run(mini_batch) with the list of files to score; add a mini_batch parameter",
                  node_location(run))
    elif len(required) > 1 or required_kw:
        extra = [a.arg for a in (*required[1:], *required_kw)]
        yield Hit(f"run() requires {', '.join(repr(e) for e in extra)} besides the mini-batch, but the batch "
                  f"deployment {where} calls run(mini_batch) with one argument; give the other parameters "
                  "defaults or remove them", node_location(run))
