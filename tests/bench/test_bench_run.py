"""The benchmark harness: a smoke run on a tiny repository, and its bookkeeping.

No timing is asserted: speed is what the harness reports, not what tests check.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from bench.generate import plan

from bench import run


def test_smoke_run_on_a_tiny_repository(tmp_path: Path) -> None:
    committed = run.HERE / "RESULTS.md"
    before = committed.read_text(encoding="utf-8") if committed.exists() else None
    out, work = tmp_path / "out", tmp_path / "work"
    code = run.main(["--sizes", "40", "--changed-at", "40", "--jobs-sizes", "60", "--repeat", "1",
                     "--repeat-cold", "1", "--out", str(out), "--work", str(work)])
    assert code == 0
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    (size,) = data["sizes"]
    assert size["files"] == 40
    samples = size["samples"]
    for key in ("floor", "scan", "check", "changed"):
        assert samples[key]["error"] is None, (key, samples[key]["error"])
        assert len(samples[key]["runs_s"]) == 1
        assert samples[key]["peak_mib"] > 0
    # The five changed files are real files of the generated repository.
    assert len(size["changed_files"]) == 5
    assert set(size["changed_files"]) <= set(plan(40, seed=0))
    for key in ("version", "one_file"):
        assert data["cold"]["samples"][key]["error"] is None, data["cold"]["samples"][key]
    assert data["targets"] and all(t["met"] in (True, False, None) for t in data["targets"])
    (jobs,) = data["jobs"]  # the jobs-heavy repository: timed the same way
    assert jobs["files"] == 60 and jobs["profile"] == "jobs"
    assert all(jobs["samples"][key]["error"] is None for key in ("floor", "scan", "check"))
    markdown = (out / "results.md").read_text(encoding="utf-8")
    assert "| target | measured | met |" in markdown
    assert "| synthetic | 40 |" in markdown
    assert "| synthetic jobs | 60 |" in markdown
    assert any(t["target"].startswith("jobs repo: check") for t in data["targets"])
    pytest.importorskip("matplotlib")
    assert (out / "time-vs-size.png").read_bytes().startswith(b"\x89PNG")
    # A run into another folder leaves the committed summary alone.
    after = committed.read_text(encoding="utf-8") if committed.exists() else None
    assert after == before


def test_a_crash_is_recorded_as_an_error_not_a_time(tmp_path: Path) -> None:
    crash = run.measure("crash", [sys.executable, "-c", "raise RuntimeError('boom')"], tmp_path, repeat=2)
    assert crash.error is not None and "RuntimeError: boom" in crash.error
    assert crash.runs_s == [] and crash.median_s is None
    usage = run.measure("usage", [sys.executable, "-c", "raise SystemExit(2)"], tmp_path, repeat=2)
    assert usage.error is not None and usage.error.startswith("exit 2")


def test_findings_exit_code_counts_as_a_run(tmp_path: Path) -> None:
    sample = run.measure("lint", [sys.executable, "-c", "print('a'); print('3 errors'); raise SystemExit(1)"],
                         tmp_path, repeat=3)
    assert sample.error is None
    assert len(sample.runs_s) == 3 and sample.median_s is not None
    assert sample.last_line == "3 errors"


def test_missing_tool_is_reported(tmp_path: Path) -> None:
    sample = run.measure("peer", ["no-such-tool-for-bench"], tmp_path, repeat=1)
    assert sample.error is not None and "not found" in sample.error


def _size(files: int, **medians: float) -> dict[str, object]:
    return {"files": files, "samples": {k: {"median_s": v, "peak_mib": 50.0, "error": None}
                                        for k, v in medians.items()}}


def test_targets_are_judged_from_the_numbers() -> None:
    data: dict[str, object] = {
        "sizes": [
            _size(100, floor=0.1, check=0.2, yamllint=0.3, scan=0.05),
            _size(1000, floor=0.4, check=0.9, yamllint=1.2, scan=0.1, changed=0.2),
            _size(10000, floor=3.0, check=9.0, yamllint=8.0, scan=0.6, changed=0.45),
        ],
        "cold": {"samples": {"version": {"median_s": 0.05}, "one_file": {"median_s": 0.25}}},
    }
    met = {t["target"]: t["met"] for t in run.evaluate(data)}
    assert met["check ≤ 2.5× floor (1000 files)"] is True
    assert met["check ≤ 2.5× floor (10000 files)"] is False  # 3×
    assert met["check < yamllint (1000 files)"] is True
    assert met["check < yamllint (10000 files)"] is False
    assert met["--changed-files < 0.5 s (10000 files)"] is True
    # Grew 250 ms while the text scan grew 500 ms.
    growth = next(k for k in met if k.startswith("--changed-files growth"))
    assert met[growth] is True
    assert met["cold start aml-lint --version < 0.2 s"] is True
    assert met["cold start one-file check < 0.2 s"] is False
    assert met["peak memory < 100 MiB (10000 files)"] is True
    linear = next(k for k in met if k.startswith("time linear"))
    # 0.78 ms per added file from 100 to 1,000, 0.9 ms from 1,000 to 10,000: linear.
    assert met[linear] is True
