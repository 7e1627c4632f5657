"""tools/check_resolver_agreement.py against a local index built here from releases.json's own facts:
the table's verdicts and a real resolver's must agree (offline: the index is on 127.0.0.1)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from aml_lint.resolve import find_uv

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "resolve"))
from local_index import Dist, serve, write_index  # noqa: E402

from aml_lint.knowledge import deps  # noqa: E402
from lintkit import load_tool  # noqa: E402

tool = load_tool("check_resolver_agreement")
SERVER = "azureml-inference-server-http"
RELEASES = ("1.0.0", "1.1.0", "1.4.0")


def _stub_index(cases: list) -> list[Dist]:  # type: ignore[type-arg]
    """The server releases with their real Requires-Python and pydantic requirement, and every
    pydantic release the cases pin."""
    dists = []
    for version in RELEASES:
        reqs = deps.release_requires(SERVER, version) or ()
        dists.append(Dist(SERVER, version, tuple(r.text for r in reqs if r.name == "pydantic"),
                          requires_python=deps.release_requires_python(SERVER, deps.Version(version)) or None))
    pins = {req.split("==")[1] for c in cases for req in c.requirements if req.startswith("pydantic==")}
    dists += [Dist("pydantic", v) for v in sorted(pins)]
    return dists


@pytest.fixture(scope="module")
def index_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    cases = tool.server_pin_cases(RELEASES, packages=("pydantic",))
    root = tmp_path_factory.mktemp("agree-index")
    write_index(_stub_index(cases), root)
    with serve(root) as url:
        yield url


@pytest.mark.parametrize("resolver", ["pip", pytest.param("uv", marks=pytest.mark.skipif(
    find_uv() is None, reason="uv is not installed (pip install -e '.[dev]')"))])
def test_server_pin_verdicts_agree_with_the_resolver(index_url: str, resolver: str) -> None:
    cases = tool.server_pin_cases(RELEASES, packages=("pydantic",))
    # 1.0.0 accepts pydantic 1 and not 2; 1.1.0 the other way round; 1.4.0 only pydantic 2.9
    assert {(c.requirements[0].split("==")[1], c.requirements[1].split("==")[1][0], c.table) for c in cases} == {
        ("1.0.0", "1", True), ("1.0.0", "2", False), ("1.1.0", "2", True), ("1.1.0", "1", False),
        ("1.4.0", "2", True), ("1.4.0", "2", False)}
    outcomes = tool.run(cases, resolver, index_url, jobs=2)
    assert tool.summarize(outcomes) == {"server-pins": {"cases": 6, "agree": 6}}


def test_installability_agrees_with_pip(index_url: str) -> None:
    releases = [(SERVER, v) for v in RELEASES]
    cases = tool.installable_cases(pythons=[(3, 8), (3, 9)], releases=releases)
    assert [c.table for c in cases] == [True, True, True, True, False, True]  # 1.4.0 needs 3.9
    outcomes = tool.run(cases, "auto", index_url, jobs=2)
    assert tool.summarize(outcomes) == {"installable": {"cases": 6, "agree": 6}}


def test_a_wrong_table_is_caught(index_url: str) -> None:
    # the check can fail: a verdict flipped by hand disagrees with the resolver
    case = tool.installable_cases(pythons=[(3, 8)], releases=[(SERVER, "1.4.0")])[0]
    flipped = tool.Case(case.kind, case.requirements, case.python, not case.table)
    outcomes = tool.run([flipped], "pip", index_url, jobs=1)
    assert tool.summarize(outcomes)["installable"]["disagree"] == 1
