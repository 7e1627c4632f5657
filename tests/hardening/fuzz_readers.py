"""Fuzz the document readers (and the engine) with hypothesis at scale; run by hand.

    python tests/hardening/fuzz_readers.py --examples 20000 --engine 1000 --save /tmp/crashes

Every generated text goes through ``readers.exercise`` (each reader plus what the
rules read from it) and, for ``--engine N`` examples per kind, through a real lint
of a one-file repository. Exceptions are collected, not raised, so the run covers
all examples; distinct crashes (type and innermost frame) are printed with one
reproducing input each. Exit status 1 when anything crashed.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from readers import FILE_NAMES, KINDS, exercise, lint_one, texts


def fuzz(kind: str, examples: int, target: Callable[[str, str], None],
         crashes: Counter[str], samples: dict[str, str]) -> int:
    ran = 0

    @settings(max_examples=examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data: st.DataObject) -> None:
        nonlocal ran
        ran += 1
        text = data.draw(texts(kind, max_parts=80))
        try:
            target(kind, text)
        except Exception as exc:  # noqa: BLE001 - counting crashes is the point
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            key = f"{kind}: {type(exc).__name__} at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}"
            crashes[key] += 1
            samples.setdefault(key, text)

    run()
    return ran


def engine_target(kind: str, text: str) -> None:
    for name in FILE_NAMES[kind][:1]:
        result = lint_one(kind, name, text)
        if result.internal_errors:
            raise RuntimeError(result.internal_errors[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000, help="reader examples per kind")
    parser.add_argument("--engine", type=int, default=0, help="engine examples per kind")
    parser.add_argument("--save", type=Path, help="folder for the full input of each distinct crash")
    args = parser.parse_args(argv)
    crashes: Counter[str] = Counter()
    samples: dict[str, str] = {}
    total = 0
    started = time.perf_counter()
    for kind in KINDS:
        total += fuzz(kind, args.examples, exercise, crashes, samples)
        if args.engine:
            total += fuzz(kind, args.engine, engine_target, crashes, samples)
    elapsed = time.perf_counter() - started
    print(f"{total} examples in {elapsed:.0f} s: {sum(crashes.values())} crashes, {len(crashes)} distinct")
    for n, (key, count) in enumerate(crashes.most_common()):
        print(f"  {count:6d}  {key}\n          input: {samples[key][:300]!r}")
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / f"crash-{n}.txt").write_text(samples[key], encoding="utf-8")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
