"""The Action's image, built from the Dockerfile and run the way the runner runs it.

No Docker engine runs here; podman does, with chroot isolation. The base image stands in for
``python:3.X-slim-bookworm`` (Docker Hub is out of reach): a Debian rootfs made by debootstrap
with python3, python3-venv and ca-certificates and, like Debian's slim images, no git, apt
lists, caches, docs, man pages or locales (``--build-arg BASE_IMAGE``; cached in podman's
store between runs). So the Dockerfile's git install runs here as it does on GitHub. The
image is rebuilt every run from the working tree. It runs through ``buildah run`` (plain
``podman run`` fails on this kernel's cgroups) with the workspace, the command files and the
event mounted where GitHub mounts them, and the workspace owned by another user, as on a runner.

The test prints the size the image adds over its base and its layers, and rebuilds after a
change under src/ to show that only the source layer is built again (docs/image.md).

Slow (minutes without the cached base): marked ``image``, left out of plain ``pytest``,
run as its own CI step (``pytest -m image``).
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

from aml_lint import __version__

REPO_ROOT = Path(__file__).resolve().parents[2]
BASE = "localhost/aml-lint-base:slim-bookworm"
IMAGE = "localhost/aml-lint:test"
REBUILT = "localhost/aml-lint:test-src-change"
# What the image adds over its base, measured on 2026-12-06 (Debian 12, Python 3.11):
# git 36.4 MB + the dependencies' venv 38.3 MB + aml-lint 3.7 MB = 78.4 MB (it was 127.3 MB:
# perl, pip and the packages' tests went). The limit leaves ~10% for dependency updates;
# going over it means something new got into the image: look at the layer list printed.
ADDED_LIMIT_MB = 88
# The files the Dockerfile reads (.dockerignore lets in no others).
CONTEXT = ["Dockerfile", ".dockerignore", "pyproject.toml", "README.md", "entrypoint.sh", "src"]
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


# Debian's slim images tell dpkg to leave these out (python:*-slim is built on them).
SLIM_DPKG_EXCLUDES = """\
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
"""


def make_base(podman_env: dict[str, str], rootfs: Path) -> None:
    """The python:slim stand-in: debootstrap, then trimmed as Debian's slim images are."""
    mirror = debian_mirror()
    if mirror is None:
        pytest.skip("no Debian mirror known: set AML_LINT_DEBIAN_MIRROR to build the base rootfs")
    sh(
        [
            "debootstrap",
            "--variant=minbase",
            "--include=python3,python3-venv,ca-certificates",
            "bookworm",
            str(rootfs),
            mirror,
        ],
        podman_env,
    )
    for folder in ("var/cache/apt", "var/lib/apt/lists", "usr/share/man", "usr/share/info",
                   "usr/share/locale"):
        for entry in (rootfs / folder).glob("*"):
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    for entry in sorted((rootfs / "usr/share/doc").rglob("*"), reverse=True):
        if entry.is_dir() and not entry.is_symlink():
            if not any(entry.iterdir()):
                entry.rmdir()
        elif entry.name != "copyright":
            entry.unlink()
    (rootfs / "etc/dpkg/dpkg.cfg.d/docker").write_text(SLIM_DPKG_EXCLUDES, encoding="utf-8")
    tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
    sh(["podman", "import", "-", BASE], podman_env, stdin=tar.stdout)
    tar.wait()


def build(podman_env: dict[str, str], tag: str, context: Path) -> str:
    """``podman build`` as the release would, on BASE; returns the build log."""
    return sh(
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
            tag,
            str(context),
        ],
        podman_env,
    ).stdout


@pytest.fixture(scope="module")
def image(podman_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exists = subprocess.run(["podman", "image", "exists", BASE], env=podman_env, check=False)
    if exists.returncode != 0:
        rootfs = tmp_path_factory.mktemp("rootfs")
        try:
            make_base(podman_env, rootfs)
        finally:
            shutil.rmtree(rootfs, ignore_errors=True)
    # The previous images would otherwise pile up, untagged, at every run.
    for tag in (IMAGE, REBUILT):
        subprocess.run(
            ["podman", "rmi", "--force", tag], env=podman_env, capture_output=True, check=False
        )
    build(podman_env, IMAGE, REPO_ROOT)
    yield IMAGE
    # After the rebuild test, which needs the build stages' cache.
    subprocess.run(
        ["podman", "rmi", "--force", REBUILT], env=podman_env, capture_output=True, check=False
    )
    sh(
        ["podman", "image", "prune", "--force", "--filter", "label=org.aml-lint.stage=build"],
        podman_env,
    )


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
    site = "/opt/aml-lint/lib/python3*/site-packages"
    probe = (
        "for t in gcc cc make pip pip3; do command -v $t && echo FOUND-$t; done; "
        "for m in pip setuptools wheel; do "
        "/opt/aml-lint/bin/python -c \"import $m\" 2>/dev/null && echo FOUND-$m; done; "
        f"ls -d {site}/pip* {site}/setuptools* {site}/wheel* {site}/*/tests 2>/dev/null "
        "| grep . && echo FOUND-venv-leftovers; "
        "ls /root/.cache 2>/dev/null && echo FOUND-cache; "
        "ls /var/lib/apt/lists 2>/dev/null | grep -q _ && echo FOUND-apt-lists; "
        "ls /var/cache/apt/archives/*.deb /var/cache/apt/*.bin 2>/dev/null && echo FOUND-apt-cache; "
        "find /usr/share/doc -type f ! -name copyright | grep . && echo FOUND-docs; "
        "find /usr/share/man /usr/share/info /usr/share/locale -type f | grep . && echo FOUND-man-or-locale; "
        "dpkg-query -W -f '${db:Status-Abbrev} ${Package}\\n' | grep -E '^ii +(perl|perl-modules-[0-9.]+|libperl[0-9.]+)$' "
        "&& echo FOUND-perl; "
        "aml-lint --version; git --version; "
        # What aml-lint asks git, in a fresh repository: none of it needs perl.
        "cd \"$(mktemp -d)\" && git init -q && echo a > a && git add a "
        "&& git -c user.name=t -c user.email=t@example.invalid commit -qm a "
        "&& git rev-parse HEAD && git ls-files && git status --porcelain && git log --oneline "
        "&& git diff --name-only HEAD HEAD && git cat-file -t HEAD && echo GIT-OK"
    )
    out = sh(
        ["buildah", "run", "--isolation", "chroot", container, "--", "bash", "-c", probe],
        podman_env,
    ).stdout
    assert "FOUND-" not in out, out
    assert f"aml-lint {__version__}" in out and "git version" in out and "GIT-OK" in out, out


def layers(image: str, podman_env: dict[str, str]) -> list[str]:
    info = json.loads(sh(["podman", "image", "inspect", image], podman_env).stdout)[0]
    return list(info["RootFS"]["Layers"])


def test_image_size_over_its_base(
    image: str, podman_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    def size(name: str) -> int:
        return int(sh(["podman", "image", "inspect", "--format", "{{.Size}}", name],
                      podman_env).stdout)

    added = size(image) - size(BASE)
    history = sh(
        ["podman", "history", "--format", "{{.Size}}\t{{.CreatedBy}}", image], podman_env
    ).stdout
    with capsys.disabled():
        print(f"\nThe image adds {added / 1e6:.1f} MB over its base ({BASE}); layers, newest first:")
        for line in history.splitlines():
            print("  " + line[:110])
    assert added < ADDED_LIMIT_MB * 1e6, history
    assert len(layers(image, podman_env)) == len(layers(BASE, podman_env)) + 4  # git, venv, entrypoint, aml-lint


def test_a_source_change_rebuilds_only_the_source_layer(
    image: str, podman_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    context = tmp_path / "context"
    context.mkdir()
    for name in CONTEXT:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, context / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, context / name)
    with (context / "src/aml_lint/cli.py").open("a", encoding="utf-8") as f:
        f.write("\n# a change under src/\n")
    log = build(podman_env, REBUILT, context)
    # A step prints "--> Using cache ID" when it is a hit, then "--> ID" when done. A
    # COPY --from=STAGE builds STAGE first, so its lines come after STAGE's: the lines
    # belong to the latest step still open.
    steps: list[list[object]] = []  # [step, cache hit, done]
    for line in log.splitlines():
        step = re.match(r"^\[\d+/\d+\] STEP \d+/\d+: (.*)", line)
        open_steps = [s for s in steps if not s[2]]
        if step and not step.group(1).startswith("FROM "):
            steps.append([step.group(1), False, False])
        elif line.startswith("--> Using cache") and open_steps:
            open_steps[-1][1] = True
        elif re.match(r"^--> [0-9a-f]+$", line) and open_steps:
            open_steps[-1][2] = True
    with capsys.disabled():
        print("\nRebuild after a change under src/ (HIT = cache hit):")
        for text, hit, _ in steps:
            print(f"  {'HIT  ' if hit else 'BUILD'} {str(text)[:100]}")
    rebuilt = [str(text) for text, hit, _ in steps if not hit]
    # The app stage's two steps, the final copy of its files, and the ENTRYPOINT (metadata
    # only) that follows them; the apt and pip install steps were cache hits.
    assert len(rebuilt) == 4, rebuilt
    assert rebuilt[0] == "COPY src /build/src", rebuilt
    assert rebuilt[1].startswith("RUN /opt/aml-lint/bin/pip install --no-deps"), rebuilt
    assert rebuilt[2:] == ["COPY --from=app /staging/ /", 'ENTRYPOINT ["/entrypoint.sh"]'], rebuilt
    before, after = layers(image, podman_env), layers(REBUILT, podman_env)
    assert before[:-1] == after[:-1] and before[-1] != after[-1]


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
