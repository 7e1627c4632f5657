"""Helpers both CI commands use: inputs from the environment, paths, settings, exit status."""

from __future__ import annotations

from pathlib import Path

import pytest

from aml_lint.ci.common import (
    changed_from_git,
    choice,
    env_input,
    exit_status,
    output_path,
    paths_in_root,
    redact,
    settings_for,
    split_list,
)
from aml_lint.config import ConfigError
from aml_lint.findings import Finding, LintResult, Location, Severity


@pytest.mark.parametrize(
    "env",
    [
        {"INPUT_FAIL-ON": "warning"},  # what the GitHub runner passes to Docker actions
        {"INPUT_FAIL_ON": "warning"},  # action.yml's runs.env copy, and other runners
        {"INPUT_FAIL-ON": "   ", "INPUT_FAIL_ON": "warning"},  # blank counts as unset
    ],
)
def test_env_input_either_spelling(env: dict[str, str]) -> None:
    assert env_input(env, "fail-on", "error") == "warning"


def test_env_input_default() -> None:
    assert env_input({}, "fail-on", "error") == "error"


def test_split_list() -> None:
    assert split_list("a, b\n\n# comment\nc/d\r\ne") == ["a", "b", "c/d", "e"]
    assert split_list("") == []


def test_choice() -> None:
    assert choice(" Always ", ("auto", "always", "never"), "comment") == "always"
    with pytest.raises(ConfigError, match="comment must be one of auto, always, never, not 'loud'"):
        choice("loud", ("auto", "always", "never"), "comment")


def test_paths_in_root(tmp_path: Path) -> None:
    (tmp_path / "envs").mkdir()
    assert paths_in_root(tmp_path, ["envs"]) == [tmp_path / "envs"]
    assert paths_in_root(tmp_path, []) == [tmp_path]
    with pytest.raises(ConfigError, match="outside the repository"):
        paths_in_root(tmp_path, ["../elsewhere"])
    with pytest.raises(ConfigError, match="does not exist"):
        paths_in_root(tmp_path, ["nope"])


def test_output_path(tmp_path: Path) -> None:
    assert output_path(tmp_path, "out/a.sarif") == tmp_path / "out/a.sarif"
    assert output_path(tmp_path, "/abs/a.sarif") == Path("/abs/a.sarif")


def test_settings_for_bad_fail_on(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        settings_for(tmp_path, paths=["."], fail_on="sometimes")


def test_settings_for_missing_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        settings_for(tmp_path, paths=["."], config="nope.yml")


def test_exit_status_follows_fail_on(tmp_path: Path) -> None:
    warning = LintResult([Finding("AML1", Severity.WARNING, "m", "a.yml", Location(1))], {})
    assert exit_status(settings_for(tmp_path, paths=["."], fail_on="error"), warning) == 0
    assert exit_status(settings_for(tmp_path, paths=["."], fail_on="warning"), warning) == 1
    assert exit_status(settings_for(tmp_path, paths=["."], fail_on="never"), warning) == 0
    assert exit_status(settings_for(tmp_path, paths=["."]), LintResult([], {})) == 0


def test_changed_from_git_outside_a_repository(tmp_path: Path) -> None:
    found = changed_from_git(tmp_path, "HEAD~1", "HEAD")
    assert found.files is None and "fetch-depth: 0" in found.note


def test_redact() -> None:
    assert (
        redact("Authorization: token ghs_abcdef", ["ghs_abcdef", ""]) == "Authorization: token ***"
    )


def test_config_cannot_switch_on_resolve_or_lose_its_fail_on_in_ci(tmp_path: Path) -> None:
    from aml_lint.ci.common import settings_for
    from aml_lint.ci.github import read_inputs

    (tmp_path / ".aml-lint.yml").write_text("resolve: true\nfail-on: warning\n")
    inputs = read_inputs({"INPUT_FAIL-ON": "", "INPUT_RESOLVE": ""})
    settings = settings_for(tmp_path, paths=["."], fail_on=inputs.fail_on, resolve=inputs.resolve)
    assert settings.resolve is False  # pull-request text cannot make CI contact package indexes
    assert settings.fail_on == "warning"  # a blank input leaves the config's fail-on alone
    inputs = read_inputs({"INPUT_FAIL-ON": "never", "INPUT_RESOLVE": "true"})
    settings = settings_for(tmp_path, paths=["."], fail_on=inputs.fail_on, resolve=inputs.resolve)
    assert (settings.resolve, settings.fail_on) == (True, "never")


def test_starts_with_bom(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from aml_lint.ci.common import starts_with_bom

    (tmp_path / "bom.yml").write_bytes(b"\xef\xbb\xbfa: 1\n")
    (tmp_path / "plain.yml").write_bytes(b"a: 1\n")
    assert starts_with_bom(tmp_path, "bom.yml") and not starts_with_bom(tmp_path, "plain.yml")
    assert starts_with_bom(tmp_path, "missing.yml")  # unreadable: no suggestion either
