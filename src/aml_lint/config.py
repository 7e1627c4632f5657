"""Config file + command-line flags -> one Settings object.

The config lives in ``.aml-lint.yml`` (or ``.aml-lint.yaml``) at the repository
root, or in ``[tool.aml-lint]`` of ``pyproject.toml``. Keys::

    select: [AML3, AML101]      # rule ids or id prefixes to run (default: all)
    ignore: [AML213]            # rule ids or prefixes to skip
    fail-on: error              # error | warning | never
    exclude: ["legacy/**"]      # globs (repository-relative) never linted
    severity: {AML213: error}   # per-rule severity overrides (error|warning|info|off)
    links:                      # for repos that deploy from Python code
      - script: src/score.py
        environment: envs/conda.yml

Flags given on the command line win over the file.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from aml_lint.findings import Severity
from aml_lint.workspace import is_inside

CONFIG_NAMES = (".aml-lint.yml", ".aml-lint.yaml")
FAIL_ON_CHOICES = ("error", "warning", "never")
KNOWN_KEYS = {"select", "ignore", "fail-on", "fail_on", "exclude", "severity", "links", "resolve"}


class ConfigError(Exception):
    """A usage or configuration problem: exit code 2, with this message."""


@dataclass(frozen=True)
class ExplicitLink:
    script: str
    environment: str


@dataclass
class Settings:
    root: Path
    paths: list[Path] = field(default_factory=list)
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str = "error"
    exclude: tuple[str, ...] = ()
    severity_overrides: dict[str, Severity | None] = field(default_factory=dict)
    links: tuple[ExplicitLink, ...] = ()
    # None: report on everything found; otherwise repo-relative POSIX paths that changed.
    changed_files: frozenset[str] | None = None
    resolve: bool = False
    config_path: Path | None = None

    def rule_enabled(self, rule_id: str) -> bool:
        if self.select and not any(rule_id.startswith(p) for p in self.select):
            return False
        if any(rule_id.startswith(p) for p in self.ignore):
            return False
        return self.severity_overrides.get(rule_id, Severity.INFO) is not None

    def fails(self, severity: Severity) -> bool:
        if self.fail_on == "never":
            return False
        return severity >= Severity.parse(self.fail_on)


def split_rule_list(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    if not value:
        return ()
    items = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    return tuple(i.strip().upper() for i in items if i.strip())


def find_config(root: Path) -> Path | None:
    for name in CONFIG_NAMES:
        candidate = root / name
        if candidate.is_file():
            return _inside(candidate, root)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and _pyproject_section(_inside(pyproject, root)) is not None:
        return pyproject
    return None


def _inside(path: Path, root: Path) -> Path:
    """A config found in the repository is repository content: a symlink out of it is not
    followed (its keys would be echoed in error messages)."""
    if not is_inside(path, root):
        raise ConfigError(f"{path.name} is a symlink to a file outside the repository; not read")
    return path


def _pyproject_section(path: Path) -> dict[str, Any] | None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read pyproject.toml: {exc}") from None
    section = data.get("tool", {}).get("aml-lint")
    return section if isinstance(section, dict) else None


def read_config_file(path: Path) -> dict[str, Any]:
    if path.name == "pyproject.toml":
        return _pyproject_section(path) or {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML in config: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be a mapping of keys (select, ignore, ...)")
    return data


def _apply_file(settings: Settings, data: dict[str, Any], source: Path) -> None:
    unknown = sorted(set(map(str, data)) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(
            f"{source}: unknown config key(s): {', '.join(unknown)} "
            f"(known: {', '.join(sorted(KNOWN_KEYS - {'fail_on'}))})"
        )
    settings.select = split_rule_list(data.get("select"))
    settings.ignore = split_rule_list(data.get("ignore"))
    fail_on = data.get("fail-on", data.get("fail_on"))
    if fail_on is not None:
        settings.fail_on = _check_fail_on(str(fail_on), source)
    exclude = data.get("exclude") or []
    if isinstance(exclude, str):
        exclude = [exclude]
    if not isinstance(exclude, list):
        raise ConfigError(f"{source}: 'exclude' must be a list of globs")
    settings.exclude = tuple(str(e) for e in exclude)
    severity = data.get("severity") or {}
    if not isinstance(severity, dict):
        raise ConfigError(f"{source}: 'severity' must map rule ids to error|warning|info|off")
    for rule_id, level in severity.items():
        settings.severity_overrides[str(rule_id).upper()] = _parse_level(level, source)
    links = data.get("links") or []
    if not isinstance(links, list):
        raise ConfigError(f"{source}: 'links' must be a list of {{script, environment}} entries")
    parsed: list[ExplicitLink] = []
    for entry in links:
        if not isinstance(entry, dict) or not {"script", "environment"} <= set(entry):
            raise ConfigError(f"{source}: each entry of 'links' needs 'script' and 'environment'")
        for key in ("script", "environment"):
            # The config is repository content: its paths may not lead out of the repository.
            if not is_inside(settings.root / str(entry[key]), settings.root):
                raise ConfigError(f"{source}: links {key} {str(entry[key])!r} leads outside the repository")
        parsed.append(ExplicitLink(str(entry["script"]), str(entry["environment"])))
    settings.links = tuple(parsed)
    if data.get("resolve") is not None:
        settings.resolve = bool(data["resolve"])


def _parse_level(level: object, source: Path) -> Severity | None:
    text = str(level).strip().lower()
    if text in ("off", "false", "none", "disable", "disabled"):
        return None
    try:
        return Severity.parse(text)
    except ValueError:
        raise ConfigError(f"{source}: severity {level!r} is not error, warning, info or off") from None


def _check_fail_on(value: str, source: Path | str) -> str:
    value = value.strip().lower()
    if value not in FAIL_ON_CHOICES:
        raise ConfigError(f"{source}: fail-on must be one of {', '.join(FAIL_ON_CHOICES)}, not {value!r}")
    return value


def build_settings(
    root: Path,
    paths: list[Path] | None = None,
    config: Path | None = None,
    select: str | None = None,
    ignore: str | None = None,
    fail_on: str | None = None,
    changed_files: frozenset[str] | None = None,
    resolve: bool | None = None,
) -> Settings:
    """Merge the config file (explicit or found at ``root``) with flags."""
    settings = Settings(root=root.resolve(), paths=list(paths or [root]))
    config_path = config if config is not None else find_config(settings.root)
    if config is not None and not config.is_file():
        raise ConfigError(f"config file {config} does not exist")
    if config_path is not None:
        _apply_file(settings, read_config_file(config_path), config_path)
        settings.config_path = config_path
    if select:
        settings.select = split_rule_list(select)
    if ignore:
        settings.ignore = settings.ignore + split_rule_list(ignore)
    if fail_on:
        settings.fail_on = _check_fail_on(fail_on, "--fail-on")
    if resolve is not None:
        settings.resolve = resolve
    settings.changed_files = changed_files
    return settings
