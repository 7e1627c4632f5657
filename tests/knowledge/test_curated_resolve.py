"""tools/build_curated.py --resolve: the installed closures, with a fake `uv` (no network)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from lintkit import load_tool

bc = load_tool("build_curated")

# A stand-in for `uv pip compile`: it logs its arguments and answers from the requirements file.
# - scikit-learn: resolves (with numpy, joblib, and pandas's numpy when pandas is asked for);
# - "clash": refuses unless given --override (what a layered image install does);
# - "broken": always refuses.
FAKE_UV = '''\
import json, sys
args = sys.argv[1:]
with open(LOG, "a") as f:
    f.write(json.dumps(args) + "\\n")
reqs = open(args[2]).read().split()
if any(r.startswith("broken") for r in reqs):
    sys.stderr.write("  x No solution found when resolving dependencies:\\n  `-> Because broken was not found "
                     "in the package registry and you require broken, we can conclude that your "
                     "requirements are unsatisfiable.\\n")
    sys.exit(1)
if "gone==1.0" in reqs:
    sys.stderr.write("  x No solution found when resolving dependencies:\\n  `-> Because there is no version of "
                     "gone==1.0 and you require gone==1.0, we can conclude that your requirements are "
                     "unsatisfiable.\\n")
    sys.exit(1)
if any(r.startswith("clash") for r in reqs) and "--override" not in args:
    sys.stderr.write("  x No solution found when resolving dependencies:\\n  `-> Because clash==1.0 depends "
                     "on setuptools<70 and you require setuptools>=80, we can conclude that your "
                     "requirements are unsatisfiable.\\n")
    sys.exit(1)
out = []
for r in reqs:
    name = r.split("=")[0].split(">")[0].split("<")[0]
    out.append(name + "==1.0")
    if name == "scikit-learn":
        out += ["numpy==2.0.2", "joblib==1.4.2", "threadpoolctl==3.5.0"]
    if name == "pandas":
        out += ["numpy==2.0.2", "python-dateutil==2.9.0.post0", "tzdata==2024.1"]
print("\\n".join(sorted(set(out))))
print("    # via scikit-learn")
'''


def fake_uv(tmp_path: Path) -> tuple[str, Path]:
    log = tmp_path / "uv-log.jsonl"
    uv = tmp_path / "uv"
    uv.write_text(f"#!{sys.executable}\nLOG = {str(log)!r}\n" + FAKE_UV, encoding="utf-8")
    uv.chmod(0o755)
    return str(uv), log


def table() -> dict[str, Any]:
    """A hand-made table in curated.json's form."""
    packages = [
        ["azureml-inference-server-http", "", "pip"],  # 0
        ["broken", "", "pip"],  # 1
        ["clash", "==1.0", "pip"],  # 2
        ["pandas", "2.2", "conda"],  # 3 (conda: pandas=2.2 -> pandas==2.2.*)
        ["scikit-learn", "==1.5.1", "pip"],  # 4
        ["setuptools", ">=80", "pip"],  # 5
        ["setuptools", "70.1", "conda"],  # 6
        ["torch", "", "pip"],  # 7
        ["gone", "==1.0", "pip"],  # 8: a release PyPI does not have
    ]
    def env(steps: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        return {"folder": "assets/x", "image": None, "status": "active", "tagged": True, "versions": steps, **extra}
    return {
        "format": 1, "images": {}, "packages": packages,
        "source": {"commit": "0" * 40, "date": "2026-07-23T19:40:12Z", "repository": "r"},
        "environments": {
            # two versions: only the last is resolved, with what it installs after the changes
            "sk": env([{"v": 3, "python": "3.10", "complete": True, "+": [0, 4, 7]},
                       {"v": 4, "+": [3], "-": [7]}]),
            "acpt": env([{"v": 1, "python": "3.10", "base_image": "acpt", "+": [7]}]),  # framework base
            "layers": env([{"v": 7, "python": "3.12", "complete": True, "+": [0, 2, 5, 6]}]),
            "bad": env([{"v": 2, "python": "3.11", "complete": True, "+": [0, 1]}], status="removed",
                       removed="2025-08-21"),
            "gone": env([{"v": 5, "python": "3.9", "complete": True, "+": [0, 8]}]),
            "nopy": env([{"v": 1, "complete": True, "+": [0]}]),
        },
    }


def test_closures_of_complete_environments(tmp_path: Path) -> None:
    uv, log = fake_uv(tmp_path)
    out = bc.resolve_closures(table(), uv)
    envs = out["environments"]
    pins = out["installed"]
    assert pins == sorted(pins)

    def closure(name: str) -> dict[str, str]:
        return dict(pins[i].split("==") for i in envs[name]["closure"]["+"])

    # version 4 of sk: torch left, pandas (conda) came in under its PyPI name, with what both bring
    assert envs["sk"]["closure"]["v"] == 4 and "note" not in envs["sk"]["closure"]
    assert closure("sk") == {"azureml-inference-server-http": "1.0", "scikit-learn": "1.0", "pandas": "1.0",
                             "numpy": "2.0.2", "joblib": "1.4.2", "threadpoolctl": "3.5.0",
                             "python-dateutil": "2.9.0.post0", "tzdata": "2024.1"}
    assert "closure" not in envs["acpt"] and "closure_error" not in envs["acpt"]  # stays partial
    # a clash a single resolution refuses resolves as the image's layers install it, and says so
    assert envs["layers"]["closure"]["note"] == bc.LAYERED_NOTE
    assert set(closure("layers")) == {"azureml-inference-server-http", "clash", "setuptools"}
    # a failure is kept, with the resolver's reason, and no closure
    assert "closure" not in envs["bad"] and "broken was not found" in envs["bad"]["closure_error"]
    assert envs["nopy"]["closure_error"] == "the environment's Python is not known"
    # a pinned release PyPI does not have: resolved by the package's name, and said so
    assert set(closure("gone")) == {"azureml-inference-server-http", "gone"}
    assert envs["gone"]["closure"]["note"].endswith("pins PyPI does not have relaxed to the name: gone")

    calls = [json.loads(line) for line in log.read_text().splitlines()]
    by_python = {c[c.index("--python-version") + 1]: c for c in calls}
    sk = by_python["3.10"]
    assert sk[:2] == ["pip", "compile"] and sk[sk.index("--python-platform") + 1] == "x86_64-manylinux_2_28"
    assert sk[sk.index("--exclude-newer") + 1] == "2026-07-23T23:59:59Z"  # the snapshot's day
    assert "--only-binary" in sk and "--no-config" in sk
    bad = by_python["3.11"]
    assert bad[bad.index("--exclude-newer") + 1] == "2025-08-21T23:59:59Z"  # removed: its removal day
    layered = [c for c in calls if "--override" in c]
    assert len(layered) == 4  # layers; bad's second try; gone's layered try, then without the pin


def test_layered_requirements_keep_one_line_per_package() -> None:
    # pip installs after conda and a later floor raise wins: one requirement each.
    lines = [("setuptools==70.1.*", "conda"), ("setuptools>=80", "pip"), ("setuptools>=69", "pip"),
             ("numpy==1.26.*", "conda"), ("Scikit_Learn==1.5.1", "pip")]
    assert bc.layered(lines) == ["Scikit_Learn==1.5.1", "numpy==1.26.*", "setuptools>=80"]


def test_two_resolutions_give_the_same_bytes_and_only_refreshes_the_named(tmp_path: Path) -> None:
    uv, _log = fake_uv(tmp_path)
    first = bc.resolve_closures(table(), uv)
    assert bc.dump(first) == bc.dump(bc.resolve_closures(table(), uv))
    # --only: the named environment is resolved again, the others keep their closures
    again = bc.resolve_closures(first, uv, only={"layers"})
    assert bc.dump(again) == bc.dump(first)


def test_lookup_reads_the_closure_of_the_resolved_version_only(tmp_path: Path, monkeypatch: Any) -> None:
    from aml_lint.knowledge import curated

    uv, _log = fake_uv(tmp_path)
    path = tmp_path / "curated.json"
    path.write_bytes(bc.dump(bc.resolve_closures(table(), uv)))
    monkeypatch.setattr(curated, "_TABLE", path)
    for cached in (curated.table, curated._names_folded, curated._replay, curated._installed):
        cached.cache_clear()
    try:
        latest = curated.lookup("azureml://registries/azureml/environments/sk/labels/latest")
        assert latest is not None and latest.installed is not None
        assert ("numpy", "2.0.2") in latest.installed and latest.resolved_version == 4
        older = curated.lookup("azureml://registries/azureml/environments/sk/versions/3")
        assert older is not None and older.resolved_version == 3 and older.installed is None
        acpt = curated.lookup("azureml://registries/azureml/environments/acpt/labels/latest")
        assert acpt is not None and acpt.installed is None
    finally:
        monkeypatch.undo()
        for cached in (curated.table, curated._names_folded, curated._replay, curated._installed):
            cached.cache_clear()
