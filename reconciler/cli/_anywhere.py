"""Global options anywhere on the command line, as in kubectl: ``shiftctl plan -v``.

Before click parses, every root option written after the command is moved in front of
it. The walk follows the command tree and skips each command's own options with their
values, so ``flows query --user -v`` keeps ``-v`` as the user id it is, and stops at
``--``. After the command, ``--emulator`` takes a value only as ``--emulator=DB`` (the
GNU rule for optional values), so ``shiftctl apply --emulator plan.json`` applies
plan.json on the default emulator state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import click

__all__ = ["GlobalSpec", "hoist_global_options", "own_option", "takes_value"]


class GlobalSpec(NamedTuple):
    """The root's options: which take a value, which take one only optionally."""

    with_value: frozenset[str]  # --config FILE, -C DIR
    optional_value: dict[str, str]  # --emulator [DB] → its value when none is given
    flags: frozenset[str]  # --no-color, -v

    @classmethod
    def of(cls, command: click.Command) -> GlobalSpec:
        with_value: set[str] = set()
        optional: dict[str, str] = {}
        flags: set[str] = set()
        for param in command.params:
            if not isinstance(param, click.Option) or param.is_eager:
                continue  # --help and --version belong to the command they follow
            names = [*param.opts, *param.secondary_opts]
            if param.is_flag or param.count:
                flags.update(names)
            elif getattr(param, "_flag_needs_value", False):
                optional.update(dict.fromkeys(names, str(param.flag_value)))
            else:
                with_value.update(names)
        return cls(frozenset(with_value), optional, frozenset(flags))

    def is_short_cluster(self, word: str) -> bool:
        """``-vv``: several of the root's short flags in one word."""
        return (
            len(word) > 2
            and word[0] == "-"
            and word[1] != "-"
            and all(f"-{char}" in self.flags for char in word[1:])
        )


Resolve = Callable[[click.Command, str], click.Command | None]


def hoist_global_options(
    args: Sequence[str], spec: GlobalSpec, root: click.Group, resolve: Resolve
) -> list[str]:
    """``args`` with the root options that follow the command moved before it."""
    args = list(args)
    index = _command_index(args, spec, frozenset(root.list_commands(click.Context(root))))
    if index is None:
        return args
    command = resolve(root, args[index])
    if command is None:
        return args
    moved, kept = _split(args[index + 1 :], spec, command, resolve)
    return [*args[:index], *moved, args[index], *kept]


def _command_index(args: list[str], spec: GlobalSpec, names: frozenset[str]) -> int | None:
    """Where the command name stands among the root's own arguments."""
    index = 0
    while index < len(args):
        word = args[index]
        if word == "--" or not word.startswith("-") or word == "-":
            return None if word == "--" else index
        name = word.partition("=")[0]
        if name in spec.with_value and "=" not in word:
            index += 2
        elif name in spec.optional_value and "=" not in word:
            following = args[index + 1] if index + 1 < len(args) else ""
            takes = following and not following.startswith("-")
            index += 2 if takes and following not in names else 1
        else:
            index += 1
    return None


def _split(
    rest: list[str], spec: GlobalSpec, command: click.Command, resolve: Resolve
) -> tuple[list[str], list[str]]:
    moved: list[str] = []
    kept: list[str] = []
    index = 0
    while index < len(rest):
        word = rest[index]
        index += 1
        if word == "--":
            kept.extend(rest[index - 1 :])
            break
        if not word.startswith("-") or word == "-":
            sub = resolve(command, word) if isinstance(command, click.Group) else None
            command = sub or command
            kept.append(word)
            continue
        name = word.partition("=")[0]
        own = own_option(command, name)
        if own is not None:
            kept.append(word)
            if takes_value(own) and "=" not in word and index < len(rest):
                kept.append(rest[index])
                index += 1
            continue
        if name in spec.with_value:
            if "=" in word or index >= len(rest):
                moved.append(word)
            else:
                moved.extend((word, rest[index]))
                index += 1
        elif name in spec.optional_value:
            moved.append(word if "=" in word else f"{name}={spec.optional_value[name]}")
        elif name in spec.flags or spec.is_short_cluster(word):
            moved.append(word)
        else:
            kept.append(word)  # click names the unknown option
    return moved, kept


def own_option(command: click.Command, name: str) -> click.Option | None:
    for param in command.params:
        if isinstance(param, click.Option) and name in (*param.opts, *param.secondary_opts):
            return param
    return None


def takes_value(option: click.Option) -> bool:
    return not (option.is_flag or option.count)
