"""Resource bounds: the largest inputs aml-lint promises to get through, measured.

Where ``bench/run.py`` measures speed against the floor and the peers, this measures
that the extremes stay bounded, each as a separate process (median of ``--repeat``
runs after a warm-up, peak memory from GNU time):

- a full check of a 100,000-file repository (and the floor on it), against the
  10,000-file repository: time per file must stay linear, memory under a ceiling;
- a 10,000-file pull request: ``--changed-files`` listing every file of the
  10,000-file repository must cost no more than the full check it amounts to;
- the worst single files aml-lint still reads, each just under its size limit
  (a pip list, a requirements file, a Dockerfile of line continuations, a dense
  scoring script), and one just over it: each has a time and memory bound.

Results go to ``bench/results/bounds.md`` and ``bounds.json``; a run with the default
output folder also copies the Markdown to ``bench/BOUNDS.md``.

    pip install -e '.[bench]'
    python bench/bounds.py [--files 100000] [--pr 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run as a script: make `bench` importable
    sys.path.insert(0, str(HERE.parent))

from aml_lint.documents import MAX_DEFINITION_BYTES, MAX_PYTHON_BYTES  # noqa: E402
from bench.run import (  # noqa: E402
    DEFAULT_OUT,
    WORK,
    Sample,
    _fmt_s,
    _git_commit,
    _load,
    _version,
    measure,
    repo_for,
    tool,
)

# The bounds (DESIGN §5 and §6; the per-file ones are aml-lint's own promise, in SECURITY.md).
# Memory grows with the documents a run holds (~3 KiB per repository file, see BOUNDS.md): the
# 100,000-file bound is that it stays linear, plus a ceiling far below any CI runner's memory
# (hosted runners have 7 GB or more) that would catch a run holding every syntax tree (~100 KB each).
CEILING_LARGE_REPO_MIB = 512.0  # peak memory of a full check of 100,000 files
CEILING_REPO_MIB = 100.0  # 10,000 files, full check or a 10,000-file PR (DESIGN §5)
LINEAR_TOLERANCE = 1.5  # time and memory per file at 100,000 files vs at 10,000
PR_VS_FULL = 1.25  # a PR touching every file may cost at most this much more than a full check
SINGLE_FILE_S = 5.0  # the worst file under its size limit
SINGLE_FILE_MIB = 300.0



def _fill(head: str, line: Callable[[int], str], size: int, tail: str = "") -> str:
    """``head`` + numbered lines + ``tail``, as long as fits in ``size`` bytes."""
    parts, used, i = [head], len(head) + len(tail), 0
    while True:
        text = line(i)
        if used + len(text) > size:
            return "".join(parts) + tail
        parts.append(text)
        used += len(text)
        i += 1


_SCRIPT_HEAD = ("import json\nimport pickle\nimport subprocess\n\nmodel = None\n\n\ndef init():\n"
                "    global model\n    model = 1\n\n\ndef run(data):\n    return json.dumps(data)\n\n\n")
_SCRIPT_FUNCTION = ("def f{i}(x):\n    y = json.loads(x)\n    for k in y:\n        if k:\n"
                    "            subprocess.run(['ls', k])\n    return pickle.loads(y)\n\n\n")


def worst_files(folder: Path) -> dict[str, Path]:
    """The largest files of each kind aml-lint still checks (and one it refuses), written to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    under = MAX_DEFINITION_BYTES - 64
    files = {
        "conda.yml (pip list, just under 512 KiB)": (
            "conda.yml", _fill("name: big\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n"
                               "  - pip\n  - pip:\n", lambda i: f"    - pkg{i}=={i % 7}.{i % 10}\n", under)),
        "requirements.txt (just under 512 KiB)": (
            "requirements.txt", _fill("", lambda i: f"pkg{i}>={i % 7}.{i % 10}\n", under)),
        "Dockerfile (line continuations, just under 512 KiB)": (
            "Dockerfile", _fill("FROM python:3.11\nRUN pip install \\\n", lambda i: f"    pkg{i} \\\n", under,
                                "    last\n")),
        "score.py (dense code, just under 1 MiB)": (
            "score.py", _fill(_SCRIPT_HEAD, lambda i: _SCRIPT_FUNCTION.replace("{i}", str(i)), MAX_PYTHON_BYTES - 64)),
        "requirements.txt (one requirement, 60,000 extras)": (
            "extras/requirements.txt", "x[" + ",".join(f"e{i}" for i in range(60_000)) + "]==1.0\n"),
        "requirements.txt (one marker of 15,000 clauses)": (
            "marker/requirements.txt", "x ; python_version >= '3'" + " and python_version >= '3'" * 15_000 + "\n"),
        "Dockerfile (20,000 ARGs, each built from the last)": (
            "args/Dockerfile", "FROM python:3.11\n" + "".join(f"ARG A{i}=${{A{i - 1}}}x\n" for i in range(1, 20_000))
            + "FROM img:${A19999}\n"),
        "conda.yml over the limit (refused, 5 MiB)": (
            "over/conda.yml", _fill("name: big\ndependencies:\n  - pip\n  - pip:\n",
                                    lambda i: f"    - pkg{i}==1.0\n", 5 * 1024 * 1024)),
    }
    out = {}
    for label, (rel, text) in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        out[label] = path
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="aml-lint resource bounds")
    parser.add_argument("--files", type=int, default=100_000, help="size of the large repository")
    parser.add_argument("--pr", type=int, default=10_000, help="size of the repository (and PR) of the PR case")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per command (median reported)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-single-files", action="store_true", help="skip the worst single files")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--work", type=Path, default=WORK)
    args = parser.parse_args(argv)
    work: Path = args.work.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    aml = tool("aml-lint")
    floor = [sys.executable, str(HERE / "floor.py")]
    rows: list[dict[str, object]] = []

    def record(case: str, sample: Sample, bound: str, met: bool | None, note: str = "") -> None:
        rows.append({"case": case, "median_s": sample.median_s, "peak_mib": sample.peak_mib,
                     "exit_code": sample.exit_code, "error": sample.error, "bound": bound, "met": met,
                     "note": note, "last_line": sample.last_line})
        print(f"  {case}: {_fmt_s(sample.median_s)}, {sample.peak_mib} MiB — {'met' if met else 'NOT met'}",
              flush=True)

    # A repository of --pr files: full check, and a PR that changes every file.
    print(f"[{args.pr} files]", flush=True)
    small = repo_for(args.pr, args.seed, work)
    full_small = measure("check", [aml, "check", "."], small.root, args.repeat)
    listing = work / f"all-{args.pr}-s{args.seed}.txt"
    listing.write_text("\n".join(sorted(small.files)) + "\n", encoding="utf-8")
    pr = measure("check --changed-files (every file)", [aml, "check", ".", "--changed-files", str(listing)],
                 small.root, args.repeat)
    ok = None
    if pr.median_s is not None and full_small.median_s and pr.peak_mib is not None:
        ok = pr.median_s <= PR_VS_FULL * full_small.median_s and pr.peak_mib < CEILING_REPO_MIB
    record(f"{args.pr:,}-file PR (--changed-files listing every file)", pr,
           f"≤ {PR_VS_FULL}× the full check ({_fmt_s(full_small.median_s)}), < {CEILING_REPO_MIB:.0f} MiB", ok)

    # The large repository: linear time, bounded memory.
    print(f"[{args.files} files]", flush=True)
    large = repo_for(args.files, args.seed, work)
    full_large = measure("check", [aml, "check", "."], large.root, args.repeat)
    floor_large = measure("floor", [*floor, "."], large.root, args.repeat, ok_codes=(0,))
    # Memory per file above what the interpreter and aml-lint's modules take on their own.
    base = measure("aml-lint --version", [aml, "--version"], small.root, args.repeat, ok_codes=(0,)).peak_mib
    ok = None
    bound = note = "–"
    if (full_small.median_s and full_large.median_s and base is not None
            and full_small.peak_mib is not None and full_large.peak_mib is not None):
        time_small, time_large = full_small.median_s / args.pr, full_large.median_s / args.files
        kib_small = (full_small.peak_mib - base) * 1024 / args.pr
        kib_large = (full_large.peak_mib - base) * 1024 / args.files
        ok = (time_large <= LINEAR_TOLERANCE * time_small and kib_large <= LINEAR_TOLERANCE * kib_small
              and full_large.peak_mib < CEILING_LARGE_REPO_MIB)
        bound = (f"per file ≤ {LINEAR_TOLERANCE}× {args.pr:,} files' ({time_small * 1000:.3f} ms, "
                 f"{kib_small:.1f} KiB); < {CEILING_LARGE_REPO_MIB:.0f} MiB")
        note = f"{time_large * 1000:.3f} ms and {kib_large:.1f} KiB per file"
        if floor_large.median_s:
            note += f"; {full_large.median_s / floor_large.median_s:.2f}× the floor ({_fmt_s(floor_large.median_s)})"
    record(f"{args.files:,}-file repository, full check", full_large, bound, ok, note)

    # The worst single files.
    print("[single files]", flush=True)
    for label, path in ({} if args.no_single_files else worst_files(work / "worst")).items():
        sample = measure(label, [aml, "check", path.name], path.parent, args.repeat)
        ok = None
        if sample.median_s is not None and sample.peak_mib is not None:
            ok = sample.median_s <= SINGLE_FILE_S and sample.peak_mib < SINGLE_FILE_MIB
        record(label, sample, f"≤ {SINGLE_FILE_S:.0f} s, < {SINGLE_FILE_MIB:.0f} MiB", ok,
               f"{path.stat().st_size / 1024:.0f} KiB")

    data: dict[str, object] = {"meta": {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "aml_lint_version": _version(),
                     "commit": _git_commit(), "load_at_start_end": _load(), "repeat": args.repeat,
                     "command": "python bench/bounds.py " + " ".join(argv if argv is not None else sys.argv[1:])},
            "rows": rows}
    markdown = render(data)
    (args.out / "bounds.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    (args.out / "bounds.md").write_text(markdown, encoding="utf-8")
    if args.out.resolve() == DEFAULT_OUT.resolve():
        (HERE / "BOUNDS.md").write_text(markdown, encoding="utf-8")
    print(markdown)
    return 0 if all(r["met"] for r in rows) else 1


def render(data: dict[str, object]) -> str:
    meta: dict[str, object] = data["meta"]  # type: ignore[assignment]
    rows: list[dict[str, object]] = data["rows"]  # type: ignore[assignment]
    out = ["# aml-lint resource bounds", "",
           f"{meta['date']} · aml-lint {meta['aml_lint_version']} (commit {meta['commit']}) · "
           f"median of {meta['repeat']} runs after a warm-up · load average {meta['load_at_start_end']}", "",
           f"Command: `{meta['command']}`", "",
           "| case | time | peak MiB | bound | met | note |", "|---|---:|---:|---|---|---|"]
    for r in rows:
        met = {True: "yes", False: "**no**", None: "–"}[r["met"]]  # type: ignore[index]
        peak = r["peak_mib"]
        note = str(r["note"] or "") + (f" (error: {r['error']})" if r["error"] else "")
        out.append(f"| {r['case']} | {_fmt_s(r['median_s'])} | "  # type: ignore[arg-type]
                   f"{'–' if peak is None else f'{peak:.0f}'} | {r['bound']} | {met} | {note} |")
    out += ["", "aml-lint's summary line per case (a sanity check that it did the work):", ""]
    out += [f"- {r['case']}: `{r['last_line']}`" for r in rows if r["last_line"]]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
