"""Odd but valid scoring scripts: every AML3xx rule runs on them without crashing, and the
contract rule still says the right thing."""

from __future__ import annotations

import pytest

from lintkit import SCRIPT_ONLINE_DEPLOYMENT as ONLINE
from lintkit import LintFn

ODD_SCRIPTS = {
    "empty": "",
    "comments only": "# nothing here\n",
    "run is a lambda": "def init():\n    pass\n\nrun = lambda data: data\n",
    "run from a class": "class Scorer:\n    def run(self, data):\n        return data\n\ndef init():\n    pass\n\n"
                        "run = Scorer().run\n",
    "async functions": "async def init():\n    pass\n\nasync def run(data):\n    return data\n",
    "star import": "from helpers import *\n",
    "relative import": "from . import helpers\n\ndef init():\n    helpers.x()\n\ndef run(data):\n    return data\n",
    "module global": "global model\nmodel = None\n\ndef init():\n    pass\n\ndef run(data):\n    return model\n",
    "deep attributes": "def init():\n    pass\n\ndef run(data):\n    return a" + ".b" * 500 + "(data)\n",
    "long concatenation": "import os\n\ndef init():\n    os.system(" + " + ".join(["'x '"] * 300) + ")\n\n"
                          "def run(data):\n    return data\n",
    "nested functions": "def init():\n    def inner():\n        global model\n        model = 1\n    inner()\n\n"
                        "def run(data):\n    def helper():\n        return model\n    return helper()\n",
    "defs in if": "import sys\nif sys.platform:\n    def init():\n        pass\n    def run(data):\n        return data\n",
    "walrus and match": "def init():\n    global m\n    m = 1\n\ndef run(data):\n    if (n := len(data)) > 1:\n"
                        "        match n:\n            case 2:\n                return [m]\n    return []\n",
    "subprocess without args": "import subprocess\n\ndef init():\n    subprocess.run()\n    subprocess.run(args=None)\n"
                               "\ndef run(data):\n    return data\n",
    "decorators without call": "from inference_schema.schema_decorators import input_schema\n\ndef init():\n    pass\n\n"
                               "@input_schema\ndef run(data):\n    return data\n",
}


@pytest.mark.parametrize("name", sorted(ODD_SCRIPTS))
def test_odd_scripts_do_not_crash(lint: LintFn, name: str) -> None:
    found = lint({"deploy.yml": ONLINE, "src/score.py": ODD_SCRIPTS[name]}, select="AML3")
    assert all(f.rule_id.startswith("AML3") for f in found)
    contract = [f for f in found if f.rule_id == "AML301"]
    if name in ("empty", "comments only"):
        assert sorted(f.message.split(" function")[0].rsplit(" ", 1)[-1] for f in contract) == ["init()", "run()"]
    else:  # a star import may bring init and run: not reported
        assert contract == [], contract
