from __future__ import annotations

import pytest

from lintkit import SCRIPT_BATCH_DEPLOYMENT as BATCH
from lintkit import LintFn

RULE = "AML305"



def _script(body: str, decorators: str = "") -> str:
    lines = "\n".join("    " + line for line in body.strip().splitlines())
    return ("import json\nimport numpy as np\nimport pandas as pd\n\n"
            f"def init():\n    pass\n\n{decorators}def run(raw_data):\n{lines}\n")


def test_docstring_example_fails(lint: LintFn) -> None:
    found = lint({"src/score.py": _script("""
data = np.array(json.loads(raw_data)["data"])
result = model.predict(data)
return result
""")}, rule=RULE)
    assert len(found) == 1
    assert (found[0].line, found[0].col) == (11, 12)
    assert "'result'" in found[0].message and ".predict(...)" in found[0].message
    assert ".tolist()" in found[0].message and found[0].severity.label == "warning"


def test_docstring_example_passes(lint: LintFn) -> None:
    assert lint({"src/score.py": _script("""
data = np.array(json.loads(raw_data)["data"])
result = model.predict(data)
return result.tolist()
""")}, rule=RULE) == []


def test_json_dumps_is_double_encoding(lint: LintFn) -> None:
    found = lint({"src/score.py": _script('return json.dumps({"result": [1, 2]})')}, rule=RULE)
    assert len(found) == 1 and found[0].line == 9
    assert "json.dumps" in found[0].message and "JSON string" in found[0].message


@pytest.mark.parametrize(("body", "key"), [
    ("return model.predict_proba(np.array(raw_data))", ".predict_proba(...)"),
    ("return pd.DataFrame({'a': [1]})", "pandas.DataFrame"),
    ("return np.argmax(model(raw_data), axis=1)", "numpy.argmax"),
    ('preds = model.predict(raw_data)\nreturn {"predictions": preds}', "'preds'"),
])
def test_unserializable_returns(lint: LintFn, body: str, key: str) -> None:
    found = lint({"src/score.py": _script(body)}, rule=RULE)
    assert len(found) == 1, found
    assert key in found[0].message
    kind = "DataFrame" if "DataFrame" in body else "ndarray"
    assert f"Object of type {kind} is not JSON serializable" in found[0].message


@pytest.mark.parametrize("body", [
    'preds = model.predict(raw_data)\nreturn {"predictions": preds.tolist()}',
    "return list(model.predict(raw_data))",
    "return pd.DataFrame(raw_data).to_dict(orient='records')",
    "return float(np.mean(model.predict(raw_data)))",
    "return np.mean([1.0, 2.0])",
    "result = model.predict(raw_data)\nresult = result.tolist()\nreturn result",
    "return AMLResponse(json.dumps({'a': 1}), 200)",
])
def test_converted_returns_pass(lint: LintFn, body: str) -> None:
    assert lint({"src/score.py": _script(body)}, rule=RULE) == []


def test_output_schema_converts(lint: LintFn) -> None:
    deco = ("@output_schema(NumpyParameterType(np.array([1.0])))\n")
    script = "from inference_schema.schema_decorators import output_schema\n" + _script(
        "return model.predict(raw_data)", deco)
    assert lint({"src/score.py": script}, rule=RULE) == []


def test_batch_scripts_may_return_dataframes(lint: LintFn) -> None:
    body = "return pd.DataFrame({'file': raw_data})"
    assert lint({"deploy.yml": BATCH, "src/score.py": _script(body)}, rule=RULE) == []
    unlinked_batch = ("import pandas as pd\n\ndef init():\n    pass\n\n"
                      "def run(mini_batch):\n    return pd.DataFrame({'file': mini_batch})\n")
    assert lint({"jobs/score.py": unlinked_batch}, rule=RULE) == []


def test_unlinked_driver_looping_over_its_files_counts_as_batch(lint: LintFn) -> None:
    script = ("import pandas as pd\n\ndef init():\n    pass\n\n"
              "def run(input_files):\n    frames = [pd.read_csv(f) for f in input_files]\n"
              "    return pd.concat(frames)\n")
    assert lint({"jobs/driver.py": script}, rule=RULE) == []


def test_user_decorator_may_convert(lint: LintFn) -> None:
    script = "from helpers import jsonify\n" + _script("return model.predict(raw_data)", "@jsonify\n")
    assert lint({"src/score.py": script}, rule=RULE) == []
