"""Publishing findings on a pull request: GitHub (PyGithub) and Azure DevOps (urllib)."""

from __future__ import annotations

import os
from collections.abc import Mapping

# Seconds to wait for an API answer, instead of each client's default. The API-fault tests
# set it low so a server that hangs costs them seconds, through the same timeout path.
TIMEOUT_VAR = "AML_LINT_API_TIMEOUT"


def api_timeout(default: float, env: Mapping[str, str] = os.environ) -> float:
    """``default``, or the positive number of seconds in AML_LINT_API_TIMEOUT."""
    try:
        value = float(env.get(TIMEOUT_VAR, ""))
    except ValueError:
        return default
    return value if value > 0 else default
