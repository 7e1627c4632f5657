"""AML203's fixes: pip's 'name=version' becomes 'name==version'; conda's reversed '=>' becomes '>='."""

from __future__ import annotations

from pathlib import Path

import pytest
from rule_fixkit import no_fix, roundtrip

CONDA = ("# environment for the scorer\r\n"
         "name: 'scorer'\r\n"
         "channels: [conda-forge]\r\n"
         "dependencies:\r\n"
         "  - python=3.11    # keep\r\n"
         "  - pip\r\n"
         "  - pip:\r\n"
         "      - \"azureml-inference-server-http==1.5.1\"\r\n"
         "      {line}\r\n"
         "      - 'joblib==1.4.2'\t# tab before the comment\r\n")


@pytest.mark.parametrize("written, fixed", [
    ("- numpy=1.26.4  # pip wants ==", "- numpy==1.26.4  # pip wants =="),
    ("- 'numpy=1.26.4'", "- 'numpy==1.26.4'"),
    ('- "scikit-learn[alldeps] = 1.5.2"', '- "scikit-learn[alldeps] == 1.5.2"'),
    ("- pandas=2.2.*", "- pandas==2.2.*"),
])
def test_pip_list_pin(tmp_path: Path, written: str, fixed: str) -> None:
    roundtrip(tmp_path, {"conda.yml": CONDA.format(line=written)}, "AML203",
              {"conda.yml": CONDA.format(line=fixed)}, safe=True)


def test_short_version_is_an_unsafe_fix(tmp_path: Path) -> None:
    # conda's 'numpy=1.26' is any 1.26.x; pip's 'numpy==1.26' is 1.26.0 alone
    roundtrip(tmp_path, {"requirements.txt": "numpy=1.26\n"}, "AML203",
              {"requirements.txt": "numpy==1.26\n"}, safe=False)


def test_requirements_file(tmp_path: Path) -> None:
    text = "# pins\r\nflask==3.0.3\r\nnumpy=1.26.4 ; python_version >= '3.9'   # marker kept\r\n\tjoblib\r\n"
    roundtrip(tmp_path, {"requirements.txt": text}, "AML203",
              {"requirements.txt": text.replace("numpy=1", "numpy==1")}, safe=True)


def test_last_line_without_newline(tmp_path: Path) -> None:
    roundtrip(tmp_path, {"requirements.txt": "flask\nnumpy=1.26.4"}, "AML203",
              {"requirements.txt": "flask\nnumpy==1.26.4"})


@pytest.mark.parametrize("written, fixed", [
    ("- numpy=>1.20   # at least", "- numpy>=1.20   # at least"),
    ("- 'scipy =<1.13'", "- 'scipy <=1.13'"),
])
def test_conda_reversed_operator(tmp_path: Path, written: str, fixed: str) -> None:
    text = "dependencies:\n  - python=3.11\n  {line}\n  - pip\n"
    roundtrip(tmp_path, {"conda.yml": text.format(line=written)}, "AML203",
              {"conda.yml": text.format(line=fixed)}, safe=True)


@pytest.mark.parametrize("files", [
    {"conda.yml": "dependencies:\n  - python=3.11\n  - numpy==>1.2\n"},  # at least, or exactly?
    {"conda.yml": "dependencies:\n  - pip\n  - pip:\n    - numpy=1.2=py_0\n"},  # a conda build string
    {"requirements.txt": "numpy=1.26 \\\n  --hash=sha256:abc\n"},  # a continued line
    {"requirements.txt": "numpy=1.26 --hash=sha256:abc\n"},  # another '=' on the line
    {"requirements.txt": "numpy=1.2\f\n"},  # a line break str.splitlines sees and the fix would not
])
def test_no_fix_when_not_certain(tmp_path: Path, files: dict[str, str]) -> None:
    no_fix(tmp_path, files, "AML203")
