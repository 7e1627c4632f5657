"""A managed online deployment whose `request_timeout_ms` exceeds the platform maximum.

What it finds: `request_settings.request_timeout_ms` above 180000 (3 minutes) in a
managed online deployment.

Why it matters: 180000 ms is the documented maximum for managed online endpoints; the
service rejects larger values when the deployment is created or updated, so the
`az ml online-deployment create` call fails. Requests that need longer than three
minutes belong in a batch endpoint.

Fails:
    request_settings:
      request_timeout_ms: 300000

Passes:
    request_settings:
      request_timeout_ms: 90000

Fix: keep `request_timeout_ms` at or below 180000; move long-running scoring to a batch
endpoint or make the client poll.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.rules.base import Context, Hit

ID = "AML401"
NAME = "request-timeout"
SEVERITY = "error"
KINDS = (Kind.ONLINE_DEPLOYMENT,)
MAX_MS = 180_000


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    assert doc.yaml is not None
    if str(doc.yaml.get(("type",)) or "").lower() == "kubernetes":
        return  # a Kubernetes deployment, whatever $schema says: the 180000 ms maximum is the managed one
    value = doc.yaml.get(("request_settings", "request_timeout_ms"))
    if isinstance(value, int) and not isinstance(value, bool) and value > MAX_MS:
        yield Hit(f"request_timeout_ms is {value}, above the maximum of {MAX_MS} for managed online "
                  "endpoints: the deployment is rejected; use 180000 or less (or a batch endpoint)",
                  doc.yaml.loc(("request_settings", "request_timeout_ms")))
