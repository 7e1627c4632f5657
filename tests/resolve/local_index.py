"""A PEP 503 simple index on 127.0.0.1, serving tiny wheels the tests build.

Test modules import the `index_url` and `uv_on_path` fixtures from here (a conftest.py would
shadow tests/conftest.py).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import io
import os
import re
import shutil
import sys
import tarfile
import threading
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Dist:
    name: str
    version: str
    requires: Sequence[str] = ()
    requires_python: str | None = None
    module: str | None = None
    sdist_only: bool = False  # published as a source distribution only (no wheel)


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def build_wheel(dist: Dist, dest: Path) -> Path:
    """A minimal, valid py3-none-any wheel with METADATA, WHEEL and RECORD."""
    stem = dist.name.replace("-", "_")
    info = f"{stem}-{dist.version}.dist-info"
    meta = ["Metadata-Version: 2.1", f"Name: {dist.name}", f"Version: {dist.version}"]
    if dist.requires_python:
        meta.append(f"Requires-Python: {dist.requires_python}")
    extras = sorted({m for r in dist.requires for m in re.findall(r'extra == "([^"]+)"', r)})
    meta += [f"Provides-Extra: {e}" for e in extras]
    meta += [f"Requires-Dist: {r}" for r in dist.requires]
    files = {
        f"{dist.module or stem}/__init__.py": b"",
        f"{info}/METADATA": ("\n".join(meta) + "\n").encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: aml-lint-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = [_record_line(p, d) for p, d in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = dest / f"{stem}-{dist.version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def build_sdist(dist: Dist, dest: Path) -> Path:
    """A source distribution whose PKG-INFO (metadata 2.2, nothing dynamic) is usable as is."""
    stem = f"{dist.name.replace('-', '_')}-{dist.version}"
    meta = ["Metadata-Version: 2.2", f"Name: {dist.name}", f"Version: {dist.version}"]
    meta += [f"Requires-Dist: {r}" for r in dist.requires]
    deps = ", ".join(f'"{r}"' for r in dist.requires)
    files = {
        f"{stem}/PKG-INFO": ("\n".join(meta) + "\n").encode(),
        f"{stem}/pyproject.toml": (
            '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
            f'[project]\nname = "{dist.name}"\nversion = "{dist.version}"\ndependencies = [{deps}]\n'
        ).encode(),
        f"{stem}/{dist.module or dist.name.replace('-', '_')}/__init__.py": b"",
    }
    path = dest / f"{stem}.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def write_index(dists: Sequence[Dist], root: Path) -> None:
    """root/simple/<project>/index.html (PEP 503) and root/files/<wheel>."""
    files = root / "files"
    files.mkdir(parents=True, exist_ok=True)
    projects: dict[str, list[tuple[Path, Dist]]] = {}
    for d in dists:
        built = build_sdist(d, files) if d.sdist_only else build_wheel(d, files)
        projects.setdefault(d.name.lower().replace("_", "-"), []).append((built, d))
    simple = root / "simple"
    simple.mkdir(exist_ok=True)
    links = "".join(f'<a href="{p}/">{p}</a>\n' for p in sorted(projects))
    (simple / "index.html").write_text(f"<!DOCTYPE html><html><body>\n{links}</body></html>\n")
    for project, wheels in projects.items():
        anchors = []
        for path, d in wheels:
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            rp = f' data-requires-python="{html.escape(d.requires_python)}"' if d.requires_python else ""
            anchors.append(f'<a href="../../files/{path.name}#sha256={sha}"{rp}>{path.name}</a>\n')
        page = simple / project
        page.mkdir(exist_ok=True)
        (page / "index.html").write_text(
            "<!DOCTYPE html><html><body>\n" + "".join(anchors) + "</body></html>\n"
        )


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve `root` (from write_index) on 127.0.0.1; yields the simple index URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple/"
    finally:
        server.shutdown()
        server.server_close()


# The test index: a scoring-style stack with one conflict, one Python-3.11-only package and one
# package that brings another transitively.
INDEX: tuple[Dist, ...] = (
    Dist("numpy", "1.0"),
    Dist("numpy", "2.0"),
    Dist("pandas", "1.0", ("numpy>=1.0", "python-dateutil")),
    Dist("python-dateutil", "2.0", module="dateutil"),
    Dist("oldlib", "1.0", ("numpy<2",)),
    Dist("newlib", "1.0", ("numpy>=2",)),
    Dist("modern", "1.0", requires_python=">=3.11"),
    Dist("server", "1.0", ("schema-lib~=1.0",)),
    Dist("schema-lib", "1.0", ('numpy; extra == "numpy-support"',), module="schema_lib"),
    Dist("purelib", "1.0", ("numpy",), sdist_only=True),
)


@pytest.fixture(scope="module", name="index_url")
def index_url_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("index")
    write_index(INDEX, root)
    with serve(root) as url:
        yield url


def find_uv() -> str | None:
    """uv on PATH, else the one the `uv` test dependency installed beside this Python (a venv
    that was not activated: its bin/ is not on PATH, but sys.executable is in it)."""
    found = shutil.which("uv")
    if found:
        return found
    try:
        from uv import find_uv_bin
    except ImportError:
        find_uv_bin = None
    candidates = [Path(sys.executable).parent / "uv"]
    if find_uv_bin is not None:
        with contextlib.suppress(Exception):  # uv.UvNotFound: try beside sys.executable
            candidates.insert(0, Path(find_uv_bin()))
    return next((str(c) for c in candidates if c.is_file() and os.access(c, os.X_OK)), None)


@pytest.fixture(name="uv_on_path")
def uv_on_path_fixture(monkeypatch: pytest.MonkeyPatch) -> str:
    """Puts uv's folder on PATH (aml-lint looks uv up there); fails, never skips, without uv:
    it is a test dependency (pip install -e '.[test]')."""
    uv = find_uv()
    if uv is None:
        pytest.fail("uv not found on PATH nor beside sys.executable: pip install -e '.[test]'")
    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(uv).parent), os.environ.get("PATH", "")]))
    return uv
