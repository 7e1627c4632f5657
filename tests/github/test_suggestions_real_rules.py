"""Suggested changes with a real rule's fix (AML203: ``pkg=1.2`` in a pip list), end to end over
the fake GitHub: one review, nothing twice, committing the suggestions lints clean, cleaned up."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from fake_github import FakeGitHub
from gha_fixtures import git, write
from test_suggestions_e2e import action, commit_suggestions, warnings

import aml_lint.publish.github as publish_github
from aml_lint.config import build_settings
from aml_lint.engine import run
from aml_lint.fix import apply_edits

DEPLOYMENT = """\
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: blue
endpoint_name: blue-endpoint
model: azureml:m:1
code_configuration:
  code: src
  scoring_script: score.py
environment:
  conda_file: conda.yml
  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20240101.v1
instance_type: Standard_DS3_v2
instance_count: 3
"""


def conda(sep: str) -> str:
    return (
        "name: score\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n"
        "      - azureml-inference-server-http==1.3.0\n"
        f"      - pandas{sep}2.1.0\n      - scikit-learn{sep}1.3.0\n      - requests{sep}2.31.0\n"
    )


class Repo:
    def __init__(self, tmp: Path) -> None:
        self.root = tmp / "workspace"
        self.root.mkdir()
        git(self.root, "init", "-q", "-b", "main")
        write(self.root, {
            ".aml-lint.yml": "select: [AML203]\n",
            "deployment.yml": DEPLOYMENT,
            "conda.yml": conda("=="),
            "src/score.py": "def init():\n    pass\n\n\ndef run(data):\n    return data\n",
        })
        git(self.root, "add", "-A")
        git(self.root, "commit", "-qm", "base")
        self.base = git(self.root, "rev-parse", "HEAD")
        git(self.root, "checkout", "-qb", "feature")
        self.commit(conda("="))

    def commit(self, text: str) -> None:
        write(self.root, {"conda.yml": text})
        git(self.root, "commit", "-qam", "change pins")
        self.head = git(self.root, "rev-parse", "HEAD")

    def patches(self) -> dict[str, str | None]:
        diff = git(self.root, "diff", "-U3", self.base, self.head, "--", "conda.yml")
        return {"conda.yml": diff[diff.index("@@"):]} if diff else {}

    def text(self) -> str:
        return (self.root / "conda.yml").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publish_github, "connect", partial(publish_github.connect, options=publish_github.FAST))


def test_real_fixes_one_review_commit_lints_clean_then_cleaned_up(
    tmp_path: Path, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Repo(tmp_path)
    fake.add_pull(7, [], head=repo.head)
    code, out = action(tmp_path, repo, fake, capsys)  # type: ignore[arg-type]
    assert code == 1 and warnings(out) == []
    assert len(fake.calls("POST", r"/pulls/7/reviews$")) == 1
    comments = fake.review_comments_on(7)
    assert len(comments) == 3

    text = repo.text()
    findings = run(build_settings(repo.root)).findings
    assert [f.rule_id for f in findings] == ["AML203"] * 3
    committed = commit_suggestions(text, comments)
    assert committed == apply_edits(text, [e for f in findings for e in f.fix.edits])  # type: ignore[union-attr]
    assert committed == conda("==")

    code, out = action(tmp_path, repo, fake, capsys)  # type: ignore[arg-type]
    assert len(fake.calls("POST", r"/reviews$")) == 1 and fake.calls("DELETE") == []

    # Push what the suggestions make: it lints clean, the suggestions go, the comment is all clear.
    repo.commit(committed + "      - numpy==1.26.4\n")
    assert run(build_settings(repo.root)).findings == []
    code, out = action(tmp_path, repo, fake, capsys)  # type: ignore[arg-type]
    assert code == 0 and warnings(out) == []
    assert fake.review_comments_on(7) == []
    (summary,) = fake.comments_on(7)
    assert "All clear" in summary["body"]
