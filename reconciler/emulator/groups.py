"""The attendance-group reads over the seeded groups: list, get, search, list_user, and
``user_daily_shifts/query`` for rota groups; field names as lark-oapi 1.7.5 has them.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from typing import Any

from werkzeug.wrappers import Request

from reconciler.emulator import users
from reconciler.emulator.group_seed import FIXED, REST
from reconciler.emulator.shifts import _decode_token, _encode_token, _page_size
from reconciler.emulator.store import Store
from reconciler.emulator.wire import (
    USER_NOT_FOUND,
    ApiError,
    employee_type,
    invalid,
    json_body,
    string_list,
)

__all__ = ["ROUTES"]

#: Feishu's generic code with the message of its access guide for a missing rule or group.
GROUP_NOT_FOUND = 1220600
SEARCH_LIMIT = 10
#: The search index follows writes about two seconds behind (emulator clock).
SEARCH_LAG_S = 2.0
#: ``user_daily_shifts/query`` answers at most this many days per call.
MAX_SCHEDULE_DAYS = 30
MAX_USERS = 50
DEPT_TYPES = ("od", "open_department_id", "department_id")
MEMBER_CLOCK_TYPES = ("0", "1", "2")  # all, must punch, need not punch

_API = "/open-apis/attendance/v1"
Handler = Callable[[Store, Request, dict[str, str]], dict[str, Any]]


def list_groups(store: Store, request: Request, args: dict[str, str]) -> dict[str, Any]:
    """``GET /groups``: ``group_list[{group_id, group_name}]`` in creation order."""
    size = _page_size(request.args.get("page_size"))
    salt = store.token_salt() + b":groups"
    after = _decode_token(request.args.get("page_token"), salt)
    with store.reading() as conn:
        rows = conn.execute(
            "SELECT * FROM attendance_groups WHERE seq > ? ORDER BY seq LIMIT ?", (after, size + 1)
        ).fetchall()
    has_more = len(rows) > size
    rows = rows[:size]
    data: dict[str, Any] = {"group_list": [_meta(r) for r in rows], "has_more": has_more}
    if has_more:
        data["page_token"] = _encode_token(rows[-1]["seq"], salt)
    return data


def get_group(store: Store, request: Request, args: dict[str, str]) -> dict[str, Any]:
    """``GET /groups/:group_id``: the group object itself (no wrapper)."""
    id_type = employee_type(request)
    _dept_type(request)
    with store.reading() as conn:
        group = _group(conn, args["group_id"])
        weekly = {
            r["weekday"]: r["shift_id"]
            for r in conn.execute(
                "SELECT weekday, shift_id FROM group_shifts WHERE group_id = ?",
                (group["group_id"],),
            )
        }
        special = conn.execute(
            "SELECT * FROM group_special_days WHERE group_id = ? ORDER BY day",
            (group["group_id"],),
        ).fetchall()
        people = _members(conn, group["group_id"])
    fixed = group["group_type"] == FIXED
    departments = json.loads(group["dept_ids"])
    return {
        **_meta(group),
        "time_zone": group["time_zone"],
        "group_type": group["group_type"],
        "punch_day_shift_ids": [weekly.get(day, REST) for day in range(7)] if fixed else [],
        "need_punch_special_days": [_special(r) for r in special if r["need_punch"]],
        "no_need_punch_special_days": [_special(r) for r in special if not r["need_punch"]],
        # Members bound through departments are not listed one by one (list_user expands them).
        "bind_user_ids": [] if departments else [p[id_type] for p in people],
        "bind_dept_ids": departments,
        "group_leader_ids": [],
    }


def search_groups(store: Store, request: Request, args: dict[str, str]) -> dict[str, Any]:
    """``POST /groups/search {group_name}``: at most ten, as the index saw them 2 s ago."""
    body = json_body(request)
    name = body.get("group_name")
    exactly = body.get("exactly_matched", False)
    if not isinstance(name, str) or not name:
        raise invalid("group_name is required")
    if not isinstance(exactly, bool):
        raise invalid("exactly_matched must be a boolean")
    with store.reading() as conn:
        seen_by_index = store.now(conn).timestamp() - SEARCH_LAG_S
        rows = conn.execute(
            "SELECT * FROM attendance_groups WHERE written_at <= ? ORDER BY seq", (seen_by_index,)
        ).fetchall()
    found = [r for r in rows if (r["name"] == name if exactly else name in r["name"])]
    return {"group_list": [_meta(r) for r in found[:SEARCH_LIMIT]]}


def list_users(store: Store, request: Request, args: dict[str, str]) -> dict[str, Any]:
    """``GET /groups/:group_id/list_user``: ``users[{user_id, department_ids}]``, paged."""
    id_type = employee_type(request)
    _dept_type(request)
    clock_type = request.args.get("member_clock_type")
    if clock_type not in MEMBER_CLOCK_TYPES:
        raise invalid("member_clock_type must be 0, 1 or 2")
    size = _page_size(request.args.get("page_size"))
    salt = store.token_salt() + b":members"
    after = _decode_token(request.args.get("page_token"), salt)
    with store.reading() as conn:
        group = _group(conn, args["group_id"])
        # Every seeded member must punch: "need not punch" (2) lists nobody.
        people = [] if clock_type == "2" else _members(conn, group["group_id"], after, size + 1)
    has_more = len(people) > size
    people = people[:size]
    departments = json.loads(group["dept_ids"])
    data: dict[str, Any] = {
        "users": [{"user_id": p[id_type], "department_ids": departments} for p in people],
        "has_more": has_more,
    }
    if has_more:
        data["page_token"] = _encode_token(people[-1]["uid"], salt)
    return data


def query_daily_shifts(store: Store, request: Request, args: dict[str, str]) -> dict[str, Any]:
    """``POST /user_daily_shifts/query``: the rota days of 1–50 users, at most 30 days."""
    id_type = employee_type(request)
    body = json_body(request)
    user_ids = list(dict.fromkeys(string_list(body, "user_ids", min_len=1, max_len=MAX_USERS)))
    first, last = _day_int(body, "check_date_from"), _day_int(body, "check_date_to")
    if last < first:
        raise invalid("check_date_to must not be before check_date_from")
    if (_date(last) - _date(first)).days >= MAX_SCHEDULE_DAYS:
        raise invalid(f"at most {MAX_SCHEDULE_DAYS} days per query")
    found: list[dict[str, Any]] = []
    with store.reading() as conn:
        missing = []
        for user_id in user_ids:
            person = users.active(conn, user_id, id_type)
            if person is None:
                missing.append(user_id)
                continue
            rows = conn.execute(
                "SELECT * FROM daily_shifts WHERE uid = ? AND day BETWEEN ? AND ? ORDER BY day",
                (person["uid"], first, last),
            )
            found += [_daily(r, person[id_type]) for r in rows]
    if missing:
        raise ApiError(USER_NOT_FOUND, f"user_id is not exist: {', '.join(missing)}")
    return {"user_daily_shifts": found}


#: (path, method, endpoint, read): the emulator's route table takes them from here.
ROUTES: tuple[tuple[str, str, str, Handler], ...] = (
    (f"{_API}/groups", "GET", "group.list", list_groups),
    (f"{_API}/groups/search", "POST", "group.search", search_groups),
    (f"{_API}/groups/<group_id>", "GET", "group.get", get_group),
    (f"{_API}/groups/<group_id>/list_user", "GET", "group.list_user", list_users),
    (f"{_API}/user_daily_shifts/query", "POST", "user_daily_shift.query", query_daily_shifts),
)


# -- helpers ------------------------------------------------------------------


def _group(conn: sqlite3.Connection, group_id: str) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM attendance_groups WHERE group_id = ?", (group_id,)
    ).fetchone()
    if row is None:
        raise ApiError(GROUP_NOT_FOUND, f"rule not exist: group {group_id}")
    return row


def _members(
    conn: sqlite3.Connection, group_id: str, after: int = 0, limit: int = -1
) -> list[sqlite3.Row]:
    """Current members (leavers are no longer members), by uid."""
    return conn.execute(
        "SELECT u.* FROM users u JOIN group_members m ON m.uid = u.uid"
        " WHERE m.group_id = ? AND u.terminated = 0 AND u.uid > ? ORDER BY u.uid LIMIT ?",
        (group_id, after, limit),
    ).fetchall()


def _meta(row: sqlite3.Row) -> dict[str, str]:
    return {"group_id": row["group_id"], "group_name": row["name"]}


def _special(row: sqlite3.Row) -> dict[str, Any]:
    return {"punch_day": row["day"], "shift_id": row["shift_id"]}


def _daily(row: sqlite3.Row, user_id: str) -> dict[str, Any]:
    return {
        "group_id": row["group_id"],
        "shift_id": row["shift_id"],
        "month": row["day"] // 100,
        "user_id": user_id,
        "day_no": row["day"] % 100,
        "is_clear_schedule": False,
    }


def _dept_type(request: Request) -> None:
    if request.args.get("dept_type") not in DEPT_TYPES:
        raise invalid(f"dept_type must be one of {', '.join(DEPT_TYPES)}")


def _day_int(body: dict[str, Any], name: str) -> int:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(f"{name} is required: a day as an integer yyyyMMdd")
    try:
        day = _date(value)
    except (ValueError, OverflowError):
        day = None
    if day is None or not dt.date(1970, 1, 1) <= day <= dt.date(9998, 12, 31):
        raise invalid(f"{name} is not a valid day from 19700101 to 99981231: {value}")
    return value


def _date(value: int) -> dt.date:
    return dt.date(value // 10000, value // 100 % 100, value % 100)
