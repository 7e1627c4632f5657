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

Fixed:
    type: model
    settings:
      mini_batch_size: 10
      output_action: append_row

Passes:
    type: model
    settings:
      mini_batch_size: 10
      output_action: append_row

Fix: with `type: model`, put the tuning keys under `settings:`; with the older layout,
keep them at the root and drop `settings:` (or add `type: model`). `--fix` moves the root tuning
keys of a `type: model` deployment, each with its value, comments on its lines and nested lines,
to the end of its `settings:` block (created where the first of them stood, with
`mini_batch_size: 10`, the default, when none is given, since the SDK requires it there). Moving
keys the CLI refuses is safe; moving `error_threshold` or `environment_variables`, which are
dropped today and would start to apply, is unsafe (`--unsafe-fixes`). No fix for flow-style
mappings, a key also written under `settings:`, or the other findings.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.findings import Severity
from aml_lint.fix import Edit, Fix, newline_of
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.fix_helpers import child_indent, entry_lines, lines_span

ID = "AML403"
NAME = "batch-settings-layout"
SEVERITY = "error"
FIX = "safe or unsafe"
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
                          doc.yaml.loc((key,), key=True), severity=Severity.WARNING,
                          fix=_move_fix(doc, [k for k in TUNING if k in data], safe=False))
            elif key in data:
                yield Hit(f"'{key}' is at the root of a 'type: model' batch deployment, which the CLI refuses "
                          "('Unknown field'): move it under 'settings:'", doc.yaml.loc((key,), key=True),
                          fix=_move_fix(doc, [k for k in TUNING if k in data and k not in DROPPED], safe=True))
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


def _move_fix(doc: Document, keys: list[str], *, safe: bool) -> Fix | None:
    """One fix moving every root key of ``keys`` under 'settings:' (the same fix on each of their
    findings: applied once, the copies overlap it and fall away)."""
    text, yaml = doc.text, doc.yaml
    if text is None or yaml is None or not keys:
        return None
    settings = yaml.get(("settings",))
    if settings is not None and not (isinstance(settings, dict) and settings):
        return None
    if isinstance(settings, dict) and any(k in settings for k in keys):
        return None  # written twice: which value is meant is the author's call
    spans = [entry_lines(doc, (k,)) for k in keys]
    if any(s is None for s in spans):
        return None
    entries = sorted(s for s in spans if s is not None)
    nl = newline_of(text)
    lines = text.split("\n")
    indent = child_indent(doc, ("settings",)) if settings else _nested_indent(doc)
    if indent is None or indent < 1:
        return None
    moved = "".join(" " * indent + line.rstrip("\r") + nl if line.strip() else nl
                    for first, last in entries for line in lines[first - 1:last])
    edits = [Edit(doc.rel, *lines_span(text, first, last), "") for first, last in entries]
    if settings:
        where = entry_lines(doc, ("settings",))
        if where is None or any(first <= where[1] and where[0] <= last for first, last in entries):
            return None
        at = lines_span(text, *where)[1]
        lead = nl if at == len(text) and not text.endswith("\n") else ""
        if any(e.start <= at < e.end for e in edits):
            return None
        edits.append(Edit(doc.rel, at, at, lead + moved))
    else:
        default = "" if "mini_batch_size" in keys else " " * indent + "mini_batch_size: 10" + nl
        first = edits[0]
        edits[0] = Edit(doc.rel, first.start, first.end, "settings:" + nl + default + moved)
    moved_keys = ", ".join(k for k in keys)
    return Fix(f"move {moved_keys} under 'settings:'", tuple(sorted(edits)), safe=safe)


def _nested_indent(doc: Document) -> int | None:
    """The indentation the file uses for nested keys (2 when it has none)."""
    yaml = doc.yaml
    assert yaml is not None
    cols = sorted(loc.col - 1 for p, loc in yaml.keys.items() if len(p) == 2 and isinstance(p[0], str))
    return cols[0] if cols else 2
