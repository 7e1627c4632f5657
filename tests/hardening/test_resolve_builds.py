"""``resolve: true`` must not run code chosen by the pull request.

The repository controls ``.aml-lint.yml`` (so it can turn ``resolve`` on), the
requirement names and ``--index-url``. A package published only as a source
distribution with an in-tree build backend runs that backend as soon as a resolver
builds it for metadata. The attack end to end: a PR enables resolve and names such a
package on its own index (127.0.0.1); the backend would write the job's environment
(with its tokens) to a marker file. Without the pipeline's explicit
``AML_LINT_RESOLVE_BUILD_SOURCES=1`` nothing is built; with it, the build runs (so
the test can see execution) but gets no token.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hostile import run_cli

from aml_lint.resolve import find_uv

pytestmark = pytest.mark.skipif(find_uv() is None, reason="uv is not installed (pip install -e '.[dev]')")

TOKENS = {"INPUT_GITHUB-TOKEN": "ghs_ResolveCanary111", "GITHUB_TOKEN": "ghs_ResolveCanary222",
          "SYSTEM_ACCESSTOKEN": "azdoResolveCanary333", "ACTIONS_RUNTIME_TOKEN": "rtResolveCanary444"}


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def evil_index(root: Path, marker: Path) -> None:
    """A PEP 503 index with one sdist whose in-tree build backend records os.environ."""
    backend = (
        "import json, os\n"
        f"open({str(marker)!r}, 'w').write(json.dumps(dict(os.environ)))\n"
        "def get_requires_for_build_wheel(config_settings=None):\n    return []\n"
        "def prepare_metadata_for_build_wheel(d, config_settings=None):\n"
        "    p = os.path.join(d, 'evilpkg-1.0.dist-info')\n    os.makedirs(p)\n"
        "    open(os.path.join(p, 'METADATA'), 'w').write('Metadata-Version: 2.1\\nName: evilpkg\\nVersion: 1.0\\n')\n"
        "    return 'evilpkg-1.0.dist-info'\n"
        "def build_wheel(*a, **k):\n    raise RuntimeError('no')\n"
    )
    files = {
        "evilpkg-1.0/pyproject.toml": b'[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n',
        "evilpkg-1.0/backend.py": backend.encode(),
    }
    (root / "files").mkdir(parents=True)
    sdist = root / "files" / "evilpkg-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as tf:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    sha = hashlib.sha256(sdist.read_bytes()).hexdigest()
    (root / "simple" / "evilpkg").mkdir(parents=True)
    (root / "simple" / "index.html").write_text('<a href="evilpkg/">evilpkg</a>\n')
    (root / "simple" / "evilpkg" / "index.html").write_text(
        f'<a href="../../files/{sdist.name}#sha256={sha}">{sdist.name}</a>\n')


@pytest.fixture
def index(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    marker = tmp_path / "BUILD-RAN"
    evil_index(tmp_path / "index", marker)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(tmp_path / "index")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple/", marker
    finally:
        server.shutdown()
        server.server_close()


def pr_repo(root: Path, index_url: str) -> None:
    (root / "src").mkdir(parents=True)
    (root / "env").mkdir()
    (root / ".aml-lint.yml").write_text("resolve: true\n")
    (root / "deployment.yml").write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
        "name: blue\nendpoint_name: ep\nmodel: azureml:m:1\n"
        "code_configuration:\n  code: src\n  scoring_script: score.py\n"
        "environment:\n  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20240101.v1\n"
        "  conda_file: env/conda.yml\ninstance_type: Standard_DS3_v2\ninstance_count: 1\n")
    (root / "env" / "conda.yml").write_text(
        "dependencies:\n  - python=3.11\n  - pip\n  - pip:\n"
        f"      - --index-url {index_url}\n      - evilpkg\n")
    (root / "src" / "score.py").write_text("import evilpkg\n\ndef init():\n    pass\n\n\ndef run(d):\n    return d\n")


def lint(repo: Path, tmp: Path, **extra: str) -> str:
    env = {**TOKENS, "XDG_CACHE_HOME": str(tmp / "cache"), **extra}
    proc = run_cli("check", ".", "--format", "json", cwd=repo, timeout=300, env=env)
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and proc.returncode in (0, 1), err[-3000:]
    return proc.stdout.decode()


def test_a_pull_request_cannot_make_resolve_build_its_package(tmp_path: Path, index: tuple[str, Path]) -> None:
    url, marker = index
    pr_repo(tmp_path / "repo", url)
    report = json.loads(lint(tmp_path / "repo", tmp_path))
    assert not marker.exists(), "the PR's build backend ran"
    notes = [f["message"] for f in report["findings"] if f["rule"] == "AML505"]
    assert notes and "not build" in notes[0] and "evilpkg" in notes[0], report["findings"]
    assert all(f["severity"] == "info" for f in report["findings"] if f["rule"] == "AML505")


def test_when_the_pipeline_allows_builds_they_get_no_token(tmp_path: Path, index: tuple[str, Path]) -> None:
    url, marker = index
    pr_repo(tmp_path / "repo", url)
    lint(tmp_path / "repo", tmp_path, AML_LINT_RESOLVE_BUILD_SOURCES="1")
    assert marker.exists(), "the build did not run: this test would prove nothing"
    seen = marker.read_text()
    assert not any(token in seen for token in TOKENS.values()), [k for k, v in TOKENS.items() if v in seen]
