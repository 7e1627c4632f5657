"""Environment markers (PEP 508) on the platform aml-lint judges: CPython on Linux x86_64, for one
Python 3 minor and one requested extra.

tools/build_knowledge.py uses this module to turn every marker of requires.json into bitmasks over
the Python minors the data knows, so the closure walk only ANDs integers. At run time deps.py
imports it (and with it packaging.markers) only for what the masks do not cover: a Python outside
that range, or a marker that uses `extra` other than as `extra == "name"` / `extra != "name"`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from packaging.markers import Marker
from packaging.utils import canonicalize_name

from aml_lint.knowledge.deps import NEWEST_PATCH, full_version  # noqa: F401  (re-exported for the build)

PythonVersion = tuple[int, int]


_LITERAL = re.compile(r"\"([^\"]*)\"|'([^']*)'")
_EXTRA_WORD = re.compile(r"\bextra\b")
_EXTRA_ATOM = re.compile(r"\bextra\s*(?:==|!=)\s*@(\d+)@")


def environment(python: PythonVersion, extra: str) -> dict[str, str]:
    """The marker variables of a Linux x86_64 CPython `python` installing `extra` ('' for none)."""
    v = f"{python[0]}.{python[1]}"
    full = full_version(python)
    return {
        "python_version": v, "python_full_version": full, "implementation_name": "cpython",
        "platform_python_implementation": "CPython", "sys_platform": "linux",
        "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix",
        "platform_release": "", "platform_version": "", "implementation_version": full,
        "extra": extra,
    }


@lru_cache(maxsize=4096)
def _parse(text: str) -> Marker | None:
    try:
        return Marker(text)
    except ValueError:  # InvalidMarker
        return None


def evaluate(text: str, python: PythonVersion, extra: str) -> bool:
    """Does the marker hold? True as well when it cannot be parsed or evaluated (an undefined
    comparison or variable, a version that does not parse): the dependency may then be there."""
    marker = _parse(text)
    if marker is None:
        return True
    try:
        return marker.evaluate(environment(python, extra))
    except ValueError:  # InvalidMarker, UndefinedComparison, UndefinedEnvironmentName, InvalidVersion
        return True


def mentioned_extras(text: str) -> frozenset[str] | None:
    """The extras (PEP 503 normalized) the marker compares `extra` with; None when it uses `extra`
    in any other way (`in`, `<`, a literal on the left), for then an extra it does not name may
    change the result."""
    values: list[str] = []

    def hold(m: re.Match[str]) -> str:
        values.append(m.group(1) if m.group(1) is not None else m.group(2))
        return f"@{len(values) - 1}@"

    bare = _LITERAL.sub(hold, text)
    atoms = _EXTRA_ATOM.findall(bare)
    if len(atoms) != len(_EXTRA_WORD.findall(bare)):
        return None
    return frozenset(str(canonicalize_name(values[int(i)])) for i in atoms)


def masks(text: str, minors: Iterable[int]) -> dict[str, int] | None:
    """{extra: bitmask of the minors (bit k: the k-th of `minors`) where the marker holds with that
    extra requested} for '' and each extra the marker names; None when that cannot describe it.

    With `extra` compared only by == and != (as strings, PEP 685 normalized), an extra the marker
    does not name gives the same result as none, so these entries cover every extra.
    """
    named = mentioned_extras(text)
    if named is None:
        return None
    pythons = [(3, m) for m in minors]
    return {e: sum(1 << k for k, py in enumerate(pythons) if evaluate(text, py, e))
            for e in sorted({"", *named})}
