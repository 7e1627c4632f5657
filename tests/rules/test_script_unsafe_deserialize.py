from __future__ import annotations

import pytest

from lintkit import SCRIPT_BATCH_DEPLOYMENT as BATCH
from lintkit import LintFn

RULE = "AML306"



def _script(body: str, imports: str) -> str:
    lines = "\n".join("    " + line for line in body.strip().splitlines())
    return f"{imports}\n\ndef init():\n    pass\n\ndef run(raw_data):\n{lines}\n"


def test_docstring_example_fails(lint: LintFn) -> None:
    found = lint({"src/score.py": """
        import base64, pickle

        def run(raw_data):
            features = pickle.loads(base64.b64decode(raw_data))
            return model.predict(features).tolist()

        def init():
            pass
    """}, rule=RULE)
    assert len(found) == 1
    assert (found[0].line, found[0].col) == (4, 16)
    assert "'raw_data'" in found[0].message and "pickle.loads" in found[0].message
    assert "anyone who can call the endpoint" in found[0].message
    assert found[0].severity.label == "error"


def test_docstring_example_passes(lint: LintFn) -> None:
    assert lint({"src/score.py": _script("""
features = json.loads(raw_data)["data"]
return model.predict(features).tolist()
""", "import json")}, rule=RULE) == []


@pytest.mark.parametrize(("imports", "body", "shown"), [
    ("import joblib, io", "payload = io.BytesIO(raw_data.get_data())\nobj = joblib.load(payload)", "joblib.load"),
    ("import torch, io", "t = torch.load(io.BytesIO(raw_data))", "torch.load"),
    ("import dill", "obj = dill.loads(raw_data)", "dill.loads"),
    ("import cloudpickle as cp", "obj = cp.loads(raw_data)", "cloudpickle.loads"),
    ("import pandas as pd, io", "df = pd.read_pickle(io.BytesIO(raw_data))", "pandas.read_pickle"),
    ("import numpy as np, io", "a = np.load(io.BytesIO(raw_data), allow_pickle=True)", "numpy.load"),
    ("import yaml", "cfg = yaml.load(raw_data, Loader=yaml.Loader)", "yaml.load"),
    ("import yaml", "cfg = yaml.load(raw_data)", "yaml.load"),
    ("import yaml", "cfg = yaml.unsafe_load(raw_data)", "yaml.unsafe_load"),
    ("import json", 'expr = json.loads(raw_data)["expr"]\nvalue = eval(expr)', "eval"),
    ("import pickle", "for blob in raw_data:\n    pickle.loads(blob)", "pickle.loads"),
    ("from pickle import loads as unpickle", "obj = unpickle(raw_data)", "pickle.loads"),
])
def test_unsafe_sinks(lint: LintFn, imports: str, body: str, shown: str) -> None:
    found = lint({"src/score.py": _script(body, imports)}, rule=RULE)
    assert len(found) == 1, found
    assert shown in found[0].message


@pytest.mark.parametrize(("imports", "body"), [
    ("import torch, io", "t = torch.load(io.BytesIO(raw_data), weights_only=True)"),
    ("import numpy as np, io", "a = np.load(io.BytesIO(raw_data))"),
    ("import yaml", "cfg = yaml.load(raw_data, Loader=yaml.SafeLoader)"),
    ("import yaml", "cfg = yaml.safe_load(raw_data)"),
    ("import ast", "v = ast.literal_eval(raw_data)"),
    ("import pickle", 'labels = pickle.load(open("labels.pkl", "rb"))\nreturn labels[raw_data]'),
    ("import torch", "model.eval()\nreturn model(torch.tensor(raw_data)).tolist()"),
])
def test_safe_parsing_passes(lint: LintFn, imports: str, body: str) -> None:
    assert lint({"src/score.py": _script(body, imports)}, rule=RULE) == []


def test_batch_input_files_are_a_warning(lint: LintFn) -> None:
    found = lint({"deploy.yml": BATCH, "src/score.py": """
        import joblib

        def init():
            pass

        def run(mini_batch):
            return [joblib.load(path) for path in mini_batch]
    """}, rule=RULE)
    assert len(found) == 1
    assert found[0].line == 7 and found[0].severity.label == "warning"
    assert "mini-batch files" in found[0].message


def test_helper_that_receives_the_request(lint: LintFn) -> None:
    found = lint({"src/score.py": """
        import base64, pickle

        def decode(payload, strict=True):
            raw = base64.b64decode(payload)
            return pickle.loads(raw)

        def load_labels(path):
            return pickle.load(open(path, "rb"))

        def init():
            pass

        def run(raw_data):
            labels = load_labels("labels.pkl")
            return [labels[i] for i in decode(raw_data)]
    """}, rule=RULE)
    assert len(found) == 1
    assert found[0].line == 5
    assert "decode() at line 15, which hands 'raw' to pickle.loads" in found[0].message
