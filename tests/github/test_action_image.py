"""The Action's image, built from the Dockerfile and run the way the runner runs it.

No Docker engine runs here; podman does, with chroot isolation. The base image is a
Debian rootfs made by debootstrap (``--build-arg BASE_IMAGE``; cached in podman's
store between runs); the image is rebuilt every run from the working tree. It runs
through ``buildah run`` (plain ``podman run`` fails on this kernel's cgroups) with the
workspace, the command files and the event mounted where GitHub mounts them, and the
workspace owned by another user, as on a runner.

Slow (minutes without the cached base): marked ``image``, run as its own CI step.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_github import FakeGitHub
from gha_fixtures import Fixture, make_repo, parse_outputs, plain, pr_payload

REPO_ROOT = Path(__file__).resolve().parents[2]
BASE = "localhost/aml-lint-base:test"
IMAGE = "localhost/aml-lint:test"
RUNNER_UID = 1001
TOOLS = ("podman", "buildah", "debootstrap")
missing = [t for t in TOOLS if shutil.which(t) is None]

pytestmark = [
    pytest.mark.image,
    pytest.mark.skipif(
        bool(missing),
        reason=f"image test needs {', '.join(missing)} (apt-get install podman buildah debootstrap)",
    ),
    pytest.mark.skipif(
        not hasattr(os, "geteuid") or os.geteuid() != 0,
        reason="image test needs root (chroot isolation)",
    ),
]


def debian_mirror() -> str | None:
    if os.environ.get("AML_LINT_DEBIAN_MIRROR"):
        return os.environ["AML_LINT_DEBIAN_MIRROR"]
    sources = Path("/etc/apt/sources.list.d/debian.sources")
    if sources.is_file():
        match = re.search(r"^URIs:\s*(\S+)", sources.read_text(encoding="utf-8"), re.M)
        if match:
            return match.group(1)
    return None


def sh(
    args: list[str], env: dict[str, str], timeout: int = 900, **kw: object
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout, **kw)  # type: ignore[call-overload]
    assert proc.returncode == 0, (
        f"{' '.join(args[:3])} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    return proc


@pytest.fixture(scope="module")
def podman_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    conf = tmp_path_factory.mktemp("podman") / "containers.conf"
    conf.write_text("[containers]\ndefault_ulimits = []\n", encoding="utf-8")
    return {**os.environ, "CONTAINERS_CONF": str(conf)}


@pytest.fixture(scope="module")
def image(podman_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> str:
    exists = subprocess.run(["podman", "image", "exists", BASE], env=podman_env, check=False)
    if exists.returncode != 0:
        mirror = debian_mirror()
        if mirror is None:
            pytest.skip(
                "no Debian mirror known: set AML_LINT_DEBIAN_MIRROR to build the base rootfs"
            )
        rootfs = tmp_path_factory.mktemp("rootfs")
        sh(
            [
                "debootstrap",
                "--variant=minbase",
                "--include=python3,python3-venv,python3-pip,git,ca-certificates",
                "bookworm",
                str(rootfs),
                mirror,
            ],
            podman_env,
        )
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        sh(["podman", "import", "-", BASE], podman_env, stdin=tar.stdout)
        tar.wait()
        shutil.rmtree(rootfs, ignore_errors=True)
    # The previous image and build stage would otherwise pile up, untagged, at every run.
    subprocess.run(
        ["podman", "rmi", "--force", IMAGE], env=podman_env, capture_output=True, check=False
    )
    sh(
        [
            "podman",
            "build",
            "--isolation",
            "chroot",
            "--network",
            "host",
            "-v",
            "/etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro",
            "--build-arg",
            f"BASE_IMAGE={BASE}",
            "-t",
            IMAGE,
            str(REPO_ROOT),
        ],
        podman_env,
    )
    sh(
        ["podman", "image", "prune", "--force", "--filter", "label=org.aml-lint.stage=build"],
        podman_env,
    )
    return IMAGE


@pytest.fixture
def container(image: str, podman_env: dict[str, str]) -> Iterator[str]:
    name = sh(["buildah", "from", image], podman_env).stdout.strip().splitlines()[-1]
    try:
        yield name
    finally:
        subprocess.run(["buildah", "rm", name], env=podman_env, capture_output=True, check=False)


def test_image_metadata(image: str, podman_env: dict[str, str]) -> None:
    info = json.loads(sh(["podman", "image", "inspect", image], podman_env).stdout)[0]
    assert info["Config"]["Entrypoint"] == ["/entrypoint.sh"]
    assert "User" not in info["Config"] or info["Config"]["User"] in ("", "root", "0")


def test_image_has_no_build_tools_or_caches(
    image: str, container: str, podman_env: dict[str, str]
) -> None:
    probe = (
        "for t in gcc cc make; do command -v $t && echo FOUND-$t; done; "
        "/opt/aml-lint/bin/python -c 'import pip' 2>/dev/null && echo FOUND-pip; "
        "ls /root/.cache 2>/dev/null && echo FOUND-cache; "
        "ls /var/lib/apt/lists 2>/dev/null | grep -q _ && echo FOUND-apt-lists; "
        "aml-lint --version; git --version"
    )
    out = sh(
        ["buildah", "run", "--isolation", "chroot", container, "--", "bash", "-c", probe],
        podman_env,
    ).stdout
    assert "FOUND-" not in out, out
    assert "aml-lint 0.1.0" in out and "git version" in out


def test_image_runs_the_action(
    image: str, container: str, podman_env: dict[str, str], tmp_path: Path, fake: FakeGitHub
) -> None:
    fx: Fixture = make_repo(tmp_path)
    commands, workflow, home = tmp_path / "file_commands", tmp_path / "workflow", tmp_path / "home"
    for folder in (commands, workflow, home):
        folder.mkdir()
    (workflow / "event.json").write_text(json.dumps(pr_payload(fx)), encoding="utf-8")
    (commands / "summary.md").touch()
    (commands / "output.txt").touch()
    # As on a runner: the checkout and the command files belong to the runner's user.
    for path in [fx.repo, *fx.repo.rglob("*"), commands, *commands.iterdir(), home]:
        os.lchown(path, RUNNER_UID, RUNNER_UID)
    fake.add_pull(7, ["dep/blue.yml"])
    env = {
        "HOME": "/github/home",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": "/github/workflow/event.json",
        "GITHUB_WORKSPACE": "/github/workspace",
        "GITHUB_REPOSITORY": "octo/app",
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_API_URL": fake.api_url,
        "GITHUB_RUN_ID": "77",
        "GITHUB_WORKFLOW": "lint",
        "GITHUB_JOB": "aml",
        "GITHUB_SHA": fx.head,
        "GITHUB_STEP_SUMMARY": "/github/file_commands/summary.md",
        "GITHUB_OUTPUT": "/github/file_commands/output.txt",
        "INPUT_GITHUB-TOKEN": fake.token,
        "INPUT_PATHS": ".",
        "INPUT_FAIL-ON": "error",
        "INPUT_COMMENT": "auto",
        "INPUT_SARIF-FILE": "aml-lint.sarif",
    }
    args = ["buildah", "run", "--isolation", "chroot", "--workingdir", "/github/workspace"]
    for host, inside in (
        (fx.repo, "/github/workspace"),
        (commands, "/github/file_commands"),
        (workflow, "/github/workflow"),
        (home, "/github/home"),
    ):
        args += ["-v", f"{host}:{inside}"]
    for key, value in env.items():
        args += ["--env", f"{key}={value}"]
    proc = subprocess.run(
        [*args, container, "--", "/entrypoint.sh"],
        env=podman_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    errors = [line for line in proc.stdout.splitlines() if line.startswith("::error ")]
    assert errors and all(e.startswith("::error file=dep/blue.yml,") for e in errors)
    assert "/github/workspace" not in "\n".join(errors)
    summary = (commands / "summary.md").read_text(encoding="utf-8")
    assert "❌ Errors" in summary and "missing.yml" in plain(summary)
    outputs = parse_outputs((commands / "output.txt").read_text(encoding="utf-8"))
    assert outputs["errors"] == str(len(errors)) and outputs["sarif-file"] == "aml-lint.sarif"
    sarif = fx.repo / "aml-lint.sarif"
    assert json.loads(sarif.read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert sarif.stat().st_uid == RUNNER_UID  # written as the workspace owner, not root
    (comment,) = fake.comments_on(7)
    assert outputs["comment-url"] == comment["html_url"]
    assert fake.token not in proc.stdout + proc.stderr + summary
