"""The command blocks of README.md and docs/*.md, and the bash script that runs one.

The convention (docs/development.md): every ```sh (or bash, shell) block is
preceded by a marker comment,

    <!-- test: run -->                       run it (options below)
    <!-- test: run seed=docs/examples/seed.yaml fresh -->
    <!-- test: skip REASON -->               not run, and why

A run block runs in a temporary folder holding a copy of the repository's
``shifts/``, ``shiftctl.yaml`` and ``docs/examples/`` (``fresh``: only
``docs/examples/``), with ``shiftctl`` on the PATH and ``FEISHU_ENDPOINT`` /
``FEISHU_APP_ID`` / ``FEISHU_APP_SECRET`` naming an emulator served on 127.0.0.1
in place of a tenant (``seed=FILE`` seeds it); ``--emulator`` commands use their
own in-process state. Every command must exit 0, and a trailing ``# → TEXT``
says that TEXT (up to a closing ``…``) appears in that command's output.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Block", "Command", "blocks_of", "script_for"]

ROOT = Path(__file__).resolve().parents[2]
_FENCE = re.compile(r"^```(sh|bash|shell|console)\s*$")
_MARKER = re.compile(r"^<!--\s*test:\s*(run|skip)\b(.*?)-->\s*$")
_EXPECT = " # → "


@dataclass(frozen=True, slots=True)
class Command:
    line: int  # in the markdown file
    text: str
    expect: tuple[str, ...]  # fragments that must appear in its output, in order


@dataclass(frozen=True, slots=True)
class Block:
    path: Path
    line: int  # of the opening fence
    mode: str  # "run", "skip", or "" when the marker is missing
    options: dict[str, str]
    commands: tuple[Command, ...]

    @property
    def where(self) -> str:
        path = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{path}:{self.line}"


def blocks_of(path: Path) -> list[Block]:
    """Every command block of one markdown file, with its marker (if any)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        if not _FENCE.match(lines[index]):
            index += 1
            continue
        start = index
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("```"))
        mode, options = _marker(lines, start)
        found.append(Block(path, start + 1, mode, options, _commands(lines, start + 1, end)))
        index = end + 1
    return found


def _marker(lines: list[str], fence: int) -> tuple[str, dict[str, str]]:
    previous = fence - 1
    while previous >= 0 and not lines[previous].strip():
        previous -= 1
    match = _MARKER.match(lines[previous].strip()) if previous >= 0 else None
    if match is None:
        return "", {}
    mode, rest = match.group(1), match.group(2).strip()
    if mode == "skip":
        return mode, {"reason": rest}
    options: dict[str, str] = {}
    for word in rest.split():
        key, _, value = word.partition("=")
        options[key] = value
    return mode, options


def _commands(lines: list[str], first: int, end: int) -> tuple[Command, ...]:
    commands: list[Command] = []
    index = first
    while index < end:
        number = index + 1
        text = lines[index]
        while text.endswith("\\") and index + 1 < end:  # a continued line
            index += 1
            text = text[:-1] + " " + lines[index].strip()
        index += 1
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        command, _, expectation = text.partition(_EXPECT)
        if not expectation:
            command = _strip_comment(text)
        parts = tuple(p.strip() for p in expectation.split("…") if p.strip())
        commands.append(Command(number, command.strip(), parts))
    return tuple(commands)


def _strip_comment(text: str) -> str:
    """The line without a trailing ``# comment`` (one preceded by spaces, outside quotes)."""
    position = 0
    quote: str | None = None
    while position < len(text):
        char = text[position]
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and position > 0 and text[position - 1] == " ":
            return text[:position].rstrip()
        position += 1
    return text


def script_for(block: Block, outputs: Path) -> str:
    """A bash script running each command in this shell (so cd and export carry on), its
    output kept in ``outputs/N`` for the expectations, stopping at the first failure."""
    lines = ["set -e -o pipefail"]
    for number, command in enumerate(block.commands):
        out = shlex.quote(str(outputs / str(number)))
        shown = shlex.quote(f"{block.path.name}:{command.line}: {command.text}")
        lines.append(
            f"{{ {command.text} ; }} > {out} 2>&1 || {{ status=$?; cat {out}; "
            f'echo "doc-test: exit $status from "{shown} >&2; exit 1; }}'
        )
        lines.append(f"cat {out}")
    return "\n".join(lines) + "\n"
