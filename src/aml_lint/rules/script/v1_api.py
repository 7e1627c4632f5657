"""A v2 deployment's scoring script uses the AzureML SDK v1 (azureml.core).

What it finds: in a scoring script named by a CLI v2 deployment YAML, `Model.get_model_path(...)`,
`Run.get_context()` and imports of `azureml.core`. For batch deployments only
`Model.get_model_path` is reported (batch environments include azureml-core).

Why it matters: a v2 deployment has no v1 workspace context. `Model.get_model_path` looks the
model up through the v1 workspace and model registry, which a v2 container does not have, so
`init()` fails; `Run.get_context()` returns an offline run, and `azureml.core` must be
installed (it is not in the inference images) or the container fails at import with
"No module named 'azureml.core'". The SDK v1 is deprecated and its support ended in June 2026.
Maintainers diagnosed such a crashing deployment as "your scoring script is using AzureML SDK v1".

Fails:
    from azureml.core.model import Model

    def init():
        global model
        model = joblib.load(Model.get_model_path("sklearn-model"))

Passes:
    import os

    def init():
        global model
        model = joblib.load(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.pkl"))

Fix: build the model path from the `AZUREML_MODEL_DIR` environment variable, which the platform
sets to the folder the deployment's model was downloaded to (for a registered folder, add its
sub-folder name); log with `logging` or `mlflow` instead of `Run`; remove `azureml.core` imports.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.documents.python_script import node_location
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.script import tree as sa

ID = "AML307"
NAME = "sdk-v1-in-scoring-script"
SEVERITY = "warning"
KINDS = (Kind.SCORING_SCRIPT,)

_MODEL_DIR = ("use os.environ['AZUREML_MODEL_DIR'], the folder the platform downloaded the deployment's "
              "model to, e.g. os.path.join(os.environ['AZUREML_MODEL_DIR'], 'model.pkl')")


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    tree = sa.script_tree(doc)
    role = sa.role(doc, ctx)
    if not role.linked:
        return  # a v1 project's script may use v1 APIs; only v2 YAML deployments tell us otherwise
    names = sa.aliases(tree)
    for node in sa.index(tree).of_types(ast.Call, ast.Import, ast.ImportFrom):  # in walk order
        if isinstance(node, ast.Call):
            name = sa.call_name(node, names)
            last = name.split(".")[-2:]
            if last == ["Model", "get_model_path"]:
                yield Hit("Model.get_model_path() is SDK v1: it needs azureml-core and the v1 model layout, "
                          f"and fails to find the model in a v2 deployment; {_MODEL_DIR}", node_location(node))
            elif last == ["Run", "get_context"] and not role.batch_only:
                yield Hit("Run.get_context() is SDK v1 and has no run to return in a v2 online deployment; "
                          "log with the logging module (or mlflow) instead", node_location(node))
        elif not role.batch_only and isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if node.level == 0 else []
            if node_is_core(modules, node):
                yield Hit("azureml.core is the deprecated SDK v1, which a v2 online deployment does not need "
                          "(it is only there when the environment installs azureml-core or azureml-defaults); "
                          f"drop the import and {_MODEL_DIR}", node_location(node))


def node_is_core(modules: list[str], node: ast.Import | ast.ImportFrom) -> bool:
    if any(m == "azureml.core" or m.startswith("azureml.core.") for m in modules):
        return True
    return isinstance(node, ast.ImportFrom) and node.module == "azureml" and any(a.name == "core" for a in node.names)
