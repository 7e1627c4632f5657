"""--changed-files: the text pre-filter loads every file the full project graph would link.

The reference is the full graph: load everything, then take the neighbourhood of the
changed files. A --changed-files run, which parses only what the text scan lets
through, must arrive at the same neighbourhood and the same findings.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aml_lint.config import build_settings
from aml_lint.engine import discover, run
from aml_lint.scope import files_in_scope, path_words
from aml_lint.workspace import walk

IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20240709.v1"
CONDA = "name: e\nchannels: [conda-forge]\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n    - azureml-inference-server-http\n"
SCRIPT = "import os\n{extra}\n\ndef init():\n    pass\n\n\ndef run(data):\n    return data\n"


def deployment(code: str, script: str, environment: str, model: str = "") -> str:
    text = ("$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
            f"name: blue\nendpoint_name: ep\ncode_configuration:\n  code: {code}\n  scoring_script: {script}\n"
            f"{environment}instance_type: Standard_DS3_v2\ninstance_count: 1\n")
    return text + (f"model:\n  path: {model}\n" if model else "")


REPO = {
    # A deployment whose code folder is elsewhere, sharing its conda file with another one.
    "online/dep.yml": deployment("../shared/code", "score.py",
                                 f"environment:\n  conda_file: env/conda.yaml\n  image: {IMAGE}\n", "model"),
    "online/model/weights.bin": "0",
    "online/env/conda.yaml": CONDA,
    "shared/code/score.py": SCRIPT.format(extra="import helper"),
    "shared/code/helper.py": "import json\n",
    "shared/code/unused.py": "import json\n",
    "other/dep.yml": deployment("code", "score.py",
                                f"environment:\n  conda_file: ../online/env/conda.yaml\n  image: {IMAGE}\n"),
    "other/code/score.py": SCRIPT.format(extra="from . import util"),
    "other/code/util.py": "X = 1\n",
    # An environment built from a Docker context whose requirements include another file.
    "envs/docker/env.yml": ("$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\n"
                            "name: docker-env\nbuild:\n  path: ctx\n"),
    "envs/docker/ctx/Dockerfile": f"FROM {IMAGE}\nCOPY requirements.txt /tmp/\nRUN pip install -r /tmp/requirements.txt\n",
    "envs/docker/ctx/requirements.txt": "-r base.txt\nnumpy==1.26.4\n",
    "envs/docker/ctx/base.txt": "azureml-inference-server-http==1.3.4\n",
    "docker/dep.yml": deployment("code", "score.py", "environment:\n  build:\n    path: ../envs/docker/ctx\n"),
    "docker/code/score.py": SCRIPT.format(extra=""),
    # `code: .` and a path with a space in it.
    "dot/dep.yml": deployment(".", "score.py", f"environment:\n  conda_file: 'my env/conda.yaml'\n  image: {IMAGE}\n"),
    "dot/score.py": SCRIPT.format(extra="import lightgbm"),
    "dot/my env/conda.yaml": CONDA,
    # A registered environment: no local link.
    "registered/dep.yml": deployment("code", "score.py", "environment: azureml:my-env:3\n"),
    "registered/code/score.py": SCRIPT.format(extra=""),
    # SDK code that deploys with literal paths.
    "sdk/deploy.py": ("from azure.ai.ml.entities import CodeConfiguration, Environment\n"
                      "env = Environment(conda_file='../online/env/conda.yaml', image='x')\n"
                      "code = CodeConfiguration(code='../registered/code', scoring_script='score.py')\n"),
    # Dockerfiles: one a script builds for AzureML from the root, one a job builds, a dev container's.
    "images/score/Dockerfile": "FROM python:3.12-slim\nCOPY images/score/app.py /app/\nCOPY gone.txt /tmp/\n",
    "images/score/app.py": "print('x')\n",
    "tools/build.sh": "IMG=images/score\ndocker build -f $IMG/Dockerfile .\naz ml environment create -f e.yml\n",
    "jobs/train.yml": ("$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json\n"
                       "command: Rscript train.R\nenvironment:\n  build:\n    path: ctx\ncompute: azureml:cpu\n"),
    "jobs/ctx/Dockerfile": "FROM rocker/r-ver:4.4.0\nCOPY install.R /tmp/\n",
    # SDK code that builds a Dockerfile from a context folder.
    "sdkenv/create.py": ("from azure.ai.ml.entities import BuildContext, Environment\n"
                         "env = Environment(name='r', build=BuildContext(path='docker', dockerfile_path='r.dockerfile'))\n"),
    "sdkenv/docker/r.dockerfile": "FROM rocker/r-ver:4.4.0\nCOPY install.R /tmp/\n",
    # An asset repository's environment whose build path a publishing pipeline fills in.
    "assets/sk/spec.yaml": ("$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\n"
                            "name: sk\nbuild:\n  path: '{{image.context.path}}'\n"),
    "assets/sk/context/Dockerfile": "FROM ubuntu:22.04\nCOPY conda_dependencies.yaml /tmp/\n",
    ".devcontainer/devcontainer.json": '{"build": {"dockerfile": "../tools/dev.Dockerfile"}}\n',
    "tools/dev.Dockerfile": "FROM ubuntu:latest\nCOPY missing /x\n",
    # A model a deploy script downloads: a warning in a full run and in a --changed-files run alike.
    "tf/dep.yml": deployment("code", "score.py", "environment: azureml:tf:1\n", "./half_plus_two"),
    "tf/code/score.py": SCRIPT.format(extra=""),
    "deploy-tf.sh": "wget https://example.org/m -O tf/half_plus_two.tar.gz && tar -xf tf/half_plus_two.tar.gz\n",
    # Jobs: a command job and a sweep running one entry script, a pipeline with an inline step on
    # the same code folder and a component file with its own code and conda file.
    "train/job.yml": ("$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json\n"
                      "code: src\ncommand: python train.py --lr ${{inputs.lr}}\ninputs:\n  lr: 0.1\n"
                      f"environment:\n  image: {IMAGE}\n  conda_file: ../envs/train-conda.yml\ncompute: azureml:cpu\n"),
    "train/sweep.yml": ("$schema: https://azuremlschemas.azureedge.net/latest/sweepJob.schema.json\ntype: sweep\n"
                        "trial:\n  code: src\n  command: python train.py --lr ${{search_space.lr}}\n"
                        "  environment: file:../envs/train-env.yml\n"
                        "search_space:\n  lr: {type: uniform, min_value: 0.01, max_value: 0.1}\n"
                        "objective: {goal: maximize, primary_metric: acc}\nsampling_algorithm: random\n"
                        "limits: {max_total_trials: 2}\ncompute: azureml:cpu\n"),
    "train/src/train.py": "import os\nimport lightgbm\nimport train_utils\n",
    "train/src/train_utils.py": "import json\n",
    "train/src/pkg/__init__.py": "",
    "train/src/pkg/prep.py": "import yaml\n",
    "envs/train-conda.yml": CONDA,
    "envs/train-env.yml": ("$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\n"
                           f"name: train\nimage: {IMAGE}\nconda_file: train-conda.yml\n"),
    "pipes/pipeline.yml": ("$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json\n"
                           "type: pipeline\nsettings:\n  default_compute: azureml:cpu\njobs:\n"
                           "  prep:\n    type: command\n    code: ../train/src\n    command: python -m pkg.prep\n"
                           "    environment: azureml:my-env:2\n"
                           "  score:\n    type: command\n    component: file:../components/score/component.yml\n"),
    "components/score/component.yml": ("name: score\ntype: command\ncode: ./src\n"
                                       "command: torchrun --nproc_per_node 2 run.py\n"
                                       f"environment:\n  image: {IMAGE}\n  conda_file: conda.yml\n"),
    "components/score/src/run.py": "import torch\n",
    "components/score/conda.yml": CONDA,
    # A pipeline whose step is a pipeline component, whose step is a command component.
    "nested/pipeline.yml": ("$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json\n"
                            "type: pipeline\nsettings:\n  default_compute: azureml:cpu\njobs:\n"
                            "  data:\n    type: pipeline\n    component: ./data/data_pipeline.yml\n"),
    "nested/data/data_pipeline.yml": ("$schema: https://azuremlschemas.azureedge.net/latest/pipelineComponent.schema.json\n"
                                      "type: pipeline\nname: data_pipeline\njobs:\n  prep:\n    type: command\n"
                                      "    component: ./prep/prep.yml\n"),
    "nested/data/prep/prep.yml": ("name: prep\ntype: command\ncode: .\ncommand: python prep.py\n"
                                  f"environment:\n  image: {IMAGE}\n  conda_file: ../../../envs/train-conda.yml\n"),
    "nested/data/prep/prep.py": "import os\nimport pandas\n",
    # Unrelated files that happen to use the same words.
    ".github/workflows/ci.yml": "name: ci\non: [push]\njobs:\n  code:\n    runs-on: ubuntu-latest\n"
                                "    steps:\n      - run: cat conda.yaml score.py\n",
    "docs/readme.md": "See online/env/conda.yaml and shared/code/score.py.\n",
    "libs/tool.py": "import helper\nprint('score.py conda.yaml')\n",
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scope")
    for rel, text in REPO.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _reference(root: Path, changed: frozenset[str]) -> set[str]:
    return discover(build_settings(root)).neighbourhood(changed)


def _scoped(root: Path, changed: frozenset[str]) -> set[str]:
    return discover(build_settings(root, changed_files=changed)).neighbourhood(changed)


def _findings(root: Path, changed: frozenset[str] | None) -> list[tuple[str, str, int, str]]:
    result = run(build_settings(root, changed_files=changed))
    return sorted((f.path, f.rule_id, f.location.line, f.message) for f in result.findings)


@pytest.mark.parametrize("changed", sorted(REPO))
def test_each_changed_file_reaches_the_same_neighbourhood_as_the_full_graph(repo: Path, changed: str) -> None:
    files = frozenset({changed})
    assert _scoped(repo, files) == _reference(repo, files)


@pytest.mark.parametrize("changed", [
    {"tf/dep.yml"}, {"images/score/Dockerfile"}, {"tools/build.sh"}, {"jobs/ctx/Dockerfile"}, {"jobs/train.yml"},
    {"tools/dev.Dockerfile"}, {".devcontainer/devcontainer.json"}, {"assets/sk/context/Dockerfile"},
    {"sdkenv/docker/r.dockerfile"}, {"sdkenv/create.py"},
    {"online/env/conda.yaml", "docs/readme.md"},
    {"shared/code/helper.py", "envs/docker/ctx/base.txt"},
    {"dot/my env/conda.yaml", "other/code/util.py", "registered/dep.yml"},
    {"train/src/train.py"}, {"train/src/train_utils.py"}, {"envs/train-conda.yml"}, {"train/src/pkg/prep.py"},
    {"components/score/src/run.py"}, {"components/score/conda.yml"}, {"pipes/pipeline.yml"},
])
def test_changed_sets_give_the_findings_of_the_full_graph(repo: Path, changed: set[str]) -> None:
    files = frozenset(changed)
    scope = _reference(repo, files)
    everything = [f for f in _findings(repo, None) if f[0] in scope]
    assert _findings(repo, files) == everything


def test_links_are_found_in_every_direction(repo: Path) -> None:
    # A conda file brings the deployment that names it and the script that deployment runs.
    scope = _scoped(repo, frozenset({"online/env/conda.yaml"}))
    assert {"online/dep.yml", "online/model"} <= scope
    # A requirements file included by the one the Dockerfile installs: the environment whose
    # build context holds them, found through two files that are not YAML.
    scope = _scoped(repo, frozenset({"envs/docker/ctx/base.txt"}))
    assert {"envs/docker/env.yml", "envs/docker/ctx/Dockerfile", "envs/docker/ctx/requirements.txt"} <= scope


def test_unrelated_files_are_not_parsed(repo: Path) -> None:
    chosen = set(files_in_scope(repo, list(walk(repo, [repo])), {"dot/my env/conda.yaml"}))
    assert {"dot/my env/conda.yaml", "dot/dep.yml"} <= chosen
    # Mentioning 'conda.yaml' or 'score.py' in passing links nothing; neither do other units.
    assert not chosen & {".github/workflows/ci.yml", "libs/tool.py", "online/dep.yml", "other/dep.yml",
                         "registered/dep.yml"}


def test_a_module_is_linked_from_the_scripts_beside_it_only(repo: Path) -> None:
    chosen = set(files_in_scope(repo, list(walk(repo, [repo])), {"shared/code/helper.py"}))
    assert "shared/code/score.py" in chosen
    assert "libs/tool.py" not in chosen  # imports a 'helper', but not the one beside it


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_a_named_pipe_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "dep.yml").write_text(REPO["dot/dep.yml"], encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.yml")  # reading it would block forever
    chosen = files_in_scope(tmp_path, ["pipe.yml", "dep.yml"], {"score.py"})
    assert chosen == ["dep.yml"]


def test_path_words_split_out_paths_from_yaml_and_code() -> None:
    words = path_words("a/dep.yml", "code: ./src/\nconda_file: 'my env/conda.yaml'  # c\nx: file:../e.yml\n")
    assert "./src/" in words["src"]
    assert "my env/conda.yaml" in words["conda.yaml"]
    assert "../e.yml" in words["e.yml"]



def test_dockerfiles_are_checked_as_the_scripts_that_build_them_say(repo: Path) -> None:
    found = {(f[0], f[1]) for f in _findings(repo, None)}
    assert ("images/score/Dockerfile", "AML218") in found  # built for AzureML from the root: gone.txt
    assert ("jobs/ctx/Dockerfile", "AML218") in found  # a job builds it from jobs/ctx
    assert ("assets/sk/context/Dockerfile", "AML218") in found  # an environment with a templated build.path
    assert not any(path == "tools/dev.Dockerfile" for path, _ in found)  # a dev container's image
    assert [f[3] for f in _findings(repo, frozenset({"tf/dep.yml"})) if f[1] == "AML101"] \
        == [f[3] for f in _findings(repo, None) if f[1] == "AML101" and f[0] == "tf/dep.yml"]
    assert any("deploy-tf.sh creates it" in f[3] for f in _findings(repo, frozenset({"tf/dep.yml"})))


@pytest.mark.parametrize(("changed", "expected"), [
    # The jobs that run the script, the environment they name, the script's own modules.
    ("train/src/train.py", {"train/job.yml", "train/sweep.yml", "envs/train-conda.yml", "envs/train-env.yml",
                            "train/src/train_utils.py", "pipes/pipeline.yml"}),
    # A module the entry script imports brings in the script and its jobs.
    ("train/src/train_utils.py", {"train/src/train.py", "train/job.yml", "train/sweep.yml"}),
    # A conda file brings in every job using it, directly or through an environment YAML.
    ("envs/train-conda.yml", {"train/job.yml", "train/sweep.yml", "envs/train-env.yml", "train/src/train.py"}),
    # A component's script brings in the component and the pipelines using it, and its conda file.
    ("components/score/src/run.py", {"components/score/component.yml", "pipes/pipeline.yml",
                                     "components/score/conda.yml"}),
    # Through a pipeline component to the pipeline job that runs it.
    ("nested/data/prep/prep.py", {"nested/data/prep/prep.yml", "nested/data/data_pipeline.yml",
                                  "nested/pipeline.yml", "envs/train-conda.yml"}),
])
def test_jobs_are_in_the_neighbourhood_of_what_they_run(repo: Path, changed: str, expected: set[str]) -> None:
    files = frozenset({changed})
    scoped = _scoped(repo, files)
    assert expected <= scoped, expected - scoped
    assert scoped == _reference(repo, files)
    # A job that shares nothing with the change stays out.
    assert "online/dep.yml" not in scoped


def test_entry_script_findings_are_reported_in_a_scoped_run(repo: Path) -> None:
    scoped = _findings(repo, frozenset({"train/src/train.py"}))
    assert any(f[0] == "train/src/train.py" and f[1] == "AML501" and "lightgbm" in f[3] for f in scoped)
    full = [f for f in _findings(repo, None) if f[0] == "train/src/train.py"]
    assert [f for f in scoped if f[0] == "train/src/train.py"] == full
