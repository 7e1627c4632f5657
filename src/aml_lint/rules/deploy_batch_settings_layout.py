"""Batch model deployment tuning keys in the wrong place.

What it finds: batch model deployments with `type: model` that write `mini_batch_size`,
`max_concurrency_per_instance`, `output_action`, `output_file_name`, `retry_settings`,
`error_threshold`, `logging_level` or `environment_variables` at the root instead of
under `settings:`; deployments that use `settings:` without `type: model` (the older
layout, which has no `settings`); a `settings:` block without `mini_batch_size`; and
`output_action: summary_only` together with an `output_file_name`.

Why it matters: the CLI loads a `type: model` deployment with the SDK's
`ModelBatchDeploymentSchema`, which has no root-level `mini_batch_size`,
`max_concurrency_per_instance`, `output_action`, `output_file_name`, `retry_settings` or
`logging_level`: it stops with "Unknown field", an error. Root-level `error_threshold` and
`environment_variables` load, but only `settings:` is sent to the service, so they are
silently dropped: a warning (the job runs with the defaults, without those variables).
Without `type: model` the SDK reads the older layout, where `settings:` is an "Unknown
field". The SDK also refuses "When output_action is set to summary_only, the
output_file_name need not to be specified.", and a `settings:` block without
`mini_batch_size` (azure-ai-ml 1.35 stops with "missing 1 required keyword-only
argument: 'mini_batch_size'").

Fails:
    type: model
    mini_batch_size: 10
    output_action: append_row

Passes:
    type: model
    settings:
      mini_batch_size: 10
      output_action: append_row

Fix: with `type: model`, put the tuning keys under `settings:`; with the older layout,
keep them at the root and drop `settings:` (or add `type: model`).
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.findings import Severity
from aml_lint.rules.base import Context, Hit

ID = "AML403"
NAME = "batch-settings-layout"
SEVERITY = "error"
KINDS = (Kind.BATCH_DEPLOYMENT,)
TUNING = ("mini_batch_size", "max_concurrency_per_instance", "output_action", "output_file_name",
          "retry_settings", "error_threshold", "logging_level", "environment_variables")
# Fields ModelBatchDeploymentSchema accepts at the root, then leaves out of what it sends.
DROPPED = ("error_threshold", "environment_variables")


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    assert doc.yaml is not None
    data = doc.yaml.data
    if not isinstance(data, dict):
        return
    settings = data.get("settings")
    if data.get("type") == "model":
        for key in TUNING:
            if key in data and key in DROPPED:
                yield Hit(f"'{key}' is at the root of a 'type: model' batch deployment: the SDK accepts it there "
                          "but sends only 'settings:', so it is silently dropped; move it under 'settings:'",
                          doc.yaml.loc((key,), key=True), severity=Severity.WARNING)
            elif key in data:
                yield Hit(f"'{key}' is at the root of a 'type: model' batch deployment, which the CLI refuses "
                          "('Unknown field'): move it under 'settings:'", doc.yaml.loc((key,), key=True))
        # (a root-level mini_batch_size is already reported above: one mistake, one finding)
        if isinstance(settings, dict) and "mini_batch_size" not in settings and "mini_batch_size" not in data:
            yield Hit("'settings:' has no mini_batch_size, which the SDK requires there (it fails with "
                      "\"missing 1 required keyword-only argument: 'mini_batch_size'\"): add "
                      "'mini_batch_size: 10' (the default)", doc.yaml.loc(("settings",), key=True))
    elif isinstance(settings, dict):
        yield Hit("'settings:' is only read with 'type: model'; add 'type: model' (and keep the tuning keys "
                  "under settings) or move them to the root", doc.yaml.loc(("settings",), key=True))
    for base in (("settings",) if isinstance(settings, dict) else (), ()):
        block = doc.yaml.get(base)
        if isinstance(block, dict) and block.get("output_action") == "summary_only" \
                and block.get("output_file_name"):
            yield Hit("output_file_name is set with output_action: summary_only, which the SDK refuses: "
                      "remove output_file_name (summary_only writes no predictions file)",
                      doc.yaml.loc((*base, "output_file_name"), key=True))
