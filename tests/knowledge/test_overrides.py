"""Every hand-written entry of tools/knowledge_overrides.yaml, checked against the committed data
through the query API: a stale build or a lookup that shadows an override fails here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from aml_lint.knowledge import deps

OVERRIDES: dict[str, Any] = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "tools" / "knowledge_overrides.yaml").read_text()
)


@pytest.mark.parametrize(("module", "dists"), sorted(OVERRIDES["modules"].items()))
def test_module_override(module: str, dists: list[str]) -> None:
    cands = deps.import_candidates(module)
    assert cands.prefix == module
    assert list(cands.dists) == [deps.normalize(d) for d in dists]
    # a submodule resolves to the same entry unless a longer override exists
    sub = f"{module}.zz_submodule"
    assert deps.import_candidates(sub).dists == cands.dists


@pytest.mark.parametrize("namespace", sorted(OVERRIDES["namespaces"]))
def test_namespace_override(namespace: str) -> None:
    cands = deps.import_candidates(namespace)
    assert cands.dists == () or cands.prefix == namespace
    if cands.prefix is None:
        assert cands.namespace and cands.heuristic


@pytest.mark.parametrize(("module", "dists"), sorted(OVERRIDES["shims"].items()))
def test_shim_override(module: str, dists: list[str]) -> None:
    for dist in dists:
        assert deps.is_runtime_shim(f"{module}.aml_request", [dist])


@pytest.mark.parametrize(("module", "dists"), sorted(OVERRIDES["module_requires"].items()))
def test_module_requires_override(module: str, dists: list[str]) -> None:
    assert list(deps.import_candidates(module).requires) == dists


@pytest.mark.parametrize(("module", "dists"), sorted(OVERRIDES["backports"].items()))
def test_backport_override(module: str, dists: list[str]) -> None:
    assert deps.stdlib_removed_in(module) is not None, f"{module} was never removed from the stdlib"
    assert deps.backports(module) == [deps.normalize(d) for d in dists]


@pytest.mark.parametrize(("module", "dist"), [tuple(p) for p in OVERRIDES["exclude"]])
def test_exclude_override(module: str, dist: str) -> None:
    cands = deps.import_candidates(module)
    # no data entry maps the module to the excluded dist (identity guessing may still apply)
    assert cands.prefix != module or dist not in cands.dists


@pytest.mark.parametrize(("conda", "pypi"), sorted(OVERRIDES["conda"].items()))
def test_conda_override(conda: str, pypi: list[str]) -> None:
    assert deps.conda_to_pypi(conda) == pypi
