"""AML101 on paths real repositories write: preview `file:` prefixes, absolute paths, ignored
(generated) files, paths written from the repository root, near-miss names, placeholders, and
several links broken by one missing folder. Each case: the old false finding is gone (or says
its cause), and the true case is still an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from aml_lint.workspace import IgnoreFiles
from lintkit import LintFn

RULE = "AML101"
CONDA = "dependencies:\n  - python=3.11\n  - pip\n  - pip:\n      - azureml-inference-server-http\n"
SCRIPT = "def init():\n    pass\n\n\ndef run(data):\n    return data\n"
ENV_SCHEMA = "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: e\n"


def deployment(code: str = "src", script: str = "score.py", conda: str = "env/conda.yml",
               model: str | None = None) -> str:
    text = ("$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
            f"name: blue\nendpoint_name: ep\ncode_configuration:\n  code: {code}\n  scoring_script: {script}\n"
            "environment:\n  image: mcr.microsoft.com/azureml/minimal-py312-inference:20250601.v1\n"
            f"  conda_file: {conda}\ninstance_type: Standard_DS3_v2\ninstance_count: 1\n")
    return text + (f"model:\n  path: {model}\n" if model is not None else "")


def unit(folder: str = "", **dep: str | None) -> dict[str, str]:
    prefix = f"{folder}/" if folder else ""
    return {f"{prefix}dep.yml": deployment(**dep), f"{prefix}src/score.py": SCRIPT,  # type: ignore[arg-type]
            f"{prefix}env/conda.yml": CONDA}


def summary(found: list) -> list[tuple[str, int, str]]:  # type: ignore[type-arg]
    return [(f.path, f.line, f.severity.label) for f in found]


# -- the preview `file:` prefix -----------------------------------------------------------------

def test_file_prefix_on_conda_file_names_the_cause_not_a_path_with_file_in_it(lint: LintFn) -> None:
    found = lint(unit(conda="file:./env/conda.yml"), rule=RULE)
    assert summary(found) == [("dep.yml", 9, "error")]  # azure-ai-ml 1.35 still fails on it
    assert "drop the preview `file:` prefix and write './env/conda.yml'" in found[0].message
    assert "resolved to" not in found[0].message and "/file:" not in found[0].message


def test_file_prefix_on_code_and_build_path_is_an_error_with_the_cause(lint: LintFn) -> None:
    files = unit(code="file:src")
    files["env.yml"] = ENV_SCHEMA + "build:\n  path: file:ctx\n"
    files["ctx/Dockerfile"] = "FROM python:3.11\n"
    found = lint(files, rule=RULE)
    assert summary(found) == [("dep.yml", 5, "error"), ("env.yml", 4, "error")]
    assert all("preview `file:` prefix" in f.message for f in found)


def test_file_prefix_on_a_path_that_is_missing_anyway_says_both(lint: LintFn) -> None:
    found = lint(unit(conda="file:env/missing.yml"), rule=RULE)
    assert summary(found) == [("dep.yml", 9, "error")]
    assert "preview `file:` prefix" in found[0].message and "does not exist either" in found[0].message


def test_environment_file_reference_still_loads_with_its_prefix(lint: LintFn) -> None:
    files = unit()
    files["dep.yml"] = files["dep.yml"].replace(
        "environment:\n  image: mcr.microsoft.com/azureml/minimal-py312-inference:20250601.v1\n"
        "  conda_file: env/conda.yml\n", "environment: file:env/env.yml\n")
    files["env/env.yml"] = ENV_SCHEMA + "image: img:1\nconda_file: conda.yml\n"
    assert lint(files, rule=RULE) == []


# -- absolute paths ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/home/me/project/env/conda.yml", "C:\\work\\env\\conda.yml", "D:/env/conda.yml"])
def test_absolute_path_is_a_warning_not_an_error_about_leaving_the_repository(lint: LintFn, path: str) -> None:
    found = lint(unit(conda=f"'{path}'"), rule=RULE)
    assert summary(found) == [("dep.yml", 9, "warning")]
    assert "absolute path: not portable" in found[0].message and "outside the repository" not in found[0].message


def test_relative_path_leaving_the_repository_is_still_an_error(lint: LintFn) -> None:
    found = lint(unit(conda="../../elsewhere/conda.yml"), rule=RULE)
    assert summary(found) == [("dep.yml", 9, "error")] and "leads outside the repository" in found[0].message


# -- generated files that .gitignore / .amlignore lists -----------------------------------------

def test_missing_model_that_gitignore_lists_is_a_warning(lint: LintFn) -> None:
    files = {**unit(model="outputs/model"), ".gitignore": "__pycache__/\noutputs/\n"}
    found = lint(files, rule=RULE)
    assert summary(found) == [("dep.yml", 13, "warning")]
    assert ".gitignore ignores it" in found[0].message and "earlier step" in found[0].message


def test_missing_file_that_a_nested_amlignore_lists_is_a_warning(lint: LintFn) -> None:
    files = {**unit("svc", conda="env/generated.yml"), "svc/env/.amlignore": "generated*.yml\n"}
    found = lint(files, rule=RULE)
    assert summary(found) == [("svc/dep.yml", 9, "warning")] and "svc/env/.amlignore" in found[0].message


def test_missing_model_that_no_ignore_file_lists_is_still_an_error(lint: LintFn) -> None:
    files = {**unit(model="outputs/model"), ".gitignore": "outputs/*\n!outputs/model\n"}  # re-included
    found = lint(files, rule=RULE)
    assert summary(found) == [("dep.yml", 13, "error")]


def _ignores(tmp_path: Path, files: dict[str, str]) -> IgnoreFiles:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    return IgnoreFiles(tmp_path)


def test_ignore_matching_follows_git(tmp_path: Path) -> None:
    ignores = _ignores(tmp_path, {
        ".gitignore": "/build\n*.pkl\n!keep.pkl\nlogs/\ndata/**/raw\nmodels/*\n!models/current\n",
        "sub/.gitignore": "!special.pkl\nlocal.yml\n",
    })
    assert ignores.ignored_by("build") == ".gitignore"  # anchored: the root's build only
    assert ignores.ignored_by("src/build") is None
    assert ignores.ignored_by("a/b/model.pkl") == ".gitignore"  # unanchored: any depth
    assert ignores.ignored_by("a/keep.pkl") is None  # negation
    assert ignores.ignored_by("sub/special.pkl") is None  # a deeper file overrides
    assert ignores.ignored_by("sub/local.yml") == "sub/.gitignore"
    assert ignores.ignored_by("other/local.yml") is None  # relative to its own folder
    assert ignores.ignored_by("logs", is_dir=True) == ".gitignore"  # a folder pattern
    assert ignores.ignored_by("logs", is_dir=False) is None
    assert ignores.ignored_by("logs/today.txt") == ".gitignore"  # inside an ignored folder
    assert ignores.ignored_by("data/x/y/raw") == ".gitignore"  # '**'
    assert ignores.ignored_by("models/current") is None and ignores.ignored_by("models/old") == ".gitignore"


def test_nothing_under_an_ignored_folder_is_reincluded(tmp_path: Path) -> None:
    ignores = _ignores(tmp_path, {".gitignore": "outputs/\n!outputs/model.pkl\n"})
    assert ignores.ignored_by("outputs/model.pkl") == ".gitignore"  # as git: the folder is never read


# -- hints: written from the repository root, near-miss names, the code folder ------------------

def test_path_written_from_the_repository_root_says_what_to_write(lint: LintFn) -> None:
    files = {"deploy/dep.yml": deployment(code="../src", conda="env/conda.yml"),
             "src/score.py": SCRIPT, "env/conda.yml": CONDA}
    found = lint(files, rule=RULE)
    assert summary(found) == [("deploy/dep.yml", 9, "error")]
    assert "a file exists at 'env/conda.yml' (from the repository root): from here write '../env/conda.yml'" \
        in found[0].message


def test_near_miss_name_is_proposed(lint: LintFn) -> None:
    files = {**unit(conda="env/conda.yaml")}
    found = lint(files, rule=RULE)
    assert summary(found) == [("dep.yml", 9, "error")] and "did you mean 'env/conda.yml'?" in found[0].message
    unrelated = lint({**unit(conda="env/requirements.txt")}, rule=RULE)
    assert summary(unrelated) == [("dep.yml", 9, "error")] and "did you mean" not in unrelated[0].message


def test_scoring_script_message_names_the_code_folder(lint: LintFn) -> None:
    found = lint(unit("online", code="../shared/src", script="scor.py")
                 | {"shared/src/score.py": SCRIPT}, rule=RULE)
    assert summary(found) == [("online/dep.yml", 6, "error")]
    assert "from the code folder 'shared/src'" in found[0].message and "did you mean 'score.py'?" in found[0].message


def test_a_scoring_script_above_the_code_folder_is_not_to_be_written_with_dotdot(lint: LintFn) -> None:
    # `../score.py` from the code folder is outside what AzureML uploads: no path to suggest.
    files = {**unit(), "score.py": SCRIPT}
    del files["src/score.py"]
    files["src/other.py"] = "x = 1\n"
    found = lint(files, rule=RULE)
    assert summary(found) == [("dep.yml", 6, "error")]
    assert "outside the code folder 'src', which is all AzureML uploads: move it into" in found[0].message
    assert "write '../score.py'" not in found[0].message


# -- placeholders ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["$(condaFile)", "'{{ conda_file }}'", "${CONDA_FILE}", "'#{conda}#'", "__CONDA__"])
def test_placeholder_path_is_not_checked_and_the_rest_of_the_file_still_is(lint: LintFn, value: str) -> None:
    files = unit(conda=value, script="scor.py")  # the scoring script is still wrong
    found = lint(files, rule=RULE)
    assert summary(found) == [("dep.yml", 6, "error")] and "'scor.py' does not exist" in found[0].message


def test_placeholder_model_path_is_not_checked(lint: LintFn) -> None:
    assert lint(unit(model="'{{ model_dir }}'"), rule=RULE) == []
    assert summary(lint(unit(model="models/missing"), rule=RULE)) == [("dep.yml", 13, "error")]


# -- one mistake, one finding ---------------------------------------------------------------------

def test_links_broken_by_one_missing_folder_give_one_finding(lint: LintFn) -> None:
    files = {"dep.yml": deployment(code="assets/src", conda="assets/env/conda.yml", model="assets/model"),
             "assets-v2/src/score.py": SCRIPT, "assets-v2/env/conda.yml": CONDA, "assets-v2/model/m.pkl": "0"}
    found = lint(files, rule=RULE)
    assert summary(found) == [("dep.yml", 5, "error")]
    message = found[0].message
    assert "the folder 'assets' does not exist" in message
    assert all(key in message for key in ("code_configuration.code", "conda_file", "model.path"))


def test_paths_all_written_from_the_root_give_one_finding(lint: LintFn) -> None:
    files = {"deploy/online/dep.yml": deployment(code="src", conda="env/conda.yml"),
             "src/score.py": SCRIPT, "env/conda.yml": CONDA}
    found = lint(files, rule=RULE)
    assert summary(found) == [("deploy/online/dep.yml", 5, "error")]
    assert "written from the repository root" in found[0].message
    assert "'../../src'" in found[0].message and "'../../env/conda.yml'" in found[0].message


def test_unrelated_missing_paths_stay_separate_findings(lint: LintFn) -> None:
    files = {"dep.yml": deployment(code="code", conda="envs/conda.yml")}
    found = lint(files, rule=RULE)
    assert summary(found) == [("dep.yml", 5, "error"), ("dep.yml", 9, "error")]


def test_an_ignore_file_that_covers_the_yaml_itself_does_not_excuse_a_missing_path(lint: LintFn) -> None:
    # `.amlignore` keeps the whole deploy folder out of uploads: it says nothing about generated files.
    files = {**unit("deploy", conda="env/generated.yml"), ".amlignore": "deploy/\n"}
    found = lint(files, rule=RULE)
    assert summary(found) == [("deploy/dep.yml", 9, "error")]


def test_path_written_from_a_folder_above_says_what_to_write(lint: LintFn) -> None:
    files = {"flows/deploy/dep.yml": deployment(code="../src", model="./basic-chat"),
             "flows/src/score.py": SCRIPT, "flows/deploy/env/conda.yml": CONDA, "flows/basic-chat/flow.dag.yaml": "x: 1\n"}
    found = lint(files, rule=RULE)
    assert summary(found) == [("flows/deploy/dep.yml", 13, "error")]
    assert "a file or folder exists at 'flows/basic-chat': from here write '../basic-chat'" in found[0].message


def test_missing_model_that_a_repository_script_downloads_is_a_warning(lint: LintFn) -> None:
    files = {**unit("tf", model="./half_plus_two"),
             "deploy-tf.sh": ("BASE=tf\nwget https://example.org/model -O $BASE/half_plus_two.tar.gz\n"
                              "tar -xvf $BASE/half_plus_two.tar.gz -C $BASE\naz ml online-deployment create -f tf/dep.yml\n")}
    found = lint(files, rule=RULE)
    assert summary(found) == [("tf/dep.yml", 13, "warning")]
    assert "deploy-tf.sh creates it ('wget https://example.org/model" in found[0].message
    files["deploy-tf.sh"] = "# wget it by hand: half_plus_two\nrm -r tf/half_plus_two\n"  # mentions, creates nothing
    assert summary(lint(files, rule=RULE)) == [("tf/dep.yml", 13, "error")]


def test_an_environment_reached_twice_reports_its_group_once(lint: LintFn) -> None:
    files = unit()
    files["dep.yml"] = files["dep.yml"].replace(
        "environment:\n  image: mcr.microsoft.com/azureml/minimal-py312-inference:20250601.v1\n"
        "  conda_file: env/conda.yml\n", "environment: file:env/env.yml\n")
    files["env/env.yml"] = ENV_SCHEMA + "build:\n  path: gone/ctx\n  dockerfile_path: ../docker/Dockerfile\nconda_file: gone/conda.yml\n"
    found = lint(files, rule=RULE)
    assert summary(found) == [("env/env.yml", 6, "error")]
    assert found[0].message.count("conda_file 'gone/conda.yml'") == 1 and "the folder 'env/gone'" in found[0].message


def test_missing_scoring_script_that_the_code_folders_own_ignore_file_lists_is_an_error(lint: LintFn) -> None:
    # AzureML uploads the code folder without what its .amlignore (else .gitignore) lists.
    files = {**unit(script="generated_score.py"), ".gitignore": "generated_*.py\n"}
    found = lint(files, rule=RULE)
    assert summary(found) == [("dep.yml", 6, "warning")]  # written by an earlier step
    for ignore in ("src/.gitignore", "src/.amlignore"):  # (the files stay: the second run has both)
        found = lint({**files, ignore: "generated_*.py\n"}, rule=RULE)
        assert summary(found) == [("dep.yml", 6, "error")], ignore
        assert f"{ignore} keeps it out of what AzureML uploads" in found[0].message


def test_missing_dockerfile_that_the_build_contexts_own_ignore_file_lists_is_an_error(lint: LintFn) -> None:
    files = {"env.yml": ENV_SCHEMA + "build:\n  path: ctx\n  dockerfile_path: gen.Dockerfile\n",
             "ctx/conda.yml": CONDA, ".gitignore": "gen.Dockerfile\n"}
    assert summary(lint(files, rule=RULE)) == [("env.yml", 5, "warning")]
    files["ctx/.amlignore"] = "*.Dockerfile\n"
    assert summary(lint(files, rule=RULE)) == [("env.yml", 5, "error")]
