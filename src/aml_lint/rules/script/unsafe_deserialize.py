"""run() deserializes request data with pickle, joblib, torch.load, eval or an unsafe YAML loader.

What it finds: inside `run()` (or a function of the script that `run()` hands the data
to), a call to `pickle.load(s)`, `joblib.load`, `torch.load` (without `weights_only=True`),
`dill`/`cloudpickle` loads, `pandas.read_pickle`, `numpy.load(..., allow_pickle=True)`,
`marshal.loads`, `jsonpickle.decode`, `eval`, `exec`, or `yaml.load` without a safe loader
(`yaml.unsafe_load`), whose argument is derived from a parameter of `run()` (the request
body, the raw request, the headers). In a batch deployment the same on the mini-batch files
is a warning.

Why it matters: unpickling runs code chosen by whoever wrote the bytes. Anyone who can call
the endpoint (a leaked key is enough) can run commands in your container, read the model
and the credentials of its managed identity. In a batch deployment the same happens with
any input file handed to the job.

Fails:
    import base64, pickle

    def run(raw_data):
        features = pickle.loads(base64.b64decode(raw_data))
        return model.predict(features).tolist()

Passes:
    import json

    def run(raw_data):
        features = json.loads(raw_data)["data"]
        return model.predict(features).tolist()

Fix: accept JSON (or another data-only format: numpy `.npy` without `allow_pickle`,
Parquet, images) and parse it with a parser that cannot run code (`json.loads`,
`yaml.safe_load`, `torch.load(..., weights_only=True)`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.documents.python_script import node_location
from aml_lint.findings import Severity
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.script import tree as sa

ID = "AML306"
NAME = "unsafe-request-deserialization"
SEVERITY = "error"
KINDS = (Kind.SCORING_SCRIPT,)

ALWAYS_UNSAFE = frozenset({
    "pickle.load", "pickle.loads", "_pickle.load", "_pickle.loads", "cPickle.load", "cPickle.loads",
    "joblib.load", "dill.load", "dill.loads", "cloudpickle.load", "cloudpickle.loads",
    "pandas.read_pickle", "marshal.load", "marshal.loads", "jsonpickle.decode",
    "eval", "exec", "builtins.eval", "builtins.exec", "yaml.unsafe_load", "yaml.unsafe_load_all",
    "sklearn.externals.joblib.load",
})
_SAFE_YAML_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"}


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    tree = sa.script_tree(doc)
    run = sa.module_function(tree, "run")
    if run is None:
        return
    ix = sa.index(tree)
    names = sa.aliases(tree)
    tainted = sa.tainted_names(ix, run)
    batch = sa.role(doc, ctx).batch_only
    origin = "the mini-batch files" if batch else "the request"
    found = [(call, name, f"run() passes '{source}', derived from {origin}, to {sa.short(name)}")
             for call, name, source in _sinks(ix, run, tainted, names)]
    # One level down: module-level functions run() hands request data to.
    helpers = {f.name: f for f in tree.body
               if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.name not in ("init", "run")}
    seen: set[str] = set()
    for node in ix.scope(run, into_nested=True):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in helpers) \
                or node.func.id in seen:
            continue
        helper = helpers[node.func.id]
        seeds = _tainted_params(node, helper, tainted)
        if not seeds:
            continue
        seen.add(helper.name)
        for call, name, source in _sinks(ix, helper, sa.tainted_names(ix, helper, frozenset(seeds)), names):
            found.append((call, name, f"run() passes data derived from {origin} to {helper.name}() at line "
                                      f"{node.lineno}, which hands '{source}' to {sa.short(name)}"))
    for call, _name, what in found:
        if batch:
            yield Hit(f"{what}, which can run code hidden in an input file on the batch compute; read the inputs "
                      "in a data-only format (CSV, Parquet, JSON, images)", node_location(call),
                      severity=Severity.WARNING)
        else:
            yield Hit(f"{what}, so anyone who can call the endpoint can run code in the container; accept JSON "
                      "(or another data-only format) and parse it with a safe parser", node_location(call))


def _sinks(ix: sa.ScriptIndex, func: sa.FunctionNode, tainted: frozenset[str],
           names: dict[str, str]) -> Iterator[tuple[ast.Call, str, str]]:
    """(call, dotted name, tainted name it receives) for each unsafe deserialization of tainted data."""
    for node in ix.scope(func, into_nested=True):
        if not isinstance(node, ast.Call):
            continue
        name = sa.call_name(node, names)
        if not unsafe_call(node, name):
            continue
        source = next((s for s in (sa.uses(a, tainted) for a in _data_args(node)) if s), None)
        if source is not None:
            yield node, name, source


def _tainted_params(call: ast.Call, helper: sa.FunctionNode, tainted: frozenset[str]) -> set[str]:
    """The helper's parameters that receive tainted arguments in this call."""
    positional = [a.arg for a in (*helper.args.posonlyargs, *helper.args.args)]
    seeds: set[str] = set()
    for index, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            break
        if index < len(positional) and sa.uses(arg, tainted):
            seeds.add(positional[index])
    for keyword in call.keywords:
        if keyword.arg and sa.uses(keyword.value, tainted):
            seeds.add(keyword.arg)
    return seeds


def unsafe_call(call: ast.Call, name: str) -> bool:
    """Does this call deserialize in a way that can run code?"""
    if name in ALWAYS_UNSAFE or name.startswith(("pickle.Unpickler", "dill.Unpickler")):
        return True
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    if name in ("torch.load", "torch.serialization.load"):
        weights_only = keywords.get("weights_only")
        return not (isinstance(weights_only, ast.Constant) and weights_only.value is True)
    if name in ("numpy.load", "numpy.lib.npyio.load"):
        allow = keywords.get("allow_pickle")
        return isinstance(allow, ast.Constant) and allow.value is True
    if name in ("yaml.load", "yaml.load_all"):
        loader = keywords.get("Loader") or (call.args[1] if len(call.args) > 1 else None)
        loader_name = sa.qualname(loader, {}) if loader is not None else None
        return loader_name is None or loader_name.rsplit(".", 1)[-1] not in _SAFE_YAML_LOADERS
    return False


def _data_args(call: ast.Call) -> list[ast.AST]:
    """The arguments that carry the data (not Loader=, weights_only=, map_location=)."""
    args: list[ast.AST] = list(call.args[:1])
    args += [k.value for k in call.keywords
             if k.arg in ("file", "f", "data", "s", "stream", "source", "filepath_or_buffer", "fp")]
    if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Call):
        args += call.func.value.args[:1]  # pickle.Unpickler(stream).load()
    return args
