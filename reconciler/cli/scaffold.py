"""init: start a company's shift repository (the files of ``reconciler.scaffold``)."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.scaffold import OWNER_PLACEHOLDER, scaffold_files, write_scaffold


@click.command("init")
@click.argument(
    "directory", default=".", type=click.Path(file_okay=False, path_type=Path), metavar="[DIR]"
)
@click.option(
    "--owner",
    metavar="NAME",
    help="GitHub owner of the shiftctl repository, for the action and the hooks "
    f"(default: a placeholder, {OWNER_PLACEHOLDER}, to replace).",
)
@click.option("--force", is_flag=True, help="Replace files that exist with other content.")
def init_command(directory: Path, owner: str | None, force: bool) -> None:
    """Start a shift repository: configuration, shifts/, schemas, hooks, workflow.

    DIR (default: the current folder) gets shiftctl.yaml with every key at its
    default, shifts/, schema/ with this version's JSON Schemas (where the shift
    files' $schema comments point), .pre-commit-config.yaml and
    .github/workflows/shifts.yml. A file that exists with other content stops
    init before anything is written, unless --force.
    """
    result = write_scaffold(directory, scaffold_files(owner), force=force)
    for path in result.written:
        click.echo(f"wrote     {directory / path}")
    for path in result.unchanged:
        click.echo(f"unchanged {directory / path}")
    click.echo(f"Init: {len(result.written)} written, {len(result.unchanged)} unchanged.")
    if owner is None:
        click.echo(
            f"shiftctl: the workflow and the hooks name {OWNER_PLACEHOLDER}/shiftctl: replace "
            f"{OWNER_PLACEHOLDER} with the GitHub owner of shiftctl (or init --owner NAME)",
            err=True,
        )
    where = "" if directory == Path(".") else f"cd {directory} && "
    click.echo(
        f"Next: {where}shiftctl import (with FEISHU_APP_ID and FEISHU_APP_SECRET set) writes "
        "one file per shift of the tenant; shiftctl plan then shows no change."
    )
