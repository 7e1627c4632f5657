"""AML210 conda-pip-duplicate and AML211 conda-pip-conflict."""

from __future__ import annotations

from lintkit import LintFn


def conda(*deps: str, pip: tuple[str, ...] = ()) -> str:
    lines = ["dependencies:", "  - python=3.11", *[f"  - {d}" for d in deps], "  - pip", "  - pip:",
             *[f"      - {p}" for p in pip]]
    return "\n".join(lines) + "\n"


def test_duplicate_with_compatible_pins(lint: LintFn) -> None:
    # Regression: compatible duplicates were warnings; pip keeps conda's copy, the build works.
    found = lint({"conda.yml": conda("numpy=1.26", pip=("numpy==1.26.4",))}, rule="AML210")
    assert [(f.line, f.severity.label) for f in found] == [(6, "info")]
    assert "'numpy==1.26.4' is also installed by conda as 'numpy=1.26' (line 3)" in found[0].message


def test_duplicate_through_alias_and_normalization(lint: LintFn) -> None:
    found = lint({"conda.yml": conda("pytorch", "scikit_learn", pip=("torch", "Scikit-Learn>=1.4"))},
                 rule="AML210")
    assert [f.line for f in found] == [7, 8]


def test_no_duplicate_passes(lint: LintFn) -> None:
    assert lint({"conda.yml": conda("numpy=1.26", pip=("azureml-inference-server-http==1.4.1",))},
                rule="AML210") == []


def test_conflicting_pins(lint: LintFn) -> None:
    files = {"conda.yml": conda("numpy=1.26", "torch==2.3.0", "pandas 2.2.*",
                                pip=("numpy==2.1.0", "torch==2.3.1", "pandas==2.2.3"))}
    found = lint(files, rule="AML211")
    # Regression: pip replaces conda's copy and the build works, so never an error: a warning across
    # major versions (numpy 1 -> 2), info within one (torch 2.3.0 -> 2.3.1).
    assert [(f.line, f.severity.label) for f in found] == [(8, "warning"), (9, "info")]
    assert "'numpy==2.1.0' in the pip list contradicts 'numpy=1.26'" in found[0].message
    # A conflict is reported once, as a conflict, not also as a duplicate.
    assert [f.line for f in lint(files, rule="AML210")] == [10]


def test_compatible_pins_are_no_conflict(lint: LintFn) -> None:
    assert lint({"conda.yml": conda("numpy=1.26", "scipy>=1.11", "pandas",
                                    pip=("numpy==1.26.4", "scipy<1.14", "pandas==2.2.2"))},
                rule="AML211") == []


EXPORT = """name: snapshot
channels:
  - conda-forge
dependencies:
  - numpy=1.26.4=py311h64a7726_0
  - python=3.11.9=hb806964_0_cpython
  - scipy=1.13.1=py311h517d4fd_0
  - pip=24.0=pyhd8ed1ab_0
  - pip:
      - numpy==2.0.1
"""


def test_export_snapshot_conflicts_are_info(lint: LintFn) -> None:
    # Regression: `conda env export` output always holds such pairs (pip already replaced conda's copy).
    found = lint({"a/conda.yml": EXPORT, "b/conda.yml": EXPORT.replace("=py311h64a7726_0", "")
                  .replace("=hb806964_0_cpython", "").replace("=py311h517d4fd_0", "").replace("=pyhd8ed1ab_0", "")
                  + "prefix: /opt/conda/envs/snapshot\n"}, rule="AML211")
    assert sorted((f.path, f.line, f.severity.label) for f in found) == [
        ("a/conda.yml", 10, "info"), ("b/conda.yml", 10, "info")]
    assert "conda env export" in found[0].message


def test_hand_written_conflict_is_still_a_warning(lint: LintFn) -> None:
    found = lint({"conda.yml": "dependencies:\n  - python=3.11\n  - numpy=1.26.4=py311h64a7726_0\n"
                               "  - scipy=1.13\n  - pandas=2.2\n  - pip\n  - pip:\n      - numpy==2.0.1\n"},
                 rule="AML211")
    assert [(f.line, f.severity.label) for f in found] == [(8, "warning")]


def test_no_builds_export_snapshot_is_info(lint: LintFn) -> None:
    # `conda env export --no-builds`: exact pins, system libraries no one writes by hand.
    snapshot = ("name: snap\ndependencies:\n  - ca-certificates=2024.7.4\n  - openssl=3.3.1\n  - xz=5.4.6\n"
                "  - zlib=1.3.1\n  - python=3.11.9\n  - numpy=1.26.4\n  - pip=24.0\n  - pip:\n      - numpy==2.0.1\n")
    found = lint({"conda.yml": snapshot}, rule="AML211")
    assert [(f.line, f.severity.label) for f in found] == [(11, "info")]
    # A short hand-written file with exact pins is no snapshot.
    hand = "dependencies:\n  - python=3.11\n  - numpy=1.26.4\n  - pip=24.0\n  - pip:\n      - numpy==2.0.1\n"
    assert [f.severity.label for f in lint({"conda.yml": hand}, rule="AML211")] == ["warning"]
