"""Build what the task test installs, without any network.

    python make_wheelhouse.py REPO OUT

OUT/wheel/aml_lint-*.whl   the aml-lint wheel, built from a copy of REPO's working tree by
                           setuptools (pip wheel --no-build-isolation), as package.sh does
OUT/deps/*.whl             aml-lint's dependencies, repacked as wheels from the distributions
                           installed for the Python running this script, so that pip can
                           install them with --no-index --find-links OUT/deps

Repacking reads each distribution's RECORD: the files it installed under site-packages
plus its .dist-info (with a fresh RECORD); scripts are left out, pip makes them again
from entry_points.txt.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata as md
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from packaging.requirements import Requirement

SKIP_INFO = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(root: str) -> list[md.Distribution]:
    """The installed distributions ``root`` needs, extras of requirements included."""
    seen: dict[str, md.Distribution] = {}
    todo: list[tuple[str, frozenset[str]]] = [(root, frozenset())]
    done: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, extras = todo.pop()
        if (_key(name), extras) in done:
            continue
        done.add((_key(name), extras))
        dist = md.distribution(name)
        seen[_key(name)] = dist
        for text in dist.requires or []:
            req = Requirement(text)
            wanted = [""] + sorted(extras)
            if req.marker and not any(req.marker.evaluate({"extra": e}) for e in wanted):
                continue
            todo.append((req.name, frozenset(req.extras)))
    seen.pop(_key(root), None)
    return list(seen.values())


def _hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def repack(dist: md.Distribution, out: Path) -> Path:
    files = [
        f for f in dist.files or [] if not str(f).startswith("..") and "__pycache__" not in f.parts
    ]
    info = next(f.parts[0] for f in files if f.parts[0].endswith(".dist-info"))
    wheel_meta = dist.read_text("WHEEL") or ""
    tags = [
        line.split(":", 1)[1].strip() for line in wheel_meta.splitlines() if line.startswith("Tag:")
    ]
    tag = tags[0] if tags else "py3-none-any"
    name = re.sub(r"[^\w\d.]+", "_", dist.metadata["Name"])
    target = out / f"{name}-{dist.version}-{tag}.whl"
    records: list[str] = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel in files:
            if rel.parts[0] == info and rel.name in SKIP_INFO:
                continue
            src = Path(str(dist.locate_file(rel)))
            if not src.is_file():
                continue
            data = src.read_bytes()
            arcname = rel.as_posix()
            zf.writestr(arcname, data)
            records.append(f"{arcname},{_hash(data)},{len(data)}")
        records.append(f"{info}/RECORD,,")
        zf.writestr(f"{info}/RECORD", "\n".join(records) + "\n")
    return target


def build_aml_lint(repo: Path, out: Path) -> Path:
    """Build from a copy, so the shared working tree gets no build/ or egg-info."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src-copy"
        src.mkdir()
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            if (repo / name).is_file():
                shutil.copy2(repo / name, src / name)
        if not (src / "README.md").exists():
            (src / "README.md").write_text("aml-lint\n", encoding="utf-8")
        shutil.copytree(
            repo / "src",
            src / "src",
            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"),
        )
        env = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1"}
        env.pop("PIP_FIND_LINKS", None)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--no-deps",
                "--no-build-isolation",
                "--disable-pip-version-check",
                "-w",
                str(out),
                str(src),
            ],
            check=True,
            env=env,
        )
    [wheel] = out.glob("aml_lint-*.whl")
    return wheel


def main(argv: list[str]) -> int:
    repo, out = Path(argv[0]).resolve(), Path(argv[1]).resolve()
    (out / "wheel").mkdir(parents=True, exist_ok=True)
    (out / "deps").mkdir(parents=True, exist_ok=True)
    wheel = build_aml_lint(repo, out / "wheel")
    for dist in closure("aml-lint"):
        repack(dist, out / "deps")
    print(wheel)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
