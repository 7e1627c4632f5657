"""Online resolution (opt-in, `--resolve`): what would pip really install for this environment?

Resolves an environment's pip requirements for a target Python on manylinux x86_64, with uv when
it is on PATH (fast, evaluates markers for the target) and with `pip install --dry-run --report`
otherwise. The result is either the exact installed set or a failure reason in plain words with
the requirement(s) responsible. Runs are time-boxed and cached per requirements hash.

This is the only module of aml-lint that reaches the network, and only when asked.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from aml_lint.knowledge.deps import PythonVersion, format_python, normalize

CACHE_VERSION = 1
DEFAULT_TIMEOUT = 180.0
UV_PLATFORM = "x86_64-manylinux_2_28"
PIP_PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_28_x86_64")

# Only the pipeline's environment can allow source builds (they run the package's code).
BUILD_SOURCES_VAR = "AML_LINT_RESOLVE_BUILD_SOURCES"

# Failure kinds, for callers that want to word or grade them.
CONFLICT = "conflict"
REQUIRES_PYTHON = "requires-python"
NOT_FOUND = "not-found"
TIMEOUT = "timeout"
UNAVAILABLE = "unavailable"
ERROR = "error"


@dataclass(frozen=True)
class Resolution:
    """Outcome of one resolution.

    installed: normalized name -> version (empty when not ok).
    reason: the resolver's explanation in plain words (None when ok).
    culprits: normalized names of the requested requirements the reason is about.
    """

    ok: bool
    python: PythonVersion
    tool: str
    elapsed: float
    installed: dict[str, str] = field(default_factory=dict)
    kind: str | None = None
    reason: str | None = None
    culprits: tuple[str, ...] = ()
    cached: bool = False
    from_source: tuple[str, ...] = ()  # resolved again allowing sdists because of these

    def describe(self) -> str:
        """One line: 'resolved 143 packages for Python 3.10 in 6.2 s (uv)'."""
        py = format_python(self.python)
        how = f"{self.tool}, cached" if self.cached else self.tool
        if self.from_source:
            how += f"; source builds allowed for {', '.join(self.from_source)}"
        if self.ok:
            return f"resolved {len(self.installed)} packages for Python {py} in {self.elapsed:.1f} s ({how})"
        return f"could not resolve for Python {py} ({how}, {self.elapsed:.1f} s): {self.reason}"


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aml-lint" / "resolve"


def requirements_key(
    requirements: Sequence[str], python: PythonVersion, tool: str, indexes: Sequence[str]
) -> str:
    """Cache key: the requirement lines (order kept), the target, the tool and the indexes."""
    blob = json.dumps(
        {"v": CACHE_VERSION, "reqs": [r.strip() for r in requirements], "py": list(python),
         "tool": tool, "indexes": list(indexes)},
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def find_uv() -> str | None:
    """uv on PATH, or beside this interpreter (a virtual environment that was not activated)."""
    found = shutil.which("uv")
    if found:
        return found
    beside = Path(sys.executable).parent / ("uv.exe" if os.name == "nt" else "uv")
    return str(beside) if beside.is_file() and os.access(beside, os.X_OK) else None


def pick_tool(prefer: str = "auto") -> str | None:
    """'uv' when asked for or found (auto), else 'pip'; None when neither is usable."""
    if prefer in ("auto", "uv") and find_uv():
        return "uv"
    if prefer == "uv":
        return None
    try:
        import pip  # noqa: F401  (only to know whether `python -m pip` exists)
    except ImportError:
        return None
    return "pip"


def resolve(
    requirements: Sequence[str],
    python: PythonVersion,
    *,
    tool: str = "auto",
    index_url: str | None = None,
    extra_index_urls: Sequence[str] = (),
    timeout: float = DEFAULT_TIMEOUT,
    cache_dir: Path | None = None,
    use_cache: bool = True,
) -> Resolution:
    """Resolve `requirements` (requirements.txt lines) for CPython `python` on manylinux x86_64.

    With `index_url` the resolver uses only that index (and `extra_index_urls`), ignoring the
    user's pip/uv configuration; without it, the user's configuration applies.
    """
    chosen = pick_tool(tool)
    if chosen is None:
        return Resolution(False, python, tool, 0.0, kind=UNAVAILABLE,
                          reason="neither uv nor pip is available to resolve with")
    indexes = [index_url or "", *extra_index_urls]
    cache_root = cache_dir or default_cache_dir()
    cache_file = cache_root / f"{requirements_key(requirements, python, chosen, indexes)}.json"
    if use_cache and cache_file.is_file():
        cached = _read_cache(cache_file)
        if cached is not None:
            return cached
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="aml-lint-resolve-") as tmp:
        reqfile = Path(tmp) / "requirements.txt"
        reqfile.write_text("\n".join(requirements) + "\n", encoding="utf-8")
        result, output = _run(chosen, reqfile, requirements, python, index_url, extra_index_urls,
                              cache_root, Path(tmp), timeout, start, binary_only=True)
        sdist_only = _no_wheels(output) if chosen == "uv" and not result.ok else []
        if sdist_only and os.environ.get(BUILD_SOURCES_VAR) != "1":
            # Resolving a source distribution may build it, which runs its build code; the
            # repository chose the package (and maybe the index), so it is never done unless
            # the pipeline itself (not the repository) allows it.
            result = replace(result, kind=UNAVAILABLE, culprits=tuple(sdist_only), reason=(
                f"{', '.join(sdist_only)} is published only as source code; aml-lint does not build "
                f"source distributions while resolving (building runs the package's code), so this "
                f"environment was not checked (set {BUILD_SOURCES_VAR}=1 in a trusted pipeline to allow it)"))
        elif sdist_only:
            # Some package ships no wheel at all (pure-Python sdists such as fusepy): pip in the
            # image builds it, so resolve again allowing source builds and say so.
            retry, _ = _run(chosen, reqfile, requirements, python, index_url, extra_index_urls,
                            cache_root, Path(tmp), timeout, start, binary_only=False)
            if retry.ok:
                used = tuple(n for n in sdist_only if n in retry.installed)
                result = replace(retry, from_source=used or tuple(sdist_only))
    # Only answers about the requirements are cached, not a slow network or a missing tool.
    if use_cache and result.kind not in (ERROR, TIMEOUT, UNAVAILABLE):
        _write_cache(cache_file, result)
    return result


def _run(tool: str, reqfile: Path, requirements: Sequence[str], python: PythonVersion,
         index_url: str | None, extra: Sequence[str], cache_root: Path, tmp: Path,
         timeout: float, start: float, binary_only: bool) -> tuple[Resolution, str]:
    """One resolver run: the result and the resolver's raw output."""
    if tool == "uv":
        cmd, env = _uv_command(reqfile, python, index_url, extra, cache_root, binary_only)
    else:
        cmd, env = _pip_command(reqfile, python, index_url, extra, tmp)
    left = max(timeout - (time.monotonic() - start), 0.001)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=left, env=env,
                              stdin=subprocess.DEVNULL, cwd=tmp)
    except subprocess.TimeoutExpired:
        return Resolution(False, python, tool, time.monotonic() - start, kind=TIMEOUT,
                          reason=f"the resolver did not finish within {timeout:.0f} s; not checked"), ""
    except OSError as exc:
        return Resolution(False, python, tool, time.monotonic() - start, kind=UNAVAILABLE,
                          reason=f"could not run {tool}: {exc}"), ""
    elapsed = time.monotonic() - start
    output = proc.stderr + "\n" + proc.stdout
    if proc.returncode == 0:
        installed = _uv_installed(proc.stdout) if tool == "uv" else _pip_installed(tmp / "report.json")
        return Resolution(True, python, tool, elapsed, installed=installed), output
    kind, reason = explain_failure(output, tool, requirements)
    if tool == "pip" and kind == NOT_FOUND:
        reason += (" (pip, resolving for another platform, considers wheels only: a package "
                   "published only as source code looks missing; uv does not have this limit)")
    return Resolution(False, python, tool, elapsed, kind=kind, reason=reason,
                      culprits=culprits(reason, requirements)), output


def _no_wheels(reason: str) -> list[str]:
    """Packages uv says have no usable wheel (and only a source distribution)."""
    names = re.findall(r"([A-Za-z0-9][A-Za-z0-9._-]*)==\S+ has no usable wheels", reason)
    names += re.findall(r"Wheels are required for `([^`]+)`", reason)
    return sorted({normalize(n) for n in names})


# --------------------------------------------------------------------------- commands


def _without_secrets(env: dict[str, str]) -> dict[str, str]:
    """The resolver never needs the CI job's tokens (action inputs, GITHUB_TOKEN,
    SYSTEM_ACCESSTOKEN, ACTIONS_*_TOKEN): keep them from it and anything it runs."""
    return {k: v for k, v in env.items()
            if not (k.upper().startswith("INPUT_") or "TOKEN" in k.upper())}


def _clean_env() -> dict[str, str]:
    return _without_secrets({k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))})


def _uv_command(reqfile: Path, python: PythonVersion, index_url: str | None,
                extra: Sequence[str], cache_root: Path,
                binary_only: bool = True) -> tuple[list[str], dict[str, str]]:
    uv = find_uv() or "uv"
    cmd = [uv, "pip", "compile", str(reqfile), "--python-version", format_python(python),
           "--python-platform", UV_PLATFORM, "--no-header", "--no-annotate", "--color", "never",
           "--no-python-downloads"]
    if binary_only:
        cmd += ["--only-binary", ":all:"]
    env = _without_secrets(dict(os.environ))
    if index_url:
        env = _clean_env()
        cmd += ["--no-config", "--index-url", index_url, "--cache-dir", str(cache_root / "uv")]
        for url in extra:
            cmd += ["--extra-index-url", url]
    return cmd, env


def _pip_command(reqfile: Path, python: PythonVersion, index_url: str | None,
                 extra: Sequence[str], tmp: Path) -> tuple[list[str], dict[str, str]]:
    cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
           "--no-input", "--disable-pip-version-check", "--report",
           str(tmp / "report.json"), "--python-version", format_python(python),
           "--implementation", "cp", "--only-binary=:all:", "--target", str(tmp / "target")]
    for plat in PIP_PLATFORMS:
        cmd += ["--platform", plat]
    env = _without_secrets(dict(os.environ))
    if index_url:
        env = _clean_env()
        env["PIP_CONFIG_FILE"] = os.devnull  # ignore the machine's indexes and constraints
        cmd += ["--index-url", index_url, "--no-cache-dir"]
        for url in extra:
            cmd += ["--extra-index-url", url]
    cmd += ["-r", str(reqfile)]
    return cmd, env


def _uv_installed(stdout: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in stdout.splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line.strip())
        if m:
            out[normalize(m.group(1))] = m.group(2)
    return out


def _pip_installed(report: Path) -> dict[str, str]:
    data = json.loads(report.read_text(encoding="utf-8"))
    return {normalize(item["metadata"]["name"]): str(item["metadata"]["version"])
            for item in data.get("install", [])}


# --------------------------------------------------------------------------- failure wording

_BOX = re.compile(r"^[\s×╰─▶│├┬┴┼╭╮╯╯]+")


def explain_failure(output: str, tool: str, requirements: Sequence[str] = ()) -> tuple[str, str]:
    """The resolver's output -> (kind, reason in plain words, one paragraph)."""
    lines = [_BOX.sub("", ln).strip() for ln in output.splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith(("warning:", "WARNING:", "hint:"))]
    if tool == "uv":
        text = " ".join(lines)
        text = re.sub(r"^error:\s*", "", text)
        text = re.sub(r"No solution found when resolving dependencies:?\s*", "", text)
        text = re.sub(r"^cause:\s*", "", text)
    else:
        keep = [re.sub(r"^ERROR:\s*", "", ln) for ln in lines
                if ln.startswith(("ERROR:", "Ignored the following", "The user requested",
                                  "The conflict is caused by"))
                or re.match(r"^\S+ \S+ depends on ", ln)]
        keep = [k for k in keep if not k.startswith(("To fix this", "ResolutionImpossible"))]
        text = " ".join(keep) or " ".join(lines[-3:])
        # pip names requirement-file lines, not requirements: put the requirement back.
        text = re.sub(
            r"-r \S+ \(line (\d+)\)",
            lambda m: _line(requirements, int(m.group(1))) or m.group(0),
            text,
        )
    text = condense(re.sub(r"\s+", " ", text).strip())
    low = text.lower()
    if ("require a different python version" in low or "does not satisfy python" in low
            or re.search(r"depends on python\s*[<>=!~]", low)):
        kind = REQUIRES_PYTHON
    elif ("not found in the package registry" in low or "no matching distribution" in low
          or "could not find a version" in low):
        kind = NOT_FOUND
    elif "conflict" in low or "unsatisfiable" in low or "incompatible" in low:
        kind = CONFLICT
    else:
        kind = ERROR
    return kind, text or f"{tool} failed without saying why"


def condense(text: str, limit: int = 600) -> str:
    """uv explains a failure as a numbered derivation that can run to pages: keep its first two
    distinct sentences and its conclusion, without the "(12)" back-references."""
    text = re.sub(r"\s*\(\d+\)\s*", " ", text)
    text = re.sub(r"we know from \(?\d*\)? ?that ", "we know that ", text)
    sentences = list(dict.fromkeys(s.strip() for s in re.split(r"(?<=\.)\s+(?=[A-Z])", text) if s.strip()))
    if len(sentences) > 3:
        sentences = [*sentences[:2], "...", sentences[-1]]
    out = " ".join(sentences)
    return out if len(out) <= limit else out[: limit - 3].rstrip() + "..."


def _line(requirements: Sequence[str], number: int) -> str | None:
    if 1 <= number <= len(requirements):
        return requirements[number - 1].strip()
    return None


def culprits(reason: str, requirements: Sequence[str]) -> tuple[str, ...]:
    """Requested requirement names the reason mentions, in request order."""
    low = reason.lower()
    out: list[str] = []
    for line in requirements:
        m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
        if not m or line.strip().startswith(("-", "#")):
            continue
        raw = m.group(1)
        names = {raw.lower(), normalize(raw), normalize(raw).replace("-", "_")}
        if any(re.search(rf"(?<![\w.-]){re.escape(n)}(?![\w-])", low) for n in names):
            out.append(normalize(raw))
    return tuple(dict.fromkeys(out))


# --------------------------------------------------------------------------- cache


def _read_cache(path: Path) -> Resolution | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["python"] = tuple(data["python"])
        data["culprits"] = tuple(data["culprits"])
        data["cached"] = True
        return Resolution(**data)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _write_cache(path: Path, result: Resolution) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(result), sort_keys=True), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a cache we cannot write only costs time
