"""emulator serve: the offline Feishu attendance API as a real HTTP server."""

from __future__ import annotations

import click


@click.group("emulator")
def emulator_group() -> None:
    """Run the offline emulator of the Feishu attendance API."""


@emulator_group.command("serve")
def serve_command() -> None:
    """Serve the emulator over HTTP/1.1."""
    raise click.ClickException("emulator serve is not built yet")
