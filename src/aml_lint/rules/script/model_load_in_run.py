"""The model is loaded inside run() instead of once in init().

What it finds: a model loader called in `run()` (or in a function of the script that `run()`
calls): `joblib.load`, `pickle.load`, `torch.load`, `torch.jit.load`, Keras/TensorFlow
`load_model` and `saved_model.load`, `mlflow.<flavor>.load_model`, Hugging Face
`*.from_pretrained` and `transformers.pipeline`, `onnxruntime.InferenceSession`,
`xgboost`/`lightgbm`/`catboost` `load_model`, `spacy.load`, `SentenceTransformer(...)`.
A load guarded by a cache check (`if model is None:`) or in a helper decorated with
`@lru_cache`/`@cache` is fine, and so is a load whose source
comes from the arguments (a model chosen per request, or the request itself, which AML306
checks).

Why it matters: `run()` is called for every request (every mini-batch in batch jobs).
Loading the model each time adds seconds per call, multiplies memory use under concurrent
requests, and pushes requests past `request_timeout_ms`: clients see HTTP 408 "Request
timed out" or 500 "Scoring timeout after ... ms", and workers get killed with
"WORKER TIMEOUT".

Fails:
    def init():
        pass

    def run(data):
        model = joblib.load(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.pkl"))
        return model.predict(json.loads(data)["data"]).tolist()

Passes:
    def init():
        global model
        model = joblib.load(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.pkl"))

    def run(data):
        return model.predict(json.loads(data)["data"]).tolist()

Fix: load the model in `init()` into a global variable (`global model`) and use it in
`run()`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.documents.python_script import node_location
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.script import tree as sa

ID = "AML304"
NAME = "model-loaded-in-run"
SEVERITY = "warning"
KINDS = (Kind.SCORING_SCRIPT,)

LOADERS = frozenset({
    "joblib.load", "pickle.load", "cloudpickle.load", "dill.load", "torch.load", "torch.jit.load",
    "tensorflow.keras.models.load_model", "keras.models.load_model", "keras.saving.load_model",
    "tensorflow.keras.saving.load_model", "tensorflow.saved_model.load",
    "onnxruntime.InferenceSession", "transformers.pipeline", "spacy.load", "fasttext.load_model",
    "sentence_transformers.SentenceTransformer", "lightgbm.Booster", "sklearn.externals.joblib.load",
})
_SUFFIXES = (".from_pretrained", ".load_model")
_CACHES = {"lru_cache", "cache", "cached", "memoize", "cached_property"}


def is_loader(name: str) -> bool:
    if name in LOADERS or name.endswith(_SUFFIXES):
        return True
    return name.startswith("mlflow.") and name.endswith((".load_model", ".load_pyfunc"))


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    tree = sa.script_tree(doc)
    run = sa.module_function(tree, "run")
    if run is None:
        return
    ix = sa.index(tree)
    names = sa.aliases(tree)
    caches = sa.declared_global(ix, run)
    for call in _loader_calls(ix, run, names, caches):
        yield Hit(f"run() loads the model with {sa.short(sa.call_name(call, names))} on every call; load it once "
                  "in init() into a global variable and use that in run()", node_location(call))
    # One level down: module-level helpers run() calls.
    helpers = {f.name: f for f in tree.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))}
    called = {}
    for node in ix.scope(run, into_nested=True):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in helpers \
                and node.func.id not in ("init", "run") and node.func.id not in called \
                and not _guarded(ix, node, run, caches):
            called[node.func.id] = node
    for helper_name, call_site in called.items():
        if any(sa.decorator_name(d, names) in _CACHES for d in helpers[helper_name].decorator_list):
            continue  # @lru_cache / @cache: loaded on the first call only
        for call in _loader_calls(ix, helpers[helper_name], names, set()):
            yield Hit(f"{helper_name}(), called by run() at line {call_site.lineno}, loads the model with "
                      f"{sa.short(sa.call_name(call, names))} on every call; load it once in init() into a global "
                      "variable and use that in run()", node_location(call))


def _loader_calls(ix: sa.ScriptIndex, func: sa.FunctionNode, names: dict[str, str],
                  caches: set[str]) -> Iterator[ast.Call]:
    """Loader calls with a fixed source. A source derived from the function's parameters is the
    request itself (AML306's business) or a model chosen per call (a multi-model endpoint, a batch
    job retraining per file): not something init() could load."""
    from_params = sa.tainted_names(ix, func)
    for node in ix.scope(func, into_nested=True):
        if isinstance(node, ast.Call) and is_loader(sa.call_name(node, names)) \
                and not any(sa.uses(a, from_params) for a in (*node.args, *(k.value for k in node.keywords))) \
                and not _guarded(ix, node, func, caches):
            yield node


def _guarded(ix: sa.ScriptIndex, call: ast.AST, func: sa.FunctionNode, caches: set[str]) -> bool:
    """Inside ``if model is None:`` (or another check of a cache the function fills): loaded once."""
    # What holds the call, from the call up to the function (parent links, not walks): the
    # assignments whose value holds it and the if-statements whose body holds it.
    targets = set(caches)
    checks: list[ast.If] = []
    below = call
    for above in ix.ancestors(call, stop=func):
        if isinstance(above, (ast.Assign, ast.AnnAssign)) and above.value is below:
            for target in (above.targets if isinstance(above, ast.Assign) else [above.target]):
                targets |= sa.names_in(target)
        elif isinstance(above, ast.If) and any(stmt is below for stmt in above.body):
            checks.append(above)
        below = above
    for node in checks:
        test_names = sa.names_in(node.test)
        if test_names & targets:
            return True
        if any(isinstance(c, ast.Compare) and any(isinstance(x, ast.Constant) and x.value is None
                                                  for x in c.comparators) for c in ast.walk(node.test)):
            return True
    return False
