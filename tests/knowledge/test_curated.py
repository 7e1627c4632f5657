"""aml_lint.knowledge.curated: the committed table and the lookup of every reference form."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aml_lint.knowledge import curated
from aml_lint.knowledge.curated import (
    IMAGE,
    KNOWN,
    LEGACY,
    REGISTRY,
    REMOVED,
    UNKNOWN_NAME,
    UNKNOWN_VERSION,
)

REG = "azureml://registries/azureml/environments"


def names(result: curated.CuratedLookup | None) -> set[str]:
    assert result is not None
    return {p.name for p in result.packages}


def test_table_records_its_source() -> None:
    src = curated.source()
    assert src["repository"] == "https://github.com/Azure/azureml-assets"
    assert len(src["commit"]) == 40 and int(src["commit"], 16) >= 0
    assert src["date"].endswith("Z") and curated.table_date() == src["date"][:10]


def test_table_file_is_compact_sorted_json() -> None:
    raw = curated._TABLE.read_bytes()
    data = json.loads(raw)
    assert json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() + b"\n" == raw


@pytest.mark.parametrize("ref", [
    f"{REG}/sklearn-1.5/labels/latest",
    f"{REG}/SKLEARN-1.5/labels/latest",  # names are matched without case, as AzureML does
    "mcr.microsoft.com/azureml/curated/sklearn-1.5:latest",
    "mcr.microsoft.com/azureml/curated/sklearn-1.5",
])
def test_registry_label_and_curated_image_give_the_latest_version(ref: str) -> None:
    r = curated.lookup(ref)
    assert r is not None and r.status == KNOWN and r.environment == "sklearn-1.5"
    assert r.resolved_version == r.latest and r.latest is not None and r.latest >= 50
    assert r.python == "3.10" and r.complete and r.visible
    assert {"scikit-learn", "azureml-inference-server-http", "mlflow"} - names(r) == {"mlflow"}
    assert "azureml-mlflow" in names(r)


def test_registry_version_gives_that_version() -> None:
    old = curated.lookup(f"{REG}/sklearn-1.5/versions/3")
    new = curated.lookup(f"{REG}/sklearn-1.5/versions/50")
    assert old is not None and new is not None
    assert old.status == KNOWN and old.resolved_version == 3 and new.resolved_version == 50
    assert old.packages != new.packages  # each version as it was released
    image = curated.lookup("mcr.microsoft.com/azureml/curated/sklearn-1.5:3")
    assert image is not None and image.form == IMAGE and image.packages == old.packages


@pytest.mark.parametrize(("version", "note"), [("99999", "newer"), ("abc", "unlisted")])
def test_unlisted_version_is_not_given_another_versions_contents(version: str, note: str) -> None:
    r = curated.lookup(f"{REG}/sklearn-1.5/versions/{version}")
    assert r is not None and r.status == UNKNOWN_VERSION and r.version_note == note
    assert not r.visible and r.packages == () and r.latest is not None


def test_version_before_the_first_release_tag() -> None:
    # The designer environments were published before tagging began: their early versions are unknown.
    r = curated.lookup(f"{REG}/designer/versions/1")
    assert r is not None and r.status == UNKNOWN_VERSION and r.version_note == "older" and not r.visible


def test_unknown_registry_name() -> None:
    r = curated.lookup(f"{REG}/sklearn-9.9/labels/latest")
    assert r is not None and r.status == UNKNOWN_NAME and r.form == REGISTRY and not r.visible
    assert r.name == "sklearn-9.9" and r.table_date == curated.table_date()


def test_removed_environment_is_reported_with_its_last_definition() -> None:
    r = curated.lookup(f"{REG}/tensorflow-2.12-cuda11/labels/latest")
    assert r is not None and r.status == REMOVED and r.removed_on == "2024-09-06"
    assert r.visible and r.python == "3.8" and "tensorflow" in names(r)


@pytest.mark.parametrize("ref", [
    "azureml:AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest",
    "azureml:AzureML-sklearn-1.0-ubuntu20.04-py38-cpu:11",
    "azureml:AzureML-sklearn-1.0-ubuntu20.04-py38-cpu",
    "azureml:azureml-sklearn-1.0-ubuntu20.04-py38-cpu@latest",
    "azureml:/subscriptions/x/resourceGroups/y/providers/Microsoft.MachineLearningServices/workspaces/w"
    "/environments/AzureML-sklearn-1.0-ubuntu20.04-py38-cpu/versions/11",
])
def test_legacy_workspace_names(ref: str) -> None:
    r = curated.lookup(ref)
    assert r is not None and r.form == LEGACY and r.status == KNOWN
    assert r.environment == "sklearn-1.0-ubuntu20.04-py38-cpu" and r.python == "3.8"
    assert "scikit-learn" in names(r) and r.visible
    assert r.version_note == ""  # workspace version numbers are not the registry's: not judged


def test_unknown_legacy_name() -> None:
    r = curated.lookup("azureml:AzureML-Something-New-gpu@latest")
    assert r is not None and r.form == LEGACY and r.status == UNKNOWN_NAME


@pytest.mark.parametrize("ref", [
    "azureml:my-env:3",
    "azureml:my-env@latest",
    "azureml:sklearn-1.5@latest",  # a workspace environment that happens to share the name
    "azureml://registries/my-team-registry/environments/sklearn-1.5/labels/latest",
    "azureml:/subscriptions/x/resourceGroups/y/providers/Microsoft.MachineLearningServices/workspaces/w"
    "/environments/my-env/versions/1",
    "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest",
    "myregistry.azurecr.io/azureml/curated/sklearn-1.5:1",
    "python:3.11-slim",
    "file:env.yml",
    "",
])
def test_not_curated(ref: str) -> None:
    assert curated.lookup(ref) is None


@pytest.mark.parametrize(("ref", "python"), [
    ("mcr.microsoft.com/azureml/minimal-py312-inference:latest", "3.12"),
    ("mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cpu-inference:20250101.v1", "3.9"),
    ("mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cuda11.8-gpu-inference@sha256:" + "0" * 64, "3.9"),
])
def test_documented_prebuilt_images(ref: str, python: str) -> None:
    r = curated.lookup(ref)
    assert r is not None and r.form == IMAGE and r.status == KNOWN and r.python == python
    assert names(r) == {"azureml-inference-server-http"}
    assert not r.complete  # contents beyond the server are not in the table


def test_curated_inference_image() -> None:
    r = curated.lookup("mcr.microsoft.com/azureml/curated/minimal-py311-inference:latest")
    assert r is not None and r.status == KNOWN and r.python == "3.11" and r.complete
    assert {"azureml-inference-server-http", "numpy", "joblib"} <= names(r)
    server = [p for p in r.packages if p.name == "azureml-inference-server-http"]
    assert server and server[0].source == "pip"


def test_framework_environment_is_incomplete() -> None:
    r = curated.lookup(f"{REG}/acpt-pytorch-2.8-cuda12.6/labels/latest")
    assert r is not None and r.status == KNOWN and r.python == "3.10"
    assert not r.complete and "torch" in names(r)


def test_extras_are_split() -> None:
    pkgs = [p for row in curated.table()["packages"] if "[" in row[0] for p in [curated._package(row)]]
    assert pkgs and all("[" not in p.name and p.extras for p in pkgs)


def test_loads_fast_in_a_fresh_process() -> None:
    code = ("import time; t=time.perf_counter(); from aml_lint.knowledge import curated; "
            "curated.lookup('azureml://registries/azureml/environments/sklearn-1.5/labels/latest'); "
            "print(time.perf_counter()-t)")
    best = min(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    check=True).stdout) for _ in range(3))
    assert best < 0.25  # about 7 ms on an idle machine; generous for a loaded CI runner


def test_lookup_is_cached() -> None:
    ref = f"{REG}/lightgbm-3.3/labels/latest"
    assert curated.lookup(ref) == curated.lookup(ref)
    assert Path(curated._TABLE).stat().st_size < 1_500_000
