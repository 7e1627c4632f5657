"""Every third-party action the project's workflows use is pinned to a commit, every Azure task
to a major version; the checker is tried on bad samples too, so it can fail."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO_ROOT / ".github/workflows").glob("*.y*ml"))
SHA = "0123456789abcdef0123456789abcdef01234567"


def test_there_are_workflows() -> None:
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "release.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_every_third_party_action_is_pinned_by_sha(release: ModuleType, workflow: Path) -> None:
    text = workflow.read_text(encoding="utf-8")
    uses = release.workflow_uses(text)
    assert uses, f"{workflow.name} uses no actions: the check would pass vacuously"
    assert release.unpinned_uses(text) == []


def test_azure_pipelines_tasks_name_a_major_version(release: ModuleType) -> None:
    for name in ("azure-pipelines.yml", "azure-pipelines-task/template.yml"):
        text = (REPO_ROOT / name).read_text(encoding="utf-8")
        assert "task: UsePythonVersion@0" in text
        assert release.unpinned_tasks(text) == [], name


BAD_WORKFLOW = f"""
on: push
permissions: {{}}
jobs:
  reusable:
    uses: octo/shared/.github/workflows/lint.yml@main
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - {{uses: actions/setup-python@v5}}
      - uses: actions/cache@{SHA[:12]} # v4.0.0
      - uses: octo/tool@{SHA}
      - uses: "octo/tool/sub@{SHA}" # latest
      - uses: docker://alpine:3.20
      - uses: ./
      - uses: ./.github/actions/local
      - uses: octo/ok@{SHA} # v1.2.3
      - uses: docker://alpine@sha256:{"a" * 64}
"""


def test_the_pin_check_reports_each_kind_of_unpinned_use(release: ModuleType) -> None:
    problems = release.unpinned_uses(BAD_WORKFLOW)
    text = "\n".join(problems)
    for ref in (
        "octo/shared/.github/workflows/lint.yml@main",  # a reusable workflow at a branch
        "actions/checkout@v4",  # a tag
        "actions/setup-python@v5",  # flow style
        f"actions/cache@{SHA[:12]}",  # a short SHA
        "docker://alpine:3.20",  # an image by tag
    ):
        assert f"{ref} is not pinned" in text, ref
    assert f"octo/tool@{SHA} has no '# vX.Y.Z' comment" in text
    assert f"octo/tool/sub@{SHA} has no '# vX.Y.Z' comment" in text
    assert len(problems) == 7, problems
    assert not any("octo/ok@" in p or "alpine@sha256" in p or "./" in p for p in problems)


def test_the_task_check_reports_a_task_without_version(release: ModuleType) -> None:
    bad = "steps:\n  - task: UsePythonVersion\n  - task: PublishBuildArtifacts@1\n  - task: Foo@latest\n"
    problems = release.unpinned_tasks(bad)
    assert len(problems) == 2 and "UsePythonVersion" in problems[0] and "Foo@latest" in problems[1]
