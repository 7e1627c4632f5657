"""A Dockerfile `COPY`/`ADD` whose source is not in the build context.

What it finds: `COPY` and `ADD` sources that do not exist in the build context, or
that lead out of it (`../`). The build context is the one the repository uses: the
`build.path` of the environment, job or component that builds the Dockerfile (or the
`BuildContext` path of SDK code), else the context that `docker build -f X CONTEXT` / `az acr build --file X CONTEXT` gives it in the
repository's CI workflows, pipelines or shell scripts (both errors: that build fails). A
Dockerfile in scope whose context is written nowhere aml-lint reads is checked against its
own folder, the usual `docker build .` context, as a warning; when every source resolves
from a folder above it (`COPY environment/requirements.txt .` in `environment/Dockerfile`),
that folder is taken to be its context.
In scope: Dockerfiles an AzureML environment, job or component builds (YAML `build.path`,
SDK `BuildContext(path=...)`), that a script talking to AzureML builds, or that start FROM
an AzureML image (`mcr.microsoft.com/azureml/...`). A dev container's or a CI tool's
Dockerfile is not an AzureML environment and is not checked (by any rule).
A missing source that `.gitignore` or `.amlignore` lists is produced by an earlier step
(a trained model, `dvc pull`, a script that writes `requirements.txt`): a warning saying so
(info when the context is only assumed), unless the context's own ignore file keeps it out of
the build anyway (then it is reported as any missing source): `.dockerignore`, and for an
AzureML build the `.amlignore` (or, without one, the `.gitignore`) at the root of the context,
which AzureML applies when it uploads it. Skipped: copies from a build stage or image (`--from=`), URLs, heredocs, sources
with variables; a glob is fine when it matches something.

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
from aml_lint.documents.placeholders import is_placeholder
from aml_lint.findings import Severity
from aml_lint.ignored import excluded_from_context, generated_by
from aml_lint.rules.base import Context, Hit
from aml_lint.workspace import is_inside, relpath

ID = "AML218"
NAME = "dockerfile-copy-missing"
SEVERITY = "error"
KINDS = (Kind.DOCKERFILE,)

_GLOB = set("*?[")
MISSING = "does not exist in the build context"


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
    if is_placeholder(args):
        return None  # `COPY {{ model_dir }} /model/`: filled in before the build
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
    if "$" in source or "://" in source or source.startswith("git@") or is_placeholder(source):
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
    return None if exists else MISSING


def _generated(source: str, context: Path, azureml: bool, doc: Document,
               ctx: Context) -> tuple[str | None, str | None]:
    """(the ignore file saying a missing source is generated, the context's own ignore file that
    keeps it out of the build even once generated: .dockerignore; for an AzureML build, its
    .amlignore or .gitignore). An ignore file that lists the Dockerfile too is about uploads or
    the like, not about generated files."""
    rel = source.strip("/")
    generated = generated_by(ctx.project, relpath((context / rel).absolute(), ctx.project.root), doc.rel)
    if generated is None:
        return None, None
    return generated, excluded_from_context(ctx.project, context, rel, azureml)


def _likely_context(doc: Document, root: Path) -> Path:
    """For a Dockerfile whose context is written nowhere: the nearest folder, from its own up to
    the repository root, from which every COPY/ADD source resolves (``COPY environment/x`` in
    ``environment/Dockerfile`` says the context is its parent), else its own folder."""
    assert doc.dockerfile is not None
    copied = [src for ins in doc.dockerfile.instructions if ins.keyword in ("COPY", "ADD")
              for src in sources(ins) or []]
    folder = doc.path.parent
    if copied:
        for candidate in (folder, *folder.parents):
            if not is_inside(candidate, root):
                break
            if not any(_problem(src, candidate, root) for src in copied):
                return candidate
    return folder


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    if doc.dockerfile is None:
        return
    root = ctx.project.root
    candidates = contexts(doc, ctx)
    linked = bool(candidates)
    scripted = not linked and bool(ctx.project.build_contexts.get(doc.rel))
    if scripted:
        candidates = ctx.project.build_contexts[doc.rel]
        scripts = sorted({link.source for link in ctx.project.links_to(doc.rel)
                          if link.role in ("build_script", "dockerfile")})
    if not candidates:
        candidates = [_likely_context(doc, root)]
    # AzureML uploads the context (without what its .amlignore/.gitignore lists) when an
    # environment, job, component or SDK BuildContext builds the Dockerfile; a script's docker build does not.
    azureml = linked or any(link.role == "dockerfile" for link in ctx.project.links_to(doc.rel))
    for ins in doc.dockerfile.instructions:
        if ins.keyword not in ("COPY", "ADD"):
            continue
        for source in sources(ins) or []:
            problems = [_problem(source, c, root) for c in candidates]
            if all(problems):
                where = relpath(candidates[0], root) or "."
                generated, excluded = _generated(source, candidates[0], azureml, doc, ctx) \
                    if problems[0] == MISSING else (None, None)
                if generated is not None and excluded is None:
                    context = f"'{where}'" if linked or scripted else \
                        f"assumed to be the Dockerfile's folder '{where}'"
                    yield Hit(f"{ins.keyword} source '{source}' {problems[0]} ({context}), but {generated} "
                              "ignores it, so an earlier step (training, `dvc pull`, a build script) must "
                              "produce it: make sure that step runs before the image is built", ins.location,
                              severity=Severity.WARNING if linked or scripted else Severity.INFO)
                    continue
                # Listed by the context's own ignore file: even once generated, the build lacks it.
                why = f" (even once generated: {excluded} keeps it out of the context)" if excluded else ""
                if linked:
                    yield Hit(f"{ins.keyword} source '{source}' {problems[0]} ('{where}'){why}: the image build "
                              "fails here; correct the path relative to the build context", ins.location)
                elif scripted:
                    yield Hit(f"{ins.keyword} source '{source}' {problems[0]} ('{where}', as "
                              f"{', '.join(scripts)} builds it){why}: the image build fails here; correct the "
                              "path relative to that context", ins.location)
                else:
                    yield Hit(f"{ins.keyword} source '{source}' {problems[0]} (assumed to be the "
                              f"Dockerfile's folder '{where}', as no environment builds it){why}: the build "
                              "fails unless it runs with another context", ins.location,
                              severity=Severity.WARNING)
