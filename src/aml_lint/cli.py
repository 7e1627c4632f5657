"""Command line: argument parsing only; everything else lives in the engine and reporters.

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage or
configuration error. A crash is a bug, never a lint result.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from aml_lint import __version__

if TYPE_CHECKING:
    from aml_lint.config import Settings
    from aml_lint.findings import LintResult
    from aml_lint.fixing import FixRun

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"aml-lint: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="aml-lint", description="Static checks for AzureML environments, deployments "
                     "and scoring scripts.")
    parser.add_argument("--version", action="version", version=f"aml-lint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="lint files and folders (default: .)")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    check.add_argument("--format", choices=("text", "json", "sarif", "github", "azure"), default="text")
    check.add_argument("--output", "-o", type=Path, help="write the report to FILE instead of stdout")
    check.add_argument("--config", type=Path, help="config file (default: .aml-lint.yml or pyproject.toml)")
    check.add_argument("--select", help="comma-separated rule ids or prefixes to run")
    check.add_argument("--ignore", help="comma-separated rule ids or prefixes to skip")
    check.add_argument("--fail-on", choices=("error", "warning", "never"))
    scope = check.add_mutually_exclusive_group()
    scope.add_argument("--changed-files", type=Path, metavar="FILE",
                       help="report only on these files (one path per line) and the files linked to them")
    scope.add_argument("--changed-since", metavar="GIT_REF",
                       help="report only on files changed since GIT_REF (merge base) and their links")
    check.add_argument("--resolve", action="store_true", default=None,
                       help="resolve pip requirements for real (network; opt-in)")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    check.add_argument("--fix", action="store_true",
                       help="apply the safe fixes, then report what is left")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="with --fix or --diff: also apply the fixes a reviewer must judge")
    check.add_argument("--diff", action="store_true",
                       help="print the fixes as a unified diff and write nothing (exit 1 when there is one)")

    rules = sub.add_parser("rules", help="list the rules, or explain one")
    rules.add_argument("rule", nargs="?", help="rule id or name, e.g. AML101")

    ci = sub.add_parser("ci", help="run as a CI step: annotate, summarize, comment")
    ci.add_argument("platform", choices=("github", "azure"))
    ci.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def main(argv: list[str] | None = None) -> int:
    _never_fail_on_output()
    args = build_parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "rules":
            return _rules(args.rule)
        if args.command == "ci":
            if args.platform == "github":
                from aml_lint.ci.github import main as github_main

                return github_main(args.args)
            from aml_lint.ci.azure import main as azure_main

            return azure_main(args.args)
    except KeyboardInterrupt:
        return 130
    except Exception:  # a bug in aml-lint: say so, never let it pass for a lint result (exit 1)
        import traceback

        from aml_lint.report.text import line_start

        sys.stderr.write("aml-lint: internal error (a bug in aml-lint, please report it with this trace):\n")
        # The exception may quote repository text: one clean line each, never a CI command.
        for line in traceback.format_exc().splitlines():
            sys.stderr.write(line_start(line) + "\n")
        return EXIT_USAGE
    build_parser().print_help()
    return EXIT_USAGE


def _never_fail_on_output() -> None:
    """File names are any bytes and messages any text, but stdout may be strict ASCII,
    cp1252 (Windows agents) or UTF-8 without surrogateescape: show what the console cannot
    encode as escapes instead of dying with UnicodeEncodeError. Warnings are printed as one
    clean line too, so none can carry a CI command."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    import warnings

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: object = None, line: str | None = None) -> None:
        # A library warning may quote repository text (a file name, a value): one clean line.
        from aml_lint.report.text import line_start

        sys.stderr.write(line_start(f"{filename}:{lineno}: {category.__name__}: {message}") + "\n")

    warnings.showwarning = show


def _check(args: argparse.Namespace) -> int:
    from aml_lint.config import ConfigError, build_settings
    from aml_lint.engine import run
    from aml_lint.report import render
    from aml_lint.report.text import clean
    from aml_lint.workspace import GitError, find_root, read_changed_files_list

    paths: list[Path] = args.paths or [Path(".")]
    for path in paths:
        if not path.exists():
            sys.stderr.write(f"aml-lint: error: {path} does not exist\n")
            return EXIT_USAGE
    root = find_root(paths[0])
    try:
        changed: frozenset[str] | None = None
        if args.changed_files is None and not args.changed_since and any(p.is_file() for p in paths):
            # Files named on the command line (what pre-commit passes) are checked with what links
            # to them, as --changed-files does: the deployment naming a script's environment.
            from aml_lint.scope import explicit_scope

            root, changed = explicit_scope(paths)
            paths = [root]
        elif args.changed_files is not None:
            if not args.changed_files.is_file():
                raise ConfigError(f"--changed-files: {args.changed_files} does not exist")
            changed = frozenset(_normalise(p, root) for p in read_changed_files_list(args.changed_files))
        elif args.changed_since:
            from aml_lint.workspace import git_changed_files
            changed = frozenset(git_changed_files(root, args.changed_since))
        settings = build_settings(root, paths=[p.absolute() for p in paths], config=args.config,
                                  select=args.select, ignore=args.ignore, fail_on=args.fail_on,
                                  changed_files=changed, resolve=args.resolve)
    except (ConfigError, GitError) as exc:
        sys.stderr.write(f"aml-lint: error: {clean(str(exc))}\n")  # quotes repository text
        return EXIT_USAGE
    if args.fix or args.diff:
        from aml_lint.fixing import fix_project

        fixing = fix_project(settings, unsafe=args.unsafe_fixes)
        if args.diff:
            return _show_diff(fixing)
        result = _write_fixes(fixing, settings)
    else:
        result = run(settings)
    color = args.color == "always" or (args.color == "auto" and args.output is None and sys.stdout.isatty()
                                       and "NO_COLOR" not in os.environ)
    output = render(result, args.format, color=color, unsafe_fixes=args.unsafe_fixes)
    if args.output is not None:
        try:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(output, encoding="utf-8")
        except OSError as exc:
            sys.stderr.write(f"aml-lint: error: cannot write {args.output}: {exc.strerror or exc}\n")
            return EXIT_USAGE
        if args.format != "text":
            sys.stdout.write(render(result, "text", color=color, unsafe_fixes=args.unsafe_fixes))
    else:
        sys.stdout.write(output)
    for error in result.internal_errors:
        sys.stderr.write(f"aml-lint: internal error (a bug, please report it): {clean(error)}\n")
    if result.internal_errors:
        return EXIT_USAGE
    worst = result.worst()
    return EXIT_FINDINGS if worst is not None and settings.fails(worst) else EXIT_OK


def _show_diff(fixing: FixRun) -> int:
    """``--diff``: the diff on stdout, what it would do on stderr; exit 1 when it would change a file."""
    from aml_lint.fixing import unified_diff
    from aml_lint.report.text import clean

    sys.stdout.write(unified_diff(fixing))
    for note in fixing.skipped:
        sys.stderr.write(f"aml-lint: {clean(note)}\n")
    for error in fixing.result.internal_errors:
        sys.stderr.write(f"aml-lint: internal error (a bug, please report it): {clean(error)}\n")
    changed = fixing.changed
    if changed:
        count = len(fixing.fixed)
        sys.stderr.write(f"aml-lint: would fix {count} finding{'s' * (count != 1)} in {len(changed)} "
                         f"file{'s' * (len(changed) != 1)}\n")
    else:
        sys.stderr.write("aml-lint: nothing to fix\n")
    if fixing.result.internal_errors:
        return EXIT_USAGE
    return EXIT_FINDINGS if changed else EXIT_OK


def _write_fixes(fixing: FixRun, settings: Settings) -> LintResult:
    """``--fix``: write the fixed files, and the lint of what is left (with a note of what was done)."""
    from aml_lint.engine import run
    from aml_lint.fixing import write_fixes

    write_fixes(fixing, settings.root)
    written = set(fixing.written)
    result = fixing.result
    if set(fixing.changed) != written:
        result = run(settings)  # a file was left as it was: report on the disk, not on the fixed text
    fixed = [f for f in fixing.fixed if f.fix is not None and set(f.fix.paths) <= written]
    notes = list(fixing.skipped)
    if fixed:
        notes.insert(0, f"fixed {len(fixed)} finding{'s' * (len(fixed) != 1)} in {len(written)} "
                        f"file{'s' * (len(written) != 1)}")
    result.notes[:0] = notes
    return result


def _normalise(path: str, root: Path) -> str:
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.relative_to(root).as_posix()
        except ValueError:
            return candidate.as_posix()
    return Path(os.path.normpath(path)).as_posix()


def _rules(key: str | None) -> int:
    from aml_lint.fixing import rule_fix
    from aml_lint.rules import all_rules, find_rule

    if key:
        rule = find_rule(key)
        if rule is None:
            sys.stderr.write(f"aml-lint: error: no rule {key!r} (see 'aml-lint rules')\n")
            return EXIT_USAGE
        info = rule.info
        fix = rule_fix(rule.module)
        fixable = f"; fix: {fix}" if fix else ""
        sys.stdout.write(f"{info.id} {info.name} ({info.severity.label}{fixable})\n\n{info.doc}\n")
        return EXIT_OK
    for rule in all_rules():
        info = rule.info
        # The fix column: whether --fix can mend it, and whether that fix is safe (ruff's convention).
        fix = rule_fix(rule.module)
        column = f"{fix.replace(' or ', '/')} fix" if fix else "-"
        sys.stdout.write(f"{info.id:8} {info.severity.label:8} {column:16} {info.name:32} {info.summary}\n")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
