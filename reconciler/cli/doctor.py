"""doctor: check a tenant before the first apply (credentials, scopes, access, behaviour)."""

from __future__ import annotations

import click

from reconciler import commands
from reconciler.cli._state import GlobalOptions, settings_of
from reconciler.doctor import render_json, render_text, run_doctor
from reconciler.errors import ShiftctlError


@click.command("doctor")
@click.option(
    "--write-probe",
    is_flag=True,
    help="Also create, read, update and delete a temporary shift shiftctl-doctor-<random> "
    "to learn how the tenant stores updates and echoes values (always removed).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.pass_obj
def doctor_command(options: GlobalOptions, write_probe: bool, fmt: str) -> None:
    """Check the tenant: token, scopes, IP whitelist, region; exit 1 when a problem is found.

    What it learns is saved to .shiftctl/tenant.json, which the tenant settings
    set to auto in shiftctl.yaml use.
    """
    settings = settings_of(options)
    with commands.connect(settings) as client:
        report = run_doctor(
            settings,
            client,
            write=write_probe,
            notify=lambda line: click.echo(f"shiftctl doctor: {line}", err=True),
        )
    click.echo(render_json(report) if fmt == "json" else render_text(report), nl=False)
    if not report.ok:
        count = len(report.problems)
        raise ShiftctlError(f"doctor found {count} problem{'s' if count != 1 else ''}")
