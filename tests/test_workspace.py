"""Which files a run looks at: the listing, skipped folders, and paths that leave the root."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from aml_lint.workspace import MAX_IGNORE_FILE, IgnoreFiles, walk

FILES = [
    "env/conda.yml", "src/score.py",
    "node_modules/pkg/conda.yml", "web/node_modules/x/env.yml",  # dependency folders
    ".venv/lib/site.py", "svc/venv/lib/a.py", "a/__pycache__/m.py", "deep/x/.tox/py/e.yml",
    "venv.yml", "myvenv/conda.yml", "node_modules_notes/env.yml", "docs/venv-howto.py",  # look-alikes
]
SKIPPED = {"node_modules/pkg/conda.yml", "web/node_modules/x/env.yml", ".venv/lib/site.py",
           "svc/venv/lib/a.py", "a/__pycache__/m.py", "deep/x/.tox/py/e.yml"}


def _tree(root: Path) -> Path:
    for rel in FILES:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x: 1\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("git", [False, True])
def test_dependency_folders_are_skipped_at_any_depth_and_look_alikes_are_not(tmp_path: Path, git: bool) -> None:
    root = _tree(tmp_path)
    if git:  # the listing comes from git ls-files (untracked files included)
        subprocess.run(["git", "init", "-q", str(root)], check=True, timeout=60)
    assert set(walk(root, [root])) == set(FILES) - SKIPPED


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks on this platform")
def test_a_symlink_leading_outside_is_not_listed(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo")
    outside = tmp_path / "secret.yml"
    outside.write_text("token: x\n", encoding="utf-8")
    (root / "env" / "linked.yml").symlink_to(outside)
    (root / "env" / "inside.yml").symlink_to(root / "env" / "conda.yml")
    rels = set(walk(root, [root]))
    assert "env/linked.yml" not in rels and "env/inside.yml" in rels


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks on this platform")
def test_ignore_files_outside_the_root_or_too_large_are_not_read(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "a").mkdir(parents=True)
    (tmp_path / "outside.gitignore").write_text("secret-model\n", encoding="utf-8")
    (root / "a" / ".gitignore").symlink_to(tmp_path / "outside.gitignore")  # leads out: not read
    (root / ".amlignore").write_text("big\n" + "#" * (MAX_IGNORE_FILE + 1), encoding="utf-8")  # over the limit
    (root / ".gitignore").write_text("outputs/\n", encoding="utf-8")
    ignores = IgnoreFiles(root)
    assert ignores.ignored_by("a/secret-model") is None
    assert ignores.ignored_by("big") is None
    assert ignores.ignored_by("outputs/model.pkl") == ".gitignore"
    assert ignores.ignored_by("../outputs/x") is None  # never a path outside the root
