"""A managed online deployment with a single instance.

What it finds: managed online deployments with `instance_count: 1`.

Why it matters: one instance means no redundancy: an OS patch, a node failure or a
deployment update takes the endpoint down while the instance is replaced. Microsoft's
reference says "For high availability, Microsoft recommends you set it to at least 3".
Fine for development and samples, so this is information, not a warning.

Fails:
    instance_count: 1

Passes:
    instance_count: 3

Fix: use at least 3 instances for production traffic (and keep 20% of quota free for
upgrades), or autoscale.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.rules.base import Context, Hit

ID = "AML406"
NAME = "single-instance"
SEVERITY = "info"
KINDS = (Kind.ONLINE_DEPLOYMENT,)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    assert doc.yaml is not None
    if doc.yaml.get(("instance_count",)) == 1 and doc.yaml.get(("type",)) != "kubernetes":
        yield Hit("instance_count is 1: one instance gives no high availability (Microsoft recommends at "
                  "least 3 for production)", doc.yaml.loc(("instance_count",)))
