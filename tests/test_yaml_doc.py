from __future__ import annotations

import pytest

from aml_lint.documents.yaml_doc import MAX_DEPTH, YamlReadError, load_yaml


def test_positions_of_keys_and_values() -> None:
    doc = load_yaml("name: blue\nenvironment:\n  conda_file: env.yml\n  image: img:1\n")
    assert doc.data == {"name": "blue", "environment": {"conda_file": "env.yml", "image": "img:1"}}
    assert doc.loc(("environment", "conda_file")).line == 3
    assert doc.loc(("environment", "conda_file")).col == 15
    assert doc.loc(("environment", "conda_file"), key=True).col == 3
    # A path that does not exist falls back to the nearest ancestor.
    assert doc.loc(("environment", "nope")).line == 2


def test_duplicate_keys_are_recorded_and_last_wins() -> None:
    doc = load_yaml("a: 1\nb: 2\na: 3\n")
    assert doc.data == {"a": 3, "b": 2}
    assert len(doc.duplicates) == 1
    dup = doc.duplicates[0]
    assert (dup.key, dup.first.line, dup.again.line) == ("a", 1, 3)


def test_scalars_keep_yaml_types_and_dates_stay_text() -> None:
    doc = load_yaml("count: 3\nratio: 0.5\nenabled: true\nwhen: 2024-01-01\nversion: '1'\n")
    assert doc.data == {"count": 3, "ratio": 0.5, "enabled": True, "when": "2024-01-01", "version": "1"}


def test_merge_keys() -> None:
    doc = load_yaml("base: &b {x: 1, y: 2}\nchild:\n  <<: *b\n  y: 3\n")
    assert doc.data["child"] == {"x": 1, "y": 3}


def test_syntax_error_has_a_location() -> None:
    with pytest.raises(YamlReadError) as info:
        load_yaml("dependencies:\n  - python=3.10\n - pip\n")
    assert info.value.location.line == 3
    assert "invalid YAML" in str(info.value)


def test_alias_bomb_is_refused() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    with pytest.raises(YamlReadError, match="alias bomb"):
        load_yaml("\n".join(lines) + "\n")


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(YamlReadError, match="nested"):
        load_yaml("[" * (MAX_DEPTH + 50) + "]" * (MAX_DEPTH + 50))


def test_empty_document() -> None:
    assert load_yaml("").data is None


def test_placeholders_that_yaml_reads_as_something_else_are_kept_as_text() -> None:
    from aml_lint.documents.yaml_doc import load_yaml

    doc = load_yaml("name: {{ name }}\ntimeout: #{timeout}#\nitems:\n  - #{pkg}#\nempty:  # a comment\n"
                    "flow: {a: 1}\n")
    # Unquoted `{{ name }}` is a flow mapping to YAML and `#{x}#` a comment: both are placeholders.
    assert doc.data == {"name": "{{ name }}", "timeout": "#{timeout}#", "items": ["#{pkg}#"], "empty": None,
                        "flow": {"a": 1}}
    assert doc.placeholder(("name",)) == "{{ name }}" and doc.placeholder(("flow",)) is None


def test_missing_colon_is_reported_on_its_own_line() -> None:
    import pytest

    from aml_lint.documents.yaml_doc import YamlReadError, load_yaml

    # PyYAML's own mark is past the end of the file; the line at fault is the one without ':' or '- '.
    with pytest.raises(YamlReadError) as info:
        load_yaml("dependencies:\n  - pip\n  - pip:\n    numpy==1.26\n")
    assert info.value.location.line == 4 and "neither 'key: value' nor a list item" in str(info.value)
