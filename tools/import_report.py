#!/usr/bin/env python3
"""Import verdicts of every scoring script under PATH, for checking the import rules on a corpus.

    python tools/import_report.py PATH [--details]

Counts, over (scoring script, visible environment, import) triples: direct, transitive, shim,
missing, removed, unknown (a bare namespace import; or, per script whose environments are all
registered/curated, its non-stdlib imports),
plus stdlib and local imports, and lists every missing/removed/unknown one with its reason.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from aml_lint.config import build_settings
from aml_lint.documents import Kind
from aml_lint.engine import discover
from aml_lint.knowledge import deps
from aml_lint.rules.base import Context
from aml_lint.rules.imports import verdict as iv
from aml_lint.workspace import find_root


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path", type=Path)
    ap.add_argument("--details", action="store_true", help="print every verdict")
    args = ap.parse_args(argv)
    target = args.path.absolute()
    settings = build_settings(find_root(target), paths=[target])
    project = discover(settings)
    ctx = Context(project, settings)
    counts: Counter[str] = Counter()
    scripts = {"with visible env": 0, "only invisible envs": 0, "no env linked": 0}
    notes: list[str] = []
    for doc in sorted(project.of_kind(Kind.SCORING_SCRIPT), key=lambda d: d.rel):
        if doc.script is None or not doc.script.ok:
            continue
        analysis = iv.analyze(doc, ctx)
        if analysis.envs:
            scripts["with visible env"] += 1
        elif analysis.invisible:
            scripts["only invisible envs"] += 1
            third_party = [r for r in doc.script.imports if not r.level and r.module
                           and not deps.is_stdlib(r.module)]
            counts["unknown (environment not visible)"] += len(third_party)
        else:
            scripts["no env linked"] += 1
        for v in analysis.verdicts:
            counts[v.status] += 1
            if args.details or v.status in (iv.MISSING, iv.REMOVED, iv.UNKNOWN):
                extra = f" -> add {v.suggestion}" if v.suggestion else ""
                notes.append(f"{v.status:10} {doc.rel}:{v.ref.location.line} {v.ref.module} "
                             f"[{v.env.label}, py {v.env.python}]{extra}")
    print("scripts:", dict(scripts))
    print("verdicts:", dict(sorted(counts.items())))
    for line in notes:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
