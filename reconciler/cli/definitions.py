"""validate, fmt and schema: the commands that need no tenant."""

from __future__ import annotations

import click


@click.command("validate")
def validate_command() -> None:
    """Check shift files against the schema and the semantic rules."""
    raise click.ClickException("validate is not built yet")


@click.command("fmt")
def fmt_command() -> None:
    """Rewrite shift files into canonical form."""
    raise click.ClickException("fmt is not built yet")


@click.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of a shift file."""
    raise click.ClickException("schema is not built yet")
