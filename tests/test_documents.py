"""The readers for requirements files, conda files, Dockerfiles and Python scripts."""

from __future__ import annotations

from aml_lint.documents.conda import parse_match_spec, read_conda
from aml_lint.documents.dockerfile import read_dockerfile
from aml_lint.documents.python_script import read_python
from aml_lint.documents.requirements import read_requirements
from aml_lint.documents.yaml_doc import load_yaml
from aml_lint.findings import Location


def test_requirements_lines() -> None:
    text = ("# comment\nnumpy==1.26.4  # pinned\n-r base.txt\n--extra-index-url https://x\n"
            "scikit-learn>=1.4,\\\n  <1.6\ngit+https://github.com/o/r.git\npandas=2.0\n./wheels/a.whl\n")
    req = read_requirements(text, "requirements.txt")
    assert [(d.name, d.specifier, d.location.line) for d in req.declared] == [
        ("numpy", "==1.26.4", 2), ("scikit-learn", "<1.6,>=1.4", 5)]
    assert [line.include for line in req.includes] == ["base.txt"]
    errors = [(line.text, line.location.line) for line in req.lines if line.error]
    assert errors == [("pandas=2.0", 8)]
    assert sum(1 for line in req.lines if line.url) == 2


def test_conda_file_with_pip_list() -> None:
    doc = load_yaml("name: e\nchannels: [conda-forge]\ndependencies:\n  - python=3.10.4\n  - conda-forge::numpy>=1.26"
                    "\n  - pip\n  - pip:\n      - azureml-inference-server-http==1.4.1\n      - -r extra.txt\n")
    env = read_conda(doc, "conda.yml")
    assert [(d.name, d.version) for d in env.conda_deps] == [("python", "=3.10.4"), ("numpy", ">=1.26"), ("pip", "")]
    assert env.has_pip and env.channels == ["conda-forge"]
    assert [(d.name, d.location.line) for d in env.pip_declared] == [("azureml-inference-server-http", 8)]
    assert [line.include for line in env.pip_lines if line.include] == ["extra.txt"]


def test_match_specs() -> None:
    assert parse_match_spec("numpy 1.26.*", Location()).version == "1.26.*"
    assert parse_match_spec("pytorch::pytorch=2.1=py3.10_cuda", Location()).name == "pytorch"
    assert not parse_match_spec("numpy=>1.0 !!", Location()).valid


def test_dockerfile_reader() -> None:
    text = ("# escape=\\\nARG BASE=mcr.microsoft.com/azureml/minimal-py312-inference:20250101.v1\n"
            "FROM ${BASE} AS build\nFROM build\nCOPY requirements.txt /tmp/\n"
            "RUN pip install --no-cache-dir -r /tmp/requirements.txt && \\\n    # a comment line\n"
            "    python -m pip install 'lightgbm==4.5.0' xgboost --index-url https://x\n"
            "RUN conda install -c conda-forge -y pyarrow=15 && conda env update -n base -f /tmp/env.yml\n")
    d = read_dockerfile(text, "Dockerfile")
    assert [b.image for b in d.external_bases()] == ["mcr.microsoft.com/azureml/minimal-py312-inference:20250101.v1"]
    lines = d.pip_installs()
    assert [line.include for line in lines if line.include] == ["/tmp/requirements.txt"]
    assert [decl.name for decl in d.declared] == ["lightgbm", "xgboost"]
    assert [(name, loc.line) for name, loc in d.conda_installs()] == [("pyarrow=15", 9)]
    assert [f for f, _ in d.conda_env_files()] == ["/tmp/env.yml"]
    assert d.instructions[4].location.line == 6  # continuation lines belong to the RUN that starts at 6


def test_python_reader_collects_imports_without_running_anything(tmp_path: object) -> None:
    script = read_python("import os\nfrom . import utils\ntry:\n    import ujson\nexcept ImportError:\n"
                         "    ujson = None\ndef init():\n    import torch\n\ndef run(data):\n    pass\n",
                         "score.py")
    assert script.has_contract
    assert [(i.module, i.level, i.guarded) for i in script.imports] == [
        ("os", 0, False), ("", 1, False), ("ujson", 0, True), ("torch", 0, False)]
    broken = read_python("def init(:\n", "x.py")
    assert not broken.ok and broken.error and broken.error_location.line == 1
