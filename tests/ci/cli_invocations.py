"""Finds the shiftctl invocations in shell scripts and checks them against the click tree.

Workflows and hook manifests call the command line by text; this keeps that text honest
against the commands and options that really exist.
"""

from __future__ import annotations

import math
import os
import re
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import click

from reconciler.cli._anywhere import own_option, takes_value

# GitHub expressions are substituted before the shell runs; a placeholder word stands in.
_EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)
_OPERATOR_CHARS = "();<>|&\n"
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
# "${extra[@]}": words a script passes through (the action's args input); none to check.
_ARRAY_EXPANSION = re.compile(r"^\$\{\w+\[@\]\}$")
# Words after which the next word is again in command position.
_KEYWORDS = {"then", "do", "else", "elif", "if", "while", "until", "!", "time", "exec", "{"}


def shell_commands(script: str) -> Iterator[list[str]]:
    """Split a shell script into simple commands (words between operators and newlines)."""
    script = _EXPRESSION.sub("EXPR", script).replace("\\\n", " ")
    script = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("#"))
    lexer = shlex.shlex(script, posix=True, punctuation_chars=_OPERATOR_CHARS)
    lexer.whitespace = " \t\r"
    lexer.whitespace_split = True
    lexer.commenters = ""
    words: list[str] = []
    for token in lexer:
        if token and all(char in _OPERATOR_CHARS for char in token):
            # "2>" arrives as "2" then ">": the descriptor belongs to the redirection.
            if token[0] in "<>" and words and words[-1].isdigit():
                words.pop()
            if words:
                yield words
            words = []
        else:
            words.append(token)
    if words:
        yield words


def shiftctl_invocations(script: str) -> list[tuple[str, ...]]:
    """The arguments of every shiftctl call in command position in ``script``."""
    found: list[tuple[str, ...]] = []
    for words in shell_commands(script):
        rest = list(words)
        while rest and (_ASSIGNMENT.match(rest[0]) or rest[0] in _KEYWORDS):
            rest.pop(0)
        if rest and os.path.basename(rest[0]) == "shiftctl":
            found.append(tuple(word for word in rest[1:] if not _ARRAY_EXPANSION.match(word)))
    return found


@dataclass(frozen=True, slots=True)
class Parsed:
    """What ``shiftctl ARGS`` resolves to: the command path and every reason it would not parse."""

    path: tuple[str, ...]
    problems: tuple[str, ...]


def check_invocation(root: click.Command, args: Sequence[str]) -> list[str]:
    """Every reason ``shiftctl ARGS`` would not parse: unknown commands, options, arguments."""
    return list(parse_invocation(root, args).problems)


def parse_invocation(root: click.Command, args: Sequence[str]) -> Parsed:
    """Walk ``args`` down the click tree the way click's parser would."""
    command = root
    path = ["shiftctl"]
    positional: list[str] = []
    problems: list[str] = []
    index = 0
    while index < len(args):
        word = args[index]
        index += 1
        if word == "--":
            positional.extend(args[index:])
            break
        if word.startswith("-") and word != "-":
            if _is_eager(command, word):
                # --help and --version answer and exit before anything else is required.
                return Parsed(tuple(path), tuple(problems))
            index, problem = _consume_option(command, word, args, index)
            if problem:
                problems.append(f"{' '.join(path)}: {problem}")
            continue
        if isinstance(command, click.Group):
            # get_command, not .commands: the root group loads its subcommands lazily.
            sub = command.get_command(click.Context(command), word)
            if sub is None:
                problems.append(f"{' '.join(path)}: no command {word!r}")
                return Parsed(tuple(path), tuple(problems))
            command = sub
            path.append(word)
            continue
        positional.append(word)
    problems.extend(f"{' '.join(path)}: {p}" for p in _check_positional(command, positional))
    return Parsed(tuple(path), tuple(problems))


def _is_eager(command: click.Command, word: str) -> bool:
    if word in ("-h", "--help"):
        return True
    option = own_option(command, word.partition("=")[0])
    return option is not None and option.is_eager and not option.expose_value


def _consume_option(
    command: click.Command, word: str, args: Sequence[str], index: int
) -> tuple[int, str | None]:
    name, has_value, _ = word.partition("=")
    option = own_option(command, name)
    if option is None:
        if _is_short_cluster(command, word):
            return index, None
        return index, f"no option {name}"
    if not takes_value(option) or has_value:
        return index, None
    if getattr(option, "_flag_needs_value", False):
        # An option whose value is optional takes the next word unless it is an option or,
        # as shiftctl's root group arranges for ``--emulator``, the name of a subcommand.
        following = args[index] if index < len(args) else "-"
        subcommands = (
            command.list_commands(click.Context(command))
            if isinstance(command, click.Group)
            else []
        )
        if following.startswith("-") or following in subcommands:
            return index, None
        return index + 1, None
    needed = max(option.nargs, 1)
    if index + needed > len(args):
        return len(args), f"option {name} needs a value"
    return index + needed, None


def _is_short_cluster(command: click.Command, word: str) -> bool:
    """``-vv``: several short flags in one word."""
    if word.startswith("--") or len(word) < 3:
        return False
    options = [own_option(command, f"-{char}") for char in word[1:]]
    return all(option is not None and not takes_value(option) for option in options)


def _check_positional(command: click.Command, positional: Sequence[str]) -> list[str]:
    if isinstance(command, click.Group):
        return [] if command.invoke_without_command else ["a subcommand is required"]
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    capacity = sum(math.inf if a.nargs < 0 else a.nargs for a in arguments)
    required = sum(max(a.nargs, 1) for a in arguments if a.required)
    if len(positional) > capacity:
        return [f"takes at most {capacity} argument(s), got {list(positional)}"]
    if len(positional) < required:
        return [f"needs {required} argument(s), got {list(positional)}"]
    return []
