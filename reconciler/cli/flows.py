"""flows and tasks: import, read and delete punch records; read attendance results."""

from __future__ import annotations

import contextlib
import datetime
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import click

from reconciler import flows
from reconciler.cli._state import GlobalOptions, settings_of
from reconciler.commands import connect
from reconciler.errors import PartialApplyError

__all__ = ["flows_group", "tasks_command"]

T = TypeVar("T")

_employee_type = click.option(
    "--employee-type",
    type=click.Choice(["employee_id", "employee_no"]),
    default="employee_id",
    show_default=True,
    help="What the user ids are: the user ID, or the staff number.",
)


def _reading_options(command: Callable[..., None]) -> Callable[..., None]:
    """``--tz``, ``--format``, ``--csv-raw`` and ``--employee-type``: how a read is shown."""
    command = click.option(
        "--tz",
        metavar="ZONE",
        default=None,
        callback=_checked(_optional_zone),
        help="Show times in this IANA zone. Default: each user's attendance-group time_zone "
        f"({flows.DEFAULT_TZ} for anyone in no group).",
    )(command)
    formats = click.Choice(["table", "csv", "json"])
    command = click.option("--format", "fmt", type=formats, default="table", show_default=True)(
        command
    )
    command = click.option(
        "--csv-raw",
        is_flag=True,
        help="CSV cells exactly as Feishu returned them: no ' before a cell that starts "
        "with = + - @, no escaping of control characters.",
    )(command)
    return _employee_type(command)


def _users_options(command: Callable[..., None]) -> Callable[..., None]:
    """``--user`` (repeated, or ``a,b``) and ``--include-terminated``: who a read is about."""
    command = click.option(
        "--include-terminated", is_flag=True, help="Also former holders of the ids."
    )(command)
    return click.option(
        "--user",
        "users",
        multiple=True,
        required=True,
        metavar="ID",
        callback=lambda _ctx, _param, given: flows.distinct(given),
        help="Repeat, or a,b.",
    )(command)


def _optional_zone(name: str | None) -> datetime.tzinfo | None:
    return None if name is None else flows.zone(name)


def _checked(
    parse: Callable[[Any], T],
) -> Callable[[click.Context, click.Parameter, Any], T]:
    """A click callback: ``parse``'s ValueError becomes a usage error naming the option."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> T:
        try:
            return parse(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param=param) from None

    return callback


_DAY: dict[str, Any] = {
    "required": True,
    "metavar": "DATE",
    "callback": _checked(flows.parse_day),
}


@click.group("flows")
def flows_group() -> None:
    """Import, read and delete punch records."""


@flows_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(flows.FORMATS), help="Default: from the name.")
@click.option("--dry-run", is_flag=True, help="Check everything, send nothing.")
@click.option("--skip-invalid", is_flag=True, help="Import the good rows; still list the bad.")
@_employee_type
@click.pass_obj
def import_command(
    options: GlobalOptions,
    file: str,
    fmt: str | None,
    dry_run: bool,
    skip_invalid: bool,
    employee_type: str,
) -> None:
    """Import punch records from FILE (CSV, JSON array, NDJSON; - is stdin).

    Every row is checked first; nothing is sent while any row is bad (unless
    --skip-invalid). Rows go 50 to a batch with an idempotent_id, so importing
    a file again stores nothing twice.
    """
    with flows.open_input(file, fmt, stdin=sys.stdin.buffer) as source:
        check = flows.check_file(source)
        if check.broken or not check.good:
            _refuse(check, source, skip_invalid=skip_invalid)
        with connect(settings_of(options)) as client:
            invalid = flows.unknown_users(client, check.users, employee_type=employee_type)
            check = flows.with_unknown_users(source, check, invalid)
            _refuse(check, source, skip_invalid=skip_invalid)
            for problem in check.problems:
                click.echo(f"{problem} (skipped)", err=True)
            rows = flows.good_rows(source, check.invalid_users)
            with (
                _progress(check.good, bar=options.console.progress) as progress,
                _interruptible() as stop,
            ):
                summary = flows.send_rows(
                    client,
                    rows,
                    employee_type=employee_type,
                    dry_run=dry_run,
                    progress=progress,
                    stop=stop,
                )
            calls = client.calls
    _report_import(source, check, summary, calls)


def _refuse(check: flows.FileCheck, source: flows.InputFile, *, skip_invalid: bool) -> None:
    try:
        flows.refuse_bad(check, source, skip_invalid=skip_invalid)
    except flows.BadRows as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise


def _interruptible() -> contextlib.AbstractContextManager[threading.Event]:
    """Ctrl-C once: the calls in flight finish and the report says what was done."""

    def notice() -> None:
        click.echo(
            "\nshiftctl: interrupted; finishing the calls in flight (Ctrl-C again to stop now)",
            err=True,
        )

    return flows.stop_on_interrupt(notice)


@contextlib.contextmanager
def _progress(total: int, *, bar: bool) -> Iterator[Callable[[int], None]]:
    """A bar when a person watches; elsewhere a log line per tenth of the rows (-v shows)."""
    if bar:
        with click.progressbar(length=total, label="rows", file=sys.stderr) as drawn:
            yield drawn.update
        return
    yield flows.logged_progress(total)


def _report_import(
    source: flows.InputFile, check: flows.FileCheck, summary: flows.ImportSummary, calls: int
) -> None:
    for line in flows.import_failures(source.name, summary):
        click.echo(line, err=True)
    click.echo(flows.import_line(source.name, check, summary, calls))
    summary.raise_if_incomplete(checked=check.good, name=source.name)


@flows_group.command("get")
@click.argument("record_id")
@_reading_options
@click.pass_obj
def get_command(
    options: GlobalOptions,
    record_id: str,
    employee_type: str,
    csv_raw: bool,
    fmt: flows.OutputFormat,
    tz: datetime.tzinfo | None,
) -> None:
    """Show one punch record."""
    with connect(settings_of(options)) as client:
        flow = client.get_flow(record_id, employee_type=employee_type)
        zones = tz or flows.user_zones(client, [flow.user_id], employee_type=employee_type)[0]
    _echo(flows.render_flow(flow, fmt, zones, csv_raw=csv_raw), raw=csv_raw)


@flows_group.command("query")
@_users_options
@click.option("--from", "start", required=True, metavar="WHEN", help="Date, ISO time or Unix s.")
@click.option(
    "--to",
    "end",
    required=True,
    metavar="WHEN",
    help="End, excluded (a date: that whole day is in).",
)
@_reading_options
@click.pass_obj
def query_command(
    options: GlobalOptions,
    users: list[str],
    start: str,
    end: str,
    include_terminated: bool,
    employee_type: str,
    csv_raw: bool,
    fmt: flows.OutputFormat,
    tz: datetime.tzinfo | None,
) -> None:
    """List every punch of the users in [--from, --to)."""
    checked = tz or flows.zone(flows.DEFAULT_TZ)  # bad input fails before any call
    _when(start, checked, "--from")
    _when(end, checked, "--to", end=True)
    with connect(settings_of(options)) as client:
        zones, unknown = flows.reading_zones(client, users, tz, employee_type=employee_type)
        found: list[flows.UserFlow] = []
        for zone, members in flows.by_zone(users, zones):
            # A date or a time without an offset means that zone's wall clock.
            first, last = _when(start, zone, "--from"), _when(end, zone, "--to", end=True)
            found += flows.query_flows(
                client,
                members,
                first,
                last,
                employee_type=employee_type,
                include_terminated=include_terminated,
            )
    invalid = [user for user in users if user in unknown]
    _report_skipped(invalid, ())
    found.sort(key=lambda f: (f.user_id, f.check_time, f.record_id or ""))
    _echo(
        flows.render_flows(
            found,
            fmt,
            zones,
            invalid_user_ids=invalid,
            width=options.console.width,
            csv_raw=csv_raw,
        ),
        raw=csv_raw,
    )


def _when(value: str, tz: datetime.tzinfo, hint: str, *, end: bool = False) -> int:
    # Not a click callback: a date or a time without offset is read in --tz.
    try:
        return flows.parse_when(value, tz, end=end)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=hint) from None


@flows_group.command("delete")
@click.argument("record_ids", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def delete_command(options: GlobalOptions, record_ids: tuple[str, ...], fmt: str) -> None:
    """Delete punch records imported through the API.

    Ten ids go to a call; each deleted and each failed id is listed, and the
    exit code is 5 when any failed.
    """
    with connect(settings_of(options)) as client, _interruptible() as stop:
        outcome = flows.delete_flows(client, flows.distinct(record_ids), stop=stop)
    if fmt == "json":
        click.echo(flows.delete_json(outcome))
    else:
        out, err = flows.delete_lines(outcome)
        for line in err:
            click.echo(line, err=True)
        click.echo("\n".join(out))
    if outcome.failed:
        count = len(outcome.failed)
        raise PartialApplyError(f"{count} record{'s' if count != 1 else ''} not deleted")


@click.command("tasks")
@_users_options
@click.option("--from", "first", help="First day, YYYY-MM-DD.", **_DAY)
@click.option("--to", "last", help="Last day, included.", **_DAY)
@click.option(
    "--ignore-invalid-users/--no-ignore-invalid-users",
    default=True,
    show_default=True,
    help="Report unknown users on stderr and go on (off: any unknown user is an error).",
)
@click.option("--need-overtime", is_flag=True, help="Also overtime segments.")
@click.option(
    "--summary", is_flag=True, help="One row per person: days, late, early, lack, no punch."
)
@click.option(
    "--only-exceptions",
    is_flag=True,
    help="Only rows (or, with --summary, people) with a Late, Early or Lack.",
)
@_reading_options
@click.pass_obj
def tasks_command(
    options: GlobalOptions,
    users: list[str],
    first: datetime.date,
    last: datetime.date,
    ignore_invalid_users: bool,
    include_terminated: bool,
    need_overtime: bool,
    summary: bool,
    only_exceptions: bool,
    employee_type: str,
    csv_raw: bool,
    fmt: flows.OutputFormat,
    tz: datetime.tzinfo | None,
) -> None:
    """Read attendance results: one row per user, day and shift segment.

    A Late, Early or Lack that a supplement (leave, travel, a correction) explains
    is not an exception. On a flexible shift OUT_PLAN shows the off time the day
    slid to (18:30→19:08): the check-out is judged against it.
    """
    with connect(settings_of(options)) as client:
        result = flows.query_tasks(
            client,
            users,
            first,
            last,
            employee_type=employee_type,
            ignore_invalid_users=ignore_invalid_users,
            include_terminated=include_terminated,
            need_overtime=need_overtime,
        )
        shifts = {} if summary else flows.read_shifts(client, result)
        zones = tz or flows.task_zones(client, result)
    _report_skipped(result.invalid_user_ids, result.unauthorized_user_ids)
    if summary:
        people = flows.summarize(result.tasks)
        if only_exceptions:
            people = [person for person in people if person.has_exceptions]
        text = flows.render_summary(
            people,
            fmt,
            first=first,
            last=last,
            invalid_user_ids=result.invalid_user_ids,
            unauthorized_user_ids=result.unauthorized_user_ids,
            width=options.console.width,
            csv_raw=csv_raw,
        )
    else:
        text = flows.render_tasks(
            result,
            fmt,
            zones,
            shift_names=flows.names_of(shifts),
            width=options.console.width,
            shifts=shifts,
            keep=(lambda row: flows.is_exception(row.result)) if only_exceptions else None,
            csv_raw=csv_raw,
        )
    _echo(text, raw=csv_raw)


def _echo(text: str, *, raw: bool) -> None:
    """Print a rendering; with --csv-raw byte for byte (click would drop escape sequences)."""
    click.echo(text, color=True if raw else None)


def _report_skipped(unknown: Sequence[str], unauthorized: Sequence[str]) -> None:
    """Users Feishu does not know or will not show: named on stderr, not fatal."""
    for user_id in unknown:
        click.echo(f"shiftctl: unknown user {user_id!r} (skipped)", err=True)
    for user_id in unauthorized:
        click.echo(f"shiftctl: no permission for user {user_id!r} (skipped)", err=True)
