"""A Dockerfile `COPY`/`ADD` whose source is not in the build context.

What it finds: `COPY` and `ADD` sources that do not exist in the build context, or
that lead out of it (`../`). The build context is the environment's `build.path` when
an AzureML environment builds the Dockerfile (an error). A Dockerfile no environment
links to is checked against its own folder, the usual `docker build .` context; since
its real context is not written anywhere aml-lint can read (a script may run
`az acr build -f x.dockerfile other/folder`), that is a warning.
Skipped: copies from a build stage or image (`--from=`), URLs, heredocs, sources with
variables; a glob is fine when it matches something.
A missing source that `.gitignore` ignores is written by an earlier step (a script that
generates `requirements.txt`, a CI job that downloads a model): a warning saying so (info
when the context is only assumed), unless the context's own ignore file keeps it out of the
build anyway (`.dockerignore`; for an AzureML build, the `.amlignore`, or without one the
`.gitignore`, at the root of `build.path`, which AzureML applies when it uploads the context).

Why it matters: the image build stops at that line: "COPY failed: file not found in
build context or excluded by .dockerignore: stat conda.yml: file does not exist"
(BuildKit: "failed to compute cache key: ... not found"), reported by AzureML as
"ImageBuildFailure". Sources outside the context are never sent to the builder.

Fails:
    # environment/Dockerfile, build context 'environment'
    FROM mcr.microsoft.com/azureml/minimal-py312-inference:latest
    COPY conda.yml /tmp/conda.yml      # the file is environment/conda.yaml

Passes:
    FROM mcr.microsoft.com/azureml/minimal-py312-inference:latest
    COPY conda.yaml /tmp/conda.yaml

Fix: correct the source path (relative to the build context), or move the file into
the context; to copy from another stage, use `COPY --from=<stage>`.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from aml_lint.documents import Document, Kind
from aml_lint.documents.dockerfile import Instruction
from aml_lint.findings import Severity
from aml_lint.ignored import excluded_from_context, generated_by
from aml_lint.rules.base import Context, Hit
from aml_lint.workspace import is_inside, relpath

ID = "AML218"
NAME = "dockerfile-copy-missing"
SEVERITY = "error"
KINDS = (Kind.DOCKERFILE,)

_GLOB = set("*?[")


def contexts(doc: Document, ctx: Context) -> list[Path]:
    """Build contexts the environments that use the Dockerfile give it ([] when none does)."""
    found: list[Path] = []
    for envs in ctx.project.environments.values():
        for env in envs:
            if env.dockerfile_doc is doc and env.build_context is not None and env.build_context not in found:
                found.append(env.build_context)
    return found


def sources(ins: Instruction) -> list[str] | None:
    """The source operands of a COPY/ADD; None when they cannot be judged (stage copy, heredoc)."""
    args = ins.args.strip()
    if args.startswith("["):
        try:
            words = json.loads(args)
        except ValueError:
            return None
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            return None
    else:
        try:
            words = shlex.split(args, posix=True)
        except ValueError:
            words = args.split()
    operands = []
    for word in words:
        if word.startswith("--"):
            if word.startswith("--from"):
                return None
            continue
        operands.append(word)
    if len(operands) < 2 or any(w.startswith("<<") for w in operands):
        return None
    return operands[:-1]


def _problem(source: str, context: Path, root: Path) -> str | None:
    if "$" in source or "://" in source or source.startswith("git@"):
        return None
    rel = PurePosixPath(source.lstrip("/")) if source.strip("/") else PurePosixPath(".")
    target = (context / rel).absolute()
    if not is_inside(target, context):
        return "leads outside the build context"
    if _GLOB & set(source):
        try:
            matched = next(iter(context.glob(str(rel))), None)
        except (ValueError, NotImplementedError, OSError):
            return None
        return None if matched is not None else "matches no file in the build context"
    if not is_inside(target, root):
        return "leads outside the repository"
    try:
        exists = target.exists()
    except (OSError, ValueError):  # a name the OS refuses (over NAME_MAX, NUL): not there
        exists = False
    return None if exists else _MISSING


_MISSING = "does not exist in the build context"


def _generated(source: str, context: Path, azureml: bool, ctx: Context) -> str | None:
    """The .gitignore saying a missing COPY source is generated, unless the context's own ignore
    file (.dockerignore; for an AzureML build, its .amlignore or .gitignore) keeps it out anyway."""
    rel = source.strip("/")
    generated = generated_by(ctx.project, relpath(context / rel, ctx.project.root))
    if generated is None or excluded_from_context(context, rel, azureml) is not None:
        return None
    return generated


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    if doc.dockerfile is None:
        return
    root = ctx.project.root
    candidates = contexts(doc, ctx)
    linked = bool(candidates)
    candidates = candidates or [doc.path.parent]
    for ins in doc.dockerfile.instructions:
        if ins.keyword not in ("COPY", "ADD"):
            continue
        for source in sources(ins) or []:
            problems = [_problem(source, c, root) for c in candidates]
            if all(problems):
                where = relpath(candidates[0], root) or "."
                generated = _generated(source, candidates[0], linked, ctx) if problems[0] == _MISSING else None
                if generated is not None:
                    context = f"'{where}'" if linked else f"assumed to be the Dockerfile's folder '{where}'"
                    yield Hit(f"{ins.keyword} source '{source}' {problems[0]} ({context}), but {generated} "
                              "ignores it, so an earlier step (a build script, CI) must write it: make sure "
                              "that step runs before the image is built", ins.location,
                              severity=Severity.WARNING if linked else Severity.INFO)
                    continue
                if linked:
                    yield Hit(f"{ins.keyword} source '{source}' {problems[0]} ('{where}'): the image build "
                              "fails here; correct the path relative to the build context", ins.location)
                else:
                    yield Hit(f"{ins.keyword} source '{source}' {problems[0]} (assumed to be the "
                              f"Dockerfile's folder '{where}', as no environment builds it): the build "
                              "fails unless it runs with another context", ins.location,
                              severity=Severity.WARNING)
