"""Test helpers shared by every test folder: build a small repository from a dict of files and lint it.

Import it as ``from lintkit import ...`` (``tests`` is on pytest's ``pythonpath``); ``conftest``
is not importable reliably when several folders have one.
"""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from aml_lint.config import build_settings
from aml_lint.engine import run
from aml_lint.findings import Finding, LintResult
from aml_lint.rules import find_rule


def write_tree(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")


def lint_tree(root: Path, files: dict[str, str | bytes], **settings: object) -> LintResult:
    write_tree(root, files)
    return run(build_settings(root, **settings))  # type: ignore[arg-type]


LintFn = Callable[..., list[Finding]]

TOOLS = Path(__file__).resolve().parents[1] / "tools"


def load_tool(name: str) -> ModuleType:
    """tools/<name>.py as a module, loaded once (in sys.modules, which its dataclasses need)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# Deployments whose environment is registered (not visible): scoring-script rules see the script alone.
SCRIPT_ONLINE_DEPLOYMENT = """
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: blue
endpoint_name: my-endpoint
model: azureml:my-model:1
code_configuration:
  code: src
  scoring_script: score.py
environment: azureml:my-env:1
instance_type: Standard_DS3_v2
instance_count: 1
"""

SCRIPT_BATCH_DEPLOYMENT = """
$schema: https://azuremlschemas.azureedge.net/latest/modelBatchDeployment.schema.json
name: nightly
endpoint_name: my-batch
type: model
model: azureml:my-model:1
code_configuration:
  code: src
  scoring_script: score.py
environment: azureml:my-env:1
compute: cpu-cluster
"""

# An online deployment whose environment is an image plus env/conda.yml, with its script in src/.
CONDA_ONLINE_DEPLOYMENT = """\
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: blue
endpoint_name: my-endpoint
model: azureml:my-model:1
code_configuration:
  code: src
  scoring_script: score.py
environment:
  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest
  conda_file: env/conda.yml
instance_type: Standard_DS3_v2
instance_count: 1
"""

# An environment whose Docker build context is the repository root: it brings the root Dockerfile
# into scope (aml-lint leaves alone Dockerfiles that no AzureML asset builds).
ENV_BUILDS_DOCKERFILE = ("$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\n"
                         "name: docker-env\nbuild:\n  path: .\n")


def doc_example(rule_id: str, section: str) -> str:
    """The indented ``Fails:`` or ``Passes:`` example of a rule's page (its docstring)."""
    rule = find_rule(rule_id)
    assert rule is not None
    doc = rule.info.doc
    start = doc.index(f"{section}:") + len(section) + 1
    end = doc.index("Passes:" if section == "Fails" else "Fix:", start)
    fixed = doc.find("\nFixed:", start, end)  # a fixable rule's page shows the fixed example next
    end = fixed if fixed >= 0 else end
    return textwrap.dedent(doc[start:end]).strip("\n") + "\n"
