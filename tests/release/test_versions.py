"""One version everywhere: the package, the module, the Azure task and extension, the image the
release action.yml pulls, the CHANGELOG's newest release, and the tag that starts a release."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import aml_lint

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "tools/release/release.py"
VERSIONED = [
    "pyproject.toml",
    "src/aml_lint/__init__.py",
    "azure-pipelines-task/task.json",
    "azure-pipelines-task/vss-extension.json",
    "CHANGELOG.md",
]


def run(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, cwd=cwd
    )


def rendered_version(action_yml: str) -> str:
    m = re.search(r"^\s+image: docker://ghcr\.io/[a-z0-9-]+/aml-lint:([^@\s]+)", action_yml, re.M)
    assert m, action_yml
    return m.group(1)


def test_one_version_everywhere(release: ModuleType, tmp_path: Path) -> None:
    found = release.versions()
    assert set(found) == set(VERSIONED)
    version = found["pyproject.toml"]
    assert version == aml_lint.__version__
    task = json.loads((REPO_ROOT / "azure-pipelines-task/task.json").read_text(encoding="utf-8"))
    assert "{Major}.{Minor}.{Patch}".format(**task["version"]) == version
    ext = json.loads(
        (REPO_ROOT / "azure-pipelines-task/vss-extension.json").read_text(encoding="utf-8")
    )
    assert ext["version"] == version
    assert found["CHANGELOG.md"] == version
    # What the release workflow writes into action.yml, run as the workflow runs it.
    out = tmp_path / "action.yml"
    proc = run("render-action", "--owner", "Octo-Org", "--version", version, "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    assert rendered_version(out.read_text(encoding="utf-8")) == version
    proc = run("check", "--tag", f"v{version}")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == version


def copy_versioned(tmp_path: Path) -> Path:
    for name in VERSIONED:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("pyproject.toml", 'version = "{v}"', 'version = "9.9.9"'),
        ("src/aml_lint/__init__.py", '__version__ = "{v}"', '__version__ = "9.9.9"'),
        ("azure-pipelines-task/task.json", '"Patch": {p}', '"Patch": 99'),
        ("azure-pipelines-task/vss-extension.json", '"version": "{v}"', '"version": "9.9.9"'),
        ("CHANGELOG.md", "## [{v}]", "## [9.9.9] - 2030-01-01\n\n## [{v}]"),
    ],
)
def test_a_version_that_differs_fails_the_check(
    release: ModuleType, tmp_path: Path, name: str, old: str, new: str
) -> None:
    root = copy_versioned(tmp_path)
    version = release.versions(REPO_ROOT)["pyproject.toml"]
    patch = version.split(".")[2]
    path = root / name
    text = path.read_text(encoding="utf-8")
    old, new = old.format(v=version, p=patch), new.format(v=version)
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    proc = run("check", "--root", str(root))
    assert proc.returncode == 1
    assert name in proc.stderr


def test_a_tag_that_differs_fails_the_check(release: ModuleType) -> None:
    version = release.check()
    proc = run("check", "--tag", f"v{version}.1")
    assert proc.returncode == 1 and "does not match" in proc.stderr
    with pytest.raises(release.ReleaseError):
        release.check(tag=version)  # without the v


def test_a_pre_release_version_is_refused(release: ModuleType, tmp_path: Path) -> None:
    root = copy_versioned(tmp_path)
    version = release.check()
    path = root / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(f'version = "{version}"', 'version = "1.0.0rc1"'), encoding="utf-8"
    )
    with pytest.raises(release.ReleaseError, match="is not X.Y.Z"):
        release.check(root)


def test_unreleased_and_undated_headings_are_not_the_newest_release(release: ModuleType) -> None:
    text = "# Changelog\n\n## [Unreleased]\n\n## [0.3.0]\n\n## [0.2.0] - 2026-01-02\n"
    assert release.newest_release(text) == "0.2.0"
    assert release.newest_release("## [Unreleased]\n") == "(none)"


def test_github_output(
    release: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    assert release.main(["check", "--github-output"]) == 0
    version = release.check()
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines == [
        f"version={version}",
        f"tag=v{version}",
        f"moving-tag={release.moving_tag(version)}",
    ]


@pytest.mark.parametrize(
    ("version", "tag"), [("1.4.2", "v1"), ("2.0.0", "v2"), ("0.1.0", "v0.1"), ("0.3.7", "v0.3")]
)
def test_moving_tag(release: ModuleType, version: str, tag: str) -> None:
    assert release.moving_tag(version) == tag


def test_release_notes_are_the_versions_section(release: ModuleType) -> None:
    version = release.check()
    changelog = (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    notes = release.release_notes(changelog, version)
    assert notes.strip() and "## [" not in notes and "[Unreleased]:" not in notes
    assert "### Added" in notes
    with pytest.raises(release.ReleaseError):
        release.release_notes(changelog, "99.0.0")
