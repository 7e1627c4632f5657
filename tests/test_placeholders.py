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
