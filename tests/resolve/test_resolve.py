"""Online resolution against a PEP 503 index on 127.0.0.1 built from tiny wheels (conftest.py).

Both resolvers are exercised: pip (it ships with Python) and uv (a test dependency, found on PATH
or beside sys.executable; a missing uv fails the uv cases instead of skipping them).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from local_index import index_url_fixture, uv_on_path_fixture  # noqa: F401  (fixtures)

from aml_lint import resolve
from aml_lint.knowledge import deps


@pytest.fixture(params=["pip", "uv"])
def tool(request: pytest.FixtureRequest) -> str:
    """Each resolver in turn; uv is put on PATH wherever the test dependency installed it."""
    if request.param == "uv":
        request.getfixturevalue("uv_on_path")
    return str(request.param)


def _resolve(reqs: list[str], tool: str, index_url: str, tmp_path: Path,
             python: tuple[int, int] = (3, 10), **kw: object) -> resolve.Resolution:
    return resolve.resolve(reqs, python, tool=tool, index_url=index_url, cache_dir=tmp_path,
                           timeout=120, **kw)  # type: ignore[arg-type]


def test_success_gives_the_exact_installed_set(tool: str, index_url: str, tmp_path: Path) -> None:
    result = _resolve(["pandas"], tool, index_url, tmp_path)
    assert result.ok, result.reason
    assert result.tool == tool
    assert result.installed == {"pandas": "1.0", "numpy": "2.0", "python-dateutil": "2.0"}
    assert result.describe().startswith("resolved 3 packages for Python 3.10 in ")
    assert result.describe().endswith(f" s ({tool})")


def test_conflict_names_both_requirements(tool: str, index_url: str, tmp_path: Path) -> None:
    result = _resolve(["oldlib==1.0", "newlib"], tool, index_url, tmp_path)
    assert not result.ok and result.kind == resolve.CONFLICT
    assert result.culprits == ("oldlib", "newlib")
    assert "numpy<2" in (result.reason or "") and "numpy>=2" in (result.reason or "")
    assert "-r " not in (result.reason or "")  # pip's file references are replaced by the requirement


def test_requires_python_mismatch(tool: str, index_url: str, tmp_path: Path) -> None:
    result = _resolve(["numpy", "modern"], tool, index_url, tmp_path)
    assert not result.ok and result.kind == resolve.REQUIRES_PYTHON
    assert result.culprits == ("modern",)
    assert "3.11" in (result.reason or "")
    # the same requirement resolves for a Python it supports
    ok = _resolve(["numpy", "modern"], tool, index_url, tmp_path, python=(3, 11))
    assert ok.ok and ok.installed["modern"] == "1.0"


def test_missing_package(tool: str, index_url: str, tmp_path: Path) -> None:
    result = _resolve(["numpy", "no-such-package"], tool, index_url, tmp_path)
    assert not result.ok and result.kind == resolve.NOT_FOUND
    assert result.culprits == ("no-such-package",)
    assert "could not resolve for Python 3.10" in result.describe()


def test_transitive_provider_via_extra(tool: str, index_url: str, tmp_path: Path) -> None:
    plain = _resolve(["server"], tool, index_url, tmp_path)
    assert plain.ok and set(plain.installed) == {"server", "schema-lib"}
    with_extra = _resolve(["server", "schema-lib[numpy-support]"], tool, index_url, tmp_path)
    assert with_extra.ok and with_extra.installed["numpy"] == "2.0"
    # what the import check then does with it: numpy is in the installed set, not declared
    declared = {"server", "schema-lib"}
    assert deps.providers("numpy", with_extra.installed) == ["numpy"]
    assert deps.providers("numpy", declared) == []


def test_results_are_cached_per_requirements_hash(tool: str, index_url: str, tmp_path: Path) -> None:
    first = _resolve(["pandas"], tool, index_url, tmp_path)
    assert not first.cached
    second = _resolve(["pandas"], tool, index_url, tmp_path)
    assert second.cached and second.installed == first.installed
    assert "cached" in second.describe()
    other = _resolve(["numpy"], tool, index_url, tmp_path)
    assert not other.cached and other.installed == {"numpy": "2.0"}
    assert len(list(tmp_path.glob("*.json"))) == 2


def test_timeout_is_reported_in_plain_words(index_url: str, tmp_path: Path) -> None:
    result = resolve.resolve(["pandas"], (3, 10), tool="pip", index_url=index_url,
                             cache_dir=tmp_path, timeout=0.01)
    assert not result.ok and result.kind == resolve.TIMEOUT
    assert "did not finish within" in (result.reason or "")
    assert not list(tmp_path.glob("*.json"))  # a timeout is not cached


def test_key_depends_on_requirements_python_tool_and_index() -> None:
    base = resolve.requirements_key(["a==1"], (3, 10), "pip", [""])
    assert base == resolve.requirements_key([" a==1 "], (3, 10), "pip", [""])
    assert len({base, resolve.requirements_key(["a==2"], (3, 10), "pip", [""]),
                resolve.requirements_key(["a==1"], (3, 11), "pip", [""]),
                resolve.requirements_key(["a==1"], (3, 10), "uv", [""]),
                resolve.requirements_key(["a==1"], (3, 10), "pip", ["http://x/"])}) == 5


def test_default_cache_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert resolve.default_cache_dir() == tmp_path / "aml-lint" / "resolve"


def test_unavailable_uv_is_a_reason_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(resolve, "find_uv", lambda: None)  # nor beside the interpreter
    result = resolve.resolve(["x"], (3, 10), tool="uv", use_cache=False)
    assert not result.ok and result.kind == resolve.UNAVAILABLE
    assert "neither uv nor pip" in (result.reason or "")


def test_culprits_match_names_not_substrings() -> None:
    reason = "Because numpy-extra was not found and you require numpy-extra, ..."
    assert resolve.culprits(reason, ["numpy", "numpy-extra==1", "# comment", "-r other.txt"]) == (
        "numpy-extra",)


def test_uv_resolves_a_source_only_package_and_says_so(index_url: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       uv_on_path: str) -> None:
    # Source builds run the package's code: only a pipeline may allow them (tests/hardening).
    monkeypatch.setenv(resolve.BUILD_SOURCES_VAR, "1")
    result = _resolve(["purelib"], "uv", index_url, tmp_path)
    assert result.ok, result.reason
    assert result.installed == {"purelib": "1.0", "numpy": "2.0"}
    assert result.from_source == ("purelib",)
    assert "source builds allowed for purelib" in result.describe()


def test_pip_explains_its_wheels_only_limit(index_url: str, tmp_path: Path) -> None:
    result = _resolve(["purelib"], "pip", index_url, tmp_path)
    assert not result.ok and result.kind == resolve.NOT_FOUND
    assert "considers wheels only" in (result.reason or "")


def test_condense_keeps_a_long_derivation_readable() -> None:
    steps = " ".join(
        f"({i}) Because lib=={i}.0 depends on dep>={i}, we can conclude that lib=={i}.0 cannot be used."
        for i in range(1, 60))
    text = (f"Because dep==1.0 has no usable wheels, we can conclude that dep>=1 cannot be used. {steps} "
            "And because you require lib, we can conclude that your requirements are unsatisfiable.")
    short = resolve.condense(text)
    assert len(short) <= 600
    assert short.startswith("Because dep==1.0 has no usable wheels")
    assert short.endswith("your requirements are unsatisfiable.")
    assert "(12)" not in short and "..." in short
    assert resolve.condense("Because a, b. And c.") == "Because a, b. And c."
