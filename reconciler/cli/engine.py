"""plan, show, apply and import: the commands that converge the tenant on the files."""

from __future__ import annotations

import click


@click.command("plan")
def plan_command() -> None:
    """Show what apply would change."""
    raise click.ClickException("plan is not built yet")


@click.command("show")
def show_command() -> None:
    """Render a saved plan."""
    raise click.ClickException("show is not built yet")


@click.command("apply")
def apply_command() -> None:
    """Apply a plan to the tenant."""
    raise click.ClickException("apply is not built yet")


@click.command("import")
def import_command() -> None:
    """Write one YAML file per remote shift."""
    raise click.ClickException("import is not built yet")
