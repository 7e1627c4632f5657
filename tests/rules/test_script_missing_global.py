from __future__ import annotations

from lintkit import LintFn

RULE = "AML303"


def test_docstring_example_fails(lint: LintFn) -> None:
    found = lint({"src/score.py": """
        import joblib

        def init():
            model = joblib.load("model.pkl")

        def run(data):
            return model.predict(data).tolist()
    """}, rule=RULE)
    assert len(found) == 1
    assert (found[0].line, found[0].col) == (4, 5)
    assert "NameError: name 'model' is not defined" in found[0].message
    assert "line 7" in found[0].message and "global model" in found[0].message
    assert found[0].severity.label == "error"


def test_docstring_example_passes(lint: LintFn) -> None:
    assert lint({"src/score.py": """
        import joblib

        def init():
            global model
            model = joblib.load("model.pkl")

        def run(data):
            return model.predict(data).tolist()
    """}, rule=RULE) == []


def test_module_level_none_is_shadowed(lint: LintFn) -> None:
    found = lint({"src/score.py": """
        import joblib

        model = None
        scaler = load_default_scaler()

        def init():
            model = joblib.load("model.pkl")
            scaler = joblib.load("scaler.pkl")

        def run(data):
            return model.predict(scaler.transform(data)).tolist()
    """}, rule=RULE)
    assert [(f.line, f.severity.label) for f in found] == [(7, "error"), (8, "warning")]
    assert "is None at module level" in found[0].message
    assert "keeps its module-level value" in found[1].message


def test_partial_globals_and_tuple_targets(lint: LintFn) -> None:
    found = lint({"src/score.py": """
        def init():
            global model
            model, tokenizer = load()
            for labels in [["a", "b"]]:
                pass

        def run(data):
            return {"pred": model(tokenizer(data)), "labels": labels}
    """}, rule=RULE)
    assert sorted((f.line, f.message.split("'")[1]) for f in found) == [(3, "tokenizer"), (4, "labels")]


def test_import_inside_init_is_local(lint: LintFn) -> None:
    found = lint({"src/score.py": """
        def init():
            import numpy as np

        def run(data):
            return np.asarray(data).tolist()
    """}, rule=RULE)
    assert len(found) == 1 and found[0].line == 2 and "'np'" in found[0].message


def test_shadowed_module_import_passes(lint: LintFn) -> None:
    # run() uses the imported module; the local in init() is unrelated to it.
    assert lint({"src/score.py": """
        import numpy as np

        def init():
            np = None

        def run(data):
            return np.asarray(data).tolist()
    """}, rule=RULE) == []


def test_unrelated_locals_and_run_locals_pass(lint: LintFn) -> None:
    assert lint({"src/score.py": """
        import logging

        def init():
            path = "model.pkl"
            logging.info("loading %s", path)
            list = [1]

        def run(data, path="x"):
            path = path.upper()
            return list(data) + [path]
    """}, rule=RULE) == []


def test_global_set_by_a_helper_passes(lint: LintFn) -> None:
    assert lint({"src/score.py": """
        def load_all():
            global model
            model = object()

        def init():
            model = load_all()

        def run(data):
            return model(data)
    """}, rule=RULE) == []


def test_names_local_to_nested_scopes_of_run_pass(lint: LintFn) -> None:
    assert lint({"src/score.py": """
        def init():
            model = 1
            labels = 2
            scale = 3
            print(model, labels, scale)

        def run(data):
            def helper(model):
                return model
            pick = lambda labels: labels[0]
            return [helper(x) for x in data] + [scale for scale in data] + [pick(data)]
    """}, rule=RULE) == []


def test_read_in_a_nested_function_of_run_is_reported(lint: LintFn) -> None:
    found = lint({"src/score.py": """
        def init():
            model = 1

        def run(data):
            def helper(x):
                return model(x)
            return helper(data)
    """}, rule=RULE)
    assert len(found) == 1 and found[0].line == 2 and "line 6" in found[0].message


def test_read_in_a_helper_called_by_run(lint: LintFn) -> None:
    found = lint({"src/score.py": """
        def init():
            scaler = 1

        def preprocess(data):
            return scaler.transform(data)

        def run(data):
            return preprocess(data)
    """}, rule=RULE)
    assert len(found) == 1 and found[0].line == 2
    assert "preprocess() (called by run()) fails with" in found[0].message and "line 5" in found[0].message


def test_init_that_sets_globals_dynamically_passes(lint: LintFn) -> None:
    assert lint({"src/score.py": """
        def init():
            model = object()
            globals()["model"] = model

        def run(data):
            return model(data)
    """}, rule=RULE) == []
