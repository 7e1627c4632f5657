"""The floor: read and parse every file of a repository once, in one process.

YAML with PyYAML's C loader (every document of the stream), ``.py`` with
``ast.parse``, every other file read (as bytes: models and images are binary). No linter can do less work than
this and still look at every file, so the bench reports aml-lint's time as a
multiple of it.

``--scan`` only reads every file's bytes (no decoding, no parsing): the cost of
the "text scan" a ``--changed-files`` run may afford over the whole repository.

    python bench/floor.py ROOT [--scan]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import warnings
from pathlib import Path

import yaml

SKIP_DIRS = frozenset({".git", "__pycache__", "node_modules", ".venv"})
YAML_SUFFIXES = (".yml", ".yaml")


def files_under(root: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        out.extend(Path(dirpath, name) for name in sorted(filenames))
    return out


def parse_all(root: Path) -> dict[str, int]:
    counts = {"yaml": 0, "python": 0, "other": 0, "errors": 0}
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        raise SystemExit("PyYAML was built without libyaml: the floor needs the C loader")
    warnings.simplefilter("ignore")  # SyntaxWarning from odd escapes in parsed code
    for path in files_under(root):
        suffix = path.suffix.lower()
        try:
            if suffix in YAML_SUFFIXES:
                text = path.read_text(encoding="utf-8")
                list(yaml.load_all(text, Loader=loader))  # noqa: S506 - CSafeLoader is the safe loader
                counts["yaml"] += 1
            elif suffix == ".py":
                ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
                counts["python"] += 1
            else:
                path.read_bytes()  # may be binary (models, images): read, nothing to decode
                counts["other"] += 1
        except (OSError, UnicodeDecodeError, yaml.YAMLError, SyntaxError, ValueError, RecursionError):
            counts["errors"] += 1
    return counts


def scan_all(root: Path) -> dict[str, int]:
    total = 0
    n = 0
    for path in files_under(root):
        try:
            total += len(path.read_bytes())
            n += 1
        except OSError:
            pass
    return {"files": n, "bytes": total}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="read and parse every file once")
    parser.add_argument("root", type=Path)
    parser.add_argument("--scan", action="store_true", help="only read bytes, parse nothing")
    args = parser.parse_args(argv)
    result = scan_all(args.root) if args.scan else parse_all(args.root)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
