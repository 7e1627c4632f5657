from __future__ import annotations

from lintkit import SCRIPT_ONLINE_DEPLOYMENT as ONLINE
from lintkit import LintFn

RULE = "AML307"


BATCH = ONLINE.replace("managedOnlineDeployment", "modelBatchDeployment").replace(
    "instance_type: Standard_DS3_v2\ninstance_count: 1\n", "type: model\ncompute: cpu-cluster\n")

V1_SCRIPT = """
import joblib
from azureml.core.model import Model
from azureml.core import Run

def init():
    global model
    model = joblib.load(Model.get_model_path("sklearn-model"))

def run(data):
    Run.get_context().log("rows", len(data))
    return model.predict(data).tolist()
"""


def test_docstring_example_fails(lint: LintFn) -> None:
    found = lint({"deploy.yml": ONLINE, "src/score.py": V1_SCRIPT}, rule=RULE)
    assert [f.line for f in found] == [2, 3, 7, 10]
    assert "azureml.core" in found[0].message and "AZUREML_MODEL_DIR" in found[0].message
    assert "Model.get_model_path()" in found[2].message and "AZUREML_MODEL_DIR" in found[2].message
    assert "Run.get_context()" in found[3].message
    assert all(f.severity.label == "warning" for f in found)


def test_docstring_example_passes(lint: LintFn) -> None:
    assert lint({"deploy.yml": ONLINE, "src/score.py": """
        import os
        import joblib

        def init():
            global model
            model = joblib.load(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.pkl"))

        def run(data):
            return model.predict(data).tolist()
    """}, rule=RULE) == []


def test_batch_reports_only_get_model_path(lint: LintFn) -> None:
    found = lint({"deploy.yml": BATCH, "src/score.py": V1_SCRIPT}, rule=RULE)
    assert [f.line for f in found] == [7]


def test_unlinked_script_may_be_a_v1_project(lint: LintFn) -> None:
    assert lint({"v1/score.py": V1_SCRIPT}, rule=RULE) == []
