"""Dockerfiles: instructions with line numbers, base images, and what RUN lines install.

A small reader, not a full BuildKit parser: line continuations, comments,
parser directives and heredocs are handled well enough to find FROM, COPY/ADD
sources and ``pip install`` / ``conda install`` in RUN lines.
"""

from __future__ import annotations

import functools
import re
import shlex
from dataclasses import dataclass, field

from aml_lint.documents.requirements import Declared, PipLine, declared_from, parse_pip_line
from aml_lint.findings import Location


@dataclass(frozen=True, slots=True)
class Instruction:
    keyword: str  # upper case: FROM, RUN, COPY ...
    args: str  # everything after the keyword, continuations joined with spaces
    location: Location


@dataclass(frozen=True)
class BaseImage:
    image: str  # as written, ARGs substituted where their default is known
    alias: str | None
    location: Location


@dataclass
class Dockerfile:
    path: str
    instructions: list[Instruction] = field(default_factory=list)
    # pip_installs() parses every word of every RUN; many rules ask, so it is done once.
    _pip_lines: list[PipLine] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def args(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for ins in self.instructions:
            if ins.keyword == "ARG" and "=" in ins.args:
                name, _, value = ins.args.partition("=")
                values[name.strip()] = value.strip().strip("\"'")
        return values

    @property
    def bases(self) -> list[BaseImage]:
        args = self.args
        out = []
        for ins in self.instructions:
            if ins.keyword != "FROM":
                continue
            words = [w for w in ins.args.split() if not w.startswith("--")]
            if not words:
                continue
            image = _substitute(words[0], args)
            alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            out.append(BaseImage(image, alias, ins.location))
        return out

    def used_stages(self) -> set[int]:
        """Indexes of the build stages the final image depends on.

        The last stage, the stages it builds FROM by name, and the stages named by
        `COPY --from=` or `RUN --mount=...,from=` (name or index) of a needed stage,
        transitively. BuildKit skips the others; the classic builder builds them and
        throws the result away. A reference built from an ARG (`FROM oras-${MODE}`) can be
        changed by `--build-arg`, so it counts every stage whose name it could become.
        """
        bases = self.bases
        if len(bases) <= 1:
            return set(range(len(bases)))
        args = self.args
        names = [_substitute(base.alias, args).lower() if base.alias else None for base in bases]
        # What each stage refers to, as written: its FROM image, then its --from= values.
        refs: list[list[str]] = []
        for ins in self.instructions:
            if ins.keyword == "FROM":
                words = [w for w in ins.args.split() if not w.startswith("--")]
                if words:
                    refs.append([words[0]])
            elif refs and ins.keyword in ("COPY", "ADD", "RUN"):
                refs[-1].extend(_from_flags(ins.args))
        used: set[int] = set()
        todo = [len(refs) - 1]
        while todo:
            i = todo.pop()
            if i in used:
                continue
            used.add(i)
            for j, ref in enumerate(refs[i]):
                todo.extend(k for k in _stages_named(ref.strip("\"'").lower(), names, by_index=j > 0) if k != i)
        return used

    def external_bases(self) -> list[BaseImage]:
        """FROM lines that name an image, not an earlier build stage, in stages the final image uses."""
        used = self.used_stages()
        stages: set[str] = set()
        out = []
        for i, base in enumerate(self.bases):
            if i not in used:
                if base.alias:
                    stages.add(base.alias.lower())
                continue
            if base.image.lower() not in stages and base.image != "scratch":
                out.append(base)
            if base.alias:
                stages.add(base.alias.lower())
        return out

    def pip_installs(self) -> list[PipLine]:
        """Requirement lines installed by ``pip install`` in RUN instructions (incl. ``-r`` files)."""
        if self._pip_lines is None:
            lines: list[PipLine] = []
            args = self.args
            for ins in self.instructions:
                if ins.keyword == "RUN":
                    lines.extend(_pip_args(ins, args))
            self._pip_lines = lines
        return list(self._pip_lines)

    def conda_env_files(self) -> list[tuple[str, Location]]:
        """Files given to ``conda env create|update -f FILE`` (or mamba's) in RUN instructions."""
        out: list[tuple[str, Location]] = []
        for ins in self.instructions:
            if ins.keyword != "RUN":
                continue
            for words in _commands(ins.args):
                programs = [i for i, w in enumerate(words) if w.rsplit("/", 1)[-1] in ("conda", "mamba", "micromamba")]
                if not programs or "env" not in words[programs[0]:]:
                    continue
                rest = words[programs[0]:]
                if not {"create", "update"} & set(rest):
                    continue
                for k, word in enumerate(rest[:-1]):
                    if word in ("-f", "--file"):
                        out.append((rest[k + 1], ins.location))
                    elif word.startswith("--file="):
                        out.append((word.split("=", 1)[1], ins.location))
        return out

    def conda_installs(self) -> list[tuple[str, Location]]:
        out: list[tuple[str, Location]] = []
        for ins in self.instructions:
            if ins.keyword != "RUN":
                continue
            for words in _commands(ins.args):
                i = _find_subcommand(words, ("conda", "mamba", "micromamba"), "install")
                if i is None:
                    continue
                skip_next = False
                for word in words[i + 1:]:
                    if skip_next:
                        skip_next = False
                        continue
                    if word in ("-c", "--channel", "-n", "--name", "-p", "--prefix", "--file"):
                        skip_next = True
                        continue
                    if not word.startswith("-"):
                        out.append((word, ins.location))
        return out

    @property
    def declared(self) -> list[Declared]:
        return [d for line in self.pip_installs() if (d := declared_from(line, self.path, "dockerfile"))]


def _stages_named(ref: str, names: list[str | None], by_index: bool) -> list[int]:
    """The stages a FROM image or a --from= value names; none when it names an image."""
    if "$" in ref:  # any value the ARG may take: match the rest of the reference literally
        parts = re.split(r"\$\{[^}]*\}|\$\w+", ref)
        pattern = re.compile(".*".join(re.escape(part) for part in parts))
        return [k for k, name in enumerate(names)
                if (name and pattern.fullmatch(name)) or (by_index and pattern.fullmatch(str(k)))]
    if ref in names:
        return [names.index(ref)]
    if by_index and ref.isdigit() and int(ref) < len(names):
        return [int(ref)]  # `COPY --from=0`; a FROM cannot name a stage by its index
    return []


def _from_flags(args: str) -> list[str]:
    """Stages or images an instruction reads from: `COPY --from=builder`, `RUN --mount=...,from=0`."""
    out: list[str] = []
    words = args.split()
    for k, word in enumerate(words):
        if not word.startswith("--"):
            break  # flags come first; the rest is sources or the shell command
        if word == "--from" and k + 1 < len(words):
            out.append(words[k + 1])
        elif word.startswith("--from="):
            out.append(word.split("=", 1)[1])
        elif word.startswith("--mount="):
            out.extend(m.group(1) for m in re.finditer(r"(?:^|,)from=([^,]+)", word.split("=", 1)[1]))
    return out


def _substitute(text: str, args: dict[str, str]) -> str:
    def repl(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(2)
        return args.get(name, m.group(0))

    return re.sub(r"\$\{(\w+)(?::-[^}]*)?\}|\$(\w+)", repl, text)


# shlex builds each token a character at a time (quadratic on one huge word: minutes for
# a 2 MB RUN line); no real RUN instruction is this long, so beyond it words split on spaces.
SHLEX_MAX_CHARS = 64 * 1024


def _commands(shell: str) -> list[list[str]]:
    """Split a RUN line into simple commands (on &&, ||, ;, |, &) and words, without redirections."""
    return [list(c) for c in _split_commands(shell)]


@functools.lru_cache(maxsize=256)  # several rules ask about the same RUN lines
def _split_commands(shell: str) -> tuple[tuple[str, ...], ...]:
    try:
        if len(shell) > SHLEX_MAX_CHARS:
            raise ValueError("too long for shlex")
        lexer = shlex.shlex(shell, posix=True, punctuation_chars=";&|<>")
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:
        tokens = shell.split()
    commands: list[list[str]] = [[]]
    target = False
    for token in tokens:
        if target:  # the file (or &1) a redirection names is not an argument
            target = False
        elif token and set(token) <= set(";&|<>") and set(token) & set("<>"):
            # `2>/dev/null`, `>> log`, `&>`, `2>&1`, `< in`: the '2' before it is its fd
            if commands[-1] and commands[-1][-1].isdigit():
                commands[-1].pop()
            target = True
        elif token and set(token) <= set(";&|"):
            commands.append([])
        else:
            commands[-1].append(token)
    return tuple(tuple(c) for c in commands if c)


def _find_subcommand(words: list[str], programs: tuple[str, ...], sub: str) -> int | None:
    for i, word in enumerate(words):
        base = word.rsplit("/", 1)[-1]
        if base in programs or re.fullmatch(r"(pip|pip3(\.\d+)?)", base) and "pip" in programs:
            for j in range(i + 1, len(words)):
                if words[j] == sub:
                    return j
                if not words[j].startswith("-") and words[j] not in ("-m", "pip"):
                    break
    return None


_UNRESOLVED_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._\-]*(?:\[[^\]]*\])?)\s*(?:[=<>!~]=?=?).*\$")


# `{{ version }}` with spaces, filled in before the build: one word, as the rendered file has.
_SPACED_PLACEHOLDER = re.compile(r"(?<!\$)\{\{[^{}\n]*\s[^{}\n]*\}\}")


def _pip_args(ins: Instruction, args: dict[str, str]) -> list[PipLine]:
    out: list[PipLine] = []
    shell = _SPACED_PLACEHOLDER.sub(lambda m: "".join(m.group().split()), _substitute(ins.args, args))
    for words in _commands(shell):
        i = _find_subcommand(words, ("pip", "pip3", "uv"), "install")
        if i is None:
            continue
        rest = words[i + 1:]
        skip = False
        for k, word in enumerate(rest):
            if skip:
                skip = False
                continue
            if word in ("-r", "--requirement", "-c", "--constraint") and k + 1 < len(rest):
                out.append(PipLine(f"{word} {rest[k + 1]}", ins.location, include=rest[k + 1], option=word))
                skip = True
                continue
            if word in ("-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--target", "-t",
                        "--prefix", "--root", "--trusted-host", "--python-version", "--platform",
                        # options whose value is a separate word (`--progress-bar off` installs no "off")
                        "--progress-bar", "--cache-dir", "--src", "--log", "--timeout", "--retries",
                        "--proxy", "--upgrade-strategy", "--implementation", "--abi", "--only-binary",
                        "--no-binary", "--use-feature", "--exists-action", "--report", "-C",
                        "--config-settings", "--global-option", "--python"):
                skip = True
                continue
            if word.startswith("-"):
                continue
            unresolved = _UNRESOLVED_PIN.match(word)
            if unresolved:
                # `pkg==$VERSION` set at build time: the package is installed, its version unknown here.
                word = unresolved.group("name")
            parsed = parse_pip_line(word, ins.location)
            if parsed:
                out.append(parsed)
    return out


def read_dockerfile(text: str, path: str) -> Dockerfile:
    result = Dockerfile(path)
    escape = "\\"
    lines = text.splitlines()
    i = 0
    # Parser directives (# escape=`) only at the very top.
    for line in lines[:5]:
        m = re.match(r"#\s*escape\s*=\s*(\S)", line)
        if m:
            escape = m.group(1)
    while i < len(lines):
        raw = lines[i]
        start = i + 1
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        parts = [raw.rstrip()]
        continued = parts[-1].endswith(escape)
        while continued and i + 1 < len(lines):
            if parts[-1].endswith(escape):
                parts[-1] = parts[-1][:-1]
            i += 1
            nxt = lines[i].rstrip()
            if nxt.strip().startswith("#") or not nxt.strip():
                continue  # comment and empty lines inside a continuation are skipped, as Docker does
            parts.append(nxt)
            continued = nxt.endswith(escape)
        heredoc = re.search(r"<<-?\s*[\"']?(\w+)[\"']?", parts[0])
        if heredoc:
            marker = heredoc.group(1)
            while i + 1 < len(lines) and lines[i + 1].strip() != marker:
                i += 1
                parts.append(lines[i])
            i += 1
        i += 1
        joined = " ".join(p.strip() for p in parts if p.strip())
        keyword, _, args = joined.partition(" ")
        col = len(raw) - len(raw.lstrip()) + 1
        result.instructions.append(
            Instruction(keyword.upper(), args.strip(), Location(start, col, start, len(raw.rstrip()) + 1))
        )
    return result
