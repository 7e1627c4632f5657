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

Fixed:
    request_settings:
      request_timeout_ms: 7000

Passes:
    request_settings:
      request_timeout_ms: 7000

Fix: remove `max_queue_wait_ms` and add its value to `request_timeout_ms`. `--unsafe-fixes` does
it: the entry is removed and its time added to `request_timeout_ms` (5000, the default, when not
written; the queue wait renamed in place when it is the only one). Unsafe, because a request may
then wait longer before timing out, which a reviewer must accept. No fix when the sum would pass
180000 ms, the managed online maximum (AML406), or when a value is not a plain number.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.fix import Edit, Fix
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.fix_helpers import entry_lines, lines_span, span

ID = "AML402"
NAME = "deprecated-setting"
SEVERITY = "warning"
FIX = "unsafe"
KINDS = (Kind.ONLINE_DEPLOYMENT,)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    assert doc.yaml is not None
    if str(doc.yaml.get(("type",)) or "").lower() == "kubernetes":
        return  # the SDK loads it with the Kubernetes schema, whatever $schema says
    settings = doc.yaml.get(("request_settings",))
    if isinstance(settings, dict) and "max_queue_wait_ms" in settings:
        yield Hit("request_settings.max_queue_wait_ms is deprecated for managed online endpoints: remove it "
                  "and add its time to request_timeout_ms", doc.yaml.loc(("request_settings", "max_queue_wait_ms"), key=True),
                  fix=_fold_fix(doc, settings))


DEFAULT_TIMEOUT_MS = 5000
MAX_TIMEOUT_MS = 180000  # managed online endpoints (AML406)


def _fold_fix(doc: Document, settings: dict[object, object]) -> Fix | None:
    text, yaml = doc.text, doc.yaml
    wait, timeout = settings.get("max_queue_wait_ms"), settings.get("request_timeout_ms", DEFAULT_TIMEOUT_MS)
    if text is None or yaml is None or type(wait) is not int or type(timeout) is not int or wait < 0:
        return None
    total = timeout + wait
    if total > MAX_TIMEOUT_MS:
        return None
    wait_path = ("request_settings", "max_queue_wait_ms")
    value = span(text, yaml.values[wait_path]) if wait_path in yaml.values else None
    if value is None:
        return None
    if "request_timeout_ms" not in settings:
        key = span(text, yaml.keys[wait_path])
        if key is None or text[key[0]:key[1]] != "max_queue_wait_ms":
            return None
        edits: tuple[Edit, ...] = (Edit(doc.rel, *key, "request_timeout_ms"), Edit(doc.rel, *value, str(total)))
    else:
        timeout_value = span(text, yaml.values[("request_settings", "request_timeout_ms")])
        lines = entry_lines(doc, wait_path)
        if timeout_value is None or lines is None:
            return None
        edits = tuple(sorted((Edit(doc.rel, *lines_span(text, *lines), ""),
                              Edit(doc.rel, *timeout_value, str(total)))))
    return Fix(f"remove max_queue_wait_ms and set request_timeout_ms to {total}", edits, safe=False)
