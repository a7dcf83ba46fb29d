"""The seed document: users, shifts and attendance groups loaded in one transaction.

Used by ``create_app(seed=...)``, ``POST /_emulator/seed`` and ``emulator serve --seed``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reconciler.emulator.group_seed import GroupSeedError, department_ids, group_type, seed_days
from reconciler.emulator.shift_rules import check_shift
from reconciler.emulator.store import Store
from reconciler.emulator.wire import ApiError

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_TIME_ZONE = "Asia/Shanghai"


class SeedError(ValueError):
    """The seed document is malformed; the message names the entry."""


def apply_seed(store: Store, document: Mapping[str, Any]) -> dict[str, Any]:
    """Load users, then shifts, then groups; nothing is stored if any entry is bad."""
    if not isinstance(document, Mapping):
        raise SeedError("the seed must be an object with users, shifts and groups")
    unknown = set(document) - {"users", "shifts", "groups"}
    if unknown:
        raise SeedError(f"unknown seed section(s): {sorted(unknown)}")
    with store.transaction() as conn:
        users = [_user(conn, u, i) for i, u in enumerate(_list(document, "users"))]
        shifts = [_shift(store, conn, s, i) for i, s in enumerate(_list(document, "shifts"))]
        groups = [_group(store, conn, g, i) for i, g in enumerate(_list(document, "groups"))]
    return {"users": users, "shifts": shifts, "groups": groups}


def _list(document: Mapping[str, Any], name: str) -> list[Any]:
    value = document.get(name) or []
    if not isinstance(value, list):
        raise SeedError(f"{name} must be a list")
    return value


def _text(entry: Mapping[str, Any], name: str, where: str, default: str | None = None) -> str:
    value = _id_text(entry.get(name, default))
    if value is None:
        raise SeedError(f"{where}.{name} must be a non-empty string")
    return value


def _id_text(value: Any) -> str | None:
    """An id as text; YAML reads unquoted ids such as employee_no 1001 as ints."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value if isinstance(value, str) and value else None


def _user(conn: sqlite3.Connection, entry: Any, index: int) -> str:
    """Seed one person; fields left out keep what the person already has."""
    where = f"users[{index}]"
    if not isinstance(entry, Mapping):
        raise SeedError(f"{where} must be an object")
    employee_id = _text(entry, "employee_id", where)
    terminated = entry.get("terminated", False)
    if not isinstance(terminated, bool):
        raise SeedError(f"{where}.terminated must be a boolean")
    # The key is the current holder of the employee_id: seeding it again updates
    # them (terminated: true means they left); otherwise a new person is added.
    same = conn.execute(
        "SELECT * FROM users WHERE employee_id = ? AND terminated = 0", (employee_id,)
    ).fetchone()
    employee_no = _text(entry, "employee_no", where, same["employee_no"] if same else employee_id)
    name = _text(entry, "name", where, same["name"] if same else employee_id)
    if same is not None:
        conn.execute(
            "UPDATE users SET employee_no = ?, name = ?, terminated = ? WHERE uid = ?",
            (employee_no, name, int(terminated), same["uid"]),
        )
    elif not (terminated and _known_leaver(conn, entry, employee_id)):
        conn.execute(
            "INSERT INTO users (employee_id, employee_no, name, terminated) VALUES (?, ?, ?, ?)",
            (employee_id, employee_no, name, int(terminated)),
        )
    return employee_id


def _known_leaver(conn: sqlite3.Connection, entry: Mapping[str, Any], employee_id: str) -> bool:
    """Whether a leaver with this id matches every field the entry gives (seeded twice)."""
    given = {k: _id_text(entry[k]) for k in ("employee_no", "name") if k in entry}
    leavers = conn.execute("SELECT * FROM users WHERE employee_id = ?", (employee_id,))
    return any(all(row[k] == v for k, v in given.items()) for row in leavers)


def _shift(store: Store, conn: sqlite3.Connection, entry: Any, index: int) -> dict[str, str]:
    where = f"shifts[{index}]"
    if not isinstance(entry, Mapping):
        raise SeedError(f"{where} must be an object")
    try:
        stored = check_shift({k: v for k, v in entry.items() if k not in ("shift_id", "id")})
    except ApiError as exc:
        raise SeedError(f"{where}: {exc.msg}") from None
    shift_id = _id_text(entry.get("shift_id")) or store.new_id(conn, "shifts", "shift_id")
    if not (shift_id.isascii() and shift_id.isdigit()):
        raise SeedError(f"{where}.shift_id must be a string of digits")
    name = stored["shift_name"]
    clash = conn.execute(
        "SELECT shift_id FROM shifts WHERE shift_name = ? AND shift_id != ?", (name, shift_id)
    ).fetchone()
    if clash is not None:
        raise SeedError(f"{where}: shift name already used: {name}")
    text = json.dumps(stored, ensure_ascii=False)
    if conn.execute("SELECT 1 FROM shifts WHERE shift_id = ?", (shift_id,)).fetchone():
        conn.execute(
            "UPDATE shifts SET shift_name = ?, body = ? WHERE shift_id = ?",
            (name, text, shift_id),
        )
    else:
        conn.execute(
            "INSERT INTO shifts (shift_id, shift_name, body) VALUES (?, ?, ?)",
            (shift_id, name, text),
        )
    return {"shift_id": shift_id, "shift_name": name}


def _group(store: Store, conn: sqlite3.Connection, entry: Any, index: int) -> str:
    where = f"groups[{index}]"
    if not isinstance(entry, Mapping):
        raise SeedError(f"{where} must be an object")
    group_id = _text(entry, "id", where, store.new_id(conn, "attendance_groups", "group_id"))
    name = _text(entry, "name", where, group_id)
    time_zone = _text(entry, "time_zone", where, DEFAULT_TIME_ZONE)
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a path
        raise SeedError(f"{where}.time_zone is not a known time zone: {time_zone}") from None
    members = _members(conn, entry.get("members") or [], where, group_id)
    weekly = _weekly(conn, entry.get("shifts") or {}, where)
    conn.execute("DELETE FROM attendance_groups WHERE group_id = ?", (group_id,))
    conn.execute("DELETE FROM group_members WHERE group_id = ?", (group_id,))
    conn.execute("DELETE FROM group_shifts WHERE group_id = ?", (group_id,))
    try:
        kind = group_type(entry, where)
        departments = department_ids(entry, where)
        seed_days(conn, entry, where, group_id, kind, members)
    except GroupSeedError as exc:
        raise SeedError(str(exc)) from None
    conn.execute(
        "INSERT INTO attendance_groups"
        " (group_id, name, time_zone, group_type, written_at, dept_ids) VALUES (?, ?, ?, ?, ?, ?)",
        (group_id, name, time_zone, kind, store.now(conn).timestamp(), json.dumps(departments)),
    )
    conn.executemany(
        "INSERT INTO group_members (uid, group_id) VALUES (?, ?)",
        [(uid, group_id) for uid in members.values()],
    )
    conn.executemany(
        "INSERT INTO group_shifts (group_id, weekday, shift_id) VALUES (?, ?, ?)",
        [(group_id, day, shift_id) for day, shift_id in weekly.items()],
    )
    return group_id


def _members(conn: sqlite3.Connection, members: Any, where: str, group_id: str) -> dict[str, int]:
    """Members by employee_id (→ uid); one person belongs to one group at most."""
    ids = [_id_text(member) for member in members] if isinstance(members, list) else [None]
    if None in ids:
        raise SeedError(f"{where}.members must be a list of employee_ids")
    uids: dict[str, int] = {}
    for employee_id in dict.fromkeys(ids):
        row = conn.execute(
            "SELECT uid FROM users WHERE employee_id = ? ORDER BY terminated, uid DESC LIMIT 1",
            (employee_id,),
        ).fetchone()
        if row is None:
            raise SeedError(f"{where}.members: unknown employee_id {employee_id}")
        other = conn.execute(
            "SELECT group_id FROM group_members WHERE uid = ? AND group_id != ?",
            (row["uid"], group_id),
        ).fetchone()
        if other is not None:
            raise SeedError(f"{where}.members: {employee_id} is already in group {other[0]}")
        uids[str(employee_id)] = row["uid"]
    return uids


def _weekly(conn: sqlite3.Connection, shifts: Any, where: str) -> dict[int, str]:
    """Weekday (monday… or mon…) → a shift_id, or the name of a stored shift; null = rest."""
    if not isinstance(shifts, Mapping):
        raise SeedError(f"{where}.shifts must map weekdays to shift ids")
    weekly: dict[int, str] = {}
    for key, ref in shifts.items():
        day = next((i for i, d in enumerate(WEEKDAYS) if str(key).lower() in (d, d[:3])), None)
        if day is None:
            raise SeedError(f"{where}.shifts: {key!r} is not a weekday")
        if ref is None:
            continue
        row = conn.execute(
            "SELECT shift_id FROM shifts WHERE shift_id = ? OR shift_name = ?"
            " ORDER BY shift_id = ? DESC LIMIT 1",
            (str(ref), str(ref), str(ref)),
        ).fetchone()
        if row is None:
            raise SeedError(f"{where}.shifts.{key}: no shift with id or name {ref!r}")
        weekly[day] = row["shift_id"]
    return weekly
