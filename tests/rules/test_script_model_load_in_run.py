from __future__ import annotations

import pytest

from lintkit import LintFn

RULE = "AML304"


def test_docstring_example_fails(lint: LintFn) -> None:
    found = lint({"src/score.py": """
        import json, os
        import joblib

        def init():
            pass

        def run(data):
            model = joblib.load(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.pkl"))
            return model.predict(json.loads(data)["data"]).tolist()
    """}, rule=RULE)
    assert len(found) == 1
    assert (found[0].line, found[0].col) == (8, 13)
    assert "joblib.load" in found[0].message and "init()" in found[0].message
    assert found[0].severity.label == "warning"


def test_docstring_example_passes(lint: LintFn) -> None:
    assert lint({"src/score.py": """
        import json, os
        import joblib

        def init():
            global model
            model = joblib.load(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.pkl"))

        def run(data):
            return model.predict(json.loads(data)["data"]).tolist()
    """}, rule=RULE) == []


@pytest.mark.parametrize(("imports", "call", "shown"), [
    ("import torch", 'torch.load("model.pt")', "torch.load"),
    ("import tensorflow as tf", 'tf.keras.models.load_model("model")', "tensorflow.keras.models.load_model"),
    ("from tensorflow import keras", 'keras.models.load_model("model")', "tensorflow.keras.models.load_model"),
    ("import mlflow", 'mlflow.sklearn.load_model("model")', "mlflow.sklearn.load_model"),
    ("import mlflow.pyfunc", 'mlflow.pyfunc.load_model("model")', "mlflow.pyfunc.load_model"),
    ("from transformers import AutoModel", 'AutoModel.from_pretrained("bert")',
     "transformers.AutoModel.from_pretrained"),
    ("import onnxruntime as ort", 'ort.InferenceSession("model.onnx")', "onnxruntime.InferenceSession"),
    ("import xgboost as xgb", 'xgb.Booster().load_model("model.json")', "xgboost.Booster(...).load_model"),
    ("import pickle", 'pickle.load(open("model.pkl", "rb"))', "pickle.load"),
])
def test_loaders(lint: LintFn, imports: str, call: str, shown: str) -> None:
    script = f"{imports}\n\ndef init():\n    pass\n\ndef run(data):\n    model = {call}\n    return model(data)\n"
    found = lint({"src/score.py": script}, rule=RULE)
    assert len(found) == 1, found
    assert found[0].line == 7 and shown in found[0].message


def test_helper_called_by_run(lint: LintFn) -> None:
    found = lint({"src/score.py": """
        import joblib

        def load():
            return joblib.load("model.pkl")

        def init():
            pass

        def run(data):
            return load().predict(data).tolist()
    """}, rule=RULE)
    assert len(found) == 1
    assert found[0].line == 4 and "load(), called by run() at line 10" in found[0].message


def test_cached_lazy_load_passes(lint: LintFn) -> None:
    assert lint({"src/score.py": """
        import joblib

        model = None
        cache = {}

        def init():
            pass

        def run(data, name="default"):
            global model
            if model is None:
                model = joblib.load("model.pkl")
            if name not in cache:
                cache[name] = joblib.load(name + ".pkl")
            return model.predict(data).tolist()
    """}, rule=RULE) == []


def test_loading_the_request_is_left_to_aml306(lint: LintFn) -> None:
    assert lint({"src/score.py": """
        import io, torch

        def init():
            pass

        def run(data):
            return torch.load(io.BytesIO(data))
    """}, rule=RULE) == []


def test_model_chosen_by_the_request_passes(lint: LintFn) -> None:
    assert lint({"src/score.py": """
        import json
        from transformers import AutoModel

        def init():
            pass

        def run(data):
            name = json.loads(data)["model"]
            return AutoModel.from_pretrained(name).config.to_dict()
    """}, rule=RULE) == []


def test_helper_loading_what_it_is_given_passes(lint: LintFn) -> None:
    assert lint({"src/score.py": """
        import pickle

        def retrain(path):
            with open(path, "rb") as fp:
                return pickle.load(fp)

        def init():
            pass

        def run(mini_batch):
            return [retrain(p) for p in mini_batch]
    """}, rule=RULE) == []


def test_cached_helper_passes(lint: LintFn) -> None:
    assert lint({"src/score.py": """
        import functools
        import joblib

        @functools.lru_cache(maxsize=1)
        def get_model():
            return joblib.load("model.pkl")

        def init():
            pass

        def run(data):
            return get_model().predict(data).tolist()
    """}, rule=RULE) == []
