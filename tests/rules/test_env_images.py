"""AML216 image-unpinned and AML217 image-deprecated."""

from __future__ import annotations

import json

from lintkit import ENV_BUILDS_DOCKERFILE, LintFn

ENV = "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: my-env\n"
DEP = ("$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
       "name: blue\nendpoint_name: my-endpoint\ninstance_type: Standard_DS3_v2\ninstance_count: 3\n")


def test_latest_and_untagged_images(lint: LintFn) -> None:
    found = lint({
        "env.yml": ENV + "image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest\n",
        "dep.yml": DEP + "environment:\n  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04\n",
        "Dockerfile": "ARG BASE=pytorch/torchserve:latest-cpu\nFROM ${BASE} AS build\nFROM build\n",
        "docker-env.yml": ENV_BUILDS_DOCKERFILE,
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


def test_deprecated_images_are_warnings(lint: LintFn) -> None:
    found = lint({
        "env.yml": ENV + "image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest\n",
        "Dockerfile": "FROM mcr.microsoft.com/azureml/mlflow-ubuntu18.04-py37-cpu-inference:20220110.v1\n",
        "dep.yml": DEP + "environment: azureml://registries/azureml/environments/tensorflow-2.12-cuda11/labels/latest\n",
    }, rule="AML217")
    got = sorted((f.path, f.line, f.severity.label) for f in found)
    assert got == [("Dockerfile", 1, "warning"), ("dep.yml", 6, "warning"), ("env.yml", 3, "warning")]
    messages = {f.path: f.message for f in found}
    assert "marked the Ubuntu 20.04 images 'Deprecated' on 2025-02-24" in messages["env.yml"]
    assert "still pull and build" in messages["env.yml"]
    assert "curated environment 'tensorflow-2.12-cuda11'" in messages["dep.yml"]


def test_retired_ubuntu_images_still_build_so_they_are_warnings(lint: LintFn) -> None:
    # Regression: Ubuntu 16.04/18.04 images were errors, but every released tag stays pullable.
    found = lint({"Dockerfile": "FROM mcr.microsoft.com/azureml/openmpi3.1.2-ubuntu18.04\n",
                  "other/Dockerfile": "FROM mcr.microsoft.com/azureml/intelmpi2018.3-ubuntu16.04:20210301.v1\n"},
                 rule="AML217")
    assert sorted((f.path, f.severity.label) for f in found) == [
        ("Dockerfile", "warning"), ("other/Dockerfile", "warning")]
    assert all("error" not in f.severity.label for f in found)


def test_dates_come_from_the_images_own_notice(lint: LintFn) -> None:
    # Regression: an azureml/base tag on Ubuntu 18.04 was dated by the Ubuntu 16.04 list.
    found = lint({"a/Dockerfile": "FROM mcr.microsoft.com/azureml/base:openmpi3.1.2-ubuntu18.04\n",
                  "b/Dockerfile": "FROM mcr.microsoft.com/azureml/base:intelmpi2018.3-ubuntu16.04\n",
                  "c/Dockerfile": "FROM mcr.microsoft.com/azureml/base:latest\n"}, rule="AML217")
    messages = {f.path: f.message for f in found}
    assert "Ubuntu 18.04 images in January 2023" in messages["a/Dockerfile"]
    assert "16.04" not in messages["a/Dockerfile"] and "2022" not in messages["a/Dockerfile"]
    assert "Ubuntu 16.04 images on 2022-02-18" in messages["b/Dockerfile"]
    assert "azureml/base repository as deprecated on 2022-02-18" in messages["c/Dockerfile"]


def test_successor_is_of_the_same_kind(lint: LintFn) -> None:
    found = lint({
        "cuda/Dockerfile": "FROM mcr.microsoft.com/azureml/openmpi4.1.0-cuda11.1-cudnn8-ubuntu18.04:20221101.v1\n",
        "gpu/Dockerfile": "FROM mcr.microsoft.com/azureml/base-gpu:openmpi3.1.2-cuda10.1-cudnn7-ubuntu18.04\n",
        "tf/Dockerfile": "FROM mcr.microsoft.com/azureml/curated/tensorflow-2.12-cuda11:7\n",
        "torch/Dockerfile": "FROM mcr.microsoft.com/azureml/curated/acpt-pytorch-1.11-py38-cuda11.3-gpu:3\n",
        "cpu/Dockerfile": "FROM mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:20240101.v1\n",
    }, rule="AML217")
    advice = {f.path.split("/")[0]: f.message.split("move to ", 1)[1] for f in found}
    # A CUDA image gets a CUDA successor (never the CPU image).
    assert advice["cuda"].startswith("mcr.microsoft.com/azureml/openmpi5.0-cuda12.4-ubuntu22.04 (training)")
    assert "cuda12.4-inference (inference)" in advice["cuda"]
    assert advice["gpu"].startswith("mcr.microsoft.com/azureml/openmpi5.0-cuda12.4-ubuntu22.04")
    # A framework image gets a framework successor.
    assert advice["tf"] == "mcr.microsoft.com/azureml/curated/tensorflow-2.16-cuda12"
    assert advice["torch"] == "mcr.microsoft.com/azureml/curated/acpt-pytorch-2.8-cuda12.6"
    assert advice["cpu"] == ("mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04 (training) or "
                             "mcr.microsoft.com/azureml/minimal-py312-inference (inference)")


BATCH = ("$schema: https://azuremlschemas.azureedge.net/latest/modelBatchDeployment.schema.json\n"
         "name: nightly\nendpoint_name: my-batch\ntype: model\nmodel: azureml:m:1\ncompute: cpu\n")


def test_training_or_inference_is_chosen_from_what_uses_the_environment(lint: LintFn) -> None:
    old = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:20240101.v1"
    found = lint({
        "online.yml": DEP + f"environment:\n  image: {old}\n",
        "batch.yml": BATCH + f"environment:\n  image: {old}\n",
        "served/dep.yml": DEP + "environment: file:env.yml\n",
        "served/env.yml": ENV + f"image: {old}\n",
        "alone/env.yml": ENV + f"image: {old}\n",
        "served/build/dep.yml": DEP + "environment:\n  build:\n    path: ctx\n",
        "served/build/ctx/Dockerfile": f"FROM {old}\n",
        "curated.yml": DEP + "environment: azureml:AzureML-sklearn-0.24-ubuntu18.04-py37-cpu:49\n",
    }, rule="AML217")
    advice = {f.path: f.message.split("move to ", 1)[1] for f in found}
    inference = "mcr.microsoft.com/azureml/minimal-py312-inference"
    assert advice["online.yml"] == inference
    assert advice["served/env.yml"] == inference
    assert advice["served/build/ctx/Dockerfile"] == inference
    assert advice["batch.yml"] == "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04"
    assert advice["alone/env.yml"].endswith("(training) or " + inference + " (inference)")
    # A curated environment gets a curated environment of the same framework.
    assert advice["curated.yml"] == "azureml://registries/azureml/environments/sklearn-1.5/labels/latest"


def test_unresolvable_reference_is_an_error_that_says_so(lint: LintFn, monkeypatch) -> None:
    from aml_lint.rules.environment import common as env_common

    data = json.loads(json.dumps(env_common.table("base_images.json")))
    data["images"].insert(0, {"pattern": "mcr.microsoft.com/azureml/gone-image", "since": "2020-01-01",
                              "notice": "the image was deleted from the registry", "resolves": False})
    monkeypatch.setattr(env_common, "table", lambda name: data)
    monkeypatch.setattr("aml_lint.rules.environment.image_deprecated.table", lambda name: data)
    found = lint({"Dockerfile": "FROM mcr.microsoft.com/azureml/gone-image:1\n",
                  "b/Dockerfile": "FROM mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:1\n"}, rule="AML217")
    assert sorted((f.path, f.severity.label) for f in found) == [("Dockerfile", "error"), ("b/Dockerfile", "warning")]
    assert "can no longer be resolved" in next(f.message for f in found if f.path == "Dockerfile")


def test_current_images_pass(lint: LintFn) -> None:
    assert lint({
        "env.yml": ENV + "image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250601.v1\n",
        "Dockerfile": "FROM mcr.microsoft.com/azureml/minimal-py312-inference:latest\n",
        "dep.yml": DEP + "environment: azureml://registries/azureml/environments/sklearn-1.5/labels/latest\n",
    }, rule="AML217") == []


def test_an_image_with_its_own_notice_is_dated_by_it(lint: LintFn) -> None:
    found = lint({"env.yml": ENV + "image: mcr.microsoft.com/azureml/openmpi4.1.0-spark3-ubuntu20.04:20221101.v1\n"},
                 rule="AML217")
    assert [f.severity.label for f in found] == ["warning"]
    assert "deleted its Dockerfile and release notes on 2023-01-19" in found[0].message


# Multi-stage Dockerfiles: only the stages the final image depends on are its base images.
OLD_LATEST = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04"  # deprecated, and untagged


def _lines(lint: LintFn, dockerfile: str, rule: str) -> list[int]:
    return sorted(f.line for f in lint({"Dockerfile": dockerfile}, rule=rule))


def test_an_unused_first_stage_is_not_a_base_image(lint: LintFn) -> None:
    text = f"FROM {OLD_LATEST}\nRUN echo leftover\nFROM python:3.9\nRUN pip install numpy\n"
    assert _lines(lint, text, "AML216") == []
    assert _lines(lint, text, "AML217") == []
    # The final stage is always reported.
    text = f"FROM python AS unused\nFROM {OLD_LATEST}\n"
    assert _lines(lint, text, "AML216") == [2]
    assert _lines(lint, text, "AML217") == [2]


def test_a_stage_copied_from_is_a_base_image(lint: LintFn) -> None:
    by_name = f"FROM {OLD_LATEST} AS build\nRUN make\nFROM python:3.9\nCOPY --from=build /out /out\n"
    by_index = f"FROM {OLD_LATEST}\nRUN make\nFROM python:3.9\nCOPY --from=0 /out /out\n"
    by_mount = f"FROM {OLD_LATEST} AS w\nFROM python:3.9\nRUN --mount=type=bind,from=w,target=/w ls /w\n"
    for text in (by_name, by_index, by_mount):
        assert _lines(lint, text, "AML216") == [1], text
        assert _lines(lint, text, "AML217") == [1], text


def test_a_stage_reached_through_a_chain_is_a_base_image(lint: LintFn) -> None:
    chain = f"FROM {OLD_LATEST} AS base\nFROM base AS mid\nRUN make\nFROM mid\n"
    assert _lines(lint, chain, "AML216") == [1]
    assert _lines(lint, chain, "AML217") == [1]
    # Copied from by a stage the final image copies from: needed too.
    copies = (f"FROM {OLD_LATEST} AS tools\nFROM python:3.9 AS build\nCOPY --from=tools /t /t\n"
              "FROM python:3.9-slim\nCOPY --from=build /out /out\n")
    assert _lines(lint, copies, "AML217") == [1]
    # An image named by --from (not a stage) does not make the unused stage needed.
    external = f"FROM {OLD_LATEST} AS tools\nFROM python:3.9\nCOPY --from=nginx:1.27 /t /t\n"
    assert _lines(lint, external, "AML217") == []


def test_an_unknown_from_reference_keeps_every_stage(lint: LintFn) -> None:
    # `COPY --from=$STAGE` with no default: it may name the first stage, so nothing is skipped.
    text = f"FROM {OLD_LATEST} AS a\nFROM python:3.9\nARG STAGE\nCOPY --from=$STAGE /t /t\n"
    assert _lines(lint, text, "AML217") == [1]


def test_a_stage_chosen_by_a_build_arg_is_kept(lint: LintFn) -> None:
    # `FROM tool-${MODE}`: the default picks tool-build, `--build-arg MODE=install` the other one.
    text = (f"ARG MODE=build\nFROM {OLD_LATEST} AS tool-build\nFROM {OLD_LATEST} AS tool-install\n"
            f"FROM {OLD_LATEST} AS unused\nFROM tool-${{MODE}} AS tool\nFROM python:3.9\nCOPY --from=tool /t /t\n")
    assert _lines(lint, text, "AML217") == [2, 3]


def test_an_unused_azureml_stage_still_brings_the_dockerfile_in_scope(lint: LintFn) -> None:
    # The first stage is unused (no finding on it), but it says the file is written for AzureML:
    # the final stage is still checked.
    found = lint({"env/Dockerfile": "FROM mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04\n"
                                    "FROM python:latest\n"}, rule="AML216")
    assert [(f.path, f.line) for f in found] == [("env/Dockerfile", 2)]
