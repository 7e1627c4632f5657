from __future__ import annotations

import sys
from pathlib import Path

# The helpers beside the tests (hostile.py) and the fake servers of the GitHub and Azure suites.
HERE = Path(__file__).parent
for folder in (HERE, HERE.parent / "github", HERE.parent / "azure"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
