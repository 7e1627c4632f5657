"""A command component uses an optional input outside `$[[ ]]`.

What it finds: an input of a command component declared `optional: true` whose
`${{inputs.<name>}}` appears in `command:` outside an optional part `$[[ ... ]]`.

Why it matters: a pipeline may leave an optional input out, and Azure ML drops from the
command line only the optional parts (`$[[--max-depth ${{inputs.max_depth}}]]`) whose inputs
are missing. Outside one, nothing takes the expression's place, and the step runs with a broken
command line (or is refused) whenever the input is not given.

Severity: warning. azure-ai-ml (1.35) registers the component as it is, and the step works
whenever the input is given: it fails only in the pipelines that leave it out.

Fails:
    $schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
    type: command
    name: train
    code: src
    command: python train.py --data ${{inputs.data}} --max-depth ${{inputs.max_depth}}
    inputs:
      data:
        type: uri_folder
      max_depth:
        type: integer
        optional: true
    environment: azureml:sklearn-env:1

Passes:
    $schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
    type: command
    name: train
    code: src
    command: python train.py --data ${{inputs.data}} $[[--max-depth ${{inputs.max_depth}}]]
    inputs:
      data:
        type: uri_folder
      max_depth:
        type: integer
        optional: true
    environment: azureml:sklearn-env:1

Fix: wrap the option and its value in `$[[ ]]` (`$[[--max-depth ${{inputs.max_depth}}]]`), or
give the input a `default:` and drop `optional: true`.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import Document, Kind
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.job import _bindings as jb

ID = "AML604"
NAME = "optional-input-outside-brackets"
SEVERITY = "warning"
KINDS = (Kind.COMMAND_COMPONENT,)


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    optional = {name for name, is_optional in jb.inputs_without_default(doc) if is_optional}
    if not optional:
        return
    for cmd in jb.commands(doc):
        brackets = [m.span() for m in jb.OPTIONAL_PART_RE.finditer(cmd.text)]
        for m, rank in jb.occurrences(cmd.text, jb.EXPRESSION_RE):
            parts = m.group(1).split(".")
            if parts[0] != "inputs" or len(parts) < 2 or parts[1] not in optional:
                continue
            if any(start <= m.start() and m.end() <= end for start, end in brackets):
                continue
            yield Hit(f"{m.group()} is an optional input used outside $[[ ]]: when a pipeline leaves it out, "
                      f"nothing replaces it on the command line; wrap the option in $[[ ]] (for example "
                      f"'$[[--{parts[1]} {m.group()}]]') or give '{parts[1]}' a default",
                      jb.location_in(doc, cmd.path, m.group(), rank))
