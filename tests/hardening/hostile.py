"""Hostile inputs for the hardening tests, generated (never stored as fixture files).

``HOSTILE`` holds strings aimed at each sink: workflow commands (``::``, ``%``,
CR/LF), Azure logging commands (``##vso[``, ``]``, ``;``), Markdown and HTML
(backticks, ``</details>``, ``<script>``, mentions, links), terminals (ANSI and
OSC escapes, C1 controls) and readers (RTL overrides, zero-width characters).
``hostile_repo`` writes them as file names and YAML values of a git repository,
so the strings travel the real path: walk -> read -> parse -> rules -> reporters.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HOSTILE = [
    "a::error file=x.yml,line=1::INJECTED",
    "b%0A::warning::INJECTED%25%0D",
    "c\r::notice::INJECTED",
    "d\n::error::INJECTED\n::stop-commands::x",
    "e##vso[task.setvariable variable=PWNED;issecret=false]INJECTED",
    "f]; ##[error]INJECTED ##[group]",
    "g`code` ```fence\n</details></td></tr></table><script>alert(1)</script>",
    "h @octocat @org/team [link](https://evil.example) <https://evil.example> www.evil.example #1 GH-1",
    "i \u202eRTL\u202c \u2066x\u2069 \u200b\u200d\ufeff \u2028 \u0085 \u061c",
    "j\x1b[31mRED\x1b]8;;https://evil.example\x07link\x1b]8;;\x07\x9b2J\x07\x08",
    "k|cell|<!-- -->*_~~x~~_*$x$\\",
    "l" + "\U0001f600" * 40 + "\u0301" * 20,
]
# A marker no escaped output may still contain verbatim.
INJECTED = "INJECTED"
LONG = "m" * 20_000

DEPLOYMENT = """\
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: blue
endpoint_name: ep
model: azureml:m:1
code_configuration:
  code: ../src
  scoring_script: {script}
environment:
  conda_file: {conda}
  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20240101.v1
instance_type: Standard_DS3_v2
instance_count: 1
"""
SCORE = "def init():\n    pass\n\n\ndef run(data):\n    return data\n"
GIT_ID = ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]


def file_name(index: int, text: str) -> str:
    """A legal POSIX file name (no ``/`` or NUL, under 255 bytes) carrying ``text``."""
    name = f"{index:02d}{text.replace('/', '_').replace(chr(0), '_')}"
    while len(name.encode()) > 240:
        name = name[:-1]
    return f"dep/{name}.yml"


def yaml_str(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text)


@dataclass
class HostileRepo:
    root: Path
    base: str
    head: str
    # Repo-relative paths that must each get at least one finding.
    expected: set[str]


def git(root: Path, *args: str) -> str:
    out = subprocess.run(["git", "-C", str(root), *GIT_ID, *args], capture_output=True, text=True,
                         check=True, timeout=60)
    return out.stdout.strip()


def hostile_repo(tmp: Path) -> HostileRepo:
    """A git repository whose head commit adds one broken deployment per hostile string
    (hostile file name, hostile values in the YAML), a file with a 20,000-character line,
    and a binary file with a hostile AzureML name."""
    root = tmp / "hostile-repo"
    (root / "src").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "src" / "score.py").write_text(SCORE, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    base = git(root, "rev-parse", "HEAD")
    git(root, "checkout", "-qb", "feature")  # main stays at the base: a PR into main
    expected: set[str] = set()
    for i, text in enumerate(HOSTILE):
        rel = file_name(i, text)
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(DEPLOYMENT.format(script=yaml_str(text + ".py"), conda=yaml_str(text + ".yml")),
                        encoding="utf-8")
        expected.add(rel)
    # At the root, so that the name starts a line of the text report.
    for rel in ("::stop-commands::INJECTED.yml", "##vso[task.prependpath]INJECTED.yml"):
        (root / rel).write_text(DEPLOYMENT.format(script="score.py", conda="missing.yml"), encoding="utf-8")
        expected.add(rel)
    long_rel = "dep/long.yml"
    (root / long_rel).write_text(DEPLOYMENT.format(script="score.py", conda=yaml_str(LONG + HOSTILE[3])),
                                 encoding="utf-8")
    expected.add(long_rel)
    binary_rel = "env/" + file_name(0, HOSTILE[4])[4:-4] + "conda.yml"
    (root / binary_rel).parent.mkdir(parents=True, exist_ok=True)
    (root / binary_rel).write_bytes(b"\x7fELF\x02\x01\x01\0\0\0" + os.urandom(64))
    expected.add(binary_rel)
    # A file name that is not UTF-8 (git and the OS allow any bytes but / and NUL).
    raw = os.fsencode(root / "dep") + b"/bad\xff\xfename.yml"
    with open(raw, "wb") as fh:
        fh.write(DEPLOYMENT.format(script="score.py", conda="missing.yml").encode())
    expected.add(os.fsdecode(raw)[len(str(root)) + 1:])
    git(root, "add", "-A")
    git(root, "commit", "-qm", "hostile\n\n" + "\n".join(HOSTILE))
    return HostileRepo(root, base, git(root, "rev-parse", "HEAD"), expected)


CLI = [sys.executable, "-c", "import sys; from aml_lint.cli import main; sys.exit(main())"]


def run_cli(*args: str, cwd: Path, timeout: float = 120, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[bytes]:
    """``aml-lint ARGS`` in a subprocess; bytes, so nothing is decoded away.

    The timeout is a hang guard, not a speed assertion."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "SYSTEM_",
                                                                         "BUILD_", "AML_LINT"))}
    full_env.update(env or {})
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, timeout=timeout, env=full_env,
                          check=False)
