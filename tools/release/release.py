"""Release helpers, used by .github/workflows/release.yml and by tests/release.

    python tools/release/release.py check [--tag vX.Y.Z] [--github-output]
        One version everywhere: pyproject.toml, aml_lint.__version__, the Azure task
        (task.json Major.Minor.Patch), the extension (vss-extension.json) and the newest
        released heading of CHANGELOG.md; with --tag, the pushed tag too. Prints the version;
        --github-output also writes version, tag and moving-tag to $GITHUB_OUTPUT.

    python tools/release/release.py render-action --owner OWNER --version X.Y.Z
                                                  [--digest sha256:...] [--output PATH]
        action.yml for a release: `image: Dockerfile` becomes
        `image: docker://ghcr.io/<owner>/aml-lint:<version>[@<digest>]`, nothing else changes.

    python tools/release/release.py image-labels --version X.Y.Z --repository OWNER/NAME
                                                 --revision SHA [--created ISO-8601]
        The OCI labels of the image, one key=value a line (build-push-action's `labels`, or
        `podman build --label` each).

    python tools/release/release.py notes --version X.Y.Z
        The CHANGELOG.md section of that version (the GitHub release's notes).

Standard library only (tomllib on 3.11+, tomli before), so the workflow runs it before installing
anything.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the CI matrix's 3.10 leg
    import tomli as tomllib

REPO_ROOT = Path(__file__).resolve().parents[2]
REGISTRY = "ghcr.io"
IMAGE_NAME = "aml-lint"
# The development action.yml builds the working tree's Dockerfile (so `uses: ./` tests it).
DEV_IMAGE_LINE = re.compile(r"^(?P<indent>[ \t]+)image:[ \t]*['\"]?Dockerfile['\"]?[ \t]*$", re.M)
# X.Y.Z only: the Azure task carries its version as three integers, so no pre-releases.
VERSION = re.compile(r"\d+\.\d+\.\d+")
# GitHub user and organisation names; ghcr.io wants them in lower case.
OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
# "## [0.1.0] - 2026-12-06"; "## [Unreleased]" is skipped.
CHANGELOG_HEADING = re.compile(
    r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?", re.M
)


class ReleaseError(Exception):
    """A release precondition does not hold; the message says which and what to do."""


def versions(root: Path = REPO_ROOT) -> dict[str, str]:
    """The version each place of the repository declares, by place."""
    found: dict[str, str] = {}
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    found["pyproject.toml"] = str(pyproject["project"]["version"])
    init = (root / "src/aml_lint/__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', init, re.M)
    found["src/aml_lint/__init__.py"] = match.group(1) if match else "(none)"
    task = json.loads((root / "azure-pipelines-task/task.json").read_text(encoding="utf-8"))
    v = task["version"]
    found["azure-pipelines-task/task.json"] = f"{v['Major']}.{v['Minor']}.{v['Patch']}"
    ext = json.loads((root / "azure-pipelines-task/vss-extension.json").read_text(encoding="utf-8"))
    found["azure-pipelines-task/vss-extension.json"] = str(ext["version"])
    found["CHANGELOG.md"] = newest_release((root / "CHANGELOG.md").read_text(encoding="utf-8"))
    return found


def newest_release(changelog: str) -> str:
    """The first dated version heading (Keep a Changelog puts the newest first)."""
    for match in CHANGELOG_HEADING.finditer(changelog):
        if match.group("version").lower() != "unreleased" and match.group("date"):
            return match.group("version")
    return "(none)"


def check(root: Path = REPO_ROOT, tag: str | None = None) -> str:
    """The one version of the repository, or ReleaseError naming every place that differs."""
    found = versions(root)
    version = found["pyproject.toml"]
    if not VERSION.fullmatch(version):
        raise ReleaseError(f"pyproject.toml version {version!r} is not X.Y.Z")
    wrong = {place: v for place, v in found.items() if v != version}
    if wrong:
        listed = ", ".join(f"{place} says {v}" for place, v in wrong.items())
        raise ReleaseError(f"versions differ from pyproject.toml's {version}: {listed}")
    if tag is not None and tag != f"v{version}":
        raise ReleaseError(f"tag {tag} does not match the version {version}: tag v{version}")
    return version


def moving_tag(version: str) -> str:
    """The tag users follow: vMAJOR from 1.0.0 on; v0.MINOR before (0.x minors may break)."""
    major, minor = version.split(".")[:2]
    return f"v{major}" if major != "0" else f"v0.{minor}"


def image_ref(owner: str, version: str, digest: str | None = None) -> str:
    if not OWNER.fullmatch(owner):
        raise ReleaseError(f"{owner!r} is not a GitHub user or organisation name")
    if not VERSION.fullmatch(version):
        raise ReleaseError(f"{version!r} is not a version X.Y.Z")
    ref = f"{REGISTRY}/{owner.lower()}/{IMAGE_NAME}:{version}"
    if digest is not None:
        if not DIGEST.fullmatch(digest):
            raise ReleaseError(f"{digest!r} is not an image digest sha256:<64 hex>")
        ref += f"@{digest}"
    return ref


def render_action(text: str, owner: str, version: str, digest: str | None = None) -> str:
    """action.yml with the prebuilt image instead of the Dockerfile; the rest byte for byte."""
    matches = list(DEV_IMAGE_LINE.finditer(text))
    if len(matches) != 1:
        raise ReleaseError(
            "action.yml must have exactly one 'image: Dockerfile' line to replace "
            f"(found {len(matches)}): is it already rendered for a release?"
        )
    m = matches[0]
    line = f"{m.group('indent')}image: docker://{image_ref(owner, version, digest)}"
    return text[: m.start()] + line + text[m.end() :]


def image_labels(
    version: str, repository: str, revision: str, created: str | None = None
) -> dict[str, str]:
    """OCI annotations for the image; .source links the ghcr package to the repository."""
    url = f"https://github.com/{repository}"
    labels = {
        "org.opencontainers.image.source": url,
        "org.opencontainers.image.url": url,
        "org.opencontainers.image.documentation": f"{url}#github-action",
        "org.opencontainers.image.version": version,
        "org.opencontainers.image.revision": revision,
        "org.opencontainers.image.licenses": "MIT",
        "org.opencontainers.image.title": "aml-lint",
        "org.opencontainers.image.description": (
            "The aml-lint GitHub Action: lints Azure Machine Learning environments, "
            "deployments and scoring scripts"
        ),
    }
    if created:
        labels["org.opencontainers.image.created"] = created
    return labels


# owner/repo[/path]@<40 hex> # vX.Y.Z; a local action (./...) is the working tree's own.
PINNED_USES = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+(?:/[^@\s]+)?@[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*['\"]?(?P<ref>[^'\"\s#]+)['\"]?\s*(?P<comment>#.*)?$")
VERSION_COMMENT = re.compile(r"^#\s*v\d+\.\d+\.\d+\s*$")
TASK_LINE = re.compile(r"^\s*(?:-\s+)?task:\s*['\"]?(?P<ref>[^'\"\s#]+)")


def workflow_uses(workflow: str) -> list[str]:
    """Every `uses:` of a workflow's jobs (reusable workflows) and steps, from the parsed YAML."""
    import yaml  # only the tests and the checks need it; `check` runs before any install

    data = yaml.safe_load(workflow) or {}
    found = []
    for job in (data.get("jobs") or {}).values():
        if not isinstance(job, dict):
            continue
        if "uses" in job:
            found.append(str(job["uses"]))
        for step in job.get("steps") or []:
            if isinstance(step, dict) and "uses" in step:
                found.append(str(step["uses"]))
    return found


def _unpinned(ref: str) -> str | None:
    if ref.startswith("./"):
        return None  # the repository's own action, at the commit being run
    if ref.startswith("docker://"):
        pinned = re.search(r"@sha256:[0-9a-f]{64}$", ref)
        return None if pinned else f"{ref} is not pinned by digest"
    if not PINNED_USES.match(ref):
        return f"{ref} is not pinned to a 40-character commit SHA"
    return None


def unpinned_uses(workflow: str) -> list[str]:
    """Each `uses:` of a workflow not pinned to a full commit SHA with a `# vX.Y.Z` comment.

    Local actions (`./...`) are the repository's own and exempt; a `docker://` image must be
    pinned by digest. Every value the YAML parser sees is judged (flow style included); the
    version comment is looked for on the `uses:` line itself.
    """
    problems = [p for p in map(_unpinned, workflow_uses(workflow)) if p]
    for number, line in enumerate(workflow.splitlines(), 1):
        m = USES_LINE.match(line)
        if m is None or _unpinned(m.group("ref")) or m.group("ref").startswith(("./", "docker://")):
            continue
        comment = m.group("comment")
        if comment is None or not VERSION_COMMENT.match(comment):
            problems.append(f"line {number}: {m.group('ref')} has no '# vX.Y.Z' comment")
    return problems


def workflow_policy(workflow: str) -> list[str]:
    """Least privilege: `permissions:` at the top and on every job, never write-all, id-token
    only on a job bound to an environment, and no pull_request_target trigger."""
    import yaml

    data = yaml.safe_load(workflow) or {}
    # PyYAML reads the bare key `on` as True.
    triggers = data.get("on", data.get(True))
    names = (
        set(triggers)
        if isinstance(triggers, dict)
        else {triggers}
        if isinstance(triggers, str)
        else set(triggers or [])
    )
    problems = []
    if "pull_request_target" in names:
        problems.append("triggered by pull_request_target")
    if "permissions" not in data:
        problems.append("no top-level permissions:")
    perms = data.get("permissions")
    if isinstance(perms, str) or (isinstance(perms, dict) and perms.get("id-token") == "write"):
        problems.append(f"top-level permissions: {perms} (grant writes per job)")
    for name, job in (data.get("jobs") or {}).items():
        if not isinstance(job, dict):
            continue
        jp = job.get("permissions")
        if jp is None:
            problems.append(f"job {name}: no permissions:")
        elif isinstance(jp, str) and jp != "{}":
            problems.append(f"job {name}: permissions: {jp}")
        elif isinstance(jp, dict) and jp.get("id-token") == "write" and not job.get("environment"):
            problems.append(f"job {name}: id-token: write without an environment")
    return problems


def unpinned_tasks(pipeline: str) -> list[str]:
    """Each Azure Pipelines `task:` without an explicit major version (Name@N)."""
    problems = []
    for number, line in enumerate(pipeline.splitlines(), 1):
        m = TASK_LINE.match(line)
        if m and not re.fullmatch(r"[A-Za-z0-9_.-]+@\d+", m.group("ref")):
            problems.append(f"line {number}: task {m.group('ref')} has no @<major version>")
    return problems


def release_notes(changelog: str, version: str) -> str:
    headings = list(CHANGELOG_HEADING.finditer(changelog))
    for i, match in enumerate(headings):
        if match.group("version") == version:
            end = headings[i + 1].start() if i + 1 < len(headings) else len(changelog)
            body = changelog[match.end() : end]
            # Link reference definitions at the end of the file are not part of the section.
            body = re.sub(r"^\[[^\]]+\]: \S+\s*$", "", body, flags=re.M)
            return body.strip() + "\n"
    raise ReleaseError(f"CHANGELOG.md has no section for {version}")


def _github_output(values: dict[str, str]) -> None:
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        raise ReleaseError("--github-output: GITHUB_OUTPUT is not set")
    with open(path, "a", encoding="utf-8") as out:
        for key, value in values.items():
            out.write(f"{key}={value}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="release.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_check = sub.add_parser("check", help="one version everywhere (and the tag)")
    p_check.add_argument("--tag")
    p_check.add_argument("--github-output", action="store_true")
    p_check.add_argument("--root", type=Path, default=REPO_ROOT)
    p_render = sub.add_parser("render-action", help="action.yml for a release")
    p_render.add_argument("--owner", required=True)
    p_render.add_argument("--version", required=True)
    p_render.add_argument("--digest")
    p_render.add_argument("--source", type=Path, default=REPO_ROOT / "action.yml")
    p_render.add_argument("--output", type=Path, help="default: overwrite --source")
    p_labels = sub.add_parser("image-labels", help="OCI labels, key=value a line")
    p_labels.add_argument("--version", required=True)
    p_labels.add_argument("--repository", required=True)
    p_labels.add_argument("--revision", required=True)
    p_labels.add_argument("--created")
    p_notes = sub.add_parser("notes", help="the CHANGELOG section of a version")
    p_notes.add_argument("--version", required=True)
    p_notes.add_argument("--root", type=Path, default=REPO_ROOT)
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            version = check(args.root, args.tag)
            if args.github_output:
                _github_output(
                    {"version": version, "tag": f"v{version}", "moving-tag": moving_tag(version)}
                )
            print(version)
        elif args.command == "render-action":
            text = args.source.read_text(encoding="utf-8")
            rendered = render_action(text, args.owner, args.version, args.digest)
            (args.output or args.source).write_text(rendered, encoding="utf-8")
            print(
                f"{args.output or args.source}: image: docker://"
                f"{image_ref(args.owner, args.version, args.digest)}"
            )
        elif args.command == "image-labels":
            for key, value in image_labels(
                args.version, args.repository, args.revision, args.created
            ).items():
                print(f"{key}={value}")
        elif args.command == "notes":
            text = (args.root / "CHANGELOG.md").read_text(encoding="utf-8")
            sys.stdout.write(release_notes(text, args.version))
    except ReleaseError as exc:
        print(f"release.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
