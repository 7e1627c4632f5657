"""A deprecated managed online deployment setting: `request_settings.max_queue_wait_ms`.

What it finds: `max_queue_wait_ms` under `request_settings` of managed online
deployments. Kubernetes online deployments (`type: kubernetes`, or the Kubernetes
schema) are left alone: their reference documents the setting without deprecating it.

Why it matters: the managed online reference marks it deprecated ("increase
`request_timeout_ms` instead"); it no longer does what it says, so a deployment tuned
with it behaves differently from what its author expects, and deprecated keys are
dropped from the schema in later CLI versions.

Fails:
    request_settings:
      max_queue_wait_ms: 2000

Passes:
    request_settings:
      request_timeout_ms: 7000

Fix: remove `max_queue_wait_ms` and add its value to `request_timeout_ms`.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.rules.base import Context, Hit

ID = "AML402"
NAME = "deprecated-setting"
SEVERITY = "warning"
KINDS = (Kind.ONLINE_DEPLOYMENT,)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    assert doc.yaml is not None
    if str(doc.yaml.get(("type",)) or "").lower() == "kubernetes":
        return  # the SDK loads it with the Kubernetes schema, whatever $schema says
    settings = doc.yaml.get(("request_settings",))
    if isinstance(settings, dict) and "max_queue_wait_ms" in settings:
        yield Hit("request_settings.max_queue_wait_ms is deprecated for managed online endpoints: remove it "
                  "and add its time to request_timeout_ms", doc.yaml.loc(("request_settings", "max_queue_wait_ms"), key=True))
