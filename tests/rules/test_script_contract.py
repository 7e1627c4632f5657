from __future__ import annotations

from lintkit import SCRIPT_BATCH_DEPLOYMENT as BATCH
from lintkit import SCRIPT_ONLINE_DEPLOYMENT as ONLINE
from lintkit import LintFn

RULE = "AML301"




def test_docstring_example_args_and_kwargs(lint: LintFn) -> None:
    found = lint({"deploy.yml": ONLINE, "src/score.py": """
        def init():
            global model
            model = load_model()

        def run(*args, **kwargs):
            return model.predict(args[0]).tolist()
    """}, rule=RULE)
    assert [(f.line, f.path) for f in found] == [(5, "src/score.py"), (5, "src/score.py")]
    assert "*args" in found[0].message and "**kwargs" in found[1].message
    assert all("cannot accept positional-only arguments" in f.message for f in found)


def test_docstring_example_passes(lint: LintFn) -> None:
    assert lint({"deploy.yml": ONLINE, "src/score.py": """
        def init():
            global model
            model = load_model()

        def run(raw_data):
            return model.predict(raw_data).tolist()
    """}, rule=RULE) == []


def test_missing_init_in_linked_script(lint: LintFn) -> None:
    found = lint({"deploy.yml": ONLINE, "src/score.py": """
        import joblib

        def run(data):
            return [1]
    """}, rule=RULE)
    assert len(found) == 1
    assert found[0].line == 0  # the whole file
    assert "no module-level init() function" in found[0].message
    assert "deploy.yml" in found[0].message


def test_init_bound_by_import_counts(lint: LintFn) -> None:
    # The server only checks hasattr(module, "init").
    assert lint({"deploy.yml": ONLINE, "src/score.py": """
        from helpers import init

        def run(data):
            return data
    """, "src/helpers.py": "def init():\n    pass\n"}, rule=RULE) == []


def test_init_with_required_parameter(lint: LintFn) -> None:
    found = lint({"src/score.py": """
        def init(model_dir, *, verbose=False):
            pass

        def run(data):
            return data
    """}, rule=RULE)
    assert len(found) == 1
    assert found[0].line == 1
    assert "'model_dir'" in found[0].message and "no arguments" in found[0].message


def test_run_without_data_parameter(lint: LintFn) -> None:
    found = lint({"src/score.py": """
        def init():
            pass

        def run(request_headers):
            return {}
    """}, rule=RULE)
    assert len(found) == 1
    assert found[0].line == 4
    assert "only 'request_headers'" in found[0].message


def test_positional_only_run(lint: LintFn) -> None:
    found = lint({"src/score.py": "def init():\n    pass\n\ndef run(data, /):\n    return data\n"}, rule=RULE)
    assert len(found) == 1
    assert "positional-only" in found[0].message and found[0].line == 4


def test_rawhttp_and_input_schema(lint: LintFn) -> None:
    found = lint({"deploy.yml": ONLINE, "src/score.py": """
        from azureml.contrib.services.aml_request import rawhttp
        from inference_schema.schema_decorators import input_schema
        from inference_schema.parameter_types.standard_py_parameter_type import StandardPythonParameterType

        def init():
            pass

        @input_schema("data", StandardPythonParameterType([1]))
        @rawhttp
        def run(data):
            return data
    """}, rule=RULE)
    assert len(found) == 1
    assert found[0].line == 9
    assert "both @rawhttp and @input_schema" in found[0].message


def test_input_schema_param_name_not_in_run(lint: LintFn) -> None:
    found = lint({"deploy.yml": ONLINE, "src/score.py": """
        from inference_schema.schema_decorators import input_schema, output_schema
        from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType
        import numpy as np

        def init():
            pass

        @input_schema("Inputs", NumpyParameterType(np.array([[1.0, 2.0]])))
        @input_schema(param_name="GlobalParameters", param_type=NumpyParameterType(np.array([1.0])))
        def run(data, GlobalParameters):
            return data.tolist()
    """}, rule=RULE)
    assert len(found) == 1
    assert found[0].line == 8
    assert "'Inputs'" in found[0].message and "'data', 'GlobalParameters'" in found[0].message


def test_input_schema_matching_names_passes(lint: LintFn) -> None:
    assert lint({"deploy.yml": ONLINE, "src/score.py": """
        from inference_schema.schema_decorators import input_schema
        from inference_schema.parameter_types.standard_py_parameter_type import StandardPythonParameterType

        def init():
            pass

        @input_schema("Inputs", StandardPythonParameterType([1]))
        def run(Inputs, request_headers=None):
            return Inputs
    """}, rule=RULE) == []


def test_batch_run_needs_a_mini_batch_parameter(lint: LintFn) -> None:
    found = lint({"deploy.yml": BATCH, "src/score.py": """
        def init():
            pass

        def run(mini_batch, output_dir):
            return mini_batch
    """}, rule=RULE)
    assert len(found) == 1
    assert found[0].line == 4
    assert "'output_dir'" in found[0].message and "run(mini_batch)" in found[0].message


def test_batch_rules_differ_from_online(lint: LintFn) -> None:
    # *args is fine for run(mini_batch); request_headers means nothing in batch.
    assert lint({"deploy.yml": BATCH, "src/score.py": """
        def init():
            pass

        def run(*mini_batch):
            return list(mini_batch)
    """}, rule=RULE) == []
    found = lint({"deploy.yml": BATCH, "src/score.py": "def init():\n    pass\n\ndef run():\n    return []\n"},
                 rule=RULE)
    assert len(found) == 1 and "no positional parameter" in found[0].message


def test_broken_script_is_left_to_the_syntax_rule(lint: LintFn) -> None:
    assert lint({"deploy.yml": ONLINE, "src/score.py": "def init(:\n"}, rule=RULE) == []
