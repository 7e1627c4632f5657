"""Placeholders of release pipelines are recognised in values; look-alikes are not."""

from __future__ import annotations

import pytest

from aml_lint.documents.placeholders import find_placeholder, is_placeholder


@pytest.mark.parametrize(("value", "found"), [
    ("{{ ENDPOINT }}", "{{ ENDPOINT }}"),
    ("{{endpoint_name}}-blue", "{{endpoint_name}}"),
    ("${MODEL_DIR}/model.pkl", "${MODEL_DIR}"),
    ("$CONDA_FILE", "$CONDA_FILE"),
    ("envs/$(environmentName).yml", "$(environmentName)"),
    ("#{deploymentName}#", "#{deploymentName}#"),
    ("__ENDPOINT_NAME__", "__ENDPOINT_NAME__"),
    ("<subscription-id>", "<subscription-id>"),
    ("/subscriptions/<SUB_ID>/resourceGroups/rg", "<SUB_ID>"),
    ("<% env %>-endpoint", "<% env %>"),
])
def test_placeholder_forms(value: str, found: str) -> None:
    assert find_placeholder(value) == found
    assert is_placeholder(value)


@pytest.mark.parametrize("value", [
    "${{inputs.data}}",            # AzureML's own expression syntax
    "${{parent.jobs.train.outputs.model}}",
    "numpy<2",                      # a pip specifier
    "numpy>=1.20,<2",
    "__init__.py",                  # a Python dunder
    "my_model__v2",
    "azureml:env@latest",
    "./score.py",
    "price is 5$",
    "",
])
def test_not_placeholders(value: str) -> None:
    assert find_placeholder(value) is None
    assert not is_placeholder(value)


def test_non_strings_are_never_placeholders() -> None:
    assert not is_placeholder(3)
    assert not is_placeholder(None)
    assert not is_placeholder({"{{ x }}": 1})


def test_whole_and_delimited_placeholders() -> None:
    from aml_lint.documents.placeholders import (
        find_delimited_placeholder,
        is_whole_placeholder,
        strip_placeholders,
    )

    assert is_whole_placeholder(" $(db_password) ") and is_whole_placeholder("$TOKEN")
    assert not is_whole_placeholder("prefix-$(x)") and not is_whole_placeholder(None)
    # A bare `$word` inside a literal may be part of it (a password); delimited forms cannot.
    assert find_delimited_placeholder("pa$$word123") is None
    assert find_delimited_placeholder("AccountKey=#{key}#") == "#{key}#"
    assert strip_placeholders("https://u:$(PAT)@feed/simple") == "https://u:@feed/simple"
    assert strip_placeholders("pa$$word123") == "pa$$word123"


def test_template_syntax_outside_comments_only() -> None:
    from aml_lint.documents.placeholders import find_template_syntax, has_control_tags, render

    text = "# run with <SUB_ID>\nname: blue  # or {{ color }}\nendpoint: {{ name }}-prod\n"
    assert find_template_syntax(text) == ("{{ name }}", 3, 11)
    assert find_template_syntax("# <SUB_ID>\nname: blue\n") is None
    assert find_template_syntax("name: #{name}#\n") == ("#{name}#", 1, 7)  # replace-tokens is not a comment
    assert render(text) == "# run with <SUB_ID>\nname: blue  # or {{ color }}\nendpoint: placeholder-prod\n"
    assert render("{% if prod %}\nname: a\n{% endif %}\n") == "\nname: a\n\n"
    assert has_control_tags("{% if prod %}\nname: a\n") and not has_control_tags("# {% if %}\nname: a\n")


def test_documentation_placeholder_with_inner_spaces() -> None:
    # `environment: < your environment name >` in a public sample job: a value to fill in, not a name
    assert find_placeholder("< your environment name >") == "< your environment name >"
    assert find_placeholder("numpy< 2") is None
    assert find_placeholder("a < b") is None
