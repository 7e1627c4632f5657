"""Read Azure Pipelines output the way the agent does (shared by the Azure tests).

A bare CR or LF ends a line, the first ``##vso[`` anywhere in a line starts a
command, the first ``]`` after it ends the command part, properties split on
``;`` and at the first ``=``, and both properties and data are unescaped
(``%3B %0D %0A %5D``, then ``%AZP25``).
"""

from __future__ import annotations

import re

PREFIX = "##vso["


def unescape(text: str) -> str:
    for token, code in ((";", "%3B"), ("\r", "%0D"), ("\n", "%0A"), ("]", "%5D")):
        text = text.replace(code, token)
    return text.replace("%AZP25", "%")


def agent_parse(output: str) -> list[tuple[str, dict[str, str], str]]:
    commands = []
    for line in re.split(r"\r\n|\r|\n", output):
        start = line.find(PREFIX)
        if start < 0:
            continue
        end = line.find("]", start)
        if end < 0:
            continue
        info = line[start + len(PREFIX) : end]
        name, _, rest = info.partition(" ")
        props: dict[str, str] = {}
        for pair in rest.split(";"):
            key, eq, value = pair.partition("=")
            if eq and key:
                props[key.lower()] = unescape(value)
        commands.append((name, props, unescape(line[end + 1 :])))
    return commands
