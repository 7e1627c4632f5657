"""graph.jobs: command jobs, sweep trials, pipeline steps and command components link their code
folder, environment, component files and entry scripts."""

from __future__ import annotations

from pathlib import Path

from aml_lint.config import build_settings
from aml_lint.documents import Kind
from aml_lint.engine import discover
from aml_lint.findings import Severity
from aml_lint.graph import Project
from lintkit import LintFn, write_tree

SCHEMA = "https://azuremlschemas.azureedge.net/latest"
CONDA = """\
name: train
channels: [conda-forge]
dependencies:
  - python=3.11
  - pip
  - pip:
    - pandas==2.2.2
    - numpy<2
"""


def command_job(code: str = "src", command: str = "python train.py --lr ${{inputs.lr}}",
                environment: str = "\n  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20240101.v1"
                                   "\n  conda_file: env/conda.yml") -> str:
    return (f"$schema: {SCHEMA}/commandJob.schema.json\ncode: {code}\ncommand: >-\n  {command}\n"
            f"inputs:\n  lr: 0.1\nenvironment: {environment}\ncompute: azureml:cpu\n")


def _project(root: Path, files: dict[str, str]) -> Project:
    write_tree(root, files)
    return discover(build_settings(root))


def _links(project: Project, source: str) -> set[tuple[str, str]]:
    return {(link.target, link.role) for link in project.links_from(source)}


def test_command_job_links_code_environment_and_entry_script(tmp_path: Path) -> None:
    project = _project(tmp_path, {
        "job.yml": command_job(), "env/conda.yml": CONDA,
        "src/train.py": "import pandas\nfrom utils import load\n", "src/utils.py": "import os\n",
    })
    assert project.documents["job.yml"].kind is Kind.COMMAND_JOB
    assert project.documents["src/train.py"].kind is Kind.ENTRY_SCRIPT
    assert _links(project, "job.yml") == {("src", "code"), ("env/conda.yml", "conda_file"),
                                          ("src/train.py", "entry_script")}
    assert [env.label for env in project.script_envs["src/train.py"]] == ["env/conda.yml"]
    assert [job.rel for job in project.script_jobs["src/train.py"]] == ["job.yml"]
    assert ("src/utils.py", "module") in _links(project, "src/train.py")  # local modules, as for scoring scripts
    assert not project.problems


def test_every_environment_form(tmp_path: Path) -> None:
    forms = {
        "a.yml": "azureml:my-env:3",
        "b.yml": "azureml:AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest",
        "c.yml": "azureml://registries/azureml/environments/sklearn-1.5/labels/latest",
        "d.yml": "file:env/environment.yml",
    }
    files = {f"jobs/{name}": command_job(code="../src", environment=value) for name, value in forms.items()}
    files |= {"jobs/env/environment.yml": (f"$schema: {SCHEMA}/environment.schema.json\nname: e\n"
                                           "image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20240101.v1\n"
                                           "conda_file: conda.yml\n"),
              "jobs/env/conda.yml": CONDA, "src/train.py": "import pandas\n"}
    project = _project(tmp_path, files)
    refs = {env.owner.rel: env.reference for envs in project.environments.values() for env in envs}
    assert refs["jobs/a.yml"] == "azureml:my-env:3"
    assert refs["jobs/b.yml"] == forms["b.yml"]
    assert refs["jobs/c.yml"] == forms["c.yml"]
    assert ("jobs/env/environment.yml", "environment") in _links(project, "jobs/d.yml")
    labels = sorted(env.label for env in project.script_envs["src/train.py"])
    assert labels == sorted([*(forms[n] for n in "abc" for n in [f"{n}.yml"]), "jobs/env/conda.yml"])
    assert not project.problems


def test_remote_code_is_not_followed(tmp_path: Path) -> None:
    files = {"a.yml": command_job(code="azureml:my-code:1"),
             "b.yml": command_job(code="git+https://github.com/org/repo.git#main"),
             "c.yml": command_job(code="https://example.org/code.zip"), "env/conda.yml": CONDA}
    project = _project(tmp_path, files)
    assert not project.problems
    assert not project.script_jobs
    assert not any(link.role in ("code", "entry_script") for link in project.links)


def test_sweep_trial_and_pipeline_steps(tmp_path: Path) -> None:
    sweep = (f"$schema: {SCHEMA}/sweepJob.schema.json\ntype: sweep\ntrial:\n  code: src\n"
             "  command: python train.py --lr ${{search_space.lr}}\n  environment: azureml:my-env:1\n"
             "search_space:\n  lr: {type: uniform, min_value: 0.01, max_value: 0.1}\n"
             "objective: {goal: maximize, primary_metric: acc}\nsampling_algorithm: random\n"
             "limits: {max_total_trials: 4}\ncompute: azureml:cpu\n")
    pipeline = (f"$schema: {SCHEMA}/pipelineJob.schema.json\ntype: pipeline\nsettings:\n"
                "  default_compute: azureml:cpu\njobs:\n"
                "  prep:\n    type: command\n    code: src\n    command: cd steps && python -m prep.run\n"
                "    environment:\n      image: python:3.11-slim\n      conda_file: env/conda.yml\n"
                "  train:\n    type: command\n    component: file:components/train.yml\n"
                "  score:\n    component: ./components/score.yml\n"
                "  registered:\n    component: azureml:my-component:2\n"
                "  by_name:\n    component: my_component:2\n"
                "  tune:\n    type: sweep\n    trial: file:components/train.yml\n")
    component = ("name: train\ntype: command\ncode: ../src\ncommand: python train.py\n"
                 "environment: azureml:AzureML-lightgbm-3.3-ubuntu20.04-py38-cpu:1\n")
    score = component.replace("train", "score")
    project = _project(tmp_path, {
        "sweep.yml": sweep, "pipeline.yml": pipeline, "env/conda.yml": CONDA,
        "components/train.yml": component, "components/score.yml": score,
        "src/train.py": "import os\n", "src/score.py": "import os\n",
        "src/steps/prep/__init__.py": "", "src/steps/prep/run.py": "import os\n",
    })
    assert ("src/train.py", "entry_script") in _links(project, "sweep.yml")
    assert _links(project, "pipeline.yml") >= {
        ("src", "code"), ("src/steps/prep/run.py", "entry_script"), ("env/conda.yml", "conda_file"),
        ("components/train.yml", "component"), ("components/score.yml", "component")}
    for name in ("train", "score"):
        assert project.documents[f"components/{name}.yml"].kind is Kind.COMMAND_COMPONENT
        assert (f"src/{name}.py", "entry_script") in _links(project, f"components/{name}.yml")
        assert "azureml:AzureML-lightgbm-3.3-ubuntu20.04-py38-cpu:1" in \
            [env.reference for env in project.script_envs[f"src/{name}.py"]]
    # The component reached from two steps is linked once.
    assert len(project.links_from("components/train.yml")) == 2
    assert [job.rel for job in project.script_jobs["src/train.py"]] == ["sweep.yml", "components/train.yml"] \
        or [job.rel for job in project.script_jobs["src/train.py"]] == ["components/train.yml", "sweep.yml"]
    assert not project.problems


def test_a_file_that_is_also_a_scoring_script_stays_one(tmp_path: Path) -> None:
    script = "import json\n\ndef init():\n    pass\n\ndef run(data):\n    return data\n"
    project = _project(tmp_path, {"job.yml": command_job(command="python score.py"), "env/conda.yml": CONDA,
                                  "src/score.py": script})
    assert project.documents["src/score.py"].kind is Kind.SCORING_SCRIPT
    assert [job.rel for job in project.script_jobs["src/score.py"]] == ["job.yml"]


def test_unparseable_commands_are_recorded_and_not_followed(tmp_path: Path) -> None:
    files = {"a.yml": command_job(command="bash run.sh"),
             "b.yml": command_job(command="python ${{inputs.script}}"),
             "c.yml": command_job(command="python -m pytest tests"),  # an installed module: not ours
             "env/conda.yml": CONDA, "src/run.sh": "python train.py\n"}
    project = _project(tmp_path, files)
    assert not project.problems
    reasons = {rel: [u.reason for u in parsed.unparsed] for rel, _, parsed in project.commands}
    assert "shell script" in reasons["a.yml"][0]
    assert "placeholder" in reasons["b.yml"][0]
    assert reasons["c.yml"] == []


def test_missing_entry_script_code_and_component_are_errors(lint: LintFn) -> None:
    pipeline = (f"$schema: {SCHEMA}/pipelineJob.schema.json\ntype: pipeline\nsettings:\n"
                "  default_compute: azureml:cpu\njobs:\n  train:\n    type: command\n"
                "    component: file:components/trian.yml\n")
    found = lint({
        "job.yml": command_job(command="python trian.py --lr ${{inputs.lr}}"),
        "nocode.yml": command_job(code="scr"),
        "pipeline.yml": pipeline, "components/train.yml": "name: t\ntype: command\ncommand: echo\n",
        "env/conda.yml": CONDA, "src/train.py": "import pandas\n",
    }, "AML101")
    by_file = {f.path: f for f in found}
    assert set(by_file) == {"job.yml", "nocode.yml", "pipeline.yml"}
    assert [f.severity for f in found] == [Severity.ERROR] * 3, found
    assert "entry script file 'trian.py' does not exist" in by_file["job.yml"].message
    assert "did you mean 'train.py'" in by_file["job.yml"].message
    assert "code" in by_file["nocode.yml"].message and "'scr'" in by_file["nocode.yml"].message
    assert "components/trian.yml" in by_file["pipeline.yml"].message


def test_an_entry_script_above_the_code_folder_is_not_to_be_written_with_dotdot(lint: LintFn) -> None:
    # Only the code folder is uploaded: `python ../train.py` would fail too (and is a warning here).
    found = lint({"job.yml": command_job(), "env/conda.yml": CONDA, "train.py": "import pandas\n",
                  "src/other.py": ""}, "AML101")
    assert [f.severity for f in found] == [Severity.ERROR]
    assert "'train.py' (from the repository root), outside the code folder 'src'" in found[0].message
    assert "write '../train.py'" not in found[0].message


def test_a_script_an_earlier_command_may_make_is_a_warning(lint: LintFn) -> None:
    command = "wget https://example.org/data.zip && unzip data.zip && python train.py"
    found = lint({"job.yml": command_job(command=command), "env/conda.yml": CONDA, "src/other.py": ""}, "AML101")
    assert [(f.severity, "wget" in f.message) for f in found] == [(Severity.WARNING, True)]


def test_a_script_an_earlier_command_names_is_not_reported(lint: LintFn) -> None:
    for command in ("git clone https://github.com/org/apex && cd apex && python setup.py install",
                    "wget https://example.org/train.py && python train.py"):
        files = {"job.yml": command_job(command=command), "env/conda.yml": CONDA, "src/other.py": ""}
        assert lint(files, "AML101") == [], command


def test_present_scripts_give_no_link_finding(lint: LintFn) -> None:
    found = lint({"job.yml": command_job(command="cd sub && python train.py && python -m pkg.main"),
                  "env/conda.yml": CONDA, "src/sub/train.py": "import pandas\n",
                  "src/sub/pkg/__init__.py": "", "src/sub/pkg/main/__main__.py": "import os\n"}, "AML101")
    assert found == []


def test_entry_script_imports_are_checked_against_the_jobs_environment(lint: LintFn) -> None:
    found = lint({"job.yml": command_job(), "env/conda.yml": CONDA,
                  "src/train.py": "import pandas\nimport sklearn\n"}, "AML501")
    assert [(f.path, "sklearn" in f.message) for f in found] == [("src/train.py", True)]
    assert lint({"job.yml": command_job(), "env/conda.yml": CONDA, "src/train.py": "import pandas\n"},
                "AML501") == []


def test_a_component_path_that_exists_below_another_folder_is_a_warning(lint: LintFn) -> None:
    # A script copies the pipeline beside its steps before submitting it: the path is right there.
    pipeline = (f"$schema: {SCHEMA}/pipelineJob.schema.json\ntype: pipeline\nsettings:\n"
                "  default_compute: azureml:cpu\njobs:\n  step:\n    type: command\n"
                "    component: ./step/component.yml\n")
    component = "name: s\ntype: command\ncode: .\ncommand: python run.py\nenvironment: azureml:e:1\n"
    found = lint({"pipelines/p.yml": pipeline, "packages/step/component.yml": component,
                  "packages/step/run.py": "import os\n"}, "AML101")
    assert [(f.severity, "packages/step/component.yml" in f.message) for f in found] == [(Severity.WARNING, True)]
    # Nowhere at all: an error.
    found = lint({"pipelines/p.yml": pipeline.replace("./step/", "./gone/")}, "AML101")
    assert [f.severity for f in found if "gone" in f.message] == [Severity.ERROR]


def test_pipeline_components_are_followed_to_their_steps(tmp_path: Path) -> None:
    pipeline = (f"$schema: {SCHEMA}/pipelineJob.schema.json\ntype: pipeline\nsettings:\n"
                "  default_compute: azureml:cpu\njobs:\n  data:\n    type: pipeline\n"
                "    component: ./data/data_pipeline.yml\n  again:\n    type: pipeline\n"
                "    component: file:data/data_pipeline.yml\n")
    inner = (f"$schema: {SCHEMA}/pipelineComponent.schema.json\ntype: pipeline\nname: data_pipeline\n"
             "jobs:\n  prep:\n    type: command\n    component: ./prep/prep.yml\n"
             "  clean:\n    type: command\n    code: clean\n    command: python clean.py\n"
             "    environment: azureml:e:1\n")
    prep = (f"$schema: {SCHEMA}/commandComponent.schema.json\nname: prep\ntype: command\ncode: .\n"
            "command: python prep.py\nenvironment: azureml:e:1\n")
    project = _project(tmp_path, {"pipeline.yml": pipeline, "data/data_pipeline.yml": inner,
                                  "data/prep/prep.yml": prep, "data/prep/prep.py": "import os\n",
                                  "data/clean/clean.py": "import os\n"})
    assert ("data/data_pipeline.yml", "component") in _links(project, "pipeline.yml")
    assert _links(project, "data/data_pipeline.yml") == {
        ("data/prep/prep.yml", "component"), ("data/clean", "code"), ("data/clean/clean.py", "entry_script")}
    assert ("data/prep/prep.py", "entry_script") in _links(project, "data/prep/prep.yml")
    # Followed once, though two steps name it.
    assert len(project.links_from("data/data_pipeline.yml")) == 3
    assert project.neighbourhood({"data/prep/prep.py"}) >= {"data/prep/prep.yml", "data/data_pipeline.yml",
                                                            "pipeline.yml"}
    assert not project.problems


def test_a_script_outside_the_code_folder_is_a_warning_not_linked(tmp_path: Path) -> None:
    files = {"job.yml": command_job(command="python ../shared/train.py"), "env/conda.yml": CONDA,
             "src/other.py": "", "shared/train.py": "import pandas\n"}
    project = _project(tmp_path, files)
    assert not project.script_jobs  # not what the job runs: only src/ is uploaded
    assert [(p.severity, "outside the code folder 'src'" in p.message) for p in project.problems] == \
        [(Severity.WARNING, True)]
    # The same after a `cd ..`: the working folder left the upload.
    files["job.yml"] = command_job(command="cd .. && python shared/train.py")
    project = _project(tmp_path, files)
    assert [p.severity for p in project.problems] == [Severity.WARNING]
