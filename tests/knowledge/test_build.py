"""The maintainer script's pure transform step, on small fixture inputs (no network, no shared data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lintkit import load_tool

bk = load_tool("build_knowledge")

RANKS_TSV = ["name\trank", "boto3\t1", "numpy\t20", "pyyaml\t30", "pillow\t40", "azure-core\t50",
             "scikit-learn\t179", "azure-ai-ml\t300", "sklearn\t900", "protobuf\t15", "yamlfork\t14000",
             "mlflow-skinny\t635", "mlflow\t646", "python-docx\t456", "docx\t6496"]
PIGAR_ROWS = [
    ("PyYAML", "yaml"), ("PyYAML", "_yaml"), ("yamlfork", "yaml"), ("Pillow", "PIL"),
    ("scikit-learn", "sklearn"), ("sklearn", "sklearn"), ("numpy", "numpy"), ("numpy", "tests"),
    ("azure-core", "azure"), ("azure-ai-ml", "azure"), ("unranked-squatter", "yaml"),
    ("protobuf", "protobuf"), ("boto3", "boto3"), ("pywin32", "win32\\lib\\x"),
    ("mlflow-skinny", "mlflow"), ("mlflow", "mlflow"), ("python-docx", "docx"), ("docx", "docx"),
]
OVERRIDES = {
    "modules": {"google.protobuf": ["protobuf"], "sklearn": ["scikit-learn"]},
    "namespaces": ["azure", "google"],
    "shims": {"azureml.contrib.services": ["azureml-inference-server-http"]},
    "module_requires": {"inference_schema.parameter_types.numpy_parameter_type": ["numpy"]},
    "backports": {"imp": ["zombie-imp"]},
    "exclude": [["protobuf", "protobuf"]],
    "conda": {"opencv": ["opencv-python"]},
}


def _imports() -> dict[str, object]:
    return bk.import_table(PIGAR_ROWS, bk.read_ranks(RANKS_TSV), OVERRIDES)


def test_import_table_ranks_candidates_and_drops_noise() -> None:
    modules = _imports()["modules"]
    assert modules["yaml"] == ["pyyaml", "yamlfork"]  # best rank first, unranked dropped
    assert modules["PIL"] == ["pillow"]
    assert modules["sklearn"] == ["scikit-learn"]  # override beats pigar's dummy "sklearn"
    assert "numpy" not in modules and "boto3" not in modules  # identity is a rule, not data
    assert "tests" not in modules  # junk top-level
    assert "protobuf" not in modules  # excluded pair
    assert not any("\\" in m for m in modules)


def test_same_named_dist_first_only_when_about_as_popular() -> None:
    modules = _imports()["modules"]
    assert modules["mlflow"] == ["mlflow", "mlflow-skinny"]  # 646 vs 635
    assert modules["docx"] == ["python-docx", "docx"]  # the namesake is a stale package


def test_namespace_roots_become_dotted_prefixes() -> None:
    modules = _imports()["modules"]
    assert "azure" not in modules
    assert modules["azure.ai.ml"] == ["azure-ai-ml"]
    assert modules["azure.core"] == ["azure-core"]
    assert modules["google.protobuf"] == ["protobuf"]


def test_conda_table_keeps_only_what_identity_gets_wrong() -> None:
    conda_map = {"pytorch": ["torch"], "numpy": ["numpy"], "opencv": None, "graphviz": None,
                 "libgcc-ng": None, "py-xgboost": ["xgboost"], "obscure": ["not-ranked"]}
    ranks = bk.read_ranks(["name\trank", "torch\t5", "numpy\t20", "graphviz\t99", "xgboost\t300"])
    names = bk.conda_table(conda_map, ranks, OVERRIDES)["names"]
    assert names == {"pytorch": ["torch"], "py-xgboost": ["xgboost"], "graphviz": None,
                     "opencv": ["opencv-python"]}


def test_stdlib_table_spans_and_removals() -> None:
    table = bk.stdlib_table({10: {"os", "imp", "distutils"}, 11: {"os", "imp", "distutils", "tomllib"},
                             12: {"os", "tomllib"}})
    assert table["modules"] == {"distutils": [10, 11], "imp": [10, 11], "os": [10, 12],
                                "tomllib": [11, 12]}
    with pytest.raises(ValueError, match="gap"):
        bk.stdlib_table({10: {"x"}, 11: set(), 12: {"x"}})


def test_requires_table_merges_versions_and_drops_dev_extras() -> None:
    metas = [
        {"name": "Scikit_Learn", "version": "1.5.1", "requires_dist": ["numpy>=1.19", "joblib"],
         "requires_python": ">=3.9"},
        {"name": "scikit-learn", "version": "1.7.2", "requires_python": ">=3.10",
         "requires_dist": ["numpy>=1.22", "joblib", 'pytest; extra == "tests"', 'pandas; extra == "pandas"',
                           "not a requirement !!"]},
    ]
    table = bk.requires_table(metas)["dists"]
    assert table["scikit-learn"]["versions"] == ["1.5.1", "1.7.2"]
    # [name, extras, specifier, marker, bitmask of the versions declaring it]
    assert table["scikit-learn"]["requires"] == [
        ["joblib", "", "", "", 3], ["numpy", "", ">=1.19", "", 1], ["numpy", "", ">=1.22", "", 2],
        ["pandas", "", "", 'extra == "pandas"', 2]]
    assert table["scikit-learn"]["requires_python"] == [">=3.9", ">=3.10"]


def test_python_support_from_wheel_tags() -> None:
    page = {"files": [
        {"filename": "numpy-1.19.5-cp38-cp38-manylinux2010_x86_64.whl", "requires-python": ">=3.6"},
        {"filename": "numpy-1.19.5-cp39-cp39-manylinux2010_x86_64.whl", "requires-python": ">=3.6"},
        {"filename": "numpy-1.19.5-cp310-cp310-win_amd64.whl", "requires-python": ">=3.6"},
        {"filename": "numpy-1.19.5.zip", "requires-python": ">=3.6"},
        {"filename": "numpy-2.0.0rc1-cp312-cp312-manylinux_2_17_x86_64.whl"},
        {"filename": "numpy-1.20.0-cp39-cp39-manylinux2010_x86_64.whl", "yanked": True},
        {"filename": "mlflow-2.0.0-py3-none-any.whl", "requires-python": ">=3.8"},
        {"filename": "lib-1.0-cp39-abi3-manylinux_2_17_x86_64.whl", "requires-python": ">=3.9,<3.13"},
    ]}
    dists = bk.python_support_table({"NumPy": page})["dists"]["numpy"]
    assert dists["1.19.5"] == [8, 9]  # windows wheel and sdist do not count
    assert "2.0.0rc1" not in dists and "1.20.0" not in dists  # pre-release, yanked
    assert dists["2.0.0"] == list(range(8, 15))  # pure wheel, requires-python >=3.8
    assert dists["1.0"] == [9, 10, 11, 12]  # abi3 from 3.9, capped by requires-python


def test_dumps_is_deterministic_and_compact() -> None:
    a = bk.dumps(_imports())
    b = bk.dumps(bk.import_table(list(reversed(PIGAR_ROWS)), bk.read_ranks(RANKS_TSV), OVERRIDES))
    assert a == b  # input order does not matter
    assert a.endswith(b"\n") and b" " not in a.split(b'"modules"')[0]
    assert json.loads(a)["source_date"] == bk.SOURCE_DATE


def test_full_transform_twice_gives_same_bytes(tmp_path: Path) -> None:
    """Every table, built twice from the same inputs, byte for byte."""
    def build_all() -> list[bytes]:
        ranks = bk.read_ranks(RANKS_TSV)
        return [
            bk.dumps(bk.import_table(PIGAR_ROWS, ranks, OVERRIDES)),
            bk.dumps(bk.conda_table({"pytorch": ["torch"], "x": None}, ranks, OVERRIDES)),
            bk.dumps(bk.stdlib_table({11: {"os"}, 12: {"os", "b"}})),
            bk.dumps(bk.requires_table([{"name": "a", "version": "1", "requires_dist": ["b", "c"]}])),
            bk.dumps(bk.python_support_table({"a": {"files": [{"filename": "a-1-py3-none-any.whl"}]}})),
        ]
    assert build_all() == build_all()


def test_overrides_file_loads_and_is_well_formed() -> None:
    data = bk.load_overrides()
    assert set(data) == {"modules", "namespaces", "shims", "module_requires", "backports", "exclude", "conda"}
    for module, dists in data["modules"].items():
        assert bk._IDENT.match(module) and dists and all(isinstance(d, str) for d in dists)


def test_requires_table_precomputes_markers_python_and_specifier_fits() -> None:
    metas = [
        {"name": "a", "version": "1.0", "requires_python": ">=3.9",
         "requires_dist": ['b>=2; python_version < "3.11"', 'c; extra == "Fast_Path"', 'd; "x" in extra']},
        {"name": "a", "version": "2.0", "requires_python": ">=3.12", "requires_dist": ["b<2"]},
        {"name": "b", "version": "1.5", "requires_dist": []},
        {"name": "b", "version": "2.1", "requires_dist": []},
    ]
    table = bk.requires_table(metas)
    assert table["marker_minors"] == [7, 14]
    # bit k: Python 3.(7 + k)
    assert table["markers"]['python_version < "3.11"'] == {"": 0b1111}
    assert table["markers"]['extra == "fast-path"'] == {"": 0, "fast-path": 0xFF}
    assert table["markers"]['"x" in extra'] is None  # left to run time
    assert table["dists"]["a"]["python_fits"] == [0, 0, 1, 1, 1, 3, 3, 3]  # 3.7 .. 3.14
    assert table["specifier_fits"] == {"b": {">=2": 0b10, "<2": 0b01}}


RELEASE_METAS = [
    {"name": "azureml-inference-server-http", "version": "1.0.0", "requires_python": ">=3.8",
     "wheel": "azureml_inference_server_http-1.0.0-py3-none-any.whl",
     "python_classifiers": ["3.10", "3.8", "3.9"],
     "requires_dist": ["pydantic (<1.11,>=1.9)", "inference-schema (~=1.7.0)", "pytest ; extra == 'dev'",
                       'gunicorn (==20.1.0) ; platform_system != "Windows"']},
    {"name": "azureml_inference_server_http", "version": "1.1.0", "requires_python": ">=3.8",
     "wheel": "azureml_inference_server_http-1.1.0-py3-none-any.whl", "python_classifiers": ["3.11"],
     "requires_dist": ["pydantic ~=2.0", "inference-schema ~=1.7.0"]},
]
SIMPLE_PAGE = {"files": [
    {"filename": "pydantic-1.10.2-py3-none-any.whl", "yanked": False},
    {"filename": "pydantic-2.0.tar.gz", "yanked": False},
    {"filename": "pydantic-2.1.0-py3-none-any.whl", "yanked": True},
    {"filename": "pydantic-2.2.0b1-py3-none-any.whl", "yanked": False},
]}


def test_releases_table_per_release_requirements_and_versions() -> None:
    table = bk.releases_table(RELEASE_METAS, {"pydantic": SIMPLE_PAGE})
    server = table["dists"]["azureml-inference-server-http"]
    assert server["versions"] == ["1.0.0", "1.1.0"]
    assert server["requires_python"] == [">=3.8", ">=3.8"]
    assert server["classifiers"] == [[8, 9, 10], [11]]
    by_req = {(r[0], r[2]): r[4] for r in server["requires"]}
    assert by_req[("pydantic", "<1.11,>=1.9")] == 0b01 and by_req[("pydantic", "~=2.0")] == 0b10
    assert by_req[("inference-schema", "~=1.7.0")] == 0b11  # shared by both releases
    assert "pytest" not in {r[0] for r in server["requires"]}  # requirements of an extra dropped
    gunicorn = next(r for r in server["requires"] if r[0] == "gunicorn")
    assert table["markers"][gunicorn[3]] == (1 << 8) - 1  # Linux: every minor
    # final, non-yanked releases with any file
    assert table["known_versions"] == {"pydantic": ["1.10.2", "2.0"]}
    assert table["newest_patch"]["3.7"] == "3.7.17"
    assert bk.dumps(table) == bk.dumps(bk.releases_table(list(reversed(RELEASE_METAS)), {"pydantic": SIMPLE_PAGE}))


def test_requires_python_is_judged_on_the_newest_patch() -> None:
    assert bk.newest_python(7) == bk.Version("3.7.17")
    table = bk.requires_table([{"name": "pandas", "version": "1.3.5", "requires_python": ">=3.7.1",
                                "requires_dist": []}])
    fits = table["dists"]["pandas"]["python_fits"]
    assert fits[0] == 1  # Python 3.7 (3.7.17) admits >=3.7.1
    assert bk._wheel_minors("pandas-1.3.5-cp37-cp37m-manylinux_2_17_x86_64.whl", ">=3.7.1") == {7}
