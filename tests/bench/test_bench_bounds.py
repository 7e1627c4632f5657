"""The resource-bounds harness: its worst files sit where aml-lint's limits are, and it runs.

No timing is asserted: the bounds are what the harness reports (bench/BOUNDS.md).
"""

from __future__ import annotations

import json
from pathlib import Path

from aml_lint.config import build_settings
from aml_lint.documents import MAX_DEFINITION_BYTES, MAX_PYTHON_BYTES
from aml_lint.engine import run
from bench import bounds


def test_worst_files_are_just_under_their_limit_and_still_checked(tmp_path: Path) -> None:
    files = bounds.worst_files(tmp_path)
    for label, path in files.items():
        size = path.stat().st_size
        limit = MAX_PYTHON_BYTES if path.suffix == ".py" else MAX_DEFINITION_BYTES
        if "over the limit" in label:
            assert size > limit, label
        elif "just under" in label:
            assert limit - 1024 < size <= limit, (label, size)
        else:  # pathological shapes, within the limit
            assert size <= limit, (label, size)
    # The ones under the limit are read and checked: no "over the limit" finding for them.
    result = run(build_settings(tmp_path, select=["AML001"]))
    too_large = {f.path for f in result.findings if "limit" in f.message}
    assert too_large == {"over/conda.yml"}


def test_smoke_run(tmp_path: Path) -> None:
    out, work = tmp_path / "out", tmp_path / "work"
    code = bounds.main(["--files", "60", "--pr", "30", "--repeat", "1", "--no-single-files",
                        "--out", str(out), "--work", str(work)])
    data = json.loads((out / "bounds.json").read_text(encoding="utf-8"))
    cases = [row["case"] for row in data["rows"]]
    assert cases == ["30-file PR (--changed-files listing every file)", "60-file repository, full check"]
    assert all(row["error"] is None and row["median_s"] > 0 and row["peak_mib"] > 0 for row in data["rows"])
    assert all(row["met"] in (True, False) for row in data["rows"])
    assert code == (0 if all(row["met"] for row in data["rows"]) else 1)
    assert "| case | time | peak MiB | bound | met | note |" in (out / "bounds.md").read_text(encoding="utf-8")
