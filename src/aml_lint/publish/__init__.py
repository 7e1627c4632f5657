"""Publishing findings on a pull request: GitHub (PyGithub) and Azure DevOps (urllib)."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

# Seconds to wait for an API answer, and the backoff factor between retries, instead of each
# client's default. The API-fault tests set them low so a server that hangs or keeps failing
# costs them seconds, through the same timeout and retry paths.
TIMEOUT_VAR = "AML_LINT_API_TIMEOUT"
BACKOFF_VAR = "AML_LINT_API_BACKOFF"


def _seconds(name: str, default: float, env: Mapping[str, str], minimum: float) -> float:
    try:
        value = float(env.get(name, ""))
    except ValueError:
        return default
    return value if math.isfinite(value) and value >= minimum else default


def api_timeout(default: float, env: Mapping[str, str] = os.environ) -> float:
    """``default``, or the positive number of seconds in AML_LINT_API_TIMEOUT."""
    return _seconds(TIMEOUT_VAR, default, env, minimum=1e-3)


def api_backoff(default: float, env: Mapping[str, str] = os.environ) -> float:
    """``default``, or the backoff factor (seconds, 0 or more) in AML_LINT_API_BACKOFF."""
    return _seconds(BACKOFF_VAR, default, env, minimum=0.0)
