"""AML216 image-unpinned and AML217 image-deprecated."""

from __future__ import annotations

from lintkit import LintFn

ENV = "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: my-env\n"
DEP = ("$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
       "name: blue\nendpoint_name: my-endpoint\ninstance_type: Standard_DS3_v2\ninstance_count: 3\n")


def test_latest_and_untagged_images(lint: LintFn) -> None:
    found = lint({
        "env.yml": ENV + "image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest\n",
        "dep.yml": DEP + "environment:\n  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04\n",
        "Dockerfile": "ARG BASE=pytorch/torchserve:latest-cpu\nFROM ${BASE} AS build\nFROM build\n",
    }, rule="AML216")
    assert sorted((f.path, f.line, f.severity.label) for f in found) == [
        ("Dockerfile", 2, "warning"), ("dep.yml", 7, "warning"), ("env.yml", 3, "warning")]
    messages = {f.path: f.message for f in found}
    assert "uses the moving tag ':latest'" in messages["env.yml"]
    assert "has no tag" in messages["dep.yml"]
    assert "'pytorch/torchserve:latest-cpu'" in messages["Dockerfile"]


def test_prebuilt_inference_latest_is_info(lint: LintFn) -> None:
    found = lint({"env.yml": ENV + "image: mcr.microsoft.com/azureml/minimal-py312-inference:latest\n"},
                 rule="AML216")
    assert [(f.line, f.severity.label) for f in found] == [(3, "info")]


def test_pinned_images_pass(lint: LintFn) -> None:
    assert lint({
        "env.yml": ENV + "image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250601.v1\n",
        "dep.yml": DEP + "environment:\n  image: python@sha256:" + "a" * 64 + "\n",
        "Dockerfile": "FROM python:3.12-slim AS build\nFROM build\nFROM scratch\n",
    }, rule="AML216") == []


def test_deprecated_and_retired_images(lint: LintFn) -> None:
    found = lint({
        "env.yml": ENV + "image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest\n",
        "Dockerfile": "FROM mcr.microsoft.com/azureml/mlflow-ubuntu18.04-py37-cpu-inference:20220110.v1\n",
        "dep.yml": DEP + "environment: azureml://registries/azureml/environments/tensorflow-2.12-cuda11/labels/latest\n",
    }, rule="AML217")
    got = sorted((f.path, f.line, f.severity.label) for f in found)
    assert got == [("Dockerfile", 1, "error"), ("dep.yml", 6, "warning"), ("env.yml", 3, "warning")]
    messages = {f.path: f.message for f in found}
    assert "deprecated (no new versions) since 2025-02-24" in messages["env.yml"]
    assert "retired" in messages["Dockerfile"] and "minimal-py312-inference" in messages["Dockerfile"]
    assert "curated environment 'tensorflow-2.12-cuda11'" in messages["dep.yml"]


def test_current_images_pass(lint: LintFn) -> None:
    assert lint({
        "env.yml": ENV + "image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250601.v1\n",
        "Dockerfile": "FROM mcr.microsoft.com/azureml/minimal-py312-inference:latest\n",
        "dep.yml": DEP + "environment: azureml://registries/azureml/environments/sklearn-1.5/labels/latest\n",
    }, rule="AML217") == []
