"""flows and tasks: punch records and attendance results."""

from __future__ import annotations

import click


@click.group("flows")
def flows_group() -> None:
    """Import, read and delete punch records."""


@click.command("tasks")
def tasks_command() -> None:
    """Read attendance results."""
    raise click.ClickException("tasks is not built yet")
