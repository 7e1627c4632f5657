"""AML505 (environment-does-not-resolve) end to end: --resolve against the local index, and the
import rules using the exact resolved set instead of the offline closure."""

from __future__ import annotations

from pathlib import Path

import pytest
from local_index import index_url_fixture  # noqa: F401  (the index_url fixture)

from lintkit import CONDA_ONLINE_DEPLOYMENT as DEPLOYMENT
from lintkit import LintFn

SCORE = "import numpy\nimport dateutil\n\ndef init():\n    pass\n\ndef run(data):\n    return data\n"


@pytest.fixture(autouse=True)
def _private_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


def files(index_url: str, python: str, *pip: str) -> dict[str, str | bytes]:
    conda = "\n".join(["dependencies:", f"  - python={python}", "  - pip", "  - pip:",
                       f"      - --index-url {index_url}", *[f"      - {p}" for p in pip]]) + "\n"
    return {"deployment.yml": DEPLOYMENT, "env/conda.yml": conda, "src/score.py": SCORE}


def test_unresolvable_environment_is_located_on_the_culprits(lint: LintFn, index_url: str) -> None:
    found = lint(files(index_url, "3.10", "oldlib==1.0", "newlib"), rule="AML505", resolve=True)
    assert [(f.path, f.line, f.severity.label) for f in found] == [
        ("env/conda.yml", 6, "error"), ("env/conda.yml", 7, "error")]
    assert found[0].message.startswith("'oldlib==1.0': could not resolve for Python 3.10 (")
    assert "numpy<2" in found[0].message


def test_requires_python_mismatch_is_reported(lint: LintFn, index_url: str) -> None:
    found = lint(files(index_url, "3.10", "modern"), rule="AML505", resolve=True)
    assert [f.line for f in found] == [6]
    assert "3.11" in found[0].message


def test_resolvable_environment_passes_and_says_what_was_resolved(lint: LintFn, index_url: str) -> None:
    found = lint(files(index_url, "3.10", "pandas"), rule="AML505", resolve=True)
    assert [(f.path, f.line, f.severity.label) for f in found] == [("env/conda.yml", 0, "info")]
    assert found[0].message.startswith("resolved 3 packages for Python 3.10 in ")


def test_without_resolve_nothing_is_resolved(lint: LintFn, index_url: str, tmp_path: Path) -> None:
    assert lint(files(index_url, "3.10", "no-such-package"), rule="AML505") == []


def test_resolved_set_drives_the_transitive_check(lint: LintFn, index_url: str) -> None:
    # 'server' and 'schema-lib' are unknown to the offline data: only the resolution knows
    # that schema-lib[numpy-support] brings numpy and pandas brings python-dateutil.
    found = lint(files(index_url, "3.10", "server", "schema-lib[numpy-support]", "pandas"),
                 resolve=True)
    by_rule = {(f.rule_id, f.line) for f in found if f.rule_id.startswith("AML5")}
    assert by_rule == {("AML502", 1), ("AML502", 2), ("AML505", 0)}  # 505: the info line
    numpy = next(f for f in found if f.rule_id == "AML502" and f.line == 1)
    assert "declare numpy" in numpy.message
