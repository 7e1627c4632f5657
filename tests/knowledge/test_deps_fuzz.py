"""The query API takes anything a PR can contain without raising."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aml_lint.knowledge import deps

identifier = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)
dotted = st.lists(identifier, min_size=1, max_size=5).map(".".join)


@settings(max_examples=200, deadline=None)
@given(dotted)
def test_import_candidates_total(module: str) -> None:
    cands = deps.import_candidates(module)
    assert cands.module == module
    assert all(d == deps.normalize(d) for d in cands.dists)
    assert cands.namespace == (cands.dists == ())


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.sampled_from([None, (3, 7), (3, 12), (3, 14), (3, 99)]))
def test_text_inputs_never_raise(text: str, python: tuple[int, int] | None) -> None:
    deps.conda_to_pypi(text)
    deps.parse_python(text)
    deps.parse_python_pin(text)
    deps.closure([text, "scikit-learn"], python)
    if python is not None:
        deps.pin_supports_python(text, python)
        deps.specifier_supports_python("numpy", text, python)
        deps.is_removed_stdlib(text, python)
