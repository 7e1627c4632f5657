"""Property tests: every document reader takes any text without an undocumented exception.

The YAML reader may raise ``YamlReadError`` (that is its contract: it becomes an
AML0xx finding); the requirements, conda, Dockerfile and Python readers raise
nothing. The engine test puts generated files in a repository and lints it with
every rule: no internal error, whatever the file says.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from readers import FILE_NAMES, KINDS, exercise, lint_one, texts

from aml_lint.report import text as text_report


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_reader_takes_any_text(kind: str, data: st.DataObject) -> None:
    exercise(kind, data.draw(texts(kind)))


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_engine_takes_any_file(kind: str, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(FILE_NAMES[kind]))
    result = lint_one(kind, name, data.draw(texts(kind)))
    assert not result.internal_errors, result.internal_errors


@given(st.one_of(st.text(), st.lists(st.sampled_from(["#", "[", "vso", "VSO", ":", " ", "\n", "x"])).map("".join)))
def test_terminal_clean_leaves_no_control_character(value: str) -> None:
    """text.clean: what reaches the terminal has no escape, CR, C1 control or bidi override,
    and stays one line; printable text is kept."""
    cleaned = text_report.clean(value)
    assert "\n" not in cleaned and "\r" not in cleaned and "\x1b" not in cleaned
    assert not any(0x80 <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069
                   for c in cleaned)
    assert not re.search(r"(?i)##(\[|vso\[)", cleaned)  # no runner / agent command in a CI log
    assert not text_report.line_start(value).lstrip().startswith("::")
    kept = [c for c in value if c.isalnum()]
    assert all(c in cleaned for c in kept)


# Crashes found by fuzz_readers.py runs (reduced by hand), kept as regressions.
@pytest.mark.parametrize(
    ("kind", "name", "text"),
    [
        # packaging raises InvalidSpecifier (not InvalidRequirement) for this '===' list.
        ("requirements", "requirements.txt", "numpy\nx===1,/y\nm390===#f'{,/proc/self/environ\n"),
        # AML218: a COPY source over NAME_MAX made Path.exists() raise OSError.
        ("dockerfile", "Dockerfile", "FROM python:3.11\nCOPY " + "f'{" * 200 + " /dst\n"),
    ],
    ids=["invalid-specifier", "overlong-copy-source"],
)
def test_fuzz_regressions(kind: str, name: str, text: str) -> None:
    exercise(kind, text)
    result = lint_one(kind, name, text)
    assert not result.internal_errors, result.internal_errors
