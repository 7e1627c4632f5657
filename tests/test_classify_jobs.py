"""Command, sweep and pipeline jobs and command components: recognised by `$schema`, then `type:`,
then their shape; files that merely look alike (workflows, compose files, manifests, Hydra
configs) stay OTHER_YAML."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from aml_lint.documents import Kind
from aml_lint.documents.classify import (
    kind_from_yaml,
    looks_like_azureml_yaml,
    looks_like_checked_kind,
)

SCHEMA = "https://azuremlschemas.azureedge.net/latest/"
COMMAND = {"command": "python train.py --lr ${{inputs.lr}}", "code": "src",
           "environment": "azureml:AzureML-sklearn-1.5@latest", "compute": "azureml:cpu-cluster",
           "inputs": {"lr": 0.01}}


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        # `$schema` first.
        ({"$schema": SCHEMA + "commandJob.schema.json", **COMMAND}, Kind.COMMAND_JOB),
        ({"$schema": SCHEMA + "commandJob.schema.json", "type": "command", **COMMAND}, Kind.COMMAND_JOB),
        ({"$schema": SCHEMA + "sweepJob.schema.json", "type": "sweep", "trial": COMMAND}, Kind.SWEEP_JOB),
        ({"$schema": SCHEMA + "pipelineJob.schema.json", "type": "pipeline", "jobs": {}}, Kind.PIPELINE_JOB),
        ({"$schema": SCHEMA + "commandComponent.schema.json", "name": "train", "command": "python t.py"},
         Kind.COMMAND_COMPONENT),
        ({"$schema": "https://azuremlschemas.azureedge.net/latest/CommandJob.schema.json"}, Kind.COMMAND_JOB),
        ({"$schema": "https://learn.microsoft.com/azure/machine-learning/reference-yaml-job-command"},
         Kind.COMMAND_JOB),
        # `az ml job create` loads by `type:` whatever `$schema` says (command when it is absent).
        ({"$schema": SCHEMA + "commandJob.schema.json", "type": "sweep", "trial": COMMAND}, Kind.SWEEP_JOB),
        ({"$schema": SCHEMA + "sweepJob.schema.json", "trial": COMMAND}, Kind.SWEEP_JOB),  # schema: type missing
        ({"$schema": SCHEMA + "commandJob.schema.json", "type": "spark", "entry": {}}, Kind.OTHER_YAML),
        ({"$schema": SCHEMA + "commandComponent.schema.json", "type": "parallel", "name": "p"}, Kind.OTHER_YAML),
        ({"$schema": SCHEMA + "commandComponent.schema.json", "type": "pipeline", "jobs": {}}, Kind.OTHER_YAML),
        # A `type:` no asset has is a typo: the `$schema` kind, whose schema reports it.
        ({"$schema": SCHEMA + "commandJob.schema.json", "type": "comand", **COMMAND}, Kind.COMMAND_JOB),
        ({"$schema": SCHEMA + "commandComponent.schema.json", "type": "Comand", "name": "t"}, Kind.COMMAND_COMPONENT),
        # Other jobs and components are not ours.
        ({"$schema": SCHEMA + "sparkJob.schema.json", "type": "spark", "code": "src"}, Kind.OTHER_YAML),
        ({"$schema": SCHEMA + "autoMLJob.schema.json", "type": "automl", "task": "classification"}, Kind.OTHER_YAML),
        ({"$schema": SCHEMA + "parallelComponent.schema.json", "type": "parallel", "name": "p"}, Kind.OTHER_YAML),
        ({"$schema": SCHEMA + "pipelineComponent.schema.json", "type": "pipeline", "jobs": {}}, Kind.OTHER_YAML),
        ({"$schema": SCHEMA + "sparkComponent.schema.json", "type": "spark", "name": "s"}, Kind.OTHER_YAML),
        ({"type": "parallel", "code": "src", "environment": "azureml:e:1", "compute": "c"}, Kind.OTHER_YAML),
        # No `$schema`: `type:` and the shape.
        ({"type": "command", **COMMAND}, Kind.COMMAND_JOB),
        ({"type": "command", "command": "python t.py", "environment": "azureml:e:1"}, Kind.COMMAND_JOB),
        ({"type": "command", "code": "src", "environment": "azureml:e:1", "compute": "c"}, Kind.COMMAND_JOB),
        ({"type": "command", "enviroment": "azureml:e:1", "command": "python t.py"}, Kind.COMMAND_JOB),  # typo kept
        (COMMAND, Kind.COMMAND_JOB),  # no type: `az ml job create` takes a command job
        ({"command": "python t.py", "environment": {"image": "python:3.11"}, "code": "src"}, Kind.COMMAND_JOB),
        ({"command": "python t.py", "environment": "file:env.yml", "compute": "c"}, Kind.COMMAND_JOB),
        ({"command": "python t.py", "environment": "train-env:1", "code": "src"}, Kind.COMMAND_JOB),  # azureml: forgotten
        ({"command": "python t.py", "environment": {"imgae": "python:3.11"}, "code": "src"}, Kind.COMMAND_JOB),
        ({"type": "command", "command": "python t.py", "environment": {"imgae": "python:3.11"}},
         Kind.COMMAND_JOB),  # a misspelt environment key is the schema's finding
        ({"type": "sweep", "trial": COMMAND, "objective": {"goal": "maximize", "primary_metric": "acc"}},
         Kind.SWEEP_JOB),
        ({"type": "pipeline", "settings": {"default_compute": "c"}, "jobs": {"a": {"type": "command"}}},
         Kind.PIPELINE_JOB),
        # Command components: component-only keys, or inputs declared rather than given.
        ({"type": "command", "name": "train", "version": "1", "command": "python t.py",
          "environment": "azureml:e:1"}, Kind.COMMAND_COMPONENT),
        ({"type": "command", "name": "train", "command": "python t.py", "environment": "azureml:e:1",
          "inputs": {"lr": {"type": "number", "default": 0.1}, "data": {"type": "uri_folder"}}},
         Kind.COMMAND_COMPONENT),
        ({"type": "command", "name": "train", "command": "python t.py", "environment": "azureml:e:1",
          "inputs": {"data": {"type": "uri_folder", "path": "./data"}}}, Kind.COMMAND_JOB),
        ({"type": "command", "name": "t", "version": "1", "command": "x", "environment": "e", "compute": "c"},
         Kind.COMMAND_JOB),  # compute: a job (a component has none)
        # Deployments keep their kinds, `type: pipeline` included.
        ({"name": "p", "endpoint_name": "e", "type": "pipeline", "component": "azureml:c:1"},
         Kind.PIPELINE_BATCH_DEPLOYMENT),
        ({"$schema": SCHEMA + "pipelineComponentBatchDeployment.schema.json", "type": "pipeline",
          "jobs": {}}, Kind.PIPELINE_BATCH_DEPLOYMENT),
        ({"name": "b", "endpoint_name": "e", "type": "command", "instance_type": "x"}, Kind.ONLINE_DEPLOYMENT),
    ],
)
def test_job_kinds(data: object, kind: Kind) -> None:
    assert kind_from_yaml(data) is kind


NEGATIVES = {
    "github workflow": """\
name: train
on: [push]
jobs:
  train:
    runs-on: ubuntu-latest
    steps:
      - run: python train.py
""",
    "github workflow with a type input": """\
name: deploy
on:
  workflow_dispatch:
    inputs:
      type: {type: string}
jobs:
  a: {runs-on: x, environment: prod}
""",
    "docker-compose": """\
version: "3"
services:
  train:
    image: python:3.11
    command: python train.py
    environment:
      - MODE=fast
""",
    "kubernetes job": """\
apiVersion: batch/v1
kind: Job
metadata: {name: train}
spec:
  template:
    spec:
      containers:
        - name: t
          image: python:3.11
          command: ["python", "train.py"]
""",
    "hydra config with command": """\
defaults:
  - model: resnet
command: python train.py
environment: gpu
trainer:
  max_epochs: 10
""",
    "hydra config with type command": """\
type: command
command: python train.py
optimizer: {lr: 0.1}
seed: 3
""",
    "command and environment only": "command: python train.py\nenvironment: local\n",
    "pipeline without jobs": "type: pipeline\nstages: [a, b]\n",
    "sweep config of another tool": "type: sweep\nmethod: bayes\nmetric: {name: loss}\nparameters: {}\n",
    "gitlab ci": "image: python:3.11\nstages: [test]\ntest:\n  script: [pytest]\n",
    "command with a named environment and inputs": "command: python train.py\nenvironment: local\ninputs: data/\n",
    "command with a name, environment and code": "name: build\ncommand: make\nenvironment: prod\ncode: .\n",
    "type command with environment variables": "type: command\ncommand: npm test\nenvironment:\n  NODE_ENV: test\n",
    "type pipeline with steps of another tool": "type: pipeline\njobs:\n  build:\n    steps: [make]\n",
}


@pytest.mark.parametrize("name", sorted(NEGATIVES))
def test_lookalikes_stay_other_yaml(name: str) -> None:
    assert kind_from_yaml(yaml.safe_load(NEGATIVES[name])) is Kind.OTHER_YAML


def test_text_filters_let_jobs_through_and_broken_jobs_count() -> None:
    assert looks_like_azureml_yaml("type: sweep\ntrial:\n  command: python t.py\n")
    assert looks_like_azureml_yaml("type: pipeline\njobs:\n  a: {}\n")
    broken = "type: command\ncommand: python t.py\nenvironment: [unclosed\n"
    assert looks_like_checked_kind(broken)
    assert looks_like_checked_kind(f"$schema: {SCHEMA}commandComponent.schema.json\nname: [x\n")
    assert not looks_like_checked_kind("type: spark\nentry: [x\n")
    assert not looks_like_checked_kind("type: command\nfoo: [x\n")


def test_engine_classifies_job_files(tmp_path: Path) -> None:
    """Through the project graph: the jobs are documents of their kinds, the look-alikes are not."""
    from aml_lint.config import build_settings
    from aml_lint.engine import discover

    files = {
        "jobs/train.yml": f"$schema: {SCHEMA}commandJob.schema.json\ncommand: python train.py\n"
                          "environment: azureml:e:1\ncompute: azureml:cpu\n",
        "jobs/sweep.yml": "type: sweep\ntrial:\n  command: python t.py\n  environment: azureml:e:1\n"
                          "objective: {goal: maximize, primary_metric: acc}\nlimits: {max_total_trials: 4}\n",
        "jobs/pipeline.yml": "type: pipeline\njobs:\n  a:\n    type: command\n    command: echo\n"
                             "    environment: azureml:e:1\n",
        "components/train.yml": "type: command\nname: train\nversion: 1\ncommand: python t.py\n"
                                "environment: azureml:e:1\n",
        "compose.yml": NEGATIVES["docker-compose"],
        "conf/config.yaml": NEGATIVES["hydra config with command"],
        ".github/workflows/ci.yml": NEGATIVES["github workflow"],
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    project = discover(build_settings(tmp_path, paths=[tmp_path]))
    kinds = {rel: doc.kind for rel, doc in project.documents.items() if rel.endswith((".yml", ".yaml"))}
    assert kinds.get("jobs/train.yml") is Kind.COMMAND_JOB
    assert kinds.get("jobs/sweep.yml") is Kind.SWEEP_JOB
    assert kinds.get("jobs/pipeline.yml") is Kind.PIPELINE_JOB
    assert kinds.get("components/train.yml") is Kind.COMMAND_COMPONENT
    for rel in ("compose.yml", "conf/config.yaml", ".github/workflows/ci.yml"):
        assert kinds.get(rel, Kind.OTHER_YAML) is Kind.OTHER_YAML, rel
