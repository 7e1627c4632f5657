"""Shared by the Action tests: a git repository with base and head commits, and readers
for what an Action step leaves behind (workflow commands, outputs)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

GIT_ID = ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]

DEPLOYMENT = """\
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: blue
endpoint_name: blue-endpoint
model: azureml:m:1
code_configuration:
  code: ../src
  scoring_script: score.py
environment:
  conda_file: {conda}
  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20240101.v1
instance_type: Standard_DS3_v2
instance_count: 3
"""
CONDA = "name: e\ndependencies:\n  - python=3.12\n  - pip\n  - pip:\n      - azureml-inference-server-http\n"
SCORE = "def init():\n    pass\n\n\ndef run(data):\n    return data\n"


def git(repo: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-C", str(repo), *GIT_ID, *args], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def write(repo: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@dataclass
class Fixture:
    repo: Path
    base: str
    head: str


def make_repo(tmp: Path) -> Fixture:
    """Base: a clean deployment, plus an old broken file nobody touches in the PR.
    Head: the deployment now points at a conda file that does not exist."""
    repo = tmp / "workspace"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(
        repo,
        {
            "dep/blue.yml": DEPLOYMENT.format(conda="../env/conda.yml"),
            # Only the rule these tests are about, so new rules do not change what they see.
            ".aml-lint.yml": "select: [AML101]\n",
            "env/conda.yml": CONDA,
            "src/score.py": SCORE,
            "legacy/old.yml": DEPLOYMENT.format(conda="../env/gone.yml").replace(
                "../src", "../nowhere"
            ),
        },
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-qb", "feature")
    write(repo, {"dep/blue.yml": DEPLOYMENT.format(conda="../env/missing.yml")})
    git(repo, "commit", "-qam", "break it")
    return Fixture(repo, base, git(repo, "rev-parse", "HEAD"))


def fix_head(fx: Fixture) -> None:
    write(fx.repo, {"dep/blue.yml": DEPLOYMENT.format(conda="../env/conda.yml") + "# fixed\n"})
    git(fx.repo, "commit", "-qam", "fix it")
    fx.head = git(fx.repo, "rev-parse", "HEAD")


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    summary: str
    outputs: dict[str, str]

    def commands(self, name: str) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.startswith(f"::{name} ")]


def parse_outputs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        name, _, delim = line.partition("<<")
        value: list[str] = []
        for inner in lines:
            if inner == delim:
                break
            value.append(inner)
        out[name] = "\n".join(value)
    return out


def plain(markdown: str) -> str:
    """The text a reader sees: Markdown backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def pr_payload(fx: Fixture, *, head_repo: str = "octo/app") -> dict:
    return {
        "action": "synchronize",
        "number": 7,
        "pull_request": {
            "number": 7,
            "base": {"sha": fx.base, "ref": "main", "repo": {"full_name": "octo/app"}},
            "head": {"sha": fx.head, "ref": "feature", "repo": {"full_name": head_repo}},
        },
        "repository": {"full_name": "octo/app"},
    }
