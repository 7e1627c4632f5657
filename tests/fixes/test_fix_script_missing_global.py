"""AML303's fix: 'global <name>' inserted as init's first statement, with init's own indentation."""

from __future__ import annotations

import ast
from pathlib import Path

from rule_fixkit import no_fix, roundtrip

from lintkit import SCRIPT_ONLINE_DEPLOYMENT

DEPLOY = {"deploy.yml": SCRIPT_ONLINE_DEPLOYMENT.lstrip("\n")}


def test_tabs_crlf_docstring_and_comments(tmp_path: Path) -> None:
    script = ("import joblib  # the model's library\r\n"
              "\r\n"
              "\r\n"
              "def init():\r\n"
              "\t'''Load the model once.\r\n"
              "\r\n"
              "\tstill the docstring'''\r\n"
              "\t# comment before the statement\r\n"
              "\tmodel = joblib.load(\"model.pkl\")\r\n"
              "\tscaler = joblib.load('scaler.pkl')  ;  x = 1\r\n"
              "\r\n"
              "\r\n"
              "def run(data):\r\n"
              "\treturn model.predict(scaler.transform(data)).tolist()\r\n")
    head, tail = script.split("\tmodel = ")
    fixed = head + "\tglobal scaler\r\n\tglobal model\r\n\tmodel = " + tail
    roundtrip(tmp_path, {**DEPLOY, "src/score.py": script}, "AML303", {"src/score.py": fixed}, safe=True)
    ast.parse(fixed)


def test_module_value_kept_is_unsafe(tmp_path: Path) -> None:
    script = ("import joblib\n\nmodel = 'not loaded yet'\n\n\ndef init():\n"
              "    model = joblib.load('m.pkl')\n\n\ndef run(data):\n    return model.predict(data)\n")
    fixed = script.replace("def init():\n", "def init():\n    global model\n")
    found = roundtrip(tmp_path, {**DEPLOY, "src/score.py": script}, "AML303", {"src/score.py": fixed},
                      safe=False)
    assert [f.severity.label for f in found if f.rule_id == "AML303"] == ["warning"]


def test_body_on_the_def_line_gets_no_fix(tmp_path: Path) -> None:
    script = "def init(): model = 1\n\n\ndef run(data):\n    return model\n"
    no_fix(tmp_path, {**DEPLOY, "src/score.py": script}, "AML303")


def test_nonlocal_in_a_nested_function_gets_no_fix(tmp_path: Path) -> None:
    # 'global model' at the top of init() would make 'nonlocal model' a SyntaxError
    script = ("import joblib\n\n\ndef init():\n    model = joblib.load('m.pkl')\n\n    def swap():\n"
              "        nonlocal model\n        model = None\n\n\ndef run(data):\n    return model.predict(data)\n")
    no_fix(tmp_path, {**DEPLOY, "src/score.py": script}, "AML303")
