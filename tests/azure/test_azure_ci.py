"""``aml-lint ci azure`` end to end: a git repository checked out the way the agent does,
the real engine, and the fake Azure DevOps server for the PR thread."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from azure_agent import agent_parse
from azure_fake_server import FakeAzureDevOps

from aml_lint.ci import azure as ci_azure

CONDA = """\
name: score
channels: [conda-forge]
dependencies:
  - python=3.10
  - pip
  - pip:
      - azureml-inference-server-http
"""


def deployment(conda: str, code: str = "../../src") -> str:
    return f"""\
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: blue
endpoint_name: my-endpoint
model: azureml:my-model:1
code_configuration:
  code: {code}
  scoring_script: score.py
environment:
  conda_file: {conda}
  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest
instance_type: Standard_DS3_v2
instance_count: 1
"""


SCORE = "def init():\n    pass\n\n\ndef run(data):\n    return data\n"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        [
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "protocol.file.allow=always",
            *args,
        ],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """main has one broken deployment already; the PR adds a second one; refs/pull/1/merge merges it."""
    repo = tmp_path_factory.mktemp("upstream")
    git(repo, "init", "-q")
    write(repo, "env/conda.yml", CONDA)
    write(repo, "src/score.py", SCORE)
    # Only the rule these tests are about, so that new rules do not change their counts.
    write(repo, ".aml-lint.yml", "select: [AML101]\n")
    write(repo, "legacy/deployment.yml", deployment("../env/gone.yml", code="../src"))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    for i in range(3):  # some history, so that depth matters
        write(repo, "README.md", f"v{i}\n")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", f"docs {i}")
    git(repo, "checkout", "-qb", "feature")
    write(repo, "endpoints/blue/deployment.yml", deployment("../../env/missing.yml"))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "add blue")
    git(repo, "checkout", "-q", "main")
    write(repo, "docs/other.md", "main moved on\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "main moves")
    git(repo, "checkout", "-q", "--detach", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge pull request 1", "feature")
    git(repo, "update-ref", "refs/pull/1/merge", "HEAD")
    git(repo, "checkout", "-q", "main")
    return repo


def agent_checkout(upstream: Path, dest: Path, depth: int | None) -> Path:
    """What the agent's checkout step does for a PR build (with fetchDepth = depth)."""
    dest.mkdir()
    git(dest, "init", "-q")
    git(dest, "remote", "add", "origin", upstream.as_uri())
    extra = [f"--depth={depth}"] if depth else []
    git(
        dest,
        "fetch",
        "-q",
        *extra,
        "origin",
        "+refs/heads/*:refs/remotes/origin/*",
        "+refs/pull/1/merge:refs/remotes/pull/1/merge",
    )
    git(dest, "checkout", "-q", "--detach", "refs/remotes/pull/1/merge")
    return dest


def agent_env(repo: Path, tmp: Path, **extra: str) -> dict[str, str]:
    temp = tmp / "agent-temp"
    temp.mkdir(exist_ok=True)
    return {
        "BUILD_SOURCESDIRECTORY": str(repo),
        "AGENT_TEMPDIRECTORY": str(temp),
        "INPUT_COMMENT": "never",
        **extra,
    }


PR = {"SYSTEM_PULLREQUEST_TARGETBRANCH": "refs/heads/main", "BUILD_REASON": "PullRequest"}


def run(env: dict[str, str], capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = ci_azure.main(list(argv), env=env)
    return code, capsys.readouterr().out


def issues(out: str) -> list[dict[str, str]]:
    return [props for name, props, _ in agent_parse(out) if name == "task.logissue"]


def completion(out: str) -> str:
    [result] = [props["result"] for name, props, _ in agent_parse(out) if name == "task.complete"]
    return result


def test_pr_build_reports_only_what_the_pr_changed(
    upstream: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = agent_checkout(upstream, tmp_path / "s", depth=None)
    code, out = run(agent_env(repo, tmp_path, **PR), capsys)
    assert code == 1
    found = issues(out)
    assert {p["sourcepath"] for p in found} == {str(repo / "endpoints/blue/deployment.yml")}
    assert all(p["type"] == "error" and p["code"] == "AML101" for p in found)
    assert "1 changed file(s)" in out
    assert completion(out) == "Failed"
    [summary] = [data for name, _, data in agent_parse(out) if name == "task.uploadsummary"]
    text = Path(summary).read_text(encoding="utf-8")
    assert Path(summary).is_relative_to(tmp_path / "agent-temp")
    assert "endpoints/blue/deployment" in text.replace("\\", "")
    assert "legacy" not in text


def test_depth_two_is_enough_for_a_merge_commit(
    upstream: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = agent_checkout(upstream, tmp_path / "s", depth=2)
    code, out = run(agent_env(repo, tmp_path, **PR), capsys)
    assert code == 1
    assert {p["sourcepath"] for p in issues(out)} == {str(repo / "endpoints/blue/deployment.yml")}


def test_shallow_checkout_warns_with_the_fix_and_lints_everything(
    upstream: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = agent_checkout(upstream, tmp_path / "s", depth=1)
    code, out = run(agent_env(repo, tmp_path, **PR), capsys)
    assert code == 1
    warnings = [
        data
        for name, props, data in agent_parse(out)
        if name == "task.logissue" and props["type"] == "warning"
    ]
    assert len(warnings) == 1
    assert "fetchDepth: 0" in warnings[0] and "too shallow" in warnings[0]
    paths = {p["sourcepath"] for p in issues(out) if p["type"] == "error"}
    assert paths == {
        str(repo / "endpoints/blue/deployment.yml"),
        str(repo / "legacy/deployment.yml"),
    }


def test_outside_a_pr_the_given_paths_are_linted(
    upstream: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = agent_checkout(upstream, tmp_path / "s", depth=None)
    code, out = run(agent_env(repo, tmp_path, INPUT_PATHS="legacy\n"), capsys)
    assert code == 1
    assert {p["sourcepath"] for p in issues(out)} == {str(repo / "legacy/deployment.yml")}
    code, out = run(agent_env(repo, tmp_path, INPUT_PATHS="env"), capsys)
    assert (code, issues(out), completion(out)) == (0, [], "Succeeded")


def test_fail_on_never_succeeds_with_issues(
    upstream: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = agent_checkout(upstream, tmp_path / "s", depth=None)
    code, out = run(agent_env(repo, tmp_path, INPUT_FAILON="never"), capsys)
    assert code == 0
    assert len(issues(out)) == 2
    assert completion(out) == "SucceededWithIssues"
    # Flags win over inputs.
    code, out = run(agent_env(repo, tmp_path, INPUT_FAILON="never"), capsys, "--fail-on", "error")
    assert (code, completion(out)) == (1, "Failed")


@pytest.mark.parametrize(
    "extra",
    [
        {"INPUT_FAILON": "sometimes"},
        {"INPUT_COMMENT": "loud"},
        {"INPUT_PATHS": "../outside"},
        {"INPUT_CONFIGFILE": "nope.yml"},
    ],
)
def test_bad_input_is_exit_2_with_an_error_issue(
    upstream: Path, tmp_path: Path, extra: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = agent_checkout(upstream, tmp_path / "s", depth=1)
    code, out = run(agent_env(repo, tmp_path, **extra), capsys)
    assert code == 2
    [issue] = issues(out)
    assert issue == {"type": "error"}
    assert completion(out) == "Failed"


def test_empty_file_path_input_arrives_as_the_sources_folder(
    upstream: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = agent_checkout(upstream, tmp_path / "s", depth=None)
    env = agent_env(
        repo,
        tmp_path,
        INPUT_CONFIGFILE=str(repo),
        INPUT_SARIFFILE=str(repo),
        SYSTEM_DEFAULTWORKINGDIRECTORY=str(repo),
        INPUT_PATHS="env",
    )
    code, out = run(env, capsys)
    assert code == 0
    assert not any(name == "artifact.upload" for name, _, _ in agent_parse(out))


def test_sarif_is_published_as_code_analysis_logs(
    upstream: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = agent_checkout(upstream, tmp_path / "s", depth=None)
    code, out = run(agent_env(repo, tmp_path, INPUT_SARIFFILE="reports/aml-lint.sarif"), capsys)
    assert code == 1
    [(props, data)] = [(p, d) for name, p, d in agent_parse(out) if name == "artifact.upload"]
    assert props == {"containerfolder": "CodeAnalysisLogs", "artifactname": "CodeAnalysisLogs"}
    assert data == str(repo / "reports/aml-lint.sarif")
    sarif = json.loads(Path(data).read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert len(sarif["runs"][0]["results"]) == 2


def test_pr_thread_is_created_then_resolved(
    upstream: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = agent_checkout(upstream, tmp_path / "s", depth=None)
    with FakeAzureDevOps() as fake:
        env = agent_env(
            repo,
            tmp_path,
            **PR,
            **fake.env(),
            INPUT_COMMENT="auto",
            SYSTEM_DEFINITIONID="12",
            SYSTEM_PHASENAME="lint",
            BUILD_BUILDID="7",
            BUILD_REPOSITORY_NAME="my repo",
            BUILD_SOURCEVERSION="a" * 40,
        )
        code, out = run(env, capsys)
        assert code == 1
        [thread] = fake.live_threads()
        content = thread["comments"][0]["content"]
        assert content.startswith("<!-- aml-lint:azure-thread v1 key=12/_/lint -->")
        assert "AML101" in content
        assert "/My%20Project/_build/results?buildId=7" in content
        assert thread["status"] == "active"
        assert f"thread {thread['id']} created" in out
        assert fake.token not in out

        # The author fixes the deployment: the same thread is updated and resolved.
        write(
            repo,
            "endpoints/blue/deployment.yml",
            deployment("../../env/conda.yml", code="../../src"),
        )
        code, out = run(env, capsys)
        assert code == 0
        assert completion(out) == "Succeeded"
        [again] = fake.live_threads()
        assert again["id"] == thread["id"]
        assert again["status"] == "fixed"
        assert "All clear" in again["comments"][0]["content"]


def test_thread_permission_error_is_one_warning_and_the_result_follows_lint(
    upstream: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = agent_checkout(upstream, tmp_path / "s", depth=None)
    with FakeAzureDevOps() as fake:
        fake.forced_status = 403
        env = agent_env(repo, tmp_path, **PR, **fake.env(), INPUT_COMMENT="auto")
        code, out = run(env, capsys)
    assert code == 1
    warnings = [p for p in issues(out) if p["type"] == "warning"]
    assert len(warnings) == 1
    [data] = [d for n, p, d in agent_parse(out) if n == "task.logissue" and p["type"] == "warning"]
    assert "Contribute to pull requests" in data
    assert fake.token not in out
    assert completion(out) == "Failed"


def test_no_token_no_pr_or_github_repo_means_no_thread(
    upstream: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = agent_checkout(upstream, tmp_path / "s", depth=None)
    with FakeAzureDevOps() as fake:
        base = agent_env(repo, tmp_path, **PR, **fake.env(), INPUT_COMMENT="always")
        no_token = {k: v for k, v in base.items() if k != "SYSTEM_ACCESSTOKEN"}
        _, out = run(no_token, capsys)
        assert "SYSTEM_ACCESSTOKEN: $(System.AccessToken)" in out
        _, out = run({**base, "BUILD_REPOSITORY_PROVIDER": "GitHub"}, capsys)
        assert "Azure Repos pull requests only" in out
        no_pr = {k: v for k, v in base.items() if k != "SYSTEM_PULLREQUEST_PULLREQUESTID"}
        _, out = run(no_pr, capsys)
        assert "build validation policy" in out
        assert fake.requests == []


def test_hostile_file_name_cannot_drive_the_agent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "s"
    repo.mkdir()
    git(repo, "init", "-q")
    name = "x;y]##vso[task.complete result=Succeeded]%AZP25.yml"
    write(repo, ".aml-lint.yml", "select: [AML101]\n")
    write(repo, f"endpoints/{name}", deployment("missing.yml", code="."))
    code, out = run(agent_env(repo, tmp_path), capsys)
    assert code == 1
    commands = agent_parse(out)
    names = [c[0] for c in commands]
    assert names[-2:] == ["task.uploadsummary", "task.complete"]
    assert set(names[:-2]) == {"task.logissue"} and names[:-2]
    for _, props, _ in commands[:-2]:
        assert props["sourcepath"] == str(repo / "endpoints" / name.replace("##", "**"))
    assert completion(out) == "Failed"


def test_marker_and_links_from_agent_variables() -> None:
    env = {
        "SYSTEM_DEFINITIONID": "12",
        "SYSTEM_STAGENAME": "Lint stage",
        "SYSTEM_PHASENAME": "job-->x",
        "SYSTEM_COLLECTIONURI": "https://dev.azure.com/org/",
        "SYSTEM_TEAMPROJECT": "My Project",
        "BUILD_REPOSITORY_PROVIDER": "TfsGit",
        "BUILD_REPOSITORY_NAME": "ml repo",
        "SYSTEM_PULLREQUEST_SOURCECOMMITID": "abc1234",
    }
    assert ci_azure.thread_marker(env) == "aml-lint:azure-thread v1 key=12/Lint_stage/job___x"
    link = ci_azure.line_link(env)
    assert link is not None
    assert link("src/score.py", 4) == (
        "https://dev.azure.com/org/My%20Project/_git/ml%20repo?path=/src/score.py&version=GCabc1234"
        "&_a=contents&line=4&lineEnd=4&lineStartColumn=1&lineEndColumn=1&lineStyle=plain"
    )
    github = ci_azure.line_link(
        {
            "BUILD_REPOSITORY_PROVIDER": "GitHub",
            "BUILD_SOURCEVERSION": "abc1234",
            "BUILD_REPOSITORY_URI": "https://github.com/o/r.git",
        }
    )
    assert github is not None
    assert github("a b.py", 0) == "https://github.com/o/r/blob/abc1234/a%20b.py"
    assert ci_azure.line_link({"BUILD_SOURCEVERSION": "not-a-sha"}) is None
    assert (
        ci_azure.target_branch({"SYSTEM_PULLREQUEST_TARGETBRANCH": "refs/heads/release/1"})
        == "release/1"
    )
    assert ci_azure.target_branch({"SYSTEM_PULLREQUEST_TARGETBRANCH": "main"}) == "main"


def test_fail_on_defaults_to_the_config_file(
    upstream: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = agent_checkout(upstream, tmp_path / "s", depth=None)
    write(repo, "lenient.yml", "select: [AML101]\nfail-on: never\n")
    base = agent_env(repo, tmp_path, INPUT_CONFIGFILE="lenient.yml")
    for fail_on in (None, "config"):
        env = base if fail_on is None else {**base, "INPUT_FAILON": fail_on}
        code, out = run(env, capsys)
        assert (code, completion(out)) == (0, "SucceededWithIssues")
    code, out = run({**base, "INPUT_FAILON": "error"}, capsys)
    assert (code, completion(out)) == (1, "Failed")
    # Without a fail-on in the config, errors fail the build.
    code, out = run(agent_env(repo, tmp_path), capsys)
    assert (code, completion(out)) == (1, "Failed")
