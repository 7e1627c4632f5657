"""AML210 conda-pip-duplicate and AML211 conda-pip-conflict."""

from __future__ import annotations

from lintkit import LintFn


def conda(*deps: str, pip: tuple[str, ...] = ()) -> str:
    lines = ["dependencies:", "  - python=3.11", *[f"  - {d}" for d in deps], "  - pip", "  - pip:",
             *[f"      - {p}" for p in pip]]
    return "\n".join(lines) + "\n"


def test_duplicate_with_compatible_pins(lint: LintFn) -> None:
    found = lint({"conda.yml": conda("numpy=1.26", pip=("numpy==1.26.4",))}, rule="AML210")
    assert [(f.line, f.severity.label) for f in found] == [(6, "warning")]
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
    assert [(f.line, f.severity.label) for f in found] == [(8, "error"), (9, "error")]
    assert "'numpy==2.1.0' in the pip list contradicts 'numpy=1.26'" in found[0].message
    # A conflict is reported once, as a conflict, not also as a duplicate.
    assert [f.line for f in lint(files, rule="AML210")] == [10]


def test_compatible_pins_are_no_conflict(lint: LintFn) -> None:
    assert lint({"conda.yml": conda("numpy=1.26", "scipy>=1.11", "pandas",
                                    pip=("numpy==1.26.4", "scipy<1.14", "pandas==2.2.2"))},
                rule="AML211") == []
