"""The Python entry points of a job's or component's ``command:``.

``python train.py --lr ${{inputs.lr}}``, ``cd src && python -m pkg.train``,
``torchrun --nproc_per_node 2 train.py``, ``A=1 python3 -u x.py`` ... : the command is split the
way a shell splits it (quotes, ``&&``, ``||``, ``;``, ``|``, line continuations, one command per
line), and each simple command that runs Python gives an Entry: the script path (relative to the
job's working folder, the code folder, after any ``cd``) or the module (``-m``).

``${{inputs.*}}``, ``${{outputs.*}}``, ``${{search_space.*}}`` and ``$[[optional]]`` are
arguments: left alone. What cannot be told without running the command is never guessed: a
shell script (``bash run.sh``), a variable or placeholder in the script's path, a ``cd`` to a
folder that is not written out, a ``bash -c`` string, quotes that do not close. Those are
returned as Unparsed (with the reason) so that a measurement can count them; the caller skips
them quietly.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, field

# `${{inputs.x}}` and friends; `$[[ ... ]]` is an optional argument that may vanish.
_PLACEHOLDER_RE = re.compile(r"\$\{\{.*?\}\}")
_OPTIONAL_RE = re.compile(r"\$\[\[.*?\]\]", re.S)
_TOKEN = "\x00P{}\x00"  # stands for a placeholder while the shell splits the text
_PYTHON_RE = re.compile(r"python(?:[23](?:\.\d+)?)?(?:\.exe)?")
_ASSIGN_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
# Python options that take a value (`-W ignore`, `-X dev`); `-c` and `-m` end the options.
_PY_VALUE_OPTS = frozenset({"-W", "-X", "--check-hash-based-pycs"})
# Words that run the rest of the command: `time python x.py`, `nohup python x.py`.
_PREFIXES = frozenset({"time", "nohup", "exec", "command", "stdbuf", "nice", "ionice", "xvfb-run", "sudo"})
# Tools that run a command in an environment: `conda run -n env python x.py`, `uv run x.py`.
_RUNNERS = {"conda": "run", "mamba": "run", "micromamba": "run", "uv": "run", "poetry": "run", "pipenv": "run"}
# Launchers that start a Python script on several processes or machines.
_LAUNCHERS = frozenset({"torchrun", "deepspeed", "mpirun", "mpiexec", "horovodrun", "srun"})
_LAUNCHER_MODULES = frozenset({"torch.distributed.launch", "torch.distributed.run", "deepspeed.launcher.runner",
                               "accelerate.commands.launch"})
_SHELLS = frozenset({"bash", "sh", "zsh", "source", "."})
_REDIRECTS = frozenset({">", ">>", "<", ">&", "<&", "&>", ">|", "<<", "<<<", "&>>"})
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&", "(", ")", ";;", "|&"})


@dataclass(frozen=True)
class Entry:
    """One Python program the command runs."""

    written: str  # the script or module as written in the command
    launcher: str  # python | torchrun | deepspeed | accelerate | mpirun | ...
    script: str | None = None  # path relative to the working folder, after any `cd` (posix)
    module: str | None = None  # `python -m pkg.mod`
    folder: str = ""  # where a module is looked for: the working folder, after any `cd`

    def candidates(self) -> list[str]:
        """Paths (relative to the job's working folder) that hold the entry: the script, or the
        module's ``pkg/mod.py`` and ``pkg/mod/__main__.py``."""
        if self.script is not None:
            return [self.script]
        if self.module is None:
            return []
        base = posixpath.join(self.folder, self.module.replace(".", "/"))
        return [f"{base}.py", f"{base}/__main__.py"]


@dataclass(frozen=True)
class Unparsed:
    """A part of the command that runs something we cannot tell without running it."""

    text: str
    reason: str


@dataclass
class ParsedCommand:
    entries: list[Entry] = field(default_factory=list)
    unparsed: list[Unparsed] = field(default_factory=list)
    # The words of the simple commands before the first entry (what ran before it: a download,
    # an unzip) and whether the working folder changed.
    before: list[list[str]] = field(default_factory=list)


def parse_command(command: str) -> ParsedCommand:
    """The Python entries (and the parts that cannot be told) of one ``command:`` value."""
    out = ParsedCommand()
    if not isinstance(command, str) or not command.strip():
        return out
    placeholders: list[str] = []

    def protect(m: re.Match[str]) -> str:
        placeholders.append(m.group())
        return _TOKEN.format(len(placeholders) - 1)

    text = _OPTIONAL_RE.sub(" ", command)
    text = _PLACEHOLDER_RE.sub(protect, text)
    text = re.sub(r"\\\r?\n", " ", text)  # line continuations
    text = re.sub(r"(?m)(?:^|(?<=\s))#.*$", "", text)  # comments, line by line
    try:
        # A newline ends a command, like `;` (a `command: |` block runs line by line).
        lexer = shlex.shlex(text.replace("\r", "").replace("\n", " ; "), posix=True, punctuation_chars=";&|()<>")
        lexer.whitespace_split = True
        lexer.commenters = ""
        words = list(lexer)
    except ValueError as exc:  # an unclosed quote
        out.unparsed.append(Unparsed(command.strip()[:200], f"the shell cannot split it ({exc})"))
        return out
    cwd: str | None = ""
    for simple in _simple_commands(words):
        cwd = _run(simple, cwd, out)

    def restore(text: str) -> str:
        return re.sub(r"\x00P(\d+)\x00", lambda m: placeholders[int(m.group(1))], text)

    out.unparsed = [Unparsed(restore(u.text), u.reason) for u in out.unparsed]
    return out


def _simple_commands(words: list[str]) -> list[list[str]]:
    out: list[list[str]] = []
    current: list[str] = []
    skip = False
    for word in words:
        if skip:  # the file of a redirection
            skip = False
            continue
        if word in _SEPARATORS:
            if current:
                out.append(current)
            current = []
        elif word in _REDIRECTS:
            skip = True
        else:
            current.append(word)
    if current:
        out.append(current)
    return out


def _has_placeholder(word: str) -> bool:
    return "\x00P" in word


def _run(words: list[str], cwd: str | None, out: ParsedCommand) -> str | None:
    """Record the entry one simple command runs; return the working folder after it."""
    i = 0
    while i < len(words) and _ASSIGN_RE.match(words[i]):  # `A=1 B=2 python x.py`
        i += 1
    while i < len(words) and words[i] in _PREFIXES:
        i += 1
    if i < len(words) and words[i] == "env":
        i += 1
        while i < len(words) and (_ASSIGN_RE.match(words[i]) or words[i].startswith("-")):
            i += 1
    if i >= len(words):
        return cwd
    program = words[i]
    name = program.rpartition("/")[2]
    args = words[i + 1:]
    if name in ("cd", "pushd"):
        return _cd(args, cwd, out)
    if name in _RUNNERS and args and args[0] == _RUNNERS[name]:
        rest = _skip_options(args[1:], {"-n", "--name", "-p", "--prefix", "--python", "--with", "--project",
                                        "--directory", "--env-file", "--group", "--extra"})
        if rest and name == "uv" and rest[0].endswith(".py"):  # `uv run train.py`
            return _script(rest[0], name, cwd, out, words)
        return _run(rest, cwd, out) if rest else cwd
    if _PYTHON_RE.fullmatch(name):
        _python(args, name, cwd, out, words)
    elif name in _LAUNCHERS:
        _launcher(args, name, cwd, out, words)
    elif name == "accelerate" and args[:1] == ["launch"]:
        _launcher(args[1:], "accelerate launch", cwd, out, words)
    elif name in _SHELLS or name.endswith((".sh", ".bash")):
        script = next((w for w in args if not w.startswith("-")), None) if name in _SHELLS else program
        what = "a shell string (bash -c)" if "-c" in args else f"a shell script ({script})" if script else "a shell"
        out.unparsed.append(Unparsed(" ".join(words)[:200], f"runs {what}: its Python entry is not followed"))
    elif program.startswith("$") or _has_placeholder(program):
        out.unparsed.append(Unparsed(" ".join(words)[:200], "the program is a variable or placeholder"))
    elif not out.entries:
        out.before.append(words)
    return cwd


def _cd(args: list[str], cwd: str | None, out: ParsedCommand) -> str | None:
    target = next((a for a in args if not a.startswith("-")), None)
    if cwd is None or target is None or target.startswith(("/", "~", "$")) or _has_placeholder(target):
        return None  # the folder is not known from here: what runs next is not followed
    return posixpath.normpath(posixpath.join(cwd, target))


def _skip_options(args: list[str], with_value: set[str] | frozenset[str]) -> list[str]:
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] != "-":
        word = args[i]
        if word == "--":
            return args[i + 1:]
        i += 2 if word in with_value and "=" not in word else 1
    return args[i:]


def _python(args: list[str], launcher: str, cwd: str | None, out: ParsedCommand, words: list[str]) -> None:
    i = 0
    while i < len(args):
        word = args[i]
        if word == "-c" or word.startswith("-c"):
            return  # code given on the command line: no entry file
        if word == "-m" or (word.startswith("-m") and len(word) > 2 and not word.startswith("--")):
            module = args[i + 1] if word == "-m" and i + 1 < len(args) else word[2:] if word != "-m" else None
            if module is None:
                return
            if module in _LAUNCHER_MODULES:
                _launcher(args[i + 2 if word == "-m" else i + 1:], module, cwd, out, words)
            elif _has_placeholder(module) or "$" in module:
                out.unparsed.append(Unparsed(" ".join(words)[:200], "the module name is a variable or placeholder"))
            elif cwd is None:
                out.unparsed.append(Unparsed(" ".join(words)[:200], "runs after a `cd` to a folder not written out"))
            else:  # `cd src && python -m pkg.mod`: the module is found from src
                out.entries.append(Entry(module, launcher, module=module, folder=cwd))
            return
        if word == "-" or not word.startswith("-"):
            break
        i += 2 if word in _PY_VALUE_OPTS else 1
    if i >= len(args) or args[i] == "-":
        return  # an interactive or stdin interpreter: no entry file
    _script(args[i], launcher, cwd, out, words)


def _script(word: str, launcher: str, cwd: str | None, out: ParsedCommand, words: list[str]) -> str | None:
    """Record ``word``, the script a Python interpreter or launcher runs, or why it is not followed."""
    shown = " ".join(words)[:200]
    if _has_placeholder(word):
        out.unparsed.append(Unparsed(shown, "the script path holds a ${{...}} placeholder"))
    elif "$" in word or "`" in word or "*" in word:
        out.unparsed.append(Unparsed(shown, "the script path holds a variable"))
    elif cwd is None:
        out.unparsed.append(Unparsed(shown, "runs after a `cd` to a folder not written out"))
    elif word.startswith(("/", "~")):
        out.unparsed.append(Unparsed(shown, "the script path is absolute (a file of the image, not of the code)"))
    else:
        out.entries.append(Entry(word, launcher, script=posixpath.normpath(posixpath.join(cwd, word))))
    return cwd


def _launcher(args: list[str], launcher: str, cwd: str | None, out: ParsedCommand, words: list[str]) -> None:
    """``torchrun [opts] x.py``, ``mpirun -np 4 python x.py``, ``deepspeed x.py``: the first word
    that is a Python interpreter, a ``.py`` file or ``-m`` after the launcher's options."""
    for i, word in enumerate(args):
        name = word.rpartition("/")[2]
        if _PYTHON_RE.fullmatch(name):
            _python(args[i + 1:], launcher, cwd, out, words)
            return
        if word in ("-m", "--module") and i + 1 < len(args) and launcher != "mpirun":
            _python(["-m", args[i + 1]], launcher, cwd, out, words)
            return
        if word.endswith(".py"):
            _script(word, launcher, cwd, out, words)
            return
    out.unparsed.append(Unparsed(" ".join(words)[:200], f"no Python script found after {launcher}"))
