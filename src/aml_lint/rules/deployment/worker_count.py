"""Concurrent requests per instance above 1 without `WORKER_COUNT`.

What it finds: online deployments with a scoring script (served by the AzureML
inference server) whose `request_settings.max_concurrent_requests_per_instance` is
above 1 while `environment_variables` has no `WORKER_COUNT`.

Why it matters: the inference server runs one worker unless `WORKER_COUNT` says
otherwise, so the extra concurrent requests queue inside the container and time out
("408 Request Timeout", "upstream request timeout") instead of being served in
parallel. The deployment reference says: "pass WORKER_COUNT: <int> as an environment
variable".

Fails:
    request_settings:
      max_concurrent_requests_per_instance: 4

Passes:
    request_settings:
      max_concurrent_requests_per_instance: 4
    environment_variables:
      WORKER_COUNT: "4"

Fix: set `WORKER_COUNT` to the number of requests your model can serve at once (and
make sure `init()` loads a model every worker can share in memory).
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.rules.base import Context, Hit

ID = "AML405"
NAME = "worker-count"
SEVERITY = "warning"
KINDS = (Kind.ONLINE_DEPLOYMENT, Kind.K8S_DEPLOYMENT)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    assert doc.yaml is not None
    code = doc.yaml.get(("code_configuration",))
    value = doc.yaml.get(("request_settings", "max_concurrent_requests_per_instance"))
    if not isinstance(code, dict) or not isinstance(value, int) or isinstance(value, bool) or value <= 1:
        return
    variables = doc.yaml.get(("environment_variables",))
    if isinstance(variables, dict) and "WORKER_COUNT" in variables:
        return
    yield Hit(f"max_concurrent_requests_per_instance is {value} but environment_variables has no WORKER_COUNT: "
              "the inference server runs one worker and the other requests wait; add "
              f"WORKER_COUNT: \"{value}\" (or what the model can serve at once)",
              doc.yaml.loc(("request_settings", "max_concurrent_requests_per_instance")))
