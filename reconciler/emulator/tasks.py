"""``user_tasks/query`` (contract §5): one ``user_task`` per user and day, results from §8."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from werkzeug.wrappers import Request

from reconciler.emulator import users
from reconciler.emulator.results import task_records
from reconciler.emulator.schedule import day_shifts
from reconciler.emulator.store import Store
from reconciler.emulator.wire import (
    USER_NOT_FOUND,
    ApiError,
    employee_type,
    invalid,
    json_body,
    query_bool,
    string_list,
)

MAX_USERS = 50
#: Not documented by Feishu; a guard so one request cannot ask for centuries.
MAX_DAYS = 366
#: Days a query may name: the windows around them must stay within what a date holds.
FIRST_DAY, LAST_DAY = dt.date(1970, 1, 1), dt.date(9998, 12, 31)
NO_GROUP_ID = "1"
DEFAULT_SHIFT_ID = "9"
DEFAULT_TIME_ZONE = "Asia/Shanghai"


def query(store: Store, request: Request) -> dict[str, Any]:
    id_type = employee_type(request)
    ignore_invalid = query_bool(request, "ignore_invalid_users")
    include_terminated = query_bool(request, "include_terminated_user")
    body = json_body(request)
    user_ids = list(dict.fromkeys(string_list(body, "user_ids", min_len=1, max_len=MAX_USERS)))
    first, last = _day(body, "check_date_from"), _day(body, "check_date_to")
    if last < first:
        raise invalid("check_date_to must not be before check_date_from")
    if (last - first).days >= MAX_DAYS:
        raise invalid(f"at most {MAX_DAYS} days per query")
    overtime = body.get("need_overtime_result", False)
    if not isinstance(overtime, bool):
        raise invalid("need_overtime_result must be a boolean")
    with store.reading() as conn:
        now = store.now(conn)
        found: list[sqlite3.Row] = []
        missing: list[str] = []
        for user_id in user_ids:
            people = users.holders(conn, user_id, id_type, include_terminated=include_terminated)
            found.extend(people)
            if not people:
                missing.append(user_id)
        if missing and not ignore_invalid:
            raise ApiError(USER_NOT_FOUND, f"user_id is not exist: {', '.join(missing)}")
        results = [
            task
            for person in found
            for task in _user_days(conn, person, id_type, first, last, now, overtime)
        ]
    return {
        "user_task_results": results,
        "invalid_user_ids": missing,
        "unauthorized_user_ids": [],
    }


def _day(body: Mapping[str, Any], name: str) -> dt.date:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(f"{name} is required: a day as an integer yyyyMMdd")
    try:
        day = dt.date(value // 10000, value // 100 % 100, value % 100)
    except (ValueError, OverflowError):
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        raise invalid(f"{name} is not a valid day from 19700101 to 99981231: {value}")
    return day


def _user_days(
    conn: sqlite3.Connection,
    person: sqlite3.Row,
    id_type: str,
    first: dt.date,
    last: dt.date,
    now: dt.datetime,
    overtime: bool,
) -> list[dict[str, Any]]:
    group = conn.execute(
        "SELECT g.* FROM attendance_groups g JOIN group_members m ON m.group_id = g.group_id"
        " WHERE m.uid = ?",
        (person["uid"],),
    ).fetchone()
    tz = ZoneInfo(group["time_zone"] if group else DEFAULT_TIME_ZONE)
    days = [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]
    planned = day_shifts(conn, group, person["uid"], days) if group else {}
    bodies = _shift_bodies(conn, {s for s in planned.values() if s})
    flows = _flows(conn, person, id_type, first, last, tz)
    tasks = []
    for day in days:
        planned_id = planned.get(day)
        shift = bodies.get(planned_id) if planned_id else None
        shift_id = planned_id if shift is not None and planned_id else DEFAULT_SHIFT_ID
        task: dict[str, Any] = {
            "result_id": _result_id(person["uid"], day),
            "user_id": person[id_type],
            "employee_name": person["name"],
            "day": day.year * 10000 + day.month * 100 + day.day,
            "group_id": group["group_id"] if group else NO_GROUP_ID,
            "shift_id": shift_id,
        }
        if shift is None:
            task["records"] = [_no_need_check()]
        else:
            window = _window(day - dt.timedelta(days=1), day + dt.timedelta(days=2), tz)
            day_flows = [f for f in flows if window[0] <= int(f["check_time"]) < window[1]]
            task["records"] = task_records(shift, day, tz, day_flows, now, overtime)
        tasks.append(task)
    return tasks


def _shift_bodies(conn: sqlite3.Connection, shift_ids: set[str]) -> dict[str, dict[str, Any]]:
    ids = sorted(shift_ids)
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = conn.execute(f"SELECT shift_id, body FROM shifts WHERE shift_id IN ({marks})", ids)
    return {r["shift_id"]: {"shift_id": r["shift_id"], **json.loads(r["body"])} for r in rows}


def _flows(
    conn: sqlite3.Connection,
    person: sqlite3.Row,
    id_type: str,
    first: dt.date,
    last: dt.date,
    tz: dt.tzinfo,
) -> list[dict[str, Any]]:
    start, end = _window(first - dt.timedelta(days=1), last + dt.timedelta(days=2), tz)
    rows = conn.execute(
        "SELECT * FROM flows WHERE uid = ? AND check_time >= ? AND check_time < ?"
        " ORDER BY check_time, seq",
        (person["uid"], start, end),
    )
    return [
        {"user_id": person[id_type], **json.loads(r["body"]), "record_id": r["record_id"]}
        for r in rows
    ]


def _window(first: dt.date, end: dt.date, tz: dt.tzinfo) -> tuple[int, int]:
    """Unix seconds of ``first`` 00:00 and ``end`` 00:00 in ``tz``."""
    midnight = dt.time(tzinfo=tz)
    return (
        int(dt.datetime.combine(first, midnight).timestamp()),
        int(dt.datetime.combine(end, midnight).timestamp()),
    )


def _result_id(uid: int, day: dt.date) -> str:
    """Stable per user and day, shaped like Feishu's ids."""
    digest = hashlib.blake2b(f"{uid}:{day.isoformat()}".encode(), digest_size=8).digest()
    return str(7_000_000_000_000_000_000 + int.from_bytes(digest) % 10**18)


def _no_need_check() -> dict[str, Any]:
    return {
        "check_in_record_id": "",
        "check_out_record_id": "",
        "check_in_result": "NoNeedCheck",
        "check_out_result": "NoNeedCheck",
        "check_in_result_supplement": "None",
        "check_out_result_supplement": "None",
        "check_in_shift_time": "",
        "check_out_shift_time": "",
        "task_shift_type": 0,
    }
