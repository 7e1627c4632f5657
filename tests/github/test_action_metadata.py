"""action.yml: valid against GitHub's action metadata schema, and in step with the code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
ACTION = REPO_ROOT / "action.yml"


def load() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def schema_check(
    path: Path, schema: str = "vendor.github-actions"
) -> subprocess.CompletedProcess[str]:
    # check-jsonschema ships SchemaStore's github-action.json as vendor.github-actions.
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
    )


def assert_schema_valid(path: Path, schema: str = "vendor.github-actions") -> None:
    proc = schema_check(path, schema)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_schema_valid() -> None:
    assert_schema_valid(ACTION)


def render_release(tmp_path: Path, owner: str = "Octo-Org", version: str = "1.2.3") -> Path:
    """action.yml as the release workflow writes it (tools/release/release.py render-action)."""
    out = tmp_path / "release" / "action.yml"
    out.parent.mkdir()
    digest = "sha256:" + "0" * 64
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "tools/release/release.py"),
            "render-action",
            *("--owner", owner, "--version", version, "--digest", digest),
            *("--output", str(out)),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    return out


def test_release_action_is_schema_valid_and_pulls_the_image(tmp_path: Path) -> None:
    released = render_release(tmp_path)
    assert_schema_valid(released)
    data = yaml.safe_load(released.read_text(encoding="utf-8"))
    # ghcr.io wants the owner in lower case; tag and digest both, so the pull is immutable.
    assert data["runs"]["image"] == ("docker://ghcr.io/octo-org/aml-lint:1.2.3@sha256:" + "0" * 64)
    # Only the image line differs: inputs, outputs, env and comments stay as developed.
    dev_lines = ACTION.read_text(encoding="utf-8").splitlines()
    rel_lines = released.read_text(encoding="utf-8").splitlines()
    assert len(dev_lines) == len(rel_lines)
    differ = [(a, b) for a, b in zip(dev_lines, rel_lines, strict=True) if a != b]
    assert differ == [("  image: Dockerfile", "  image: " + data["runs"]["image"])]


def test_release_rendering_refuses_an_already_rendered_file(tmp_path: Path) -> None:
    released = render_release(tmp_path)
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "tools/release/release.py"),
            "render-action",
            *("--owner", "octo", "--version", "1.2.4", "--source", str(released)),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and "already rendered" in proc.stderr


def test_schema_check_can_fail(tmp_path: Path) -> None:
    broken = tmp_path / "action.yml"
    data = load()
    data["runs"]["using"] = "docker"
    del data["runs"]["image"]
    data["branding"]["color"] = "pink"
    broken.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert schema_check(broken).returncode != 0


def test_docker_action_with_the_designed_inputs_and_outputs() -> None:
    data = load()
    assert data["runs"]["using"] == "docker" and data["runs"]["image"] == "Dockerfile"
    assert set(data["inputs"]) == {
        "github-token",
        "paths",
        "config",
        "fail-on",
        "comment",
        "suggestions",
        "sarif-file",
        "resolve",
    }
    assert data["inputs"]["github-token"]["default"] == "${{ github.token }}"
    # Empty: the config file's fail-on (else error) decides; a default here would override .aml-lint.yml.
    assert data["inputs"]["fail-on"]["default"] == ""
    assert data["inputs"]["comment"]["default"] == "auto"
    assert data["inputs"]["suggestions"]["default"] == "auto"
    assert set(data["outputs"]) == {"errors", "warnings", "sarif-file", "comment-url"}


def test_every_input_is_read_by_the_command() -> None:
    source = (REPO_ROOT / "src/aml_lint/ci/github.py").read_text(encoding="utf-8")
    read = set(re.findall(r'(?:env|flag)_input\(env, "([a-z-]+)"', source))
    assert read == set(load()["inputs"])


def test_underscore_copies_match_inputs() -> None:
    env = load()["runs"]["env"]
    for key, value in env.items():
        name = re.fullmatch(r"\$\{\{ inputs\.([a-z-]+) \}\}", value)
        assert name, value
        assert key == "INPUT_" + name.group(1).upper().replace("-", "_")


def test_image_files() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^ARG BASE_IMAGE=python:\d+\.\d+\.\d+-slim", dockerfile, re.M)
    assert 'ENTRYPOINT ["/entrypoint.sh"]' in dockerfile
    assert (REPO_ROOT / "entrypoint.sh").stat().st_mode & 0o111
    ignored = (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ignored[1:2] == ["*"] or "*" in ignored


def test_readme_workflows_are_valid(tmp_path: Path) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## GitHub Action", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)
    assert len(blocks) == 2
    for i, block in enumerate(blocks):
        data = yaml.safe_load(block)
        steps = next(iter(data["jobs"].values()))["steps"]
        assert any(str(s.get("uses", "")).startswith("aml-lint/aml-lint@") for s in steps)
        path = tmp_path / f"workflow{i}.yml"
        path.write_text(block, encoding="utf-8")
        assert_schema_valid(path, "vendor.github-workflows")
    first = yaml.safe_load(blocks[0])
    perms = first["jobs"]["aml-lint"]["permissions"]
    assert perms == {"contents": "read", "pull-requests": "write", "security-events": "write"}
    with_inputs = next(s for s in first["jobs"]["aml-lint"]["steps"] if s.get("id") == "lint")[
        "with"
    ]
    assert set(with_inputs) <= set(load()["inputs"])
