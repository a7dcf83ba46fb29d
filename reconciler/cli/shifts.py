"""shifts list, get and query: read the tenant's shifts, as a table, JSON or shift files."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from reconciler import commands
from reconciler.cli._state import GlobalOptions, settings_of
from reconciler.definitions import default_schema_ref, render_shift_yaml
from reconciler.errors import InputError
from reconciler.model import CurrentShift
from reconciler.pictures.page import catalogue_html
from reconciler.safetext import escape_json
from reconciler.table import fit_table

FORMATS = click.Choice(["table", "json", "yaml", "html"])
_Command = TypeVar("_Command", bound=Callable[..., Any])


def _format_option(command: _Command) -> _Command:
    return click.option(
        "--format",
        "fmt",
        type=FORMATS,
        default="table",
        show_default=True,
        help=(
            "yaml prints shift files in canonical form, as `import` writes them; "
            "html one self-contained page drawing each shift's day, sorted by start time."
        ),
    )(command)


@click.group("shifts")
def shifts_group() -> None:
    """Read the tenant's shifts (plan and apply do the writing)."""


@shifts_group.command("list")
@click.option("--name", "names", multiple=True, metavar="GLOB", help="Only names matching.")
@_format_option
@click.pass_obj
def list_command(options: GlobalOptions, names: tuple[str, ...], fmt: str) -> None:
    """Every shift in the tenant (all pages), managed or not."""
    with commands.connect(settings_of(options)) as client:
        found = [
            entry
            for entry in client.list_shifts()
            if not names
            or any(fnmatch.fnmatchcase(n, g) for g in names for n in (entry.name, entry.key))
        ]
    _echo(sorted(found, key=lambda r: (r.name, r.shift_id)), fmt, options)


@shifts_group.command("get")
@click.argument("shift_id")
@_format_option
@click.pass_obj
def get_command(options: GlobalOptions, shift_id: str, fmt: str) -> None:
    """One shift by its id."""
    with commands.connect(settings_of(options)) as client:
        entry = client.get_shift(shift_id)
    _echo([entry], fmt, options)


@shifts_group.command("query")
@click.argument("name")
@_format_option
@click.pass_obj
def query_command(options: GlobalOptions, name: str, fmt: str) -> None:
    """One shift by its name (Feishu's query by name).

    The name matches after NFC and trimming, as plan matches names: when Feishu's
    exact query finds nothing, the listing is searched. The tenant's own spelling
    is what is shown.
    """
    with commands.connect(settings_of(options)) as client:
        found = commands.find_shifts(client, name)
    if not found:
        raise InputError(f"no shift named {name!r} in the tenant")
    _echo(found, fmt, options)


def _echo(current: list[CurrentShift], fmt: str, options: GlobalOptions) -> None:
    if fmt == "json":
        document = [{"shift_id": r.shift_id, **r.shift.comparable()} for r in current]
        click.echo(escape_json(json.dumps(document, ensure_ascii=False, indent=2)))
    elif fmt == "html":
        click.echo(catalogue_html(current), nl=False)
    elif fmt == "yaml":
        ref = default_schema_ref(Path.cwd())
        click.echo("---\n".join(render_shift_yaml(r.shift, ref) for r in current), nl=False)
    else:
        click.echo(_table(current, options.console.width))


def _table(current: Iterable[CurrentShift], width: int) -> str:
    rows = []
    for entry in current:
        shift = entry.shift
        segments = ", ".join(f"{r.on_time}-{r.off_time}" for r in shift.punch_time_rule)
        day = "rest" if shift.day_type == 2 else "work"
        flexible = "yes" if shift.is_flexible else "no"
        rows.append((entry.shift_id, shift.shift_name, segments, flexible, day))
    headers = ("SHIFT_ID", "NAME", "SEGMENTS", "FLEXIBLE", "DAY")
    return fit_table(headers, rows, width, flexible=(1, 2), empty="no shifts")
