"""Punch records and results as a terminal table, CSV or JSON; formatting only, no decisions.

CSV columns and JSON keys are fixed for scripts; times are ISO 8601 in the
chosen zone with its offset. Tables are cut to the terminal's width. CSV cells
never start a spreadsheet formula unless ``csv_raw`` (``--csv-raw``) is asked for.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from reconciler.feishu.types import TaskQueryResult, TaskResult, UserFlow, UserTask
from reconciler.flows.outcomes import due_off_time
from reconciler.flows.times import format_instant
from reconciler.flows.zones import GroupZones
from reconciler.model import Shift
from reconciler.safetext import escape, escape_json, spreadsheet_cell
from reconciler.table import fit_table

__all__ = [
    "FLOW_COLUMNS",
    "TASK_COLUMNS",
    "OutputFormat",
    "TaskRow",
    "dumps",
    "render_flow",
    "render_flows",
    "render_tasks",
    "task_rows",
]

OutputFormat = Literal["table", "csv", "json"]
#: One zone for every time shown (--tz), or each attendance group's own.
Zones = datetime.tzinfo | GroupZones

FLOW_COLUMNS = (
    "record_id",
    "user_id",
    "creator_id",
    "check_time",
    "location_name",
    "comment",
    "external_id",
    "idempotent_id",
    "is_field",
    "is_wifi",
    "ssid",
    "bssid",
    "type",
)
TASK_COLUMNS = (
    "user_id",
    "employee_name",
    "day",
    "group_id",
    "shift_id",
    "shift_name",
    "segment",
    "segment_type",
    "check_in_shift_time",
    "check_in_time",
    "check_in_result",
    "check_in_supplement",
    "check_in_record_id",
    "check_out_shift_time",
    "check_out_time",
    "check_out_result",
    "check_out_supplement",
    "check_out_record_id",
    # Last, so scripts that read the columns by position keep working.
    "check_out_due_time",
)


def render_flows(
    flows: Sequence[UserFlow],
    fmt: OutputFormat,
    tz: Zones,
    *,
    invalid_user_ids: Sequence[str] = (),
    width: int = 100,
    csv_raw: bool = False,
) -> str:
    """Punch records in ``fmt``; JSON is ``{"time_zone", "flows", "invalid_user_ids"}``
    (and ``time_zones`` by user when the zones are the groups')."""
    records = [_flow_record(flow, tz) for flow in flows]
    if fmt == "json":
        document = _zone_keys(tz, {f.user_id: _user_zone(tz, f.user_id) for f in flows})
        document["flows"] = records
        return dumps(document | {"invalid_user_ids": list(invalid_user_ids)})
    if fmt == "csv":
        return csv_text(FLOW_COLUMNS, records, raw=csv_raw)
    headers = ("RECORD_ID", "USER", "CHECK_TIME", "LOCATION", "COMMENT", "EXTERNAL_ID")
    cells = [
        (
            f.record_id or "",
            f.user_id,
            _short(r["check_time"]),
            f.location_name,
            f.comment,
            f.external_id or "",
        )
        for f, r in zip(flows, records, strict=True)
    ]
    return fit_table(headers, cells, width, flexible=(3, 4, 5), empty="no punch records")


def render_flow(flow: UserFlow, fmt: OutputFormat, tz: Zones, *, csv_raw: bool = False) -> str:
    """One punch record: ``key  value`` lines, a one-row CSV, or the JSON object."""
    record = _flow_record(flow, tz)
    if fmt == "json":
        return dumps(record)
    if fmt == "csv":
        return csv_text(FLOW_COLUMNS, [record], raw=csv_raw)
    shown = [(k, escape(_text(v))) for k, v in record.items() if v is not None and v != ""]
    return "\n".join(f"{k:<14} {v}" for k, v in shown)


def _flow_record(flow: UserFlow, tz: Zones) -> dict[str, Any]:
    record: dict[str, Any] = {name: getattr(flow, name) for name in FLOW_COLUMNS}
    record["check_time"] = format_instant(flow.check_time, _user_zone(tz, flow.user_id))
    return record


def _user_zone(tz: Zones, user_id: str) -> datetime.tzinfo:
    return tz.of_user(user_id) if isinstance(tz, GroupZones) else tz


def _task_zone(tz: Zones, task: UserTask) -> datetime.tzinfo:
    return tz.of_group(task.group_id) if isinstance(tz, GroupZones) else tz


def _zone_keys(tz: Zones, used: Mapping[str, datetime.tzinfo]) -> dict[str, Any]:
    """``time_zone`` (null when the rows' zones differ), and ``time_zones`` by key."""
    if not isinstance(tz, GroupZones):
        return {"time_zone": str(tz)}
    names = {key: str(zone) for key, zone in sorted(used.items())}
    distinct = set(names.values())
    single = distinct.pop() if len(distinct) == 1 else None
    return {"time_zone": single if names else str(tz.default), "time_zones": names}


@dataclass(frozen=True, slots=True)
class TaskRow:
    """One user, day and segment (a day with no segment still has one row)."""

    task: UserTask
    segment: int | None
    result: TaskResult | None


def task_rows(result: TaskQueryResult) -> list[TaskRow]:
    rows: list[TaskRow] = []
    for task in result.tasks:
        if not task.records:
            rows.append(TaskRow(task, None, None))
        rows.extend(TaskRow(task, i, r) for i, r in enumerate(task.records, start=1))
    return rows


def render_tasks(
    result: TaskQueryResult,
    fmt: OutputFormat,
    tz: Zones,
    *,
    shift_names: Mapping[str, str] | None = None,
    width: int = 100,
    shifts: Mapping[str, Shift] | None = None,
    keep: Callable[[TaskRow], bool] | None = None,
    csv_raw: bool = False,
) -> str:
    """Results in ``fmt``; JSON also lists the ids Feishu refused.

    ``shift_names`` maps shift ids to names; a shift without one shows its id.
    ``shifts`` (ids to definitions) lets a flexible day show the off time it slid to;
    ``keep`` chooses the rows shown (the caller decides, say, only exceptions).
    """
    names = shift_names or {}
    known = shifts or {}
    rows = [row for row in task_rows(result) if keep is None or keep(row)]
    records = [_task_record(row, tz, names, known) for row in rows]
    if fmt == "json":
        zones = {t.group_id: _task_zone(tz, t) for t in result.tasks}
        return dumps(
            _zone_keys(tz, zones)
            | {
                "tasks": records,
                "invalid_user_ids": list(result.invalid_user_ids),
                "unauthorized_user_ids": list(result.unauthorized_user_ids),
            }
        )
    if fmt == "csv":
        return csv_text(TASK_COLUMNS, records, raw=csv_raw)
    headers = (
        "USER",
        "NAME",
        "DAY",
        "SHIFT",
        "SEG",
        "IN_PLAN",
        "IN",
        "IN_RESULT",
        "OUT_PLAN",
        "OUT",
        "OUT_RESULT",
    )
    cells = [_task_cells(row, tz, names, known) for row in rows]
    table = fit_table(headers, cells, width, flexible=(0, 1, 3), empty="no results")
    if isinstance(tz, GroupZones):
        listed = ", ".join(tz.names(t.group_id for t in result.tasks))
        where = f"each attendance group's zone ({listed})"
    else:
        where = str(tz)
    return f"{table}\ntimes in {where} (+1d: the next day)" if rows else table


def _task_record(
    row: TaskRow, tz: Zones, names: Mapping[str, str], shifts: Mapping[str, Shift]
) -> dict[str, Any]:
    task, r = row.task, row.result
    zone = _task_zone(tz, task)
    record: dict[str, Any] = {
        "user_id": task.user_id,
        "employee_name": task.employee_name,
        "day": task.day.isoformat(),
        "group_id": task.group_id,
        "shift_id": task.shift_id,
        "shift_name": names.get(task.shift_id),
        "segment": row.segment,
    }
    if r is None:
        return record | {name: None for name in TASK_COLUMNS if name not in record}
    return record | {
        "segment_type": "overtime" if r.task_shift_type == 1 else "normal",
        "check_in_shift_time": format_instant(r.check_in_shift_time, zone) or None,
        "check_in_time": _actual(r.check_in_record, zone),
        "check_in_result": r.check_in_result,
        "check_in_supplement": r.check_in_result_supplement,
        "check_in_record_id": r.check_in_record_id,
        "check_out_shift_time": format_instant(r.check_out_shift_time, zone) or None,
        "check_out_time": _actual(r.check_out_record, zone),
        "check_out_result": r.check_out_result,
        "check_out_supplement": r.check_out_result_supplement,
        "check_out_record_id": r.check_out_record_id,
        "check_out_due_time": format_instant(due_off_time(r, shifts.get(task.shift_id)), zone)
        or None,
    }


def _actual(record: UserFlow | None, tz: datetime.tzinfo) -> str | None:
    return format_instant(record.check_time, tz) if record and record.check_time else None


def _task_cells(
    row: TaskRow, tz: Zones, names: Mapping[str, str], shifts: Mapping[str, Shift]
) -> tuple[str, ...]:
    task, r = row.task, row.result
    zone = _task_zone(tz, task)
    shift = names.get(task.shift_id, task.shift_id)
    head = (task.user_id, task.employee_name, task.day.isoformat(), shift)
    if r is None:
        return (*head, "", "", "", "", "", "", "")
    seg = f"{row.segment}{'ot' if r.task_shift_type == 1 else ''}"
    actual_in = r.check_in_record.check_time if r.check_in_record else None
    actual_out = r.check_out_record.check_time if r.check_out_record else None
    planned_out = _clock(r.check_out_shift_time, task.day, zone)
    due = due_off_time(r, shifts.get(task.shift_id))
    if due is not None:  # a flexible day: the off time it slid to is what was judged
        planned_out += f"→{_clock(due, task.day, zone)}"
    return (
        *head,
        seg,
        _clock(r.check_in_shift_time, task.day, zone),
        _clock(actual_in, task.day, zone),
        _outcome(r.check_in_result, r.check_in_result_supplement),
        planned_out,
        _clock(actual_out, task.day, zone),
        _outcome(r.check_out_result, r.check_out_result_supplement),
    )


def _clock(seconds: int | None, day: datetime.date, tz: datetime.tzinfo) -> str:
    """``09:00``, or ``02:00+1d`` for the next day, relative to the attendance day."""
    if not seconds:
        return "-"
    moment = datetime.datetime.fromtimestamp(seconds, tz)
    shift = (moment.date() - day).days
    return moment.strftime("%H:%M") + (f"{shift:+d}d" if shift else "")


def _outcome(result: str | None, supplement: str | None) -> str:
    if supplement and supplement != "None":
        return f"{result or '-'} ({supplement})"
    return result or "-"


def _short(iso: str) -> str:
    return iso.replace("T", " ")


def dumps(value: object) -> str:
    """The JSON every command prints: UTF-8 text as is, indented; controls as ``\\uXXXX``."""
    return escape_json(json.dumps(value, ensure_ascii=False, indent=2))


def csv_text(columns: Sequence[str], records: Sequence[dict[str, Any]], *, raw: bool) -> str:
    rows = [
        [spreadsheet_cell(_text(record.get(name)), raw=raw) for name in columns]
        for record in records
    ]
    return "\n".join(_csv_line(cells) for cells in [list(columns), *rows])


def _csv_line(cells: Sequence[str]) -> str:
    out = io.StringIO()
    # With "\r\n" as the terminator the writer quotes a cell holding CR or LF (it would
    # not quote a lone CR under "\n"); the row itself ends in "\n".
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue().removesuffix("\r\n")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
