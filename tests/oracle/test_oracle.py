"""Differential test: aml-lint's schema verdict against the Azure ML SDK v2's (azure-ai-ml).

For every bundled example, for 1,200 seeded mutants of the deployments, environments and
endpoints and 600 of the jobs and components (and of hand-written seeds),
aml-lint (the rules that mirror the SDK's client-side checks: oracle_compare.RULES) and the
SDK (load + the checks `create` runs before its first request) must both accept or both
reject the file, apart from the documented exceptions of docs/oracle.md, each matched here by
name (oracle_compare.EXCEPTIONS). The SDK is imported once per session with sockets blocked.
Set AML_LINT_ORACLE_SEED to try other mutants; the default seed makes every run the same.
"""

from __future__ import annotations

import collections
import os
from pathlib import Path

import pytest

pytest.importorskip("azure.ai.ml", reason="azure-ai-ml is not installed (pip install -e '.[dev]' installs it)")

from oracle_compare import EXCEPTIONS, describe, errors, exceptions_for, lint_findings, write_case  # noqa: E402
from oracle_mutants import JOB_SDK_KINDS, Case, example_cases, job_mutants, mutants  # noqa: E402
from oracle_sdk import NetworkBlocked, Sdk, sockets_blocked  # noqa: E402

# The SDK's own deprecation warnings (marshmallow 4, its base BatchDeployment class) are not ours.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning",
                                        "ignore::PendingDeprecationWarning")
MUTANTS = 1200
JOB_MUTANTS = 600
SEED = int(os.environ.get("AML_LINT_ORACLE_SEED", "20261206"))
DOC = Path(__file__).resolve().parents[2] / "docs" / "oracle.md"


@pytest.fixture(scope="session")
def sdk() -> Sdk:
    return Sdk()


def compare(sdk: Sdk, cases: list[Case], tmp: Path) -> tuple[collections.Counter[str], list[str]]:
    """Counts of agreements and of each exception, and the unexplained disagreements."""
    counts: collections.Counter[str] = collections.Counter()
    unexplained = []
    for i, case in enumerate(cases):
        root = tmp / f"case{i}"
        write_case(root, case)
        findings = lint_findings(root, case)
        verdict = sdk.verdict(case.sdk_kind, root / case.main, case.data)
        names = exceptions_for(case, root, findings, verdict)
        if names == []:
            counts["agree: both reject" if verdict else "agree: both accept"] += 1
        elif names is None:
            unexplained.append(describe(case, findings, verdict))
        else:
            for name in names:
                counts[f"exception: {name}"] += 1
    return counts, unexplained


def test_sockets_are_blocked_while_the_sdk_runs() -> None:
    import socket

    with sockets_blocked(), pytest.raises(NetworkBlocked):
        socket.create_connection(("127.0.0.1", 9))
    with sockets_blocked(), pytest.raises(NetworkBlocked):
        socket.socket()
    socket.socket().close()  # restored afterwards


def test_every_exception_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for exc in EXCEPTIONS:
        assert f"`{exc.name}`" in text, f"docs/oracle.md does not describe the exception {exc.name!r}"


def test_bundled_examples_agree(sdk: Sdk, tmp_path: Path) -> None:
    cases = example_cases()
    assert len(cases) >= 6  # healthy and broken online, batch and environment YAMLs
    # ... and healthy and broken command, sweep and pipeline jobs and a command component
    assert {c.main.rpartition("/")[2] for c in cases if c.sdk_kind in JOB_SDK_KINDS} >= {
        "train-job.yml", "sweep-job.yml", "pipeline-job.yml", "train-component.yml"}
    counts, unexplained = compare(sdk, cases, tmp_path)
    assert not unexplained, "\n\n".join(unexplained)
    print(f"\noracle: {len(cases)} bundled examples: {dict(sorted(counts.items()))}")


def _assert_agree(counts: collections.Counter[str], unexplained: list[str], total: int) -> None:
    assert not unexplained, f"{len(unexplained)} unexplained disagreements:\n\n" + "\n\n".join(unexplained[:20])
    # The comparison must be able to fail: both verdicts occur, and most cases agree outright.
    assert counts["agree: both reject"] > total // 4 and counts["agree: both accept"] > total // 10
    assert sum(v for k, v in counts.items() if k.startswith("agree")) > 0.8 * total


def test_mutants_agree(sdk: Sdk, tmp_path: Path) -> None:
    cases = list(mutants(MUTANTS, SEED))
    assert len(cases) == MUTANTS
    counts, unexplained = compare(sdk, cases, tmp_path)
    print(f"\noracle: {len(cases)} mutants (seed {SEED}): {dict(sorted(counts.items()))}")
    _assert_agree(counts, unexplained, MUTANTS)


def test_job_mutants_agree(sdk: Sdk, tmp_path: Path) -> None:
    """Command, sweep and pipeline jobs and command components (`load_job`, `load_component`)."""
    cases = list(job_mutants(JOB_MUTANTS, SEED))
    assert len(cases) == JOB_MUTANTS
    assert {c.sdk_kind for c in cases} == set(JOB_SDK_KINDS)
    counts, unexplained = compare(sdk, cases, tmp_path)
    print(f"\noracle: {len(cases)} job and component mutants (seed {SEED}): {dict(sorted(counts.items()))}")
    _assert_agree(counts, unexplained, JOB_MUTANTS)


def test_known_schema_misses_are_closed(sdk: Sdk, tmp_path: Path) -> None:
    """The misses this test found first, fixed in the schemas: both sides now reject them."""
    from oracle_mutants import ONLINE, ONLINE_MINIMAL, SUPPORT

    def online(**changes: object) -> dict:
        return {**ONLINE_MINIMAL, **changes}

    collector = dict(ONLINE["data_collector"])  # type: ignore[arg-type]
    bad_version = {"collections": {"model_inputs": {"enabled": "true", "data": {"name": "d", "version": 1}}}}
    cases = [
        Case("data_collector version", "online", "d.yml", online(data_collector=bad_version), dict(SUPPORT)),
        Case("data_collector enabled", "online", "d.yml",
             online(data_collector={"collections": {"x": {"enabled": True}}}), dict(SUPPORT)),
        Case("managed target_utilization", "online", "d.yml",
             online(scale_settings={"type": "target_utilization", "max_instances": 3}), dict(SUPPORT)),
        Case("bare model name", "online", "d.yml", online(model="my-model:1"), dict(SUPPORT)),
        Case("local model as a string", "online", "d.yml", online(model="./model"), dict(SUPPORT)),
    ]
    good = [
        Case("data_collector", "online", "d.yml", online(data_collector=collector), dict(SUPPORT)),
        Case("default scale", "online", "d.yml", online(scale_settings={"type": "default"}), dict(SUPPORT)),
        Case("inline model", "online", "d.yml", online(model={"path": "model"}), dict(SUPPORT)),
    ]
    for i, case in enumerate(cases + good):
        root = tmp_path / str(i)
        write_case(root, case)
        lint_rejects = bool(errors(lint_findings(root, case)))
        sdk_rejects = sdk.verdict(case.sdk_kind, root / case.main, case.data) is not None
        assert (lint_rejects, sdk_rejects) == ((True, True) if case in cases else (False, False)), case.name
