"""What the property tests and the fuzzing run feed to the document readers.

``exercise(kind, text)`` runs one reader on any text and touches everything the
rules read from its result; the only exception it may raise is the documented
one (``YamlReadError`` from the YAML reader). ``lint_one`` goes further: the text
as a file in a fresh repository, linted by the real engine with every rule.
Strategies mix arbitrary text with the tokens each format cares about, so the
generated inputs reach deep into the parsers instead of failing on line one.
"""

from __future__ import annotations

import tempfile
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from aml_lint.config import build_settings
from aml_lint.documents.classify import kind_from_yaml, looks_like_scoring_script
from aml_lint.documents.conda import read_conda
from aml_lint.documents.dockerfile import read_dockerfile
from aml_lint.documents.python_script import read_python
from aml_lint.documents.requirements import declared_from, read_requirements
from aml_lint.documents.yaml_doc import YamlReadError, load_yaml
from aml_lint.engine import run
from aml_lint.findings import LintResult

KINDS = ("yaml", "requirements", "dockerfile", "python")
FILE_NAMES = {
    "yaml": ("deployment.yml", "conda.yml", "environment.yml", "endpoint.yml"),
    "requirements": ("requirements.txt",),
    "dockerfile": ("Dockerfile",),
    "python": ("score.py",),
}


def touch(value: Any, depth: int = 0) -> int:
    """Walk a reader's result (dataclasses, lists, dicts, properties) as the rules would."""
    if depth > 50:
        return 0
    count = 1
    if is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            count += touch(getattr(value, f.name), depth + 1)
        for name in dir(type(value)):
            if isinstance(getattr(type(value), name, None), property):
                count += touch(getattr(value, name), depth + 1)
    elif isinstance(value, dict):
        for k, v in value.items():
            count += touch(k, depth + 1) + touch(v, depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            count += touch(item, depth + 1)
    else:
        str(value)
    return count


def exercise(kind: str, text: str) -> None:
    if kind == "yaml":
        try:
            doc = load_yaml(text)
        except YamlReadError as exc:
            assert str(exc) and exc.location.line >= 0
            return
        touch(doc.data)
        kind_from_yaml(doc.data)
        for path in list(doc.values)[:200]:
            doc.loc(path)
            doc.get(path)
        conda = read_conda(doc, "conda.yml")
        touch(conda)
        for line in conda.pip_lines:
            touch(declared_from(line, "conda.yml", "conda"))
    elif kind == "requirements":
        req = read_requirements(text, "requirements.txt")
        touch(req)
    elif kind == "dockerfile":
        dockerfile = read_dockerfile(text, "Dockerfile")
        touch(dockerfile)
        for line in dockerfile.pip_installs():
            touch(line)
    elif kind == "python":
        looks_like_scoring_script(text)
        touch(read_python(text, "score.py"))
    else:  # pragma: no cover
        raise ValueError(kind)


def lint_one(kind: str, name: str, text: str) -> LintResult:
    """The text as ``name`` in a fresh repository beside a deployment that refers to it."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / name).write_text(text, encoding="utf-8")
        if name != "deployment.yml":
            (root / "deployment.yml").write_text(DEPLOYMENT_REFERRING, encoding="utf-8")
        return run(build_settings(root))


DEPLOYMENT_REFERRING = """\
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: blue
endpoint_name: ep
model: azureml:m:1
code_configuration:
  code: .
  scoring_script: score.py
environment:
  conda_file: conda.yml
  build:
    path: .
instance_type: Standard_DS3_v2
instance_count: 1
"""

_YAML_TOKENS = [
    "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n",
    "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\n",
    "name: ", "dependencies:\n", "  - ", "- ", "pip:\n", "    - ", "python=3.", "numpy", "==", ">=",
    "channels:\n", "conda_file: ", "environment:\n", "  ", "image: ", "build:\n", "path: ", "../",
    "code_configuration:\n", "scoring_script: ", "model: ", "azureml:", "file:", ":", ": ", "\n",
    "&a ", "*a", "<<: *a\n", "[", "]", "{", "}", ", ", "'", '"', "#", "\t", "---\n", "...\n", "? ",
    "|\n", ">-\n", "!!python/object:os.system ", "!!binary ", "!!set ", "%YAML 1.1\n", "%TAG ! x\n",
    "-r ", "--index-url ", "{{ x }}", "<X>", "null", "~", "1e3", "0x1F", "2024-01-01", "yes", "\\", "\r\n",
    "\ufeff", "\x00", "\u2028",
]
_REQ_TOKENS = [
    "numpy", "==", ">=", "~=", "!=", "1.2.*", "[extra]", "; python_version<'3.9'", " @ ", "https://x/y.whl",
    "git+https://g/x.git@v1#egg=x", "-r ", "-c ", "-e ", "--index-url ", "--extra-index-url ", "-i ",
    "--hash=sha256:", "\\\n", "#", " ", "\n", "../", "/proc/self/environ", "azureml-inference-server-http",
    "torch", "===", "(", ")", ",", "*", "$VAR", "${VAR}", "file:", "\t", "\r\n", ";", " and ", " or ",
    "python_version", "'3.9'", "extra == 'x'", "numpy; ", "x;",
]
_DOCKER_TOKENS = [
    "FROM ", "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04", ":latest", "@sha256:", " AS base\n", "ARG ",
    "ENV ", "=", "${X}", "$X", "${X:-d}", "RUN ", "pip install ", "python -m pip install ", "conda install ",
    "-r ", "requirements.txt", " && ", " || ", ";", "\\\n", "COPY ", "ADD ", " /tmp/", "--from=base ",
    '["pip", "install", "x"]', "'", '"', "#", "# escape=`\n", "`\n", "\n", " ", "\t", "<<EOF\n", "EOF\n",
    "WORKDIR ", "USER ", "numpy==1", "--no-cache-dir ", "ONBUILD ", "SHELL [\"/bin/sh\"]\n",
]
_PY_TOKENS = [
    "def init():\n", "def run(data):\n", "    ", "global model\n", "model = ", "import ", "from ", " import ",
    "os", "joblib", "pickle", "azureml.core", ".", "..", "*", " as ", "try:\n", "except ImportError:\n",
    "if x:\n", "pass\n", "return ", "(", ")", "[", "]", "{", "}", "lambda: ", "@", "async ", "await ",
    "f'{", "}'", "'''", '"', "#", "\\\n", "\n", "\t", "\x00", "subprocess.run(['pip', 'install', 'x'])\n",
    "pickle.load(open(p, 'rb'))\n", "__import__('os')\n", "exec(", "eval(", "match x:\n    case 1:\n",
    "x: int = 1\n", "yield ", "class A:\n", "\ufeff", "# -*- coding: latin-1 -*-\n",
]
_TOKENS = {"yaml": _YAML_TOKENS, "requirements": _REQ_TOKENS, "dockerfile": _DOCKER_TOKENS, "python": _PY_TOKENS}


# What read_text can hand a reader: any text decoded from UTF-8 (no lone surrogates).
UTF8_TEXT = st.characters(codec="utf-8")


def texts(kind: str, max_parts: int = 40) -> st.SearchStrategy[str]:
    """Arbitrary text, or the format's tokens glued with arbitrary text and names."""
    part = st.one_of(
        st.sampled_from(_TOKENS[kind]),
        st.sampled_from(_TOKENS[kind]),
        st.text(UTF8_TEXT, max_size=8),
        st.from_regex(r"[a-z_][a-z0-9_.-]{0,12}", fullmatch=True),
        # One token many times: deep nesting and long runs, where recursion and backtracking bite.
        st.tuples(st.sampled_from(_TOKENS[kind]), st.integers(2, 3000)).map(lambda t: t[0] * t[1]),
    )
    # A token, then one opener hundreds or thousands of times: nesting that recursive parsers
    # (packaging's markers, ast, YAML) must refuse rather than overflow the stack.
    nested = st.tuples(st.sampled_from(_TOKENS[kind]), st.sampled_from(["(", "[", "{", "- ", " ", "f'{"]),
                       st.integers(100, 5000), st.sampled_from(_TOKENS[kind])).map(
        lambda t: t[0] + t[1] * t[2] + t[3])
    return st.one_of(st.text(UTF8_TEXT, max_size=200), st.lists(part, max_size=max_parts).map("".join),
                     st.lists(st.one_of(part, nested), min_size=1, max_size=6).map("".join))
