"""Measure aml-lint against the floor and the peers, side by side, in one run.

For each repository size (synthetic AzureML monorepos from ``bench/generate.py``,
cached under ``bench/.work/``) it times, as separate processes, with a warm-up
run and the median over ``--repeat`` runs, and records each one's peak memory:

- the floor: read and parse every file once (``bench/floor.py``);
- a text scan: read every file's bytes (the most ``--changed-files`` may spend);
- ``aml-lint check .`` on the whole repository;
- ``aml-lint check . --changed-files LIST`` with 5 changed files (1,000 and 10,000 files);
- the same on a jobs-heavy training repository (``--jobs-sizes``: command jobs, sweeps,
  pipelines with inline steps and component files, entry scripts; ``generate.py --profile jobs``);
- yamllint over the repository's YAML files, check-jsonschema over its conda files;

plus cold start (``aml-lint --version`` and a one-file check) and, with
``--samples PATH``, the same on a checkout of Azure/azureml-examples.

Results go to ``bench/results/`` (Markdown, JSON, PNG plot); a run with the
default output folder also copies the Markdown to ``bench/RESULTS.md``.

    pip install -e '.[bench]'
    python bench/run.py [--sizes 100,1000,10000] [--repeat 5] [--samples /work/samples]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run as a script: make `bench` importable
    sys.path.insert(0, str(HERE.parent))

from bench.generate import DEPLOYMENT_KINDS, GENERATOR_VERSION, JOB_KINDS, Manifest, generate  # noqa: E402

WORK = HERE / ".work"
DEFAULT_OUT = HERE / "results"
CONDA_SCHEMA = HERE / "conda.schema.json"
CHANGED_FILES = 5
TIMEOUT = 900

# The performance targets.
TARGET_FLOOR_RATIO = 2.5
TARGET_CHANGED_S = 0.5
TARGET_COLD_S = 0.2
TARGET_PEAK_MIB = 100.0
# "Does not grow beyond a text scan": growth from 1,000 to 10,000 files may exceed
# the text scan's own growth by at most this much (timer noise between runs).
CHANGED_GROWTH_SLACK_S = 0.05
# Time linear in file count: the cost per added file in the top size step may be
# at most this multiple of the cost per added file in the step below it.
LINEAR_TOLERANCE = 1.5


@dataclass
class Sample:
    """One command's measurements."""

    label: str
    argv: list[str]
    runs_s: list[float] = field(default_factory=list)
    cpu_s: list[float] = field(default_factory=list)  # user + system CPU of each timed run
    peak_mib: float | None = None
    exit_code: int | None = None
    error: str | None = None
    last_line: str | None = None

    @property
    def median_s(self) -> float | None:
        return statistics.median(self.runs_s) if self.runs_s else None

    @property
    def median_cpu_s(self) -> float | None:
        return statistics.median(self.cpu_s) if self.cpu_s else None

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["median_s"] = self.median_s
        data["median_cpu_s"] = self.median_cpu_s
        return data


# ---------------------------------------------------------------------------- measuring


GNU_TIME = "/usr/bin/time"
# Measured as a user runs them: bytecode cached after the warm-up run (a shell with
# PYTHONDONTWRITEBYTECODE=1 would have every run compile every module from source).
_CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _measure_process(argv: list[str], cwd: Path) -> tuple[float, float, float, int, str]:
    """Wall time, CPU time, peak RSS (MiB), exit code and output of one process.

    Peak RSS comes from GNU time when it is installed: a child forked straight
    from this (larger) Python process would report this process's RSS as its own
    peak, since Linux carries the high-water mark across fork and exec. Without
    GNU time, os.wait4's figure is used (an overestimate for small children).
    Both pipes are drained by threads so a chatty child never blocks.
    """
    import tempfile
    import threading

    use_time = Path(GNU_TIME).exists()
    with tempfile.NamedTemporaryFile(prefix="bench-rss-", suffix=".txt", delete=False) as tmp:
        rss_file = Path(tmp.name)
    full = [GNU_TIME, "-f", "%M", "-o", str(rss_file), *argv] if use_time else argv
    start = time.perf_counter()
    proc = subprocess.Popen(full, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_CHILD_ENV)
    chunks: dict[str, bytes] = {}

    def drain(name: str, stream: IO[bytes]) -> None:
        chunks[name] = stream.read()

    assert proc.stdout is not None and proc.stderr is not None
    threads = [threading.Thread(target=drain, args=("out", proc.stdout)),
               threading.Thread(target=drain, args=("err", proc.stderr))]
    for t in threads:
        t.start()
    killer = threading.Timer(TIMEOUT, proc.kill)
    killer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        killer.cancel()
    elapsed = time.perf_counter() - start
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    for t in threads:
        t.join()
    cpu = usage.ru_utime + usage.ru_stime  # includes the children it waited for (GNU time's child)
    kib = usage.ru_maxrss / (1024 if sys.platform == "darwin" else 1)
    if use_time:
        with contextlib.suppress(OSError, ValueError, IndexError):
            kib = float(rss_file.read_text().strip().splitlines()[-1])
    rss_file.unlink(missing_ok=True)
    out, err = chunks.get("out", b""), chunks.get("err", b"")
    if code not in (0, 1) or b"Traceback (most recent call last)" in err:
        # A crash is never a lint result, even when it exits 1.
        code = code if code not in (0, 1) else -1
        return elapsed, cpu, kib / 1024, code, (err if err.strip() else out).decode("utf-8", "replace")
    return elapsed, cpu, kib / 1024, code, out.decode("utf-8", "replace")


def measure(label: str, argv: list[str], cwd: Path, repeat: int, ok_codes: tuple[int, ...] = (0, 1)) -> Sample:
    """Warm-up run (its output kept for the record), then ``repeat`` timed runs."""
    sample = Sample(label=label, argv=argv)
    if shutil.which(argv[0]) is None and not Path(argv[0]).exists():
        sample.error = f"{argv[0]} not found (pip install -e '.[bench]')"
        return sample
    peaks = []
    for i in range(repeat + 1):
        try:
            elapsed, cpu, peak, code, text = _measure_process(argv, cwd)
        except OSError as exc:
            sample.error = str(exc)
            return sample
        sample.exit_code = code
        if code not in ok_codes:
            lines = [ln for ln in text.strip().splitlines() if ln.strip()]
            sample.error = f"exit {code}: " + (" | ".join(lines[-3:]) if lines else "no output")
            sample.runs_s, sample.cpu_s = [], []
            return sample
        if i == 0:
            lines = [ln for ln in text.strip().splitlines() if ln.strip()]
            sample.last_line = lines[-1][:300] if lines else ""
            continue
        sample.runs_s.append(round(elapsed, 4))
        sample.cpu_s.append(round(cpu, 4))
        peaks.append(peak)
    sample.peak_mib = round(statistics.median(peaks), 1) if peaks else None
    return sample


# ---------------------------------------------------------------------------- inputs


def tool(name: str) -> str:
    """A console script from this interpreter's environment (the one `pip install -e .[bench]` filled)."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    return shutil.which(name) or name


def repo_for(n_files: int, seed: int, work: Path, profile: str = "deployments") -> Manifest:
    """The cached synthetic repository of ``n_files`` files, generated (as a git checkout) when absent."""
    name = f"n{n_files}-s{seed}-v{GENERATOR_VERSION}"
    if profile != "deployments":
        name = f"{profile}-{name}"
    root = work / "repos" / name
    manifest_path = work / "repos" / f"{name}.json"
    if root.is_dir() and manifest_path.is_file():
        return Manifest.from_json(root, json.loads(manifest_path.read_text(encoding="utf-8")))
    if root.exists():
        shutil.rmtree(root)
    print(f"  generating {n_files} files (seed {seed}, {profile}) in {root}", flush=True)
    manifest = generate(root, n_files, seed, git=True, profile=profile)
    manifest_path.write_text(json.dumps(manifest.to_json()), encoding="utf-8")
    return manifest


def changed_files(manifest: Manifest, seed: int) -> list[str]:
    """Five changed files, as a PR would touch them: a conda file, a scoring script,
    a deployment, a Dockerfile or requirements file, and a README."""
    rng = random.Random(f"changed:{seed}:{manifest.n_files}")
    picks: list[str] = []
    # A jobs repository's PR: an entry script, a conda file, a job, a component, a module.
    sequence = ((("entry-script",), ("conda",), JOB_KINDS[:3], ("component",), ("code-module",), ("readme",))
                if manifest.profile == "jobs" else
                (("conda",), ("scoring-script",), DEPLOYMENT_KINDS, ("dockerfile", "requirements"),
                 ("readme",), ("python",), ("environment",)))
    for kinds in sequence:
        candidates = [p for p in manifest.by_kind(*kinds) if p not in picks]
        if candidates:
            picks.append(rng.choice(candidates))
        if len(picks) == CHANGED_FILES:
            break
    return picks


def conda_files(root: Path, manifest: Manifest | None) -> list[str]:
    """Conda environment files: from the manifest, or (for a real checkout) by content."""
    if manifest is not None:
        return manifest.by_kind("conda")
    import yaml

    from bench.floor import YAML_SUFFIXES, files_under

    found = []
    for path in files_under(root):
        if path.suffix.lower() not in YAML_SUFFIXES:
            continue
        try:
            doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)  # noqa: S506
        except (yaml.YAMLError, OSError, UnicodeDecodeError):
            continue
        if isinstance(doc, dict) and "dependencies" in doc and "$schema" not in doc:
            found.append(path.relative_to(root).as_posix())
    return sorted(found)


# ---------------------------------------------------------------------------- one repository


def bench_repo(root: Path, manifest: Manifest | None, repeat: int, changed: list[str] | None,
               peers: bool, work: Path) -> dict[str, object]:
    py = sys.executable
    aml = tool("aml-lint")
    from bench.floor import files_under

    n_files = len(files_under(root))
    samples: dict[str, Sample] = {}
    print(f"  {n_files} files: floor", flush=True)
    samples["floor"] = measure("floor", [py, str(HERE / "floor.py"), str(root)], root, repeat, ok_codes=(0,))
    samples["scan"] = measure("text scan", [py, str(HERE / "floor.py"), "--scan", str(root)], root, repeat,
                              ok_codes=(0,))
    print("  aml-lint check", flush=True)
    samples["check"] = measure("aml-lint check", [aml, "check", "."], root, repeat)
    if changed:
        listing = work / f"changed-{root.name}.txt"
        listing.write_text("\n".join(changed) + "\n", encoding="utf-8")
        print("  aml-lint check --changed-files", flush=True)
        samples["changed"] = measure("aml-lint check --changed-files",
                                     [aml, "check", ".", "--changed-files", str(listing)], root, repeat)
    if peers:
        print("  yamllint", flush=True)
        samples["yamllint"] = measure("yamllint", [tool("yamllint"), "-f", "parsable", "."], root, repeat)
        condas = conda_files(root, manifest)
        if condas:
            print("  check-jsonschema", flush=True)
            samples["check_jsonschema"] = measure(
                "check-jsonschema",
                [tool("check-jsonschema"), "--schemafile", str(CONDA_SCHEMA), *condas], root, repeat)
    return {
        "files": n_files,
        "profile": manifest.profile if manifest else None,
        "root": str(root),
        "counts": manifest.counts() if manifest else None,
        "changed_files": changed,
        "samples": {k: v.to_json() for k, v in samples.items()},
    }


def bench_cold(manifest: Manifest, repeat: int) -> dict[str, object]:
    aml = tool("aml-lint")
    candidates = manifest.by_kind("deployment-managed") or manifest.by_kind(*DEPLOYMENT_KINDS)
    one = (candidates or sorted(manifest.files))[0]
    print(f"  cold start ({one})", flush=True)
    samples = {
        "python": measure("python -c pass (interpreter alone)", [sys.executable, "-c", "pass"],
                          manifest.root, repeat, ok_codes=(0,)),
        "version": measure("aml-lint --version", [aml, "--version"], manifest.root, repeat, ok_codes=(0,)),
        "one_file": measure("aml-lint check (one deployment YAML)", [aml, "check", one], manifest.root, repeat),
    }
    return {"file": one, "samples": {k: v.to_json() for k, v in samples.items()}}


# ---------------------------------------------------------------------------- report


def _med(result: dict[str, object], key: str) -> float | None:
    samples = result["samples"]
    assert isinstance(samples, dict)
    s = samples.get(key)
    return s["median_s"] if s else None


def _peak(result: dict[str, object], key: str) -> float | None:
    samples = result["samples"]
    assert isinstance(samples, dict)
    s = samples.get(key)
    return s["peak_mib"] if s else None


def _err(result: dict[str, object], key: str) -> str | None:
    samples = result["samples"]
    assert isinstance(samples, dict)
    s = samples.get(key)
    return s["error"] if s else None


def _cpu(result: dict[str, object], key: str) -> float | None:
    samples = result["samples"]
    assert isinstance(samples, dict)
    s = samples.get(key)
    return s.get("median_cpu_s") if s else None


def _last_line(result: dict[str, object], key: str) -> str | None:
    samples = result["samples"]
    assert isinstance(samples, dict)
    s = samples.get(key)
    return s["last_line"] if s else None


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _fmt_s(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v * 1000:.0f} ms" if v < 1 else f"{v:.2f} s"


def _fmt_x(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a is not None and b else "–"


def _fmt_mib(v: float | None) -> str:
    return "–" if v is None else f"{v:.0f}"


def evaluate(data: dict[str, object]) -> list[dict[str, object]]:
    """The performance targets, one by one, from the measurements."""
    sizes: list[dict[str, object]] = data["sizes"]  # type: ignore[assignment]
    targets: list[dict[str, object]] = []

    def add(name: str, measured: str, met: bool | None) -> None:
        targets.append({"target": name, "measured": measured, "met": met})

    for r in sizes:
        check, floor, yl = _med(r, "check"), _med(r, "floor"), _med(r, "yamllint")
        n = r["files"]
        if check is not None and floor:
            add(f"check ≤ {TARGET_FLOOR_RATIO}× floor ({n} files)", _fmt_x(check, floor),
                check <= TARGET_FLOOR_RATIO * floor)
        if check is not None and yl:
            add(f"check < yamllint ({n} files)", f"{_fmt_s(check)} vs {_fmt_s(yl)}", check < yl)
    with_changed = [r for r in sizes if _med(r, "changed") is not None]
    for r in with_changed:
        ch = _med(r, "changed")
        assert ch is not None
        if r["files"] >= 10000:  # type: ignore[operator]
            add(f"--changed-files < {TARGET_CHANGED_S} s ({r['files']} files)", _fmt_s(ch), ch < TARGET_CHANGED_S)
    if len(with_changed) >= 2:
        lo, hi = with_changed[0], with_changed[-1]
        growth = _med(hi, "changed") - _med(lo, "changed")  # type: ignore[operator]
        scan = (_med(hi, "scan") or 0) - (_med(lo, "scan") or 0)
        add(f"--changed-files growth {lo['files']}→{hi['files']} files ≤ text scan growth + "
            f"{CHANGED_GROWTH_SLACK_S * 1000:.0f} ms", f"{_fmt_s(growth)} vs {_fmt_s(scan)}",
            growth <= scan + CHANGED_GROWTH_SLACK_S)
    for r in data.get("jobs") or []:  # type: ignore[attr-defined]
        check, floor, ch, peak = _med(r, "check"), _med(r, "floor"), _med(r, "changed"), _peak(r, "check")
        n = r["files"]
        if check is not None and floor:
            add(f"jobs repo: check ≤ {TARGET_FLOOR_RATIO}× floor ({n} files)", _fmt_x(check, floor),
                check <= TARGET_FLOOR_RATIO * floor)
        if ch is not None and n >= 10000:
            add(f"jobs repo: --changed-files < {TARGET_CHANGED_S} s ({n} files)", _fmt_s(ch), ch < TARGET_CHANGED_S)
        if peak is not None and n >= 10000:
            add(f"jobs repo: peak memory < {TARGET_PEAK_MIB:.0f} MiB ({n} files)", f"{peak:.0f} MiB",
                peak < TARGET_PEAK_MIB)
    cold = data.get("cold")
    if isinstance(cold, dict):
        for key, name in (("version", "aml-lint --version"), ("one_file", "one-file check")):
            v = _med(cold, key)
            if v is not None:
                add(f"cold start {name} < {TARGET_COLD_S} s", _fmt_s(v), v < TARGET_COLD_S)
    big = [r for r in sizes if _peak(r, "check") is not None]
    if big:
        r = big[-1]
        peak = _peak(r, "check")
        assert peak is not None
        add(f"peak memory < {TARGET_PEAK_MIB:.0f} MiB ({r['files']} files)", f"{peak:.0f} MiB",
            peak < TARGET_PEAK_MIB if r["files"] >= 10000 else None)  # type: ignore[operator]
    timed = [r for r in sizes if _med(r, "check") is not None]
    if len(timed) >= 3:
        a, b, c = timed[-3:]
        low = (_med(b, "check") - _med(a, "check")) / (b["files"] - a["files"])  # type: ignore[operator]
        high = (_med(c, "check") - _med(b, "check")) / (c["files"] - b["files"])  # type: ignore[operator]
        add(f"time linear in file count (ms per added file, {a['files']}→{b['files']} vs {b['files']}→{c['files']})",
            f"{low * 1000:.3f} vs {high * 1000:.3f}", high <= LINEAR_TOLERANCE * max(low, 1e-9))
    return targets


def render_markdown(data: dict[str, object]) -> str:
    meta: dict[str, object] = data["meta"]  # type: ignore[assignment]
    sizes: list[dict[str, object]] = data["sizes"]  # type: ignore[assignment]
    jobs: list[dict[str, object]] = data.get("jobs") or []  # type: ignore[assignment]
    rows = list(sizes) + list(jobs)
    if isinstance(data.get("samples"), dict):
        rows.append(data["samples"])  # type: ignore[arg-type]
    out = ["# aml-lint benchmark", "",
           f"{meta['date']} · aml-lint {meta['aml_lint_version']} (commit {meta['commit']}) · "
           f"Python {meta['python']} · {meta['machine']} · {meta['cpus']} CPUs · "
           f"median of {meta['repeat']} runs after a warm-up (synthetic repos: seed {meta['seed']}, "
           f"generator v{GENERATOR_VERSION}); load average at start {meta.get('load_at_start')}, "
           f"at end {meta.get('load_at_end')}", "",
           f"Command: `{meta['command']}`", "",
           "## Performance targets", "", "| target | measured | met |", "|---|---|---|"]
    for t in data["targets"]:  # type: ignore[attr-defined]
        met = {True: "yes", False: "**no**", None: "n/a"}[t["met"]]
        out.append(f"| {t['target']} | {t['measured']} | {met} |")
    out += ["", "## Full check against the floor and the peers", "",
            "Wall time of one process each (interpreter start included), peak RSS in MiB.", "",
            "| repository | files | floor | aml-lint check | × floor | yamllint (YAML files) | × yamllint "
            "| check-jsonschema (conda files) | CPU: floor / check | peak MiB: floor / check / yamllint |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        name = ("azureml-examples" if r is data.get("samples") else
                "synthetic jobs" if r.get("profile") == "jobs" else "synthetic")
        check_err = _err(r, "check")
        check = f"error: {_cell(check_err)}" if check_err else _fmt_s(_med(r, "check"))
        peaks = " / ".join(_fmt_mib(_peak(r, k)) for k in ("floor", "check", "yamllint"))
        out.append(f"| {name} | {r['files']} | {_fmt_s(_med(r, 'floor'))} | {check} | "
                   f"{_fmt_x(_med(r, 'check'), _med(r, 'floor'))} | {_fmt_s(_med(r, 'yamllint'))} | "
                   f"{_fmt_x(_med(r, 'check'), _med(r, 'yamllint'))} | {_fmt_s(_med(r, 'check_jsonschema'))} | "
                   f"{_fmt_s(_cpu(r, 'floor'))} / {_fmt_s(_cpu(r, 'check'))} | {peaks} |")
    changed = [r for r in [*sizes, *jobs] if r["samples"].get("changed")]  # type: ignore[union-attr]
    if changed:
        out += ["", f"## `check --changed-files` ({CHANGED_FILES} changed files)", "",
                "| repository | files | --changed-files | full check | text scan (read every file) | peak MiB |",
                "|---|---:|---:|---:|---:|---:|"]
        for r in changed:
            err = _err(r, "changed")
            name = "synthetic jobs" if r.get("profile") == "jobs" else "synthetic"
            out.append(f"| {name} | {r['files']} | {('error: ' + _cell(err)) if err else _fmt_s(_med(r, 'changed'))} | "
                       f"{_fmt_s(_med(r, 'check'))} | {_fmt_s(_med(r, 'scan'))} | {_fmt_mib(_peak(r, 'changed'))} |")
    cold = data.get("cold")
    if isinstance(cold, dict):
        out += ["", "## Cold start", "", "| command | median | CPU | peak MiB |", "|---|---:|---:|---:|"]
        for s in cold["samples"].values():
            val = f"error: {_cell(s['error'])}" if s["error"] else _fmt_s(s["median_s"])
            out.append(f"| {s['label']} | {val} | {_fmt_s(s.get('median_cpu_s'))} | {_fmt_mib(s['peak_mib'])} |")
    out += ["", "## Per file", "", "| repository | files | floor ms/file | check ms/file |", "|---|---:|---:|---:|"]
    for r in [*sizes, *jobs]:
        f, c = _med(r, "floor"), _med(r, "check")
        n = r["files"]
        name = "synthetic jobs" if r.get("profile") == "jobs" else "synthetic"
        out.append(f"| {name} | {n} | {'–' if f is None else f'{f * 1000 / n:.3f}'} | "  # type: ignore[operator]
                   f"{'–' if c is None else f'{c * 1000 / n:.3f}'} |")  # type: ignore[operator]
    summaries = [(f"{r['files']} files" + (" (jobs)" if r.get("profile") == "jobs" else ""),
                  _last_line(r, "check")) for r in rows]
    if any(line for _, line in summaries):
        out += ["", "aml-lint's summary line per repository (a sanity check that it did the work):", ""]
        out += [f"- {n}: `{(line or '').replace('`', chr(39))}`" for n, line in summaries]
    out += ["", "The floor reads and parses every file once in one process (PyYAML C loader, ast.parse, "
            "read for the rest). Raw numbers: `bench/results/results.json`; plot: "
            "`bench/results/time-vs-size.png`.", ""]
    return "\n".join(out)


def plot(data: dict[str, object], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    sizes: list[dict[str, object]] = data["sizes"]  # type: ignore[assignment]
    fig, ax = plt.subplots(figsize=(9, 5.6), dpi=100)
    series = (("check", "aml-lint check", "-o"), ("changed", "aml-lint check --changed-files (5)", "-s"),
              ("floor", "floor (read + parse once)", "--o"), ("scan", "text scan", ":o"),
              ("yamllint", "yamllint (YAML files)", "-^"), ("check_jsonschema", "check-jsonschema (conda files)", "-v"))
    for key, label, style in series:
        pts = [(r["files"], _med(r, key)) for r in sizes if _med(r, key) is not None]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], style, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("files in repository")
    ax.set_ylabel("wall time, seconds (median)")
    ax.set_title("aml-lint vs the floor and peers")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


# ---------------------------------------------------------------------------- main


def _git_commit() -> str:
    try:
        rev = subprocess.run(["git", "-C", str(HERE.parent), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(HERE.parent), "status", "--porcelain", "--", "src"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _load() -> list[float] | None:
    """1, 5 and 15 minute load averages: other work on the machine skews wall times."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _version() -> str:
    try:
        out = subprocess.run([tool("aml-lint"), "--version"], capture_output=True, text=True, timeout=60)
        return (out.stdout.strip() or out.stderr.strip()).split()[-1] if out.returncode == 0 else "unknown"
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="aml-lint benchmark: floor, peers, targets")
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated file counts")
    parser.add_argument("--changed-at", default="1000,10000",
                        help="sizes at which to time --changed-files (those also in --sizes)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per command (median reported)")
    parser.add_argument("--repeat-large", type=int, default=3, help="timed runs at 5,000 files and more")
    parser.add_argument("--repeat-cold", type=int, default=10, help="timed runs of the cold-start commands")
    parser.add_argument("--jobs-sizes", default="1000,10000",
                        help="file counts of the jobs-heavy repository ('' to skip); --changed-files is timed "
                             "at those also in --changed-at")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--samples", type=Path, help="a checkout of Azure/azureml-examples to measure too")
    parser.add_argument("--no-peers", action="store_true", help="skip yamllint and check-jsonschema")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results folder (default bench/results)")
    parser.add_argument("--work", type=Path, default=WORK, help="where generated repos are cached (default bench/.work)")
    args = parser.parse_args(argv)

    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    changed_at = {int(s) for s in args.changed_at.split(",") if s.strip()}
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    data: dict[str, object] = {
        "meta": {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "aml_lint_version": _version(),
            "commit": _git_commit(),
            "python": platform.python_version(),
            "machine": f"{platform.system()} {platform.machine()}",
            "cpus": os.cpu_count(),
            "load_at_start": _load(),
            "repeat": args.repeat,
            "repeat_large": args.repeat_large,
            "repeat_cold": args.repeat_cold,
            "peak_rss_from": "GNU time (%M)" if Path(GNU_TIME).exists() else "os.wait4 ru_maxrss",
            "seed": args.seed,
            "command": "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        },
        "sizes": [],
        "jobs": [],
    }
    manifests = []
    for n in sizes:
        print(f"[{n} files]", flush=True)
        manifest = repo_for(n, args.seed, work)
        manifests.append(manifest)
        repeat = args.repeat_large if n >= 5000 else args.repeat
        changed = changed_files(manifest, args.seed) if n in changed_at else None
        data["sizes"].append(bench_repo(manifest.root, manifest, repeat, changed, not args.no_peers, work))  # type: ignore[attr-defined]
    for n in sorted({int(s) for s in args.jobs_sizes.split(",") if s.strip()}):
        print(f"[{n} files, jobs]", flush=True)
        manifest = repo_for(n, args.seed, work, profile="jobs")
        repeat = args.repeat_large if n >= 5000 else args.repeat
        changed = changed_files(manifest, args.seed) if n in changed_at else None
        data["jobs"].append(bench_repo(manifest.root, manifest, repeat, changed, not args.no_peers, work))  # type: ignore[attr-defined]
    if manifests:
        print("[cold start]", flush=True)
        data["cold"] = bench_cold(manifests[0], args.repeat_cold)
    if args.samples:
        print(f"[samples: {args.samples}]", flush=True)
        data["samples"] = bench_repo(args.samples.resolve(), None, args.repeat, None, not args.no_peers, work)
    data["targets"] = evaluate(data)
    data["meta"]["load_at_end"] = _load()  # type: ignore[index]

    (args.out / "results.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    markdown = render_markdown(data)
    (args.out / "results.md").write_text(markdown, encoding="utf-8")
    plotted = plot(data, args.out / "time-vs-size.png")
    if args.out.resolve() == DEFAULT_OUT.resolve():
        (HERE / "RESULTS.md").write_text(markdown, encoding="utf-8")
    print(markdown)
    print(f"written: {args.out / 'results.md'}, {args.out / 'results.json'}"
          + (f", {args.out / 'time-vs-size.png'}" if plotted else " (no plot: matplotlib not installed)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
