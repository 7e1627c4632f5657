"""AML215's fix: 'numpy<2' inserted before the first pin built for numpy 1.x."""

from __future__ import annotations

from pathlib import Path

from rule_fixkit import no_fix, roundtrip


def test_conda_pip_list(tmp_path: Path) -> None:
    text = ("# old model\r\n"
            "dependencies:\r\n"
            "  - python=3.10\r\n"
            "  - pip\r\n"
            "  - pip:\r\n"
            "      - joblib==1.4.2\t# fine\r\n"
            "      - 'pandas==1.5.3'   # numpy 1 build\r\n"
            "      - scikit-learn==1.2.2\r\n")
    fixed = text.replace("      - 'pandas", "      - 'numpy<2'\r\n      - 'pandas")
    roundtrip(tmp_path, {"conda.yml": text}, "AML215", {"conda.yml": fixed}, safe=True)


def test_requirements_file(tmp_path: Path) -> None:
    text = "# pins\r\nflask==3.0.3\r\n  pandas==1.5.3   # old\r\n"
    fixed = "# pins\r\nflask==3.0.3\r\n  numpy<2\r\n  pandas==1.5.3   # old\r\n"
    roundtrip(tmp_path, {"requirements.txt": text}, "AML215", {"requirements.txt": fixed}, safe=True)


def test_flow_list_gets_no_fix(tmp_path: Path) -> None:
    no_fix(tmp_path, {"conda.yml": "dependencies: [python=3.10, pip, {pip: [pandas==1.5.3]}]\n"}, "AML215")


def test_numpy_declared_already_gets_no_fix(tmp_path: Path) -> None:
    # a second numpy line ('numpy' then 'numpy<2') is not the edit to make: cap the declared one
    no_fix(tmp_path, {"requirements.txt": "numpy>=1.21\npandas==1.5.3\n"}, "AML215")
    no_fix(tmp_path, {"conda.yml": "dependencies:\n  - python=3.10\n  - pip\n  - pip:\n"
                                   "    - pandas==1.5.3\n    - numpy\n"}, "AML215")
