"""The marker masks shipped in requires.json say what packaging's Marker.evaluate says, and the
closure built on them is cached, read-only and total."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.markers import Marker
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from aml_lint.knowledge import deps, markers


def _requires() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("aml_lint.knowledge").joinpath("requires.json").read_bytes())
    return data


def _target(python: tuple[int, int], extra: str) -> dict[str, str]:
    """Linux x86_64 CPython, written out here rather than taken from markers.py."""
    v = f"{python[0]}.{python[1]}"
    return {
        "python_version": v, "python_full_version": f"{v}.0", "implementation_name": "cpython",
        "platform_python_implementation": "CPython", "sys_platform": "linux",
        "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix",
        "platform_release": "", "platform_version": "", "implementation_version": f"{v}.0",
        "extra": extra,
    }


def test_every_shipped_marker_mask_agrees_with_packaging() -> None:
    data = _requires()
    lo, hi = data["marker_minors"]
    used = {r[3] for dist in data["dists"].values() for r in dist["requires"] if r[3]}
    assert used and set(data["markers"]) == used  # every marker of the table, nothing else
    checked = 0
    for text, masks in data["markers"].items():
        assert masks is not None, text  # none of today's markers needs run-time evaluation
        marker = Marker(text)
        named = markers.mentioned_extras(text)
        assert named is not None and set(masks) == {"", *named}
        # an extra the marker does not name must behave as no extra at all
        for extra in (*masks, "zz-not-an-extra-of-anything"):
            for minor in range(lo, hi + 1):
                expected = marker.evaluate(_target((3, minor), extra))
                stored = masks.get(extra, masks[""])
                assert bool(stored >> (minor - lo) & 1) == expected, (text, extra, minor)
                checked += 1
    assert checked > 8 * len(data["markers"])


def test_every_shipped_python_fit_agrees_with_requires_python() -> None:
    data = _requires()
    lo, hi = data["marker_minors"]
    for name, dist in data["dists"].items():
        fits = dist["python_fits"]
        assert len(fits) == hi - lo + 1
        for k, minor in enumerate(range(lo, hi + 1)):
            python = Version(deps.full_version((3, minor)))  # the newest patch, never 3.x.0
            for i, text in enumerate(dist["requires_python"]):
                try:
                    expected = not text or SpecifierSet(text).contains(python, prereleases=True)
                except InvalidSpecifier:
                    expected = True
                assert bool(fits[k] >> i & 1) == expected, (name, dist["versions"][i], minor)


def test_every_shipped_specifier_fit_agrees_with_packaging() -> None:
    data = _requires()
    assert data["specifier_fits"]
    for name, fits in data["specifier_fits"].items():
        versions = data["dists"][name]["versions"]
        for text, mask in fits.items():
            spec = SpecifierSet(text)  # the table's specifiers all parse
            expected = [spec.contains(Version(v), prereleases=True) for v in versions]
            assert [bool(mask >> i & 1) for i in range(len(versions))] == expected, (name, text)


def test_marker_range_is_the_stdlib_range() -> None:
    # closure(python=None) means "every known Python": the stdlib table's range.
    assert _requires()["marker_minors"] == deps._table("stdlib.json")["minors"]


@pytest.mark.parametrize(("text", "expected"), [
    ('extra == "Numpy_Support"', frozenset({"numpy-support"})),
    ('python_version < "3.11" and (extra == "a" or extra != "b")', frozenset({"a", "b"})),
    ('python_version < "3.11"', frozenset()),
    ('sys_platform == "extra"', frozenset()),  # the word inside a literal is not the variable
    ('"a" in extra', None),
    ('extra in "abc"', None),
    ('"a" == extra', None),
    ('extra >= "a"', None),
])
def test_mentioned_extras(text: str, expected: frozenset[str] | None) -> None:
    assert markers.mentioned_extras(text) == expected


def test_masks_cover_named_extras_and_python() -> None:
    masks = markers.masks('python_version < "3.10" and extra == "x"', range(7, 15))
    assert masks == {"": 0, "x": 0b111}
    assert markers.masks('"x" in extra', range(7, 15)) is None
    # an unparsable marker: assume the dependency may be there
    assert markers.masks("python_version <<< 3", range(7, 9)) == {"": 0b11}


def test_python_outside_the_masks_is_evaluated() -> None:
    # anyio needs exceptiongroup below 3.11; 3.6 and 3.99 are outside the table's minors
    assert deps._python_bits((3, 6)) is None and deps._python_bits((3, 99)) is None
    assert deps._evaluate('python_version < "3.11"', (3, 6), frozenset())
    assert "exceptiongroup" not in deps.closure(["anyio"], (3, 99))
    # no anyio release the table holds installs on 3.6: unknown, not borrowed from a 3.8+ release
    assert deps.closure(["anyio"], (3, 6)).unknown == {"anyio"}


def test_closure_is_cached_and_read_only() -> None:
    a = deps.closure(["scikit-learn", "pandas"], (3, 10))
    assert deps.closure(("scikit-learn", "pandas", "pandas"), (3, 10)) is a
    with pytest.raises(TypeError):
        a.parent["evil"] = None  # type: ignore[index]
    with pytest.raises(AttributeError):
        a.unknown.add("evil")  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        a.declared = frozenset()  # type: ignore[misc]
    assert "evil" not in deps.closure(["scikit-learn", "pandas"], (3, 10))


def test_closure_keeps_declaration_order_for_ties() -> None:
    # numpy is one step from both: the first-declared package is the one shown
    assert deps.closure(["pandas", "scikit-learn"], (3, 10)).chain("numpy")[0] == "pandas"
    assert deps.closure(["scikit-learn", "pandas"], (3, 10)).chain("numpy")[0] == "scikit-learn"


def test_closure_copies_a_callers_parent_dict() -> None:
    parent: dict[str, str | None] = {"a": None}
    c = deps.Closure(frozenset({"a"}), parent)
    parent["b"] = "a"
    assert "b" not in c and c.dists == frozenset({"a"})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=6),
       st.sampled_from([None, (3, 6), (3, 8), (3, 12), (3, 14), (3, 99), (2, 7)]))
def test_closure_of_any_text_never_raises(declared: list[str], python: tuple[int, int] | None) -> None:
    c = deps.closure(declared, python)
    assert c.declared <= c.dists and c.unknown <= c.dists
    for dist in c.dists:
        assert c.chain(dist)[-1] == dist


requirement_like = st.builds(
    lambda name, extras, op, version, marker: f"{name}{extras}{op}{version}{marker}",
    st.sampled_from(["scikit-learn", "inference-schema", "azureml-inference-server-http", "anyio",
                     "torch", "x", "Pandas", ""]),
    st.sampled_from(["", "[numpy-support]", "[pandas_support,numpy-support]", "[", "[]"]),
    st.sampled_from(["", "==", ">=", "<", "~=", "===", "!=", " @ "]),
    st.text(alphabet="0123456789.*abrc+-", max_size=8),
    st.sampled_from(["", "; python_version < '3.9'", ";", "; extra == 'x'", "; os_name ~= '1'"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(requirement_like, max_size=4), st.sampled_from([None, (3, 8), (3, 12), (3, 99)]))
def test_closure_of_requirement_like_text_never_raises(
    declared: list[str], python: tuple[int, int] | None,
) -> None:
    c = deps.closure(declared, python)
    assert c.declared <= c.dists


def test_a_marker_without_masks_is_evaluated_at_run_time() -> None:
    req = deps._Req("d", frozenset(), "", '"fast" in extra and python_version < "3.10"', None)
    assert deps._applies(req, (3, 9), frozenset({"fastest"}))  # substring: no mask could say it
    assert not deps._applies(req, (3, 9), frozenset({"slow"}))
    assert not deps._applies(req, (3, 12), frozenset({"fastest"}))
    assert deps._applies(req, None, frozenset({"fastest"}))  # some known Python
    broken = deps._Req("d", frozenset(), "", "python_version <<< '3'", None)
    assert deps._applies(broken, (3, 10), frozenset())  # cannot evaluate: may be there
