"""The root group's subcommands, imported only when one of them runs.

``shiftctl --help`` and ``shiftctl validate one.yaml`` should not pay for the emulator,
the HTTP client or the plan engine. Each entry names where its command lives and the
one-line help the root's ``--help`` shows; a test checks that line against the command.
"""

from __future__ import annotations

import importlib
from typing import NamedTuple

import click

__all__ = ["SUBCOMMANDS", "LazyGroup", "Subcommand"]


class Subcommand(NamedTuple):
    module: str
    attribute: str
    short_help: str  # the first paragraph of the command's own help, word for word


SUBCOMMANDS: dict[str, Subcommand] = {
    "validate": Subcommand(
        "reconciler.cli.definitions",
        "validate_command",
        "Check shift files against the schema and the semantic rules.",
    ),
    "fmt": Subcommand(
        "reconciler.cli.definitions", "fmt_command", "Rewrite shift files into canonical form."
    ),
    "schema": Subcommand(
        "reconciler.cli.definitions",
        "schema_command",
        "Print the JSON Schema of a shift file, or of shiftctl.yaml.",
    ),
    "config": Subcommand(
        "reconciler.cli.tooling",
        "config_command",
        "Print the effective settings and where each one came from.",
    ),
    "completion": Subcommand(
        "reconciler.cli.tooling",
        "completion_command",
        "Print the shell completion script for bash, zsh or fish.",
    ),
    "plan": Subcommand(
        "reconciler.cli.engine",
        "plan_command",
        "Show what apply would change, and who uses each shift it updates or deletes.",
    ),
    "show": Subcommand("reconciler.cli.engine", "show_command", "Render a saved plan."),
    "apply": Subcommand(
        "reconciler.cli.engine",
        "apply_command",
        "Apply a saved plan (refused when stale), or plan and apply after approval.",
    ),
    "import": Subcommand(
        "reconciler.cli.engine", "import_command", "Write one YAML file per remote shift."
    ),
    "init": Subcommand(
        "reconciler.cli.scaffold",
        "init_command",
        "Start a shift repository: configuration, shifts/, schemas, hooks, workflow.",
    ),
    "shifts": Subcommand(
        "reconciler.cli.shifts",
        "shifts_group",
        "Read the tenant's shifts (plan and apply do the writing).",
    ),
    "flows": Subcommand(
        "reconciler.cli.flows", "flows_group", "Import, read and delete punch records."
    ),
    "tasks": Subcommand(
        "reconciler.cli.flows",
        "tasks_command",
        "Read attendance results: one row per user, day and shift segment.",
    ),
    "doctor": Subcommand(
        "reconciler.cli.doctor",
        "doctor_command",
        "Check the tenant: token, scopes, IP whitelist, region; exit 1 when a problem is found.",
    ),
    "emulator": Subcommand(
        "reconciler.cli.emulator",
        "emulator_group",
        "Run the offline emulator of the Feishu attendance API.",
    ),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use (click's documented pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*SUBCOMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry = SUBCOMMANDS.get(cmd_name)
        if entry is None:
            return None
        command = getattr(importlib.import_module(entry.module), entry.attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{entry.module}.{entry.attribute} is not a click command")
        self.commands[cmd_name] = command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The listing comes from the table, so --help imports no subcommand.
        rows = [
            (name, SUBCOMMANDS[name].short_help if name in SUBCOMMANDS else self._help_of(name))
            for name in self.list_commands(ctx)
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def _help_of(self, name: str) -> str:
        return self.commands[name].get_short_help_str(limit=80)
