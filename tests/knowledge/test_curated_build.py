"""tools/build_curated.py on a tiny hand-made azureml-assets-like repository (git init in the test)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from lintkit import load_tool, write_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


bc = load_tool("build_curated")

ENV = "assets/training/general/environments"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}


def _git(repo: Path, *args: str, when: str = "2026-01-02T03:04:05+00:00") -> str:
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    out = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env)
    return out.stdout


def _asset(name: str, folder: str, conda: str | None, dockerfile: str, extra: dict[str, str] | None = None,
           spec_tags: str = "") -> dict[str, str]:
    files = {
        f"{folder}/asset.yaml": f"name: {name}\nversion: auto\ntype: environment\nspec: spec.yaml\n"
                                "extra_config: environment.yaml\n",
        f"{folder}/spec.yaml": 'name: "{{asset.name}}"\nversion: "{{asset.version}}"\nbuild:\n'
                               '  path: "{{image.context.path}}"\n' + spec_tags,
        f"{folder}/environment.yaml": f"image:\n  name: azureml/curated/{name}\n  context:\n    dir: context\n"
                                      "    dockerfile: Dockerfile\n  publish:\n    location: mcr\n",
        f"{folder}/context/Dockerfile": dockerfile,
    }
    if conda is not None:
        files[f"{folder}/context/conda_dependencies.yaml"] = conda
    files.update(extra or {})
    return files


TOY_DOCKERFILE = """\
FROM mcr.microsoft.com/azureml/openmpi5.0-ubuntu24.04:{{latest-image-tag}}
ENV CONDA_PREFIX=/azureml-envs/toy
COPY conda_dependencies.yaml .
RUN conda env create -p $CONDA_PREFIX -f conda_dependencies.yaml -q
RUN pip install --no-cache-dir 'cryptography>=46'
"""
TOY_CONDA_V1 = """\
name: toy
dependencies:
- python=3.10
- pip
- numpy=1.26
- pip:
  - scikit-learn==1.5.2
  - azureml-inference-server-http=={{latest-pypi-version}}
"""
TOY_CONDA_V2 = TOY_CONDA_V1.replace("python=3.10", "python=3.11").replace("  - scikit-learn==1.5.2\n",
                                                                          "  - scikit-learn==1.6.1\n  - joblib\n")
FRAMEWORK_DOCKERFILE = """\
FROM mcr.microsoft.com/aifx/acpt/stable-ubuntu2204-cu126-py310-torch280:{{latest-image-tag}}
COPY requirements.txt .
RUN pip install -r requirements.txt --no-cache-dir
"""
INFERENCE_DOCKERFILE = """\
FROM mcr.microsoft.com/azureml/inference-base-2204:{{latest-image-tag}}
COPY conda_dependencies.yaml .
RUN conda env create -p /azureml-envs/minimal -f conda_dependencies.yaml -q
"""
INFERENCE_CONDA = "dependencies:\n- python=3.12\n- pip\n- pip:\n  - azureml-inference-server-http==1.5.1\n"


@pytest.fixture(scope="module")
def fake_assets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("assets")
    _git(repo, "init", "-q", "-b", "main")
    write_tree(repo, {
        **_asset("toy-1.0", f"{ENV}/toy-1.0", TOY_CONDA_V1, TOY_DOCKERFILE),
        **_asset("old-env", f"{ENV}/old-env", "dependencies:\n- python=3.8\n- pip:\n  - pandas\n", TOY_DOCKERFILE),
        **_asset("framework-env", f"{ENV}/framework-env", None, FRAMEWORK_DOCKERFILE,
                 {f"{ENV}/framework-env/context/requirements.txt": "transformers==4.40.0\ndatasets\n"},
                 spec_tags="tags:\n  Python: \"3.10\"\n"),
        **_asset("minimal-py312-inference", "assets/inference/environments/minimal-py312-inference",
                 INFERENCE_CONDA, INFERENCE_DOCKERFILE),
        **_asset("renamed-env", f"{ENV}/renamed", "dependencies:\n- python=3.9\n- pip:\n  - lightgbm\n",
                 TOY_DOCKERFILE),
        "test/resources/asset.yaml": "name: not-a-real-one\ntype: environment\n",
        "README.md": "toy\n",
    })
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "first")
    _git(repo, "tag", "-a", "-m", "Release environment toy-1.0 1", "environment/toy-1.0/1")
    _git(repo, "tag", "-a", "-m", "Release environment old-env 1", "environment/old-env/1")
    _git(repo, "tag", "-a", "-m", "r", "environment/minimal-py312-inference/3")
    _git(repo, "tag", "-a", "-m", "r", "environment/renamed-env/1")
    write_tree(repo, {f"{ENV}/toy-1.0/context/conda_dependencies.yaml": TOY_CONDA_V2,
                      f"{ENV}/renamed/asset.yaml": "name: renamed-env-2\nversion: auto\ntype: environment\n"})
    _git(repo, "commit", "-q", "-am", "toy: python 3.11", when="2026-02-03T04:05:06+00:00")
    _git(repo, "tag", "-a", "-m", "Release environment toy-1.0 2", "environment/toy-1.0/2")
    _git(repo, "rm", "-q", "-r", f"{ENV}/old-env")
    _git(repo, "commit", "-q", "-m", "remove old-env", when="2026-03-04T05:06:07+00:00")
    return repo / ".git"


def _replay(table: dict, name: str, version: int | None = None) -> tuple[str | None, bool, set[tuple[str, ...]]]:
    python, complete, have = None, False, set()
    for step in table["environments"][name]["versions"]:
        python = step.get("python", python)
        complete = step.get("complete", complete)
        have = (have - set(step.get("-", []))) | set(step.get("+", []))
        if step["v"] == version:
            break
    return python, complete, {tuple(table["packages"][i]) for i in have}


def test_two_builds_give_the_same_bytes(fake_assets: Path, tmp_path: Path) -> None:
    first = bc.dump(bc.build(fake_assets))
    second = bc.dump(bc.build(fake_assets))
    assert first == second
    out = tmp_path / "curated.json"
    assert bc.main(["--git-dir", str(fake_assets), "--out", str(out)]) == 0
    assert out.read_bytes() == first
    assert b"  " not in first and first.endswith(b"\n")  # compact, one line


def test_source_is_the_head_commit_and_its_date(fake_assets: Path) -> None:
    table = bc.build(fake_assets, repository="https://example.invalid/assets")
    head = subprocess.run(["git", "--git-dir", str(fake_assets), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()
    assert table["source"] == {"repository": "https://example.invalid/assets", "commit": head,
                               "date": "2026-03-04T05:06:07Z"}


def test_each_tagged_version_is_read_at_its_tag(fake_assets: Path) -> None:
    table = bc.build(fake_assets)
    toy = table["environments"]["toy-1.0"]
    assert toy["status"] == "active" and toy["tagged"] and [s["v"] for s in toy["versions"]] == [1, 2]
    assert toy["image"] == "mcr.microsoft.com/azureml/curated/toy-1.0"
    py1, complete1, v1 = _replay(table, "toy-1.0", 1)
    py2, complete2, v2 = _replay(table, "toy-1.0", 2)
    assert (py1, py2) == ("3.10", "3.11")
    assert complete1 and complete2  # a fresh conda env: nothing from the base image
    assert ("scikit-learn", "==1.5.2", "pip") in v1 and ("scikit-learn", "==1.6.1", "pip") in v2
    assert ("joblib", "", "pip") in v2 and ("joblib", "", "pip") not in v1
    assert ("numpy", "=1.26", "conda") in v1  # conda names and constraints as conda writes them
    assert ("azureml-inference-server-http", "", "pip") in v1  # {{latest-pypi-version}}: unpinned
    assert ("cryptography", ">=46", "pip") in v1  # the Dockerfile's own pip install
    assert not any(p[0] == "python" for p in v1)  # the Python is its own field


def test_removed_environment_keeps_its_last_definition(fake_assets: Path) -> None:
    table = bc.build(fake_assets)
    old = table["environments"]["old-env"]
    assert old["status"] == "removed" and old["removed"] == "2026-03-04"
    python, _, packages = _replay(table, "old-env")
    assert python == "3.8" and ("pandas", "", "pip") in packages


def test_framework_base_image_is_not_complete(fake_assets: Path) -> None:
    table = bc.build(fake_assets)
    env = table["environments"]["framework-env"]
    assert not env["tagged"] and [s["v"] for s in env["versions"]] == [0]  # untagged: current definition
    python, complete, packages = _replay(table, "framework-env")
    assert python == "3.10"  # from the base image's name
    assert not complete  # the base image brings packages the table does not list
    assert ("transformers", "==4.40.0", "pip") in packages and ("datasets", "", "pip") in packages


def test_test_resources_and_other_files_are_not_environments(fake_assets: Path) -> None:
    table = bc.build(fake_assets)
    assert set(table["environments"]) == {"toy-1.0", "old-env", "framework-env", "minimal-py312-inference",
                                          "renamed-env", "renamed-env-2"}


def test_environment_renamed_in_place_is_found_by_its_release_tag(fake_assets: Path) -> None:
    table = bc.build(fake_assets)
    old = table["environments"]["renamed-env"]
    assert old["status"] == "removed" and old["removed"] is None and [s["v"] for s in old["versions"]] == [1]
    python, _, packages = _replay(table, "renamed-env", 1)
    assert python == "3.9" and ("lightgbm", "", "pip") in packages
    assert table["environments"]["renamed-env-2"]["status"] == "active"


def test_images_section(fake_assets: Path) -> None:
    images = bc.build(fake_assets)["images"]
    curated = images["mcr.microsoft.com/azureml/curated/minimal-py312-inference"]
    assert curated == {"environment": "minimal-py312-inference", "python": "3.12", "server": "==1.5.1",
                       "status": "active", "source": "azureml-assets"}
    documented = images["mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cpu-inference"]
    assert documented["python"] == "3.9" and documented["environment"] is None
    assert documented["status"] == "documented"


def test_output_is_sorted_json(fake_assets: Path) -> None:
    data = bc.dump(bc.build(fake_assets))
    table = json.loads(data)
    assert json.dumps(table, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() + b"\n" == data
    assert table["packages"] == sorted(table["packages"])
