"""AML402's fix (unsafe): max_queue_wait_ms removed, its time folded into request_timeout_ms."""

from __future__ import annotations

from pathlib import Path

import pytest
from rule_fixkit import no_fix, roundtrip

HEAD = ("$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\r\n"
        "name: blue   # live\r\n"
        "endpoint_name: 'my-endpoint'\r\n"
        "model: azureml:m:1\r\n"
        "instance_type: Standard_DS3_v2\r\n"
        "instance_count: 3\r\n")


def test_folded_into_the_timeout(tmp_path: Path) -> None:
    text = HEAD + ("request_settings:\r\n"
                   "  request_timeout_ms: 7000\t# seconds matter\r\n"
                   "  # queue\r\n"
                   "  max_queue_wait_ms: 2000   # deprecated\r\n"
                   "  max_concurrent_requests_per_instance: 1\r\n")
    fixed = HEAD + ("request_settings:\r\n"
                    "  request_timeout_ms: 9000\t# seconds matter\r\n"
                    "  # queue\r\n"
                    "  max_concurrent_requests_per_instance: 1\r\n")
    roundtrip(tmp_path, {"dep.yml": text}, "AML402", {"dep.yml": fixed}, safe=False)


def test_renamed_when_there_is_no_timeout(tmp_path: Path) -> None:
    text = HEAD + "request_settings:\r\n    max_queue_wait_ms: 2000\r\n"
    fixed = HEAD + "request_settings:\r\n    request_timeout_ms: 7000\r\n"
    roundtrip(tmp_path, {"dep.yml": text}, "AML402", {"dep.yml": fixed}, safe=False)


@pytest.mark.parametrize("settings", [
    "request_settings:\n  request_timeout_ms: 179000\n  max_queue_wait_ms: 2000\n",  # over the maximum
    "request_settings:\n  max_queue_wait_ms: '2000'\n",  # not a plain number
    "request_settings: {max_queue_wait_ms: 2000, request_timeout_ms: 1000}\n",  # flow style
])
def test_no_fix(tmp_path: Path, settings: str) -> None:
    no_fix(tmp_path, {"dep.yml": HEAD.replace("\r\n", "\n") + settings}, "AML402")
