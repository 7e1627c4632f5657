"""Documents: one file read once, classified, and parsed into a line-aware model.

Readers live beside this module (yaml_doc, conda, requirements, dockerfile,
python_script). A Document parses lazily and caches, so every rule shares one
parse per file.
"""

from __future__ import annotations

import enum
import stat
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from aml_lint.documents.conda import CondaEnv, read_conda
from aml_lint.documents.dockerfile import Dockerfile, read_dockerfile
from aml_lint.documents.placeholders import find_template_syntax, has_control_tags, render
from aml_lint.documents.python_script import PythonScript, read_python
from aml_lint.documents.requirements import RequirementsFile, read_requirements
from aml_lint.documents.yaml_doc import YamlDoc, YamlReadError, load_yaml
from aml_lint.findings import Location

# Read limits bound the time and memory one file can cost (checking is linear in size: about
# 2 s and 100 MiB per MiB of pip list). Definition files are tiny in practice (AzureML refuses
# Dockerfiles over 100 KB; a conda file of 1 MiB would list some 50,000 packages); Python files
# can legitimately be larger.
MAX_DEFINITION_BYTES = 512 * 1024
MAX_PYTHON_BYTES = 1024 * 1024


class Kind(enum.Enum):
    ENVIRONMENT = "AzureML environment"
    ONLINE_DEPLOYMENT = "managed online deployment"
    K8S_DEPLOYMENT = "Kubernetes online deployment"
    BATCH_DEPLOYMENT = "batch model deployment"
    PIPELINE_BATCH_DEPLOYMENT = "batch pipeline-component deployment"
    ENDPOINT = "endpoint"
    COMMAND_JOB = "command job"
    SWEEP_JOB = "sweep job"
    PIPELINE_JOB = "pipeline job"
    COMMAND_COMPONENT = "command component"
    CONDA = "conda environment file"
    REQUIREMENTS = "requirements file"
    DOCKERFILE = "Dockerfile"
    SCORING_SCRIPT = "scoring script"
    ENTRY_SCRIPT = "job entry script"  # the script a job's or component's `command:` runs
    PYTHON = "Python module"
    OTHER_YAML = "YAML file"

    @property
    def is_deployment(self) -> bool:
        return self in DEPLOYMENT_KINDS

    @property
    def is_yaml(self) -> bool:
        return self in YAML_KINDS

    @property
    def is_job(self) -> bool:
        """A job or component: its `command:` runs an entry script in its environment."""
        return self in JOB_KINDS

    @property
    def is_script(self) -> bool:
        """Python run by AzureML itself (scoring script or job entry script)."""
        return self in SCRIPT_KINDS


DEPLOYMENT_KINDS = frozenset(
    {Kind.ONLINE_DEPLOYMENT, Kind.K8S_DEPLOYMENT, Kind.BATCH_DEPLOYMENT, Kind.PIPELINE_BATCH_DEPLOYMENT}
)
JOB_KINDS = frozenset({Kind.COMMAND_JOB, Kind.SWEEP_JOB, Kind.PIPELINE_JOB, Kind.COMMAND_COMPONENT})
YAML_KINDS = DEPLOYMENT_KINDS | JOB_KINDS | {Kind.ENVIRONMENT, Kind.ENDPOINT, Kind.CONDA, Kind.OTHER_YAML}
SCRIPT_KINDS = frozenset({Kind.SCORING_SCRIPT, Kind.ENTRY_SCRIPT})
PYTHON_KINDS = SCRIPT_KINDS | {Kind.PYTHON}

@dataclass(frozen=True)
class ReadProblem:
    message: str
    location: Location = field(default_factory=Location)
    too_large: bool = False


@dataclass(eq=False)
class Document:
    """A file of one Kind. ``text`` is None when it could not be read (see ``read_problem``)."""

    path: Path
    rel: str
    kind: Kind
    text: str | None
    read_problem: ReadProblem | None = None

    @cached_property
    def template_marker(self) -> tuple[str, Location] | None:
        """The first placeholder of a file that is a template: YAML that does not parse until a
        pipeline renders it (``name: {{ x }}-blue``, Jinja blocks). A file that parses is not a
        template, whatever it holds: its placeholder values are skipped one by one, and a
        placeholder inside a comment is never looked at."""
        if self.text is None or not self.kind.is_yaml or not isinstance(self.yaml_result, YamlReadError):
            return None
        found = find_template_syntax(self.text)
        if found is None:
            return None
        # Prefer the placeholder that breaks the parse (on the error's line) over the first one.
        error_line = self.yaml_result.location.line
        lines = self.text.splitlines()
        if found[1] != error_line and 1 <= error_line <= len(lines):
            on_line = find_template_syntax(lines[error_line - 1])
            if on_line is not None:
                found = (on_line[0], error_line, on_line[2])
        marker, line, col = found
        if not has_control_tags(self.text) and self.rendered is None:
            return None  # still broken once rendered: a real syntax error (AML002), not a template
        return marker, Location(line, col)

    @cached_property
    def rendered(self) -> YamlDoc | None:
        """The document as a pipeline would render it (placeholders replaced), when that parses."""
        if self.text is None or not isinstance(self.yaml_result, YamlReadError):
            return None
        try:
            return load_yaml(render(self.text))
        except YamlReadError:
            return None

    @cached_property
    def yaml_result(self) -> YamlDoc | YamlReadError | None:
        if self.text is None or not self.kind.is_yaml:
            return None
        try:
            return load_yaml(self.text)
        except YamlReadError as exc:
            return exc

    @property
    def yaml(self) -> YamlDoc | None:
        result = self.yaml_result
        return result if isinstance(result, YamlDoc) else None

    @property
    def data(self) -> object:
        doc = self.yaml
        return doc.data if doc else None

    @cached_property
    def conda(self) -> CondaEnv | None:
        doc = self.yaml
        if doc is None or self.kind is not Kind.CONDA:
            return None
        return read_conda(doc, self.rel)

    @cached_property
    def requirements(self) -> RequirementsFile | None:
        if self.text is None or self.kind is not Kind.REQUIREMENTS:
            return None
        return read_requirements(self.text, self.rel)

    @cached_property
    def dockerfile(self) -> Dockerfile | None:
        if self.text is None or self.kind is not Kind.DOCKERFILE:
            return None
        return read_dockerfile(self.text, self.rel)

    def release_tree(self) -> None:
        """Forget the parsed script (it is parsed again if asked for): a syntax tree costs ~100 KB."""
        self.__dict__.pop("script", None)

    @cached_property
    def script(self) -> PythonScript | None:
        if self.text is None or self.kind not in PYTHON_KINDS:
            return None
        return read_python(self.text, self.rel)


def read_text(path: Path) -> tuple[str | None, ReadProblem | None]:
    """Read a file as UTF-8 text, refusing what AzureML could not use either, and files over
    their size limit (MAX_PYTHON_BYTES for ``.py``, MAX_DEFINITION_BYTES for the rest)."""
    python = path.suffix == ".py"
    limit = MAX_PYTHON_BYTES if python else MAX_DEFINITION_BYTES
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # A FIFO or device would block or never end: only regular files are read.
            return None, ReadProblem("not a regular file (a FIFO, socket or device); not read")
        size = info.st_size
        if size > limit:
            what = "Python file" if python else "definition file"
            return None, ReadProblem(f"file is {_size(size)}, over the {_size(limit)} limit for a {what}; "
                                     "not checked", too_large=True)
        data = path.read_bytes()
    except OSError as exc:
        return None, ReadProblem(f"cannot read file: {exc.strerror or exc}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, ReadProblem("file is UTF-16 encoded; AzureML and conda read UTF-8: re-save it as UTF-8")
    if b"\0" in data[:8192]:
        return None, ReadProblem("binary file (contains NUL bytes); not read")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, ReadProblem(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); re-save the file as UTF-8",
            Location(line, 1),
        )
    return text, None


def read_head(path: Path, size: int = 64 * 1024) -> str:
    """The first ``size`` bytes as text (undecodable bytes replaced): enough to tell what a file
    too large to check is."""
    try:
        with path.open("rb") as fh:
            return fh.read(size).decode("utf-8", "replace")
    except OSError:
        return ""


def _size(n: int) -> str:
    return f"{n / 1048576:.1f} MiB" if n >= 1048576 else f"{n / 1024:.0f} KiB"
